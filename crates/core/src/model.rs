//! The checklist model: what `checkdown parse` prints, what the site renders (and embeds
//! for the client) and what evidence refers to. Field names are part of the published
//! format (docs/format.md).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A parsed checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Checklist {
    /// Stable identifier, used in URLs and storage keys: front matter `id`, or the file
    /// path slugged.
    pub id: String,
    pub title: String,
    /// SHA-256 of the source file's bytes, lowercase hex. Evidence names the exact
    /// version of the checklist it was completed against.
    pub source_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The intro's first paragraph as plain text: what an index or a link preview
    /// shows of a checklist whose front matter sets no `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The language it is written in, from front matter `lang` (a BCP 47 tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// `**Key**: value` lines before the first section.
    #[serde(default)]
    pub meta: Vec<MetaEntry>,
    /// Run-level fill-in fields (`**Deployment Date**: ____`, a `**Notes**:` area).
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Content between the title and the first section.
    #[serde(default)]
    pub intro: Vec<Block>,
    /// Items that come before the first section.
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MetaEntry {
    pub key: String,
    pub value: String,
}

/// A heading and everything under it until the next heading of the same or a higher level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Section {
    /// The parent section's ID and this heading's slug, joined by `.`.
    pub id: String,
    pub title: String,
    /// The title as inline HTML (code spans, emphasis, links), only where the heading
    /// has such markup: otherwise the title, escaped, is its HTML.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub html: String,
    /// Heading level, 1 to 6.
    pub level: u8,
    #[serde(default)]
    pub line: usize,
    /// This section's own task items (not those of subsections), in order.
    #[serde(default)]
    pub items: Vec<Item>,
    /// The section's content in source order; task lists point into `items`.
    #[serde(default)]
    pub blocks: Vec<Block>,
    #[serde(default)]
    pub sections: Vec<Section>,
}

/// One piece of content, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Paragraphs, plain lists, tables, quotes and rules, rendered to safe HTML.
    Html { html: String },
    /// A fenced or indented code block; the site renders it.
    Code {
        lang: Option<String>,
        code: String,
        line: usize,
    },
    /// A task list: `count` items of the enclosing section's `items`, from `first`.
    Tasks {
        ordered: bool,
        /// First number of an ordered list.
        start: Option<u64>,
        first: usize,
        count: usize,
    },
    /// Run-level fields that stood here: `count` of the checklist's `fields`, from `first`.
    Fields { first: usize, count: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Something to do and tick.
    Task,
    /// An approval: a role signs with a name (and a date where the line asks for one).
    Signoff,
}

/// A box someone ticks.
// Serialised through `ItemRepr`, so that the JSON always carries the item's HTML even
// where the model shares it with the text.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
pub struct Item {
    pub id: String,
    /// Plain text: inline markup removed, blanks written as `___`. Used for IDs,
    /// search and evidence.
    pub text: String,
    /// The same text as inline HTML (code spans, emphasis, links).
    #[serde(default)]
    pub(crate) html: String,
    pub kind: ItemKind,
    /// Pre-ticked in the source (`[x]`).
    #[serde(default)]
    pub checked: bool,
    /// False for conditional items (`(optional)`, `(if applicable)`, `{optional}`),
    /// which may be marked N/A.
    pub required: bool,
    #[serde(default)]
    pub line: usize,
    #[serde(default)]
    pub column: usize,
    /// For sign-offs: who signs, e.g. "Security Lead".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Fill-in blanks on the item's line; a sign-off always has a `name` field.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Further paragraphs, code blocks and plain sub-bullets of the item.
    #[serde(default)]
    pub details: Vec<Block>,
    /// Nested task items.
    #[serde(default)]
    pub children: Vec<Item>,
}

impl Item {
    /// Whether an item marked N/A takes this one, nested in it, along: not a required
    /// sign-off, which is given or left open, never waived (not even with its parent).
    pub fn coverable(&self) -> bool {
        !(self.kind == ItemKind::Signoff && self.required)
    }

