//! The body of a checklist page (sections, items, fields, content blocks), written
//! directly rather than through the template engine.
//!
//! This is most of every page, with a few lines of markup per item. Evaluated by
//! minijinja it took most of the build (the model turned into template values, then a
//! macro call per item); written here it is a string append per piece. The output is
//! byte for byte what the built-in `content.html` renders, which the tests check on
//! every seed and fixture, so the template stays the readable reference and a theme
//! can still replace it.

use checkdown_core::{Block, Checklist, Field, FieldKind, Item, ItemKind, Section};

/// Renders the page body the way `site/templates/content.html` does.
///
/// `chrome`: attributes for the page's own English words (see `site::Language`).
pub fn render(checklist: &Checklist, chrome: &str) -> String {
    // Sized for the whole body up front: it is most of the page, and regrowing it
    // copies everything written so far. An item writes its ID five times.
    let mut estimate = 4096;
    checklist.for_each_item(&mut |item| estimate += 5 * item.id.len() + item.html().len() + 320);
    let mut w = Writer {
        out: String::with_capacity(estimate),
        fields: &checklist.fields,
        chrome,
    };
    for block in &checklist.intro {
        w.out.push('\n');
        w.block(block, &checklist.items);
    }
    for section in &checklist.sections {
        w.section(section);
    }
    w.out
}

struct Writer<'a> {
    out: String,
    /// The checklist's run-level fields, which `Fields` blocks point into.
    fields: &'a [Field],
    chrome: &'a str,
}

