//! The checklist model, its Markdown parser and the diagnostics it reports.
//!
//! This crate is pure (no I/O) and builds for both native targets and
//! `wasm32-unknown-unknown`, so the CLI and the browser client share one set of rules.
//! docs/format.md is the specification of the format.

mod diagnostic;
pub mod evidence;
mod front_matter;
mod markdown;
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
pub use parse::{Parsed, parse, parse_str};
pub use slug::{cut_slug, slugify};
pub use storage::item_storage_key;

/// The generator name written into every artefact this crate describes.
pub const GENERATOR: &str = concat!("checkdown ", env!("CARGO_PKG_VERSION"));

/// JSON Schema of the evidence format (`checkdown schema evidence`).
pub fn evidence_schema() -> schemars::Schema {
    schemars::schema_for!(evidence::Evidence)
}

/// JSON Schema of the checklist model (`checkdown schema checklist`).
/// It describes what `checkdown parse` writes, where every field is present; reading
/// accepts more (pages embed a compact form that leaves defaults out).
pub fn checklist_schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::default()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Checklist>()
}
