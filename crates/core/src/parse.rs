//! Markdown → [`Checklist`].
//!
//! The parser works on pulldown-cmark's event stream with source offsets. It first
//! collects every event, then walks the top-level blocks, so that each list, heading
//! and paragraph can be looked at as a whole (a list is only known to be a task list
//! once its items have been seen).

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::error::ParseError;
use crate::model::{Block, Checklist, Item, MetaEntry, Section};
use crate::slug::slugify;

/// Parses raw file bytes. `name` is used in error messages, `id` becomes the checklist ID.
pub fn parse_bytes(name: &str, id: &str, bytes: &[u8]) -> Result<Checklist, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(src) => Ok(parse_str(id, src)),
        Err(err) => {
            let offset = err.valid_up_to();
            let before = &bytes[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            // Columns count characters; everything before `offset` is valid UTF-8.
            let column = String::from_utf8_lossy(&bytes[line_start..offset])
                .chars()
                .count()
                + 1;
            Err(ParseError::InvalidUtf8 {
                name: name.to_owned(),
                offset,
                line,
                column,
            })
        }
    }
}

/// Parses Markdown source. It never fails: anything that is not a checklist construct
/// is kept as rendered content, so nothing an author wrote is dropped.
pub fn parse_str(id: &str, src: &str) -> Checklist {
    // A BOM is invisible to authors; dropping it lets line 1 parse as a heading.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut builder = Builder::new(src);
    builder.run();
    builder.finish(id)
}

fn options() -> Options {
    Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
}

struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn locate(&self, src: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = src.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }
}

