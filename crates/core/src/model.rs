use serde::{Deserialize, Serialize};

/// A parsed checklist: what the site renders and what `checklist.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// Stable identifier, used in URLs and storage keys.
    pub id: String,
    pub title: String,
    /// `**Key**: value` lines from the text before the first section.
    pub meta: Vec<MetaEntry>,
    /// Content between the title and the first section.
    pub intro: Vec<Block>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaEntry {
    pub key: String,
    pub value: String,
}

/// A heading and everything under it until the next heading of the same or a higher level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    /// Heading level, 1 to 6.
    pub level: u8,
    pub line: usize,
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
}

/// One piece of section content, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Paragraphs, plain lists, tables, quotes and rules, already rendered to safe HTML.
    Html { html: String },
    /// A fenced or indented code block; rendered by the site, not by the parser.
    Code {
        lang: Option<String>,
        code: String,
        line: usize,
    },
    /// A run of task items from one Markdown list.
    Tasks {
        ordered: bool,
        /// First number of an ordered list.
        start: Option<u64>,
        items: Vec<Item>,
    },
}

/// A task item: one box someone ticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// Plain text, used for IDs, search and evidence.
    pub text: String,
    /// The same text rendered as inline HTML (code spans, emphasis, links).
    pub html: String,
    /// Pre-ticked in the source (`[x]`).
    pub checked: bool,
    pub line: usize,
    pub column: usize,
    /// Further paragraphs, code blocks and plain sub-bullets of the item.
    pub details: Vec<Block>,
    /// Nested task items.
    pub children: Vec<Item>,
}

impl Checklist {
    /// Every task item, depth first, in document order.
    pub fn items(&self) -> Vec<&Item> {
        let mut out = Vec::new();
        collect_blocks(&self.intro, &mut out);
        for section in &self.sections {
            collect_section(section, &mut out);
        }
        out
    }

    /// Number of task items, nested ones included.
    pub fn item_count(&self) -> usize {
        self.items().len()
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

fn collect_section<'a>(section: &'a Section, out: &mut Vec<&'a Item>) {
    collect_blocks(&section.blocks, out);
    for child in &section.sections {
        collect_section(child, out);
    }
}

fn collect_blocks<'a>(blocks: &'a [Block], out: &mut Vec<&'a Item>) {
    for block in blocks {
        if let Block::Tasks { items, .. } = block {
            for item in items {
                collect_item(item, out);
            }
        }
    }
}

fn collect_item<'a>(item: &'a Item, out: &mut Vec<&'a Item>) {
    out.push(item);
    collect_blocks(&item.details, out);
    for child in &item.children {
        collect_item(child, out);
    }
}
