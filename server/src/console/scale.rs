//! `kubectl scale TYPE NAME --replicas=N [--current-replicas=M]`: the object's `scale`
//! subresource patched as the attendee (so the tenant role's `deployments/scale` right
//! and the namespace's quota judge it), with kubectl's checks and words.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::targets::{self, Said, Target};
use kube::api::{Patch, PatchParams};
use serde_json::json;

pub async fn scale(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let Some(replicas) = invocation.flag("replicas") else {
        return Ran::error("error: required flag(s) \"replicas\" not set".into());
    };
    let replicas = match count(replicas, "replicas") {
        Ok(Some(n)) => n,
        Ok(None) => {
            return Ran::error(
                "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
                    .into(),
            );
        }
        Err(ran) => return ran,
    };
    let expected = match invocation
        .flag("current-replicas")
        .map(|c| count(c, "current-replicas"))
    {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(n))) => Some(n),
        Some(Err(ran)) => return ran,
    };
    let (short, targets) = match targets::chosen(console, invocation, &invocation.args).await {
        Ok(chosen) => chosen,
        Err(ran) => return ran,
    };
    let mut said = Said::default();
    for target in targets {
        said.push(one(console, &short, &target, replicas, expected).await);
    }
    said.ran()
}

/// A count flag: `Some` when at least 0, `None` when negative (kubectl's -1 is "unset").
fn count(text: &str, flag: &str) -> Result<Option<i64>, Ran> {
    match text.parse::<i64>() {
        Ok(n) => Ok((n >= 0).then_some(n)),
        Err(_) => Err(Ran::error(format!(
            "invalid argument \"{text}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax"
        ))),
    }
}

async fn one(
    console: &Console<'_>,
    short: &str,
    target: &Target,
    replicas: i64,
    expected: Option<i64>,
) -> Result<String, String> {
    let api = target.api(console, short);
    // kubectl reads the object first: one it cannot read is "no object passed".
    match api.get(&target.name).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) => {
            return Err(format!("error: no objects passed to scale {}", s.message));
        }
        Err(e) => return Err(format!("error: no objects passed to scale {e}")),
    }
    if let Some(expected) = expected {
        let scale = api
            .get_scale(&target.name)
            .await
            .map_err(|e| from_server(&e))?;
        let now = scale.spec.and_then(|s| s.replicas).unwrap_or(0);
        if i64::from(now) != expected {
            return Err(format!(
                "error: Expected replicas to be {expected}, was {now}"
            ));
        }
    }
    let patch = json!({"spec": {"replicas": replicas}});
    api.patch_scale(&target.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| from_server(&e))?;
    Ok(format!("{} scaled\n", target.slash()))
}
