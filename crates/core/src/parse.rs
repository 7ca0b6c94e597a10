//! Markdown → [`Checklist`] plus [`Diagnostic`]s.
//!
//! The parser works on pulldown-cmark's event stream with source offsets. It collects
//! every event first and then walks the top-level blocks, so that each list, heading and
//! paragraph can be looked at whole (a list is only known to be a task list once its
//! items have been seen). docs/format.md is the specification; its examples run as tests.

use std::collections::HashMap;
use std::hash::BuildHasher as _;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::escape_html_body_text;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Severity, codes};
use crate::front_matter::{self, Found};
use crate::model::{Block, Checklist, Field, FieldKind, Item, ItemKind, MetaEntry, Section};
use crate::slug::{slugify, slugify_into};

/// The result of parsing one file: the model (absent only when the bytes are not text)
/// and every problem found.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub checklist: Option<Checklist>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Parses a file's bytes. `id` is the checklist ID unless front matter sets one.
pub fn parse(id: &str, bytes: &[u8]) -> Parsed {
    let scan = Scan::of(bytes);
    let sha = crate::evidence::hex(&scan.sha256);
    let src = match std::str::from_utf8(bytes) {
        Ok(src) => src,
        Err(err) => {
            let offset = err.valid_up_to();
            let valid = String::from_utf8_lossy(&bytes[..offset]);
            // Columns count from after a BOM, as every other diagnostic's do.
            let bom = if valid.starts_with('\u{feff}') { 3 } else { 0 };
            let valid = &valid[bom..];
            let (line, column) = LineIndex::new(valid).locate(valid, offset - bom);
            return Parsed {
                checklist: None,
                diagnostics: vec![Diagnostic {
                    severity: Severity::Error,
                    code: codes::INVALID_UTF8.into(),
                    message: format!("file is not valid UTF-8 (invalid byte at offset {offset})"),
                    line,
                    column,
                    start: offset,
                    end: offset + err.error_len().unwrap_or(1),
                    label: "this byte is not UTF-8".into(),
                    help: Some("save the file as UTF-8".into()),
                }],
            };
        }
    };
    // A BOM is invisible to authors; dropping it lets line 1 parse as a heading.
    let (src, bom) = match src.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (src, 0),
    };
    // CommonMark reads U+0000 as U+FFFD: a NUL in a page is a parse error that
    // browsers and other readers of the model handle each their own way.
    let (replaced, nuls) = if scan.nul {
        replace_nuls(src)
    } else {
        (None, Vec::new())
    };
    // A carriage return on its own ends a line (CommonMark; files from classic Mac
    // OS), but pulldown-cmark 0.13 with heading attributes on reads past one in a
    // heading, which then swallowed the whole file. A line feed in its place reads
    // the same, byte for byte at the same offsets.
    let replaced = match replaced {
        Some(text) if scan.cr => Some(lone_crs_as_lfs(&text).unwrap_or(text)),
        None if scan.cr => lone_crs_as_lfs(src),
        other => other,
    };
    let lines = match &replaced {
        // Each NUL became three bytes, a lone CR a line break: the lines start elsewhere.
        Some(text) => LineIndex::new(text),
        None => LineIndex::after_bom(scan.line_starts, bom),
    };
    let text = replaced.as_deref().unwrap_or(src);
    let build = |options: Options, lines: LineIndex| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut builder = Builder::new(text, bom, lines);
            builder.nuls = nuls.clone();
            let body = builder.front_matter();
            builder.run(&body, options);
            builder.finish(id, sha.clone())
        }))
    };
    // pulldown-cmark 0.13 panics on some heading attribute blocks in a quote or list
    // (a `{…}` line above a setext underline after a lazy line, pulldown-cmark #963's
    // kin). A file is never lost to that: it is read again without them, and says so.
    // A panic of this crate's own is no such thing, and goes on as it would have.
    let (checklist, diagnostics) = match build(options(), lines) {
        Ok(built) => built,
        Err(panic) if !library_fails(text, bom, options()) => std::panic::resume_unwind(panic),
        Err(_) => {
            let plain = options() - Options::ENABLE_HEADING_ATTRIBUTES;
            if library_fails(text, bom, plain) {
                return Parsed {
                    checklist: None,
                    diagnostics: vec![markdown_library_failed(Severity::Error)],
                };
            }
            match build(plain, LineIndex::new(text)) {
                Ok((checklist, mut diagnostics)) => {
                    diagnostics.insert(0, markdown_library_failed(Severity::Warning));
                    (checklist, diagnostics)
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    };
    Parsed {
        checklist: Some(checklist),
        diagnostics,
    }
}

/// Whether pulldown-cmark alone panics on the body of `text` with `options`.
fn library_fails(text: &str, bom: usize, options: Options) -> bool {
    let mut builder = Builder::new(text, bom, LineIndex::new(text));
    let body = builder.front_matter();
    std::panic::catch_unwind(|| {
        Parser::new_ext(&body, options)
            .into_offset_iter()
            .for_each(drop)
    })
    .is_err()
}

/// The Markdown library failed on the file: read without heading attributes (a
/// warning), or not at all (an error).
fn markdown_library_failed(severity: Severity) -> Diagnostic {
    let (code, message, help) = match severity {
        Severity::Warning => (
            codes::HEADING_ATTRIBUTES_IGNORED,
            "heading attribute blocks (`{#id}`) were not read in this file",
            "the Markdown library fails on this file when it reads them (a `{…}` line \
             just above a `---` or `===` underline in a quote or list); headings keep \
             the IDs their titles give. Moving that line, or a blank line above the \
             underline, makes it readable again",
        ),
        Severity::Error => (
            codes::MARKDOWN_LIBRARY_FAILED,
            "the Markdown library failed on this file",
            "this is a bug in pulldown-cmark, not in the file; please report it with the \
             file",
        ),
    };
    Diagnostic {
        severity,
        code: code.into(),
        message: message.into(),
        line: 1,
        column: 1,
        start: 0,
        end: 0,
        label: "this file".into(),
        help: Some(help.into()),
    }
}

/// Parses Markdown text; for callers that already hold a string.
pub fn parse_str(id: &str, src: &str) -> Parsed {
    parse(id, src.as_bytes())
}

/// What one pass over a file's bytes finds: its SHA-256, where its lines start, and
/// whether it holds a NUL.
struct Scan {
    sha256: [u8; 32],
    line_starts: Vec<usize>,
    nul: bool,
    /// A carriage return: maybe one of CRLF's, maybe a line ending of its own.
    cr: bool,
}

impl Scan {
    /// One pass, a hash block at a time, the lines of each block found right after
    /// hashing it: SHA-256's rounds are one long chain of dependent instructions that
    /// leaves most of the processor idle, and the line search fills that time. Found
    /// in a pass of its own, the lines cost about twice as much.
    fn of(bytes: &[u8]) -> Self {
        let mut sha = Sha256::new();
        // Lines average about 30 bytes in real checklists.
        let mut starts = Vec::with_capacity(bytes.len() / 24 + 1);
        starts.push(0);
        let (mut nul, mut cr) = (0, 0);
        let mut blocks = bytes.chunks_exact(64);
        let mut at = 0;
        for block in blocks.by_ref() {
            sha.update(block);
            for word in block.chunks_exact(8) {
                let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                nul |= lanes_equal(word, 0);
                cr |= lanes_equal(word, b'\r');
                push_breaks(&mut starts, at, lanes_equal(word, b'\n'));
                at += 8;
            }
        }
        let rest = blocks.remainder();
        sha.update(rest);
        for (i, &b) in rest.iter().enumerate() {
            if b == b'\n' {
                starts.push(at + i + 1);
            }
            nul |= u64::from(b == 0);
            cr |= u64::from(b == b'\r');
        }
        Self {
            sha256: sha.finalize().into(),
            line_starts: starts,
            nul: nul != 0,
            cr: cr != 0,
        }
    }
}

/// Adds the line that starts after each line break marked in `breaks` (the high bit
/// of each byte of the word at `at` that is one).
#[inline(always)]
fn push_breaks(starts: &mut Vec<usize>, at: usize, mut breaks: u64) {
    while breaks != 0 {
        starts.push(at + breaks.trailing_zeros() as usize / 8 + 1);
        breaks &= breaks - 1;
    }
}

/// `src` with each NUL replaced by U+FFFD, and where each replacement starts in the
/// new text, to map diagnostics back to the file's bytes. The caller knows there is
/// one (see [`Scan`]).
fn replace_nuls(src: &str) -> (Option<String>, Vec<usize>) {
    let mut out = String::with_capacity(src.len() + 16);
    let mut nuls = Vec::new();
    for (i, part) in src.split('\0').enumerate() {
        if i > 0 {
            nuls.push(out.len());
            out.push('\u{fffd}');
        }
        out.push_str(part);
    }
    (Some(out), nuls)
}

/// A checklist's text with its lines broken where [`parse`] breaks them: a carriage
/// return on its own is a line feed. Diagnostics' lines and columns count so, and a
/// snippet shown from this text shows the line they name.
pub fn lines_as_read(src: &str) -> std::borrow::Cow<'_, str> {
    lone_crs_as_lfs(src).map_or(std::borrow::Cow::Borrowed(src), std::borrow::Cow::Owned)
}

/// `src` with every carriage return not followed by a line feed made one; `None`
/// when there is none (CRLF files, nearly all that have a CR at all).
fn lone_crs_as_lfs(src: &str) -> Option<String> {
    let bytes = src.as_bytes();
    let lone = |&i: &usize| bytes.get(i + 1) != Some(&b'\n');
    memchr::memchr_iter(b'\r', bytes).find(lone)?;
    let mut out = bytes.to_vec();
    for i in memchr::memchr_iter(b'\r', bytes).filter(lone) {
        out[i] = b'\n';
    }
    // One ASCII byte for another.
    String::from_utf8(out).ok()
}

fn options() -> Options {
    Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
}

struct LineIndex {
    starts: Vec<usize>,
    /// The line found last: items are located in source order, so the next one is
    /// nearly always on this line or a few after it.
    hint: std::cell::Cell<usize>,
}

impl LineIndex {
    fn new(src: &str) -> Self {
        let bytes = src.as_bytes();
        // Lines average about 30 bytes in real checklists.
        let mut starts = Vec::with_capacity(bytes.len() / 24 + 1);
        starts.push(0);
        // Eight bytes at a time, each line break a bit: with a line every 30 bytes or
        // so, `memchr_iter`'s search per break cost twice as much.
        let mut words = bytes.chunks_exact(8);
        let mut at = 0;
        for word in words.by_ref() {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            push_breaks(&mut starts, at, lanes_equal(word, b'\n'));
            at += 8;
        }
        starts.extend(memchr::memchr_iter(b'\n', words.remainder()).map(|i| at + i + 1));
        Self::from_starts(starts)
    }

    fn from_starts(starts: Vec<usize>) -> Self {
        Self {
            starts,
            hint: std::cell::Cell::new(1),
        }
    }

    /// The index of a file's text after a byte order mark of `bom` bytes, from where
    /// the file's own lines start.
    fn after_bom(mut starts: Vec<usize>, bom: usize) -> Self {
        if bom > 0 {
            // The first line starts at 0 either way; the rest move back.
            for start in starts.iter_mut().skip(1) {
                *start = start.saturating_sub(bom);
            }
        }
        Self::from_starts(starts)
    }

    /// 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        let s = &self.starts;
        let mut line = self.hint.get();
        if line <= s.len() && s[line - 1] <= offset {
            for _ in 0..8 {
                if s.get(line).is_none_or(|&next| next > offset) {
                    self.hint.set(line);
                    return line;
                }
                line += 1;
            }
        }
        let line = s.partition_point(|&start| start <= offset).max(1);
        self.hint.set(line);
        line
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn locate(&self, src: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        let column = src.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }
}

/// Attributes an author may put at the end of an item: `{#id optional}`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Attrs {
    id: Option<String>,
    required: Option<bool>,
    /// `{task}` or `{signoff}`: overrides what the section's heading makes the item.
    kind: Option<ItemKind>,
}

/// A part of one Markdown list: plain entries stay content, task entries become items.
enum ListPart {
    Plain(String),
    Tasks {
        ordered: bool,
        start: Option<u64>,
        items: Vec<Item>,
    },
}

struct OpenSection {
    section: Section,
    signoff: bool,
}

type Events<'a> = [(Event<'a>, Range<usize>)];

