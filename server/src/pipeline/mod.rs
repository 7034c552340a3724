//! The apply pipeline, in stages shared by apply, dry run, diff and delete:
//!
//! 1. [`parse`]: the text into documents, within budgets (hostile input refused here);
//! 2. [`plan`]: each document's kind, real namespace and mapped references, or a
//!    refusal (the workspace's namespaces read once);
//! 3. [`send`]: every object dry-run (one GET each) and the request held against the
//!    workspace's quotas as a whole ([`quota`]), then — only if all pass — server-side
//!    applied; or deleted in reverse install order. What an attendee may not write is
//!    refused or stripped on the way ([`policy`]).
//!
//! Nothing is applied when anything is refused; every error names its document, its line
//! and, in the API server's own words, what is wrong.

pub mod budgets;
mod context;
pub mod hostile;
pub mod parse;
pub mod plan;
pub mod policy;
pub mod quota;
pub mod send;
mod yaml;

pub use context::Context;
pub use parse::TextError;

use app::model::live::{Outcome, Report};
use parse::Budgets;

impl Context<'_> {
    /// Applies (or dry-runs) `text` in the workspace. `lesson_namespaces` are the short
    /// names the lesson declares (always allowed; created on first use).
    pub async fn apply(
        &self,
        text: &str,
        lesson_namespaces: &[String],
        dry_run: bool,
    ) -> Result<Report, TextError> {
        let documents = parse::parse(text, &Budgets::default())?;
        let plan = plan::plan(self, &documents, lesson_namespaces).await;
        let mut refused = plan.refused.clone();
        let mut present = plan.present();
        if refused.is_empty() && !dry_run {
            let wanted: Vec<String> = plan.allowed.iter().cloned().collect();
            match self
                .workspace
                .ensure(self.platform, &plan.existing, &wanted)
                .await
            {
                Ok(created) => present.extend(created),
                Err(e) => refused.push(Outcome {
                    index: 0,
                    line: 1,
                    kind: "Namespace".into(),
                    name: String::new(),
                    namespace: None,
                    action: None,
                    error: Some(e.to_string()),
                    changes: None,
                    notes: Vec::new(),
                }),
            }
        }
        let mut checked = Vec::new();
        for planned in plan.planned {
            let absent = planned
                .namespace
                .as_ref()
                .is_some_and(|ns| !present.contains(ns));
            checked.push(if absent {
                send::unchecked(planned)
            } else {
                send::dry_run(self.client(planned.platform), planned).await
            });
        }
        tolerate_forward_references(&mut checked);
        let mut failed = !refused.is_empty() || checked.iter().any(|c| c.result.is_err());
        if !failed && let Some((i, message)) = quota::check(&self.tenant, &checked).await {
            checked[i].result = Err(message);
            failed = true;
        }
        if failed || dry_run {
            let mut results = refused;
            results.extend(checked.into_iter().map(|c| match c.result {
                // Nothing happens when anything fails: no document says it would.
                Ok(outcome) if failed => Outcome {
                    action: None,
                    changes: None,
                    ..outcome
                },
                Ok(outcome) => outcome,
                Err(error) => Outcome {
                    error: Some(error),
                    ..c.planned.outcome
                },
            }));
            return Ok(report(results, false, dry_run));
        }
        let mut results = Vec::new();
        for c in &checked {
            results.push(send::apply(self.client(c.planned.platform), c).await);
        }
        Ok(report(results, true, false))
    }

    /// Deletes what `text` describes from the workspace, through the same planning (so
    /// the same refusals apply): nothing is deleted unless every document is acceptable.
    /// Reverse install order, so workloads go before what they use.
    pub async fn delete(
        &self,
        text: &str,
        lesson_namespaces: &[String],
    ) -> Result<Report, TextError> {
        let documents = parse::parse(text, &Budgets::default())?;
        let mut plan = plan::plan(self, &documents, lesson_namespaces).await;
        if !plan.refused.is_empty() {
            let mut results = plan.refused;
            results.extend(plan.planned.into_iter().map(|p| p.outcome));
            return Ok(report(results, false, false));
        }
        plan.planned.reverse();
        let mut results = Vec::new();
        for planned in plan.planned {
            results.push(send::delete(self.client(planned.platform), self.platform, planned).await);
        }
        Ok(report(results, true, false))
    }
}

/// A dry run is judged alone: an object naming another that this same request creates
/// earlier (a Pod and its new ServiceAccount) is refused for a reference that will exist
/// when it is applied. Such a refusal is checked when applied instead, as a new
/// namespace's objects are.
fn tolerate_forward_references(checked: &mut [send::Checked]) {
    let created: Vec<(usize, String)> = checked
        .iter()
        .enumerate()
        .filter(|(_, c)| c.live.is_none() && c.result.is_ok())
        .map(|(i, c)| (i, c.planned.name.clone()))
        .collect();
    for (i, check) in checked.iter_mut().enumerate() {
        let Err(error) = &check.result else { continue };
        let forward = created
            .iter()
            .any(|(j, name)| *j < i && error.contains(&format!("\"{name}\" not found")));
        if forward {
            let action = if check.live.is_some() {
                app::model::live::Action::Configured
            } else {
                app::model::live::Action::Created
            };
            check.result = Ok(Outcome {
                action: Some(action),
                ..check.planned.outcome.clone()
            });
        }
    }
}

/// The answer, in document order.
fn report(mut results: Vec<Outcome>, applied: bool, dry_run: bool) -> Report {
    results.sort_by_key(|o| o.index);
    Report {
        applied,
        dry_run,
        results,
    }
}
