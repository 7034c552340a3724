//! Rows printed as kubectl prints them: Go's tabwriter with kubectl's settings (cells
//! padded to the widest of their column plus three spaces, at least six wide; the last
//! column not padded), and a `Table` answer's cells as kubectl renders them.

use serde_json::Value;

/// What kubectl asks for to print a table (and to watch one).
pub const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// kubectl's tabwriter: minimum cell width and padding.
const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// Prints `lines` (each a row of cells) aligned in columns, as `kubectl get` does.
pub fn aligned(lines: &[Vec<String>]) -> String {
    layout(lines, MIN_WIDTH, PADDING, false)
}

/// Prints `lines` aligned with `padding` spaces between columns and no minimum width,
/// as kubectl's other tables (`rollout history`) are.
pub fn padded(lines: &[Vec<String>], padding: usize) -> String {
    layout(lines, 0, padding, false)
}

/// Prints `lines` as `kubectl top` does: `get`'s layout, the last column padded too (its
/// printer ends every cell with a tab).
pub fn every_cell_padded(lines: &[Vec<String>]) -> String {
    layout(lines, MIN_WIDTH, PADDING, true)
}

/// Column widths kept from one printing to the next, as `kubectl get -w` keeps them (its
/// tabwriter remembers widths across flushes): a later row can widen a column, never
/// narrow it, and rows printed before stay as they were.
#[derive(Debug, Default)]
pub struct Widths(Vec<usize>);

impl Widths {
    /// `lines` aligned as [`aligned`] aligns them, in columns at least as wide as before.
    pub fn aligned(&mut self, lines: &[Vec<String>]) -> String {
        lay_out(lines, &mut self.0, MIN_WIDTH, PADDING, false)
    }
}

fn layout(lines: &[Vec<String>], min_width: usize, padding: usize, pad_last: bool) -> String {
    lay_out(lines, &mut Vec::new(), min_width, padding, pad_last)
}

fn lay_out(
    lines: &[Vec<String>],
    widths: &mut Vec<usize>,
    min_width: usize,
    padding: usize,
    pad_last: bool,
) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    if widths.len() < columns {
        widths.resize(columns, 0);
    }
    // Unless padded too, the last cell of a line ends with the line, not a tab: it sets no
    // width.
    let padded = |line: &Vec<String>| line.len() - usize::from(!pad_last && !line.is_empty());
    for line in lines {
        for (i, cell) in line.iter().enumerate().take(padded(line)) {
            widths[i] = widths[i].max((cell.chars().count() + padding).max(min_width));
        }
    }
    let mut out = String::new();
    for line in lines {
        for (i, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if i < padded(line) {
                let pad = widths[i] - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// A cell of a `Table` row as kubectl prints it: strings as they are, numbers and
/// booleans in Go's notation, nothing as `<none>`.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "<none>".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The labels of an object as `--show-labels` prints them: `k=v,k2=v2`, sorted, or
/// `<none>`.
pub fn labels(metadata: &Value) -> String {
    let Some(labels) = metadata["labels"].as_object().filter(|l| !l.is_empty()) else {
        return "<none>".into();
    };
    let mut pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    pairs.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn columns_align_as_kubectls_tabwriter_aligns_them() {
        let out = aligned(&[
            row(&["NAME", "READY", "STATUS", "RESTARTS", "AGE"]),
            row(&["web-5d8c7c9b6d-x2x9z", "1/1", "Running", "0", "5s"]),
            row(&["db", "0/1", "Pending", "0", "12m"]),
        ]);
        assert_eq!(
            out,
            "NAME                   READY   STATUS    RESTARTS   AGE\n\
             web-5d8c7c9b6d-x2x9z   1/1     Running   0          5s\n\
             db                     0/1     Pending   0          12m\n"
        );
        // Short columns are six wide at least.
        assert_eq!(
            aligned(&[row(&["A", "B"]), row(&["x", "y"])]),
            "A     B\nx     y\n"
        );
    }

    #[test]
    fn a_watch_keeps_its_widths_from_one_row_to_the_next() {
        let mut widths = Widths::default();
        let first = widths.aligned(&[
            row(&["NAME", "DATA", "AGE"]),
            row(&["settings-long", "1", "0s"]),
        ]);
        assert_eq!(
            first,
            "NAME            DATA   AGE\nsettings-long   1      0s\n"
        );
        assert_eq!(
            widths.aligned(&[row(&["a", "2", "1s"])]),
            "a               2      1s\n"
        );
        assert_eq!(
            widths.aligned(&[row(&["a", "Terminating", "1s"])]),
            "a               Terminating   1s\n"
        );
    }

    #[test]
    fn cells_and_labels_read_as_kubectl_prints_them() {
        assert_eq!(cell(&serde_json::json!(null)), "<none>");
        assert_eq!(cell(&serde_json::json!(3)), "3");
        assert_eq!(
            labels(&serde_json::json!({"labels": {"b": "2", "a": "1"}})),
            "a=1,b=2"
        );
        assert_eq!(labels(&serde_json::json!({})), "<none>");
    }
}
