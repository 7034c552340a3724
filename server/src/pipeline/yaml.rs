//! One YAML document, parsed by serde-saphyr within what is left of the request's
//! budgets, its errors said in our words.

use super::budgets::{Budgets, Built, nodes_message};
use serde_json::Value;

/// One YAML document, parsed by serde-saphyr within what is left of the budgets (it
/// counts aliases as the values they expand to, and stops as soon as a budget is
/// crossed). `Err`: our words for what is wrong, and the line within the chunk.
pub fn parse(chunk: &str, budgets: &Budgets, built: &Built) -> Result<Value, (String, usize)> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budgets.max_nodes.saturating_sub(built.nodes).max(1);
    budget.max_aliases = budgets.max_aliases;
    budget.max_depth = budgets.max_depth;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = budgets.max_bytes;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options(chunk, options).map_err(|e| {
        let line = e
            .location()
            .map_or(1, |l| usize::try_from(l.line()).unwrap_or(1));
        (yaml_message(&e, budgets), line)
    })
}

/// serde-saphyr's error, said in our words: a budget by its name, a syntax error by its
/// first line (without the snippet it draws under it).
fn yaml_message(error: &serde_saphyr::Error, budgets: &Budgets) -> String {
    use serde_saphyr::budget::BudgetBreach;
    let mut inner = error;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    if let serde_saphyr::Error::Budget { breach, .. } = inner {
        return match breach {
            BudgetBreach::Nodes { .. } => nodes_message(budgets),
            BudgetBreach::Aliases { .. } | BudgetBreach::AliasAnchorRatio { .. } => format!(
                "the manifests use more than {} YAML aliases (*name); at most {} are accepted",
                budgets.max_aliases, budgets.max_aliases
            ),
            BudgetBreach::Depth { .. } => {
                format!("nested more than {} levels deep", budgets.max_depth)
            }
            other => format!("too large to accept ({other:?})"),
        };
    }
    let text = inner.to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    if first.contains("recursion limit exceeded") {
        return "nested too deeply".into();
    }
    // "line 3 column 7: what" — the line is given apart.
    let what = first
        .split_once(": ")
        .filter(|(at, _)| at.starts_with("line "))
        .map_or(first, |(_, what)| what);
    format!("YAML: {what}")
}