struct Builder<'a> {
    src: &'a str,
    lines: LineIndex,
    events: Vec<(Event<'a>, Range<usize>)>,
    /// For each `Start` event, the index of its `End`; computed once so walking nested
    /// blocks stays linear.
    ends: Vec<usize>,
    title: Option<String>,
    meta: Vec<MetaEntry>,
    intro: Vec<Block>,
    /// Open sections, outermost first.
    stack: Vec<Section>,
    done: Vec<Section>,
    /// Sections and items share one ID space: both become anchors in the same page.
    ids: HashSet<String>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str) -> Self {
        let events: Vec<_> = Parser::new_ext(src, options()).into_offset_iter().collect();
        let ends = matching_ends(&events);
        Self {
            src,
            lines: LineIndex::new(src),
            events,
            ends,
            title: None,
            meta: Vec::new(),
            intro: Vec::new(),
            stack: Vec::new(),
            done: Vec::new(),
            ids: HashSet::new(),
        }
    }

    fn run(&mut self) {
        let mut pos = 0;
        while pos < self.events.len() {
            let end = self.block_end(pos);
            match &self.events[pos].0 {
                Event::Start(Tag::Heading { level, .. }) => {
                    let level = heading_level(*level);
                    let text = plain_text(&self.events[pos + 1..end]);
                    let (line, _) = self.locate(pos);
                    if level == 1 && self.title.is_none() && self.stack.is_empty() {
                        self.title = Some(text);
                    } else {
                        self.open_section(level, text, line);
                    }
                }
                Event::Start(Tag::List(first)) => {
                    let first = *first;
                    let blocks = self.list_blocks(pos, end, first);
                    self.push_blocks(blocks);
                }
                Event::Start(Tag::Paragraph) if self.stack.is_empty() => {
                    match meta_lines(&self.events[pos + 1..end]) {
                        Some(entries) => self.meta.extend(entries),
                        None => {
                            let block = self.content_block(pos, end);
                            self.push_blocks(vec![block]);
                        }
                    }
                }
                _ => {
                    let block = self.content_block(pos, end);
                    self.push_blocks(vec![block]);
                }
            }
            pos = end + 1;
        }
    }

    fn finish(mut self, id: &str) -> Checklist {
        while self.close_section() {}
        Checklist {
            id: id.to_owned(),
            title: self.title.unwrap_or_else(|| id.to_owned()),
            meta: self.meta,
            intro: self.intro,
            sections: self.done,
        }
    }

    fn locate(&self, event: usize) -> (usize, usize) {
        self.lines.locate(self.src, self.events[event].1.start)
    }

    /// Index of the event that closes the block opened at `start` (or `start` itself
    /// for a single-event block such as a rule).
    fn block_end(&self, start: usize) -> usize {
        self.ends[start]
    }

    fn open_section(&mut self, level: u8, title: String, line: usize) {
        while self.stack.last().is_some_and(|s| s.level >= level) {
            self.close_section();
        }
        let parent = self.stack.last().map(|s| s.id.clone());
        let id = unique_id(
            &mut self.ids,
            &slugify(&title),
            "section",
            parent.as_deref(),
        );
        self.stack.push(Section {
            id,
            title,
            level,
            line,
            blocks: Vec::new(),
            sections: Vec::new(),
        });
    }

    /// Closes the innermost open section; false when none was open.
    fn close_section(&mut self) -> bool {
        let Some(section) = self.stack.pop() else {
            return false;
        };
        match self.stack.last_mut() {
            Some(parent) => parent.sections.push(section),
            None => self.done.push(section),
        }
        true
    }

    fn push_blocks(&mut self, blocks: Vec<Block>) {
        let target = match self.stack.last_mut() {
            Some(section) => &mut section.blocks,
            None => &mut self.intro,
        };
        for block in blocks {
            // Adjacent rendered content is merged so the model stays small.
            if let (Some(Block::Html { html: prev }), Block::Html { html }) =
                (target.last_mut(), &block)
            {
                prev.push_str(html);
                continue;
            }
            target.push(block);
        }
    }

    fn current_section_id(&self) -> Option<String> {
        self.stack.last().map(|s| s.id.clone())
    }

    /// A block that is not a checklist construct: code is kept as code, the rest rendered.
    fn content_block(&self, start: usize, end: usize) -> Block {
        if let Event::Start(Tag::CodeBlock(kind)) = &self.events[start].0 {
            let lang = match kind {
                pulldown_cmark::CodeBlockKind::Fenced(info) => info
                    .split_whitespace()
                    .next()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned),
                pulldown_cmark::CodeBlockKind::Indented => None,
            };
            let code = self.events[start + 1..end]
                .iter()
                .filter_map(|(e, _)| match e {
                    Event::Text(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let (line, _) = self.locate(start);
            return Block::Code { lang, code, line };
        }
        Block::Html {
            html: render_html(self.events[start..=end].iter().map(|(e, _)| e.clone())),
        }
    }

    /// Splits one Markdown list into task blocks and plain-list blocks, keeping order.
    fn list_blocks(&mut self, start: usize, end: usize, first: Option<u64>) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut pos = start + 1;
        let mut index = 0u64;
        let mut plain: Vec<Range<usize>> = Vec::new();
        let mut tasks: Vec<Item> = Vec::new();
        let mut run_start = 0u64;
        while pos < end {
            let item_end = self.block_end(pos);
            if self.task_marker(pos).is_some() {
                if !plain.is_empty() {
                    blocks.push(self.plain_list(&plain, first.map(|n| n + run_start)));
                    plain.clear();
                }
                if tasks.is_empty() {
                    run_start = index;
                }
                tasks.push(self.task_item(pos, item_end));
            } else {
                if !tasks.is_empty() {
                    blocks.push(Block::Tasks {
                        ordered: first.is_some(),
                        start: first.map(|n| n + run_start),
                        items: std::mem::take(&mut tasks),
                    });
                }
                if plain.is_empty() {
                    run_start = index;
                }
                plain.push(pos..item_end + 1);
            }
            index += 1;
            pos = item_end + 1;
        }
        if !tasks.is_empty() {
            blocks.push(Block::Tasks {
                ordered: first.is_some(),
                start: first.map(|n| n + run_start),
                items: tasks,
            });
        }
        if !plain.is_empty() {
            blocks.push(self.plain_list(&plain, first.map(|n| n + run_start)));
        }
        blocks
    }

    fn plain_list(&self, items: &[Range<usize>], start: Option<u64>) -> Block {
        let events = std::iter::once(Event::Start(Tag::List(start)))
            .chain(
                items
                    .iter()
                    .flat_map(|r| self.events[r.clone()].iter().map(|(e, _)| e.clone())),
            )
            .chain(std::iter::once(Event::End(TagEnd::List(start.is_some()))));
        Block::Html {
            html: render_html(events),
        }
    }

    /// Where the task marker of the list item opened at `item` is, and whether it is ticked.
    fn task_marker(&self, item: usize) -> Option<(usize, bool)> {
        let mut pos = item + 1;
        if matches!(
            self.events.get(pos),
            Some((Event::Start(Tag::Paragraph), _))
        ) {
            pos += 1;
        }
        match self.events.get(pos) {
            Some((Event::TaskListMarker(checked), _)) => Some((pos, *checked)),
            _ => None,
        }
    }

    fn task_item(&mut self, start: usize, end: usize) -> Item {
        let (marker, checked) = self.task_marker(start).unwrap_or((start, false));
        let loose = matches!(self.events[start + 1].0, Event::Start(Tag::Paragraph));
        // The item's own text runs to the end of its first paragraph (loose lists) or to
        // the first nested block (tight lists).
        let mut pos = marker + 1;
        let text_start = pos;
        while pos < end {
            match &self.events[pos].0 {
                Event::End(TagEnd::Paragraph) if loose => break,
                Event::Start(tag) if is_block(tag) => break,
                _ => pos += 1,
            }
        }
        let text_events = &self.events[text_start..pos];
        let text = plain_text(text_events);
        let html = render_html(text_events.iter().map(|(e, _)| e.clone()));
        if loose {
            pos += 1;
        }
        let (line, column) = self.locate(start);
        let section = self.current_section_id();
        let id = unique_id(&mut self.ids, &slugify(&text), "item", section.as_deref());

        let mut details = Vec::new();
        let mut children = Vec::new();
        while pos < end {
            let block_end = self.block_end(pos);
            match &self.events[pos].0 {
                Event::Start(Tag::List(first)) => {
                    let first = *first;
                    for block in self.list_blocks(pos, block_end, first) {
                        match block {
                            Block::Tasks { items, .. } => children.extend(items),
                            other => details.push(other),
                        }
                    }
                }
                _ => details.push(self.content_block(pos, block_end)),
            }
            pos = block_end + 1;
        }
        Item {
            id,
            text,
            html,
            checked,
            line,
            column,
            details,
            children,
        }
    }
}

