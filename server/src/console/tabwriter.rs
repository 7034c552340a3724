//! Go's `text/tabwriter`, as `kubectl describe` sets it up (no minimum width, padding 2,
//! spaces): text whose tab-terminated cells are aligned in columns, each column's width
//! set per block of consecutive lines that have a cell in it. A line's last cell (not
//! ended by a tab) takes no part in the alignment. Widths count characters.

const PADDING: usize = 2;

/// Aligns `text` as a tabwriter flushed at its end would.
pub fn align(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format(&lines, 0, lines.len(), &mut widths, &mut out);
    out
}

/// Go's `format`: the lines `from..to`, with `widths` the widths of the columns that
/// enclose them.
fn format(lines: &[Vec<&str>], from: usize, to: usize, widths: &mut Vec<usize>, out: &mut String) {
    let column = widths.len();
    let mut start = from;
    let mut this = from;
    while this < to {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        // A block of lines with a cell in this column begins: write those before it.
        write(lines, start, this, widths, out);
        start = this;
        let mut width = 0;
        while this < to && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + PADDING);
            this += 1;
        }
        widths.push(width);
        format(lines, start, this, widths, out);
        widths.pop();
        start = this;
    }
    write(lines, start, to, widths, out);
}

fn write(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() {
                let pad = widths[j].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        // The text's last line is what follows its last newline.
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_lines_align_their_columns() {
        let text =
            "Name:\tweb\nNamespace:\tserver\nLabels:\t<none>\n\nData\n====\nEvents:\t<none>\n";
        assert_eq!(
            align(text),
            "Name:       web\nNamespace:  server\nLabels:     <none>\n\nData\n====\nEvents:  <none>\n"
        );
    }

    #[test]
    fn a_block_runs_while_lines_have_a_cell_in_its_column() {
        let text =
            "Events:\n  Type\tReason\tAge\n  ----\t------\t---\n  Normal\tScheduled\t5s\nEnd:\tx\n";
        assert_eq!(
            align(text),
            "Events:\n  Type    Reason     Age\n  ----    ------     ---\n  Normal  Scheduled  5s\nEnd:      x\n"
        );
    }
}