struct Builder<'a> {
    src: &'a str,
    /// Bytes dropped from the front (a BOM); added back to diagnostic offsets.
    bom: usize,
    /// Where a NUL of the file became U+FFFD (two bytes longer) in `src`.
    nuls: Vec<usize>,
    /// How many task items enclose the list being read.
    depth: usize,
    lines: LineIndex,
    title: Option<String>,
    summary: Option<String>,
    fm: front_matter::FrontMatter,
    meta: Vec<MetaEntry>,
    fields: Vec<Field>,
    intro: Vec<Block>,
    items: Vec<Item>,
    stack: Vec<OpenSection>,
    done: Vec<Section>,
    /// Sections, items and fields share one ID space: all become anchors in one page.
    ids: IdSet,
    /// Where each explicit ID was given, to point at both places when one repeats.
    explicit: HashMap<String, Range<usize>>,
    /// The ID `unique` last had to number, as it was before: read right after.
    numbered: Option<String>,
    /// Items whose generated ID was taken, so numbered: (the ID taken, the item's ID,
    /// where the item is). Those told apart only by their order are warned of.
    renumbered: Vec<(String, String, Range<usize>)>,
    /// A link to a fragment (`#…`) was seen: only then are GitHub's heading anchors
    /// worked out (see `link_github_anchors`).
    fragment_links: bool,
    /// A footnote was seen: only then are they numbered (see `number_footnotes`).
    footnotes: bool,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, bom: usize, lines: LineIndex) -> Self {
        Self {
            src,
            bom,
            nuls: Vec::new(),
            depth: 0,
            lines,
            title: None,
            summary: None,
            fm: front_matter::FrontMatter::default(),
            meta: Vec::new(),
            fields: Vec::new(),
            intro: Vec::new(),
            items: Vec::new(),
            stack: Vec::new(),
            done: Vec::new(),
            ids: IdSet::for_source(src.len()),
            explicit: HashMap::new(),
            numbered: None,
            renumbered: Vec::new(),
            diagnostics: Vec::new(),
            fragment_links: false,
            footnotes: false,
        }
    }

    fn diag(
        &mut self,
        severity: Severity,
        code: &str,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        // On a character, whatever the caller worked out: a snippet is cut there.
        let mut start = span.start.min(self.src.len());
        while !self.src.is_char_boundary(start) {
            start -= 1;
        }
        let span = start..span.end.max(start);
        let (line, column) = self.lines.locate(self.src, span.start);
        // Labels point at one line; a span running on would underline the next one too.
        let line_end = self.src[span.start..]
            .find(['\n', '\r'])
            .map_or(self.src.len(), |i| span.start + i);
        let span = span.start..span.end.min(line_end).max(span.start);
        self.diagnostics.push(Diagnostic {
            severity,
            code: code.into(),
            message: message.into(),
            line,
            column,
            start: self.file_offset(span.start),
            end: self.file_offset(span.end.max(span.start)),
            label: label.into(),
            help,
        });
    }

    /// The byte offset in the file of an offset in `src`.
    fn file_offset(&self, offset: usize) -> usize {
        let before = self.nuls.partition_point(|&at| at < offset);
        offset + self.bom - 2 * before
    }

    /// Reads front matter and returns the Markdown body: the source with the front
    /// matter blanked out (same length, same newlines) so offsets and lines stay right.
    fn front_matter(&mut self) -> std::borrow::Cow<'a, str> {
        match front_matter::find(self.src) {
            Found::None => self.src.into(),
            Found::Unterminated { syntax, opener } => {
                let close = match syntax {
                    front_matter::Syntax::Yaml => "---",
                    front_matter::Syntax::Toml => "+++",
                };
                self.diag(
                    Severity::Error,
                    codes::UNTERMINATED_FRONT_MATTER,
                    opener,
                    "front matter is not closed",
                    "front matter starts here",
                    Some(format!("add a line with `{close}` after the last key")),
                );
                self.src.into()
            }
            Found::Block {
                syntax,
                content,
                block,
            } => {
                match front_matter::parse(syntax, &self.src[content.clone()]) {
                    Ok(fm) => {
                        let text = &self.src[content.clone()];
                        let separator = match syntax {
                            front_matter::Syntax::Yaml => ':',
                            front_matter::Syntax::Toml => '=',
                        };
                        for key in fm.other.keys() {
                            // The key's own line: its name may also stand in a value
                            // above it (`title: x` before `x: …`).
                            let at = front_matter::key_offset(text, key, separator)
                                .or_else(|| text.find(key.as_str()))
                                .map_or(content.start, |i| content.start + i);
                            self.diag(
                                Severity::Warning,
                                codes::UNKNOWN_FRONT_MATTER_KEY,
                                at..at + key.len(),
                                format!("unknown front matter key `{key}`"),
                                "not used by checkdown",
                                Some(
                                    // Short keys are two edits from too much.
                                    match front_matter::KNOWN_KEYS.iter().find(|k| {
                                        let d = strsim::damerau_levenshtein(&key.to_lowercase(), k);
                                        (key.len() >= 4 && d <= 2) || (key.len() == 3 && d <= 1)
                                    }) {
                                        Some(known) => format!("did you mean `{known}`?"),
                                        None => format!(
                                            "known keys: {}",
                                            front_matter::KNOWN_KEYS.join(", ")
                                        ),
                                    },
                                ),
                            );
                        }
                        self.fm = fm;
                    }
                    Err(failure) => {
                        let at = (content.start + failure.offset).min(content.end);
                        self.diag(
                            Severity::Error,
                            codes::INVALID_FRONT_MATTER,
                            at..at + 1,
                            format!("invalid front matter: {}", failure.message),
                            "here",
                            None,
                        );
                    }
                }
                let mut body = String::with_capacity(self.src.len());
                for ch in self.src[block.clone()].chars() {
                    if ch == '\n' || ch == '\r' {
                        body.push(ch);
                    } else {
                        body.extend(std::iter::repeat_n(' ', ch.len_utf8()));
                    }
                }
                body.push_str(&self.src[block.end..]);
                body.into()
            }
        }
    }

    /// Walks the body one top-level block at a time. Buffering a block rather than the
    /// whole file keeps the events hot in cache and the buffer's memory reused.
    fn run(&mut self, body: &str, options: Options) {
        let mut parser = Parser::new_ext(body, options).into_offset_iter();
        let mut events = Vec::with_capacity(256);
        let mut ends = Vec::with_capacity(256);
        let mut open = Vec::with_capacity(16);
        // The event read past a paragraph's rules, which starts the next block. One
        // slot by hand rather than `Peekable`, which would check its slot (and move
        // the event through it) for every event of the file.
        let mut pending = None;
        loop {
            events.clear();
            let Some(first) = pending.take().or_else(|| parser.next()) else {
                break;
            };
            let mut depth = usize::from(matches!(first.0, Event::Start(_)));
            let mut comment = false;
            self.footnotes |= matches!(first.0, Event::Start(Tag::FootnoteDefinition(_)));
            let paragraph = matches!(first.0, Event::Start(Tag::Paragraph));
            events.push(first);
            while depth > 0 {
                let Some(event) = parser.next() else {
                    break;
                };
                match &event.0 {
                    Event::Start(tag) => {
                        depth += 1;
                        if let Tag::Link { dest_url, .. } = tag {
                            self.fragment_links |= dest_url.starts_with('#');
                        }
                    }
                    Event::End(_) => depth -= 1,
                    Event::FootnoteReference(_) => self.footnotes = true,
                    Event::Html(html) => comment |= html.contains("<!--"),
                    _ => {}
                }
                events.push(event);
            }
            // A `**Notes**:` paragraph owns the lines of underscores after it, which
            // Markdown reads as rules; `paragraph` decides which of them it takes.
            if paragraph {
                for next in parser.by_ref() {
                    if matches!(next.0, Event::Rule) {
                        events.push(next);
                    } else {
                        pending = Some(next);
                        break;
                    }
                }
            }
            if comment {
                self.unclosed_comment_warning(&events);
            }
            matching_ends(&events, &mut ends, &mut open);
            let mut walker = Walker {
                events: &events,
                ends: &ends,
            };
            let mut pos = 0;
            while pos < events.len() {
                let end = ends[pos];
                pos = self.top_block(&mut walker, pos, end);
            }
        }
    }

    /// Handles one top-level block starting at `pos`; returns where the next one starts.
    fn top_block(&mut self, w: &mut Walker<'_, '_>, pos: usize, end: usize) -> usize {
        let events = w.events;
        match &events[pos].0 {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let level = heading_level(*level);
                let text = plain_text(&events[pos + 1..end]);
                let inline = &events[pos + 1..end];
                // Only a heading with markup keeps HTML of its own (see `Section::html`).
                let html = if inline.iter().all(|(e, _)| matches!(e, Event::Text(_))) {
                    String::new()
                } else {
                    render_inline(inline.iter().map(|(e, _)| e), true)
                };
                let span = events[pos].1.clone();
                if !classes.is_empty() || !attrs.is_empty() {
                    self.heading_attrs_warning(span.clone());
                }
                if id.is_none() {
                    self.heading_attrs_before_comment_warning(inline);
                }
                if level == 1
                    && self.title.is_none()
                    && self.stack.is_empty()
                    && self.done.is_empty()
                {
                    self.title = Some(text);
                } else {
                    let explicit = id.as_ref().map(|s| s.to_string());
                    self.open_section(level, text, span, explicit);
                    if let Some(open) = self.stack.last_mut() {
                        open.section.html = html;
                    }
                }
            }
            Event::Start(Tag::List(first)) => {
                let parts = self.list_parts(w, pos, end, *first, None);
                for part in parts {
                    self.push_part(part);
                }
            }
            Event::Start(Tag::Paragraph) => return self.paragraph(w, pos, end),
            Event::Start(Tag::BlockQuote(_)) if holds_tasks(events, pos, end) => {
                let parts = self.quote_parts(w, pos, end, None);
                for part in parts {
                    self.push_part(part);
                }
            }
            _ => {
                self.unclosed_fence_warning(events, pos);
                self.indented_tasks_warning(events, pos, end);
                self.blank_in_content_warning(events, pos, end);
                let block = content_block(events, pos, end, self.src, &self.lines);
                self.push_block(block);
            }
        }
        end + 1
    }

    fn skip_whitespace(&self, offset: usize) -> usize {
        let rest = self.src.get(offset..).unwrap_or("");
        offset + (rest.len() - rest.trim_start().len())
    }

    fn in_intro(&self) -> bool {
        self.stack.is_empty() && self.done.is_empty()
    }

    /// In the intro, once there is a title: a heading, or front matter's `title`
    /// (which stands where the heading would). Text above the title (a badge line, say)
    /// is neither metadata nor the summary.
    fn after_title(&self) -> bool {
        self.in_intro() && (self.title.is_some() || self.fm.title.is_some())
    }

    fn in_signoff(&self) -> bool {
        self.stack.last().is_some_and(|s| s.signoff)
    }

    fn container(&mut self) -> (&mut Vec<Block>, &mut Vec<Item>) {
        match self.stack.last_mut() {
            Some(open) => (&mut open.section.blocks, &mut open.section.items),
            None => (&mut self.intro, &mut self.items),
        }
    }

    fn push_block(&mut self, block: Block) {
        // An HTML block that was all comment shows nothing; it leaves nothing either.
        if matches!(&block, Block::Html { html } if html.trim().is_empty()) {
            return;
        }
        let (blocks, _) = self.container();
        // Adjacent rendered content is merged so the model stays small.
        if let (Some(Block::Html { html: prev }), Block::Html { html }) =
            (blocks.last_mut(), &block)
        {
            prev.push_str(html);
            return;
        }
        blocks.push(block);
    }

    fn push_part(&mut self, part: ListPart) {
        match part {
            ListPart::Plain(html) => self.push_block(Block::Html { html }),
            ListPart::Tasks {
                ordered,
                start,
                items,
            } => {
                let (blocks, all) = self.container();
                let first = all.len();
                let count = items.len();
                if all.is_empty() {
                    *all = items;
                } else {
                    all.extend(items);
                }
                if count > 0 {
                    blocks.push(Block::Tasks {
                        ordered,
                        start,
                        first,
                        count,
                    });
                }
            }
        }
    }

    fn push_fields(&mut self, fields: Vec<Field>) {
        if fields.is_empty() {
            return;
        }
        let first = self.fields.len();
        let count = fields.len();
        self.fields.extend(fields);
        self.push_block(Block::Fields { first, count });
    }

    fn open_section(
        &mut self,
        level: u8,
        title: String,
        span: Range<usize>,
        explicit: Option<String>,
    ) {
        while self.stack.last().is_some_and(|s| s.section.level >= level) {
            self.close_section();
        }
        let id = match explicit {
            Some(id) => self.claim_explicit(id, span.clone()),
            None => {
                let parent = self.stack.last().map(|s| s.section.id.as_str());
                let base = base_id(parent, &title, "section");
                // Nearly always free: only then are the items before it searched.
                let item_has_it =
                    self.ids.contains(&base) && self.container().1.iter().any(|i| i.id == base);
                let id = self.unique(base.clone(), title.len() > crate::slug::MAX_SLUG_LEN);
                if item_has_it {
                    let pinned = format!("{} {title} {{#{id}}}", "#".repeat(usize::from(level)));
                    self.section_after_item_warning(&base, &id, &pinned, span.clone());
                }
                id
            }
        };
        let signoff = self.in_signoff() || is_signoff_heading(&title);
        let (line, _) = self.lines.locate(self.src, span.start);
        self.stack.push(OpenSection {
            section: Section {
                id,
                title,
                html: String::new(),
                level,
                line,
                items: Vec::new(),
                blocks: Vec::new(),
                sections: Vec::new(),
            },
            signoff,
        });
    }

    /// A section numbered because an item before it, under the same parent, has the
    /// ID its title makes (`- [ ] Rollback` above `## Rollback`): adding, removing or
    /// rewording that one item would renumber the section and every ID in it, and
    /// their saved progress would no longer match. Pinning keeps them where they are.
    fn section_after_item_warning(
        &mut self,
        base: &str,
        id: &str,
        pinned: &str,
        heading: Range<usize>,
    ) {
        self.diag(
            Severity::Warning,
            codes::SECTION_ID_AFTER_ITEM,
            heading,
            format!("section ID `{id}` depends on an item before it, which has `{base}`"),
            "numbered because an item took its ID",
            Some(format!(
                "adding, removing or rewording that item would change every ID in this \
                 section; pin the section where it is: `{pinned}`"
            )),
        );
    }

    fn close_section(&mut self) -> bool {
        let Some(open) = self.stack.pop() else {
            return false;
        };
        match self.stack.last_mut() {
            Some(parent) => parent.section.sections.push(open.section),
            None => self.done.push(open.section),
        }
        true
    }

    /// `parent.slug` (or `parent.fallback` when the text has no letters), numbered when
    /// taken. Position never enters, so inserting an item elsewhere leaves every other
    /// ID alone.
    fn generated_id(&mut self, parent: Option<&str>, text: &str, fallback: &str) -> String {
        let base = base_id(parent, text, fallback);
        self.unique(base, false)
    }

    /// The ID of an item or section under the innermost open section (or `parent_item`).
    fn child_id(&mut self, parent_item: Option<&str>, text: &str, fallback: &str) -> String {
        let parent = parent_item.or_else(|| self.stack.last().map(|s| s.section.id.as_str()));
        let base = base_id(parent, text, fallback);
        // Only a text longer than the slug keeps can share its ID with a different
        // one; a shorter one numbered repeats an earlier text, which is no surprise.
        self.unique(base, text.len() > crate::slug::MAX_SLUG_LEN)
    }

    /// `base`, numbered when taken. `cut`: the text was longer than its slug keeps, so
    /// a number here may stand for another text (see `order_dependent_ids_warning`).
    fn unique(&mut self, base: String, cut: bool) -> String {
        if self.ids.insert(&base) {
            return base;
        }
        // Read (and taken) by the item this ID is for; a section's is never an item's,
        // so one left here names no item and is passed over at the end.
        if cut {
            self.numbered = Some(base.clone());
        }
        self.ids.numbered(&base)
    }

    fn claim_explicit(&mut self, id: String, span: Range<usize>) -> String {
        // `{#étape}` saved with the accent as a separate mark (U+0301, not a letter)
        // is the same ID as typed with `é`, as generated IDs are (see `slug`).
        let id = if id.is_ascii() {
            id
        } else {
            unicode_normalization::UnicodeNormalization::nfc(id.as_str()).collect()
        };
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            self.diag(
                Severity::Error,
                codes::INVALID_ID,
                span,
                format!("invalid explicit ID `{id}`"),
                "this ID",
                Some("IDs may use letters, digits, `-`, `_` and `.`".into()),
            );
            return self.generated_id(None, &id, "item");
        }
        if let Some(first) = self.explicit.get(&id).cloned() {
            let (line, column) = self.lines.locate(self.src, first.start);
            self.diag(
                Severity::Error,
                codes::DUPLICATE_ID,
                span,
                format!("duplicate ID `{id}`"),
                format!("`{id}` was already used at {line}:{column}"),
                Some("explicit IDs must be unique within a checklist".into()),
            );
            return self.unique(id, false);
        }
        self.explicit.insert(id.clone(), span.clone());
        if !self.ids.insert(&id) {
            self.diag(
                Severity::Error,
                codes::DUPLICATE_ID,
                span,
                format!("duplicate ID `{id}`"),
                "a generated ID already has this value",
                Some("choose another explicit ID".into()),
            );
            // Reported; still hand out a distinct ID so nothing downstream collides.
            return self.unique(id, false);
        }
        id
    }

    /// A paragraph: metadata, run-level fields, a notes area, or plain content. Its
    /// lines are read one by one, so a line of prose among field lines stays prose
    /// where it was written, and the fields around it stay fields.
    fn paragraph(&mut self, w: &mut Walker<'_, '_>, pos: usize, end: usize) -> usize {
        let events = w.events;
        self.dashless_box_warning(events[pos].1.clone());
        let inner = &events[pos + 1..end];
        let lines = key_lines(inner);
        // Metadata only from a paragraph of nothing but `Key: value` lines, so prose
        // that happens to start with a bold word is never swallowed. A blank is a field
        // wherever it is.
        let all_keys = lines.iter().all(|(_, key)| key.is_some());
        let has_blank_line = lines.iter().any(|(range, key)| {
            key.as_ref().is_some_and(|k| is_blank(&k.value)) || blank_line(&inner[range.clone()])
        });
        if !all_keys && !has_blank_line {
            if self.summary.is_none() && self.after_title() {
                self.summary = Some(plain_text(inner)).filter(|t| !t.is_empty());
            }
            let block = content_block(events, pos, end, self.src, &self.lines);
            self.push_block(block);
            return end + 1;
        }

        // `**Notes**:` followed by lines of underscores (which Markdown reads as rules),
        // on its own or as the last of a paragraph's lines (`**Start Date**: ___` just
        // above it, with no blank line between).
        let mut rules = 0;
        if let Some((_, Some(last))) = lines.last() {
            if last.value.is_empty() {
                while let Some((Event::Rule, range)) = events.get(end + 1 + rules) {
                    if !self.src[range.clone()].trim_start().starts_with('_') {
                        break;
                    }
                    rules += 1;
                }
            }
        }
        let (lines, notes) = match lines.split_last() {
            Some(((_, Some(last)), rest)) if rules > 0 => (rest, Some(last)),
            _ => (lines.as_slice(), None),
        };
        if let ([(_, Some(line))], None) = (lines, notes) {
            if line.value.is_empty() {
                let block = content_block(events, pos, end, self.src, &self.lines);
                self.push_block(block);
                return end + 1;
            }
        }

        let intro = self.after_title();
        let mut fields = Vec::new();
        let mut kept: Vec<Range<usize>> = Vec::new();
        for (range, key) in lines {
            match key {
                Some(line) if is_blank(&line.value) => {
                    self.flush_kept(inner, &mut kept);
                    let kind = field_kind(&line.label);
                    fields.push(self.run_field(None, &line.label, kind, line.span.clone()));
                }
                Some(line)
                    if intro
                        && all_keys
                        && line.bold
                        && !line.value.is_empty()
                        && !has_blank(&line.value) =>
                {
                    self.meta.push(MetaEntry {
                        key: line.label.clone(),
                        value: line.value.clone(),
                    });
                }
                _ if blank_line(&inner[range.clone()]) => {
                    self.flush_kept(inner, &mut kept);
                    fields.extend(self.blank_line_fields(&inner[range.clone()]));
                }
                _ => {
                    self.push_fields(std::mem::take(&mut fields));
                    kept.push(range.clone());
                }
            }
        }
        self.flush_kept(inner, &mut kept);
        if let Some(line) = notes {
            fields.push(self.run_field(None, &line.label, FieldKind::Notes, line.span.clone()));
        }
        self.push_fields(fields);
        end + 1 + rules
    }

    /// Lines that are neither metadata nor blanks stay visible as written, in one
    /// paragraph per run of them.
    fn flush_kept(&mut self, inner: &Events<'_>, kept: &mut Vec<Range<usize>>) {
        if kept.is_empty() {
            return;
        }
        let mut html = String::from("<p>");
        for (i, line) in kept.drain(..).enumerate() {
            if i > 0 {
                html.push_str("<br>\n");
            }
            html.push_str(&render_inline(inner[line].iter().map(|(e, _)| e), true));
        }
        html.push_str("</p>\n");
        self.push_block(Block::Html { html });
    }

    /// The fields of a line with blanks that is not a single `Label: ____`: each blank
    /// is labelled by the words before it, and a line's later blanks are named under
    /// its first (`Approved by: ____ Date: ____` gives `field.approved-by` and
    /// `field.approved-by.date`). Words after the last blank finish its label, so none
    /// of the line is lost.
    fn blank_line_fields(&mut self, line: &Events<'_>) -> Vec<Field> {
        let raw = raw_text(line.iter().map(|(e, _)| e));
        let code = code_ranges(line.iter().map(|(e, _)| e));
        let blanks = split_blanks(&raw, &[], true, true, &code);
        let tail = blank_runs(&raw, &code)
            .last()
            .map_or("", |r| raw[r.end..].trim());
        let span = line.first().map_or(0, |(_, r)| r.start)..line.last().map_or(0, |(_, r)| r.end);
        let count = blanks.labels.len();
        let mut fields: Vec<Field> = Vec::with_capacity(count);
        for (i, label) in blanks.labels.into_iter().enumerate() {
            let mut label = label;
            if i + 1 == count && !tail.is_empty() {
                label = clean_label(&format!("{label} {tail}"));
            }
            if label.is_empty() {
                label = "Value".to_owned();
            }
            let kind = field_kind(&label);
            let parent = fields.first().map(|f| f.id.clone());
            fields.push(self.run_field(parent.as_deref(), &label, kind, span.clone()));
        }
        fields
    }

    /// A run-level field, named `field.<label>`, or under `parent` (a field of the same
    /// line).
    fn run_field(
        &mut self,
        parent: Option<&str>,
        label: &str,
        kind: FieldKind,
        span: Range<usize>,
    ) -> Field {
        let id = self.generated_id(Some(parent.unwrap_or("field")), label, "field");
        let (line, column) = self.lines.locate(self.src, span.start);
        Field {
            id,
            required: kind != FieldKind::Notes && !is_conditional(label),
            label: label.to_owned(),
            kind,
            line,
            column,
        }
    }

    /// Splits one Markdown list into task parts and plain parts, keeping order.
    fn list_parts(
        &mut self,
        w: &mut Walker<'_, '_>,
        start: usize,
        end: usize,
        first: Option<u64>,
        parent_item: Option<&str>,
    ) -> Vec<ListPart> {
        let events = w.events;
        let mut parts = Vec::new();
        let mut plain: Vec<Range<usize>> = Vec::new();
        // Items are large; sizing for the whole list saves regrowing and copying them.
        let mut entries = 0;
        let mut at = start + 1;
        while at < end {
            entries += 1;
            at = w.ends[at] + 1;
        }
        let mut tasks: Vec<Item> = Vec::with_capacity(entries);
        let mut run_start = 0u64;
        let mut index = 0u64;
        let mut pos = start + 1;
        let flush_tasks = |tasks: &mut Vec<Item>, parts: &mut Vec<ListPart>, run_start: u64| {
            if !tasks.is_empty() {
                parts.push(ListPart::Tasks {
                    ordered: first.is_some(),
                    start: first.map(|n| n + run_start),
                    items: std::mem::take(tasks),
                });
            }
        };
        while pos < end {
            let item_end = w.ends[pos];
            let marker = task_marker(events, pos);
            if marker.is_none() && self.empty_task_lookalike(events, pos, item_end) {
                // `- [ ]` with nothing after it is not a task in Markdown; say so.
            } else if let Some(marker) = marker {
                if !plain.is_empty() {
                    parts.push(ListPart::Plain(plain_list(
                        events,
                        &plain,
                        first.map(|n| n + run_start),
                    )));
                    plain.clear();
                }
                if tasks.is_empty() {
                    run_start = index;
                }
                if let Some(item) = self.task_item(w, pos, item_end, marker, parent_item) {
                    tasks.push(item);
                }
            } else {
                // Only an entry whose text opens with a bracket can be one; most are not.
                let bracket = events[pos + 1..item_end]
                    .iter()
                    .find(|(e, _)| !matches!(e, Event::Start(Tag::Paragraph)))
                    .is_some_and(|(e, _)| matches!(e, Event::Text(t) if t.starts_with('[')));
                if bracket {
                    self.box_lookalike_warning(events[pos].1.clone());
                }
                flush_tasks(&mut tasks, &mut parts, run_start);
                if plain.is_empty() {
                    run_start = index;
                }
                let nested = task_blocks_in(w, pos, item_end);
                if !nested.is_empty() && self.depth + 1 >= MAX_NESTING {
                    self.too_deep_error(events[pos].1.clone());
                }
                if nested.is_empty() || self.depth + 1 >= MAX_NESTING {
                    self.blank_in_content_warning(events, pos, item_end);
                    plain.push(pos..item_end + 1);
                } else {
                    // A plain bullet with task items under it ("- Primary database" /
                    // "  - [ ] Take a snapshot") groups them: they are items all the
                    // same, named under the bullet's words as under a heading's. The
                    // bullet keeps what it says before them; what it says between and
                    // after them follows in its place.
                    let (first_block, _) = nested[0];
                    self.blank_in_content_warning(events, pos, first_block - 1);
                    plain.push(pos..first_block);
                    plain.push(item_end..item_end + 1);
                    // Marked, so the page can set its items under it.
                    let list = plain_list(events, &plain, first.map(|n| n + run_start));
                    let tag = if first.is_some() { "<ol" } else { "<ul" };
                    let marked = list.replacen(tag, &format!("{tag} class=\"group\""), 1);
                    parts.push(ListPart::Plain(marked));
                    plain.clear();
                    let group = self.group_id(parent_item, events, pos, item_end);
                    self.depth += 1;
                    let mut from = first_block;
                    for (block, block_end) in nested {
                        parts.extend(self.between(events, from, block));
                        parts.extend(self.task_block_parts(w, block, block_end, Some(&group)));
                        from = block_end + 1;
                    }
                    parts.extend(self.between(events, from, item_end));
                    self.depth -= 1;
                }
            }
            index += 1;
            pos = item_end + 1;
        }
        flush_tasks(&mut tasks, &mut parts, run_start);
        if !plain.is_empty() {
            parts.push(ListPart::Plain(plain_list(
                events,
                &plain,
                first.map(|n| n + run_start),
            )));
        }
        parts
    }

    /// An HTML comment never closed runs to the end of the file (or of the list item
    /// or quote it is in), hiding all of it: what looks like items there is not read
    /// as items. The block is shown as written; this says why.
    fn unclosed_comment_warning(&mut self, events: &Events<'_>) {
        let mut in_comment = false;
        let mut opened = None;
        for (event, range) in events {
            let Event::Html(html) = event else { continue };
            let was_open = in_comment;
            without_comments(html, &mut in_comment);
            if in_comment && !was_open {
                // Found in the file, not in the event's text: in a list or quote the
                // two differ (tabs, markers), and an offset must fall on the file.
                let at = self.src.get(range.clone()).and_then(|t| t.rfind("<!--"));
                opened = Some(at.map_or(range.start, |at| range.start + at));
            }
        }
        let Some(at) = opened.filter(|_| in_comment) else {
            return;
        };
        self.diag(
            Severity::Warning,
            codes::UNCLOSED_COMMENT,
            at..at + 4,
            "HTML comment is never closed",
            "opened here",
            Some(
                "close it with `-->`: until then all that follows is inside it, so it is \
                 shown as written and its task items are no items"
                    .into(),
            ),
        );
    }

    /// The items of a list or quote that holds task items (see [`task_blocks_in`]),
    /// as parts of the list or item it is in.
    fn task_block_parts(
        &mut self,
        w: &mut Walker<'_, '_>,
        start: usize,
        end: usize,
        parent_item: Option<&str>,
    ) -> Vec<ListPart> {
        match w.events[start].0 {
            Event::Start(Tag::List(first)) => self.list_parts(w, start, end, first, parent_item),
            _ => self.quote_parts(w, start, end, parent_item),
        }
    }

    /// A quote with task items in it: they are items like any other, and what else
    /// it says stays quoted around them.
    fn quote_parts(
        &mut self,
        w: &mut Walker<'_, '_>,
        start: usize,
        end: usize,
        parent_item: Option<&str>,
    ) -> Vec<ListPart> {
        let events = w.events;
        let kind = match &events[start].0 {
            Event::Start(Tag::BlockQuote(kind)) => *kind,
            _ => None,
        };
        let quote = |quoted: &[Range<usize>]| {
            let inner = quoted
                .iter()
                .flat_map(|r| events[r.clone()].iter().map(|(e, _)| e.clone()));
            ListPart::Plain(quoted_html(&render_html(inner), kind))
        };
        let mut parts = Vec::new();
        let mut quoted: Vec<Range<usize>> = Vec::new();
        let blocks = task_blocks_in(w, start, end);
        let mut at = start + 1;
        while at < end {
            let block_end = w.ends[at];
            if blocks.contains(&(at, block_end)) && self.depth + 1 < MAX_NESTING {
                if !quoted.is_empty() {
                    parts.push(quote(&quoted));
                    quoted.clear();
                }
                self.depth += 1;
                let inner = self.task_block_parts(w, at, block_end, parent_item);
                self.depth -= 1;
                // What the list says besides its items (plain bullets, a grouping
                // bullet's words) is still the quote's.
                parts.extend(inner.into_iter().map(|part| match part {
                    ListPart::Plain(html) => ListPart::Plain(quoted_html(&html, kind)),
                    tasks => tasks,
                }));
            } else {
                if blocks.contains(&(at, block_end)) {
                    self.too_deep_error(events[at].1.clone());
                }
                self.blank_in_content_warning(events, at, block_end);
                quoted.push(at..block_end + 1);
            }
            at = block_end + 1;
        }
        if !quoted.is_empty() {
            parts.push(quote(&quoted));
        }
        parts
    }

    /// What a grouping bullet says between (or after) the lists of items it holds,
    /// shown in its place.
    fn between(&mut self, events: &Events<'_>, from: usize, to: usize) -> Option<ListPart> {
        if from >= to {
            return None;
        }
        self.blank_in_content_warning(events, from, to - 1);
        let html = render_html(events[from..to].iter().map(|(e, _)| e.clone()));
        (!html.trim().is_empty()).then_some(ListPart::Plain(html))
    }

    /// What the items grouped under a plain bullet are named under: the bullet's own
    /// words, under the item or section the bullet is in. No item has this ID; only
    /// the items' IDs start with it, as under a heading of those words.
    fn group_id(
        &self,
        parent_item: Option<&str>,
        events: &Events<'_>,
        entry: usize,
        end: usize,
    ) -> String {
        let own_end = events[entry + 1..end]
            .iter()
            .position(|(e, _)| matches!(e, Event::Start(tag) if is_block(tag) && !matches!(tag, Tag::Paragraph)))
            .map_or(end, |i| entry + 1 + i);
        let text = plain_text(&events[entry + 1..own_end]);
        let parent = parent_item.or_else(|| self.stack.last().map(|s| s.section.id.as_str()));
        base_id(parent, &text, "group")
    }

    /// A list entry that reads `[ ]` or `[x]` and nothing else: an empty task.
    fn empty_task_lookalike(&mut self, events: &Events<'_>, start: usize, end: usize) -> bool {
        let text = plain_text(&events[start + 1..end]);
        let empty = matches!(text.as_str(), "[ ]" | "[x]" | "[X]" | "[]");
        if empty {
            let span = events[start].1.start..events[start].1.start + 1;
            self.empty_item_warning(span);
        }
        empty
    }

    /// A plain list entry that starts like a task box but is not one (`[]`, `[ x]`):
    /// Markdown makes it a bullet, and the author loses a checkbox without noticing.
    fn box_lookalike_warning(&mut self, entry: Range<usize>) {
        let Some(at) = box_lookalike(self.src, entry.start) else {
            return;
        };
        let written = self.src[at.clone()].to_owned();
        let help = if written.ends_with(']') {
            "write `[ ]` (one space) or `[x]` to make it a task"
        } else {
            "put a space between the box and the text to make it a task"
        };
        self.diag(
            Severity::Warning,
            codes::BOX_LOOKALIKE,
            at,
            format!("`{written}` is not a task box"),
            "this entry is a plain bullet, with no checkbox",
            Some(help.into()),
        );
    }

    /// `-[ ] Deploy`, with no space after the dash, is a line of text to Markdown: the
    /// task is lost from the checklist without a sound.
    fn dashless_box_warning(&mut self, paragraph: Range<usize>) {
        let text = &self.src[paragraph.clone()];
        if !text.contains('[') {
            return;
        }
        let mut found = Vec::new();
        let mut offset = paragraph.start;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let boxed = trimmed
                .strip_prefix(['-', '*', '+'])
                .is_some_and(|rest| ["[ ]", "[x]", "[X]"].iter().any(|b| rest.starts_with(b)));
            if boxed {
                let at = offset + (line.len() - trimmed.len());
                found.push(at..at + 4);
            }
            offset += line.len();
        }
        for at in found {
            let written = self.src[at.clone()].to_owned();
            self.diag(
                Severity::Warning,
                codes::BOX_LOOKALIKE,
                at,
                format!("`{written}` is not a list item"),
                "this line is text, with no checkbox",
                Some("put a space after the list marker: `- [ ] …`".into()),
            );
        }
    }

    /// A fenced code block with no closing fence runs to the end of the file, taking
    /// every item after it along as code.
    fn unclosed_fence_warning(&mut self, events: &Events<'_>, pos: usize) {
        let (Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))), range) = &events[pos] else {
            return;
        };
        let text = &self.src[range.clone()];
        let opener = text.trim_start();
        let fence_char = opener.chars().next().unwrap_or('`');
        let fence_len = opener.chars().take_while(|&c| c == fence_char).count();
        let body = text.find('\n').map_or("", |i| &text[i + 1..]);
        // A closing fence is the block's last line: one of the opener's character,
        // at least as long.
        let last = body.trim_end().rsplit('\n').next().unwrap_or("").trim();
        if last.len() >= fence_len && last.bytes().all(|c| char::from(c) == fence_char) {
            return;
        }
        let start = range.start + (text.len() - opener.len());
        let tasks = body
            .lines()
            .filter(|l| box_lookalike_or_box(l.trim_start()))
            .count();
        self.diag(
            Severity::Warning,
            codes::UNCLOSED_CODE_BLOCK,
            start..start + fence_len,
            "code block is never closed",
            if tasks > 0 {
                let lines = if tasks == 1 { "line" } else { "lines" };
                format!("everything after this is code, {tasks} task {lines} included")
            } else {
                "everything after this is code".to_owned()
            },
            Some(format!(
                "close it with a line of {}",
                fence_char.to_string().repeat(fence_len)
            )),
        );
    }

    /// Lines indented four spaces or a tab after a blank line are a code block to
    /// Markdown: task lines written that way (a tab-indented `- [ ] …` under a list
    /// that a blank line ended) show as code, with no checkbox, and are no items.
    fn indented_tasks_warning(&mut self, events: &Events<'_>, pos: usize, end: usize) {
        let (Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)), _) = &events[pos] else {
            return;
        };
        let lines: Vec<Range<usize>> = events[pos + 1..end]
            .iter()
            .filter(|(e, r)| {
                matches!(e, Event::Text(_))
                    && self
                        .src
                        .get(r.clone())
                        .is_some_and(|t| t.lines().any(|l| box_lookalike_or_box(l.trim_start())))
            })
            .map(|(_, r)| r.clone())
            .collect();
        let Some(first) = lines.first() else {
            return;
        };
        // The text event may hold several lines: point at the first task line's start.
        let text = &self.src[first.clone()];
        let mut at = first.start;
        for line in text.split_inclusive('\n') {
            if box_lookalike_or_box(line.trim_start()) {
                at += line.len() - line.trim_start().len();
                break;
            }
            at += line.len();
        }
        let tasks = lines
            .iter()
            .map(|r| {
                self.src[r.clone()]
                    .lines()
                    .filter(|l| box_lookalike_or_box(l.trim_start()))
                    .count()
            })
            .sum::<usize>();
        let end_of_line = self.src[at..].find('\n').map_or(self.src.len(), |i| at + i);
        self.diag(
            Severity::Warning,
            codes::INDENTED_TASKS,
            at..end_of_line.max(at + 1),
            if tasks == 1 {
                "a task line in an indented code block".to_owned()
            } else {
                format!("{tasks} task lines in an indented code block")
            },
            "indented four spaces or a tab after a blank line, this is code, with no checkbox",
            Some(
                "unindent it to make it an item; to nest it, line it up with the text of \
                 the item above"
                    .into(),
            ),
        );
    }

    /// Trailing braces that were meant as attributes but hold a misspelt one
    /// (`{optinal}`): they stay in the text, and the item stays required, silently.
    /// `id` is the ID the item was given, which an empty `{#}` is taken to mean.
    fn attr_typo_warning(&mut self, events: &Events<'_>, text_span: &Range<usize>, id: &str) {
        let Some((Event::Text(last), _)) = events.last() else {
            return;
        };
        let Some((written, meant)) = attr_typo(last, id) else {
            return;
        };
        let at = self.src[text_span.clone()]
            .rfind(written.as_str())
            .map_or(text_span.start, |i| text_span.start + i);
        self.diag(
            Severity::Warning,
            codes::ATTRIBUTE_TYPO,
            at..at + written.len(),
            format!("`{written}` is not an attribute"),
            "left in the item's text",
            Some(format!("did you mean `{meant}`?")),
        );
    }

    /// `## Database {#db} <!-- owner: ana -->`: a heading's attributes must end its
    /// line, so Markdown does not read these, and the section's ID comes from
    /// `Database {#db}`. Items drop the comment first; a heading cannot.
    fn heading_attrs_before_comment_warning(&mut self, inline: &Events<'_>) {
        let kept = without_trailing_comments(inline);
        if kept.len() == inline.len() {
            return;
        }
        let Some((Event::Text(last), range)) = kept.last() else {
            return;
        };
        let Some((before, _)) = attr_block(last.trim_end()) else {
            return;
        };
        let at = range.start + before.len();
        let written = last.trim_end()[before.len()..].to_owned();
        self.diag(
            Severity::Warning,
            codes::ATTRIBUTE_TYPO,
            at..at + written.len(),
            format!("`{written}` is not read: a comment follows it"),
            "part of the heading's title",
            Some(
                "a heading's attributes must end its line: put the comment on a line of its own"
                    .into(),
            ),
        );
    }

    /// A heading reads only `{#id}`; pulldown-cmark takes any other word in the block
    /// as an HTML attribute or class, which a checklist has no use for. An author who
    /// wrote `{task}` or `{#rotate keys}` there would otherwise never learn that it did
    /// nothing, or that only the first word became the ID.
    fn heading_attrs_warning(&mut self, heading: Range<usize>) {
        let text = &self.src[heading.clone()];
        let line = text.find('\n').map_or(text, |end| &text[..end]);
        let (Some(open), Some(close)) = (line.rfind('{'), line.rfind('}')) else {
            return;
        };
        if close < open {
            return;
        }
        let written = line[open..=close].to_owned();
        let words: Vec<&str> = written[1..written.len() - 1].split_whitespace().collect();
        let item_attr = words.iter().find(|w| {
            matches!(
                w.trim_start_matches('.'),
                "optional" | "required" | "task" | "signoff"
            )
        });
        let id = words.iter().find(|w| w.starts_with('#'));
        let label = id.map_or_else(|| "ignored".to_owned(), |id| format!("only `{id}` is used"));
        let help = match (item_attr, id) {
            (Some(attr), _) => format!(
                "`{{{}}}` is read at the end of an item: put it on each item it is meant for",
                attr.trim_start_matches('.')
            ),
            (None, Some(id)) => format!(
                "an ID is one word: `{{#{}}}`",
                slugify(&words.join(" ").replacen(id, &id[1..], 1))
            ),
            (None, None) => "a heading takes only an ID, written `{#id}`".to_owned(),
        };
        let at = heading.start + open;
        self.diag(
            Severity::Warning,
            codes::ATTRIBUTE_TYPO,
            at..at + written.len(),
            format!("`{written}` holds more than a heading reads"),
            label,
            Some(help),
        );
    }

    /// An item numbered because another's text made its ID first, though its own text
    /// differs (the same first 64 characters): only their order tells the two apart. Remove or move the first, and the other takes
    /// its ID, and with it the progress saved for the first. Items with the same text
    /// are numbered too, but there the numbers are all there is to go by.
    #[cold]
    #[inline(never)]
    fn order_dependent_ids_warning(&mut self) {
        if self.renumbered.is_empty() {
            return;
        }
        // Only the few IDs involved are looked for: numbering is common (checklists
        // repeat "Check the logs" from section to section), and a map of every item
        // per file was a measurable part of parsing.
        fn texts<'a>(items: &'a [Item], wanted: &[&str], out: &mut HashMap<&'a str, &'a str>) {
            for i in items {
                if wanted.contains(&i.id.as_str()) {
                    out.insert(&i.id, &i.text);
                }
                texts(&i.children, wanted, out);
            }
        }
        fn sections<'a>(list: &'a [Section], wanted: &[&str], out: &mut HashMap<&'a str, &'a str>) {
            for s in list {
                texts(&s.items, wanted, out);
                sections(&s.sections, wanted, out);
            }
        }
        let wanted: Vec<&str> = self
            .renumbered
            .iter()
            .flat_map(|(taken, id, _)| [taken.as_str(), id.as_str()])
            .collect();
        let mut by_id = HashMap::new();
        texts(&self.items, &wanted, &mut by_id);
        sections(&self.done, &wanted, &mut by_id);
        let warnings: Vec<(Range<usize>, String, String)> = self
            .renumbered
            .iter()
            .filter_map(|(taken, id, span)| {
                let first = *by_id.get(taken.as_str())?;
                let own = *by_id.get(id.as_str())?;
                (first != own).then(|| (span.clone(), id.clone(), first.to_owned()))
            })
            .collect();
        for (span, id, first) in warnings {
            self.diag(
                Severity::Warning,
                codes::ORDER_DEPENDENT_ID,
                span,
                format!("item ID `{id}` depends on the order of the items"),
                format!("its text makes the same ID as \"{first}\" before it"),
                Some(format!(
                    "if either item moves or goes, progress saved for it goes to the other; \
                     pin the ID it has now with `{{#{id}}}` at the end of its line"
                )),
            );
        }
    }

    fn too_deep_error(&mut self, list: Range<usize>) {
        let at = self.skip_whitespace(list.start);
        self.diag(
            Severity::Error,
            codes::NESTED_TOO_DEEP,
            at..at + 1,
            format!("task list nested more than {MAX_NESTING} levels deep"),
            format!("level {}", MAX_NESTING + 1),
            Some(format!(
                "items are tracked up to {MAX_NESTING} levels deep; move these up a level or more"
            )),
        );
    }

    /// A blank in content shown as written (a table, a quote, a plain list, an item's
    /// further paragraphs): it gets no input, which an author who wrote `Name: ____`
    /// there would not expect. One warning per block, at its first blank.
    fn blank_in_content_warning(&mut self, events: &Events<'_>, start: usize, end: usize) {
        let mut in_code = false;
        for (event, range) in events.get(start..=end).unwrap_or_default() {
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code = true,
                Event::End(TagEnd::CodeBlock) => in_code = false,
                Event::Text(t) if !in_code => {
                    if let Some(run) = underscore_runs(t).next() {
                        let at = (range.start + run.start).min(range.end);
                        self.diag(
                            Severity::Warning,
                            codes::BLANK_IN_CONTENT,
                            at..(at + run.len()).min(range.end).max(at + 1),
                            "this blank is not a field",
                            "shown as written, with nothing to fill in",
                            Some(
                                "blanks are fields in task items and on lines of their own; put `Label: ____` on a line outside the table, quote or list, or make it a task: `- [ ] Label: ____`"
                                    .into(),
                            ),
                        );
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    fn empty_item_warning(&mut self, span: Range<usize>) {
        self.diag(
            Severity::Warning,
            codes::EMPTY_ITEM,
            span,
            "empty task item",
            "this item has no text and is left out",
            Some("write what has to be done after the box, or delete the line".into()),
        );
    }

    fn task_item(
        &mut self,
        w: &mut Walker<'_, '_>,
        start: usize,
        end: usize,
        (marker, checked): (usize, bool),
        parent_item: Option<&str>,
    ) -> Option<Item> {
        let events = w.events;
        let loose = matches!(events[start + 1].0, Event::Start(Tag::Paragraph));
        // The item's own text runs to the end of its first paragraph (loose lists) or
        // to the first nested block (tight lists).
        let mut pos = marker + 1;
        let text_start = pos;
        while pos < end {
            match &events[pos].0 {
                Event::End(TagEnd::Paragraph) if loose => break,
                Event::Start(tag) if is_block(tag) => break,
                _ => pos += 1,
            }
        }
        // A comment at the end of the line (`{#deploy} <!-- ticket 12 -->`) is no part
        // of the item, so attributes before it still end the item's text.
        let text_end = text_start + without_trailing_comments(&events[text_start..pos]).len();
        let own_events = &events[text_start..text_end];
        let text_span = own_events
            .first()
            .map_or(events[start].1.clone(), |(_, r)| {
                r.start..events[text_end - 1].1.end
            });
        if loose {
            pos += 1;
        }
        // Attributes are rare: only then is the item's text copied to be trimmed.
        let stripped = strip_attrs(own_events);
        let check_typos = stripped.is_none();
        let (attrs, raw, kept) = match stripped {
            Some((attrs, kept)) => (attrs, raw_text(&kept), Some(kept)),
            None => (
                Attrs::default(),
                raw_text(own_events.iter().map(|(e, _)| e)),
                None,
            ),
        };
        let shape = Shape::of(&raw);
        // Collapsed text has no two underscores in a row, so no blank.
        let blanky = !shape.collapsed && has_blank(&raw);
        // Underscores in inline code are code; rare enough to look for only then.
        let code = match &kept {
            _ if !blanky => Vec::new(),
            Some(kept) if code_with_blank(kept.iter()) => code_ranges(kept),
            None if code_with_blank(own_events.iter().map(|(e, _)| e)) => {
                code_ranges(own_events.iter().map(|(e, _)| e))
            }
            _ => Vec::new(),
        };
        let blanky = blanky && (code.is_empty() || blank_runs(&raw, &code).next().is_some());
        let breaks = match &kept {
            _ if !blanky => Vec::new(),
            Some(kept) => line_breaks(kept),
            None => line_breaks(own_events.iter().map(|(e, _)| e)),
        };
        let html = match kept {
            Some(kept) => render_inline(kept.iter(), shape.special),
            // Plain words are their own HTML: the model shares them (see `Item::html`)
            // rather than holding a second copy.
            None if shape.collapsed
                && !shape.special
                && own_events.iter().all(|(e, _)| matches!(e, Event::Text(_))) =>
            {
                String::new()
            }
            None => render_inline(own_events.iter().map(|(e, _)| e), shape.special),
        };
        // pulldown-cmark may start a nested item's range at the end of the line before
        // (seen with tab indents); the item is where its marker is.
        let item_start = self.skip_whitespace(events[start].1.start);
        let item_span = item_start..text_span.end.max(item_start + 1);
        let (line, column) = self.lines.locate(self.src, item_start);

        let has_more = pos < end;
        if raw.trim().is_empty() && !has_more {
            self.empty_item_warning(item_span);
            return None;
        }

        let signoff = attrs
            .kind
            .map_or_else(|| self.in_signoff(), |kind| kind == ItemKind::Signoff);
        let blanks = split_blanks(&raw, &breaks, blanky, signoff, &code);
        let text = normalise_text(raw, blanky, shape.collapsed);
        let role = signoff.then(|| blanks.prefix.clone());
        if signoff && role.as_deref().is_some_and(str::is_empty) {
            self.diag(
                Severity::Error,
                codes::SIGNOFF_WITHOUT_ROLE,
                item_span.clone(),
                "sign-off without a role",
                "who signs here?",
                Some(
                    "start the line with the role, e.g. `- [ ] Security Lead: ____ Date: ____`"
                        .into(),
                ),
            );
        }

        let explicit = attrs.id.is_some();
        let id = match attrs.id {
            Some(id) => self.claim_explicit(id, item_span.clone()),
            // With blanks, the words before the first one name the item ("QA Lead: ___
            // Date: ___" is the QA Lead's sign-off), and filling the form never moves it.
            None if !blanks.labels.is_empty() && !blanks.prefix.is_empty() => {
                self.child_id(parent_item, &blanks.prefix, "item")
            }
            None => self.child_id(parent_item, &text, "item"),
        };
        if !explicit {
            if let Some(taken) = self.numbered.take() {
                self.renumbered.push((taken, id.clone(), item_span.clone()));
            }
        }
        if check_typos {
            self.attr_typo_warning(own_events, &text_span, &id);
        }
        // Where the code is in the file, to skip its underscores there too.
        let code_spans: Vec<Range<usize>> = if code.is_empty() {
            Vec::new()
        } else {
            own_events
                .iter()
                .filter(|(e, _)| matches!(e, Event::Code(_)))
                .map(|(_, r)| r.clone())
                .collect()
        };
        let fields = self.item_fields(&id, &text, &blanks, signoff, &text_span, &code_spans);
        let required = attrs
            .required
            .unwrap_or_else(|| !(shape.paren && is_conditional(&text)));

        let mut details = Vec::new();
        let mut children = Vec::new();
        while pos < end {
            let block_end = w.ends[pos];
            match &events[pos].0 {
                Event::Start(Tag::List(_)) if self.depth + 1 >= MAX_NESTING => {
                    self.too_deep_error(events[pos].1.clone());
                    details.push(content_block(events, pos, block_end, self.src, &self.lines));
                }
                Event::Start(Tag::BlockQuote(_))
                    if self.depth + 1 >= MAX_NESTING && holds_tasks(events, pos, block_end) =>
                {
                    self.too_deep_error(events[pos].1.clone());
                    details.push(content_block(events, pos, block_end, self.src, &self.lines));
                }
                // A quote with task items in it, under an item: its items are the
                // item's too.
                Event::Start(Tag::List(_) | Tag::BlockQuote(_))
                    if matches!(events[pos].0, Event::Start(Tag::List(_)))
                        || holds_tasks(events, pos, block_end) =>
                {
                    self.depth += 1;
                    let parts = self.task_block_parts(w, pos, block_end, Some(&id));
                    self.depth -= 1;
                    for part in parts {
                        match part {
                            ListPart::Tasks {
                                ordered,
                                start,
                                items,
                            } => {
                                // Where the nested items stand among the details, so
                                // a page shows "then check the row counts" after the
                                // steps it follows, as written.
                                details.push(Block::Tasks {
                                    ordered,
                                    start,
                                    first: children.len(),
                                    count: items.len(),
                                });
                                // Taken whole where it can be: items are large to copy.
                                if children.is_empty() {
                                    children = items;
                                } else {
                                    children.extend(items);
                                }
                            }
                            ListPart::Plain(html) => details.push(Block::Html { html }),
                        }
                    }
                }
                _ => {
                    self.blank_in_content_warning(events, pos, block_end);
                    let block = content_block(events, pos, block_end, self.src, &self.lines);
                    push_detail(&mut details, block);
                }
            }
            pos = block_end + 1;
        }
        Some(Item {
            id,
            html: crate::model::shared_html(html, &text),
            text,
            kind: if signoff {
                ItemKind::Signoff
            } else {
                ItemKind::Task
            },
            checked,
            required,
            line,
            column,
            role,
            fields,
            details,
            children,
        })
    }

    fn item_fields(
        &mut self,
        item_id: &str,
        item_text: &str,
        blanks: &Blanks,
        signoff: bool,
        span: &Range<usize>,
        code_spans: &[Range<usize>],
    ) -> Vec<Field> {
        if blanks.labels.is_empty() && !signoff {
            return Vec::new();
        }
        let source = &self.src[span.clone()];
        let positions: Vec<usize> = underscore_runs(source)
            .map(|r| span.start + r.start)
            .filter(|at| !code_spans.iter().any(|c| c.contains(at)))
            .collect();
        let mut fields = Vec::with_capacity(blanks.labels.len() + usize::from(signoff));
        let mut has_name = false;
        for (i, label) in blanks.labels.iter().enumerate() {
            let at = positions.get(i).copied().unwrap_or(span.start);
            let (line, column) = self.lines.locate(self.src, at);
            let (label, kind) = if signoff {
                if field_kind(label) == FieldKind::Date {
                    (label.clone(), FieldKind::Date)
                } else if !has_name {
                    has_name = true;
                    ("Name".to_owned(), FieldKind::Name)
                } else {
                    (label.clone(), field_kind(label))
                }
            } else {
                let label = if label.is_empty() {
                    blanks.prefix.clone()
                } else {
                    label.clone()
                };
                let kind = field_kind(&label);
                (label, kind)
            };
            let mut id = String::with_capacity(item_id.len() + 1 + label.len().min(64));
            id.push_str(item_id);
            id.push('.');
            if !slugify_into(&mut id, &label) {
                id.push_str("value");
            }
            self.claim_field_id(&mut id);
            // No words before the blank (`____ approved the change`): an input needs
            // a name all the same, and the item's words around it give one. The ID
            // stays as it was, so what was typed there is kept.
            let label = if !label.chars().any(char::is_alphanumeric) {
                unlabelled_blank(item_text)
            } else {
                label
            };
            fields.push(Field {
                id,
                required: true,
                label,
                kind,
                line,
                column,
            });
        }
        if signoff && !has_name {
            let (line, column) = self.lines.locate(self.src, span.start);
            let mut id = format!("{item_id}.name");
            self.claim_field_id(&mut id);
            fields.insert(
                0,
                Field {
                    id,
                    label: "Name".into(),
                    kind: FieldKind::Name,
                    required: true,
                    line,
                    column,
                },
            );
        }
        fields
    }

    /// Takes `id` for an item's field, numbered (`-2`, `-3`…) when taken. Fields share
    /// the one ID space with items and sections: a field and a nested item both called
    /// `backup.backup-id` were one key in the run's log and one anchor in the page, so
    /// an honest run failed `verify`.
    fn claim_field_id(&mut self, id: &mut String) {
        if !self.ids.insert(id) {
            *id = self.ids.numbered(id);
        }
    }

    fn finish(mut self, id: &str, sha: String) -> (Checklist, Vec<Diagnostic>) {
        while self.close_section() {}
        self.order_dependent_ids_warning();
        let fm = std::mem::take(&mut self.fm);
        let title = fm.title.map(|t| t.into_string()).or(self.title.take());
        let title = match title {
            Some(t) if !t.trim().is_empty() => t,
            // A broken front matter block may well hold the title; that error says enough.
            _ if self.diagnostics.iter().any(|d| {
                d.code == codes::UNTERMINATED_FRONT_MATTER || d.code == codes::INVALID_FRONT_MATTER
            }) =>
            {
                id.to_owned()
            }
            _ => {
                self.diag(
                    Severity::Error,
                    codes::MISSING_TITLE,
                    0..0,
                    "checklist has no title",
                    "expected a `# Title` heading",
                    Some("start the file with `# Title`, or set `title:` in front matter".into()),
                );
                id.to_owned()
            }
        };
        let checklist_id = match fm.id.map(|i| i.into_string()) {
            Some(explicit) if !slugify(&explicit).is_empty() => slugify(&explicit),
            _ => id.to_owned(),
        };
        let mut checklist = Checklist {
            id: checklist_id,
            title,
            source_sha256: sha,
            version: fm.version.map(|v| v.into_string()),
            owner: fm.owner.map(|v| v.into_string()),
            description: fm.description.map(|v| v.into_string()),
            summary: self.summary,
            tags: fm.tags.into_vec(),
            lang: fm.lang.map(|v| v.into_string()),
            meta: self.meta,
            fields: self.fields,
            intro: self.intro,
            items: self.items,
            sections: self.done,
        };
        // Footnotes first: their links are to fragments too, which are no headings.
        let footnotes = if self.footnotes {
            number_footnotes(&mut checklist)
        } else {
            Default::default()
        };
        if self.fragment_links {
            link_github_anchors(&mut checklist, &footnotes);
        }
        let mut diagnostics = self.diagnostics;
        // Items nested too deep to track were written, and E008 said so: "no `- [ ]`
        // items in this file" beside it would contradict it.
        let too_deep = diagnostics.iter().any(|d| d.code == codes::NESTED_TOO_DEEP);
        if checklist.item_count() == 0 && !too_deep {
            let (line, column) = (1, 1);
            diagnostics.push(Diagnostic {
                severity: Severity::Warning,
                code: codes::NO_ITEMS.into(),
                message: "checklist has no task items".into(),
                line,
                column,
                start: 0,
                end: 0,
                label: "no `- [ ]` items in this file".into(),
                help: Some("add items such as `- [ ] Backup taken`".into()),
            });
        }
        diagnostics.sort_by_key(|d| (d.start, d.severity));
        (checklist, diagnostics)
    }
}

/// How deep task items may nest. Each level adds its parent's ID to its own, so IDs
/// (and the page, which repeats each several times) grow with the square of the
/// depth: a thousand levels made a 60 MB page. Real checklists nest three or four.
const MAX_NESTING: usize = 32;

/// The IDs handed out so far. Each one is copied once into an arena rather than into a
/// `String` per entry: a checklist has one ID per item, and this runs for every one.
struct IdSet {
    arena: String,
    table: hashbrown::HashTable<Range<usize>>,
    /// For each ID taken more than once, the number its next repeat tries first: 50,000
    /// repeats of one line would otherwise each count up from 2, which took minutes.
    next: hashbrown::HashMap<String, u64, foldhash::fast::FixedState>,
    /// How many candidates `numbered` has tried, for a test to hold it linear.
    #[cfg(test)]
    tries: usize,
    /// A fixed-seed fast hash: SipHash's DoS resistance buys nothing for an author's
    /// own file, and a fixed seed keeps the work identical from run to run.
    hasher: foldhash::fast::FixedState,
}

impl IdSet {
    /// Sized from the source so that neither part regrows: checklists hold about one
    /// ID per 45 bytes of Markdown, and their IDs (`section.sub.item-slug`) add up
    /// to 1.2 to 1.5 times the source's length.
    fn for_source(len: usize) -> Self {
        Self {
            arena: String::with_capacity(len + len / 2),
            table: hashbrown::HashTable::with_capacity(len / 40),
            hasher: foldhash::fast::FixedState::default(),
            next: hashbrown::HashMap::default(),
            #[cfg(test)]
            tries: 0,
        }
    }

    /// Takes the first of `base-2`, `base-3`… that is free. IDs are never given back,
    /// so the numbers below the last one taken for `base` are still taken.
    fn numbered(&mut self, base: &str) -> String {
        let mut n = self.next.get(base).copied().unwrap_or(2);
        let mut id = String::with_capacity(base.len() + 4);
        loop {
            id.clear();
            id.push_str(base);
            id.push('-');
            id.push_str(&n.to_string());
            n += 1;
            #[cfg(test)]
            {
                self.tries += 1;
            }
            if self.insert(&id) {
                self.next.insert(base.to_owned(), n);
                return id;
            }
        }
    }

    fn contains(&self, id: &str) -> bool {
        let hash = self.hasher.hash_one(id);
        self.table
            .find(hash, |r| &self.arena[r.clone()] == id)
            .is_some()
    }

    /// Adds `id`; false if it was there already.
    fn insert(&mut self, id: &str) -> bool {
        let Self {
            arena,
            table,
            hasher,
            ..
        } = self;
        let hash = hasher.hash_one(id);
        if table.find(hash, |r| &arena[r.clone()] == id).is_some() {
            return false;
        }
        let start = arena.len();
        arena.push_str(id);
        table.insert_unique(hash, start..arena.len(), |r| {
            hasher.hash_one(&arena[r.clone()])
        });
        true
    }
}

/// `parent.slug`, or `parent.fallback` when the text has no letters or digits.
fn base_id(parent: Option<&str>, text: &str, fallback: &str) -> String {
    let mut id = String::with_capacity(parent.map_or(0, |p| p.len() + 1) + text.len().min(72));
    if let Some(p) = parent {
        id.push_str(p);
        id.push('.');
    }
    if !slugify_into(&mut id, text) {
        id.push_str(fallback);
    }
    id
}

/// Borrowed event slice plus its precomputed block ends.
struct Walker<'e, 'a> {
    events: &'e Events<'a>,
    ends: &'e [usize],
}

/// For each `Start` event, the index of its `End`, computed once so walking nested
/// blocks stays linear.
///
/// `open` is scratch space, kept by the caller so that no block allocates its own.
fn matching_ends(events: &Events<'_>, ends: &mut Vec<usize>, open: &mut Vec<usize>) {
    ends.clear();
    ends.extend(0..events.len());
    open.clear();
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(_) => open.push(i),
            Event::End(_) => {
                if let Some(start) = open.pop() {
                    ends[start] = i;
                }
            }
            _ => {}
        }
    }
    // pulldown-cmark always balances its tags; should one ever not be, the block runs
    // to the end rather than cutting content off.
    for &start in open.iter() {
        ends[start] = events.len().saturating_sub(1);
    }
}

/// The blocks directly in the list entry or quote at `container` (ending at `end`)
/// that hold task items, lists and quotes, each as where its events start and end.
fn task_blocks_in(w: &Walker<'_, '_>, container: usize, end: usize) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut at = container + 1;
    while at < end {
        let block_end = w.ends[at];
        if matches!(
            w.events[at].0,
            Event::Start(Tag::List(_) | Tag::BlockQuote(_))
        ) && holds_tasks(w.events, at, block_end)
        {
            blocks.push((at, block_end));
        }
        at = block_end + 1;
    }
    blocks
}

