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
        let now = entry
            .get_attribute("data-checklist-version")
            .and_then(|sha| store::version_tag(&sha));
        // Counted on an earlier version: the page recounts (new items, sign-offs taken
        // back) when opened; until then "signed" would claim what no longer holds.
        // A run nobody started has nothing to be out of date about.
        let earlier = summary.is_some_and(|s| {
            s.version.is_some() && now.is_some() && s.version != now && s.state() != "not started"
        });
        let text = match summary {
            Some(s) if earlier => format!(
                "checklist changed since · was {}, {} of {} done · open it to update",
                s.state(),
                s.done,
                s.total
            ),
            Some(s) => format!("{} · {} of {} done", s.state(), s.done, s.total),
            None => "not started".to_owned(),
        };
        state.set_text_content(Some(&text));
        let class = summary.map_or("not-started", |s| match s.state() {
            _ if earlier => "in-progress",
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
        let count = query(document, "[data-search-count]")?;
        EventListener::new(&input, "input", move |_| {
            let query = target.value();
            let shown = filter(&entries, &query);
            // Heard as well as seen: a screen reader does not notice entries going.
            let text = if query.trim().is_empty() {
                String::new()
            } else {
                match shown {
                    0 => "No checklist matches".to_owned(),
                    1 => format!("1 of {} checklists matches", entries.len()),
                    n => format!("{n} of {} checklists match", entries.len()),
                }
            };
            if let Some(count) = &count {
                count.set_text_content(Some(&text));
            }
        })
        .forget();
    }
    // Shown by the stylesheet after a few seconds unless the client starts (see
    // `enhance_with` for the checklist page's).
    if let Some(notice) = query(document, "[data-client-failed]")? {
        let _ = notice.set_attribute("hidden", "");
    }
    Ok(true)
}

/// Hides entries that do not contain every word of the query in what they show: title,
/// summary, ID, version, tags and state. Many checklists share a title, so the rest is
/// what finds the right one.
/// Returns how many are shown.
pub fn filter(entries: &[Element], query: &str) -> usize {
    let query = lowercase(query);
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut shown = 0;
    for entry in entries {
        let haystack = lowercase(&entry.text_content().unwrap_or_default());
        let matches = words.iter().all(|w| haystack.contains(w));
        if matches {
            show(entry);
            shown += 1;
        } else {
            let _ = entry.set_attribute("hidden", "");
        }
    }
    shown
}

/// Lowercase by the browser's rules, which know every script: Rust's `to_lowercase`
/// would ship its Unicode case tables in the client. Accents are dropped too, as
/// mdBook's and Zola's search do: "ubergabe" finds "Übergabe".
fn lowercase(text: &str) -> String {
    let decomposed: String = js_sys::JsString::from(text)
        .to_lower_case()
        .normalize("NFD")
        .into();
    // Combining marks over Latin, Greek and Cyrillic letters; others (a kana's voicing
    // mark) tell words apart and stay.
    decomposed
        .chars()
        .filter(|c| !matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}'))
        .collect()
}
