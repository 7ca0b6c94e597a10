//! Syntax colouring of code blocks at build time, as CSS classes: pages need no script
//! for it, and `style-src 'self'` forbids inline styles anyway. The colours are in
//! style.css, picked for AA contrast on both themes' code background.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Checklists repeat the same commands (`systemctl restart`, `kubectl rollout status`)
/// across many files; colouring each distinct block once saves most of the grammar
/// work. Bounded, so a site of unique blocks cannot grow it without limit.
const CACHE_LIMIT: usize = 4096;

type Cache = Mutex<HashMap<(String, String), Option<String>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The block as HTML spans, or `None` for an unknown language (shown plain).
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let key = (lang.to_owned(), code.to_owned());
    if let Some(hit) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let html = highlight_uncached(code, lang);
    if let Ok(mut c) = cache().lock() {
        if c.len() < CACHE_LIMIT {
            c.insert(key, html.clone());
        }
    }
    html
}

fn highlight_uncached(code: &str, lang: &str) -> Option<String> {
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
