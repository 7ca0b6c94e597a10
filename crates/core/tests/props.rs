//! Properties that must hold for any input, however broken.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::collections::HashSet;

use checkdown_core::{Checklist, ItemKind, outline, parse};
use proptest::prelude::*;

/// Lines in the shapes authors write, plus the odd ones, so generated documents reach
/// the checklist-specific code paths and not only pulldown-cmark's.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# Title".to_owned()),
        Just("## Sign-Off".to_owned()),
        Just("### Approval {#a}".to_owned()),
        Just("---".to_owned()),
        Just("+++".to_owned()),
        Just("title: x".to_owned()),
        Just("**Deployment Date**: ______".to_owned()),
        Just("**Notes**:".to_owned()),
        Just("____________".to_owned()),
        Just("- [ ]".to_owned()),
        Just("```".to_owned()),
        Just("\t- [x] nested".to_owned()),
        "[ -~]{0,40}".prop_map(|s| format!("- [ ] {s}")),
        "[ -~]{0,40}".prop_map(|s| format!("  1. [ ] {s} {{#id}}")),
        "[ -~]{0,40}".prop_map(|s| format!("- [ ] {s}: ____ Date: __")),
        "\\PC{0,30}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..40).prop_map(|lines| lines.join("\n"))
}

fn ids(c: &Checklist) -> Vec<String> {
    let mut out: Vec<String> = c.all_items().iter().map(|i| i.id.clone()).collect();
    out.extend(c.all_sections().iter().map(|s| s.id.clone()));
    out.extend(c.fields.iter().map(|f| f.id.clone()));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let parsed = parse("p", &bytes);
        let _ = outline(&parsed);
    }

    #[test]
    fn checklist_shaped_text_never_panics_and_ids_stay_unique(doc in document()) {
        let parsed = parse("p", doc.as_bytes());
        let c = parsed.checklist.expect("text always yields a checklist");
        let all = ids(&c);
        let unique: HashSet<_> = all.iter().collect();
        // Duplicate explicit IDs are reported and renamed, so IDs are unique regardless.
        prop_assert_eq!(unique.len(), all.len(), "{:?}", all);
        let lines = doc.split('\n').count();
        for item in c.all_items() {
            prop_assert!(item.line >= 1 && item.line <= lines, "line {} of {}", item.line, lines);
        }
        for d in &parsed.diagnostics {
            prop_assert!(d.start <= doc.len() && d.end <= doc.len() && d.start <= d.end);
        }
    }

    /// The model stores plain items' HTML once, shared with their text; what it writes
    /// must still spell the HTML out, and read back to the same model.
    #[test]
    fn the_model_reads_back_from_its_json(doc in document()) {
        let c = parse("p", doc.as_bytes()).checklist.expect("text always yields a checklist");
        let json = serde_json::to_value(&c).unwrap();
        let back: Checklist = serde_json::from_value(json.clone()).unwrap();
        prop_assert_eq!(&back, &c);
        for (item, written) in c.all_items().iter().zip(json_items(&json)) {
            let html = item.html();
            prop_assert_eq!(written["html"].as_str(), Some(html.as_ref()));
        }
    }

    /// An item's HTML is what pulldown-cmark itself writes for the item's line, which
    /// the parser only writes faster.
    #[test]
    fn item_html_is_what_pulldown_cmark_writes(text in "[a-z0-9 *_`~<>&\"']{1,30}") {
        let line = format!("- [ ] {text}\n");
        let c = parse("p", format!("# T\n{line}").as_bytes()).checklist.unwrap();
        let mut html = String::new();
        let options = pulldown_cmark::Options::ENABLE_TASKLISTS
            | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
        // Raw HTML is shown as text, as the parser promises.
        let events = pulldown_cmark::Parser::new_ext(&line, options).map(|e| match e {
            pulldown_cmark::Event::InlineHtml(t) | pulldown_cmark::Event::Html(t) => {
                pulldown_cmark::Event::Text(t)
            }
            e => e,
        });
        pulldown_cmark::html::push_html(&mut html, events);
        let inner = html
            .strip_prefix("<ul>\n<li><input disabled=\"\" type=\"checkbox\"/>\n")
            .and_then(|h| h.strip_suffix("</li>\n</ul>\n"));
        if let (Some(inner), [item]) = (inner, c.all_items().as_slice()) {
            let ours = item.html();
            prop_assert_eq!(ours.as_ref(), inner.trim_end());
        }
    }
}

