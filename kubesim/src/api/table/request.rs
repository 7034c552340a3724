//! When a GET asks for `as=Table`: which Table version and how much of each object the
//! rows carry, and the answer converted (with a CRD's printer columns for its objects).

use crate::registry::{Params, Registry, Target};
use crate::status::{ApiError, Result};
use axum::http::{HeaderMap, header};
use serde_json::Value;

/// A request for `as=Table` output: the Table version and what each row carries.
#[derive(Debug, Clone)]
pub struct TableRequest {
    pub version: &'static str,
    pub include: String,
}

/// The Table a request asks for with its `Accept` header, if any.
pub fn table_request(
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Option<TableRequest>> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(version) = super::requested(accept).filter(|_| target.subresource.is_none()) else {
        return Ok(None);
    };
    let include = params
        .get("includeObject")
        .unwrap_or("Metadata")
        .to_string();
    if !matches!(include.as_str(), "None" | "Metadata" | "Object") {
        return Err(ApiError::bad_request(format!(
            "includeObject: Unsupported value: \"{include}\": supported values: \"None\", \"Metadata\", \"Object\""
        )));
    }
    Ok(Some(TableRequest { version, include }))
}

/// Converts a GET's answer into a Table when the client asked for one.
pub fn maybe_table(
    registry: &Registry,
    target: &Target,
    params: &Params,
    headers: &HeaderMap,
    value: Value,
    list: bool,
) -> Result<Value> {
    let Some(request) = table_request(target, params, headers)? else {
        return Ok(value);
    };
    let now = registry.store().clock().now();
    let (objects, meta) = if list {
        (
            value["items"].as_array().cloned().unwrap_or_default(),
            value["metadata"].clone(),
        )
    } else {
        let rv = value["metadata"]["resourceVersion"].clone();
        (vec![value], serde_json::json!({"resourceVersion": rv}))
    };
    let rows = super::Rows {
        version: request.version,
        objects: &objects,
        list_meta: meta,
        include: &request.include,
        headers: true,
        now,
    };
    Ok(match registry.crds().columns(target.resource) {
        Some(columns) => super::custom(&columns, rows),
        None => super::table(target.resource.kind, rows),
    })
}
