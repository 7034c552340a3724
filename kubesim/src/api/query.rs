//! Query parameters of a request, decoded once.

use std::cell::RefCell;
use std::collections::BTreeMap;

/// The query string as a map (the last value wins for repeated keys), and the warnings
/// the request collects on its way through (sent back as `Warning` headers).
#[derive(Debug, Default)]
pub struct Query(
    BTreeMap<String, String>,
    RefCell<Vec<String>>,
    RefCell<Vec<String>>,
);

impl Query {
    /// Decodes `a=1&b=two%20words`.
    pub fn parse(query: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
            RefCell::default(),
            RefCell::default(),
        )
    }

    /// Records the keys the request body repeats (for field validation).
    pub fn set_duplicates(&self, keys: Vec<String>) {
        *self.2.borrow_mut() = keys;
    }

    /// The keys the request body repeats.
    pub fn duplicates(&self) -> Vec<String> {
        self.2.borrow().clone()
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

    /// Adds a warning for the client.
    pub fn warn(&self, message: String) {
        self.1.borrow_mut().push(message);
    }

    /// The warnings collected so far.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.1.borrow_mut())
    }

    /// `dryRun=All`.
    pub fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}
