//! Writing a checklist back as Markdown that parses to the same items.
//!
//! This is what makes the explicit syntax round-trip: `{optional}` / `{required}` are
//! written where the text alone would say otherwise, and `{#id}` wherever an item's ID
//! would not come out the same from its text. Prose blocks are already rendered HTML in
//! the model and are left out; the structure (title, metadata, sections, items, fields,
//! code) is written in full.

use std::fmt::Write as _;

use crate::model::{Block, Checklist, Field, FieldKind, Item, ItemKind, Section};
use crate::parse::{is_conditional, is_signoff_heading, parse_str, underscore_runs};

pub fn to_markdown(checklist: &Checklist) -> String {
    // Headings first, one at a time in document order: pinning a section's ID also
    // gives its subsections and items the IDs they had, so most need no pin of their own.
    let mut sections: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let original_sections = checklist.all_sections();
    let none = |_: &Item| false;
    let mut text = write(
        checklist,
        &|s: &Section| sections.contains(s.id.as_str()),
        &none,
    );
    loop {
        let Some(reparsed) = parse_str(&checklist.id, &text).checklist else {
            return text;
        };
        let again = reparsed.all_sections();
        let first_wrong = original_sections
            .iter()
            .zip(again.iter())
            .find(|(a, b)| a.id != b.id)
            .map(|(a, _)| a.id.as_str());
        match first_wrong {
            Some(id) if !sections.contains(id) => {
                sections.insert(id);
                text = write(
                    checklist,
                    &|s: &Section| sections.contains(s.id.as_str()),
                    &none,
                );
            }
            _ => break,
        }
    }
    let pin_section = |s: &Section| sections.contains(s.id.as_str());
    // Then the item IDs a re-parse would not reproduce, in rounds: pinning an item
    // changes what its nested items' IDs come out as (`{#rb}` on Rollback makes its
    // Page `rb.page`), so a nested one that matched before may need its own pin now.
    let original = checklist.all_items();
    let mut pinned: std::collections::HashSet<&str> = std::collections::HashSet::new();
    // Each round pins at least one more item, and a round per level of nesting is the
    // most a checklist needs; the bound only guards against a loop.
    for _ in 0..=original.len() {
        let Some(reparsed) = parse_str(&checklist.id, &text).checklist else {
            return text;
        };
        let before = pinned.len();
        pinned.extend(
            original
                .iter()
                .zip(reparsed.all_items().iter())
                .filter(|(a, b)| a.id != b.id)
                .map(|(a, _)| a.id.as_str()),
        );
        if pinned.len() == before {
            break;
        }
        text = write(checklist, &pin_section, &|item: &Item| {
            pinned.contains(item.id.as_str())
        });
    }
    text
}

fn write(
    c: &Checklist,
    pin_section: &dyn Fn(&Section) -> bool,
    pin: &dyn Fn(&Item) -> bool,
) -> String {
    let mut out = String::new();
    let mut front = Vec::new();
    if let Some(v) = &c.version {
        front.push(format!("version: {}", yaml_str(v)));
    }
    if let Some(v) = &c.owner {
        front.push(format!("owner: {}", yaml_str(v)));
    }
    if let Some(v) = &c.description {
        front.push(format!("description: {}", yaml_str(v)));
    }
    if !c.tags.is_empty() {
        let tags: Vec<_> = c.tags.iter().map(|t| yaml_str(t)).collect();
        front.push(format!("tags: [{}]", tags.join(", ")));
    }
    if !front.is_empty() {
        let _ = writeln!(out, "---\n{}\n---", front.join("\n"));
    }
    let _ = writeln!(out, "# {}\n", c.title);
    for m in &c.meta {
        let _ = writeln!(out, "**{}**: {}", m.key, m.value);
    }
    if !c.meta.is_empty() {
        out.push('\n');
    }
    blocks(&mut out, c, &c.intro, &c.items, false, pin);
    for s in &c.sections {
        section(&mut out, c, s, false, pin_section, pin);
    }
    out
}

fn yaml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `signoffs`: whether the enclosing headings make items sign-offs.
fn section(
    out: &mut String,
    c: &Checklist,
    s: &Section,
    signoffs: bool,
    pin_section: &dyn Fn(&Section) -> bool,
    pin: &dyn Fn(&Item) -> bool,
) {
    let hashes = "#".repeat(usize::from(s.level));
    if pin_section(s) {
        let _ = writeln!(out, "{hashes} {} {{#{}}}\n", s.title, s.id);
    } else {
        let _ = writeln!(out, "{hashes} {}\n", s.title);
    }
    let signoffs = signoffs || is_signoff_heading(&s.title);
    blocks(out, c, &s.blocks, &s.items, signoffs, pin);
    for child in &s.sections {
        section(out, c, child, signoffs, pin_section, pin);
    }
}

