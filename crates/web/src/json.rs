//! JSON through the browser's own `JSON.parse` and `JSON.stringify`, with
//! serde-wasm-bindgen between JS values and Rust types. serde_json compiled to wasm
//! (its parser, its writer and its float formatting) was most of the client's
//! download; the browser already has both halves. The embedded checklist model is the
//! exception (see `enhance_with`): it is large, and serde_json reads it much faster.

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
    stringify(value, &JsValue::UNDEFINED)
}

/// JSON indented by two spaces, as an evidence file is written.
pub fn to_string_pretty<T: Serialize>(value: &T) -> String {
    stringify(value, &JsValue::from(2))
}

fn stringify<T: Serialize>(value: &T, space: &JsValue) -> String {
    // Plain objects for maps and `null` for `None`: what serde_json wrote, so data
    // saved by earlier versions and files exported by the CLI read the same.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .ok()
        .and_then(|v| {
            js_sys::JSON::stringify_with_replacer_and_space(&v, &JsValue::NULL, space).ok()
        })
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// A thrown JS error as text: its message when it has one.
fn describe(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "not JSON".into())
}
