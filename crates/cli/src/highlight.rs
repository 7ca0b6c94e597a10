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
        "bash" | "sh" | "shell" | "console" | "zsh" => {
            by_lines(&BASH, code).or_else(|| tree_sitter_html(&BASH, code))
        }
        "yaml" | "yml" => by_lines(&YAML, code).or_else(|| tree_sitter_html(&YAML, code)),
        _ => syntect_html(code, lang),
    }
}

/// Distinct blocks are many (each names its own service) but distinct lines are few:
/// the 10,000-checklist corpus has 42,000 different blocks made of 189 different lines.
/// When every line of a block stands alone (parses without error by itself, and
/// nothing carries over: no continuation, heredoc, block scalar or open bracket or
/// quote), the block is its lines' colourings joined, each line coloured once.
/// Otherwise the block is coloured whole. Tests hold the two ways equal.
fn by_lines(lang: &'static TsLanguage, code: &str) -> Option<String> {
    let mut out = String::with_capacity(code.len() * 2);
    for line in code.split_inclusive('\n') {
        if !stands_alone(lang, line) {
            return None;
        }
        let key = (lang.name, line.to_owned());
        let cached = line_cache().lock().ok().and_then(|c| c.get(&key).cloned());
        let html = match cached {
            Some(html) => html,
            None => {
                let html = parses_cleanly(lang, line)
                    .then(|| tree_sitter_html(lang, line))
                    .flatten();
                if let Ok(mut c) = line_cache().lock() {
                    if c.len() < LINE_CACHE_LIMIT {
                        c.insert(key, html.clone());
                    }
                }
                html
            }
        };
        out.push_str(&html?);
    }
    Some(out)
}

const LINE_CACHE_LIMIT: usize = 1 << 16;

type LineCache = Mutex<HashMap<(&'static str, String), Option<String>>>;

fn line_cache() -> &'static LineCache {
    static CACHE: OnceLock<LineCache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Text-level signs that a line's meaning runs into the next one.
fn stands_alone(lang: &TsLanguage, line: &str) -> bool {
    let text = line.trim_end();
    let quotes_closed = text.matches('"').count() % 2 == 0 && text.matches('\'').count() % 2 == 0;
    let brackets_closed = ['(', '[', '{']
        .iter()
        .zip([')', ']', '}'])
        .all(|(&open, close)| text.matches(open).count() == text.matches(close).count());
    let carries = match lang.name {
        "bash" => {
            text.ends_with('\\')
                || text.contains("<<")
                || text.ends_with("&&")
                || text.ends_with('|')
        }
        _ => {
            let last = text.rsplit(' ').next().unwrap_or("");
            last.starts_with('|')
                || last.starts_with('>')
                || text.starts_with("---")
                || text.starts_with("...")
        }
    };
    quotes_closed && brackets_closed && !carries && !text.contains('`')
}

/// The line parses by itself without an error node.
fn parses_cleanly(lang: &TsLanguage, line: &str) -> bool {
    thread_local! {
        static PARSER: std::cell::RefCell<tree_sitter::Parser> =
            std::cell::RefCell::new(tree_sitter::Parser::new());
    }
    PARSER.with(|cell| {
        let Ok(mut parser) = cell.try_borrow_mut() else {
            return false;
        };
        if parser.set_language(&(lang.language)()).is_err() {
            return false;
        }
        parser
            .parse(line, None)
            .is_some_and(|tree| !tree.root_node().has_error())
    })
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

    /// Blocks with every way a line can lean on its neighbours, plus the project's
    /// own checklists' blocks: coloured by lines or whole, the result is the same.
    #[test]
    fn colouring_by_lines_equals_colouring_whole_blocks() {
        let mut blocks: Vec<(String, String)> = [
            ("bash", "kubectl -n prod rollout status deploy/api\npsql $DATABASE_URL -c 'SELECT 1'\n# done\n"),
            ("bash", "cat <<EOF > /etc/x.conf\nkey = value\nEOF\n"),
            ("bash", "if [ -f x ]; then\n  echo yes\nfi\n"),
            ("bash", "docker run \\\n  --rm img\n"),
            ("bash", "echo \"multi\nline\"\nls\n"),
            ("bash", "for i in 1 2; do echo $i; done\ncurl -fsS https://x/health | jq .status\n"),
            ("bash", "case $1 in\n  a) echo a;;\nesac\n"),
            ("yaml", "replicas: 3 # scale\nimage: \"api:1.2\"\nenabled: true\n"),
            ("yaml", "spec:\n  containers:\n    - name: api\n      ports: [80, 443]\n"),
            ("yaml", "script: |\n  echo hi\n  echo there\nnext: 1\n"),
            ("yaml", "folded: >\n  a b\nlist:\n  - 1\n  - two\n"),
            ("yaml", "---\na: 1\n...\n"),
        ]
        .iter()
        .map(|(l, c)| (l.to_string(), c.to_string()))
        .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for dir in [root.join("checklists"), root.join("../shared/seeds")] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let Some(c) = checkdown_core::parse_str("t", &text).checklist else {
                    continue;
                };
                let mut found = Vec::new();
                collect_code(&c, &mut found);
                blocks.extend(found);
            }
        }
        let mut by_line = 0;
        for (lang, code) in &blocks {
            let ts = if lang == "yaml" { &YAML } else { &BASH };
            if !matches!(lang.as_str(), "bash" | "yaml") {
                continue;
            }
            if let Some(lines) = by_lines(ts, code) {
                by_line += 1;
                assert_eq!(Some(lines), tree_sitter_html(ts, code), "{lang}: {code}");
            }
        }
        assert!(by_line >= 4, "only {by_line} blocks went by lines");
    }

    fn collect_code(c: &checkdown_core::Checklist, out: &mut Vec<(String, String)>) {
        fn blocks(list: &[checkdown_core::Block], out: &mut Vec<(String, String)>) {
            for b in list {
                if let checkdown_core::Block::Code {
                    lang: Some(lang),
                    code,
                    ..
                } = b
                {
                    out.push((lang.clone(), code.clone()));
                }
            }
        }
        fn items(list: &[checkdown_core::Item], out: &mut Vec<(String, String)>) {
            for i in list {
                blocks(&i.details, out);
                items(&i.children, out);
            }
        }
        fn sections(list: &[checkdown_core::Section], out: &mut Vec<(String, String)>) {
            for s in list {
                blocks(&s.blocks, out);
                items(&s.items, out);
                sections(&s.sections, out);
            }
        }
        blocks(&c.intro, out);
        items(&c.items, out);
        sections(&c.sections, out);
    }

    #[test]
    fn highlighted_code_is_escaped() {
        let html = highlight("echo '<script>alert(1)</script>'\n", "bash").unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }
}