fn blocks(
    out: &mut String,
    c: &Checklist,
    blocks: &[Block],
    items: &[Item],
    signoffs: bool,
    pin: &dyn Fn(&Item) -> bool,
) {
    for block in blocks {
        match block {
            Block::Html { .. } => {}
            Block::Code { lang, code, .. } => {
                let fence = if code.contains("```") { "~~~~" } else { "```" };
                let _ = writeln!(
                    out,
                    "{fence}{}\n{code}{fence}\n",
                    lang.as_deref().unwrap_or("")
                );
            }
            Block::Tasks {
                ordered,
                start,
                first,
                count,
            } => {
                let numbers = start.unwrap_or(1)..;
                for (n, it) in numbers.zip(items.iter().skip(*first).take(*count)) {
                    let marker = if *ordered {
                        format!("{n}.")
                    } else {
                        "-".to_owned()
                    };
                    item(out, it, &marker, 0, signoffs, pin);
                }
                out.push('\n');
            }
            Block::Fields { first, count } => {
                let fields = &c.fields[(*first).min(c.fields.len())..];
                let mut head: Option<&Field> = None;
                for f in fields.iter().take(*count) {
                    // A later blank of one line is named under the line's first
                    // (`Approved by: ____ Date: ____`): it goes back on that line.
                    let same_line = head.is_some_and(|h| {
                        f.id.strip_prefix(h.id.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                    });
                    if same_line && f.kind != FieldKind::Notes {
                        if out.ends_with('\n') {
                            out.pop();
                        }
                        let _ = writeln!(out, " {}: ______", f.label);
                        continue;
                    }
                    field(out, f);
                    head = Some(f);
                }
                out.push('\n');
            }
        }
    }
}

fn item(
    out: &mut String,
    it: &Item,
    marker: &str,
    depth: usize,
    signoffs: bool,
    pin: &dyn Fn(&Item) -> bool,
) {
    let pad = " ".repeat(depth);
    let mark = if it.checked { "x" } else { " " };
    let continuation = " ".repeat(depth + marker.len() + 1);
    let _ = write!(
        out,
        "{pad}{marker} [{mark}] {}",
        item_text(it, &continuation)
    );
    let mut attrs = Vec::new();
    if pin(it) {
        attrs.push(format!("#{}", it.id));
    }
    match (it.required, is_conditional(&it.text)) {
        (false, false) => attrs.push("optional".to_owned()),
        (true, true) => attrs.push("required".to_owned()),
        _ => {}
    }
    match (it.kind, signoffs) {
        (ItemKind::Task, true) => attrs.push("task".to_owned()),
        (ItemKind::Signoff, false) => attrs.push("signoff".to_owned()),
        _ => {}
    }
    if !attrs.is_empty() {
        let _ = write!(out, " {{{}}}", attrs.join(" "));
    }
    out.push('\n');
    let indent = depth + marker.len() + 1;
    for child in &it.children {
        item(out, child, "-", indent, signoffs, pin);
    }
}

fn field(out: &mut String, f: &Field) {
    match f.kind {
        FieldKind::Notes => {
            let _ = writeln!(out, "**{}**:\n{}", f.label, "_".repeat(40));
        }
        _ => {
            let _ = writeln!(out, "**{}**: ______", f.label);
        }
    }
}

/// Item text is plain; characters Markdown would read as markup are escaped so the
/// text comes back the same.
/// An item's text, escaped. A blank whose label is only the last words before it was
/// written on a line of its own (`- [ ] Backup taken` / `Backup ID: ____`): it starts
/// a new line again, so it reads back with the same label, as does a sign-off whose
/// role is only its first line's words.
fn item_text(it: &Item, continuation: &str) -> String {
    let trim = |c: char| c == ':' || c == '-' || c == ',' || c.is_whitespace();
    let text = mark_code_blanks(it);
    let parts: Vec<&str> = text.split("___").collect();
    // Each blank's field: a sign-off may have a name field the text has no blank for.
    let fields = match it.fields.len() + 1 {
        n if n == parts.len() => &it.fields[..],
        n if n == parts.len() + 1 && it.kind == ItemKind::Signoff => &it.fields[1..],
        _ => return escape_text(&text),
    };
    let mut out = String::with_capacity(it.text.len() + 16);
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            // Three between two letters (`TypeS___cript`) read back as a name, not a
            // blank: a fourth keeps it one.
            let joins = parts[n - 1]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && part.chars().next().is_some_and(char::is_alphanumeric);
            out.push_str(if joins { "____" } else { "___" });
        }
        // Where this stretch of text broke onto a new line.
        let mut breaks = Vec::new();
        if n == 0 && it.kind == ItemKind::Signoff {
            // The role is the first line's words without the punctuation around them.
            let role = it.role.as_deref().unwrap_or_default();
            let lead = part.len() - part.trim_start_matches(trim).len();
            let rest = part[lead..].strip_prefix(role).unwrap_or_default();
            // The line ended at the first space after the role (`QA Lead:` then the
            // next line), punctuation kept where it was.
            let space = rest.find(char::is_whitespace);
            if let Some(space) = space.filter(|&i| {
                !role.is_empty()
                    && rest[..i].chars().all(trim)
                    && !rest.trim_matches(trim).is_empty()
            }) {
                breaks.push(lead + role.len() + space);
            }
        }
        if let Some(field) = fields.get(n) {
            let words = part.trim_end_matches(trim);
            let label = field.label.as_str();
            if words.len() > label.len()
                && words.ends_with(label)
                && words[..words.len() - label.len()].ends_with(char::is_whitespace)
            {
                breaks.push(words.len() - label.len());
            }
        }
        breaks.sort_unstable();
        breaks.dedup();
        let mut from = 0;
        for at in breaks {
            let segment = &part[from..at];
            // Two breaks with nothing between them are one (an empty line would end
            // the item's paragraph).
            if from > 0 && segment.trim().is_empty() {
                continue;
            }
            let segment = if from == 0 {
                segment
            } else {
                segment.trim_start()
            };
            let segment = escape_text(segment.trim_end());
            out.push_str(&if from == 0 {
                segment
            } else {
                line_start(segment)
            });
            out.push('\n');
            out.push_str(continuation);
            from = at;
        }
        if from == 0 {
            out.push_str(&escape_text(part));
        } else {
            out.push_str(&line_start(escape_text(part[from..].trim_start())));
        }
    }
    out
}

