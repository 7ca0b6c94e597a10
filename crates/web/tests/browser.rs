//! The client against a real DOM and real localStorage, in headless Chromium
//! (`cargo xtask test` runs these through wasm-bindgen-test-runner).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure, not a user-facing crash
#![cfg(target_arch = "wasm32")]

use checkdown_web::{Store, enhance_with};
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
             <p><span data-done>0</span> of <span data-total>3</span> done</p>
             <p data-storage-warning hidden>not saving</p>
             <input type="checkbox" id="a" data-item="a">
             <input type="checkbox" id="b" data-item="b" checked>
             <input type="checkbox" id="c" data-item="c">
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
