//! YAML (`---`) and TOML (`+++`) front matter at the top of a checklist.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Keys checkdown understands; anything else draws a warning so typos are noticed.
pub const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "version",
    "owner",
    "tags",
    "description",
    "lang",
];

#[derive(Debug, Default, Deserialize)]
pub struct FrontMatter {
    pub id: Option<Scalar>,
    pub title: Option<Scalar>,
    pub version: Option<Scalar>,
    pub owner: Option<Scalar>,
    pub description: Option<Scalar>,
    /// The language the checklist is written in (`de`, `ja`, `ar`): the page's `lang`.
    pub lang: Option<Scalar>,
    #[serde(default)]
    pub tags: Tags,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde::de::IgnoredAny>,
}

/// Authors write `version: 1.2` and mean the string "1.2".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    pub fn into_string(self) -> String {
        match self {
            Self::Text(s) => s,
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

/// `tags: [a, b]` or `tags: a, b`; a tag that YAML or TOML reads as a number (`2024`)
/// is a word too.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum Tags {
    #[default]
    None,
    List(Vec<Scalar>),
    Text(String),
}

impl Tags {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            Self::None => Vec::new(),
            Self::List(v) => v.into_iter().map(Scalar::into_string).collect(),
            Self::Text(s) => s
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Toml,
}

/// Where the front matter is. `content` is the byte range between the delimiter lines,
/// `block` the whole thing including them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    None,
    Unterminated {
        syntax: Syntax,
        opener: std::ops::Range<usize>,
    },
    Block {
        syntax: Syntax,
        content: std::ops::Range<usize>,
        block: std::ops::Range<usize>,
    },
}

pub fn find(src: &str) -> Found {
    let first_line_end = src.find('\n').map_or(src.len(), |i| i + 1);
    let opener = src[..first_line_end].trim_end();
    let syntax = match opener {
        "---" => Syntax::Yaml,
        "+++" => Syntax::Toml,
        _ => return Found::None,
    };
    let mut pos = first_line_end;
    while pos < src.len() {
        let end = src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1);
        let line = src[pos..end].trim_end();
        let closes = match syntax {
            Syntax::Yaml => line == "---" || line == "...",
            Syntax::Toml => line == "+++",
        };
        if closes {
            return Found::Block {
                syntax,
                content: first_line_end..pos,
                block: 0..end,
            };
        }
        pos = end;
    }
    Found::Unterminated {
        syntax,
        opener: 0..opener.len(),
    }
}

/// A parse failure inside the front matter, as a byte offset into its content.
pub struct Failure {
    pub message: String,
    pub offset: usize,
}

pub fn parse(syntax: Syntax, content: &str) -> Result<FrontMatter, Failure> {
    if content.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let mut fm = parse_typed(syntax, content)?;
    // `version: 1.10` is a number to YAML and TOML, and 1.1 once read as one; the
    // author wrote, and meant, "1.10". Numbers are taken as written.
    let separator = match syntax {
        Syntax::Yaml => ':',
        Syntax::Toml => '=',
    };
    for (key, value) in [
        ("id", &mut fm.id),
        ("title", &mut fm.title),
        ("version", &mut fm.version),
        ("owner", &mut fm.owner),
        ("description", &mut fm.description),
    ] {
        if matches!(value, Some(Scalar::Int(_) | Scalar::Float(_))) {
            if let Some(written) = written_value(content, key, separator) {
                *value = Some(Scalar::Text(written));
            }
        }
    }
    // The same for numbers among the tags, where the list is written on its line
    // (`tags: [1.10, q4]`): each number is taken from the part written in its place.
    if let Tags::List(tags) = &mut fm.tags {
        if tags
            .iter()
            .any(|t| matches!(t, Scalar::Int(_) | Scalar::Float(_)))
        {
            let written = written_value(content, "tags", separator);
            let parts: Vec<&str> = written
                .as_deref()
                .and_then(|w| w.strip_prefix('[')?.strip_suffix(']'))
                .map(|list| list.split(',').map(str::trim).collect())
                .unwrap_or_default();
            // A comma inside a quoted tag splits it: then the counts differ, and the
            // numbers stay as read.
            if parts.len() == tags.len() {
                for (tag, part) in tags.iter_mut().zip(parts) {
                    if matches!(tag, Scalar::Int(_) | Scalar::Float(_)) {
                        *tag = Scalar::Text(part.to_owned());
                    }
                }
            }
        }
    }
    // A page's `lang` tells screen readers how to speak it and browsers which way it
    // runs: a word such as `german` there would be worse than none.
    if let Some(Scalar::Text(lang)) = &fm.lang {
        if !crate::is_language_tag(lang) {
            return Err(Failure {
                message: format!(
                    "`lang` must be a language tag such as `en`, `de` or `pt-BR`, not {lang:?}"
                ),
                offset: key_offset(content, "lang", separator).unwrap_or(0),
            });
        }
    } else if fm.lang.is_some() {
        return Err(Failure {
            message: "`lang` must be a language tag such as `en`, `de` or `pt-BR`".to_owned(),
            offset: key_offset(content, "lang", separator).unwrap_or(0),
        });
    }
    Ok(fm)
}

