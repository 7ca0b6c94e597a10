//! JSON for localStorage and evidence files.
//!
//! Reading goes through the browser's own `JSON.parse`, with serde-wasm-bindgen from
//! JS values to Rust types. (The embedded checklist model is the exception, see
//! `enhance_with`: it is large, and serde_json reads it much faster.) Writing uses
//! serde_json, which the client carries for the model anyway: its writer is smaller
//! than building JS objects for `JSON.stringify`, and it is the writer the CLI uses
//! for the same types.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// Parses `text` into `T`. The error says what was wrong, in the browser's words for
/// syntax and serde's for shape.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|e| describe(&e))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Compact JSON, as stored in localStorage.
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// JSON indented by two spaces, as an evidence file is written.
pub fn to_string_pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A thrown JS error as text: its message when it has one.
fn describe(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "not JSON".into())
}