    /// The item's text as inline HTML, safe to embed.
    ///
    /// Most items are plain words with nothing to escape, and their HTML is their
    /// text: the model then stores it once (an empty `html`), which saves a copy and
    /// an escaping pass per item when parsing.
    pub fn html(&self) -> std::borrow::Cow<'_, str> {
        if !self.html.is_empty() {
            return self.html.as_str().into();
        }
        // Empty also where a model was built without HTML (the client's rules); text
        // is escaped then, never trusted as markup.
        if !needs_escape(&self.text) {
            return self.text.as_str().into();
        }
        let mut html = String::with_capacity(self.text.len() + 16);
        // Writing to a String cannot fail.
        let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, &self.text);
        html.into()
    }
}

/// What an item stores of its HTML: nothing where the text is its own HTML. Parsing
/// and reading JSON both go through here, so a model compares equal however it was
/// made.
pub(crate) fn shared_html(html: String, text: &str) -> String {
    if html.is_empty() || (html == text && !needs_escape(text)) {
        String::new()
    } else {
        html
    }
}

/// Whether text has a byte that HTML body text must escape.
pub(crate) fn needs_escape(text: &str) -> bool {
    memchr::memchr3(b'&', b'<', b'>', text.as_bytes()).is_some()
}

/// [`Item`] as it is written and read: with its HTML spelled out.
#[derive(Serialize, Deserialize)]
struct ItemRepr<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    html: std::borrow::Cow<'a, str>,
    kind: ItemKind,
    #[serde(default)]
    checked: bool,
    required: bool,
    #[serde(default)]
    line: usize,
    #[serde(default)]
    column: usize,
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    role: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    fields: std::borrow::Cow<'a, [Field]>,
    #[serde(default)]
    details: std::borrow::Cow<'a, [Block]>,
    #[serde(default)]
    children: std::borrow::Cow<'a, [Item]>,
}

