//! The hostile inputs the parse budgets are built against, as data: each shape of attack
//! on a YAML parser, and the words its refusal must contain. The parser's tests, the
//! isolation suite and the benchmark harness (`server/examples/hostile.rs`, which
//! measures time and peak memory per shape) all read this one list.

/// One shape: its name, how to make the text (made only when wanted, so a harness that
/// measures one shape's memory holds no other), and what the refusal says.
pub type Shape = (&'static str, fn() -> String, &'static str);

/// `count` aliases of the anchor `name`, as a flow list.
fn aliases(name: &str, count: usize) -> String {
    format!("[{}]", vec![format!("*{name}"); count].join(","))
}

/// Every shape.
pub fn shapes() -> Vec<Shape> {
    vec![
        ("billion laughs", billion_laughs, "YAML aliases"),
        (
            "doubling chain within the alias budget",
            doubling_chain,
            "values",
        ),
        ("hidden aliases of a large list", hidden_aliases, "values"),
        (
            "deep nesting",
            || {
                format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {{v: {}1{}}}\n",
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                )
            },
            "nested",
        ),
        (
            "a 10 MiB document",
            || {
                format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{v: \"{}\"}}\n",
                    "x".repeat(10 * 1024 * 1024)
                )
            },
            "at most 512 KiB",
        ),
        (
            "a thousand documents",
            || "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n".repeat(1000),
            "1000 documents",
        ),
        (
            "a List of a thousand items",
            || {
                format!(
                    "apiVersion: v1\nkind: List\nitems:\n{}",
                    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n".repeat(1000)
                )
            },
            "List items counted",
        ),
        (
            "a 300 KiB key",
            // An explicit key (`? …`): YAML's 1,024-character limit is for implicit ones.
            || {
                format!(
                    "apiVersion: v1\nkind: ConfigMap\ndata:\n  ? \"{}\"\n  : x\n",
                    "k".repeat(300 * 1024)
                )
            },
            "key",
        ),
        (
            "a hundred thousand small values",
            || {
                format!(
                    "apiVersion: v1\nkind: ConfigMap\ndata: {{v: [{}]}}\n",
                    vec!["1"; 100_000].join(",")
                )
            },
            "values",
        ),
        (
            "deep JSON",
            || format!("{{\"a\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000)),
            "nested",
        ),
    ]
}

/// Nine lists of nine aliases of the list before: 9^9 strings if expanded.
pub fn billion_laughs() -> String {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        text.push_str(&format!(
            "{}: &{} {}\n",
            pair[1],
            pair[1],
            aliases(pair[0], 9)
        ));
    }
    text
}

/// A thousand values, then eight levels of a list of two aliases of the level before:
/// sixteen aliases (within an alias budget that only counts them), 256,000 values if
/// expanded.
fn doubling_chain() -> String {
    let mut text = format!("l0: &l0 [{}]\n", vec!["x"; 1000].join(","));
    for level in 1..=8 {
        text.push_str(&format!(
            "l{level}: &l{level} {}\n",
            aliases(&format!("l{}", level - 1), 2)
        ));
    }
    text
}

/// One anchored list of five thousand values, aliased fifteen times: a text of a few
/// KiB, few aliases, 75,000 values if expanded.
fn hidden_aliases() -> String {
    let values: Vec<String> = (0..5000).map(|i| format!("v{i}")).collect();
    format!(
        "big: &big [{}]\nrefs: {}\n",
        values.join(","),
        aliases("big", 15)
    )
}
