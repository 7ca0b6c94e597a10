//! The index page: each checklist's saved progress and state, and a search box.

use gloo_events::EventListener;
use web_sys::{Document, Element, HtmlInputElement};

use crate::dom::{query, query_all, show};
use crate::store;

/// Shows progress and state for every listed checklist and wires up search. Returns
/// false on pages that are not the index.
pub fn enhance(document: &Document, storage: Option<&web_sys::Storage>) -> Result<bool, String> {
    let entries: Vec<Element> = query_all(document, "li[data-checklist-id]")?;
    if entries.is_empty() {
        return Ok(false);
    }
    let site = store::site_scope();
    for entry in &entries {
        let id = entry.get_attribute("data-checklist-id").unwrap_or_default();
        let Some(state) = query(entry, "[data-state]")? else {
            continue;
        };
        let summary = storage.and_then(|s| store::summary(s, &site, &id));
        let text = match summary {
            Some(s) => format!("{} · {} of {} done", s.state(), s.done, s.total),
            None => "not started".to_owned(),
        };
        state.set_text_content(Some(&text));
        let class = summary.map_or("not-started", |s| match s.state() {
            "signed" => "signed",
            "complete" => "complete",
            "in progress" => "in-progress",
            _ => "not-started",
        });
        let _ = state.set_attribute("data-state", class);
        show(&state);
    }
    if let Some(search) = query(document, "input[data-search]")? {
        if let Some(wrapper) = query(document, "[data-search-box]")? {
            show(&wrapper);
        }
        let input: HtmlInputElement =
            wasm_bindgen::JsCast::dyn_into(search).map_err(|_| "search is not an input")?;
        let target = input.clone();
        EventListener::new(&input, "input", move |_| filter(&entries, &target.value())).forget();
    }
    Ok(true)
}

/// Hides entries that do not contain every word of the query in what they show: title,
/// summary, ID, version, tags and state. Many checklists share a title, so the rest is
/// what finds the right one.
pub fn filter(entries: &[Element], query: &str) {
    let query = lowercase(query);
    let words: Vec<&str> = query.split_whitespace().collect();
    for entry in entries {
        let haystack = lowercase(&entry.text_content().unwrap_or_default());
        let matches = words.iter().all(|w| haystack.contains(w));
        if matches {
            show(entry);
        } else {
            let _ = entry.set_attribute("hidden", "");
        }
    }
}

/// Lowercase by the browser's rules, which know every script: Rust's `to_lowercase`
/// would ship its Unicode case tables in the client.
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}