impl Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ItemRepr {
            id: self.id.as_str().into(),
            text: self.text.as_str().into(),
            html: self.html(),
            kind: self.kind,
            checked: self.checked,
            required: self.required,
            line: self.line,
            column: self.column,
            role: self.role.as_deref().map(Into::into),
            fields: self.fields.as_slice().into(),
            details: self.details.as_slice().into(),
            children: self.children.as_slice().into(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = ItemRepr::deserialize(deserializer)?;
        let text = r.text.into_owned();
        Ok(Item {
            id: r.id.into_owned(),
            html: shared_html(r.html.into_owned(), &text),
            text,
            kind: r.kind,
            checked: r.checked,
            required: r.required,
            line: r.line,
            column: r.column,
            role: r.role.map(std::borrow::Cow::into_owned),
            fields: r.fields.into_owned(),
            details: r.details.into_owned(),
            children: r.children.into_owned(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A person's name (`Name: ___`, `Deployed By: ___`, a sign-off's signer).
    Name,
    /// A date (`Date: ___`).
    Date,
    /// One line of text.
    Text,
    /// Free text over several lines (`**Notes**:` followed by lines of underscores).
    Notes,
}

/// A fill-in blank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default)]
    pub line: usize,
    #[serde(default)]
    pub column: usize,
}

impl Checklist {
    /// Puts `to(href)` in place of each link target in the checklist's rendered HTML
    /// (item texts, their details, section and intro content) where it gives one. A
    /// site points a link to another checklist's Markdown file at that checklist's page
    /// this way: the Markdown is not published.
    pub fn rewrite_links(&mut self, to: &mut dyn FnMut(&str) -> Option<String>) {
        self.for_each_html_in_order(&mut |html| rewrite_hrefs(html, to));
    }

    /// Calls `f` on every piece of rendered HTML (content blocks and item texts) in
    /// the order the page shows them.
    pub(crate) fn for_each_html_in_order(&mut self, f: &mut dyn FnMut(&mut String)) {
        fn blocks(list: &mut [Block], items: &mut [Item], f: &mut dyn FnMut(&mut String)) {
            let mut listed = false;
            for block in list {
                match block {
                    Block::Html { html } => f(html),
                    Block::Tasks { first, count, .. } => {
                        listed = true;
                        let end = first.saturating_add(*count).min(items.len());
                        let start = (*first).min(end);
                        for item in &mut items[start..end] {
                            item_html(item, f);
                        }
                    }
                    Block::Code { .. } | Block::Fields { .. } => {}
                }
            }
            // An item's nested items come last when no block says where they stand.
            if !listed {
                for item in items {
                    item_html(item, f);
                }
            }
        }
        fn item_html(item: &mut Item, f: &mut dyn FnMut(&mut String)) {
            f(&mut item.html);
            blocks(&mut item.details, &mut item.children, f);
        }
        fn sections(list: &mut [Section], f: &mut dyn FnMut(&mut String)) {
            for section in list {
                f(&mut section.html);
                blocks(&mut section.blocks, &mut section.items, f);
                sections(&mut section.sections, f);
            }
        }
        blocks(&mut self.intro, &mut self.items, f);
        sections(&mut self.sections, f);
    }

    /// GitHub's anchor for each heading (`code-quality` for `### Code quality`, with
    /// `-1`, `-2` on repeats, as GitHub numbers them) to the ID of the section it
    /// heads, for each anchor that is not an ID on the page already. Authors link
    /// headings as GitHub shows them; a section's ID here carries its parents' path.
    pub fn github_anchors(&self) -> std::collections::HashMap<String, String> {
        use std::collections::{HashMap, HashSet};
        let mut ids: HashSet<&str> = HashSet::new();
        self.for_each_item(&mut |item| {
            ids.insert(item.id.as_str());
            ids.extend(item.fields.iter().map(|f| f.id.as_str()));
        });
        ids.extend(self.fields.iter().map(|f| f.id.as_str()));
        fn section_ids<'a>(list: &'a [Section], ids: &mut HashSet<&'a str>) {
            for s in list {
                ids.insert(s.id.as_str());
                section_ids(&s.sections, ids);
            }
        }
        section_ids(&self.sections, &mut ids);
        let mut taken: HashSet<String> = HashSet::new();
        // The number each repeated anchor tries next: counting up from 1 for every
        // repeat made 20,000 `## Checks` headings quadratic.
        let mut next: HashMap<String, usize> = HashMap::new();
        let mut take = |text: &str| {
            let base = github_slug(text);
            let mut slug = base.clone();
            let mut n = next.get(&base).copied().unwrap_or(0);
            while taken.contains(&slug) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            if n > 0 {
                next.insert(base, n);
            }
            taken.insert(slug.clone());
            slug
        };
        // The title's heading comes first on GitHub, and counts for the numbering.
        take(&self.title);
        let mut anchors = HashMap::new();
        fn walk(
            list: &[Section],
            take: &mut dyn FnMut(&str) -> String,
            ids: &HashSet<&str>,
            anchors: &mut HashMap<String, String>,
        ) {
            for s in list {
                let slug = take(&s.title);
                if !ids.contains(slug.as_str()) {
                    anchors.insert(slug, s.id.clone());
                }
                walk(&s.sections, take, ids, anchors);
            }
        }
        walk(&self.sections, &mut take, &ids, &mut anchors);
        anchors
    }

    /// What the browser client needs to apply the rules: every item, field and
    /// sign-off, without the rendered content the page already shows.
    pub fn rules(&self) -> Checklist {
        fn strip(items: &[Item]) -> Vec<Item> {
            items
                .iter()
                .map(|i| Item {
                    id: i.id.clone(),
                    text: i.text.clone(),
                    html: String::new(),
                    kind: i.kind,
                    checked: i.checked,
                    required: i.required,
                    line: i.line,
                    column: i.column,
                    role: i.role.clone(),
                    fields: i.fields.clone(),
                    details: Vec::new(),
                    children: strip(&i.children),
                })
                .collect()
        }
        fn section(s: &Section) -> Section {
            Section {
                id: s.id.clone(),
                title: s.title.clone(),
                html: String::new(),
                level: s.level,
                line: s.line,
                blocks: Vec::new(),
                items: strip(&s.items),
                sections: s.sections.iter().map(section).collect(),
            }
        }
        Checklist {
            id: self.id.clone(),
            title: self.title.clone(),
            source_sha256: self.source_sha256.clone(),
            version: self.version.clone(),
            owner: None,
            description: None,
            summary: None,
            tags: Vec::new(),
            lang: None,
            meta: Vec::new(),
            fields: self.fields.clone(),
            intro: Vec::new(),
            items: strip(&self.items),
            sections: self.sections.iter().map(section).collect(),
        }
    }

    /// [`Checklist::rules`] as compact JSON, for pages to embed: empty lists, source
    /// positions and unticked defaults are left out (they read back as their defaults),
    /// which roughly halves what every page carries. Reads back as a
    /// [`compact::Checklist`] (or, more slowly, as a `Checklist`).
    pub fn rules_json(&self) -> String {
        serde_json::to_string(&compact::Checklist::from(self)).unwrap_or_default()
    }

    /// Calls `f` on every task item and sign-off, depth first, in document order,
    /// without collecting them: the client walks all of them on every tick.
    pub fn for_each_item<'a>(&'a self, f: &mut dyn FnMut(&'a Item)) {
        fn walk<'a>(items: &'a [Item], f: &mut dyn FnMut(&'a Item)) {
            for item in items {
                f(item);
                walk(&item.children, f);
            }
        }
        fn sections<'a>(list: &'a [Section], f: &mut dyn FnMut(&'a Item)) {
            for s in list {
                walk(&s.items, f);
                sections(&s.sections, f);
            }
        }
        walk(&self.items, f);
        sections(&self.sections, f);
    }

    /// Calls `f` on every item in document order with whether it is covered: nested,
    /// at any depth, in an item for which `na` holds.
    pub fn for_each_item_covered<'a>(
        &'a self,
        na: &dyn Fn(&Item) -> bool,
        f: &mut dyn FnMut(&'a Item, bool),
    ) {
        fn walk<'a>(
            items: &'a [Item],
            covered: bool,
            na: &dyn Fn(&Item) -> bool,
            f: &mut dyn FnMut(&'a Item, bool),
        ) {
            for item in items {
                let covered = covered && item.coverable();
                f(item, covered);
                if !item.children.is_empty() {
                    walk(&item.children, covered || na(item), na, f);
                }
            }
        }
        fn sections<'a>(
            list: &'a [Section],
            na: &dyn Fn(&Item) -> bool,
            f: &mut dyn FnMut(&'a Item, bool),
        ) {
            for s in list {
                walk(&s.items, false, na, f);
                sections(&s.sections, na, f);
            }
        }
        walk(&self.items, false, na, f);
        sections(&self.sections, na, f);
    }

    /// Every task item and sign-off, depth first, in document order.
    pub fn all_items(&self) -> Vec<&Item> {
        fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Item>) {
            for item in items {
                out.push(item);
                walk(&item.children, out);
            }
        }
        fn section<'a>(s: &'a Section, out: &mut Vec<&'a Item>) {
            walk(&s.items, out);
            for child in &s.sections {
                section(child, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.items, &mut out);
        for s in &self.sections {
            section(s, &mut out);
        }
        out
    }

    /// Every section, nested ones too, with the positions its items (its subsections'
    /// included) take in [`Checklist::all_items`]: depth first, a section's items are
    /// one unbroken run there.
    pub fn section_spans(&self) -> Vec<(&Section, std::ops::Range<usize>)> {
        fn count(items: &[Item]) -> usize {
            items.iter().map(|i| 1 + count(&i.children)).sum()
        }
        fn section<'a>(
            s: &'a Section,
            at: &mut usize,
            out: &mut Vec<(&'a Section, std::ops::Range<usize>)>,
        ) {
            let start = *at;
            let slot = out.len();
            out.push((s, start..start));
            *at += count(&s.items);
            for child in &s.sections {
                section(child, at, out);
            }
            out[slot].1 = start..*at;
        }
        let mut at = count(&self.items);
        let mut out = Vec::new();
        for s in &self.sections {
            section(s, &mut at, &mut out);
        }
        out
    }

    /// Where each item whose text another item shares stands: its sections' titles and
    /// the items it is nested in, outermost first, joined by ` › ` ("Infrastructure ›
    /// Database" for one of three "Connection pooling configured"). Texts repeat
    /// across sections and under items, and that is how a person tells them apart;
    /// items with a text of their own are not in it. One pass over the checklist.
    pub fn places_of_repeated_texts(&self) -> crate::evidence::IdMap<String> {
        type Counts<'a> = std::collections::HashMap<&'a str, usize, foldhash::fast::FixedState>;
        let mut count = Counts::default();
        self.for_each_item(&mut |i| *count.entry(i.text.as_str()).or_default() += 1);
        fn items<'a>(
            list: &'a [Item],
            path: &mut Vec<&'a str>,
            count: &Counts<'_>,
            out: &mut crate::evidence::IdMap<String>,
        ) {
            for item in list {
                if count.get(item.text.as_str()).is_some_and(|&n| n > 1) && !path.is_empty() {
                    out.insert(item.id.clone(), path.join(" › "));
                }
                path.push(&item.text);
                items(&item.children, path, count, out);
                path.pop();
            }
        }
        fn sections<'a>(
            list: &'a [Section],
            path: &mut Vec<&'a str>,
            count: &Counts<'_>,
            out: &mut crate::evidence::IdMap<String>,
        ) {
            for s in list {
                path.push(&s.title);
                items(&s.items, path, count, out);
                sections(&s.sections, path, count, out);
                path.pop();
            }
        }
        let mut out = crate::evidence::IdMap::default();
        let mut path = Vec::new();
        items(&self.items, &mut path, &count, &mut out);
        sections(&self.sections, &mut path, &count, &mut out);
        out
    }

    /// Number of items, nested ones and sign-offs included.
    pub fn item_count(&self) -> usize {
        fn items(list: &[Item]) -> usize {
            list.iter().map(|i| 1 + items(&i.children)).sum()
        }
        fn section(s: &Section) -> usize {
            items(&s.items) + s.sections.iter().map(section).sum::<usize>()
        }
        items(&self.items) + self.sections.iter().map(section).sum::<usize>()
    }

    /// Number of sign-offs.
    pub fn signoff_count(&self) -> usize {
        self.all_items()
            .iter()
            .filter(|i| i.kind == ItemKind::Signoff)
            .count()
    }

    /// Every section, depth first, in document order.
    pub fn all_sections(&self) -> Vec<&Section> {
        fn walk<'a>(s: &'a Section, out: &mut Vec<&'a Section>) {
            out.push(s);
            for child in &s.sections {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        for s in &self.sections {
            walk(s, &mut out);
        }
        out
    }
}

