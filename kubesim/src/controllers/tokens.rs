//! The token controller: a Secret of type `kubernetes.io/service-account-token` that names
//! a ServiceAccount (annotation `kubernetes.io/service-account.name`) gets a token the API
//! server accepts as that account, with `namespace` and `ca.crt` beside it — the
//! long-lived tokens older tutorials still create. Tokens kept in durable Secrets are
//! accepted again after a restart.

use super::runner::{Context, Controller, Follow, nothing_else};
use crate::auth::{Tokens, UserInfo};
use crate::store::{Key, Store};
use base64::Engine;
use serde_json::{Value, json};

const TYPE: &str = "kubernetes.io/service-account-token";
const ACCOUNT: &str = "kubernetes.io/service-account.name";

/// The controller: Secrets, as they come and change.
pub fn controller() -> impl Controller {
    Follow::new(("", "secrets"), nothing_else, |ctx: &Context, key: &Key| {
        reconcile(&ctx.store, &ctx.tokens, key)
    })
}

fn reconcile(store: &Store, tokens: &Tokens, key: &Key) {
    let Ok(secret) = store.get(key) else {
        return;
    };
    if secret["type"] != TYPE {
        return;
    }
    let Some(account) = secret["metadata"]["annotations"][ACCOUNT].as_str() else {
        return;
    };
    let user = UserInfo::service_account(&key.namespace, account);
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    if let Some(existing) = secret["data"]["token"].as_str() {
        // Already issued (perhaps before a restart): accept it again.
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(existing) {
            tokens.issue(String::from_utf8_lossy(&bytes).into_owned(), user);
        }
        return;
    }
    let token = format!(
        "kubesim-sa-secret.{}.{account}.{}{}",
        key.namespace,
        store.random_suffix(),
        store.random_suffix()
    );
    tokens.issue(token.clone(), user);
    let mut next = (*secret).clone();
    next["data"]["token"] = json!(encode(&token));
    next["data"]["namespace"] = json!(encode(&key.namespace));
    next["data"]["ca.crt"] = json!(encode("-----BEGIN CERTIFICATE-----\n"));
    let uid = store
        .get(&Key::new("", "serviceaccounts", &key.namespace, account))
        .ok()
        .and_then(|sa| sa["metadata"]["uid"].as_str().map(str::to_string));
    if let Some(uid) = uid {
        next["metadata"]["annotations"]["kubernetes.io/service-account.uid"] = Value::from(uid);
    }
    let _ = store.update(
        key.clone(),
        next,
        crate::store::resource_version_of(&secret),
    );
}