/// Every item object in a model's JSON, in document order (the order of
/// `Checklist::all_items`).
fn json_items(json: &serde_json::Value) -> Vec<&serde_json::Value> {
    fn items<'a>(list: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
        for item in list.as_array().into_iter().flatten() {
            out.push(item);
            items(&item["children"], out);
        }
    }
    fn sections<'a>(list: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
        for section in list.as_array().into_iter().flatten() {
            items(&section["items"], out);
            sections(&section["sections"], out);
        }
    }
    let mut out = Vec::new();
    items(&json["items"], &mut out);
    sections(&json["sections"], &mut out);
    out
}

/// Documents that are valid checklists: a title first, no front matter delimiters.
fn titled_document() -> impl Strategy<Value = String> {
    let body_line = prop_oneof![
        Just("## Sign-Off".to_owned()),
        Just("### Checks".to_owned()),
        Just("**Deployment Date**: ______".to_owned()),
        Just("**Notes**:".to_owned()),
        Just("____________".to_owned()),
        Just("\t- [x] nested".to_owned()),
        "[a-zA-Z0-9 ().,:/`*_-]{1,40}".prop_map(|s| format!("- [ ] {s}")),
        "[a-zA-Z0-9 ().,:/-]{1,40}".prop_map(|s| format!("1. [x] {s} {{optional}}")),
        "[a-zA-Z ]{1,20}".prop_map(|s| format!("- [ ] {s}: ____ Date: ___")),
        "[a-zA-Z ]{1,20}".prop_map(|s| format!("- [ ] {s} {{task}}")),
        "[a-z ]{0,12}".prop_map(|s| format!("- [ ] Run `{s}___` then: ____")),
        "[a-zA-Z ]{1,20}".prop_map(|s| format!("- [ ] {s}: ____ {{signoff}}")),
        "[a-zA-Z ]{0,30}",
    ];
    prop::collection::vec(body_line, 0..30)
        .prop_map(|lines| format!("# Title\n\n{}\n", lines.join("\n")))
}

