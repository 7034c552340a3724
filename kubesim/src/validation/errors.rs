//! The field errors validators collect, worded as kube-apiserver's `field.ErrorList`.

use crate::status::Cause;
use serde_json::Value;

/// Collects field errors in the order the validators find them.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<Cause>);

impl Errors {
    fn push(&mut self, reason: &'static str, field: &str, message: String) {
        self.0.push(Cause {
            reason,
            message,
            field: field.to_string(),
        });
    }

    /// `Required value` (with an optional detail).
    pub fn required(&mut self, field: &str, detail: &str) {
        let message = if detail.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {detail}")
        };
        self.push("FieldValueRequired", field, message);
    }

    /// `Invalid value: <value>: <detail>`.
    pub fn invalid(&mut self, field: &str, value: &Value, detail: &str) {
        self.push(
            "FieldValueInvalid",
            field,
            format!("Invalid value: {}: {detail}", show(value)),
        );
    }

    /// `Unsupported value: <value>: supported values: "A", "B"`.
    pub fn not_supported(&mut self, field: &str, value: &Value, supported: &[&str]) {
        let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
        self.push(
            "FieldValueNotSupported",
            field,
            format!(
                "Unsupported value: {}: supported values: {}",
                show(value),
                list.join(", ")
            ),
        );
    }

    /// `Duplicate value: <value>`.
    pub fn duplicate(&mut self, field: &str, value: &Value) {
        self.push(
            "FieldValueDuplicate",
            field,
            format!("Duplicate value: {}", show(value)),
        );
    }

    /// `Not found: <value>`.
    pub fn not_found(&mut self, field: &str, value: &Value) {
        self.push(
            "FieldValueNotFound",
            field,
            format!("Not found: {}", show(value)),
        );
    }

    /// `Forbidden: <detail>`.
    pub fn forbidden(&mut self, field: &str, detail: &str) {
        self.push("FieldValueForbidden", field, format!("Forbidden: {detail}"));
    }

    /// `Too long: may not be more than N bytes`.
    pub fn too_long(&mut self, field: &str, max: usize) {
        self.push(
            "FieldValueTooLong",
            field,
            format!("Too long: may not be more than {max} bytes"),
        );
    }
}

/// A bad value as kube-apiserver 1.34 prints it: numbers and booleans bare, strings
/// quoted, everything else as JSON.
fn show(value: &Value) -> String {
    value.to_string()
}