impl Writer<'_> {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// What the template engine's formatter does to a value: `& < > " '` escaped.
    /// Most text (every ID, most item texts) has none of them: a check with no early
    /// exit, which the compiler vectorises, settles that before the byte loop runs.
    /// Runs between escapes are copied whole.
    fn text(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let special = bytes.iter().fold(false, |acc, &b| {
            acc | matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
        });
        if !special {
            self.out.push_str(s);
            return;
        }
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escaped = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#x27;",
                _ => continue,
            };
            self.out.push_str(&s[from..i]);
            self.out.push_str(escaped);
            from = i + 1;
        }
        self.out.push_str(&s[from..]);
    }

    fn section(&mut self, section: &Section) {
        let level = section.level.to_string();
        self.raw("\n<section class=\"section\" data-section=\"");
        self.text(&section.id);
        self.raw("\">\n<h");
        self.raw(&level);
        self.raw(" id=\"");
        self.text(&section.id);
        self.raw("\">");
        if section.html.is_empty() {
            self.text(&section.title);
        } else {
            self.raw(&section.html);
        }
        self.raw("</h");
        self.raw(&level);
        self.raw(">");
        for block in &section.blocks {
            self.out.push('\n');
            self.block(block, &section.items);
        }
        self.out.push('\n');
        for child in &section.sections {
            self.section(child);
        }
        self.raw("\n</section>");
    }

    fn block(&mut self, block: &Block, items: &[Item]) {
        match block {
            Block::Html { html } => {
                self.out.push('\n');
                self.raw(html);
            }
            Block::Code { lang, code, .. } => {
                self.raw("\n<pre tabindex=\"0\"><code");
                let lang = lang.as_deref().filter(|l| !l.is_empty());
                if let Some(lang) = lang {
                    self.raw(" class=\"language-");
                    self.text(lang);
                    self.raw("\"");
                }
                self.raw(">");
                let html = crate::templates::highlight_html(code, lang);
                self.raw(&html);
                self.raw("</code></pre>");
            }
            Block::Tasks {
                ordered,
                start,
                first,
                count,
            } => {
                let tag = if *ordered { "ol" } else { "ul" };
                self.raw("\n<");
                self.raw(tag);
                self.raw(" class=\"tasks\"");
                if *ordered && *start != Some(1) {
                    self.raw(" start=\"");
                    if let Some(n) = start {
                        self.raw(&n.to_string());
                    }
                    self.raw("\"");
                }
                self.raw(">");
                // The number is written into the label, not drawn by CSS: a screen reader
                // names the box "3. Restart the service", as the page shows it.
                let numbers = (*ordered).then(|| start.unwrap_or(1));
                for (n, item) in window(items, *first, *count).iter().enumerate() {
                    self.item(item, numbers.map(|start| start + n as u64));
                }
                self.raw("\n</");
                self.raw(tag);
                self.raw(">");
            }
            Block::Fields { first, count } => {
                self.raw("\n<div class=\"fields\">");
                for field in window(self.fields, *first, *count) {
                    self.raw("\n");
                    self.field(field);
                }
                self.raw("\n</div>");
            }
        }
    }

    fn field(&mut self, field: &Field) {
        self.field_open("\n<p class=\"field field-", field, "\">\n  ", None, false);
        if !field.required {
            if self.chrome.is_empty() {
                self.raw(" (optional)");
            } else {
                self.raw(" <span");
                self.raw(self.chrome);
                self.raw(">(optional)</span>");
            }
        }
        self.raw("</label>\n  ");
        self.input(field, true);
        self.raw("\n</p>");
    }

    /// `{open}{kind}" id="{id}{between}<label class="field-label" for="f-{id}">{label}`:
    /// the start that a field row and an inline field share.
    fn field_open(
        &mut self,
        open: &str,
        field: &Field,
        between: &str,
        of: Option<&str>,
        unseen: bool,
    ) {
        self.raw(open);
        self.raw(field_kind(field.kind));
        self.raw("\" id=\"");
        self.text(&field.id);
        self.raw(between);
        self.raw(if unseen {
            "<label class=\"field-label visually-hidden\" for=\"f-"
        } else {
            "<label class=\"field-label\" for=\"f-"
        });
        self.text(&field.id);
        self.raw("\">");
        // Every sign-off has a "Name": heard out of context, they are all the same.
        if let Some(role) = of {
            self.raw("<span class=\"visually-hidden\">");
            self.text(role);
            self.raw(" </span>");
        }
        self.text(&field.label);
    }

    /// `required`: whether what the field belongs to is (an optional item's blank is not).
    fn input(&mut self, field: &Field, required: bool) {
        if field.kind == FieldKind::Notes {
            self.raw("<textarea id=\"f-");
            self.text(&field.id);
            self.raw("\" data-field=\"");
            self.text(&field.id);
            self.raw("\" rows=\"3\"");
            self.required(field, required);
            self.raw("></textarea>");
            return;
        }
        self.raw("<input id=\"f-");
        self.text(&field.id);
        self.raw("\" data-field=\"");
        self.text(&field.id);
        self.raw(if field.kind == FieldKind::Date {
            "\" type=\"date\""
        } else {
            "\" type=\"text\""
        });
        if field.kind == FieldKind::Name {
            self.raw(" autocomplete=\"name\"");
        }
        self.required(field, required);
        self.raw(">");
    }

    /// Said, not enforced: a form's `required` would stop nothing here and only
    /// make the browser complain, and a task's blanks are due once it is done.
    fn required(&mut self, field: &Field, required: bool) {
        if field.required && required {
            self.raw(" aria-required=\"true\"");
        }
    }

    fn item(&mut self, item: &Item, number: Option<u64>) {
        let kind = item_kind(item.kind);
        self.raw("\n<li class=\"item item-");
        self.raw(kind);
        if !item.required {
            self.raw(" item-optional");
        }
        self.raw("\" id=\"");
        self.text(&item.id);
        self.raw("\">\n  <input type=\"checkbox\" id=\"cb-");
        self.text(&item.id);
        self.raw("\" data-item=\"");
        self.text(&item.id);
        self.raw("\"");
        if item.checked {
            self.raw(" checked");
        }
        self.raw(">\n  <label for=\"cb-");
        self.text(&item.id);
        self.raw("\">");
        if let Some(n) = number {
            self.raw("<span class=\"item-number\">");
            self.raw(&n.to_string());
            self.raw(".</span> ");
        }
        let role = (item.kind == ItemKind::Signoff)
            .then(|| item.role.as_deref().filter(|r| !r.is_empty()))
            .map(|role| role.unwrap_or(&item.text));
        let fill_in = fill_in_label(item);
        if let Some((label, remark)) = fill_in {
            self.text(label);
            if !remark.is_empty() {
                self.raw(" ");
                self.text(remark);
            }
        } else if let Some(role) = role {
            // Seen, the section says these are sign-offs; heard alone, the role does not.
            self.raw("<span class=\"visually-hidden\"");
            self.raw(self.chrome);
            self.raw(">Sign-off: </span>");
            self.text(role);
        } else {
            self.raw(&item.html());
        }
        // A conditional item looks like any other unless its text says so ("(if
        // applicable)" does not say it may be skipped; `{optional}` says nothing).
        if !item.required && !item.text.to_ascii_lowercase().contains("optional") {
            self.raw(" <span class=\"badge-optional\"");
            self.raw(self.chrome);
            self.raw(">optional</span>");
        }
        self.raw("</label>");
        if !item.fields.is_empty() {
            self.raw(if item.kind == ItemKind::Signoff {
                "\n  <span class=\"signoff-fields\">"
            } else {
                "\n  <span class=\"item-fields\">"
            });
            for field in &item.fields {
                self.field_open(
                    "\n    <span class=\"field-inline field-",
                    field,
                    "\">",
                    role,
                    fill_in.is_some(),
                );
                self.raw("</label>");
                self.input(field, item.required);
                self.raw("</span>");
            }
            self.raw("\n  </span>");
        }
        // Named "N/A and note" plus the item's own name, so a list of buttons or a
        // voice command can tell them apart.
        self.raw("\n  <button type=\"button\" class=\"item-more\" id=\"more-");
        self.text(&item.id);
        self.raw("\" aria-label=\"N/A and note\" aria-labelledby=\"more-");
        self.text(&item.id);
        self.raw(" cb-");
        self.text(&item.id);
        self.raw("\">…</button>");
        // Nested items stand where their `tasks` block is among the details; a model
        // without one (built by hand) has them after.
        let mut listed = false;
        for detail in &item.details {
            if let Block::Tasks { first, count, .. } = detail {
                listed = true;
                self.raw("\n  <ul class=\"tasks\">");
                for child in window(&item.children, *first, *count) {
                    self.item(child, None);
                }
                self.raw("</ul>");
                continue;
            }
            self.raw("\n  <div class=\"item-details\">");
            self.block(detail, &[]);
            self.raw("</div>");
        }
        if !listed && !item.children.is_empty() {
            self.raw("\n  <ul class=\"tasks\">");
            for child in &item.children {
                self.item(child, None);
            }
            self.raw("</ul>");
        }
        self.raw("\n</li>");
    }
}

