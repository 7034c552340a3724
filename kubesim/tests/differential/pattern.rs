//! Case-id patterns of known.yaml: `*` matches any run of characters
//! (`rbac/nobody/*`). Shared with kubesim's own tests, which skip what known.yaml lists.

/// Whether `text` matches `pattern`.
pub fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("rbac/*/get/*", "rbac/view/get/pods"));
        assert!(glob("P-25", "P-25"));
        assert!(!glob("P-2", "P-25"));
        assert!(glob("*", ""));
    }
}
