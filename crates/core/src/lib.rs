//! The checklist model, its Markdown parser and the diagnostics it reports.
//!
//! This crate is pure (no I/O) and builds for both native targets and
//! `wasm32-unknown-unknown`, so the CLI and the browser client share one set of rules.
//! docs/format.md is the specification of the format.

mod diagnostic;
pub mod evidence;
mod front_matter;
mod markdown;
mod merge;
mod model;
mod outline;
mod parse;
pub mod run;
mod slug;
mod storage;

pub use diagnostic::{Diagnostic, Severity, codes};
pub use markdown::to_markdown;
pub use model::compact;
pub use model::{Block, Checklist, Field, FieldKind, Item, ItemKind, MetaEntry, Section};
pub use outline::outline;
pub use parse::{Link, Parsed, lines_as_read, links, parse, parse_str};
pub use slug::{cut_slug, slugify};
pub use storage::item_storage_key;

/// Whether `tag` reads as a BCP 47 language tag (`en`, `de-CH`, `zh-Hant-TW`): a
/// language of two or three letters (longer ones are reserved, and what an author
/// writes there is a word such as `german`), then parts of one to eight letters or
/// digits.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Whether text in the language `tag` runs right to left: Arabic, Hebrew, Persian,
/// Urdu and the like, or any language written in such a script (`pa-Arab`).
pub fn is_right_to_left(tag: &str) -> bool {
    const LANGUAGES: &[&str] = &[
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi",
    ];
    const SCRIPTS: &[&str] = &["arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"];
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    let script = parts.find(|p| p.len() == 4).map(str::to_ascii_lowercase);
    match script {
        Some(s) => SCRIPTS.contains(&s.as_str()),
        None => LANGUAGES.contains(&language.as_str()),
    }
}

/// The generator name written into every artefact this crate describes.
pub const GENERATOR: &str = concat!("checkdown ", env!("CARGO_PKG_VERSION"));

/// JSON Schema of the evidence format (`checkdown schema evidence`).
pub fn evidence_schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::default()
        .with_transform(schemars::transform::RecursiveTransform(standard_formats))
        .into_generator()
        .into_root_schema_for::<evidence::Evidence>()
}

/// JSON Schema of the checklist model (`checkdown schema checklist`).
/// It describes what `checkdown parse` writes, where every field is present; reading
/// accepts more (pages embed a compact form that leaves defaults out).
pub fn checklist_schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::default()
        .for_serialize()
        .with_transform(schemars::transform::RecursiveTransform(standard_formats))
        .into_generator()
        .into_root_schema_for::<Checklist>()
}

/// Drops schemars' integer formats (`uint`, `uint64`, `uint8`…): JSON Schema defines
/// no such formats, so validators warn on them (ajv) or refuse the schema in strict
/// mode. The `minimum: 0` beside them already says what they meant.
fn standard_formats(schema: &mut schemars::Schema) {
    let integer_format = schema
        .get("format")
        .and_then(|f| f.as_str())
        .is_some_and(|f| f.starts_with("uint") || f.starts_with("int"));
    if integer_format {
        schema.remove("format");
    }
}
