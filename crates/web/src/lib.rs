//! The checkdown browser client.
//!
//! It enhances the static page that `checkdown build` wrote: the page is complete
//! without it, and the client only adds saving, restoring and live progress.

mod app;
mod store;

use wasm_bindgen::prelude::*;

pub use app::{Page, enhance, enhance_with};
pub use store::{Store, StoreError};

/// Runs when the module loads. On pages without a checklist it does nothing.
#[wasm_bindgen(start)]
pub fn start() {
    let document = gloo_utils::document();
    if let Err(err) = enhance(&document) {
        web_sys::console::error_1(&format!("checkdown: {err}").into());
    }
}