/// Whether the events from `start` to `end` hold a task item's box.
fn holds_tasks(events: &Events<'_>, start: usize, end: usize) -> bool {
    events
        .get(start..=end)
        .unwrap_or_default()
        .iter()
        .any(|(e, _)| matches!(e, Event::TaskListMarker(_)))
}

fn task_marker(events: &Events<'_>, item: usize) -> Option<(usize, bool)> {
    let mut pos = item + 1;
    if matches!(events.get(pos), Some((Event::Start(Tag::Paragraph), _))) {
        pos += 1;
    }
    match events.get(pos) {
        Some((Event::TaskListMarker(checked), _)) => Some((pos, *checked)),
        _ => None,
    }
}

fn plain_list(events: &Events<'_>, items: &[Range<usize>], start: Option<u64>) -> String {
    let list = std::iter::once(Event::Start(Tag::List(start)))
        .chain(
            items
                .iter()
                .flat_map(|r| events[r.clone()].iter().map(|(e, _)| e.clone())),
        )
        .chain(std::iter::once(Event::End(TagEnd::List(start.is_some()))));
    render_html(list)
}

/// A block that is no checklist construct: code stays code, the rest is rendered.
fn content_block(
    events: &Events<'_>,
    start: usize,
    end: usize,
    src: &str,
    lines: &LineIndex,
) -> Block {
    if let Event::Start(Tag::CodeBlock(kind)) = &events[start].0 {
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_owned),
            CodeBlockKind::Indented => None,
        };
        let code = events[start + 1..end]
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let (line, _) = lines.locate(src, events[start].1.start);
        return Block::Code { lang, code, line };
    }
    // HTML with a comment never closed (W012) is shown as written: line by line, as
    // code is, not run together as one paragraph.
    if matches!(events[start].0, Event::Start(Tag::HtmlBlock))
        && !comments_close(events[start..=end].iter().map(|(e, _)| e.clone()))
    {
        let code = events[start + 1..end]
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Html(t) | Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let (line, _) = lines.locate(src, events[start].1.start);
        return Block::Code {
            lang: None,
            code,
            line,
        };
    }
    Block::Html {
        html: render_html(events[start..=end].iter().map(|(e, _)| e.clone())),
    }
}

