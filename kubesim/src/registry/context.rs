//! One request as the registry sees it: its query parameters, decoded once, what reading
//! its body noticed, and the warnings it collects for the client. Passed explicitly (and
//! mutably where a verb may warn), so what a request carries is visible in every
//! signature.

use crate::auth::UserInfo;
use std::collections::BTreeMap;

/// The query string as a map (the last value wins for repeated keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Decodes `a=1&b=two%20words`.
    pub fn parse(query: Option<&str>) -> Params {
        Params(
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// A parameter's value, if present and non-empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A boolean flag (`true`, `1`).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    /// `dryRun=All`: everything is checked, nothing is stored.
    pub fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

/// A request on its way through the registry.
#[derive(Debug, Default)]
pub struct RequestContext {
    /// The query parameters.
    pub params: Params,
    /// Who asks (the impersonated user when impersonating). `None` for the cluster's own
    /// controllers, which write as kube-controller-manager does: RBAC's escalation
    /// checks do not apply to them, admission does.
    pub user: Option<UserInfo>,
    /// The keys the request body repeats, by path (for `fieldValidation`).
    pub duplicates: Vec<String>,
    /// Warnings for the client, sent back as `Warning` headers.
    pub warnings: Vec<String>,
}

impl RequestContext {
    /// A request with these query parameters and nothing read yet.
    pub fn new(params: Params) -> RequestContext {
        RequestContext {
            params,
            ..RequestContext::default()
        }
    }

    /// Adds a warning for the client.
    pub fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
}
