//! Running one area: its namespaces on both servers, its setup, then each case sent to
//! both and the answers compared after normalising. Outcomes go to [`crate::known`],
//! which holds them against the list of accepted differences.

use crate::case::{Case, CaseFile, DEFAULT_COMPARE, NamespaceSpec, Step, WaitFor};
use crate::diff::{Difference, diff};
use crate::normalise::normalise;
use crate::pointer::{mask, select};
use crate::request::{Answer, Request};
use crate::targets::{Side, Targets};
use crate::vars::Vars;
use serde_json::{Value, json};
use std::time::Duration;

/// How long a real controller gets to make what a wait step waits for.
const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// What one case came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub differences: Vec<Difference>,
    /// What kept the case from being compared, or the catalogue's answer that
    /// kube-apiserver does not give: failures whatever the known list says.
    pub problems: Vec<String>,
}

impl Outcome {
    pub fn new(id: impl Into<String>) -> Outcome {
        Outcome {
            id: id.into(),
            differences: Vec::new(),
            problems: Vec::new(),
        }
    }
}

pub struct Area {
    pub name: &'static str,
    pub targets: Targets,
    pub vars: Vars,
    namespaces: Vec<String>,
}

/// A namespace name no earlier run on the same control plane used: `diff-<area>-<6
/// characters from the clock>`.
fn unique_namespace(area: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut n = (nanos ^ (u128::from(std::process::id()) << 64)) % 36u128.pow(6);
    let mut suffix = String::new();
    for _ in 0..6 {
        let digit = (n % 36) as u32;
        suffix.push(char::from_digit(digit, 36).unwrap_or('x'));
        n /= 36;
    }
    format!("diff-{}-{suffix}", area.replace('_', "-"))
}

impl Area {
    /// Both servers, with the area's namespace `${ns}` made on each.
    pub async fn start(name: &'static str) -> Area {
        let ns = unique_namespace(name);
        let mut area = Area {
            name,
            targets: Targets::connect().await,
            vars: Vars::new(&ns),
            namespaces: Vec::new(),
        };
        area.make_namespace(&NamespaceSpec {
            name: ns,
            labels: Default::default(),
        })
        .await;
        area
    }

    /// Starts the area and prepares what its case file asks for.
    pub async fn with_file(name: &'static str, file: &CaseFile) -> Area {
        let mut area = Area::start(name).await;
        area.vars.extend(&file.vars);
        for spec in &file.namespaces {
            area.make_namespace(spec).await;
        }
        if let Err(e) = area.steps(&file.setup, true).await {
            panic!("{name}: setup: {e}");
        }
        area
    }