fn matching_ends(events: &[(Event<'_>, Range<usize>)]) -> Vec<usize> {
    let mut ends: Vec<usize> = (0..events.len()).collect();
    let mut open = Vec::new();
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
    for start in open {
        ends[start] = events.len().saturating_sub(1);
    }
    ends
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

/// Picks an ID that is not taken yet: the slug itself, then the slug under its parent,
/// then numbered. Position never enters, so inserting an item elsewhere leaves IDs alone.
fn unique_id(
    taken: &mut HashSet<String>,
    slug: &str,
    fallback: &str,
    parent: Option<&str>,
) -> String {
    let base = if slug.is_empty() { fallback } else { slug };
    let mut candidates = vec![base.to_owned()];
    if let Some(parent) = parent {
        candidates.push(format!("{parent}-{base}"));
    }
    for candidate in candidates {
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    let stem = match parent {
        Some(parent) => format!("{parent}-{base}"),
        None => base.to_owned(),
    };
    let mut n = 2;
    loop {
        let candidate = format!("{stem}-{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// The visible text of inline events, whitespace collapsed.
fn plain_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut raw = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                raw.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => raw.push(' '),
            _ => {}
        }
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `**Key**: value` (or `**Key:** value`) lines, one per line of a paragraph. Returns
/// `None` unless every line has that shape and a value, so prose is never swallowed.
fn meta_lines(events: &[(Event<'_>, Range<usize>)]) -> Option<Vec<MetaEntry>> {
    let mut entries = Vec::new();
    for line in events.split(|(e, _)| matches!(e, Event::SoftBreak | Event::HardBreak)) {
        let [
            (Event::Start(Tag::Strong), _),
            (Event::Text(key), _),
            (Event::End(TagEnd::Strong), _),
            rest @ ..,
        ] = line
        else {
            return None;
        };
        let value = plain_text(rest);
        let (key, value) = match key.strip_suffix(':') {
            Some(key) => (key.trim(), value.trim()),
            None => (key.trim(), value.strip_prefix(':')?.trim()),
        };
        // A blank to fill in is not metadata; the format issue turns it into a field.
        if key.is_empty() || value.is_empty() || value.chars().all(|c| c == '_') {
            return None;
        }
        entries.push(MetaEntry {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    (!entries.is_empty()).then_some(entries)
}

/// Renders events to HTML that is safe to embed: raw HTML is shown as text, and links
/// or images with a scheme other than http(s)/mailto lose their URL.
fn render_html<'e>(events: impl Iterator<Item = Event<'e>>) -> String {
    let mut dropped: Vec<bool> = Vec::new();
    let safe = events.filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
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
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, safe);
    html
}

fn is_safe_url(url: &CowStr<'_>) -> bool {
    let url = url.trim();
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if url.as_bytes()[i] == b':' => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_comes_from_the_first_h1() {
        let c = parse_str("x", "# Launch\n\n- [ ] Go\n");
        assert_eq!(c.title, "Launch");
        assert_eq!(c.item_count(), 1);
    }

    #[test]
    fn missing_title_falls_back_to_the_id() {
        let c = parse_str("deploy", "- [ ] Go\n");
        assert_eq!(c.title, "deploy");
    }

    #[test]
    fn meta_lines_before_the_first_section_become_metadata() {
        let c = parse_str(
            "x",
            "# T\n\n**Date**: October 26, 2025  \n**Version:** 1.0.0\n",
        );
        let pairs: Vec<_> = c
            .meta
            .iter()
            .map(|m| (m.key.as_str(), m.value.as_str()))
            .collect();
        assert_eq!(pairs, [("Date", "October 26, 2025"), ("Version", "1.0.0")]);
        assert!(c.intro.is_empty());
    }

    #[test]
    fn sections_nest_by_heading_level() {
        let c = parse_str("x", "# T\n## A\n### A1\n### A2\n## B\n");
        let titles: Vec<_> = c.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["A", "B"]);
        assert_eq!(c.sections[0].sections.len(), 2);
    }

    #[test]
    fn ordered_and_bulleted_task_items_are_items() {
        let src = "# T\n## S\n1. [ ] one\n2. [x] two\n\n* [ ] three\n+ [X] four\n";
        let c = parse_str("x", src);
        let items = c.items();
        assert_eq!(items.len(), 4);
        assert_eq!(items.iter().filter(|i| i.checked).count(), 2);
        assert_eq!((items[1].line, items[1].column), (4, 1));
    }

    #[test]
    fn plain_bullets_and_code_are_kept_as_content() {
        let src = "# T\n## S\n- plain\n- [ ] task\n\n```bash\necho hi\n```\n";
        let c = parse_str("x", src);
        let blocks = &c.sections[0].blocks;
        assert!(matches!(&blocks[0], Block::Html { html } if html.contains("<li>plain</li>")));
        assert!(matches!(&blocks[1], Block::Tasks { items, .. } if items.len() == 1));
        assert!(
            matches!(&blocks[2], Block::Code { lang: Some(l), code, .. } if l == "bash" && code == "echo hi\n")
        );
    }

    #[test]
    fn nested_task_items_become_children() {
        let src = "# T\n- [ ] parent\n  - [ ] child\n  - note\n";
        let c = parse_str("x", src);
        let parent = c.items()[0];
        assert_eq!(parent.children.len(), 1);
        assert_eq!(parent.children[0].text, "child");
        assert!(matches!(&parent.details[0], Block::Html { html } if html.contains("note")));
    }

    #[test]
    fn duplicate_item_texts_get_distinct_ids_from_their_section() {
        let src = "# T\n## Config\n- [ ] Env documented\n## Docs\n- [ ] Env documented\n";
        let ids: Vec<_> = parse_str("x", src)
            .items()
            .iter()
            .map(|i| i.id.clone())
            .collect();
        assert_eq!(ids, ["env-documented", "docs-env-documented"]);
    }

    #[test]
    fn inserting_an_item_does_not_change_other_ids() {
        let before = parse_str("x", "# T\n- [ ] a\n- [ ] b\n");
        let after = parse_str("x", "# T\n- [ ] new\n- [ ] a\n- [ ] b\n");
        let ids = |c: &Checklist| c.items().iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&before), ["a", "b"]);
        assert_eq!(ids(&after), ["new", "a", "b"]);
    }

    #[test]
    fn raw_html_is_escaped_and_script_urls_are_dropped() {
        let src =
            "# T\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://a.example)\n";
        let c = parse_str("x", src);
        let Block::Html { html } = &c.intro[0] else {
            panic!("expected html")
        };
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://a.example\""));
    }

    #[test]
    fn crlf_and_bom_keep_line_numbers_right() {
        let c = parse_str("x", "\u{feff}# T\r\n\r\n- [ ] a\r\n- [ ] b\r\n");
        assert_eq!(c.title, "T");
        let lines: Vec<_> = c.items().iter().map(|i| i.line).collect();
        assert_eq!(lines, [3, 4]);
    }

    #[test]
    fn invalid_utf8_reports_line_column_and_offset() {
        let err = parse_bytes("a.md", "a", b"# T\n- [ ] ok\xff\n").unwrap_err();
        assert_eq!(
            err,
            ParseError::InvalidUtf8 {
                name: "a.md".into(),
                offset: 12,
                line: 2,
                column: 9
            }
        );
        assert_eq!(
            err.to_string(),
            "a.md:2:9: file is not valid UTF-8 (invalid byte at offset 12)"
        );
    }
}