/// The text after `key:` (or `key =`) on its line, without a trailing comment.
fn written_value(content: &str, key: &str, separator: char) -> Option<String> {
    let at = key_offset(content, key, separator)?;
    let line = content[at..].lines().next()?;
    let value = line.split_once(separator)?.1;
    let value = value.split(" #").next().unwrap_or(value).trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn parse_typed(syntax: Syntax, content: &str) -> Result<FrontMatter, Failure> {
    match syntax {
        Syntax::Yaml => serde_yaml_ng::from_str(content).map_err(|e| {
            wrong_type(content).unwrap_or_else(|| {
                let message = strip_position(&e.to_string());
                let offset = e.location().map_or(0, |l| l.index());
                in_authors_terms(content, &message, offset).unwrap_or(Failure { offset, message })
            })
        }),
        Syntax::Toml => toml::from_str(content).map_err(|e| Failure {
            offset: e.span().map_or(0, |s| s.start),
            message: e.message().to_owned(),
        }),
    }
}

/// A key whose value has the wrong shape, found again by hand: serde reports such a
/// mismatch at the start of the block, in its own terms ("did not match any variant of
/// untagged enum Scalar"), which point an author nowhere.
fn wrong_type(content: &str) -> Option<Failure> {
    use serde_yaml_ng::Value;
    // Broken YAML keeps serde's own message, which has the right position.
    let Value::Mapping(map) = serde_yaml_ng::from_str::<Value>(content).ok()? else {
        return Some(Failure {
            offset: 0,
            message: "expected `key: value` lines".to_owned(),
        });
    };
    let one_value = |v: &Value| {
        matches!(
            v,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)
        )
    };
    for (key, value) in &map {
        let Some(key) = key.as_str() else { continue };
        let fits = match key {
            "tags" => match value {
                Value::Null | Value::String(_) => true,
                Value::Sequence(items) => items
                    .iter()
                    .all(|i| matches!(i, Value::String(_) | Value::Number(_) | Value::Bool(_))),
                _ => false,
            },
            "id" | "title" | "version" | "owner" | "description" | "lang" => one_value(value),
            _ => true,
        };
        if !fits {
            let message = if key == "tags" {
                "`tags` must be a list of words (`[db, release]`) or words separated by commas"
                    .to_owned()
            } else {
                format!(
                    "`{key}` must be one value on its line (text, a number or true/false), \
                     not a list or nested keys"
                )
            };
            return Some(Failure {
                message,
                offset: key_offset(content, key, ':').unwrap_or(0),
            });
        }
    }
    None
}

/// YAML errors said where the author looks: at the bracket or quote left open (YAML
/// notices only where the block ends), and at the second of two keys (it points at
/// the first).
fn in_authors_terms(content: &str, message: &str, offset: usize) -> Option<Failure> {
    if let Some(key) = message
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split('`').next())
    {
        let mut at = 0;
        let mut seen = 0;
        for line in content.split_inclusive('\n') {
            let rest = line.strip_prefix(key).map(str::trim_start);
            if rest.is_some_and(|r| r.starts_with(':')) {
                seen += 1;
                if seen == 2 {
                    return Some(Failure {
                        message: format!("`{key}` is given twice; keep one"),
                        offset: at,
                    });
                }
            }
            at += line.len();
        }
        return None;
    }
    if message.contains("quoted scalar") || message.ends_with("unexpected end of stream") {
        return unclosed_quote(content, offset);
    }
    let (open, close) = if message.contains("',' or ']'") {
        ('[', ']')
    } else if message.contains("',' or '}'") {
        ('{', '}')
    } else {
        return None;
    };
    // The last line up to the error that opens more than it closes.
    let mut at = 0;
    let mut opened = None;
    for line in content.split_inclusive('\n') {
        if at > offset {
            break;
        }
        let depth = line.matches(open).count() as isize - line.matches(close).count() as isize;
        if depth > 0 {
            opened = line.rfind(open).map(|i| at + i);
        }
        at += line.len();
    }
    Some(Failure {
        message: format!(
            "this `{open}` is never closed: close it on the same line, e.g. `tags: [db, release]`"
        ),
        offset: opened?,
    })
}

