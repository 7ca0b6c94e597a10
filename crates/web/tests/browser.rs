//! The client against a real DOM and real localStorage, in headless Chromium
//! (`cargo xtask test` runs these through wasm-bindgen-test-runner).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure, not a user-facing crash
#![cfg(target_arch = "wasm32")]

use checkdown_core::evidence::ItemState;
use checkdown_web::{MemoryArea, Store, enhance_with, index};
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

const SRC: &str = "# Deploy\n\n**Deployed By**: ____\n\n## Steps\n\n- [ ] Backup\n- [x] Notify\n- [ ] Restore test (if applicable)\n\n## Sign-Off\n\n- [ ] QA Lead: ____ Date: ____\n";

/// A page for `SRC` the way the site renders it: a checkbox per item, an input per
/// field, and the rules embedded as JSON, built with the same core the CLI uses.
fn fresh_page(checklist: &str) -> Document {
    page_for(checklist, SRC)
}

/// The page for another version of the checklist's source.
fn page_for(checklist: &str, src: &str) -> Document {
    let c = checkdown_core::parse_str(checklist, src).checklist.unwrap();
    let mut html = format!(
        r#"<main data-checklist="{checklist}">
             <p><span data-done>0</span> of <span data-total>3</span> done,
                <span data-required-open>?</span> required open</p>
             <span data-toc-count="steps">?</span>
             <p data-storage-warning hidden>not saving</p>
             <p data-message hidden></p><p id="checkdown-signoff-blocked" hidden></p>
             <p data-source-changed hidden></p>
             <span data-status></span><ul data-problems></ul>
             <section data-section="steps">"#
    );
    for item in c.all_items() {
        html.push_str(&format!(
            r#"<li><input type="checkbox" id="cb-{0}" data-item="{0}"{1}></li>"#,
            item.id,
            if item.checked { " checked" } else { "" }
        ));
    }
    html.push_str("</section>");
    let fields = c
        .fields
        .iter()
        .chain(c.all_items().into_iter().flat_map(|i| i.fields.iter()));
    for f in fields {
        html.push_str(&format!(r#"<input id="f-{0}" data-field="{0}">"#, f.id));
    }
    html.push_str("</main>");
    let json = c.rules_json().replace('<', "\\u003c");
    html.push_str(&format!(
        r#"<script type="application/json" id="checkdown-model">{json}</script>"#
    ));
    set_fixture(&html)
}

fn checkbox(document: &Document, id: &str) -> HtmlInputElement {
    document
        .get_element_by_id(&format!("cb-{id}"))
        .unwrap()
        .dyn_into()
        .unwrap()
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

fn keys_with(prefix: &str) -> Vec<String> {
    let s = local_storage();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .filter(|k| k.starts_with(prefix))
        .collect()
}

const BACKUP: &str = "steps.backup";
const QA: &str = "sign-off.qa-lead";

#[wasm_bindgen_test]
fn ticking_a_box_saves_one_change_in_the_current_run() {
    local_storage().clear().unwrap();
    let document = fresh_page("deploy");
    enhance_with(&document, None).unwrap().unwrap();
    assert_eq!(
        text(&document, "[data-done]"),
        "1",
        "the pre-checked box counts"
    );

    checkbox(&document, BACKUP).click();
    let changes = keys_with("checkdown:v2:deploy:run:");
    let changes: Vec<_> = changes.iter().filter(|k| k.contains(":c:")).collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    let saved = local_storage().get_item(changes[0]).unwrap().unwrap();
    assert!(saved.contains(r#""target":"steps.backup""#) && saved.contains(r#""to":"done""#));
    assert_eq!(text(&document, "[data-done]"), "2");
}

#[wasm_bindgen_test]
fn saved_ticks_are_restored_on_the_next_load() {
    local_storage().clear().unwrap();
    let document = fresh_page("restore");
    enhance_with(&document, None).unwrap();
    checkbox(&document, BACKUP).click();
    checkbox(&document, "steps.notify").click(); // untick a box the source pre-checked

    let document = fresh_page("restore");
    enhance_with(&document, None).unwrap();
    assert!(checkbox(&document, BACKUP).checked());
    assert!(
        !checkbox(&document, "steps.notify").checked(),
        "an explicit untick survives too"
    );
    assert_eq!(text(&document, "[data-done]"), "1");
}

#[wasm_bindgen_test]
fn schema_1_ticks_migrate_into_the_first_run_and_the_old_keys_go_only_then() {
    local_storage().clear().unwrap();
    local_storage()
        .set_item("checkdown:v1:old:steps.backup", "done")
        .unwrap();
    local_storage()
        .set_item("checkdown:v1:old:steps.notify", "open")
        .unwrap();
    // One it cannot read is kept aside and said, not dropped in silence.
    let unreadable = "checkdown:v1:old:steps.restore-test-if-applicable";
    local_storage().set_item(unreadable, "garbage{").unwrap();
    let document = fresh_page("old");
    enhance_with(&document, None).unwrap();
    assert!(checkbox(&document, BACKUP).checked());
    assert!(!checkbox(&document, "steps.notify").checked());
    assert_eq!(
        keys_with("checkdown:v1:old:"),
        vec![unreadable.to_owned()],
        "migrated keys are removed"
    );
    assert_eq!(
        local_storage()
            .get_item(&format!("checkdown:backup:{unreadable}"))
            .unwrap()
            .as_deref(),
        Some("garbage{")
    );
    assert!(text(&document, "[data-message]").contains("kept aside"));
    let document = fresh_page("old");
    enhance_with(&document, None).unwrap();
    assert!(
        checkbox(&document, BACKUP).checked(),
        "and the migration persisted"
    );
}

#[wasm_bindgen_test]
fn a_corrupt_change_is_kept_as_a_backup_and_reported_and_the_rest_loads() {
    local_storage().clear().unwrap();
    let document = fresh_page("bad");
    enhance_with(&document, None).unwrap();
    checkbox(&document, BACKUP).click();
    let run_prefix = keys_with("checkdown:v2:bad:run:")
        .into_iter()
        .find(|k| k.contains(":c:"))
        .unwrap();
    let broken = format!("{run_prefix}-zzz");
    local_storage().set_item(&broken, "{not json").unwrap();
    // JSON, but with a time no evidence may carry: exported, it would fail `verify`.
    let saved = local_storage().get_item(&run_prefix).unwrap().unwrap();
    let at = saved
        .split("\"at\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let untimed = saved
        .replace(at, "yesterday")
        .replace("\"done\"", "\"open\"");
    let undated = format!("{run_prefix}-zzy");
    local_storage().set_item(&undated, &untimed).unwrap();

    let document = fresh_page("bad");
    enhance_with(&document, None).unwrap();
    assert!(checkbox(&document, BACKUP).checked());
    for (key, value) in [(&broken, "{not json"), (&undated, untimed.as_str())] {
        assert_eq!(
            local_storage()
                .get_item(&format!("checkdown:backup:{key}"))
                .unwrap()
                .as_deref(),
            Some(value)
        );
    }
    assert!(text(&document, "[data-message]").contains("2 saved values"));
}

/// The key prefix of the current run of `checklist` (`…:run:<id>`), from its saved
/// changes: there must be one.
fn run_key(checklist: &str) -> String {
    let change = keys_with(&format!("checkdown:v2:{checklist}:run:"))
        .into_iter()
        .find(|k| k.contains(":c:"))
        .unwrap();
    change[..change.find(":c:").unwrap()].to_owned()
}

#[wasm_bindgen_test]
fn a_corrupt_outline_is_kept_aside_and_reported_not_written_over() {
    local_storage().clear().unwrap();
    let document = fresh_page("ol");
    enhance_with(&document, None).unwrap();
    checkbox(&document, BACKUP).click();
    // The page writes the run's outline anew when it finds none it can read.
    let outline = format!("{}:outline", run_key("ol"));
    local_storage()
        .set_item(&outline, "[[\"steps.backup\"")
        .unwrap();

    let document = fresh_page("ol");
    enhance_with(&document, None).unwrap();
    assert!(checkbox(&document, BACKUP).checked());
    assert_eq!(
        local_storage()
            .get_item(&format!("checkdown:backup:{outline}"))
            .unwrap()
            .as_deref(),
        Some("[[\"steps.backup\""),
        "the outline as it was is kept aside"
    );
    assert!(text(&document, "[data-message]").contains("kept aside"));
}

#[wasm_bindgen_test]
fn a_corrupt_dialog_draft_is_kept_aside_and_reported() {
    local_storage().clear().unwrap();
    let document = fresh_page("dr");
    enhance_with(&document, None).unwrap();
    checkbox(&document, BACKUP).click();
    let draft = format!("{}:draft", run_key("dr"));
    local_storage()
        .set_item(&draft, "{\"item\":\"steps.backup\",\"note\":\"half a sen")
        .unwrap();

    let document = fresh_page("dr");
    enhance_with(&document, None).unwrap();
    assert_eq!(
        local_storage()
            .get_item(&format!("checkdown:backup:{draft}"))
            .unwrap()
            .as_deref(),
        Some("{\"item\":\"steps.backup\",\"note\":\"half a sen")
    );
    assert_eq!(local_storage().get_item(&draft).unwrap(), None);
    assert!(text(&document, "[data-message]").contains("kept aside"));
}

#[wasm_bindgen_test]
fn a_draft_for_an_item_this_version_lacks_is_kept_aside_and_said() {
    local_storage().clear().unwrap();
    let document = fresh_page("gone");
    enhance_with(&document, None).unwrap();
    checkbox(&document, BACKUP).click();
    let draft = format!("{}:draft", run_key("gone"));
    let typed = r#"{"item":"steps.reworded-away","state":"na","note":"","reason":"ticket OPS-4411","opened":{"state":"open","note":"","reason":""}}"#;
    local_storage().set_item(&draft, typed).unwrap();

    let document = fresh_page("gone");
    enhance_with(&document, None).unwrap();
    assert_eq!(
        local_storage()
            .get_item(&format!("checkdown:backup:{draft}"))
            .unwrap()
            .as_deref(),
        Some(typed)
    );
    assert_eq!(local_storage().get_item(&draft).unwrap(), None);
    assert!(text(&document, "[data-message]").contains("no longer has"));
}

#[wasm_bindgen_test]
fn a_run_list_naming_a_current_run_it_lacks_opens_its_latest_run() {
    local_storage().clear().unwrap();
    let document = fresh_page("cur");
    enhance_with(&document, None).unwrap();
    checkbox(&document, BACKUP).click();
    let key = "checkdown:v2:cur:runs";
    let list = local_storage().get_item(key).unwrap().unwrap();
    let current = list
        .split("\"current\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let broken = list.replace(
        &format!("\"current\":\"{current}\""),
        "\"current\":\"rnope\"",
    );
    assert_ne!(broken, list);
    local_storage().set_item(key, &broken).unwrap();

    let document = fresh_page("cur");
    enhance_with(&document, None).unwrap();
    let tick = checkbox(&document, BACKUP);
    assert!(tick.checked(), "the run with the tick is shown");
    assert!(!tick.disabled(), "and can be worked in, not read-only");
    assert_eq!(
        local_storage()
            .get_item(&format!("checkdown:backup:{key}"))
            .unwrap()
            .as_deref(),
        Some(broken.as_str())
    );
    assert!(text(&document, "[data-message]").contains("kept aside"));
}

#[wasm_bindgen_test]
fn a_corrupt_run_index_is_backed_up_not_dropped() {
    local_storage().clear().unwrap();
    local_storage()
        .set_item("checkdown:v2:idx:runs", "garbage")
        .unwrap();
    let document = fresh_page("idx");
    enhance_with(&document, None).unwrap();
    assert_eq!(
        local_storage()
            .get_item("checkdown:backup:checkdown:v2:idx:runs")
            .unwrap()
            .as_deref(),
        Some("garbage")
    );
    assert!(text(&document, "[data-message]").contains("kept aside"));
    // Broken again, differently: that copy is kept beside the first.
    local_storage()
        .set_item("checkdown:v2:idx:runs", "garbage, again")
        .unwrap();
    enhance_with(&fresh_page("idx"), None).unwrap();
    assert_eq!(
        local_storage()
            .get_item("checkdown:backup:checkdown:v2:idx:runs:2")
            .unwrap()
            .as_deref(),
        Some("garbage, again")
    );
}

#[wasm_bindgen_test]
fn a_run_index_that_cannot_be_read_is_rebuilt_from_the_saved_changes() {
    local_storage().clear().unwrap();
    let before = fresh_page("lost");
    enhance_with(&before, None).unwrap();
    checkbox(&before, BACKUP).click();
    local_storage()
        .set_item("checkdown:v2:lost:runs", "{\"schema\":2,\"curr")
        .unwrap();
    let after = fresh_page("lost");
    enhance_with(&after, None).unwrap();
    assert!(
        checkbox(&after, BACKUP).checked(),
        "the run's tick is found again"
    );
    let said = text(&after, "[data-message]");
    assert!(said.contains("rebuilt from the changes saved"), "{said}");
    // And it stays found: the rebuilt list was saved.
    let again = fresh_page("lost");
    enhance_with(&again, None).unwrap();
    assert!(checkbox(&again, BACKUP).checked());
}

/// Fills localStorage to the last kilobyte, as a person's other sites may; returns
/// the keys to free it again.
fn fill_storage() -> Vec<String> {
    let storage = local_storage();
    let mut junk = Vec::new();
    for size in [1 << 20, 1 << 16, 1 << 10, 1 << 6, 1] {
        let chunk = "x".repeat(size);
        loop {
            let key = format!("junk-{}", junk.len());
            if storage.set_item(&key, &chunk).is_err() {
                break;
            }
            junk.push(key);
        }
    }
    junk
}

#[wasm_bindgen_test]
fn a_run_list_refused_while_full_does_not_later_undo_another_tabs() {
    local_storage().clear().unwrap();
    let store = Store::open("tabs");
    // This tab saves a run list while storage is full: it waits in memory. Then
    // there is room again.
    let refused_while_full = |mine: &str| {
        let junk = fill_storage();
        assert!(
            store
                .save_runs(&serde_json::from_str(mine).unwrap())
                .is_err()
        );
        for key in &junk {
            local_storage().remove_item(key).unwrap();
        }
    };
    refused_while_full(
        r#"{"schema":2,"current":"r1","runs":[{"id":"r1","name":"Renamed here","started":"2026-11-24T10:00:00Z","source_sha256":"x"}]}"#,
    );
    // Another tab, with room now, starts a run; its storage event reaches this tab.
    let theirs = r#"{"schema":2,"current":"r2","runs":[{"id":"r1","name":"Run 1","started":"2026-11-24T10:00:00Z","source_sha256":"x","archived":true},{"id":"r2","name":"Run 2","started":"2026-11-24T10:05:00Z","source_sha256":"x"}]}"#;
    let key = "checkdown:v2:tabs:runs";
    local_storage().set_item(key, theirs).unwrap();
    store.written_elsewhere(key);
    // A later write here succeeds and writes what waited: not the older list.
    store.set_who("Ann").unwrap();
    assert_eq!(
        local_storage().get_item(key).unwrap().as_deref(),
        Some(theirs)
    );
    assert!(!store.pending());

    // A run this tab started while full is one the other tab never saw: the lists
    // are joined, and the later start is current.
    refused_while_full(
        r#"{"schema":2,"current":"r3","runs":[{"id":"r1","name":"Run 1","started":"2026-11-24T10:00:00Z","source_sha256":"x","archived":true},{"id":"r3","name":"Started here","started":"2026-11-24T10:09:00Z","source_sha256":"x"}]}"#,
    );
    local_storage().set_item(key, theirs).unwrap();
    store.written_elsewhere(key);
    let joined: serde_json::Value =
        serde_json::from_str(&local_storage().get_item(key).unwrap().unwrap()).unwrap();
    let ids: Vec<&str> = joined["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    assert_eq!(joined["current"], "r3");
}

#[wasm_bindgen_test]
fn ticks_made_while_storage_was_full_are_saved_once_there_is_room() {
    local_storage().clear().unwrap();
    let storage = local_storage();
    let junk = fill_storage();
    let page = fresh_page("room");
    enhance_with(&page, None).unwrap();
    checkbox(&page, BACKUP).click();
    let warning = page
        .query_selector("[data-storage-warning]")
        .unwrap()
        .unwrap();
    assert!(
        !warning.has_attribute("hidden"),
        "the page says it is not saving"
    );
    for key in &junk {
        storage.remove_item(key).unwrap();
    }
    checkbox(&page, "steps.notify").click();
    assert!(
        warning.has_attribute("hidden"),
        "saving again, and saying so"
    );

    let reloaded = fresh_page("room");
    enhance_with(&reloaded, None).unwrap();
    assert!(
        checkbox(&reloaded, BACKUP).checked(),
        "the tick made while full"
    );
    assert!(
        !checkbox(&reloaded, "steps.notify").checked(),
        "the untick made after"
    );
}

#[wasm_bindgen_test]
fn an_unreadable_run_list_is_not_written_over_while_its_copy_waits_for_room() {
    local_storage().clear().unwrap();
    let page = fresh_page("held");
    enhance_with(&page, None).unwrap();
    checkbox(&page, BACKUP).click();
    // Larger than the list the page rebuilds, so writing that one would fit where
    // the copy of this one does not.
    let unreadable = format!("{{\"runs\": [{}", "\"lost names\", ".repeat(400));
    let key = "checkdown:v2:held:runs";
    local_storage().set_item(key, &unreadable).unwrap();
    let junk = fill_storage();

    let page = fresh_page("held");
    enhance_with(&page, None).unwrap();
    assert!(
        checkbox(&page, BACKUP).checked(),
        "the run is rebuilt with its tick"
    );
    assert_eq!(
        local_storage().get_item(key).unwrap().as_deref(),
        Some(unreadable.as_str()),
        "the only copy is left where it is"
    );
    assert!(
        text(&page, "[data-message]")
            .to_lowercase()
            .contains("storage is full")
    );
    let warning = page
        .query_selector("[data-storage-warning]")
        .unwrap()
        .unwrap();
    assert!(!warning.has_attribute("hidden"));

    // Room again: the copy goes in first, then the list that replaces it.
    for k in &junk {
        local_storage().remove_item(k).unwrap();
    }
    checkbox(&page, "steps.notify").click();
    assert_eq!(
        local_storage()
            .get_item(&format!("checkdown:backup:{key}"))
            .unwrap()
            .as_deref(),
        Some(unreadable.as_str())
    );
    assert_ne!(
        local_storage().get_item(key).unwrap().as_deref(),
        Some(unreadable.as_str())
    );
}

#[wasm_bindgen_test]
fn a_full_storage_warns_and_keeps_working_in_memory() {
    let document = fresh_page("full");
    let area = MemoryArea {
        quota: Some(700),
        ..MemoryArea::default()
    };
    enhance_with(
        &document,
        Some(Store::with_area("full", Some(Box::new(area)))),
    )
    .unwrap()
    .unwrap();
    for id in [BACKUP, "steps.notify", BACKUP, "steps.notify", BACKUP] {
        checkbox(&document, id).click();
    }
    let warning = document
        .query_selector("[data-storage-warning]")
        .unwrap()
        .unwrap();
    assert!(
        !warning.has_attribute("hidden"),
        "the quota error must be shown"
    );
    assert!(
        checkbox(&document, BACKUP).checked(),
        "the tick stays on the page"
    );
    assert_eq!(text(&document, "[data-done]"), "2");
}

#[wasm_bindgen_test]
fn without_storage_the_page_warns_and_keeps_ticks_in_memory() {
    let document = fresh_page("memory");
    enhance_with(&document, Some(Store::with_area("memory", None)))
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
    checkbox(&document, BACKUP).click();
    assert!(checkbox(&document, BACKUP).checked());
    assert_eq!(text(&document, "[data-done]"), "2");
}

#[wasm_bindgen_test]
fn pages_without_a_checklist_are_left_alone() {
    let document = set_fixture("<main><p>index</p></main>");
    assert!(enhance_with(&document, None).unwrap().is_none());
}

#[wasm_bindgen_test]
fn a_signoff_is_refused_while_required_items_are_open_and_withdrawn_by_a_later_change() {
    local_storage().clear().unwrap();
    local_storage()
        .set_item("checkdown:who", "Ann Example")
        .unwrap();
    let document = fresh_page("sign");
    enhance_with(&document, None).unwrap();
    checkbox(&document, QA).click();
    assert!(
        !checkbox(&document, QA).checked(),
        "blocked: Backup is open"
    );
    assert_eq!(
        text(&document, "[data-message]"),
        "QA Lead cannot be signed yet: 1 required item is not done or N/A with a reason."
    );
    // Said beside the sign-off as well as at the top of the page.
    let beside = |what: &str| {
        let li = checkbox(&document, QA).parent_element().unwrap();
        li.query_selector(what)
            .unwrap()
            .map(|e| e.text_content().unwrap())
    };
    assert_eq!(
        beside(".item-blocked").as_deref(),
        Some("Can be signed once 1 required item is done or N/A with a reason.")
    );

    checkbox(&document, BACKUP).click();
    assert_eq!(beside(".item-blocked"), None, "nothing blocks it now");
    // A name typed just before signing, still inside its typing pause, is the one
    // kept; the empty date is filled in.
    let input = |id: &str| {
        document
            .get_element_by_id(&format!("f-{id}"))
            .unwrap()
            .dyn_into::<HtmlInputElement>()
            .unwrap()
    };
    let type_into = |id: &str, text: &str| {
        let field = input(id);
        field.set_value(text);
        let event = document.create_event("Event").unwrap();
        event.init_event_with_bubbles("input", true);
        field.dispatch_event(&event).unwrap();
    };
    type_into("sign-off.qa-lead.name", "Carol Chen");
    checkbox(&document, QA).click();
    assert!(checkbox(&document, QA).checked());
    // Ticked by whoever this browser's person is, in Carol's name: the line says both.
    let status = beside(".item-status").unwrap();
    assert!(
        status.starts_with("Signed by Carol Chen — ticked by "),
        "{status}"
    );
    let value = |id: &str| input(id).value();
    assert_eq!(value("sign-off.qa-lead.name"), "Carol Chen");
    let date = value("sign-off.qa-lead.date");
    assert!(
        date.len() == 10 && date.starts_with("20") && date.as_bytes()[4] == b'-',
        "{date}"
    );

    checkbox(&document, BACKUP).click();
    assert!(
        !checkbox(&document, QA).checked(),
        "the sign-off approved another state"
    );
    let message = text(&document, "[data-message]");
    assert!(
        message.starts_with("1 sign-off withdrawn (QA Lead): “Backup” changed after it was given."),
        "{message}"
    );
    let status = beside(".item-status").unwrap();
    assert!(
        status.starts_with("Withdrawn: “Backup” changed after it was given — "),
        "{status}"
    );
    assert!(beside(".item-blocked").is_some());

    // Signing again with the name emptied fills it with the signer's own.
    type_into("sign-off.qa-lead.name", "");
    checkbox(&document, BACKUP).click();
    checkbox(&document, QA).click();
    assert!(checkbox(&document, QA).checked());
    assert_eq!(value("sign-off.qa-lead.name"), "Ann Example");
}

#[wasm_bindgen_test]
fn importing_anothers_evidence_for_the_same_run_merges_it() {
    local_storage().clear().unwrap();
    let document = fresh_page("merge");
    let page = enhance_with(&document, None).unwrap().unwrap();
    checkbox(&document, "steps.notify").click(); // ours: untick Notify
    let ours = page.export_json();
    let mut theirs: checkdown_core::evidence::Evidence = serde_json::from_str(&ours).unwrap();
    // Someone else, later, ticks Backup in the same run.
    let c = checkdown_core::parse_str("merge", SRC).checklist.unwrap();
    let mut session = checkdown_core::run::Session::new(
        &c,
        checkdown_core::run::changes_from_evidence(&theirs, &c),
    );
    session
        .set_item(
            "2999-01-01T00:00:00+00:00",
            "bob",
            BACKUP,
            ItemState::Done,
            None,
            None,
        )
        .unwrap();
    // Both change Restore: they mark it N/A later than we tick it.
    let restore = "steps.restore-test-if-applicable";
    session
        .set_item(
            "2999-01-01T00:00:01+00:00",
            "bob",
            restore,
            ItemState::Na,
            None,
            Some("no replica"),
        )
        .unwrap();
    theirs = session.evidence(theirs.run.clone());
    checkbox(&document, restore).click();
    let message = page
        .import(&serde_json::to_string(&theirs).unwrap())
        .unwrap();
    assert!(message.contains("Merged"), "{message}");
    // Only Restore, which both changed, is a conflict, told by name.
    assert!(
        message
            .contains("Both of you changed 1 item: “Restore test (if applicable)”: yours done by "),
        "{message}"
    );
    assert!(
        message.contains("theirs N/A (reason “no replica”) by bob, ")
            && message.ends_with("later change wins: N/A."),
        "{message}"
    );
    assert!(checkbox(&document, BACKUP).checked(), "their tick arrived");
    assert!(
        !checkbox(&document, "steps.notify").checked(),
        "our untick stayed"
    );
}

#[wasm_bindgen_test]
fn a_finished_runs_file_is_restored_beside_the_run_in_progress() {
    local_storage().clear().unwrap();
    let document = fresh_page("restore");
    let page = enhance_with(&document, None).unwrap().unwrap();
    checkbox(&document, BACKUP).click(); // this release is under way
    // Last release's run, finished, its file kept after the run was deleted here.
    let c = checkdown_core::parse_str("restore", SRC).checklist.unwrap();
    let mut session = checkdown_core::run::Session::new(&c, Vec::new());
    session
        .set_item(
            "2026-01-01T10:00:00+00:00",
            "bob",
            "steps.notify",
            ItemState::Open,
            None,
            None,
        )
        .unwrap();
    let mut old = session.evidence(checkdown_core::evidence::Run {
        id: "r1767261600000".into(),
        name: "Release 2.4.0".into(),
        started: "2026-01-01T10:00:00+00:00".into(),
        completed: None,
    });
    old.run.completed = Some("2026-01-01T12:00:00+00:00".into());
    // Finished as the page would have exported it: sealed over its completion.
    old.seal = old.expected_seal();
    let message = page
        .import_asking(&serde_json::to_string(&old).unwrap(), &|_| {
            panic!("a finished run is restored without asking")
        })
        .unwrap();
    assert!(
        message.starts_with("Restored the finished run \"Release 2.4.0\" as an archived run"),
        "{message}"
    );
    assert!(
        checkbox(&document, BACKUP).checked(),
        "the release in progress is still shown"
    );
    assert!(checkbox(&document, "steps.notify").checked());
    let runs = keys_with("checkdown:v2:restore:runs");
    let index = local_storage().get_item(&runs[0]).unwrap().unwrap();
    assert!(
        index.contains("Release 2.4.0") && index.contains("\"archived\":true"),
        "{index}"
    );
}

#[wasm_bindgen_test]
fn hostile_or_foreign_evidence_changes_nothing() {
    local_storage().clear().unwrap();
    let document = fresh_page("hostile");
    let page = enhance_with(&document, None).unwrap().unwrap();
    checkbox(&document, BACKUP).click();
    let before = keys_with("checkdown:v2:hostile:");
    for bad in [
        "not json".to_owned(),
        r#"{"format":"checkdown-evidence"}"#.to_owned(),
        page.export_json().replace("\"hostile\"", "\"other\""),
        page.export_json().replace(
            "\"to\": \"done\"",
            "\"to\": \"<img src=x onerror=alert(1)>\"",
        ),
        // A later format version may mean things this page does not know.
        page.export_json()
            .replace("\"version\": 1,", "\"version\": 2,"),
    ] {
        assert!(page.import(&bad).is_err(), "{bad}");
    }
    let later = page
        .export_json()
        .replace("\"version\": 1,", "\"version\": 2,");
    assert!(
        later.contains("\"version\": 2,"),
        "the test changed the version"
    );
    assert!(page.import(&later).unwrap_err().contains("version 2"));
    // A file that is no evidence at all is named for what it holds, not in the
    // parser's words.
    for (bad, says) in [
        ("", "it is empty"),
        ("[]", "it holds a list"),
        ("# Release notes", "it is not JSON"),
    ] {
        let message = page.import(bad).unwrap_err();
        assert!(message.contains(says), "{message}");
    }
    assert_eq!(keys_with("checkdown:v2:hostile:"), before);
    assert!(checkbox(&document, BACKUP).checked());
}

#[wasm_bindgen_test]
fn the_index_shows_saved_progress_and_filters_by_what_it_shows() {
    local_storage().clear().unwrap();
    // Work on one checklist first, so its summary is saved.
    let page = fresh_page("deploy");
    enhance_with(&page, None).unwrap();
    checkbox(&page, BACKUP).click();

    let document = set_fixture(
        r#"<div data-search-box hidden><input type="search" data-search></div>
           <ul>
             <li id="one" data-checklist-id="deploy">
               <h2>Deploy</h2><p>Before shipping the acton app</p>
               <p><span class="tag">prod</span> <span class="tag">web</span></p>
               <p data-state hidden></p></li>
             <li id="two" data-checklist-id="db">
               <h2>Database migration</h2><p>db · version 1.1.0 · Überprüfung</p>
               <p data-state hidden></p></li>
           </ul>"#,
    );
    assert!(index::enhance(&document, Some(&local_storage())).unwrap());
    let state = |id: &str| text(&document, &format!("#{id} [data-state]"));
    assert_eq!(state("one"), "in progress · 2 of 4 done");
    assert_eq!(state("two"), "not started");

    let entries: Vec<web_sys::Element> = ["one", "two"]
        .iter()
        .map(|id| document.get_element_by_id(id).unwrap())
        .collect();
    assert_eq!(index::filter(&entries, "WEB"), 1);
    assert!(!entries[0].has_attribute("hidden"));
    assert!(
        entries[1].has_attribute("hidden"),
        "filtered by tag, case-insensitively"
    );
    index::filter(&entries, "migration");
    assert!(entries[0].has_attribute("hidden"));
    assert!(!entries[1].has_attribute("hidden"));
    index::filter(&entries, "acton");
    assert!(!entries[0].has_attribute("hidden"), "by summary");
    assert!(entries[1].has_attribute("hidden"));
    index::filter(&entries, "1.1.0");
    assert!(entries[0].has_attribute("hidden"));
    assert!(!entries[1].has_attribute("hidden"), "by version");
    // Without its accents too, as people type on a keyboard that has none.
    index::filter(&entries, "uberprufung");
    assert!(entries[0].has_attribute("hidden"));
    assert!(!entries[1].has_attribute("hidden"), "accents aside");
    index::filter(&entries, "ÜBERPRÜFUNG");
    assert!(entries[0].has_attribute("hidden"));
    assert!(
        !entries[1].has_attribute("hidden"),
        "case-insensitively beyond ASCII"
    );
    index::filter(&entries, "in progress");
    assert!(!entries[0].has_attribute("hidden"), "by saved state");
    assert!(entries[1].has_attribute("hidden"));
    index::filter(&entries, "");
    assert!(entries.iter().all(|e| !e.has_attribute("hidden")));
}

/// Lets timers the page set run (it writes some things just after start-up).
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_changed_checklist_says_what_changed_and_keeps_all_progress() {
    local_storage().clear().unwrap();
    let before = fresh_page("changed");
    enhance_with(&before, None).unwrap();
    checkbox(&before, BACKUP).click();
    let restore = "steps.restore-test-if-applicable";
    checkbox(&before, restore).click();
    assert!(
        before
            .query_selector("[data-source-changed]")
            .unwrap()
            .unwrap()
            .has_attribute("hidden"),
        "nothing changed yet"
    );
    // The first visit records the items as the run saw them, just after start-up.
    settle().await;

    // "Backup!" keeps its ID (same slug), so it reads as reworded; the restore test
    // is gone and a checksum step is new.
    let after_src = "# Deploy\n\n**Deployed By**: ____\n\n## Steps\n\n- [ ] Backup!\n- [x] Notify\n- [ ] Verify checksums\n\n## Sign-Off\n\n- [ ] QA Lead: ____ Date: ____\n";
    let after = page_for("changed", after_src);
    let page = enhance_with(&after, None).unwrap().unwrap();
    let notice = after
        .query_selector("[data-source-changed]")
        .unwrap()
        .unwrap();
    assert!(!notice.has_attribute("hidden"));
    let said = notice.text_content().unwrap();
    for part in [
        "added: Verify checksums",
        "reworded: Backup!",
        "removed: Restore test (if applicable)",
        "orphaned: “Restore test (if applicable)”",
    ] {
        assert!(said.contains(part), "{part:?} in {said:?}");
    }
    assert!(
        checkbox(&after, BACKUP).checked(),
        "progress on a kept item stays"
    );
    // The export carries the orphaned tick, and so does a merge into this run of a
    // colleague's file (which holds none).
    let exported = page.export_json();
    let evidence: checkdown_core::evidence::Evidence = serde_json::from_str(&exported).unwrap();
    let orphaned: Vec<&str> = evidence.orphans.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(orphaned, [restore]);
    let mut theirs = evidence.clone();
    theirs.orphans.clear();
    page.import(&serde_json::to_string(&theirs).unwrap())
        .unwrap();
    assert!(
        page.export_json().contains(restore),
        "a merge kept the orphan"
    );

    // Imported in a fresh profile, the run still holds it and says so.
    local_storage().clear().unwrap();
    let elsewhere = page_for("changed", after_src);
    let other = enhance_with(&elsewhere, None).unwrap().unwrap();
    other.import(&exported).unwrap();
    let notice = elsewhere
        .query_selector("[data-source-changed]")
        .unwrap()
        .unwrap();
    let said = notice.text_content().unwrap_or_default();
    assert!(
        !notice.has_attribute("hidden") && said.contains(restore),
        "{said:?}"
    );
    assert!(other.export_json().contains(restore), "exported again");
    // The next run starts on this version: the notice was about the one archived.
    other.start_new_run();
    assert!(
        notice.has_attribute("hidden"),
        "{:?}",
        notice.text_content()
    );
    let notice = after
        .query_selector("[data-source-changed]")
        .unwrap()
        .unwrap();
    page.start_new_run();
    assert!(
        notice.has_attribute("hidden"),
        "{:?}",
        notice.text_content()
    );
}

#[wasm_bindgen_test]
async fn progress_under_ids_a_newer_checkdown_reads_differently_is_reported_not_lost() {
    local_storage().clear().unwrap();
    let before = fresh_page("ids");
    enhance_with(&before, None).unwrap();
    checkbox(&before, BACKUP).click();
    settle().await;
    // The same source, but the run was saved when the item had another ID.
    let storage = local_storage();
    for key in keys_with("checkdown:v2:ids:") {
        let value = storage.get_item(&key).unwrap().unwrap();
        let old = value.replace(&format!("\"{BACKUP}\""), "\"steps.backup-taken\"");
        storage.set_item(&key, &old).unwrap();
    }
    let after = fresh_page("ids");
    enhance_with(&after, None).unwrap();
    let notice = after
        .query_selector("[data-source-changed]")
        .unwrap()
        .unwrap();
    assert!(
        !notice.has_attribute("hidden"),
        "the tick must not vanish unsaid"
    );
    let said = notice.text_content().unwrap();
    assert!(said.contains("orphaned"), "{said}");
    assert!(
        said.contains("the checklist itself did not change"),
        "{said}"
    );
    assert!(
        !said.contains("removed:"),
        "the same text is not both removed and added: {said}"
    );
}

/// The store a page opens when its site is served from `site` (GitHub Pages project
/// sites share one origin, and with it one localStorage).
/// Drops the mark a root site's page puts on its runs (`RunIndex::root_site`), as
/// pages from before sites had scopes wrote them.
fn unmark_root_site(checklist: &str) {
    let key = format!("checkdown:v2:{checklist}:runs");
    let raw = local_storage().get_item(&key).unwrap().unwrap();
    let mut index: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        index["root_site"], true,
        "a root site marks its runs its own"
    );
    index.as_object_mut().unwrap().remove("root_site");
    local_storage().set_item(&key, &index.to_string()).unwrap();
}

// Two sites on one host: a user site at the root and a project site under /proj/.
// The root site's live run is its own; the project site starts afresh, and its index
// does not show the root site's progress.
#[wasm_bindgen_test]
fn a_new_site_on_a_sub_path_takes_nothing_from_a_live_site_at_the_root() {
    local_storage().clear().unwrap();
    let root = fresh_page("live");
    enhance_with(&root, None).unwrap().unwrap();
    checkbox(&root, BACKUP).click();
    let html = gloo_utils::document().document_element().unwrap();
    html.set_attribute("data-checkdown-root", "/proj/").unwrap();
    let index = set_fixture(
        r#"<ul><li id="s" data-checklist-id="live"><p data-state hidden></p></li></ul>"#,
    );
    index::enhance(&index, Some(&local_storage())).unwrap();
    let state = text(&index, "#s [data-state]");
    let proj = fresh_page("live");
    enhance_with(&proj, store_in("live", "/proj/"))
        .unwrap()
        .unwrap();
    // Put back before asserting: the tests after this one run at the root.
    html.remove_attribute("data-checkdown-root").unwrap();
    assert_eq!(state, "not started", "nothing of the root site's");
    assert!(!checkbox(&proj, BACKUP).checked(), "a fresh run");
    assert!(
        keys_with("checkdown:v2:/proj/live:run:")
            .iter()
            .all(|k| !k.contains(":c:"))
    );
}

fn store_in(checklist: &str, site: &str) -> Option<Store> {
    Some(Store::with_area(checklist, Some(Box::new(local_storage()))).in_site(site))
}

#[wasm_bindgen_test]
fn two_sites_on_one_host_keep_their_runs_apart_and_start_from_a_copy_of_an_old_run() {
    local_storage().clear().unwrap();
    const RESTORE: &str = "steps.restore-test-if-applicable";
    // A run saved before sites had a scope, under the unscoped keys, which are also
    // those of a site at the host's root.
    let root = fresh_page("shared");
    enhance_with(&root, None).unwrap().unwrap();
    checkbox(&root, BACKUP).click();
    assert!(!keys_with("checkdown:v2:shared:run:").is_empty());
    // Made as a page from before scopes made it: without the root site's own mark.
    unmark_root_site("shared");

    // An index on a sub-path shows it until its page has taken a copy.
    let index_page = || {
        set_fixture(
            r#"<ul><li id="s" data-checklist-id="shared"><p data-state hidden></p></li></ul>"#,
        )
    };
    let html = gloo_utils::document().document_element().unwrap();
    html.set_attribute("data-checkdown-root", "/b/").unwrap();
    let index = index_page();
    index::enhance(&index, Some(&local_storage())).unwrap();
    assert_eq!(text(&index, "#s [data-state]"), "in progress · 2 of 4 done");

    // Sites A and B, on sub-paths, each start from a copy, tick and all, and from
    // then on keep to their own.
    let a = fresh_page("shared");
    enhance_with(&a, store_in("shared", "/a/"))
        .unwrap()
        .unwrap();
    assert!(checkbox(&a, BACKUP).checked());
    checkbox(&a, RESTORE).click();
    let b = fresh_page("shared");
    enhance_with(&b, store_in("shared", "/b/"))
        .unwrap()
        .unwrap();
    assert!(checkbox(&b, BACKUP).checked());
    assert!(!checkbox(&b, RESTORE).checked(), "none of A's own ticks");
    checkbox(&b, BACKUP).click();
    let index = index_page();
    index::enhance(&index, Some(&local_storage())).unwrap();
    assert_eq!(text(&index, "#s [data-state]"), "in progress · 1 of 4 done");

    // Nothing was taken from the site at the root, and A kept its own.
    html.remove_attribute("data-checkdown-root").unwrap();
    let root = fresh_page("shared");
    enhance_with(&root, None).unwrap().unwrap();
    assert!(checkbox(&root, BACKUP).checked());
    assert!(!checkbox(&root, RESTORE).checked());
    let a = fresh_page("shared");
    enhance_with(&a, store_in("shared", "/a/"))
        .unwrap()
        .unwrap();
    assert!(checkbox(&a, BACKUP).checked());
    assert!(checkbox(&a, RESTORE).checked());
}

#[wasm_bindgen_test]
fn a_site_on_a_sub_path_takes_no_run_of_another_checklist_with_its_id() {
    local_storage().clear().unwrap();
    // The site at the host's root has a checklist of its own called "twin".
    let root = page_for(
        "twin",
        "# Other\n\n- [ ] Something else\n- [ ] Another thing\n",
    );
    enhance_with(&root, None).unwrap().unwrap();
    checkbox(&root, "something-else").click();
    // This site's "twin" is another checklist: it starts clean, with no notice
    // that "its" checklist changed.
    let sub = fresh_page("twin");
    let page = enhance_with(&sub, store_in("twin", "/team/"))
        .unwrap()
        .unwrap();
    assert!(!checkbox(&sub, BACKUP).checked());
    assert!(
        sub.query_selector("[data-source-changed]")
            .unwrap()
            .unwrap()
            .has_attribute("hidden")
    );
    let evidence: checkdown_core::evidence::Evidence =
        serde_json::from_str(&page.export_json()).unwrap();
    assert!(evidence.events.is_empty(), "{:?}", evidence.events);
}

#[wasm_bindgen_test]
fn a_colleagues_later_change_withdraws_a_signoff_given_here_and_says_so() {
    local_storage().clear().unwrap();
    let document = fresh_page("late");
    let page = enhance_with(&document, None).unwrap().unwrap();
    checkbox(&document, BACKUP).click();
    // Bo's copy of the run: the ticks so far, but not the sign-off to come.
    let before: checkdown_core::evidence::Evidence =
        serde_json::from_str(&page.export_json()).unwrap();
    checkbox(&document, QA).click();
    assert!(checkbox(&document, QA).checked(), "signed here");
    let c = checkdown_core::parse_str("late", SRC).checklist.unwrap();
    let mut bo = checkdown_core::run::Session::new(
        &c,
        checkdown_core::run::changes_from_evidence(&before, &c),
    );
    bo.set_item(
        "2999-01-01T00:00:00+00:00",
        "bo",
        "steps.notify",
        ItemState::Open,
        None,
        None,
    )
    .unwrap();
    let theirs = bo.evidence(before.run.clone());
    let message = page
        .import(&serde_json::to_string(&theirs).unwrap())
        .unwrap();
    assert!(!checkbox(&document, QA).checked(), "withdrawn, as here");
    assert!(
        message.ends_with(
            "1 sign-off withdrawn: “QA Lead” (an item or field changed after it was given)."
        ),
        "{message}"
    );
    assert!(!message.contains("Both of you"), "{message}");
}

// Once the checklist changes, a page cannot make an archived run's evidence again:
// the copy kept when it was archived is what it exports then.
#[wasm_bindgen_test]
fn archiving_a_run_keeps_its_evidence_and_deleting_the_run_removes_it() {
    local_storage().clear().unwrap();
    let document = fresh_page("deploy");
    let page = enhance_with(&document, None).unwrap().unwrap();
    checkbox(&document, BACKUP).click();
    page.start_new_run();
    let kept: Vec<String> = keys_with("checkdown:v2:deploy:run:")
        .into_iter()
        .filter(|k| k.ends_with(":evidence"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let json = local_storage().get_item(&kept[0]).unwrap().unwrap();
    let evidence: serde_json::Value = serde_json::from_str(&json).unwrap();
    let backup = evidence["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == BACKUP)
        .unwrap();
    assert_eq!(backup["state"], "done");
    let run = kept[0]
        .trim_start_matches("checkdown:v2:deploy:run:")
        .trim_end_matches(":evidence");
    Store::open("deploy").delete_run(run);
    assert_eq!(local_storage().get_item(&kept[0]).unwrap(), None);
}

// A run started while the store is full: its outline (what a later version of the
// page reads to say what changed) is refused. The page says so, writes it once there
// is room, and a run left without one (by a page that did not) gets it on a visit.
#[wasm_bindgen_test]
async fn a_runs_outline_refused_by_a_full_store_is_warned_of_and_written_later() {
    local_storage().clear().unwrap();
    let storage = local_storage();
    let document = fresh_page("outline");
    let page = enhance_with(&document, None).unwrap().unwrap();
    settle().await;
    let junk = fill_storage();
    page.start_new_run();
    let warning = document
        .query_selector("[data-storage-warning]")
        .unwrap()
        .unwrap();
    assert!(
        !warning.has_attribute("hidden"),
        "the refused write is said"
    );
    for key in &junk {
        storage.remove_item(key).unwrap();
    }
    let outlines = || -> Vec<String> {
        keys_with("checkdown:v2:outline:run:")
            .into_iter()
            .filter(|k| k.ends_with(":outline"))
            .collect()
    };
    assert_eq!(outlines().len(), 1, "only the first run's");
    checkbox(&document, BACKUP).click();
    let written = outlines();
    assert_eq!(written.len(), 2, "written with the next change that fits");
    for key in &written {
        storage.remove_item(key).unwrap();
    }
    // Kept alive while it settles: its pending writes go with it.
    let _again = enhance_with(&fresh_page("outline"), None).unwrap();
    settle().await;
    assert_eq!(
        outlines().len(),
        1,
        "the current run's, written on the visit"
    );
}
