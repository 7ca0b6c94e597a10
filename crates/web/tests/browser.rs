//! The client against a real DOM and real localStorage, in headless Chromium
//! (`cargo xtask test` runs these through wasm-bindgen-test-runner).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure, not a user-facing crash
#![cfg(target_arch = "wasm32")]

use checkdown_web::{Store, enhance_with, index};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Replaces the test fixture. The runner reports results through elements of its own
/// in the body, so the fixture lives in a container rather than replacing the body.
fn set_fixture(html: &str) -> Document {
    let document = gloo_utils::document();
    if let Some(old) = document.get_element_by_id("fixture") {
        old.remove();
    }
    let container = document.create_element("div").unwrap();
    container.set_id("fixture");
    container.set_inner_html(html);
    document.body().unwrap().append_child(&container).unwrap();
    document
}

fn fresh_page(checklist: &str) -> Document {
    set_fixture(&format!(
        r#"<main data-checklist="{checklist}">
             <p><span data-done>0</span> of <span data-total>3</span> done,
                <span data-required-open>?</span> required open</p>
             <span data-toc-count="s.one">?</span>
             <p data-storage-warning hidden>not saving</p>
             <section data-section="s.one">
               <input type="checkbox" id="a" data-item="a" data-kind="task" data-required="true">
               <input type="checkbox" id="b" data-item="b" data-kind="task" data-required="true" checked>
             </section>
             <input type="checkbox" id="c" data-item="c" data-kind="signoff" data-required="false">
           </main>"#
    ))
}

fn checkbox(document: &Document, id: &str) -> HtmlInputElement {
    document.get_element_by_id(id).unwrap().dyn_into().unwrap()
}

fn text(document: &Document, selector: &str) -> String {
    document
        .query_selector(selector)
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn ticking_a_box_saves_it_under_the_checklist_and_item_key() {
    local_storage().clear().unwrap();
    let document = fresh_page("deploy");
    enhance_with(&document, None).unwrap().unwrap();
    assert_eq!(
        text(&document, "[data-done]"),
        "1",
        "the pre-checked box counts"
    );

    checkbox(&document, "a").click();
    assert_eq!(
        local_storage()
            .get_item("checkdown:v1:deploy:a")
            .unwrap()
            .as_deref(),
        Some("done")
    );
    assert_eq!(text(&document, "[data-done]"), "2");
}

#[wasm_bindgen_test]
fn saved_ticks_are_restored_on_the_next_load() {
    local_storage().clear().unwrap();
    let document = fresh_page("restore");
    enhance_with(&document, None).unwrap();
    checkbox(&document, "c").click();
    checkbox(&document, "b").click(); // untick a box the source pre-checked

    let document = fresh_page("restore");
    enhance_with(&document, None).unwrap();
    assert!(checkbox(&document, "c").checked());
    assert!(
        !checkbox(&document, "b").checked(),
        "an explicit untick survives too"
    );
    assert!(!checkbox(&document, "a").checked());
    assert_eq!(text(&document, "[data-done]"), "1");
}

#[wasm_bindgen_test]
fn ticks_of_one_checklist_do_not_leak_into_another() {
    local_storage().clear().unwrap();
    let document = fresh_page("one");
    enhance_with(&document, None).unwrap();
    checkbox(&document, "a").click();

    let document = fresh_page("two");
    enhance_with(&document, None).unwrap();
    assert!(!checkbox(&document, "a").checked());
}

#[wasm_bindgen_test]
fn without_storage_the_page_warns_and_keeps_ticks_in_memory() {
    let document = fresh_page("memory");
    let page = enhance_with(&document, Some(Store::with_storage("memory", None)))
        .unwrap()
        .unwrap();
    let warning = document
        .query_selector("[data-storage-warning]")
        .unwrap()
        .unwrap();
    assert!(
        !warning.has_attribute("hidden"),
        "the warning must be visible"
    );

    checkbox(&document, "a").click();
    assert!(checkbox(&document, "a").checked());
    assert_eq!(page.done_count(), 2);
    assert_eq!(text(&document, "[data-done]"), "2");
}

#[wasm_bindgen_test]
fn pages_without_a_checklist_are_left_alone() {
    let document = set_fixture("<main><p>index</p></main>");
    assert!(enhance_with(&document, None).unwrap().is_none());
}

#[wasm_bindgen_test]
fn required_open_and_section_counts_follow_the_ticks() {
    local_storage().clear().unwrap();
    let document = fresh_page("counts");
    enhance_with(&document, None).unwrap();
    assert_eq!(
        text(&document, "[data-required-open]"),
        "1",
        "a is required and open; c is optional"
    );
    assert_eq!(text(&document, "[data-toc-count]"), "1/2");
    checkbox(&document, "a").click();
    assert_eq!(text(&document, "[data-required-open]"), "0");
    assert_eq!(text(&document, "[data-toc-count]"), "2/2");
}

#[wasm_bindgen_test]
fn the_index_shows_saved_progress_and_filters_by_title_or_tag() {
    local_storage().clear().unwrap();
    // Work on one checklist first, so its summary is saved.
    let page = fresh_page("deploy");
    enhance_with(&page, None).unwrap();
    checkbox(&page, "a").click();

    let document = set_fixture(
        r#"<div data-search-box hidden><input type="search" data-search></div>
           <ul>
             <li id="one" data-checklist-id="deploy" data-title="Deploy" data-tags="prod web">
               <p data-state hidden></p></li>
             <li id="two" data-checklist-id="db" data-title="Database migration" data-tags="db">
               <p data-state hidden></p></li>
           </ul>"#,
    );
    assert!(index::enhance(&document, Some(&local_storage())).unwrap());
    let state = |id: &str| text(&document, &format!("#{id} [data-state]"));
    assert_eq!(state("one"), "complete · 2 of 3 done");
    assert_eq!(state("two"), "not started");

    let entries: Vec<web_sys::Element> = ["one", "two"]
        .iter()
        .map(|id| document.get_element_by_id(id).unwrap())
        .collect();
    index::filter(&entries, "WEB");
    assert!(!entries[0].has_attribute("hidden"));
    assert!(
        entries[1].has_attribute("hidden"),
        "filtered by tag, case-insensitively"
    );
    index::filter(&entries, "migration");
    assert!(entries[0].has_attribute("hidden"));
    assert!(!entries[1].has_attribute("hidden"));
    index::filter(&entries, "");
    assert!(entries.iter().all(|e| !e.has_attribute("hidden")));
}