/// `list[first:first + count]` as the template slices it: clamped, never out of range.
fn window<T>(list: &[T], first: usize, count: usize) -> &[T] {
    let start = first.min(list.len());
    let end = first.saturating_add(count).min(list.len());
    &list[start..end]
}

/// `- [ ] Scheduled Date: ____` (or `Deployed by ____`): a task that is one labelled
/// blank. Its text says the label once, and the input is the blank, so neither the
/// underline nor the label are shown a second time. Returns the label, and what
/// follows the blank when that is a remark in parentheses (`Approved by ____
/// (optional)`), which stays in the label so nothing the author wrote is lost.
fn fill_in_label(item: &Item) -> Option<(&str, &str)> {
    match item.fields.as_slice() {
        [field] if item.kind == ItemKind::Task => fill_in_parts(&item.text, &field.label),
        _ => None,
    }
}

/// [`fill_in_label`] on an item's text and its one field's label; shared with the
/// template function of the same name, so a themed `content.html` agrees.
pub fn fill_in_parts<'t>(text: &'t str, field_label: &str) -> Option<(&'t str, &'t str)> {
    let (before, after) = text.split_once("___")?;
    let label = before.trim_end();
    let label = label.strip_suffix(':').unwrap_or(label);
    let tail = after.trim();
    let remark =
        tail.is_empty() || (tail.starts_with('(') && tail.ends_with(')') && !tail.contains("___"));
    // A blank on a continuation line is labelled by that line alone (`- [ ] Backup
    // taken` / `Backup ID: ____`): the item's words end with its label.
    let labelled = label == field_label
        || label
            .strip_suffix(field_label)
            .is_some_and(|rest| rest.ends_with(' '));
    (labelled && remark).then_some((label, tail))
}

