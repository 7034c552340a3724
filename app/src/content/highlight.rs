//! Server-side syntax highlighting of code blocks with syntect. Output uses CSS classes
//! (`hl-…`), so the light and dark themes are plain stylesheets (`style/_highlight.scss`).

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The class prefix of every highlighted token.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Holds syntect's syntax definitions (loading them takes milliseconds: do it once).
#[derive(Debug)]
pub struct Highlighter {
    syntaxes: SyntaxSet,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    /// Loads the bundled syntax definitions.
    pub fn new() -> Self {
        Highlighter {
            syntaxes: SyntaxSet::load_defaults_newlines(),
        }
    }

    /// `<pre class="code" data-lang="LANG" tabindex="0"><code>…</code></pre>` with
    /// highlighted tokens, or escaped plain text for a language syntect does not know.
    pub fn highlight(&self, code: &str, lang: &str) -> String {
        let lang_attr = escape(lang);
        let body = match self.syntaxes.find_syntax_by_token(lang) {
            Some(syntax) if !lang.is_empty() => {
                let mut generator =
                    ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
                let ok = LinesWithEndings::from(code).all(|line| {
                    generator
                        .parse_html_for_line_which_includes_newline(line)
                        .is_ok()
                });
                if ok {
                    generator.finalize()
                } else {
                    escape(code)
                }
            }
            _ => escape(code),
        };
        // Focusable, so that a keyboard can scroll a long line sideways.
        format!(
            "<pre class=\"code\" data-lang=\"{lang_attr}\" tabindex=\"0\"><code>{body}</code></pre>\n"
        )
    }
}

/// Text made safe to place in HTML.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