/// The rules as pages embed them ([`Checklist::rules_json`]): only what the browser
/// client needs, with empty lists, unticked defaults and source positions left out.
/// [`Checklist::from_compact`] reads one back. The client deserialises this shape
/// rather than the full model because serde-wasm-bindgen looks up every declared
/// field of a struct on the JS object, and twice when it is missing: the full
/// `Item` declares twelve fields where a page sends about four.
pub mod compact {
    use std::borrow::Cow;

    use serde::{Deserialize, Serialize};

    use super::{FieldKind, ItemKind};

    fn no<T>(list: &[T]) -> bool {
        list.is_empty()
    }

    // Most items are required tasks: leaving those two values out shrinks a
    // 10,000-item page's model by a quarter, and the client reads it at start-up.
    fn yes() -> bool {
        true
    }

    fn is_true(b: &bool) -> bool {
        *b
    }

    fn task() -> ItemKind {
        ItemKind::Task
    }

    fn is_task(kind: &ItemKind) -> bool {
        *kind == ItemKind::Task
    }

    #[derive(Debug, Serialize, Deserialize)]
    pub struct Checklist<'a> {
        id: Cow<'a, str>,
        title: Cow<'a, str>,
        source_sha256: Cow<'a, str>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "no")]
        fields: Vec<Field<'a>>,
        #[serde(default, skip_serializing_if = "no")]
        items: Vec<Item<'a>>,
        #[serde(default, skip_serializing_if = "no")]
        sections: Vec<Section<'a>>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Section<'a> {
        id: Cow<'a, str>,
        title: Cow<'a, str>,
        level: u8,
        #[serde(default, skip_serializing_if = "no")]
        items: Vec<Item<'a>>,
        #[serde(default, skip_serializing_if = "no")]
        sections: Vec<Section<'a>>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Item<'a> {
        id: Cow<'a, str>,
        text: Cow<'a, str>,
        #[serde(default = "task", skip_serializing_if = "is_task")]
        kind: ItemKind,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        checked: bool,
        #[serde(default = "yes", skip_serializing_if = "is_true")]
        required: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "no")]
        fields: Vec<Field<'a>>,
        #[serde(default, skip_serializing_if = "no")]
        children: Vec<Item<'a>>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Field<'a> {
        id: Cow<'a, str>,
        label: Cow<'a, str>,
        kind: FieldKind,
        required: bool,
    }

