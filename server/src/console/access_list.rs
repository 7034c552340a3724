//! `kubectl auth can-i --list`: the attendee's own SelfSubjectRulesReview in a namespace
//! of their workspace (or, `--as=system:serviceaccount:NS:NAME`, an account of the
//! workspace's own, asked as that account), laid out as kubectl lays it out: each rule broken down to one
//! group, resource and name, the simple ones merged by verbs, sorted as kubectl sorts
//! them (by the rule's Go text, verbs first), in four columns.

use super::context::{Ran, from_server};
use super::table;
use k8s_openapi::api::authorization::v1::{
    SelfSubjectRulesReview, SelfSubjectRulesReviewSpec, SubjectRulesReviewStatus,
};
use kube::api::{Api, PostParams};

/// A rule as kubectl's RBAC helpers hold it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Rule {
    verbs: Vec<String>,
    groups: Vec<String>,
    resources: Vec<String>,
    names: Vec<String>,
    urls: Vec<String>,
}

impl Rule {
    /// The text Go's generated `String()` gives a PolicyRule: what kubectl sorts by.
    fn go_text(&self) -> String {
        let list = |v: &[String]| format!("[{}]", v.join(" "));
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            list(&self.verbs),
            list(&self.groups),
            list(&self.resources),
            list(&self.names),
            list(&self.urls)
        )
    }
}

/// `--list` for the namespace `real`, asked through `asker` (the attendee, or an account
/// of the workspace), with or without the header.
pub async fn list(asker: &kube::Client, real: String, headers: bool) -> Ran {
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(real),
        },
        ..SelfSubjectRulesReview::default()
    };
    let reviews: Api<SelfSubjectRulesReview> = Api::all(asker.clone());
    let status = match reviews.create(&PostParams::default(), &review).await {
        Ok(answer) => answer.status.unwrap_or_default(),
        Err(e) => return Ran::error(from_server(&e)),
    };
    let mut output = String::new();
    if status.incomplete {
        output.push_str(&format!(
            "warning: the list may be incomplete: {}\n",
            status.evaluation_error.clone().unwrap_or_default()
        ));
    }
    let mut rows = Vec::new();
    if headers {
        rows.push(
            ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]
                .map(String::from)
                .to_vec(),
        );
    }
    let list = |v: &[String]| format!("[{}]", v.join(" "));
    for rule in compacted(rules(status)) {
        rows.push(vec![
            resource_group(&rule),
            list(&rule.urls),
            list(&rule.names),
            list(&rule.verbs),
        ]);
    }
    output.push_str(&table::aligned(&rows));
    Ran::ok(output)
}

/// The review's rules, resource rules first, each broken down as kubectl's
/// `BreakdownRule` breaks it.
fn rules(status: SubjectRulesReviewStatus) -> Vec<Rule> {
    let mut broken = Vec::new();
    for rule in status.resource_rules {
        let groups = rule.api_groups.unwrap_or_default();
        let resources = rule.resources.unwrap_or_default();
        let names = rule.resource_names.unwrap_or_default();
        for group in &groups {
            for resource in &resources {
                let one = Rule {
                    verbs: rule.verbs.clone(),
                    groups: vec![group.clone()],
                    resources: vec![resource.clone()],
                    ..Rule::default()
                };
                for name in &names {
                    broken.push(Rule {
                        names: vec![name.clone()],
                        ..one.clone()
                    });
                }
                if names.is_empty() {
                    broken.push(one);
                }
            }
        }
    }
    for rule in status.non_resource_rules {
        for url in rule.non_resource_urls.unwrap_or_default() {
            broken.push(Rule {
                verbs: rule.verbs.clone(),
                urls: vec![url],
                ..Rule::default()
            });
        }
    }
    broken
}

/// kubectl's `CompactRules`: rules on the same group, resource and name merged, their
/// verbs appended in order; then sorted by their Go text.
fn compacted(rules: Vec<Rule>) -> Vec<Rule> {
    let mut merged: Vec<Rule> = Vec::new();
    for rule in rules {
        let simple = rule.urls.is_empty() && rule.names.len() <= 1;
        match merged.iter_mut().find(|m| {
            simple
                && m.urls.is_empty()
                && (
                    m.groups.as_slice(),
                    m.resources.as_slice(),
                    m.names.as_slice(),
                ) == (
                    rule.groups.as_slice(),
                    rule.resources.as_slice(),
                    rule.names.as_slice(),
                )
        }) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => merged.push(rule),
        }
    }
    merged.sort_by_cached_key(Rule::go_text);
    merged
}

/// kubectl's `CombineResourceGroup`: `deployments.apps`, `pods/log`.
fn resource_group(rule: &Rule) -> String {
    let Some(resource) = rule.resources.first() else {
        return String::new();
    };
    let (base, sub) = match resource.split_once('/') {
        Some((base, sub)) => (base, Some(sub)),
        None => (resource.as_str(), None),
    };
    let mut combined = base.to_string();
    if let Some(group) = rule.groups.first().filter(|g| !g.is_empty()) {
        combined = format!("{combined}.{group}");
    }
    if let Some(sub) = sub {
        combined = format!("{combined}/{sub}");
    }
    combined
}