/// A quoted value left open runs on to the end of the block, where YAML reports it;
/// the author left out the quote that closes the one this value starts with. A quoted
/// value may go on over lines (valid YAML), so the one reported is the one still open
/// at the end; comments and `|`/`>` blocks hold no values.
fn unclosed_quote(content: &str, offset: usize) -> Option<Failure> {
    let mut open: Option<(u8, usize)> = None;
    // Inside a block scalar: lines indented more than its key are its text.
    let mut block: Option<usize> = None;
    let mut at = 0;
    for line in content.split_inclusive('\n') {
        if at > offset {
            break;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        let entry = text.trim_start();
        let indent = text.len() - entry.len();
        if let Some((quote, _)) = open {
            if closing(text.as_bytes(), quote).is_some() {
                open = None;
            }
        } else if block.is_some_and(|key| entry.is_empty() || indent > key) {
            // Text of the block scalar.
        } else if !entry.starts_with('#') {
            block = None;
            if let Some(value) = value_start(entry) {
                let rest = &entry[value..];
                match rest.as_bytes().first() {
                    Some(&q @ (b'"' | b'\'')) if closing(&rest.as_bytes()[1..], q).is_none() => {
                        open = Some((q, at + indent + value));
                    }
                    Some(b'|' | b'>') => block = Some(indent),
                    _ => {}
                }
            }
        }
        at += line.len();
    }
    let (quote, start) = open?;
    let quote = char::from(quote);
    Some(Failure {
        message: format!(
            "this `{quote}` is never closed: end the value with `{quote}` on the same line"
        ),
        offset: start,
    })
}

/// Where the value of a `key: value` line or a `- value` list entry starts.
fn value_start(entry: &str) -> Option<usize> {
    if let Some(item) = entry.strip_prefix("- ") {
        return Some(entry.len() - item.trim_start().len());
    }
    // A quoted key ends at its closing quote; the separator is after it.
    let key_end = match entry.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => 1 + closing(&entry.as_bytes()[1..], q)? + 1,
        _ => 0,
    };
    // `key:` then a space or a tab, both separators in YAML.
    let colon = key_end
        + entry[key_end..]
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| matches!(entry.as_bytes().get(key_end + i + 1), Some(b' ' | b'\t')))?;
    let value = &entry[colon + 1..];
    Some(colon + 1 + (value.len() - value.trim_start().len()))
}

/// Where the quote that closes a `quote`d value is in `text` (after its opening
/// quote): a backslash escapes in double quotes, and `''` is a quote in single ones.
fn closing(text: &[u8], quote: u8) -> Option<usize> {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && text.get(i + 1) == Some(&b'\'') => i += 1,
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where a top-level `key:` (or `key =`) line starts.
pub(crate) fn key_offset(content: &str, key: &str, separator: char) -> Option<usize> {
    let mut at = 0;
    for line in content.split_inclusive('\n') {
        let rest = line.strip_prefix(key).map(str::trim_start);
        if rest.is_some_and(|r| r.starts_with(separator)) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

/// serde_yaml appends " at line X column Y" relative to the block; we report our own.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_left_open_after_a_tab_is_found_at_the_quote() {
        // YAML takes a tab after `key:` as it takes a space.
        let parsed = crate::parse_str("t", "---\ntitle:\t\"Web\nowner: ops\n---\n\n- [ ] a\n");
        let error = parsed.errors().next().expect("an error");
        assert_eq!((error.line, error.column), (2, 8), "{error:?}");
        assert!(error.message.contains("is never closed"), "{error:?}");
    }

    #[test]
    fn an_unknown_key_is_found_on_its_own_line_not_in_a_value_above() {
        for src in [
            "---\ntitle: x\nx: 1\n---\n\n- [ ] a\n",
            "+++\ntitle = \"x\"\nx = 1\n+++\n\n- [ ] a\n",
        ] {
            let parsed = crate::parse_str("t", src);
            let warning = parsed
                .diagnostics
                .iter()
                .find(|d| d.code == crate::diagnostic::codes::UNKNOWN_FRONT_MATTER_KEY)
                .expect("a warning");
            assert_eq!(
                (warning.line, warning.column),
                (3, 1),
                "{src:?}: {warning:?}"
            );
        }
    }
}
