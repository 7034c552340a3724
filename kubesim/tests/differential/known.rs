//! The accepted differences (`known.yaml`) and the verdict on an area: a difference not
//! listed fails, and so does a listed one that no longer shows, so the list stays true.
//!
//! ```yaml
//! - id: P-25                  # a case id; `*` matches any run of characters
//!   area: validation
//!   paths: [/body/message]    # where it differs (each must still differ; every
//!                             # difference must be under one); none = anywhere
//!   reason: kubesim writes a simplified diff of the pod specs
//! ```

use crate::area::Outcome;
use crate::diff::Difference;
use crate::pattern::glob;
use crate::pointer::is_under;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub id: String,
    pub area: String,
    #[serde(default)]
    pub paths: Vec<String>,
    pub reason: String,
}

/// The accepted differences of `area`.
pub fn known(area: &str) -> Vec<Known> {
    let path = crate::case::cases_dir().join("../known.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let all: Vec<Known> =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    all.into_iter().filter(|k| k.area == area).collect()
}

/// An area's result against its list.
pub struct Verdict {
    pub area: String,
    pub cases: usize,
    pub equal: usize,
    pub known: usize,
    pub failures: Vec<String>,
    pub notes: Vec<String>,
}

impl Verdict {
    /// The per-area summary line, then the known differences and the failures.
    pub fn report(&self) -> String {
        let mut out = format!(
            "area {}: {} cases, {} equal, {} known differences, {} failures\n",
            self.area,
            self.cases,
            self.equal,
            self.known,
            self.failures.len()
        );
        for note in &self.notes {
            out.push_str(&format!("  {note}\n"));
        }
        for failure in &self.failures {
            out.push_str(&format!("  FAIL {failure}\n"));
        }
        out
    }

    /// Prints the report; panics when anything failed.
    pub fn assert(&self) {
        let report = self.report();
        println!("{report}");
        assert!(self.failures.is_empty(), "{report}");
    }
}

fn describe(differences: &[Difference]) -> String {
    differences
        .iter()
        .map(|d| format!("\n      {d}"))
        .collect::<String>()
}

/// Holds `outcomes` of `area` against its known differences.
pub fn judge(area: &str, outcomes: &[Outcome]) -> Verdict {
    let list = known(area);
    let mut verdict = Verdict {
        area: area.to_string(),
        cases: outcomes.len(),
        equal: 0,
        known: 0,
        failures: Vec::new(),
        notes: Vec::new(),
    };
    for outcome in outcomes {
        for problem in &outcome.problems {
            verdict.failures.push(format!("{}: {problem}", outcome.id));
        }
        if outcome.differences.is_empty() {
            if outcome.problems.is_empty() {
                verdict.equal += 1;
            }
            continue;
        }
        let entries: Vec<&Known> = list.iter().filter(|k| glob(&k.id, &outcome.id)).collect();
        if entries.is_empty() {
            verdict.failures.push(format!(
                "{}: differs, and known.yaml does not list it:{}",
                outcome.id,
                describe(&outcome.differences)
            ));
            continue;
        }
        let uncovered: Vec<Difference> = outcome
            .differences
            .iter()
            .filter(|d| {
                !entries
                    .iter()
                    .any(|k| k.paths.is_empty() || k.paths.iter().any(|p| is_under(&d.path, p)))
            })
            .cloned()
            .collect();
        if uncovered.is_empty() {
            verdict.known += 1;
            verdict
                .notes
                .push(format!("known {}: {}", outcome.id, entries[0].reason));
        } else {
            verdict.failures.push(format!(
                "{}: differs where known.yaml does not say:{}",
                outcome.id,
                describe(&uncovered)
            ));
        }
    }
    for entry in &list {
        let matched: Vec<&Outcome> = outcomes.iter().filter(|o| glob(&entry.id, &o.id)).collect();
        if matched.is_empty() {
            verdict.failures.push(format!(
                "known.yaml lists {} ({}), but no such case ran",
                entry.id, entry.reason
            ));
            continue;
        }
        let differing: Vec<&Difference> = matched.iter().flat_map(|o| &o.differences).collect();
        if differing.is_empty() {
            verdict.failures.push(format!(
                "known.yaml lists {}, which no longer differs: take it off the list ({})",
                entry.id, entry.reason
            ));
            continue;
        }
        for path in &entry.paths {
            if !differing.iter().any(|d| is_under(&d.path, path)) {
                verdict.failures.push(format!(
                    "known.yaml lists {} at {path}, which no longer differs there",
                    entry.id
                ));
            }
        }
    }
    verdict
}