/// Where a list entry starting at `at` writes a box Markdown does not read as one:
/// brackets holding up to three spaces and x's, other than `[ ]`, `[x]` and `[X]`.
fn box_lookalike(src: &str, at: usize) -> Option<Range<usize>> {
    let line = src.get(at..)?;
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let rest = after_list_marker(line.trim_start())?;
    let inner = rest.strip_prefix('[')?;
    let close = inner.find(']')?;
    let inside = &inner[..close];
    if close > 3 || !inside.chars().all(|c| matches!(c, ' ' | 'x' | 'X')) {
        return None;
    }
    let start = at + (line.len() - rest.len());
    if matches!(inside, " " | "x" | "X") {
        // A box with the text right against it (`[ ]Deploy`) is no box to Markdown
        // either. `[x](…)` is a link, and is left alone.
        let next = inner[close + 1..].chars().next()?;
        return next
            .is_alphanumeric()
            .then(|| start..start + close + 2 + next.len_utf8());
    }
    Some(start..start + close + 2)
}

/// A line that reads as a task, or nearly: `- [ ] …`, `1. [x] …`, `- [] …`.
fn box_lookalike_or_box(line: &str) -> bool {
    after_list_marker(line)
        .and_then(|r| r.strip_prefix('['))
        .and_then(|inner| inner.find(']'))
        .is_some_and(|close| close <= 3)
}

