//! `kubectl delete TYPE NAME… | TYPE/NAME… | TYPE -l SELECTOR | TYPE --all`: each object
//! deleted as the attendee, in the background as kubectl cascades, then (unless
//! `--wait=false`) waited for until it is gone, as kubectl waits.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::targets::{self, Said, Target};
use kube::api::DeleteParams;
use std::time::Duration;

/// The longest the console waits for deleted objects to go: within the HTTP request's
/// own limit (kubectl would wait for as long as it takes).
const WAIT_LIMIT: Duration = Duration::from_secs(20);

pub async fn delete(console: &Console<'_>, invocation: &Invocation) -> Ran {
    if !invocation.values("filename").is_empty() {
        return super::apply::delete(console, invocation).await;
    }
    let (short, targets) = match targets::chosen(console, invocation, &invocation.args).await {
        Ok(chosen) => chosen,
        Err(ran) => return ran,
    };
    let params = match params(invocation) {
        Ok(params) => params,
        Err(ran) => return ran,
    };
    // Selected objects that went meanwhile are no error (kubectl ignores them too).
    let ignore_missing = invocation.is_set("ignore-not-found")
        || invocation.flag("selector").is_some()
        || invocation.is_set("all");
    let mut said = Said::default();
    let mut deleted: Vec<(Target, Option<String>)> = Vec::new();
    for target in targets {
        match target
            .api(console, &short)
            .delete(&target.name, &params)
            .await
        {
            Ok(either) => {
                said.push(Ok(format!(
                    "{} \"{}\" deleted\n",
                    target.resource.kind_group(),
                    target.name
                )));
                let uid = either.left().and_then(|o| o.metadata.uid);
                deleted.push((target, uid));
            }
            Err(kube::Error::Api(s)) if s.code == 404 && ignore_missing => {}
            Err(e) => {
                said.push(Err(from_server(&e)));
            }
        }
    }
    let mut ran = said.ran();
    if invocation.flag("wait") != Some("false") {
        for (target, uid) in &deleted {
            if !gone(console, &short, target, uid.as_deref()).await {
                ran.output.push_str(&format!(
                    "(the console stopped waiting after {}s: {} is still going; the cluster panel shows when it is gone)\n",
                    WAIT_LIMIT.as_secs(),
                    target.quoted()
                ));
                break;
            }
        }
    }
    ran
}

/// kubectl's defaults: background cascade; `--now` is a grace period of one second.
fn params(invocation: &Invocation) -> Result<DeleteParams, Ran> {
    let mut params = DeleteParams::background();
    let grace = if invocation.is_set("now") {
        Some("1")
    } else {
        invocation.flag("grace-period")
    };
    match grace.map(str::parse::<i64>) {
        None => {}
        // kubectl: a negative grace period means the object's own.
        Some(Ok(seconds)) if seconds < 0 => {}
        Some(Ok(seconds)) => params.grace_period_seconds = Some(seconds as u32),
        Some(Err(_)) => {
            return Err(Ran::error(format!(
                "invalid argument \"{}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
                grace.unwrap_or_default()
            )));
        }
    }
    Ok(params)
}

/// Waits (within [`WAIT_LIMIT`]) until the object `uid` named is gone: not found, or
/// found again under another uid (made anew, as a StatefulSet's pods are).
async fn gone(console: &Console<'_>, short: &str, target: &Target, uid: Option<&str>) -> bool {
    let api = target.api(console, short);
    let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
    loop {
        match api.get_opt(&target.name).await {
            Ok(None) | Err(_) => return true,
            Ok(Some(now)) if uid.is_some() && now.metadata.uid.as_deref() != uid => return true,
            Ok(Some(_)) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
