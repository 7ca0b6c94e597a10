//! The checklist model and its Markdown parser.
//!
//! This crate is pure (no I/O) and builds for both native targets and
//! `wasm32-unknown-unknown`, so the CLI and the browser client share one set of rules.

mod error;
mod model;
mod parse;
mod slug;
mod storage;

pub use error::ParseError;
pub use model::{Block, Checklist, Item, MetaEntry, Section};
pub use parse::{parse_bytes, parse_str};
pub use slug::slugify;
pub use storage::item_storage_key;

/// The generator name written into every artefact this crate describes.
pub const GENERATOR: &str = concat!("checkdown ", env!("CARGO_PKG_VERSION"));