    impl<'a> From<&'a super::Checklist> for Checklist<'a> {
        fn from(c: &'a super::Checklist) -> Self {
            Self {
                id: (&c.id).into(),
                title: (&c.title).into(),
                source_sha256: (&c.source_sha256).into(),
                version: c.version.as_deref().map(Cow::Borrowed),
                fields: c.fields.iter().map(Field::from).collect(),
                items: c.items.iter().map(Item::from).collect(),
                sections: c.sections.iter().map(Section::from).collect(),
            }
        }
    }

    impl<'a> From<&'a super::Section> for Section<'a> {
        fn from(s: &'a super::Section) -> Self {
            Self {
                id: (&s.id).into(),
                title: (&s.title).into(),
                level: s.level,
                items: s.items.iter().map(Item::from).collect(),
                sections: s.sections.iter().map(Section::from).collect(),
            }
        }
    }

    impl<'a> From<&'a super::Item> for Item<'a> {
        fn from(i: &'a super::Item) -> Self {
            Self {
                id: (&i.id).into(),
                text: (&i.text).into(),
                kind: i.kind,
                checked: i.checked,
                required: i.required,
                role: i.role.as_deref().map(Cow::Borrowed),
                fields: i.fields.iter().map(Field::from).collect(),
                children: i.children.iter().map(Item::from).collect(),
            }
        }
    }

    impl<'a> From<&'a super::Field> for Field<'a> {
        fn from(f: &'a super::Field) -> Self {
            Self {
                id: (&f.id).into(),
                label: (&f.label).into(),
                kind: f.kind,
                required: f.required,
            }
        }
    }

    impl From<Checklist<'_>> for super::Checklist {
        fn from(c: Checklist<'_>) -> Self {
            Self {
                id: c.id.into_owned(),
                title: c.title.into_owned(),
                source_sha256: c.source_sha256.into_owned(),
                version: c.version.map(Cow::into_owned),
                owner: None,
                description: None,
                summary: None,
                tags: Vec::new(),
                lang: None,
                meta: Vec::new(),
                fields: c.fields.into_iter().map(Into::into).collect(),
                intro: Vec::new(),
                items: c.items.into_iter().map(Into::into).collect(),
                sections: c.sections.into_iter().map(Into::into).collect(),
            }
        }
    }

    impl From<Section<'_>> for super::Section {
        fn from(s: Section<'_>) -> Self {
            Self {
                id: s.id.into_owned(),
                title: s.title.into_owned(),
                html: String::new(),
                level: s.level,
                line: 0,
                items: s.items.into_iter().map(Into::into).collect(),
                blocks: Vec::new(),
                sections: s.sections.into_iter().map(Into::into).collect(),
            }
        }
    }

    impl From<Item<'_>> for super::Item {
        fn from(i: Item<'_>) -> Self {
            Self {
                id: i.id.into_owned(),
                text: i.text.into_owned(),
                html: String::new(),
                kind: i.kind,
                checked: i.checked,
                required: i.required,
                line: 0,
                column: 0,
                role: i.role.map(Cow::into_owned),
                fields: i.fields.into_iter().map(Into::into).collect(),
                details: Vec::new(),
                children: i.children.into_iter().map(Into::into).collect(),
            }
        }
    }

    impl From<Field<'_>> for super::Field {
        fn from(f: Field<'_>) -> Self {
            Self {
                id: f.id.into_owned(),
                label: f.label.into_owned(),
                kind: f.kind,
                required: f.required,
                line: 0,
                column: 0,
            }
        }
    }
}