/// What must survive writing a checklist back as Markdown and reading it again,
/// one line per item.
fn shape(c: &Checklist) -> Vec<String> {
    c.all_items()
        .iter()
        .map(|i| {
            let fields: Vec<_> = i
                .fields
                .iter()
                .map(|f| format!("{}:{:?}", f.id, f.kind))
                .collect();
            format!(
                "{} {:?} required={} checked={} {:?} role={:?} fields={fields:?}",
                i.id, i.text, i.required, i.checked, i.kind, i.role
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn items_round_trip_through_markdown(doc in titled_document()) {
        let parsed = parse("p", doc.as_bytes());
        prop_assume!(!parsed.has_errors());
        let c = parsed.checklist.unwrap();
        let written = checkdown_core::to_markdown(&c);
        let again = parse("p", written.as_bytes());
        prop_assert!(!again.has_errors(), "{}\n{:?}", written, again.diagnostics);
        let again = again.checklist.unwrap();
        prop_assert_eq!(shape(&c), shape(&again), "{}", written);
        prop_assert_eq!(c.title, again.title);
    }
}

// Written back as three underscores, a blank between two letters read again as a
// name (`MY___VAR`), and its field was gone (review R's fuzzing).
#[test]
fn a_blank_between_two_letters_round_trips() {
    for src in [
        "# T\n\n- [ ] TypeS____cript done\n",
        "# T\n\n- [ ] Signature______Date______\n",
        "# T\n\n- [ ] Keep MY___VAR set: ____\n",
    ] {
        let c = parse("p", src.as_bytes()).checklist.unwrap();
        let written = checkdown_core::to_markdown(&c);
        let again = parse("p", written.as_bytes()).checklist.unwrap();
        assert_eq!(shape(&c), shape(&again), "{src:?} wrote {written}");
        assert!(!c.all_items()[0].fields.is_empty(), "{src:?}");
    }
}

#[test]
fn explicit_syntax_round_trips() {
    let src = "# T\n\n## S {#s}\n- [ ] Warm the cache {#warm optional}\n- [x] Check GDPR (if applicable) {required}\n  - [ ] Child\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let written = checkdown_core::to_markdown(&c);
    assert!(
        written.contains("Warm the cache {#warm optional}"),
        "{written}"
    );
    assert!(
        written.contains("[x] Check GDPR (if applicable) {required}"),
        "{written}"
    );
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    assert_eq!(shape(&c), shape(&again), "{written}");
}

#[test]
fn a_nested_items_id_is_kept_when_its_parents_pin_would_move_it() {
    // Pinned to `rb`, Rollback would make its Page `rb.page`: Page needs its own pin.
    let src = "# T\n\n- [ ] Rollback {#rb}\n  - [ ] Page {#rollback.page}\n  - [ ] Call\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let written = checkdown_core::to_markdown(&c);
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    assert_eq!(shape(&c), shape(&again), "{written}");
}

#[test]
fn a_blank_on_a_continuation_line_is_written_on_its_own_line_again() {
    let src = "# T\n\n- [ ] Backup taken\n  Backup ID: ____\n\n## Sign-Off\n\n- [ ] QA Lead\n  Date: ____\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let written = checkdown_core::to_markdown(&c);
    assert!(
        written.contains("- [ ] Backup taken\n  Backup ID: ___\n"),
        "{written}"
    );
    assert!(
        written.contains("- [ ] QA Lead\n  Date: ___\n"),
        "{written}"
    );
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    assert_eq!(shape(&c), shape(&again), "{written}");
}

#[test]
fn a_run_level_line_with_two_blanks_is_written_back_as_one_line() {
    let src = "# T\n\n- [ ] Deploy\n\nApproved by: ____ Date: ____\n**Ticket**: ____\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let written = checkdown_core::to_markdown(&c);
    assert!(
        written.contains("**Approved by**: ______ Date: ______\n**Ticket**: ______\n"),
        "{written}"
    );
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    let ids = |c: &checkdown_core::Checklist| -> Vec<String> {
        c.fields.iter().map(|f| f.id.clone()).collect()
    };
    assert_eq!(
        ids(&again),
        [
            "field.approved-by",
            "field.approved-by.date",
            "field.ticket"
        ]
    );
    assert_eq!(ids(&c), ids(&again), "{written}");
}

#[test]
fn a_headings_explicit_id_round_trips_and_only_it_is_written() {
    let src = "# T\n\n## Pre\n\n### Configuration {#config}\n\n#### Env\n- [ ] Keys\n\n## Post\n- [ ] Done\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let written = checkdown_core::to_markdown(&c);
    assert!(
        written.contains("### Configuration {#config}\n"),
        "{written}"
    );
    assert!(written.contains("#### Env\n"), "{written}");
    assert!(
        written.contains("- [ ] Keys\n"),
        "its items need no pin: {written}"
    );
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    let ids = |c: &checkdown_core::Checklist| -> Vec<String> {
        c.all_sections().iter().map(|s| s.id.clone()).collect()
    };
    assert_eq!(ids(&c), ids(&again), "{written}");
    assert_eq!(shape(&c), shape(&again), "{written}");
}

#[test]
fn a_task_under_a_signoff_heading_and_a_signoff_elsewhere_round_trip() {
    let src = "# T\n\n- [ ] Release manager: ____ {signoff}\n\n## Before sign-off\n- [ ] Run the smoke tests {task}\n- [ ] QA Lead: ____\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let kinds: Vec<_> = c
        .all_items()
        .iter()
        .map(|i| (i.text.clone(), i.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Release manager: ___".to_owned(), ItemKind::Signoff),
            ("Run the smoke tests".to_owned(), ItemKind::Task),
            ("QA Lead: ___".to_owned(), ItemKind::Signoff),
        ]
    );
    let written = checkdown_core::to_markdown(&c);
    assert!(written.contains("Run the smoke tests {task}"), "{written}");
    assert!(written.contains("{signoff}"), "{written}");
    assert!(!written.contains("QA Lead: ___ {"), "{written}");
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    assert_eq!(shape(&c), shape(&again), "{written}");
}

#[test]
fn underscores_in_code_are_written_back_as_code_not_as_blanks() {
    let src = "# T\n\n- [ ] Run `make ___` then check\n- [ ] Set `FOO=____` in the env: ____\n- [ ] Type `____` in the box\n";
    let c = parse("p", src.as_bytes()).checklist.unwrap();
    let written = checkdown_core::to_markdown(&c);
    assert!(written.contains("Run make `___` then check"), "{written}");
    assert!(
        written.contains("Set FOO=`___` in the env: ___"),
        "{written}"
    );
    // A run in code keeps its length: it is not normalised as a blank is.
    assert!(written.contains("Type `____` in the box"), "{written}");
    let again = parse("p", written.as_bytes()).checklist.unwrap();
    assert_eq!(shape(&c), shape(&again), "{written}");
}
