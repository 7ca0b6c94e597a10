//! The light/dark toggle. Without a choice the page follows the system setting; a
//! choice is remembered in this browser.

use gloo_events::EventListener;
use web_sys::{Document, Element};

use crate::dom::{query, show};
use crate::store::local_storage;

const KEY: &str = "checkdown:theme";
const CYCLE: [&str; 3] = ["auto", "light", "dark"];

fn apply(document: &Document, button: Option<&Element>, choice: &str) {
    if let Some(root) = document.document_element() {
        let _ = match choice {
            "light" | "dark" => root.set_attribute("data-theme", choice),
            _ => root.remove_attribute("data-theme"),
        };
    }
    if let Some(button) = button {
        button.set_text_content(Some(&format!("Theme: {choice}")));
        let _ = button.set_attribute("aria-label", &format!("Colour theme: {choice}. Change it"));
    }
}

pub fn init(document: &Document) -> Result<(), String> {
    let storage = local_storage();
    let saved = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .filter(|v| CYCLE.contains(&v.as_str()))
        .unwrap_or_else(|| "auto".to_owned());
    let button = query(document, "[data-theme-toggle]")?;
    apply(document, button.as_ref(), &saved);
    let Some(button) = button else { return Ok(()) };
    show(&button);
    let doc = document.clone();
    let target = button.clone();
    EventListener::new(&button, "click", move |_| {
        let current = doc
            .document_element()
            .and_then(|r| r.get_attribute("data-theme"))
            .unwrap_or_else(|| "auto".to_owned());
        let next = CYCLE
            .iter()
            .position(|c| *c == current)
            .map_or("auto", |i| CYCLE[(i + 1) % CYCLE.len()]);
        apply(&doc, Some(&target), next);
        if let Some(s) = local_storage() {
            let _ = s.set_item(KEY, next);
        }
    })
    .forget();
    Ok(())
}