/// The `href` of each `<a>` in `html` (as the parser writes them: `<a href="…"`, the
/// value HTML-escaped), replaced where `to` gives a new one. Text cannot hold `<a `: its
/// `<` is escaped.
/// A heading's anchor as GitHub makes it: lowercase, spaces as `-`, and every
/// character other than a letter, a digit, `-` or `_` left out (so `When & how`
/// gives `when--how`).
pub(crate) fn github_slug(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn rewrite_hrefs(html: &mut String, to: &mut dyn FnMut(&str) -> Option<String>) {
    const OPEN: &str = "<a href=\"";
    if !html.contains(OPEN) {
        return;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html.as_str();
    while let Some(at) = rest.find(OPEN) {
        let (before, after) = rest.split_at(at + OPEN.len());
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        let href = &after[..end];
        match to(href) {
            Some(new) => out.push_str(&new),
            None => out.push_str(href),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    *html = out;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn github_anchors_number_repeats_after_the_title_as_github_does() {
        let c = crate::parse_str(
            "x",
            "# Deploy\n\n## Deploy\n\n### Undo\n\n- [ ] a\n\n## Later\n\n### Undo\n\n- [ ] b\n",
        )
        .checklist
        .unwrap();
        let anchors = c.github_anchors();
        assert_eq!(anchors.get("deploy-1").map(String::as_str), Some("deploy"));
        assert_eq!(anchors.get("undo").map(String::as_str), Some("deploy.undo"));
        assert_eq!(
            anchors.get("undo-1").map(String::as_str),
            Some("later.undo")
        );
        // `later` is the section's own ID already: nothing to point anywhere.
        assert!(!anchors.contains_key("later"));
        assert_eq!(
            super::github_slug("Rollback: when & how? 🚀"),
            "rollback-when--how-"
        );
    }

    #[test]
    fn an_item_without_stored_html_is_escaped_never_trusted() {
        let c = crate::parse_str("x", "# T\n- [ ] a `<b>` & c\n- [ ] plain words\n")
            .checklist
            .unwrap();
        let rules = c.rules();
        let items = rules.all_items();
        // The rules model drops HTML; what it gives back is the text, escaped.
        assert_eq!(items[0].html(), "a &lt;b&gt; &amp; c");
        assert_eq!(items[1].html(), "plain words");
        let parsed = c.all_items();
        assert_eq!(parsed[0].html(), "a <code>&lt;b&gt;</code> &amp; c");
        assert!(matches!(
            parsed[1].html(),
            std::borrow::Cow::Borrowed("plain words")
        ));
    }
}
