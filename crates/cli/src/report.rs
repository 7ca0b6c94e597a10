//! Printing diagnostics the way rustc does: file:line:col, the source line, a label.

use checkdown_core::{Diagnostic, Severity, codes};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

use crate::source::Source;

/// Renders every diagnostic of a source as text.
/// Longest line, in bytes, that a diagnostic is drawn with its snippet for.
const MAX_SNIPPET_LINE: usize = 2_000;

pub fn render(source: &Source) -> String {
    // Indexing the file's lines costs a pass over it; most files have nothing to say.
    if source.parsed.diagnostics.is_empty() {
        return String::new();
    }
    let name = source.path.display().to_string();
    // Offsets count a byte order mark, but a column does not: the snippet is drawn
    // from the text after it, so line 1 is numbered as the JSON report numbers it.
    let bom = if source.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let text = &source.text[bom..];
    let file = SimpleFile::new(name.as_str(), text);
    let config = Config::default();
    let mut out = String::new();
    // No title and no items: most likely not a checklist at all (notes, a licence)
    // that happens to end in `.txt`. Say how to leave it out, not only how to fix it.
    let stray = [codes::MISSING_TITLE, codes::NO_ITEMS]
        .iter()
        .all(|code| source.parsed.diagnostics.iter().any(|d| d.code == *code));
    for d in &source.parsed.diagnostics {
        let mut shifted = d.clone();
        shifted.start = d.start.saturating_sub(bom);
        shifted.end = d.end.saturating_sub(bom);
        // A snippet prints the whole line: one diagnostic on a 100 KB line (minified
        // HTML pasted in, a generated table) would flood the terminal. Such a line gets
        // the one-line form, which still has the position.
        // In bytes: an offset need not fall on a character of the text as shown (a
        // byte that is not UTF-8 is shown as the three of U+FFFD).
        let bytes = text.as_bytes();
        let start = shifted.start.min(bytes.len());
        let end = shifted.end.clamp(start, bytes.len());
        let line_start = bytes[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[end..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| end + i);
        if line_end - line_start > MAX_SNIPPET_LINE {
            out.push_str(&format!("{name}:{d}\n"));
            if let Some(help) = &d.help {
                out.push_str(&format!("  = help: {help}\n"));
            }
            out.push('\n');
            continue;
        }
        let mut report = to_report(&shifted, text);
        if stray && d.code == codes::MISSING_TITLE {
            report.notes.push(
                "note: if this file is not a checklist, list it under `exclude` in the \
                 `[build]` table of checkdown.toml"
                    .to_owned(),
            );
        }
        if term::emit_to_string(&mut out, &config, &file, &report).is_err() {
            // The snippet could not be drawn; the one-line form still has the position.
            out.push_str(&format!("{name}:{d}\n"));
        }
    }
    out
}

fn to_report(d: &Diagnostic, text: &str) -> Report<()> {
    let report = match d.severity {
        Severity::Error => Report::error(),
        Severity::Warning => Report::warning(),
    };
    let start = floor_boundary(text, d.start);
    let end = floor_boundary(text, d.end.max(d.start)).max(start);
    let mut report = report
        .with_code(d.code.clone())
        .with_message(d.message.clone())
        .with_labels(vec![
            Label::primary((), start..end).with_message(d.label.clone()),
        ]);
    if let Some(help) = &d.help {
        report = report.with_notes(vec![format!("help: {help}")]);
    }
    report
}

/// The text shown may differ from the bytes (a lossily decoded file), so offsets are
/// clamped onto character boundaries rather than trusted.
fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Counts of errors and warnings across sources.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
}

impl Tally {
    pub fn add(&mut self, source: &Source) {
        for d in &source.parsed.diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
            }
        }
    }
}