/// The text after a list marker (`-`, `*`, `+`, `1.`, `1)`) at the start of `line`.
fn after_list_marker(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(['-', '*', '+']).or_else(|| {
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        line.get(digits..)
            .filter(|_| digits > 0)?
            .strip_prefix(['.', ')'])
    })?;
    Some(rest.trim_start())
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::List(_)
            | Tag::CodeBlock(_)
            | Tag::BlockQuote(_)
            | Tag::Table(_)
            | Tag::Heading { .. }
            | Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
    )
}

/// Headings under which every item is an approval.
/// Words that make a heading a sign-off section: English first, then approval in the
/// languages checklists are most often kept in (each a word that heads a sign-off
/// form there, or the stem of inflected ones: `aprobaci` for aprobación and
/// aprobaciones). `{signoff}` on an item says it in any language.
const SIGNOFF_WORDS: [&str; 10] = [
    // English: whole words only (see `whole_word`).
    "sign-off",
    "sign off",
    "signoff",
    "approval",
    "freigabe",
    "genehmigung",
    "approbation",
    "aprobaci",
    "approvazion",
    "goedkeuring",
];
/// How many of [`SIGNOFF_WORDS`], from the first, are English.
const ENGLISH_SIGNOFF_WORDS: usize = 4;
/// The bytes that [`SIGNOFF_WORDS`] start with.
const SIGNOFF_FIRST_BYTES: [bool; 256] = {
    let mut first = [false; 256];
    let mut i = 0;
    while i < SIGNOFF_WORDS.len() {
        first[SIGNOFF_WORDS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    first
};
/// The same outside ASCII, which only a heading outside ASCII can hold.
const SIGNOFF_WORDS_BEYOND_ASCII: [&str; 9] = [
    "aprovaç",
    "zatwierdzeni",
    "утвержден",
    "согласовани",
    "承認",
    "审批",
    "승인",
    "الموافقة",
    "אישור",
];

pub(crate) fn is_signoff_heading(title: &str) -> bool {
    // Every heading is asked: lowered once, then searched for each word. Non-ASCII
    // titles are lowered by Unicode's rules, since a few non-ASCII letters lower to
    // ASCII ones (the Kelvin sign to `k`).
    if title.is_ascii() {
        // A substring search per word set up its searcher ten times for every heading
        // of the file; one pass that stops only where a word can start is a fraction
        // of that.
        let h = title.as_bytes();
        return (0..h.len()).any(|i| {
            SIGNOFF_FIRST_BYTES[usize::from(h[i].to_ascii_lowercase())]
                && SIGNOFF_WORDS.iter().enumerate().any(|(n, k)| {
                    h.get(i..i + k.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(k.as_bytes()))
                        && (n >= ENGLISH_SIGNOFF_WORDS
                            || whole_word(
                                h[..i].last().map(|&b| char::from(b)),
                                &mut h[i + k.len()..].iter().map(|&b| char::from(b)),
                            ))
                })
        });
    }
    let lower = title.to_lowercase();
    SIGNOFF_WORDS.iter().enumerate().any(|(n, k)| {
        lower.match_indices(k).any(|(i, _)| {
            n >= ENGLISH_SIGNOFF_WORDS
                || whole_word(
                    lower[..i].chars().next_back(),
                    &mut lower[i + k.len()..].chars(),
                )
        })
    }) || SIGNOFF_WORDS_BEYOND_ASCII.iter().any(|k| lower.contains(k))
}

/// Whether an English sign-off word found between `before` and `after` stands as a
/// word of its own, or in its plural: "Design office setup" (de*sign off*ice),
/// "Assign officers" and "Disapprovals" are no sign-off forms. Other languages' words
/// are found anywhere, since German builds compounds with them (Produktionsfreigabe)
/// and the stems stand for inflected forms.
fn whole_word(before: Option<char>, after: &mut dyn Iterator<Item = char>) -> bool {
    if before.is_some_and(char::is_alphanumeric) {
        return false;
    }
    match after.next() {
        // `APPROVALS` as well as `Sign-offs`: the ASCII path reads the heading as written.
        Some('s' | 'S') => !after.next().is_some_and(char::is_alphanumeric),
        next => !next.is_some_and(char::is_alphanumeric),
    }
}

/// Items that may be marked N/A without being incomplete.
pub(crate) fn is_conditional(text: &str) -> bool {
    let h = text.as_bytes();
    let at = |i: usize, needle: &[u8]| {
        h.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    };
    // Both markers open with a parenthesis: jump between those, without allocating,
    // since this runs for every item.
    memchr::memchr_iter(b'(', h).any(|i| at(i, b"(optional)") || at(i, b"(if "))
}

/// What an item's text needs before it becomes the model's text and HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    /// Already single-spaced and trimmed ASCII with no blank: the common case, which
    /// needs no rebuilding.
    collapsed: bool,
    /// Has `&`, `<` or `>`, which HTML must escape.
    special: bool,
    /// Has `(`, which the markers of a conditional item start with.
    paren: bool,
}

impl Shape {
    /// Runs over every item's text, so it reads eight bytes at a time and finds every
    /// byte of interest with word arithmetic, with no branch on the text. (Four
    /// vectorised folds, one per question, took 40 % longer on the corpus's items.)
    fn of(s: &str) -> Self {
        let b = s.as_bytes();
        let mut words = b.chunks_exact(8);
        let mut flags = WordFlags::default();
        for word in words.by_ref() {
            flags.add(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            // Padding with a letter adds nothing to any flag.
            let mut last = [b'a'; 8];
            last[..rest.len()].copy_from_slice(rest);
            flags.add(u64::from_le_bytes(last));
        }
        Self {
            collapsed: flags.odd == 0
                && flags.doubled == 0
                && b.first() != Some(&b' ')
                && b.last() != Some(&b' '),
            special: flags.special != 0,
            paren: flags.paren != 0,
        }
    }
}

const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = LANES * 0x80;
const LOW7: u64 = LANES * 0x7f;

/// The high bit of each byte of `word` that equals `byte`, and no other bit. Exact
/// for every byte value: the low seven bits are added without carrying out of the
/// byte, so no byte's result leaks into the next.
#[inline(always)]
fn lanes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (LANES * u64::from(byte));
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// What `Shape::of` has seen so far, as lane masks (any set bit means "seen").
#[derive(Default)]
struct WordFlags {
    /// A control byte or a non-ASCII one.
    odd: u64,
    special: u64,
    paren: u64,
    /// Two spaces or two underscores side by side.
    doubled: u64,
    /// The last byte of the previous word was a space (or an underscore), moved to
    /// the first lane, to pair with the first byte of this word.
    space_before: u64,
    underscore_before: u64,
}

impl WordFlags {
    #[inline(always)]
    fn add(&mut self, w: u64) {
        // The high bit is set where the low seven bits are at least 0x20.
        let printable = ((w & LOW7) + LANES * (0x80 - 0x20)) & HIGH;
        self.odd |= (w & HIGH) | (!printable & HIGH);
        self.special |= lanes_equal(w, b'&') | lanes_equal(w, b'<') | lanes_equal(w, b'>');
        self.paren |= lanes_equal(w, b'(');
        let space = lanes_equal(w, b' ');
        let underscore = lanes_equal(w, b'_');
        self.doubled |= (space & ((space << 8) | self.space_before))
            | (underscore & ((underscore << 8) | self.underscore_before));
        self.space_before = space >> 56;
        self.underscore_before = underscore >> 56;
    }
}

/// [`collapse_whitespace`] for text the caller owns: ASCII text (nearly all) is
/// collapsed in its own buffer, with no second allocation.
fn collapse_owned(s: String) -> String {
    if !s.is_ascii() {
        return collapse_whitespace(&s);
    }
    let mut b = s.into_bytes();
    let (mut kept, mut gap) = (0, false);
    for read in 0..b.len() {
        let c = b[read];
        // The ASCII part of `char::is_whitespace`, which `split_whitespace` uses.
        if matches!(c, b'\t'..=b'\r' | b' ') {
            gap = kept > 0;
        } else {
            if gap {
                b[kept] = b' ';
                kept += 1;
                gap = false;
            }
            b[kept] = c;
            kept += 1;
        }
    }
    b.truncate(kept);
    // Still ASCII, so this cannot fail; were it to, nothing is lost.
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Whitespace runs collapsed to one space, ends trimmed, in one pass.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Words that make a blank a date, in the languages sign-off headings are read in.
const DATE_WORDS: [&str; 8] = [
    "date",
    "datum",
    "fecha",
    "日付",
    "日期",
    "التاريخ",
    "תאריך",
    "дата",
];

fn field_kind(label: &str) -> FieldKind {
    // Lowercased once for all the questions below. ASCII labels (nearly all) are read
    // in place: lowercasing other scripts can change the words (`İ` becomes `i` and a
    // combining dot, which splits a word), so they take the allocating route.
    let lowered;
    let l = if label.is_ascii() {
        label
    } else {
        lowered = label.to_lowercase();
        &lowered
    };
    let is = |w: &str, k: &str| w.eq_ignore_ascii_case(k);
    let mut words = l
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let (mut count, mut first, mut last) = (0, "", "");
    let (mut date, mut name) = (false, false);
    for w in words.by_ref() {
        if count == 0 {
            first = w;
        }
        count += 1;
        last = w;
        date |= DATE_WORDS.iter().any(|k| is(w, k));
        name |= is(w, "name");
    }
    if date {
        FieldKind::Date
    } else if name || is(last, "by") {
        FieldKind::Name
    } else if count == 1 && ["notes", "note", "comments"].iter().any(|k| is(first, k)) {
        FieldKind::Notes
    } else {
        FieldKind::Text
    }
}

fn is_blank(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 3 && v.chars().all(|c| c == '_')
}

/// Whether the text has a blank. Runs for every item, most of which have no
/// underscore at all, so it jumps between underscores with memchr.
fn has_blank(s: &str) -> bool {
    let b = s.as_bytes();
    // Most text has no three underscores in a row at all: only then look closer.
    memchr::memchr_iter(b'_', b).any(|i| b.get(i..i + 3) == Some(b"___"))
        && underscore_runs(s).next().is_some()
}

/// Runs of three or more underscores: fill-in blanks.
pub(crate) fn underscore_runs(s: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i] == b'_' {
                let start = i;
                while i < bytes.len() && bytes[i] == b'_' {
                    i += 1;
                }
                // `MY___VAR` is a name, not a blank between two words; a form's longer
                // runs (`Signature______Date______`) are blanks all the same.
                let joins = i - start == 3
                    && s[..start]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                    && s[i..].chars().next().is_some_and(char::is_alphanumeric);
                if i - start >= 3 && !joins {
                    return Some(start..i);
                }
            } else {
                i += 1;
            }
        }
        None
    })
}