/// Stands for each underscore that was code in the item (`` `make ___` ``), which is
/// no blank. Item text never holds a NUL: the parser reads one as U+FFFD.
const CODE_UNDERSCORE: char = '\0';

/// The item's text with each run of three or more underscores that stood in code
/// turned into as many [`CODE_UNDERSCORE`]s. Plain text keeps no backticks, so without
/// this they would be written back as blanks and read again as fields the item never
/// had. The item's HTML still has its code spans, and its runs of underscores match
/// the text's one for one.
fn mark_code_blanks(it: &Item) -> std::borrow::Cow<'_, str> {
    let html = it.html();
    if !html.contains("<code>") {
        return it.text.as_str().into();
    }
    let mut in_code = Vec::new();
    let (mut in_tag, mut code, mut run) = (false, false, 0);
    for (i, b) in html.bytes().enumerate() {
        if b == b'_' && !in_tag {
            run += 1;
            continue;
        }
        if run >= 3 {
            in_code.push(code);
        }
        run = 0;
        match b {
            b'<' => {
                in_tag = true;
                if html[i..].starts_with("<code>") {
                    code = true;
                } else if html[i..].starts_with("</code>") {
                    code = false;
                }
            }
            b'>' => in_tag = false,
            _ => {}
        }
    }
    if run >= 3 {
        in_code.push(code);
    }
    let runs: Vec<_> = underscore_runs(&it.text).collect();
    if runs.len() != in_code.len() || !in_code.contains(&true) {
        return it.text.as_str().into();
    }
    let mut out = String::with_capacity(it.text.len());
    let mut from = 0;
    for (run, code) in runs.into_iter().zip(in_code) {
        out.push_str(&it.text[from..run.start]);
        if code {
            out.extend(std::iter::repeat_n(CODE_UNDERSCORE, run.len()));
        } else {
            out.push_str(&it.text[run.clone()]);
        }
        from = run.end;
    }
    out.push_str(&it.text[from..]);
    out.into()
}

/// Escaped text that starts a line of its own: a `-`, `+` or `=` there, or a number
/// and `.`, would start a list or underline a heading.
fn line_start(escaped: String) -> String {
    let digits = escaped.len()
        - escaped
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    if escaped.starts_with(['-', '+', '=']) {
        format!("\\{escaped}")
    } else if digits > 0 && escaped[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &escaped[..digits], &escaped[digits..])
    } else {
        escaped
    }
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // Blanks stay blanks.
        if let Some(after) = rest.strip_prefix("___") {
            out.push_str("___");
            rest = after;
            continue;
        }
        let Some(ch) = rest.chars().next() else { break };
        if ch == CODE_UNDERSCORE {
            let n = rest.len() - rest.trim_start_matches(CODE_UNDERSCORE).len();
            out.push('`');
            out.extend(std::iter::repeat_n('_', n));
            out.push('`');
            rest = &rest[n..];
            continue;
        }
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '{' | '}' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}