fn item_kind(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Task => "task",
        ItemKind::Signoff => "signoff",
    }
}

fn field_kind(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Name => "name",
        FieldKind::Date => "date",
        FieldKind::Text => "text",
        FieldKind::Notes => "notes",
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::templates::Templates;

    /// Every checklist the project has: examples, seeds, the hostile fixture, the
    /// invalid fixtures that still parse to a model.
    fn sources() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dirs = [
            root.join("checklists"),
            root.join("../shared/seeds"),
            root.join("tests/fixtures/hostile"),
            root.join("tests/fixtures/rich"),
            root.join("crates/cli/tests/fixtures/invalid"),
        ];
        let mut files = Vec::new();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    files.extend(
                        std::fs::read_dir(&path)
                            .into_iter()
                            .flatten()
                            .flatten()
                            .map(|e| e.path()),
                    );
                } else {
                    files.push(path);
                }
            }
        }
        files.retain(|p| p.extension().is_some_and(|e| e == "md" || e == "txt"));
        files.sort();
        files
    }

    #[test]
    fn native_body_is_byte_for_byte_the_builtin_template() {
        let templates = Templates::new(None).unwrap();
        let files = sources();
        // The seeds alone are five; fewer means a folder went missing, not a pass.
        assert!(files.len() >= 9, "found only {files:?}");
        let mut compared = 0;
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            let Some(checklist) = checkdown_core::parse("t", &bytes).checklist else {
                continue;
            };
            assert_alike(&templates, &checklist, &file.display().to_string());
            compared += 1;
        }
        assert!(compared >= 9, "compared only {compared} checklists");
    }

    /// Panics where the native body and the built-in template's differ.
    /// On an English page and on one whose English words are marked as such.
    fn assert_alike(templates: &Templates, checklist: &checkdown_core::Checklist, name: &str) {
        for chrome in ["", r#" lang="en" dir="ltr""#] {
            assert_alike_with(templates, checklist, name, chrome);
        }
    }

    fn assert_alike_with(
        templates: &Templates,
        checklist: &checkdown_core::Checklist,
        name: &str,
        chrome: &str,
    ) {
        let native = super::render(checklist, chrome);
        let template = templates
            .render_content_for_test(checklist, chrome)
            .unwrap();
        if native != template {
            let at = native
                .bytes()
                .zip(template.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(native.len().min(template.len()));
            let from = at.saturating_sub(200);
            panic!(
                "{name} ({chrome:?}): native and template bodies differ at byte {at}\nnative:   {:?}\ntemplate: {:?}",
                native.get(from..(at + 200).min(native.len())),
                template.get(from..(at + 200).min(template.len())),
            );
        }
    }

    #[test]
    fn fill_in_tasks_render_alike_natively_and_through_the_template() {
        let src = "# T\n\n- [ ] Deployed by ____\n- [ ] Approved by:____ (optional)\n- [ ] Window ____ (UTC)\n- [ ] Check ____ logs\n- [ ] Run by ____ (if needed) and ____\n- [ ] **Bold** by ____\n- [ ] Backup taken\n  Backup ID: ____\n";
        let checklist = checkdown_core::parse_str("t", src).checklist.unwrap();
        let templates = Templates::new(None).unwrap();
        assert_alike(&templates, &checklist, "inline");
        let body = super::render(&checklist, "");
        for label in [
            ">Deployed by</label>",
            ">Approved by (optional)</label>",
            ">Window (UTC)</label>",
            ">Check ____ logs</label>",
            ">Backup taken Backup ID</label>",
            r#"data-field="approved-by.approved-by" type="text" autocomplete="name">"#,
            r#"<label class="field-label visually-hidden" for="f-backup-taken.backup-id">Backup ID</label>"#,
        ] {
            assert!(body.contains(label), "{label} in {body}");
        }
    }
}
