//! Syntax colouring of code blocks at build time, as CSS classes: pages need no script
//! for it, and `style-src 'self'` forbids inline styles anyway. The colours are in
//! style.css, picked for AA contrast on both themes' code background.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The block as HTML spans, or `None` for an unknown language (shown plain).
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let lang = match lang {
        "sh" | "shell" | "console" | "zsh" => "bash",
        "yml" => "yaml",
        "ts" | "typescript" => "js",
        other => other,
    };
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
    for line in LinesWithEndings::from(code) {
        // A line the grammar cannot handle is rare; fall back to plain text for the block.
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_stay_plain() {
        let html = highlight("echo \"hi\" # greet\n", "bash").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("echo"));
        assert!(highlight("whatever", "no-such-language").is_none());
    }

    #[test]
    fn highlighted_code_is_escaped() {
        let html = highlight("echo '<script>alert(1)</script>'\n", "bash").unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }
}
