//! The checkdown browser client.
//!
//! It enhances the static pages that `checkdown build` wrote: they are complete without
//! it, and the client only adds saving, restoring, live progress, search and the theme
//! toggle.

mod app;
mod dom;
pub mod index;
mod json;
mod store;
mod theme;

use wasm_bindgen::prelude::*;

pub use app::{Page, enhance, enhance_with};
pub use store::{Area, MemoryArea, Store, StoreError, Summary, local_storage};

/// Runs when the module loads.
#[wasm_bindgen(start)]
pub fn start() {
    let document = gloo_utils::document();
    let result = theme::init(&document)
        .and_then(|()| enhance(&document))
        .and_then(|page| match page {
            Some(_) => Ok(true),
            None => index::enhance(&document, local_storage().as_ref()),
        });
    if let Err(err) = result {
        web_sys::console::error_1(&format!("checkdown: {err}").into());
    }
}
