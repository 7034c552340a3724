//! The validation catalogue (`kubesim/docs/validation-catalogue.md`), case by case: each
//! mistake is sent as a real request and must get the catalogue's answer (code, reason,
//! message). The cases are the differential tests' data
//! (`tests/differential/cases/validation.yaml`), whose `expect` those tests hold the real
//! kube-apiserver to; a case `tests/differential/known.yaml` lists as answered
//! differently by kubesim is skipped here, and the differential tests fail once it no
//! longer differs.

use crate::case::{CaseFile, Step};
use crate::pattern::glob;
use crate::request::Request;
use crate::vars::Vars;
use kubesim::Cluster;
use serde::Deserialize;

/// What of known.yaml these tests need.
#[derive(Deserialize)]
struct Known {
    id: String,
    area: String,
    #[serde(default)]
    paths: Vec<String>,
}

/// Ids kubesim is known to answer differently in code, reason or message.
fn known_different() -> Vec<String> {
    let path = crate::case::cases_dir().join("../known.yaml");
    let text = std::fs::read_to_string(&path).expect("known.yaml");
    let all: Vec<Known> = serde_yaml::from_str(&text).expect("known.yaml");
    let compared = ["/code", "/body/reason", "/body/message"];
    all.into_iter()
        .filter(|k| k.area == "validation")
        .filter(|k| {
            k.paths.is_empty()
                || k.paths
                    .iter()
                    .any(|p| compared.iter().any(|c| c.starts_with(p.as_str())))
        })
        .map(|k| k.id)
        .collect()
}

async fn steps(client: &kube::Client, vars: &Vars, steps: &[Step]) -> Result<(), String> {
    for step in steps {
        match step {
            // kubesim makes what the real controllers make later at once: one look.
            Step::Wait(w) => {
                let answer = Request::get(vars.fill(&w.wait)).send(client).await?;
                if answer.code != 200 {
                    return Err(format!("{}: {}", w.wait, answer.summary()));
                }
            }
            Step::Send(request) => {
                let request = request.filled(vars);
                let answer = request.send(client).await?;
                if !answer.is_success() && !request.allow.contains(&answer.code) {
                    return Err(format!(
                        "{} {}: {}",
                        request.method,
                        request.path,
                        answer.summary()
                    ));
                }
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_catalogued_mistake_gets_kube_apiservers_answer() {
    let cluster = Cluster::builder().seed(3).build().expect("cluster");
    let client = cluster.client();
    let file: CaseFile = crate::case::load("validation");
    let mut vars = Vars::new("catalogue");
    vars.extend(&file.vars);
    let namespace = Request::with_body(
        "POST",
        "/api/v1/namespaces",
        serde_json::json!({"metadata": {"name": "catalogue"}}),
    );
    assert!(
        namespace
            .send(&client)
            .await
            .expect("namespace")
            .is_success()
    );
    steps(&client, &vars, &file.setup).await.expect("setup");

    let skipped = known_different();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in &file.cases {
        let Some(expect) = &case.expect else {
            continue;
        };
        if let Err(e) = steps(&client, &vars, &case.setup).await {
            failures.push(format!("{}: setup: {e}", case.id));
            continue;
        }
        let request = case.request.filled(&vars);
        let answer = request.send(&client).await;
        // A create kubesim accepts where the catalogue refuses it (a known difference) is
        // undone, so that later cases do not find the object.
        if let Ok(answer) = &answer
            && !(200..300).contains(&expect.code)
            && let Some(undo) = answer.undo(&request)
        {
            let _ = undo.send(&client).await;
        }
        let _ = steps(&client, &vars, &case.teardown).await;
        if skipped.iter().any(|k| glob(k, &case.id)) {
            continue;
        }
        checked += 1;
        let expect = expect.filled(&vars);
        match answer {
            Err(e) => failures.push(format!("{}: {e}", case.id)),
            Ok(answer) => {
                if let Some(wrong) = expect.mismatch(answer.code, &answer.body) {
                    failures.push(format!("{}: {wrong}", case.id));
                }
            }
        }
    }
    // 129 cases, of which known.yaml listed 45 as different when it was first made (some
    // differ only in what this test does not look at): a floor, so that a known.yaml
    // listing everything cannot pass as green.
    assert!(checked >= 80, "only {checked} cases checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from the catalogue:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
