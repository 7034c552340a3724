//! Authentication: bearer tokens (the admin's and the ServiceAccount tokens the cluster
//! issued) and impersonation headers, which the authenticated user must be allowed to use.

use super::rbac;
use super::user::UserInfo;
use crate::status::ApiError;
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::sync::Mutex;

/// Issued bearer tokens and whom they stand for.
#[derive(Debug)]
pub struct Tokens {
    admin: String,
    issued: Mutex<HashMap<String, UserInfo>>,
}

impl Tokens {
    /// A registry whose admin token is `admin`.
    pub fn new(admin: String) -> Tokens {
        Tokens {
            admin,
            issued: Mutex::new(HashMap::new()),
        }
    }

    /// The admin token (written into kubeconfigs, used by in-process clients).
    pub fn admin_token(&self) -> &str {
        &self.admin
    }

    /// Records a token for a ServiceAccount.
    pub fn issue(&self, token: String, user: UserInfo) {
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token, user);
    }

    fn lookup(&self, token: &str) -> Option<UserInfo> {
        if token == self.admin {
            return Some(UserInfo::admin());
        }
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned()
    }
}

/// Authenticates a request by its bearer token, then applies impersonation headers (which
/// the authenticated user must be allowed to use).
pub fn authenticate(
    tokens: &Tokens,
    headers: &HeaderMap,
    rbac: &rbac::Authorizer,
) -> Result<UserInfo, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let user = token
        .and_then(|t| tokens.lookup(t))
        .ok_or_else(ApiError::unauthorized)?;
    impersonate(user, headers, rbac)
}

fn impersonate(
    user: UserInfo,
    headers: &HeaderMap,
    rbac: &rbac::Authorizer,
) -> Result<UserInfo, ApiError> {
    let Some(target) = headers
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
    else {
        if headers.contains_key("impersonate-group") {
            return Err(ApiError::bad_request(
                "requested groups without impersonating a user",
            ));
        }
        return Ok(user);
    };
    let groups: Vec<String> = headers
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect();
    let (resource, namespace, name) = match target
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((ns, sa)) => ("serviceaccounts", ns.to_string(), sa.to_string()),
        None => ("users", String::new(), target.to_string()),
    };
    let allowed = |resource: &str, namespace: &str, name: &str| {
        rbac.allows(
            &user,
            &rbac::Attributes::resource("impersonate", "", resource, "", namespace, name),
        )
    };
    if !allowed(resource, &namespace, &name) {
        let scope = if namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{namespace}\"")
        };
        return Err(ApiError::plain_forbidden(format!(
            "{resource} \"{name}\" is forbidden: User \"{}\" cannot impersonate resource \"{resource}\" in API group \"\" {scope}",
            user.username
        )));
    }
    for group in &groups {
        if !allowed("groups", "", group) {
            return Err(ApiError::plain_forbidden(format!(
                "groups \"{group}\" is forbidden: User \"{}\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope",
                user.username
            )));
        }
    }
    let mut impersonated = match resource {
        "serviceaccounts" => UserInfo::service_account(&namespace, &name),
        _ => UserInfo {
            username: target.to_string(),
            groups: vec!["system:authenticated".into()],
        },
    };
    for group in groups {
        if !impersonated.groups.contains(&group) {
            impersonated.groups.push(group);
        }
    }
    Ok(impersonated)
}
