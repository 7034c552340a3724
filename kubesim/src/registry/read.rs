//! Reading objects: GET of one object (or its status or scale) and of a collection, with
//! label and field selectors and `limit`/`continue` paging.

use super::base::{Registry, present};
use super::context::Params;
use super::patch::scale_of;
use super::selectors::{FieldSelector, LabelSelector};
use super::target::Target;
use crate::status::{ApiError, Result};
use crate::store::Key;
use serde_json::{Value, json};
use std::sync::Arc;

impl Registry {
    /// GET of one object (or its status/scale).
    pub fn get(&self, target: &Target) -> Result<Value> {
        let name = target.name()?;
        let object = self
            .store
            .get(&self.key(target, name))
            .map_err(|e| Registry::store_error(target.resource, name, e))?;
        match target.subresource_kind() {
            None | Some("status") => Ok(present(target.resource, &object)),
            Some("scale") => Ok(scale_of(&object)),
            Some(other) => Err(ApiError::method_not_allowed(
                &format!("GET {other}"),
                target.resource,
            )),
        }
    }

    /// GET of a collection: selectors, `limit` and `continue`.
    pub fn list(&self, target: &Target, params: &Params) -> Result<Value> {
        let resource = target.resource;
        let labels = LabelSelector::parse(params.get("labelSelector").unwrap_or(""))?;
        let fields = FieldSelector::parse_for(
            params.get("fieldSelector").unwrap_or(""),
            resource.group,
            resource.kind,
        )?;
        let limit: usize = match params.get("limit") {
            Some(l) => l
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid limit: {l}")))?,
            None => 0,
        };
        let (group, plural) = resource.storage_key();
        let after = match params.get("continue") {
            Some(token) => {
                let (namespace, name) = decode_continue(token)?;
                Some(Key::new(group, plural, &namespace, &name))
            }
            None => None,
        };
        // Select under the store's lock without copying; present (copy) only the page.
        let mut page: Vec<(Key, Arc<Value>)> = Vec::new();
        let mut remaining = 0;
        let rv = self.store.scan(
            group,
            plural,
            target.namespace.as_deref(),
            after.as_ref(),
            |key, object| {
                if labels.matches(object) && fields.matches(object) {
                    if limit > 0 && page.len() == limit {
                        remaining += 1;
                    } else {
                        page.push((key.clone(), object.clone()));
                    }
                }
                true
            },
        );
        let last = page.last().map(|(k, _)| k.clone());
        let items: Vec<Value> = page
            .iter()
            .map(|(_, object)| {
                let mut item = present(resource, object);
                if let Value::Object(map) = &mut item {
                    // Built-in lists carry kind and apiVersion once, on the list.
                    map.remove("apiVersion");
                    map.remove("kind");
                }
                item
            })
            .collect();
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if remaining > 0
            && let Some(key) = last
        {
            metadata["continue"] = json!(encode_continue(&key));
            metadata["remainingItemCount"] = json!(remaining);
        }
        Ok(json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.api_version(),
            "metadata": metadata,
            "items": items,
        }))
    }
}

fn encode_continue(key: &Key) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}\n{}", key.namespace, key.name))
}

fn decode_continue(token: &str) -> Result<(String, String)> {
    use base64::Engine;
    let bad = || {
        ApiError::bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (namespace, name) = text.split_once('\n').ok_or_else(bad)?;
    Ok((namespace.into(), name.into()))
}
