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
    match lang {
        // The languages checklists are full of get tree-sitter: several times faster
        // than syntect's regex grammars, which dominated build time.
        "bash" | "sh" | "shell" | "console" | "zsh" => tree_sitter_html(&BASH, code),
        "yaml" | "yml" => tree_sitter_html(&YAML, code),
        _ => syntect_html(code, lang),
    }
}

/// Capture names the palette in style.css colours, mapped onto the same hl- classes
/// the syntect scopes use.
const TS_NAMES: &[(&str, &str)] = &[
    ("comment", "hl-comment"),
    ("string", "hl-string"),
    ("keyword", "hl-keyword"),
    ("number", "hl-constant"),
    ("constant", "hl-constant"),
    ("boolean", "hl-constant"),
    ("function", "hl-entity"),
    ("property", "hl-entity"),
    ("variable", "hl-variable"),
    ("operator", "hl-keyword"),
];

/// A tree-sitter grammar, compiled into a highlight configuration on first use.
struct TsLanguage {
    config: OnceLock<Option<tree_sitter_highlight::HighlightConfiguration>>,
    language: fn() -> tree_sitter::Language,
    name: &'static str,
    query: &'static str,
}

static BASH: TsLanguage = TsLanguage {
    config: OnceLock::new(),
    language: || tree_sitter_bash::LANGUAGE.into(),
    name: "bash",
    query: tree_sitter_bash::HIGHLIGHT_QUERY,
};

static YAML: TsLanguage = TsLanguage {
    config: OnceLock::new(),
    language: || tree_sitter_yaml::LANGUAGE.into(),
    name: "yaml",
    query: tree_sitter_yaml::HIGHLIGHTS_QUERY,
};

thread_local! {
    static HIGHLIGHTER: std::cell::RefCell<tree_sitter_highlight::Highlighter> =
        std::cell::RefCell::new(tree_sitter_highlight::Highlighter::new());
}

fn tree_sitter_html(lang: &TsLanguage, code: &str) -> Option<String> {
    let config = lang
        .config
        .get_or_init(|| {
            let mut config = tree_sitter_highlight::HighlightConfiguration::new(
                (lang.language)(),
                lang.name,
                lang.query,
                "",
                "",
            )
            .ok()?;
            let names: Vec<&str> = TS_NAMES.iter().map(|(n, _)| *n).collect();
            config.configure(&names);
            Some(config)
        })
        .as_ref()?;
    HIGHLIGHTER.with(|cell| {
        let mut highlighter = cell.try_borrow_mut().ok()?;
        let events = highlighter
            .highlight(config, code.as_bytes(), None, None, |_| None)
            .ok()?;
        let mut renderer = tree_sitter_highlight::HtmlRenderer::new();
        renderer
            .render(events, code.as_bytes(), &|h, out: &mut Vec<u8>| {
                if let Some((_, class)) = TS_NAMES.get(h.0) {
                    out.extend_from_slice(b"class=\"");
                    out.extend_from_slice(class.as_bytes());
                    out.push(b'"');
                }
            })
            .ok()?;
        String::from_utf8(renderer.html).ok()
    })
}

fn syntect_html(code: &str, lang: &str) -> Option<String> {
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
    fn yaml_and_shell_use_the_fast_grammars() {
        let yaml = highlight("replicas: 3 # scale\n", "yml").unwrap();
        assert!(yaml.contains("class=\"hl-comment\""), "{yaml}");
        let sh = highlight("ls -la\n", "sh").unwrap();
        assert!(sh.contains("class=\"hl-entity\""), "{sh}");
    }

    #[test]
    fn highlighted_code_is_escaped() {
        let html = highlight("echo '<script>alert(1)</script>'\n", "bash").unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }
}
