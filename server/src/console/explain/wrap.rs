//! The two text helpers kubectl's explain template uses: `wrap` (go-wordwrap 1.0.1's
//! `WrapString`, which breaks only at white space, lets a long word run past the limit,
//! and counts characters) and `indent` (every line, the first included).

/// Wraps `text` within `limit` characters per line, as go-wordwrap does.
pub fn wrap(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut current = 0;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0, 0);
    for c in text.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                space_len = 0;
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + word_len + space_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

/// `text` with `amount` spaces before each of its lines.
pub fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_within_the_limit_and_long_words_run_past_it() {
        assert_eq!(wrap("one two three four", 9), "one two\nthree\nfour");
        assert_eq!(wrap("a verylongword b", 5), "a\nverylongword\nb");
        assert_eq!(wrap("kept\nbreaks  ", 20), "kept\nbreaks  ");
        assert_eq!(indent(2, "a\nb\n"), "  a\n  b\n  ");
    }
}
