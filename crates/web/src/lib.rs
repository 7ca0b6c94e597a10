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

/// Runs when the module loads. The boot script is `async`, so that the client is
/// fetched and compiled while a long page is still being parsed; when it is ready
/// first, it waits for the rest of the document.
#[wasm_bindgen(start)]
pub fn start() {
    let document = gloo_utils::document();
    if document.ready_state() == "loading" {
        let parsed = document.clone();
        gloo_events::EventListener::once(&document, "DOMContentLoaded", move |_| run(&parsed))
            .forget();
    } else {
        run(&document);
    }
}

fn run(document: &web_sys::Document) {
    let result = theme::init(document)
        .and_then(|()| enhance(document))
        .and_then(|page| match page {
            Some(_) => Ok(true),
            None => index::enhance(document, local_storage().as_ref()),
        });
    if let Err(err) = result {
        web_sys::console::error_1(&format!("checkdown: {err}").into());
    }
}