/// Where [`raw_text`] of the same events put inline code: underscores there are code
/// (`make ____`), not blanks.
fn code_ranges<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>) -> Vec<Range<usize>> {
    let mut len = 0;
    let mut code = Vec::new();
    for event in events {
        match event {
            Event::Code(t) => {
                code.push(len..len + t.len());
                len += t.len();
            }
            Event::Text(t) | Event::InlineHtml(t) | Event::Html(t) => len += t.len(),
            Event::SoftBreak | Event::HardBreak => len += 1,
            _ => {}
        }
    }
    code
}

/// Runs of underscores that are blanks: those outside `code`.
fn blank_runs<'s>(s: &'s str, code: &'s [Range<usize>]) -> impl Iterator<Item = Range<usize>> + 's {
    underscore_runs(s).filter(move |r| !code.iter().any(|c| c.start <= r.start && r.end <= c.end))
}

/// Whether any inline code among `events` holds what would read as a blank.
fn code_with_blank<'e, 'a: 'e>(mut events: impl Iterator<Item = &'e Event<'a>>) -> bool {
    events.any(|e| matches!(e, Event::Code(t) if has_blank(t)))
}

/// The text of an item split at its blanks.
#[derive(Debug, Default)]
struct Blanks {
    /// Text before the first blank (the whole text when there is none), as a label.
    prefix: String,
    /// One label per blank: the words just before it.
    labels: Vec<String>,
}

/// `breaks`: where the text's line breaks are (see [`line_breaks`]).
fn split_blanks(
    raw: &str,
    breaks: &[usize],
    has_blank: bool,
    want_prefix: bool,
    code: &[Range<usize>],
) -> Blanks {
    if !has_blank {
        // Most items have no blanks; their prefix is only needed for sign-off roles.
        return Blanks {
            prefix: if want_prefix {
                clean_label(raw)
            } else {
                String::new()
            },
            labels: Vec::new(),
        };
    }
    let mut labels = Vec::new();
    let mut prev = 0;
    let mut prefix = None;
    for run in blank_runs(raw, code) {
        // A blank's label is the words before it on its own line, and the item is
        // named by the lines before that: a `Backup ID: ____` line under `- [ ] Backup
        // taken` is the Backup ID field of the item "Backup taken", whose ID it leaves
        // alone.
        let line_start = breaks
            .iter()
            .rev()
            .find(|&&b| b < run.start)
            .map_or(0, |b| b + 1);
        let label = clean_label(&raw[prev.max(line_start)..run.start]);
        if prefix.is_none() {
            // The lines before the first blank's own line: what names the item
            // whether or not that line is there.
            prefix = Some(match line_start {
                0 => label.clone(),
                start => clean_label(&raw[..start - 1]),
            });
        }
        labels.push(label);
        prev = run.end;
    }
    Blanks {
        prefix: prefix.unwrap_or_else(|| clean_label(raw)),
        labels,
    }
}

/// A label for a blank with no words before it: the item's text with its blanks as
/// `…` ("… approved the change"), or "Value" when it has no other words.
fn unlabelled_blank(item_text: &str) -> String {
    let label = item_text.replace("___", "…");
    if label.chars().any(char::is_alphanumeric) {
        collapse_whitespace(&label)
    } else {
        "Value".to_owned()
    }
}

fn clean_label(s: &str) -> String {
    let s = collapse_whitespace(s);
    let trimmed = s.trim_matches(|c: char| c == ':' || c == '-' || c == ',' || c.is_whitespace());
    if trimmed.len() == s.len() {
        s
    } else {
        trimmed.to_owned()
    }
}

/// Collapsed whitespace, every blank written as `___` so the blank's length (which
/// authors vary freely) never changes an ID.
fn normalise_text(raw: String, has_blank: bool, collapsed: bool) -> String {
    if collapsed {
        return raw;
    }
    if !has_blank {
        return collapse_owned(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut prev = 0;
    for run in underscore_runs(&raw) {
        out.push_str(&raw[prev..run.start]);
        out.push_str("___");
        prev = run.end;
    }
    out.push_str(&raw[prev..]);
    collapse_owned(out)
}

/// The visible text of inline events, whitespace collapsed.
fn plain_text(events: &Events<'_>) -> String {
    collapse_owned(raw_text(events.iter().map(|(e, _)| e)))
}

/// Where [`raw_text`] of the same events put a space for a line break: a blank on a
/// continuation line is labelled by that line (see `split_blanks`).
fn line_breaks<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>) -> Vec<usize> {
    let mut len = 0;
    let mut breaks = Vec::new();
    for event in events {
        match event {
            Event::InlineHtml(t) | Event::Html(t) if is_comment(t) => {}
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                len += t.len();
            }
            Event::SoftBreak | Event::HardBreak => {
                breaks.push(len);
                len += 1;
            }
            _ => {}
        }
    }
    breaks
}

fn raw_text<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>) -> String {
    let mut raw = String::with_capacity(64);
    for event in events {
        match event {
            Event::InlineHtml(t) | Event::Html(t) if is_comment(t) => {}
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                raw.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => raw.push(' '),
            _ => {}
        }
    }
    raw
}

/// Reads a trailing `{#id optional}` from an item's events; when there is one, returns
/// what it said and the events without it. Anything else in braces is left as text, so
/// prose like `{curly}` survives.
fn strip_attrs<'a>(events: &Events<'a>) -> Option<(Attrs, Vec<Event<'a>>)> {
    let Some((Event::Text(last), _)) = events.last() else {
        return None;
    };
    let mut trimmed = last.trim_end();
    let mut attrs = Attrs::default();
    // Blocks may be written apart (`{#rotate} {optional}`): each is read, from the
    // last back, and a later one wins where two say the same thing.
    while let Some((before, block)) = attr_block(trimmed) {
        attrs.id = attrs.id.or(block.id);
        attrs.required = attrs.required.or(block.required);
        attrs.kind = attrs.kind.or(block.kind);
        trimmed = before.trim_end();
    }
    if attrs == Attrs::default() {
        return None;
    }
    let mut kept: Vec<Event<'a>> = events.iter().map(|(e, _)| e.clone()).collect();
    let keep = trimmed.to_owned();
    kept.pop();
    if !keep.is_empty() {
        kept.push(Event::Text(CowStr::from(keep)));
    }
    Some((attrs, kept))
}

/// The `{…}` attribute block that `text` ends with, and the text before it.
fn attr_block(text: &str) -> Option<(&str, Attrs)> {
    let open = text.strip_suffix('}')?.rfind('{')?;
    let inner = &text[open + 1..text.len() - 1];
    let mut attrs = Attrs::default();
    for token in inner.split_whitespace() {
        match token {
            "optional" | ".optional" => attrs.required = Some(false),
            "required" | ".required" => attrs.required = Some(true),
            "task" | ".task" => attrs.kind = Some(ItemKind::Task),
            "signoff" | ".signoff" => attrs.kind = Some(ItemKind::Signoff),
            t if t.starts_with('#') && t.len() > 1 => attrs.id = Some(t[1..].to_owned()),
            _ => return None,
        }
    }
    (attrs != Attrs::default()).then(|| (&text[..open], attrs))
}

/// Trailing `{…}` whose words are all attributes or near misses of one, with at least
/// one miss: the braces as written and as they were probably meant. Prose in braces
/// (`{curly}`) is far from every attribute and is left alone.
fn attr_typo(text: &str, id: &str) -> Option<(String, String)> {
    let trimmed = text.trim_end();
    let open = trimmed.strip_suffix('}')?.rfind('{')?;
    let inner = &trimmed[open + 1..trimmed.len() - 1];
    let mut meant: Vec<String> = Vec::new();
    let mut missed = false;
    // Where the block's `#id` is in `meant`: words after it that are no attribute
    // were most likely meant as part of it (`{#rotate keys}`).
    let mut id_at = None;
    for token in inner.split_whitespace() {
        let fixed = match token {
            "optional" | ".optional" | "required" | ".required" | "task" | ".task" | "signoff"
            | ".signoff" => token.to_owned(),
            t if t.starts_with('#') && t.len() > 1 => {
                id_at = Some(meant.len());
                token.to_owned()
            }
            // An ID with nothing after the `#`: the one the item has now, so pinning
            // it keeps the progress saved under it (and takes no one else's).
            "#" => {
                missed = true;
                format!("#{id}")
            }
            t => {
                let word = t.trim_start_matches('.');
                let near = ["optional", "required", "signoff"]
                    .into_iter()
                    .find(|a| word.len() >= 5 && strsim::damerau_levenshtein(word, a) <= 2);
                missed = true;
                match (near, id_at) {
                    (Some(near), _) => near.to_owned(),
                    (None, Some(at)) => {
                        meant[at] = format!("{}-{}", meant[at], slugify(word));
                        continue;
                    }
                    (None, None) => return None,
                }
            }
        };
        meant.push(fixed);
    }
    missed.then(|| {
        (
            trimmed[open..].to_owned(),
            format!("{{{}}}", meant.join(" ")),
        )
    })
}