    /// Makes namespace `spec` on both servers and waits for its `default` ServiceAccount
    /// (the real controller manager makes it a moment later; pods are refused until then).
    pub async fn make_namespace(&mut self, spec: &NamespaceSpec) {
        let name = self.vars.fill(&spec.name);
        let labels: serde_json::Map<String, Value> = spec
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(self.vars.fill(v))))
            .collect();
        let body = json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels}});
        let request = Request::with_body("POST", "/api/v1/namespaces", body);
        for side in [Side::Sim, Side::Real] {
            let answer = self.send(side, &request).await.unwrap_or_else(|e| {
                panic!("{}: namespace {name} on {}: {e}", self.name, side.name())
            });
            assert!(
                answer.is_success(),
                "{}: namespace {name} on {}: {}",
                self.name,
                side.name(),
                answer.summary()
            );
            let account = WaitFor {
                wait: format!("/api/v1/namespaces/{name}/serviceaccounts/default"),
                body: None,
                until: None,
                equals: None,
            };
            if let Err(e) = self.wait(side, &account).await {
                panic!("{}: {e}", self.name);
            }
        }
        self.namespaces.push(name);
    }

    pub async fn send(&self, side: Side, request: &Request) -> Result<Answer, String> {
        request.send(self.targets.client(side)).await
    }

    /// Sends `request` (placeholders filled) to both servers.
    pub async fn both(&self, request: &Request) -> Result<(Answer, Answer), String> {
        let request = request.filled(&self.vars);
        let on = |side: Side, r: Result<Answer, String>| {
            r.map_err(|e| {
                format!(
                    "{} {} on {}: {e}",
                    request.method,
                    request.path,
                    side.name()
                )
            })
        };
        let sim = on(Side::Sim, self.send(Side::Sim, &request).await)?;
        let real = on(Side::Real, self.send(Side::Real, &request).await)?;
        Ok((sim, real))
    }

    /// Polls until `wait` holds on `side` (its fields filled in already).
    async fn wait(&self, side: Side, wait: &WaitFor) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
        loop {
            let request = match &wait.body {
                None => Request::get(&wait.wait),
                Some(body) => Request {
                    method: "POST".into(),
                    body: Some(body.clone()),
                    ..Request::get(&wait.wait)
                },
            };
            let answer = self.send(side, &request).await?;
            let there = match &wait.until {
                None => None,
                Some(pointer) => answer.body.pointer(pointer).filter(|v| !v.is_null()),
            };
            let holds = answer.is_success()
                && match (&wait.until, &wait.equals) {
                    (None, _) => true,
                    (Some(_), None) => there.is_some(),
                    (Some(_), Some(want)) => there == Some(want),
                };
            if holds {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "{} on {}: {:?} not there after {WAIT_LIMIT:?} ({})",
                    wait.wait,
                    side.name(),
                    wait.until,
                    answer.summary()
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Runs `steps` on both servers; with `strict`, each must succeed (2xx or one of its
    /// `allow` codes) on both.
    pub async fn steps(&self, steps: &[Step], strict: bool) -> Result<(), String> {
        for step in steps {
            match step {
                Step::Wait(w) => {
                    let filled = WaitFor {
                        wait: self.vars.fill(&w.wait),
                        body: w.body.as_ref().map(|b| self.vars.fill_value(b)),
                        until: w.until.clone(),
                        equals: w.equals.as_ref().map(|v| self.vars.fill_value(v)),
                    };
                    for side in [Side::Sim, Side::Real] {
                        match self.wait(side, &filled).await {
                            Err(e) if strict => return Err(e),
                            _ => {}
                        }
                    }
                }
                Step::Send(request) => {
                    let filled = request.filled(&self.vars);
                    for side in [Side::Sim, Side::Real] {
                        let answer = self.send(side, &filled).await;
                        let fine = answer
                            .as_ref()
                            .is_ok_and(|a| a.is_success() || filled.allow.contains(&a.code));
                        if strict && !fine {
                            let what = match answer {
                                Ok(a) => a.summary(),
                                Err(e) => e,
                            };
                            return Err(format!(
                                "{} {} on {}: {what}",
                                filled.method,
                                filled.path,
                                side.name()
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends `case` to both servers and compares the answers.
    pub async fn run(&self, case: &Case) -> Outcome {
        let mut outcome = Outcome::new(&case.id);
        if let Err(e) = self.steps(&case.setup, true).await {
            outcome.problems.push(format!("setup: {e}"));
            return outcome;
        }
        match self.both(&case.request).await {
            Err(e) => outcome.problems.push(e),
            Ok((sim, real)) => {
                // A create only one server accepted is undone there: the difference is
                // this case's, not every later case's that finds the object.
                if sim.is_success() != real.is_success() {
                    let request = case.request.filled(&self.vars);
                    for (side, answer) in [(Side::Sim, &sim), (Side::Real, &real)] {
                        if let Some(undo) = answer.undo(&request) {
                            let _ = self.send(side, &undo).await;
                        }
                    }
                }
                let compare: Vec<String> = match &case.compare {
                    Some(pointers) => pointers.iter().map(|p| self.vars.fill(p)).collect(),
                    None => DEFAULT_COMPARE.iter().map(|p| p.to_string()).collect(),
                };
                let ignore: Vec<String> = case.ignore.iter().map(|p| self.vars.fill(p)).collect();
                outcome.differences = compare_answers(&sim, &real, &compare, &ignore);
                if let Some(expect) = &case.expect
                    && let Some(wrong) = expect.filled(&self.vars).mismatch(real.code, &real.body)
                {
                    outcome.problems.push(format!(
                        "the catalogue's answer is not kube-apiserver's: {wrong}"
                    ));
                }
            }
        }
        let _ = self.steps(&case.teardown, false).await;
        outcome
    }

    /// Runs every case of `file`.
    pub async fn run_all(&self, file: &CaseFile) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        for case in &file.cases {
            outcomes.push(self.run(case).await);
        }
        outcomes
    }

    /// Deletes the area's namespaces on the real server (the control plane may be reused;
    /// kubesim's cluster goes with the test).
    pub async fn finish(self) {
        for name in &self.namespaces {
            let request = Request {
                method: "DELETE".into(),
                ..Request::get(format!("/api/v1/namespaces/{name}"))
            };
            let _ = self.send(Side::Real, &request).await;
        }
    }
}

/// The differences between two answers in what `compare` points at, after normalising
/// both and masking what `ignore` points at.
pub fn compare_answers(
    sim: &Answer,
    real: &Answer,
    compare: &[String],
    ignore: &[String],
) -> Vec<Difference> {
    let view = |answer: &Answer| {
        let mut document = answer.document();
        normalise(&mut document);
        for pointer in ignore {
            mask(&mut document, pointer);
        }
        select(&document, compare)
    };
    diff(&view(sim), &view(real))
}
