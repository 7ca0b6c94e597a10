//! Small DOM helpers shared by the page modules.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, NodeList};

/// Things that can be searched with CSS selectors: the document and elements.
pub trait Root {
    fn one(&self, selector: &str) -> Result<Option<Element>, JsValue>;
    fn all(&self, selector: &str) -> Result<NodeList, JsValue>;
}

impl Root for Document {
    fn one(&self, selector: &str) -> Result<Option<Element>, JsValue> {
        self.query_selector(selector)
    }
    fn all(&self, selector: &str) -> Result<NodeList, JsValue> {
        self.query_selector_all(selector)
    }
}

impl Root for Element {
    fn one(&self, selector: &str) -> Result<Option<Element>, JsValue> {
        self.query_selector(selector)
    }
    fn all(&self, selector: &str) -> Result<NodeList, JsValue> {
        self.query_selector_all(selector)
    }
}

pub fn query(root: &impl Root, selector: &str) -> Result<Option<Element>, String> {
    root.one(selector)
        .map_err(|e| format!("bad selector {selector}: {e:?}"))
}

pub fn query_all<T: JsCast>(root: &impl Root, selector: &str) -> Result<Vec<T>, String> {
    let list = root
        .all(selector)
        .map_err(|e| format!("bad selector {selector}: {e:?}"))?;
    Ok((0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<T>().ok())
        .collect())
}

/// Writes only a change: the counts sit in a live region, which a screen reader may
/// read out again on every rewrite, even of the same number.
pub fn set_text(el: Option<&Element>, text: &str) {
    if let Some(el) = el {
        if el.text_content().as_deref() != Some(text) {
            el.set_text_content(Some(text));
        }
    }
}

pub fn show(el: &Element) {
    let _ = el.remove_attribute("hidden");
}