/// One `Key: value` line of a paragraph.
struct KeyLine {
    label: String,
    value: String,
    /// Whether the key was bold (`**Key**:`); only bold keys make metadata.
    bold: bool,
    span: Range<usize>,
}

/// Splits a paragraph into its lines: a `Key: value` line where one has that shape,
/// `None` for any other line (prose, or a line with blanks that is not one label and
/// one blank). Plain (not bold) keys count only with a blank value.
fn key_lines(events: &Events<'_>) -> Vec<(Range<usize>, Option<KeyLine>)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for i in 0..=events.len() {
        let at_break =
            i == events.len() || matches!(events[i].0, Event::SoftBreak | Event::HardBreak);
        if !at_break {
            continue;
        }
        if start < i {
            lines.push((start..i, key_line(&events[start..i])));
        }
        start = i + 1;
    }
    lines
}

/// A line of a paragraph with fill-in blanks in it that is not one `Label: ____`:
/// `Approved by: ____ Date: ____`, or `Window: ____ (UTC)`. Only text and emphasis
/// count: underscores in code are code, and a line with a link (whose address may
/// hold underscores, and which a label could not keep) stays as written.
fn blank_line(line: &Events<'_>) -> bool {
    line.iter().all(|(e, _)| match e {
        Event::InlineHtml(html) => is_comment(html),
        _ => matches!(
            e,
            Event::Text(_)
                | Event::Code(_)
                | Event::Start(Tag::Strong | Tag::Emphasis | Tag::Strikethrough)
                | Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough)
        ),
    }) && line
        .iter()
        .any(|(e, _)| matches!(e, Event::Text(t) if t.contains('_')))
        && {
            // Joined first: pulldown-cmark may hand a run of underscores over in pieces
            // (`CHG-____` as `CHG-`, `__`, `__`). Code is not joined: underscores there are
            // code.
            let text: String = line
                .iter()
                .map(|(e, _)| match e {
                    Event::Text(t) => t.as_ref(),
                    _ => "\0",
                })
                .collect();
            has_blank(&text)
        }
}

fn key_line(line: &Events<'_>) -> Option<KeyLine> {
    let span = line.first()?.1.start..line.last()?.1.end;
    if let [(Event::Start(Tag::Strong), _), rest @ ..] = line {
        let close = rest
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::Strong)))?;
        let key_events = &rest[..close];
        if !key_events.iter().all(|(e, _)| matches!(e, Event::Text(_))) {
            return None;
        }
        let key = plain_text(key_events);
        let value = plain_text(&rest[close + 1..]);
        let (key, value) = match key.strip_suffix(':') {
            Some(k) => (k.trim().to_owned(), value.trim().to_owned()),
            None => (
                key.trim().to_owned(),
                value.strip_prefix(':')?.trim().to_owned(),
            ),
        };
        if key.is_empty() {
            return None;
        }
        return Some(KeyLine {
            label: key,
            value,
            bold: true,
            span,
        });
    }
    if !line.iter().all(|(e, _)| matches!(e, Event::Text(_))) {
        return None;
    }
    let text = plain_text(line);
    let (key, value) = text.split_once(':')?;
    let key = key.trim();
    if key.is_empty() || key.chars().count() > 60 || !is_blank(value) {
        return None;
    }
    Some(KeyLine {
        label: key.to_owned(),
        value: value.trim().to_owned(),
        bold: false,
        span,
    })
}

/// Renders block events to HTML that is safe to embed: raw HTML is shown as text, and
/// links or images with a scheme other than http(s)/mailto lose their URL.
fn render_html<'e>(events: impl Iterator<Item = Event<'e>> + Clone) -> String {
    let mut html = String::with_capacity(96);
    // A comment never closed would hide all that follows it: then none is left out,
    // and `unclosed_comment_warning` says why.
    let strip = comments_close(events.clone());
    pulldown_cmark::html::push_html(&mut html, sanitize(events, strip));
    // A table column's alignment comes as a `style` attribute, which the pages'
    // Content-Security-Policy (`style-src 'self'`) blocks: a class says the same.
    // Raw HTML is escaped by now, so only pulldown-cmark's own can match.
    const STYLE: &str = " style=\"text-align: ";
    if html.contains(STYLE) {
        for side in ["left", "center", "right"] {
            html = html.replace(
                &format!("{STYLE}{side}\""),
                &format!(" class=\"align-{side}\""),
            );
        }
    }
    html
}

/// An item's own line as HTML. Most items are text with perhaps some code or
/// emphasis: those are written directly, the same bytes pulldown-cmark would write,
/// without setting up its writer once per item. Events are borrowed: only the
/// fallback (links, images, raw HTML), which hands them to that writer, copies them.
///
/// `special` says whether the text may hold a byte to escape; without one, text is
/// copied as it is.
fn render_inline<'x, 'e: 'x>(
    events: impl Iterator<Item = &'x Event<'e>> + Clone,
    special: bool,
) -> String {
    let simple = events.clone().all(|e| {
        matches!(
            e,
            Event::Text(_)
                | Event::Code(_)
                | Event::SoftBreak
                | Event::Start(Tag::Strong | Tag::Emphasis | Tag::Strikethrough)
                | Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough)
        )
    });
    let mut html = if simple {
        let mut html = String::with_capacity(64);
        let text = |html: &mut String, t: &str| {
            if special {
                // Writing to a String cannot fail.
                let _ = escape_html_body_text(&mut *html, t);
            } else {
                html.push_str(t);
            }
        };
        for event in events {
            match event {
                Event::Text(t) => text(&mut html, t),
                Event::Code(t) => {
                    html.push_str("<code>");
                    text(&mut html, t);
                    html.push_str("</code>");
                }
                Event::Start(tag) => html.push_str(match tag {
                    Tag::Strong => "<strong>",
                    Tag::Emphasis => "<em>",
                    _ => "<del>",
                }),
                Event::End(tag) => html.push_str(match tag {
                    TagEnd::Strong => "</strong>",
                    TagEnd::Emphasis => "</em>",
                    _ => "</del>",
                }),
                _ => html.push('\n'),
            }
        }
        html
    } else {
        render_html(events.cloned())
    };
    let len = html.trim_end().len();
    html.truncate(len);
    html
}

fn sanitize<'e>(
    events: impl Iterator<Item = Event<'e>>,
    strip_comments: bool,
) -> impl Iterator<Item = Event<'e>> {
    let mut dropped: Vec<bool> = Vec::new();
    // An HTML block comes a line per event, so a comment may span several.
    let mut in_comment = false;
    events.filter_map(move |event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) if !strip_comments => Some(Event::Text(raw)),
        Event::Html(raw) | Event::InlineHtml(raw) => {
            let shown = without_comments(&raw, &mut in_comment);
            match shown {
                None => Some(Event::Text(raw)),
                Some(rest) if rest.trim().is_empty() => None,
                Some(rest) => Some(Event::Text(rest.into())),
            }
        }
        Event::Start(Tag::Link { ref dest_url, .. })
        | Event::Start(Tag::Image { ref dest_url, .. }) => {
            let ok = is_safe_url(dest_url);
            dropped.push(!ok);
            ok.then_some(event)
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            let was_dropped = dropped.pop().unwrap_or(false);
            (!was_dropped).then_some(event)
        }
        other => Some(other),
    })
}

/// `raw` HTML without its comments (`<!-- … -->`), which no Markdown renderer shows:
/// authors leave notes to each other and linters' switches there. `in_comment` carries
/// a comment left open into the next piece. `None` when there was none to take out.
fn without_comments(raw: &str, in_comment: &mut bool) -> Option<String> {
    if !*in_comment && !raw.contains("<!--") {
        return None;
    }
    let mut shown = String::new();
    let mut rest = raw;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return Some(shown),
            }
        }
        match rest.find("<!--") {
            Some(start) => {
                shown.push_str(&rest[..start]);
                // From its `--`: `<!-->` and `<!--->` are whole (empty) comments.
                rest = &rest[start + 2..];
                *in_comment = true;
            }
            None => {
                shown.push_str(rest);
                return Some(shown);
            }
        }
    }
}

/// Whether every comment the HTML among `events` opens is closed in it.
fn comments_close<'e>(events: impl Iterator<Item = Event<'e>>) -> bool {
    let mut in_comment = false;
    for event in events {
        if let Event::Html(raw) = event {
            without_comments(&raw, &mut in_comment);
        }
    }
    !in_comment
}

/// Adds an item's detail, unless it is HTML that was all comment: nothing to show,
/// and no empty box for it. Kept out of line: inlined, its few instructions slowed
/// the item loop around it by 4 % on the bench corpus.
#[inline(never)]
fn push_detail(details: &mut Vec<Block>, block: Block) {
    if !matches!(&block, Block::Html { html } if html.trim().is_empty()) {
        details.push(block);
    }
}

/// `html` in a block quote of `kind`, as pulldown-cmark writes one.
fn quoted_html(html: &str, kind: Option<pulldown_cmark::BlockQuoteKind>) -> String {
    let open = render_html(
        [
            Event::Start(Tag::BlockQuote(kind)),
            Event::End(TagEnd::BlockQuote(kind)),
        ]
        .into_iter(),
    );
    // `<blockquote…>\n</blockquote>\n`: the content goes between.
    match open.split_once('\n') {
        Some((start, end)) => format!("{start}\n{html}{end}"),
        None => html.to_owned(),
    }
}

/// `events` without the comments at their end (and the spaces between them).
fn without_trailing_comments<'e, 'a>(
    events: &'e [(Event<'a>, Range<usize>)],
) -> &'e [(Event<'a>, Range<usize>)] {
    let mut end = events.len();
    let mut comments = false;
    while let Some((event, _)) = end.checked_sub(1).and_then(|i| events.get(i)) {
        match event {
            Event::InlineHtml(html) if is_comment(html) => comments = true,
            Event::Text(t) if comments && t.trim().is_empty() => {}
            _ => break,
        }
        end -= 1;
    }
    &events[..end]
}

/// Whether an inline HTML event is a comment, which is no text of the item's.
fn is_comment(html: &str) -> bool {
    html.starts_with("<!--")
}

fn is_safe_url(url: &CowStr<'_>) -> bool {
    let url = url.trim();
    match url.find([':', '/', '?', '#']) {
        Some(i) if url.as_bytes()[i] == b':' => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Numbers footnotes across the page in the order they are first referred to, and
/// gives them IDs of their own (`fn:…`); returns those IDs. Each block is rendered on
/// its own, so each numbered its footnotes from 1, and a footnote's ID was its bare
/// label, which a section could have too. Labels match whatever their case, as
/// Markdown matches them.
fn number_footnotes(checklist: &mut Checklist) -> std::collections::HashSet<String> {
    let mut numbers: HashMap<String, usize> = HashMap::new();
    checklist.for_each_html_in_order(&mut |html| {
        for label in footnote_labels(html, REFERENCE) {
            let next = numbers.len() + 1;
            numbers.entry(label).or_insert(next);
        }
    });
    let mut ids = std::collections::HashSet::new();
    checklist.for_each_html_in_order(&mut |html| renumber_footnotes(html, &mut numbers, &mut ids));
    ids
}

/// pulldown-cmark's own markup, before and after a footnote's label: raw HTML from
/// the author is escaped by the time it is read.
const REFERENCE: (&str, &str) = ("<sup class=\"footnote-reference\"><a href=\"#", "\">");
const DEFINITION: (&str, &str) = (
    "<div class=\"footnote-definition\" id=\"",
    "\"><sup class=\"footnote-definition-label\">",
);

/// The labels of `html`'s footnotes of one kind, lowercased, in order.
fn footnote_labels(html: &str, (open, close): (&str, &str)) -> Vec<String> {
    html.match_indices(open)
        .filter_map(|(at, _)| {
            let rest = &html[at + open.len()..];
            rest.split_once(close)
                .map(|(label, _)| label.to_lowercase())
        })
        .collect()
}

fn renumber_footnotes(
    html: &mut String,
    numbers: &mut HashMap<String, usize>,
    ids: &mut std::collections::HashSet<String>,
) {
    if !html.contains("class=\"footnote-") {
        return;
    }
    let src = std::mem::take(html);
    let mut out = String::with_capacity(src.len() + 16);
    let find = |(open, _): (&str, &str), from: usize| src[from..].find(open).map(|i| from + i);
    // Where the next of each kind is, searched for again only once passed: searching
    // both from every footnote made a block of 20,000 definitions quadratic.
    let (mut next_ref, mut next_def) = (find(REFERENCE, 0), find(DEFINITION, 0));
    let mut pos = 0;
    loop {
        let (at, (open, close)) = match (next_ref, next_def) {
            (Some(r), Some(d)) if r < d => (r, REFERENCE),
            (Some(r), None) => (r, REFERENCE),
            (_, Some(d)) => (d, DEFINITION),
            (None, None) => break,
        };
        out.push_str(&src[pos..at + open.len()]);
        pos = at + open.len();
        let Some((label, after)) = src[pos..].split_once(close) else {
            break;
        };
        let label = label.to_lowercase();
        // A definition no text refers to comes after those referred to.
        let next = numbers.len() + 1;
        let number = *numbers.entry(label.clone()).or_insert(next);
        // `:` is in no section, item or field ID, so none can be a footnote's.
        let id = format!("fn:{label}");
        out.push_str(&id);
        ids.insert(id);
        out.push_str(close);
        out.push_str(&number.to_string());
        pos = src.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if next_ref.is_some_and(|r| r < pos) {
            next_ref = find(REFERENCE, pos);
        }
        if next_def.is_some_and(|d| d < pos) {
            next_def = find(DEFINITION, pos);
        }
    }
    out.push_str(&src[pos..]);
    *html = out;
}

/// Points each link to a heading as GitHub names it (`#code-quality`) at the ID the
/// heading's section has on the page (`#pre-deployment.code-quality`).
fn link_github_anchors(checklist: &mut Checklist, footnotes: &std::collections::HashSet<String>) {
    let anchors = checklist.github_anchors();
    if anchors.is_empty() {
        return;
    }
    checklist.rewrite_links(&mut |href| {
        let fragment = href.strip_prefix('#')?;
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        if footnotes.contains(fragment.as_ref()) {
            return None;
        }
        anchors.get(fragment.as_ref()).map(|id| format!("#{id}"))
    });
}

/// A link (or image) in a checklist source: where it points, as written, and where it
/// is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as Markdown reads it (escapes and entities resolved).
    pub dest: String,
    /// Byte offsets into the file as read, counting a byte order mark, as a
    /// [`Diagnostic`]'s do; `line` and `column` point at `start`.
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
}

/// Every link and image of a checklist source, in order. For a caller that found a
/// link in the model that leads nowhere and must say where it was written: the model
/// keeps rendered HTML, not positions.
pub fn links(src: &str) -> Vec<Link> {
    let (body, bom) = match src.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (src, 0),
    };
    let lines = LineIndex::new(body);
    // See `parse` on why pulldown-cmark may panic; a link's position is not worth one.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| links_in(body, bom, &lines)))
        .unwrap_or_default()
}

