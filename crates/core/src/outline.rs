//! A compact, line-oriented rendering of a parse result. docs/format.md writes its
//! expected results in this form and the seed snapshots use it, because it shows what
//! the parser understood far more readably than the JSON does.

use std::fmt::Write as _;

use crate::model::{Block, Checklist, Field, FieldKind, Item, ItemKind, Section};
use crate::parse::Parsed;

pub fn outline(parsed: &Parsed) -> String {
    let mut out = String::new();
    if let Some(c) = &parsed.checklist {
        checklist(&mut out, c);
    }
    for d in &parsed.diagnostics {
        let _ = writeln!(
            out,
            "{}[{}] {}:{}: {}",
            d.severity, d.code, d.line, d.column, d.message
        );
    }
    out
}

fn checklist(out: &mut String, c: &Checklist) {
    let _ = writeln!(out, "checklist {} {:?}", c.id, c.title);
    for (key, value) in [
        ("version", &c.version),
        ("owner", &c.owner),
        ("description", &c.description),
        ("summary", &c.summary),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "  {key} {v:?}");
        }
    }
    if !c.tags.is_empty() {
        let _ = writeln!(out, "  tags {:?}", c.tags);
    }
    for m in &c.meta {
        let _ = writeln!(out, "  meta {:?} = {:?}", m.key, m.value);
    }
    blocks(out, c, &c.intro, &c.items, 1);
    for s in &c.sections {
        section(out, c, s, 1);
    }
}

fn section(out: &mut String, c: &Checklist, s: &Section, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}section {} {:?} h{} line {}",
        s.id, s.title, s.level, s.line
    );
    if !s.html.is_empty() {
        let _ = writeln!(out, "{pad}  heading {}", s.html);
    }
    blocks(out, c, &s.blocks, &s.items, depth + 1);
    for child in &s.sections {
        section(out, c, child, depth + 1);
    }
}

fn blocks(out: &mut String, c: &Checklist, blocks: &[Block], items: &[Item], depth: usize) {
    let pad = "  ".repeat(depth);
    for block in blocks {
        match block {
            Block::Html { html } => {
                let _ = writeln!(out, "{pad}html {}", html.trim_end().replace('\n', "⏎"));
            }
            Block::Code { lang, line, code } => {
                let _ = writeln!(
                    out,
                    "{pad}code {} line {line}, {} lines",
                    lang.as_deref().unwrap_or("-"),
                    code.lines().count()
                );
            }
            Block::Tasks { first, count, .. } => {
                for item in items.iter().skip(*first).take(*count) {
                    self::item(out, item, depth);
                }
            }
            Block::Fields { first, count } => {
                for f in c.fields.iter().skip(*first).take(*count) {
                    field(out, f, depth);
                }
            }
        }
    }
}

fn item(out: &mut String, item: &Item, depth: usize) {
    let pad = "  ".repeat(depth);
    let kind = match item.kind {
        ItemKind::Task => "task",
        ItemKind::Signoff => "signoff",
    };
    let mark = if item.checked { "[x]" } else { "[ ]" };
    let _ = write!(out, "{pad}{kind} {mark} {} {:?}", item.id, item.text);
    if let Some(role) = &item.role {
        let _ = write!(out, " role={role:?}");
    }
    if !item.required {
        out.push_str(" optional");
    }
    let _ = writeln!(out, " {}:{}", item.line, item.column);
    for f in &item.fields {
        field(out, f, depth + 1);
    }
    // Nested items where their `tasks` block stands among the details, as a page
    // shows them.
    let mut listed = false;
    for detail in &item.details {
        if let Block::Tasks { first, count, .. } = detail {
            listed = true;
            let end = first.saturating_add(*count).min(item.children.len());
            for child in item.children.get(*first..end).unwrap_or_default() {
                self::item(out, child, depth + 1);
            }
        } else {
            let _ = blocks_detail(out, std::slice::from_ref(detail), depth + 1);
        }
    }
    if !listed {
        for child in &item.children {
            self::item(out, child, depth + 1);
        }
    }
}

fn blocks_detail(out: &mut String, details: &[Block], depth: usize) -> std::fmt::Result {
    let pad = "  ".repeat(depth);
    for block in details {
        match block {
            Block::Html { html } => {
                writeln!(out, "{pad}detail {}", html.trim_end().replace('\n', "⏎"))?
            }
            Block::Code { lang, line, .. } => writeln!(
                out,
                "{pad}detail code {} line {line}",
                lang.as_deref().unwrap_or("-")
            )?,
            Block::Tasks { .. } | Block::Fields { .. } => {}
        }
    }
    Ok(())
}

fn field(out: &mut String, f: &Field, depth: usize) {
    let pad = "  ".repeat(depth);
    let kind = match f.kind {
        FieldKind::Name => "name",
        FieldKind::Date => "date",
        FieldKind::Text => "text",
        FieldKind::Notes => "notes",
    };
    let optional = if f.required { "" } else { " optional" };
    let _ = writeln!(
        out,
        "{pad}field {} {kind} {:?}{optional} {}:{}",
        f.id, f.label, f.line, f.column
    );
}
