//! Who a request comes from, once authenticated: a user name and groups, as RBAC bindings
//! name them.

/// An authenticated identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The name RBAC subjects of kind User (or ServiceAccount) match.
    pub username: String,
    /// The groups RBAC subjects of kind Group match.
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The cluster administrator (member of `system:masters`, allowed everything).
    pub fn admin() -> UserInfo {
        UserInfo {
            username: "kubernetes-admin".into(),
            groups: vec!["system:masters".into(), "system:authenticated".into()],
        }
    }

    /// A ServiceAccount's identity, with the groups Kubernetes gives it.
    pub fn service_account(namespace: &str, name: &str) -> UserInfo {
        UserInfo {
            username: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".into(),
            ],
        }
    }

    /// Whether RBAC is bypassed for this user.
    pub fn is_master(&self) -> bool {
        self.groups.iter().any(|g| g == "system:masters")
    }
}