fn links_in(body: &str, bom: usize, lines: &LineIndex) -> Vec<Link> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter_map(|(event, span)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let (line, column) = lines.locate(body, span.start);
                Some(Link {
                    dest: dest_url.into_string(),
                    start: span.start + bom,
                    end: span.end + bom,
                    line,
                    column,
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    // Review R: a task under 34 levels of bullets got E008 and W002 "no `- [ ]` items
    // in this file" side by side.
    #[test]
    fn a_file_whose_only_task_is_nested_too_deep_gets_e008_alone() {
        let mut src = String::from("# T\n\n");
        for level in 0..34 {
            src.push_str(&format!("{}- step\n", "  ".repeat(level)));
        }
        src.push_str(&format!("{}- [ ] deep\n", "  ".repeat(34)));
        let codes: Vec<String> = crate::parse_str("t", &src)
            .diagnostics
            .into_iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, [codes::NESTED_TOO_DEEP]);
    }

    // 50,000 repeats of one line took over a minute: each counted up from `-2`.
    #[test]
    fn repeated_ids_are_numbered_in_linear_time_and_skip_taken_numbers() {
        let mut ids = IdSet::for_source(0);
        assert!(ids.insert("step"));
        assert!(ids.insert("step-3"));
        let numbered: Vec<String> = (0..10_000).map(|_| ids.numbered("step")).collect();
        assert_eq!(numbered[..3], ["step-2", "step-4", "step-5"]);
        assert_eq!(numbered.last().map(String::as_str), Some("step-10002"));
        // One try each, and one more for the number an explicit ID had taken.
        assert_eq!(ids.tries, 10_001);
        // An ID that is itself numbered-looking starts its own count.
        assert!(ids.insert("step-2-x"));
        assert_eq!(ids.numbered("step-2-x"), "step-2-x-2");
    }

    use super::*;
    use crate::model::needs_escape;

    fn ok(src: &str) -> Checklist {
        let parsed = parse_str("x", src);
        let errors: Vec<_> = parsed.errors().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{errors:?}");
        parsed.checklist.unwrap()
    }

    #[test]
    fn attrs_set_id_and_requiredness_and_leave_the_text() {
        let c = ok("# T\n- [ ] Rotate keys {#rotate optional}\n- [ ] Plain {curly}\n");
        let items = c.all_items();
        assert_eq!(items[0].id, "rotate");
        assert_eq!(items[0].text, "Rotate keys");
        assert!(!items[0].required);
        assert_eq!(items[1].text, "Plain {curly}");
    }

    #[test]
    fn footnotes_in_an_item_are_numbered_with_the_rest_of_the_page() {
        let src = "# T\n\nFirst[^b].\n\n- [ ] Deploy[^a] now[^b]\n\n[^a]: A.\n[^b]: B.\n";
        let c = parse_str("t", src).checklist.unwrap();
        let item = &c.items[0];
        assert!(
            item.html.contains(r##"<a href="#fn:a">2</a>"##)
                && item.html.contains(r##"<a href="#fn:b">1</a>"##),
            "{}",
            item.html
        );
    }

    #[test]
    fn a_comment_left_open_in_a_list_item_with_tabs_is_reported_without_a_panic() {
        // Found by the fuzzer: the comment's offset was worked out from the event's
        // text, whose tabs pulldown-cmark had expanded, and fell inside a character.
        let bytes: &[u8] = b"\x01\x00;\x0a<\x01\x00\x00\x00<;;\x0a<DD\x0a<DD\x09-\x09\x09`1\x09\x05\x00\x0d\x0d\x0a\x09\x09\x09\x09\x09\x09\x09\x09<!--\x09-\x00\x09-\x09\x09`1\x09\x05\x00\x0d\x0d\x0a\x0a<DD\x09-\x09\x09`1\x09\x05\x00\x0d\x0d\x0a\x09\x09\x09\x09\x09\x09\x09\x09\x05\x00\x0d\x0d<!--\x09FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\x09\x09`1\x09\x05\x00\x0d\x0d0\x0a";
        let parsed = parse("t", bytes);
        assert!(
            parsed
                .diagnostics
                .iter()
                .any(|d| d.code == codes::UNCLOSED_COMMENT)
        );
    }

    #[test]
    fn a_file_the_markdown_library_fails_on_is_read_again_without_heading_attributes() {
        // pulldown-cmark 0.13 panics here (review P): a quote's lazy line, then `{…}`
        // above a setext underline.
        let parsed = parse_str(
            "t",
            "# Release\n\n> Rollback plan\nsee the runbook\n> {#rollback}\n> ---\n\n- [ ] Deploy\n",
        );
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, [codes::HEADING_ATTRIBUTES_IGNORED]);
        let c = parsed.checklist.unwrap();
        assert_eq!(c.item_count(), 1);
    }

    #[test]
    fn an_empty_comment_closes_where_html_closes_it() {
        for (raw, shown) in [
            ("a <!--> b", "a  b"),
            ("a <!---> b", "a  b"),
            ("a <!-- - --> b", "a  b"),
        ] {
            let mut open = false;
            assert_eq!(
                without_comments(raw, &mut open).as_deref(),
                Some(shown),
                "{raw}"
            );
            assert!(!open, "{raw}");
        }
    }

    #[test]
    fn a_comment_in_a_field_line_leaves_the_field() {
        let c = parse_str("t", "# T\n\n- [ ] x\n\nOwner <!-- who --> name: ____\n")
            .checklist
            .unwrap();
        let ids: Vec<&str> = c.fields.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["field.owner-name"]);
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_whatever_their_case_or_a_heading_of_that_name() {
        let src = "# T\n\n[^later]: Defined first.\n\n## Code quality\n\n- [ ] See [top](#code-quality)[^Code-Quality] and[^later]\n\n[^code-quality]: A note.\n";
        let c = parse_str("t", src).checklist.unwrap();
        let mut html = String::new();
        let mut c = c;
        c.for_each_html_in_order(&mut |h| html.push_str(h));
        for expected in [
            r##"<a href="#fn:code-quality">1</a>"##,
            r##"<a href="#fn:later">2</a>"##,
            r##"id="fn:later"><sup class="footnote-definition-label">2</sup>"##,
            r##"id="fn:code-quality"><sup class="footnote-definition-label">1</sup>"##,
            // The heading's link is still the heading's.
            r##"<a href="#code-quality">top</a>"##,
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
    }

    #[test]
    fn a_comment_over_several_lines_is_left_out_and_what_follows_it_kept() {
        let src = "# T\n\n<!--\nTODO(alice): not for on-call\n-->\n\n<div>\n<!-- a --><b>kept</b>\n</div>\n\n- [ ] x\n";
        let c = parse_str("t", src).checklist.unwrap();
        let html: String = c
            .intro
            .iter()
            .filter_map(|b| match b {
                Block::Html { html } => Some(html.as_str()),
                _ => None,
            })
            .collect();
        assert!(!html.contains("TODO") && !html.contains("<!--"), "{html}");
        assert!(html.contains("&lt;b&gt;kept&lt;/b&gt;"), "{html}");
    }

    proptest::proptest! {
        #[test]
        fn locating_in_any_order_agrees_with_counting_from_the_start(
            text in "[a\n\u{e9}\r]{0,60}",
            picks in proptest::collection::vec(0usize..100, 1..12),
        ) {
            // Spans are mostly located in source order, which the index's hint is
            // for; diagnostics can point back.
            let lines = LineIndex::new(&text);
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            for pick in picks {
                let offset = boundaries[pick % boundaries.len()];
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                proptest::prop_assert_eq!(lines.locate(&text, offset), (line, column), "offset {}", offset);
            }
        }

        #[test]
        fn one_pass_over_the_bytes_agrees_with_hashing_and_indexing_apart(
            text in "[a\n\u{e9}\0\u{feff}]{0,200}",
        ) {
            let scan = Scan::of(text.as_bytes());
            proptest::prop_assert_eq!(scan.sha256, <[u8; 32]>::from(Sha256::digest(text.as_bytes())));
            proptest::prop_assert_eq!(scan.nul, text.contains('\0'));
            proptest::prop_assert_eq!(&scan.line_starts, &LineIndex::new(&text).starts);
            // After a byte order mark, lines count from the text that follows it.
            if let Some(rest) = text.strip_prefix('\u{feff}') {
                let after = LineIndex::after_bom(scan.line_starts, 3);
                proptest::prop_assert_eq!(after.starts, LineIndex::new(rest).starts);
            }
        }

        #[test]
        fn the_collapsed_fast_path_agrees_with_collapsing(text in "[ a_\t\u{e9}\n\u{7f}&<>(]{0,70}") {
            let shape = Shape::of(&text);
            proptest::prop_assert_eq!(
                shape.collapsed,
                collapse_whitespace(&text) == text && text.is_ascii() && !text.contains("__")
            );
            proptest::prop_assert_eq!(shape.special, needs_escape(&text));
            proptest::prop_assert_eq!(shape.paren, text.contains('('));
            let blanky = has_blank(&text);
            proptest::prop_assert_eq!(blanky, underscore_runs(&text).next().is_some());
        }

        #[test]
        fn in_place_collapsing_agrees_with_collapsing(text in "[ a\t\n\r\u{b}\u{c}\u{1f}\u{85}\u{a0}\u{e9}]{0,40}") {
            proptest::prop_assert_eq!(collapse_owned(text.clone()), collapse_whitespace(&text));
        }

        // The allocation-free readings of ASCII text must answer as lowercasing did.
        #[test]
        fn label_and_heading_words_read_as_lowercased_text(
            text in "(?i)(date|name|by|notes?|comments|sign[- ]?off|approval|x|s|\u{130}|\u{212a}|[ :/-]){0,6}"
        ) {
            let l = text.to_lowercase();
            let words: Vec<&str> = l
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let kind = if DATE_WORDS.iter().any(|k| words.contains(k)) {
                FieldKind::Date
            } else if words.contains(&"name") || words.last() == Some(&"by") {
                FieldKind::Name
            } else if matches!(words.as_slice(), ["notes"] | ["note"] | ["comments"]) {
                FieldKind::Notes
            } else {
                FieldKind::Text
            };
            proptest::prop_assert_eq!(field_kind(&text), kind);
            // English words as words of their own (or plural), padded so that the
            // ends of the heading count as boundaries; the rest anywhere.
            let padded = format!(" {l} ");
            let english = SIGNOFF_WORDS[..ENGLISH_SIGNOFF_WORDS].iter().any(|k| {
                [k.to_string(), format!("{k}s")].iter().any(|w| {
                    padded.match_indices(w.as_str()).any(|(i, _)| {
                        let around = |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric());
                        around(padded[..i].chars().next_back())
                            && around(padded[i + w.len()..].chars().next())
                    })
                })
            });
            let signoff = english
                || SIGNOFF_WORDS[ENGLISH_SIGNOFF_WORDS..]
                    .iter()
                    .chain(&SIGNOFF_WORDS_BEYOND_ASCII)
                    .any(|k| l.contains(k));
            proptest::prop_assert_eq!(is_signoff_heading(&text), signoff);
        }
    }

    #[test]
    fn blank_lengths_do_not_change_ids() {
        let a = ok("# T\n## Sign-Off\n- [ ] QA Lead: ___ Date: ___\n");
        let b = ok("# T\n## Sign-Off\n- [ ] QA Lead: ______________ Date: ________\n");
        assert_eq!(a.all_items()[0].id, b.all_items()[0].id);
    }

    #[test]
    fn field_kinds_follow_their_labels() {
        assert_eq!(field_kind("Deployment Date"), FieldKind::Date);
        assert_eq!(field_kind("Name"), FieldKind::Name);
        assert_eq!(field_kind("Deployed By"), FieldKind::Name);
        assert_eq!(field_kind("Notes"), FieldKind::Notes);
        assert_eq!(field_kind("Version"), FieldKind::Text);
    }

    #[test]
    fn invalid_utf8_reports_line_column_and_offset() {
        let parsed = parse("a", b"# T\n- [ ] ok\xff\n");
        let d = &parsed.diagnostics[0];
        assert!(parsed.checklist.is_none());
        assert_eq!(
            (d.code.as_str(), d.line, d.column, d.start),
            ("E001", 2, 9, 12)
        );
        assert_eq!(
            d.message,
            "file is not valid UTF-8 (invalid byte at offset 12)"
        );
        let after_bom = parse("a", b"\xef\xbb\xbf# T\xff\n");
        let d = &after_bom.diagnostics[0];
        assert_eq!((d.line, d.column, d.start), (1, 4, 6));
    }

    #[test]
    fn source_sha256_is_of_the_raw_bytes() {
        let c = ok("# T\n- [ ] a\n");
        assert_eq!(c.source_sha256.len(), 64);
        assert_eq!(
            c.source_sha256,
            format!("{:x}", Sha256::digest(b"# T\n- [ ] a\n")),
            "hash must cover the bytes exactly as read"
        );
    }

    #[test]
    fn nul_reads_as_replacement_character_and_diagnostics_keep_file_offsets() {
        let src = "# T\0\n\n- [ ] a\0b\n- [ ] x\0: ____\n\n## Sign-off\n\n- [ ] \0 ____\n";
        let parsed = parse("a", src.as_bytes());
        let c = parsed.checklist.as_ref().unwrap();
        assert_eq!(c.title, "T\u{fffd}");
        let items = c.all_items();
        assert_eq!(items[0].text, "a\u{fffd}b");
        assert_eq!(items[1].fields[0].label, "x\u{fffd}");
        // The role is only a NUL, which is text: no E006, so look at a W001 instead.
        let bad = parse("a", "# T\n\0\0 x\n- [ ]\n".as_bytes());
        let d = bad
            .diagnostics
            .iter()
            .find(|d| d.code == codes::EMPTY_ITEM)
            .unwrap();
        assert_eq!((d.line, d.column), (3, 1));
        assert_eq!(
            d.start,
            "# T\n\0\0 x\n".len(),
            "offsets count the file's bytes"
        );
        assert!(!serde_json::to_string(c).unwrap().contains("\\u0000"));
    }

    #[test]
    fn date_blanks_in_other_languages_are_dates() {
        for label in ["Datum", "Fecha", "日付", "التاريخ", "Дата"] {
            assert_eq!(field_kind(label), FieldKind::Date, "{label}");
        }
    }

    #[test]
    fn approval_headings_in_other_languages_make_signoffs() {
        for heading in [
            "Freigabe",
            "Aprobaciones",
            "承認",
            "Утверждение",
            "الموافقة",
        ] {
            let src = format!("# T\n\n## {heading}\n\n- [ ] Lead: ____\n");
            let c = parse("a", src.as_bytes()).checklist.unwrap();
            assert_eq!(c.all_items()[0].kind, ItemKind::Signoff, "{heading}");
        }
        let c = ok("# T\n\n## Validierung\n\n- [ ] Tests: ____\n");
        assert_eq!(c.all_items()[0].kind, ItemKind::Task);
    }

    #[test]
    fn front_matter_errors_point_at_the_open_bracket_and_the_second_key() {
        let first = |fm: &str| {
            let src = format!("---\n{fm}---\n# H\n\n- [ ] x\n");
            let d = parse("a", src.as_bytes()).diagnostics.remove(0);
            (d.line, d.column, d.message)
        };
        let (line, column, message) = first("title: T\ntags: [a\n");
        assert_eq!((line, column), (3, 7), "{message}");
        assert!(message.contains("this `[` is never closed"), "{message}");
        let (line, column, message) = first("title: A\ntitle: B\n");
        assert_eq!((line, column), (3, 1));
        assert!(
            message.ends_with("`title` is given twice; keep one"),
            "{message}"
        );
    }

    #[test]
    fn a_misspelt_front_matter_key_suggests_the_key_meant() {
        let help = |key: &str| {
            let src = format!("---\n{key}: x\n---\n# T\n\n- [ ] a\n");
            let parsed = parse("a", src.as_bytes());
            parsed.diagnostics[0].help.clone().unwrap_or_default()
        };
        assert_eq!(help("tittle"), "did you mean `title`?");
        assert_eq!(help("Owner"), "did you mean `owner`?");
        assert_eq!(help("tag"), "did you mean `tags`?");
        assert!(help("reviewer").starts_with("known keys: id, title"));
        assert!(
            help("by").starts_with("known keys"),
            "too short to guess from"
        );
    }

    #[test]
    fn an_empty_id_block_suggests_the_id_the_item_has() {
        let src = "# T\n\n- [ ] Backup\n\n## Db\n\n- [ ] Backup\n- [ ] Backup {#}\n";
        let parsed = parse("a", src.as_bytes());
        let typo = parsed
            .diagnostics
            .iter()
            .find(|d| d.code == codes::ATTRIBUTE_TYPO);
        let help = typo.and_then(|d| d.help.clone()).unwrap();
        assert_eq!(help, "did you mean `{#db.backup-2}`?");
        let id = parsed.checklist.unwrap().all_items()[2].id.clone();
        // Taking the advice keeps the ID, and with it the saved progress.
        let fixed = src.replace("{#}", "{#db.backup-2}");
        let reparsed = parse("a", fixed.as_bytes());
        assert!(
            reparsed.diagnostics.is_empty(),
            "{:?}",
            reparsed.diagnostics
        );
        assert_eq!(reparsed.checklist.unwrap().all_items()[2].id, id);
    }

    #[test]
    fn a_blank_added_on_a_continuation_line_keeps_the_items_id() {
        let without = ok("# T\n\n- [ ] Snapshot\n  Use the nightly one.\n");
        let with = ok("# T\n\n- [ ] Snapshot\n  Use the nightly one.\n  Snapshot ID: ____\n");
        assert_eq!(with.items[0].id, without.items[0].id);
        assert_eq!(with.items[0].fields[0].label, "Snapshot ID");
    }
}
