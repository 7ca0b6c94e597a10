//! Evidence: honest runs verify; every kind of tampering is caught with a reason.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::collections::HashMap;

use checkdown_core::evidence::{
    Evidence, FindingKind, ItemRecord, ItemState, LogEvent, Recorder, Run, verify,
};
use checkdown_core::{Checklist, ItemKind, parse_str};
use proptest::prelude::*;

const RELEASE: &str = "# Release\n\n## Steps\n- [ ] Back up\n- [ ] Deploy\n- [ ] Warm the CDN (if needed)\n\n## Sign-Off\n- [ ] QA Lead: ______ Date: ____\n\n**Deployment Date**: ______\n";

fn checklist(src: &str) -> Checklist {
    parse_str("release", src).checklist.unwrap()
}

fn run() -> Run {
    Run {
        id: "6f1c2a8e-4b7d-4e0a-9a51-3c2d9e8f7b10".into(),
        name: "v2.4.1 prod".into(),
        started: "2026-11-23T09:00:00+01:00".into(),
        completed: None,
    }
}

/// A complete, signed run, recorded as the browser would.
fn honest(c: &Checklist) -> Evidence {
    let mut r = Recorder::new(c, run());
    honest_log(&mut r);
    r.finish(Some("2026-11-23T09:10:00+01:00"))
}

/// The changes of [`honest`]'s run.
fn honest_log(r: &mut Recorder) {
    r.subject("storefront-api", "sha256:abc123");
    r.set_item(
        "2026-11-23T09:01:00+01:00",
        "Ana",
        "steps.back-up",
        ItemState::Done,
        None,
        None,
    )
    .unwrap();
    r.set_item(
        "2026-11-23T09:05:00+01:00",
        "Ana",
        "steps.deploy",
        ItemState::Done,
        Some("canary first"),
        None,
    )
    .unwrap();
    r.set_item(
        "2026-11-23T09:06:00+01:00",
        "Ana",
        "steps.warm-the-cdn-if-needed",
        ItemState::Na,
        None,
        Some("no CDN for this service"),
    )
    .unwrap();
    r.set_field(
        "2026-11-23T09:07:00+01:00",
        "Ana",
        "field.deployment-date",
        "2026-11-23",
    )
    .unwrap();
    r.set_field(
        "2026-11-23T09:08:00+01:00",
        "Bo",
        "sign-off.qa-lead.name",
        "Bo Berg",
    )
    .unwrap();
    r.set_field(
        "2026-11-23T09:08:30+01:00",
        "Bo",
        "sign-off.qa-lead.date",
        "2026-11-23",
    )
    .unwrap();
    r.set_item(
        "2026-11-23T09:09:00+01:00",
        "Bo",
        "sign-off.qa-lead",
        ItemState::Done,
        None,
        None,
    )
    .unwrap();
}

fn messages(e: &Evidence, c: &Checklist) -> Vec<String> {
    verify(e, c, Some("sha256:abc123"))
        .into_iter()
        .map(|f| f.message)
        .collect()
}

/// What `verify` says with no subject required.
fn log_messages(e: &Evidence, c: &Checklist) -> Vec<String> {
    verify(e, c, None).into_iter().map(|f| f.message).collect()
}

#[test]
fn an_honest_signed_run_verifies() {
    let c = checklist(RELEASE);
    let e = honest(&c);
    assert!(e.validation.complete, "{:?}", e.validation.problems);
    assert_eq!(messages(&e, &c), Vec::<String>::new());
    assert_eq!(e.signoffs[0].name, "Bo Berg");
    assert_eq!(
        e.items[2].na_reason.as_deref(),
        Some("no CDN for this service")
    );
    // And it survives JSON.
    let json = serde_json::to_string(&e).unwrap();
    let back: Evidence = serde_json::from_str(&json).unwrap();
    assert_eq!(messages(&back, &c), Vec::<String>::new());
}

#[test]
fn an_items_who_is_who_set_its_state_not_who_added_a_note_later() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    r.set_item(
        "2026-11-23T09:01:00Z",
        "Ana",
        "steps.back-up",
        ItemState::Done,
        None,
        None,
    )
    .unwrap();
    r.set_item(
        "2026-11-23T09:05:00Z",
        "Bo",
        "steps.back-up",
        ItemState::Done,
        Some("checked the restore too"),
        None,
    )
    .unwrap();
    let e = r.finish(None);
    let item = e.items.iter().find(|i| i.id == "steps.back-up").unwrap();
    assert_eq!(
        (item.who.as_deref(), item.when.as_deref()),
        (Some("Ana"), Some("2026-11-23T09:01:00Z")),
        "an attestation made from the file credits the step to who did it"
    );
    assert_eq!(item.note.as_deref(), Some("checked the restore too"));
    assert_eq!(integrity_findings(&e, &c), Vec::<String>::new());
    // A file made before who and the note's author were kept apart still holds…
    let mut earlier = e.clone();
    let old = earlier
        .items
        .iter_mut()
        .find(|i| i.id == "steps.back-up")
        .unwrap();
    old.who = Some("Bo".into());
    old.when = Some("2026-11-23T09:05:00Z".into());
    assert_eq!(integrity_findings(&earlier, &c), Vec::<String>::new());
    // …and a name the log never gives is still refused.
    let mut forged = e.clone();
    forged.items[0].who = Some("Mallory".into());
    assert!(
        verify(&forged, &c, None)
            .iter()
            .any(|f| f.kind == FindingKind::Claim),
        "{:?}",
        verify(&forged, &c, None)
    );
}

// Nothing in the log records the subject or the run's name and times: without the
// seal, one signed run could be edited by hand to approve any release.
#[test]
fn a_header_edited_after_export_breaks_the_seal() {
    let c = checklist(RELEASE);
    let honest = honest(&c);
    type Edit = fn(&mut Evidence);
    let edits: [(&str, Edit); 4] = [
        ("subject", |e| {
            if let Some(s) = e.subject.as_mut() {
                s.digest = format!("sha256:{}", "ab".repeat(32));
            }
        }),
        ("run name", |e| e.run.name = "v9.9.9 prod".into()),
        ("completion time", |e| {
            e.run.completed = Some("2030-01-01T00:00:00Z".into());
        }),
        ("checklist title", |e| e.checklist.title = "Another".into()),
    ];
    for (what, edit) in edits {
        let mut e = honest.clone();
        edit(&mut e);
        let findings: Vec<_> = log_messages(&e, &c);
        assert!(
            findings
                .iter()
                .any(|m| m.starts_with("seal does not match")),
            "{what}: {findings:?}"
        );
    }
    // A file without a seal holds for its log, but cannot vouch for a subject.
    let mut unsealed = honest.clone();
    unsealed.seal = String::new();
    let plain: Vec<_> = log_messages(&unsealed, &c);
    assert_eq!(plain, Vec::<String>::new());
    assert!(
        messages(&unsealed, &c)
            .iter()
            .any(|m| m.contains("no seal binding its subject")),
        "{:?}",
        messages(&unsealed, &c)
    );
    // Naming the subject again in the page seals it again.
    let mut renamed = honest.clone();
    renamed.set_subject(Some(checkdown_core::evidence::Subject {
        name: "api".into(),
        digest: "sha256:def456".into(),
    }));
    assert_eq!(
        messages(&renamed, &c).len(),
        1,
        "only the required digest differs"
    );
}

// Reports print a run's start and end as times (`export --oscal` as its `start` and
// `end`): a file that says "yesterday", or ends before it starts, must not hold even
// when whoever wrote it sealed it again.
#[test]
fn run_times_that_are_no_times_or_out_of_order_are_caught() {
    let c = checklist(RELEASE);
    assert_eq!(log_messages(&honest(&c), &c), Vec::<String>::new());
    type Edit = fn(&mut Evidence);
    let cases: [(Edit, &str); 3] = [
        (
            |e| e.run.started = "yesterday".into(),
            "the run's start time `yesterday` is not a time (RFC 3339, with its offset)",
        ),
        (
            |e| e.run.completed = Some("2026-11-23 09:10".into()),
            "the run's completion time `2026-11-23 09:10` is not a time (RFC 3339, with its offset)",
        ),
        (
            |e| e.run.completed = Some("2026-11-23T09:08:45+01:00".into()),
            "the run was completed at 2026-11-23T09:08:45+01:00, before its last change (2026-11-23T09:09:00+01:00)",
        ),
    ];
    for (edit, expected) in cases {
        let mut e = honest(&c);
        edit(&mut e);
        e.seal = e.expected_seal();
        let findings = verify(&e, &c, None);
        assert!(
            findings
                .iter()
                .any(|f| f.kind == FindingKind::Log && f.message == expected),
            "{expected}: {findings:?}"
        );
    }
    // Started on a clock two hours ahead of the one it was finished on (review S): the
    // two times are two people's clocks, and such a run holds.
    let mut skewed = honest(&c);
    skewed.run.started = "2026-11-23T11:00:00+01:00".into();
    skewed.seal = skewed.expected_seal();
    assert_eq!(log_messages(&skewed, &c), Vec::<String>::new());
}

// The seal covers the log's head: events cut from the end, with the head rewritten to
// match, break nothing else, so the seal's finding must say that is what it may mean.
#[test]
fn a_log_cut_short_with_its_head_rewritten_is_named_by_the_seal() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    e.events.pop();
    e.head = e.events.last().map(|ev| ev.hash()).unwrap_or_default();
    let findings = log_messages(&e, &c);
    assert!(
        findings.iter().any(|m| m.starts_with("seal does not match")
            && m.contains("removed from or added to the end of the log")),
        "{findings:?}"
    );
}

#[test]
fn a_log_from_before_reasons_reads_an_na_note_as_the_reason() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    let na = e.events.iter().position(|ev| ev.to == "na").unwrap();
    assert!(e.events[na].reason.is_some() && e.events[na].note.is_none());
    // Written the old way: the reason in `note`, the chain hashed over that.
    e.events[na].note = e.events[na].reason.take();
    let mut prev = "0".repeat(64);
    for ev in &mut e.events {
        ev.prev = prev;
        prev = ev.hash();
    }
    e.head = prev;
    // Nor was there a seal then: it holds for what its log records.
    e.seal = String::new();
    let findings: Vec<_> = log_messages(&e, &c);
    assert_eq!(findings, Vec::<String>::new());
    let restored =
        checkdown_core::run::Session::new(&c, checkdown_core::run::changes_from_evidence(&e, &c));
    assert_eq!(
        restored.reason("steps.warm-the-cdn-if-needed"),
        Some("no CDN for this service")
    );
    assert_eq!(restored.note("steps.warm-the-cdn-if-needed"), None);
}

fn assert_caught(e: &Evidence, c: &Checklist, kind: FindingKind, expected: &str) {
    let found = verify(e, c, None);
    assert!(
        found
            .iter()
            .any(|f| f.kind == kind && f.message.contains(expected)),
        "expected a {kind:?} finding containing {expected:?}, got {found:?}"
    );
}

#[test]
fn a_flipped_final_state_is_caught() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    e.items[0].state = ItemState::Open;
    assert_caught(
        &e,
        &c,
        FindingKind::Claim,
        "`steps.back-up` is `open` in the evidence, but the log leaves it `done`",
    );
}

#[test]
fn an_edited_reason_note_who_when_or_title_is_caught() {
    let c = checklist(RELEASE);
    let item = |e: &mut Evidence, id: &str| {
        let n = e.items.iter().position(|i| i.id == id).unwrap();
        e.items[n].clone()
    };
    type Edit = fn(&mut ItemRecord);
    let edits: [(&str, Edit); 4] = [
        ("N/A reason", |i| {
            i.na_reason = Some("Approved by the CISO".into());
        }),
        ("note", |i| i.note = Some("checked by an auditor".into())),
        ("who", |i| i.who = Some("Carol".into())),
        ("when", |i| i.when = Some("2030-01-01T00:00:00Z".into())),
    ];
    for (what, edit) in edits {
        let mut e = honest(&c);
        let mut record = item(&mut e, "steps.warm-the-cdn-if-needed");
        edit(&mut record);
        let n = e.items.iter().position(|i| i.id == record.id).unwrap();
        e.items[n] = record;
        assert_caught(
            &e,
            &c,
            FindingKind::Claim,
            &format!("item `steps.warm-the-cdn-if-needed`: its {what} in the evidence is not"),
        );
    }
    let mut e = honest(&c);
    e.signoffs[0].signed_at = "2030-01-01T00:00:00Z".into();
    assert_caught(&e, &c, FindingKind::Claim, "does not match the log");
    let mut e = honest(&c);
    e.checklist.title = "Something else".into();
    assert_caught(&e, &c, FindingKind::Checklist, "titles the checklist");
    let mut e = honest(&c);
    e.checklist.version = Some("9.9".into());
    assert_caught(&e, &c, FindingKind::Checklist, "version");
    let mut e = honest(&c);
    e.fields[0].label = "Approved by".into();
    assert_caught(&e, &c, FindingKind::Claim, "does not match the log");
    // What a report lists under "Still open", and whether the run is complete.
    let mut e = honest(&c);
    e.validation.complete = false;
    assert_caught(&e, &c, FindingKind::Claim, "validation result");
    let mut e = honest(&c);
    e.validation.problems = vec![checkdown_core::evidence::Problem {
        kind: checkdown_core::evidence::ProblemKind::EmptyField,
        target: "field.deployment-date".into(),
        message: "Security Lead REJECTED this release".into(),
    }];
    e.validation.complete = false;
    assert_caught(&e, &c, FindingKind::Claim, "validation result");
}

/// Ana does both steps, and the QA Lead signs.
/// `who` marks `id` done at `at`.
fn done(r: &mut Recorder, at: &str, who: &str, id: &str) {
    r.set_item(at, who, id, ItemState::Done, None, None)
        .unwrap();
}

fn both_steps_then_signed(r: &mut Recorder) {
    for (at, id) in [
        ("2026-11-23T09:01:00Z", "steps.back-up"),
        ("2026-11-23T09:02:00Z", "steps.deploy"),
        ("2026-11-23T09:10:00Z", "sign-off.qa-lead"),
    ] {
        r.set_item(at, "Ana", id, ItemState::Done, None, None)
            .unwrap();
    }
}

/// Bo, who has not seen the QA Lead's sign-off, unticks Deploy after it was given.
fn bo_unticks_deploy_later(r: &mut Recorder) {
    r.set_item(
        "2026-11-23T09:20:00Z",
        "Bo",
        "steps.deploy",
        ItemState::Open,
        None,
        None,
    )
    .unwrap();
}

#[test]
fn a_task_changed_after_signing_without_withdrawing_the_signoff_is_caught() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    both_steps_then_signed(&mut r);
    bo_unticks_deploy_later(&mut r);
    let e = r.finish(None);
    assert_caught(
        &e,
        &c,
        FindingKind::Log,
        "event 4: sign-offs sign-off.qa-lead still stood after \"Deploy\" changed",
    );
}

#[test]
fn a_signoff_renamed_after_signing_without_withdrawing_it_is_caught() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    r.set_field(
        "2026-11-23T09:05:00Z",
        "Ana",
        "sign-off.qa-lead.name",
        "Ana",
    )
    .unwrap();
    both_steps_then_signed(&mut r);
    // Eve writes her name over the signer's, and the signature stays. A page that
    // did not withdraw on a field's change wrote such logs honestly: what the run
    // lacks is a fresh signature.
    r.set_field(
        "2026-11-23T10:00:00+01:00",
        "Eve",
        "sign-off.qa-lead.name",
        "Eve",
    )
    .unwrap();
    let e = r.finish(None);
    assert_caught(
        &e,
        &c,
        FindingKind::Incomplete,
        "incomplete: event 5: \"QA Lead Name\" changed after sign-offs sign-off.qa-lead were given; they must be given again",
    );
    // Filling a name left empty at signing completes the signature instead.
    let mut r = Recorder::new(&c, run());
    both_steps_then_signed(&mut r);
    r.set_field(
        "2026-11-23T10:00:00+01:00",
        "Ana",
        "sign-off.qa-lead.name",
        "Ana",
    )
    .unwrap();
    let e = r.finish(None);
    assert!(
        verify(&e, &c, None)
            .iter()
            .all(|f| !f.message.contains("given again")),
        "{:?}",
        verify(&e, &c, None)
    );
}

#[test]
fn an_event_whose_time_is_not_a_time_is_caught() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    r.set_item(
        "yesterday",
        "Ana",
        "steps.deploy",
        ItemState::Done,
        None,
        None,
    )
    .unwrap();
    let e = r.finish(None);
    assert_caught(
        &e,
        &c,
        FindingKind::Log,
        "event 1: `yesterday` is not a time (RFC 3339, with its offset)",
    );
}

#[test]
fn withdrawing_only_one_of_two_signoffs_after_a_task_changed_is_caught() {
    let c = checklist("# R\n\n- [ ] Deploy\n\n## Sign-Off\n- [ ] QA Lead\n- [ ] Ops Lead\n");
    let mut r = Recorder::new(&c, run());
    let steps = [
        ("deploy", ItemState::Done),
        ("sign-off.qa-lead", ItemState::Done),
        ("sign-off.ops-lead", ItemState::Done),
        ("deploy", ItemState::Open),
        ("sign-off.qa-lead", ItemState::Open),
        // Ops Lead's signature is left standing for a state nobody approved.
        ("deploy", ItemState::Done),
    ];
    for (id, to) in steps {
        r.set_item("2026-11-23T09:01:00Z", "Ana", id, to, None, None)
            .unwrap();
    }
    let e = r.finish(None);
    assert_caught(
        &e,
        &c,
        FindingKind::Log,
        "event 4: sign-offs sign-off.ops-lead still stood after \"Deploy\" changed",
    );
}

/// A log re-chained after an un-tick was dated before the tick it followed: in its own
/// order Back up is open, in time order (a page's replay, a merge) done. A merge of it
/// dropped the un-tick and came out complete.
#[test]
fn a_log_that_goes_back_in_time_is_caught_and_not_merged() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    r.set_item(
        "2026-11-23T09:01:00Z",
        "Ana",
        "steps.back-up",
        ItemState::Done,
        None,
        None,
    )
    .unwrap();
    r.set_item(
        "2026-11-23T08:00:00+00:00",
        "Mallory",
        "steps.back-up",
        ItemState::Open,
        None,
        None,
    )
    .unwrap();
    let e = r.finish(None);
    assert_caught(
        &e,
        &c,
        FindingKind::Log,
        "event 2: dated 2026-11-23T08:00:00+00:00, before the event ahead of it (2026-11-23T09:01:00Z); a run's log goes forward in time",
    );
    let refused = checkdown_core::evidence::merge(&e, &e, &c);
    assert!(
        matches!(
            &refused,
            Err(checkdown_core::evidence::MergeError::Broken("the first file", m)) if m.contains("goes forward in time")
        ),
        "{refused:?}"
    );
}

#[test]
fn signing_again_after_an_older_pages_field_change_satisfies_verify() {
    let c = checklist(RELEASE);
    let overwritten = || {
        let mut r = Recorder::new(&c, run());
        let at = "2026-11-23T09:00:30Z";
        for (id, value) in [
            ("field.deployment-date", "2026-11-23"),
            ("sign-off.qa-lead.name", "Ana"),
            ("sign-off.qa-lead.date", "2026-11-23"),
        ] {
            r.set_field(at, "Ana", id, value).unwrap();
        }
        both_steps_then_signed(&mut r);
        // An older page wrote over the date and left the signature standing.
        r.set_field(
            "2026-11-23T10:00:00Z",
            "Bo",
            "field.deployment-date",
            "2026-11-24",
        )
        .unwrap();
        r
    };
    assert_caught(
        &overwritten().finish(None),
        &c,
        FindingKind::Incomplete,
        "incomplete: event 7: \"Deployment Date\" changed after sign-offs sign-off.qa-lead were given; they must be given again",
    );
    // Taken back and given again later, not at once: the run holds.
    let mut r = overwritten();
    r.set_item(
        "2026-11-23T10:01:00Z",
        "Bo",
        "steps.deploy",
        ItemState::Done,
        Some("checked the date"),
        None,
    )
    .unwrap();
    for to in [ItemState::Open, ItemState::Done] {
        r.set_item(
            "2026-11-23T10:02:00Z",
            "Ana",
            "sign-off.qa-lead",
            to,
            None,
            None,
        )
        .unwrap();
    }
    let e = r.finish(None);
    assert_eq!(verify(&e, &c, None), Vec::new());
}

#[test]
fn evidence_whose_ids_the_same_source_no_longer_gives_says_why() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    both_steps_then_signed(&mut r);
    let mut e = r.finish(None);
    // As an older checkdown might have named the item.
    for item in &mut e.items {
        if item.id == "steps.deploy" {
            item.id = "steps.deploy-it".into();
        }
    }
    assert_caught(
        &e,
        &c,
        FindingKind::Checklist,
        "the evidence names items its own source does not give (`steps.deploy-it`)",
    );
}

#[test]
fn a_removed_event_is_caught() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    e.events.remove(1);
    assert_caught(&e, &c, FindingKind::Chain, "hash chain broken");
}

#[test]
fn an_edited_timestamp_is_caught() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    e.events[2].at = "2026-11-22T09:06:00+01:00".into();
    assert_caught(&e, &c, FindingKind::Chain, "event 4: hash chain broken");
    let mut last = honest(&c);
    let n = last.events.len() - 1;
    last.events[n].at = "2026-11-22T09:09:00+01:00".into();
    assert_caught(&last, &c, FindingKind::Chain, "head hash does not match");
}

#[test]
fn reordered_events_are_caught() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    e.events.swap(0, 1);
    assert_caught(&e, &c, FindingKind::Chain, "sequence number");
}

#[test]
fn evidence_for_another_checklist_version_is_caught() {
    let c = checklist(RELEASE);
    let e = honest(&c);
    let changed = checklist(&RELEASE.replace("Back up", "Back up the database"));
    assert_caught(
        &e,
        &changed,
        FindingKind::Checklist,
        "different version of this checklist",
    );
    // Line endings alone change the hash: the message says the items are not it.
    let crlf = checklist(&RELEASE.replace('\n', "\r\n"));
    assert_caught(
        &e,
        &crlf,
        FindingKind::Checklist,
        "no item was added, removed or reworded",
    );
    assert_caught(
        &e,
        &changed,
        FindingKind::Checklist,
        r#"removed "Back up"; added "Back up the database""#,
    );
    // What to do about it, since a gate that only says "no" leaves the engineer stuck.
    assert_caught(
        &e,
        &changed,
        FindingKind::Checklist,
        "to carry the run over, import the file on the current page",
    );
    // Versions the author numbered are named, both of them.
    let versioned = |v: &str, src: &str| checklist(&format!("---\nversion: {v}\n---\n{src}"));
    let e = honest(&versioned("1.0.0", RELEASE));
    assert_caught(
        &e,
        &versioned("1.1.0", &RELEASE.replace("Back up", "Back up the database")),
        FindingKind::Checklist,
        "(made for version 1.0.0, the checklist is now 1.1.0; source SHA-256 differs)",
    );
    assert_caught(
        &e,
        &changed,
        FindingKind::Checklist,
        "(made for version 1.0.0, the checklist now names none; source SHA-256 differs)",
    );
}

#[test]
fn a_removed_signoff_is_caught() {
    let c = checklist(RELEASE);
    let mut e = honest(&c);
    e.signoffs.clear();
    assert_caught(
        &e,
        &c,
        FindingKind::Claim,
        "sign-off `sign-off.qa-lead` (QA Lead) is missing",
    );
}

#[test]
fn an_added_or_repeated_item_field_or_signoff_is_caught() {
    let c = checklist(RELEASE);
    let honest = honest(&c);

    let mut e = honest.clone();
    let mut forged = e.items[0].clone();
    forged.id = "steps.security-review".into();
    forged.text = "Security review by the CISO".into();
    e.items.push(forged);
    assert_caught(
        &e,
        &c,
        FindingKind::Claim,
        "item `steps.security-review` is in the evidence, but the checklist has no such item",
    );

    let mut e = honest.clone();
    let mut second = e.items[1].clone();
    second.state = ItemState::Done;
    e.items.insert(0, second);
    let id = e.items[0].id.clone();
    assert_caught(
        &e,
        &c,
        FindingKind::Claim,
        &format!("item `{id}` is listed more than once in the evidence"),
    );

    let mut e = honest.clone();
    let mut field = e.fields[0].clone();
    field.value = "Mallory".into();
    e.fields.insert(0, field);
    let id = e.fields[0].id.clone();
    assert_caught(
        &e,
        &c,
        FindingKind::Claim,
        &format!("field `{id}` is listed more than once in the evidence"),
    );

    let mut e = honest;
    e.signoffs.push(e.signoffs[0].clone());
    assert_caught(
        &e,
        &c,
        FindingKind::Claim,
        "sign-off `sign-off.qa-lead` is listed more than once in the evidence",
    );
}

// The checklist has the sign-off; the log never gives it. Saying the checklist has
// no such sign-off sent an auditor to the wrong file.
#[test]
fn a_claimed_signoff_the_log_never_gives_is_said_to_be_missing_from_the_log() {
    let c = checklist(RELEASE);
    let signed = honest(&c);
    let mut r = Recorder::new(&c, run());
    r.subject("storefront-api", "sha256:abc123");
    let mut e = r.finish(None);
    e.signoffs.push(signed.signoffs[0].clone());
    let found = log_messages(&e, &c);
    assert!(
        found.contains(
            &"sign-off `sign-off.qa-lead` is in the evidence, but the log never gives it"
                .to_owned()
        ),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|m| m.contains("no such sign-off")),
        "{found:#?}"
    );
}

/// RELEASE with its tasks done and its date filled, and the QA Lead's sign-off set
/// to `to` with no name given.
fn tasks_done_then_signoff(c: &Checklist, to: ItemState, reason: Option<&str>) -> Evidence {
    let mut r = Recorder::new(c, run());
    r.subject("storefront-api", "sha256:abc123");
    for id in ["steps.back-up", "steps.deploy"] {
        r.set_item(
            "2026-11-23T09:01:00+01:00",
            "Ana",
            id,
            ItemState::Done,
            None,
            None,
        )
        .unwrap();
    }
    r.set_field(
        "2026-11-23T09:07:00+01:00",
        "Ana",
        "field.deployment-date",
        "2026-11-23",
    )
    .unwrap();
    r.set_item(
        "2026-11-23T09:09:00+01:00",
        "Bo",
        "sign-off.qa-lead",
        to,
        None,
        reason,
    )
    .unwrap();
    r.finish(None)
}

// A page from before the rule could record a required sign-off as N/A: the run is
// not complete, and its evidence does not verify.
#[test]
fn a_required_signoff_marked_na_leaves_the_run_incomplete() {
    let c = checklist(RELEASE);
    let mut e = tasks_done_then_signoff(&c, ItemState::Na, Some("n/a"));
    assert!(!e.validation.complete);
    assert_eq!(
        e.validation.problems[0].message,
        "required sign-off is marked N/A, which it cannot be: QA Lead"
    );
    // A file claiming otherwise is caught, and the problem is said.
    e.validation.complete = true;
    e.validation.problems.clear();
    let found = log_messages(&e, &c);
    assert!(
        found
            .iter()
            .any(|m| m.contains("required sign-off is marked N/A")),
        "{found:#?}"
    );
}

#[test]
fn a_signoff_without_a_name_is_incomplete() {
    let c = checklist(RELEASE);
    let e = tasks_done_then_signoff(&c, ItemState::Done, None);
    assert!(!e.validation.complete);
    assert_caught(
        &e,
        &c,
        FindingKind::Incomplete,
        "incomplete: sign-off QA Lead has no name",
    );
}

#[test]
fn a_done_task_with_an_empty_blank_is_incomplete() {
    let c = checklist(
        "# R\n\n- [ ] Rollback command verified: ____\n- [ ] Check ____ logs\n- [ ] Skip ____ (optional)\n",
    );
    let mut r = Recorder::new(&c, run());
    for id in ["rollback-command-verified", "check"] {
        done(&mut r, "2026-11-23T09:01:00Z", "Ana", id);
    }
    r.set_item(
        "2026-11-23T09:02:00Z",
        "Ana",
        "skip",
        ItemState::Na,
        None,
        Some("not this time"),
    )
    .unwrap();
    let e = r.finish(None);
    assert!(!e.validation.complete);
    let problems: Vec<&str> = e
        .validation
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(
        problems,
        [
            "required field is empty: Rollback command verified",
            "required field is empty: Check in \"Check ___ logs\"",
        ],
        "an N/A item's blank is not asked for"
    );
    assert_caught(
        &e,
        &c,
        FindingKind::Incomplete,
        "incomplete: required field is empty: Rollback command verified",
    );
    // Filled in, the run is complete.
    let mut r = Recorder::new(&c, run());
    for (id, field) in [
        (
            "rollback-command-verified",
            "rollback-command-verified.rollback-command-verified",
        ),
        ("check", "check.check"),
    ] {
        done(&mut r, "2026-11-23T09:01:00Z", "Ana", id);
        r.set_field("2026-11-23T09:01:00Z", "Ana", field, "kubectl rollout undo")
            .unwrap();
    }
    r.set_item(
        "2026-11-23T09:02:00Z",
        "Ana",
        "skip",
        ItemState::Na,
        None,
        Some("no"),
    )
    .unwrap();
    assert!(r.finish(None).validation.complete);
}

#[test]
fn na_needs_a_reason_and_required_items_must_be_done() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    r.set_item(
        "2026-11-23T09:01:00+01:00",
        "Ana",
        "steps.back-up",
        ItemState::Na,
        None,
        None,
    )
    .unwrap();
    let e = r.finish(None);
    let found = messages(&e, &c);
    assert!(
        found
            .iter()
            .any(|m| m == "incomplete: marked N/A without a reason: Back up"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m == "incomplete: required item is open: Deploy"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m == "incomplete: required field is empty: Deployment Date"),
        "{found:?}"
    );
}

#[test]
fn the_subject_must_be_the_one_required() {
    let c = checklist(RELEASE);
    let e = honest(&c);
    let found: Vec<String> = verify(&e, &c, Some("sha256:other"))
        .into_iter()
        .map(|f| f.message)
        .collect();
    assert_eq!(
        found,
        ["evidence is for storefront-api sha256:abc123, not sha256:other"]
    );
    // The mistakes a pipeline makes, each named.
    let said = |e: &Evidence, digest: &str| -> Vec<String> {
        verify(e, &c, Some(digest))
            .into_iter()
            .map(|f| f.message)
            .collect()
    };
    assert_eq!(
        said(&e, "sha256:SHA256:abc123"),
        [
            "evidence is for storefront-api sha256:abc123, not sha256:SHA256:abc123 (the required digest names its algorithm twice)"
        ]
    );
    assert_eq!(
        said(&e, "abc123"),
        [
            "evidence is for storefront-api sha256:abc123, not abc123 (a digest is written with its algorithm, e.g. sha256:…)"
        ]
    );
    // Typed doubled into the page's Releasing field (review S).
    let mut doubled = honest(&c);
    doubled.set_subject(Some(checkdown_core::evidence::Subject {
        name: "storefront-api".into(),
        digest: "sha256:sha256:abc123".into(),
    }));
    assert_eq!(
        said(&doubled, "sha256:abc123"),
        [
            "evidence is for storefront-api sha256:sha256:abc123, not sha256:abc123 (the evidence's digest names its algorithm twice: see the page's \"Releasing\" field)"
        ]
    );
    let mut unnamed = honest(&c);
    unnamed.set_subject(None);
    assert_eq!(
        said(&unnamed, "sha256:abc123"),
        [
            "evidence names no subject; sha256:abc123 was required (the page's \"Releasing\" field sets it before the run is signed)"
        ]
    );
}

#[test]
fn recording_an_unknown_item_is_refused() {
    let c = checklist(RELEASE);
    let mut r = Recorder::new(&c, run());
    assert!(
        r.set_item("t", "a", "nope", ItemState::Done, None, None)
            .is_err()
    );
    assert!(
        r.set_item(
            "t",
            "a",
            "field.deployment-date",
            ItemState::Done,
            None,
            None
        )
        .is_err()
    );
}

/// One step of a run: which item (by index) and what to do.
fn steps() -> impl Strategy<Value = Vec<(usize, u8, String)>> {
    prop::collection::vec((0usize..6, 0u8..4, "[a-z ]{0,12}"), 1..25)
}

fn record(c: &Checklist, plan: &[(usize, u8, String)]) -> Evidence {
    record_by(c, plan, "p", 1)
}

/// `plan` done by `who`, `per_second` steps in each second.
fn record_by(
    c: &Checklist,
    plan: &[(usize, u8, String)],
    who: &str,
    per_second: usize,
) -> Evidence {
    let all = c.all_items();
    let fields: Vec<String> = c.fields.iter().map(|f| f.id.clone()).collect();
    let mut values: HashMap<String, String> = HashMap::new();
    // The states as they stand, to follow the page's rule: a task or field changed
    // after sign-offs were given withdraws them.
    let mut states: HashMap<String, ItemState> = all
        .iter()
        .map(|i| (i.id.clone(), ItemState::Open))
        .collect();
    let mut r = Recorder::new(c, run());
    for (i, (which, action, text)) in plan.iter().enumerate() {
        let at = format!("2026-11-23T09:{:02}:00Z", (i / per_second) % 60);
        let item = all[which % all.len()];
        let (to, reason) = match action {
            0 => (ItemState::Done, None),
            1 => (ItemState::Open, None),
            2 => (ItemState::Na, Some(text.as_str())),
            _ => {
                let field = &fields[which % fields.len()];
                let before = values
                    .insert(field.clone(), text.clone())
                    .unwrap_or_default();
                let changed = checkdown_core::evidence::overwrites(&before, text);
                r.set_field(&at, who, field, text).unwrap();
                withdraw_all(&mut r, &mut states, (&at, who), changed);
                continue;
            }
        };
        r.set_item(&at, who, &item.id, to, None, reason).unwrap();
        let changed = states.insert(item.id.clone(), to) != Some(to);
        withdraw_all(
            &mut r,
            &mut states,
            (&at, who),
            changed && item.kind == ItemKind::Task,
        );
    }
    r.finish(None)
}

/// What the page does after a task or a run field changed: every sign-off given is
/// taken back.
fn withdraw_all(
    r: &mut Recorder,
    states: &mut HashMap<String, ItemState>,
    (at, who): (&str, &str),
    changed: bool,
) {
    if !changed {
        return;
    }
    let mut given: Vec<String> = states
        .iter()
        .filter(|(id, s)| id.starts_with("sign-off.") && **s == ItemState::Done)
        .map(|(id, _)| id.clone())
        .collect();
    given.sort();
    for s in given {
        r.set_item(at, who, &s, ItemState::Open, None, None)
            .unwrap();
        states.insert(s, ItemState::Open);
    }
}

fn integrity_findings(e: &Evidence, c: &Checklist) -> Vec<String> {
    verify(e, c, None)
        .into_iter()
        .filter(|f| f.kind != FindingKind::Incomplete)
        .map(|f| f.message)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The hash chain hashes this JSON: the hand-written form must be serde_json's
    /// byte for byte, or evidence from the browser and from the CLI would disagree.
    #[test]
    fn canonical_json_is_what_serde_json_writes(
        seq in any::<u64>(),
        text in proptest::collection::vec("[\\x00-\\x20\"\\\\a-z\u{7f}\u{e9}\u{2028}\u{1f600}]{0,12}", 8),
        with_note in any::<bool>(),
        with_reason in any::<bool>(),
    ) {
        let event = LogEvent {
            seq,
            at: text[0].clone(),
            who: text[1].clone(),
            item: text[2].clone(),
            from: text[3].clone(),
            to: text[4].clone(),
            note: with_note.then(|| text[5].clone()),
            reason: with_reason.then(|| text[7].clone()),
            prev: text[6].clone(),
        };
        let ours = event.canonical_json();
        let serde = serde_json::to_vec(&event).unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&serde));
    }

    #[test]
    fn any_valid_sequence_verifies(plan in steps()) {
        let c = checklist(RELEASE);
        let e = record(&c, &plan);
        prop_assert_eq!(integrity_findings(&e, &c), Vec::<String>::new());
    }

    #[test]
    fn changing_dropping_duplicating_or_reordering_events_fails(
        plan in steps(), pick in any::<prop::sample::Index>(), how in 0u8..7
    ) {
        let c = checklist(RELEASE);
        let mut e = record(&c, &plan);
        let i = pick.index(e.events.len());
        match how {
            0 => e.events[i].at.push('x'),
            1 => e.events[i].who.push('x'),
            2 => e.events[i].seq += 1,
            3 => e.events[i].note = Some(format!("{}x", e.events[i].note.clone().unwrap_or_default())),
            4 => { e.events.remove(i); }
            5 => { let d = e.events[i].clone(); e.events.insert(i, d); }
            _ => {
                prop_assume!(e.events.len() > 1);
                let j = (i + 1) % e.events.len();
                e.events.swap(i, j);
            }
        }
        prop_assert!(!integrity_findings(&e, &c).is_empty(), "tampering {how} at {i} went unnoticed");
    }
}

mod merging {
    use super::*;
    use checkdown_core::evidence::{MergeError, merge};

    fn person(c: &Checklist, f: impl FnOnce(&mut Recorder)) -> Evidence {
        let mut r = Recorder::new(c, run());
        r.subject("storefront-api", "sha256:abc123");
        f(&mut r);
        r.finish(None)
    }

    /// One person's evidence with one item ticked.
    fn ticked(c: &Checklist, at: &str, who: &str, id: &str) -> Evidence {
        person(c, |r| done(r, at, who, id))
    }

    /// Two people who never named themselves mark the CDN N/A in the same second, each
    /// with a reason: two changes, both kept, whichever file comes first.
    #[test]
    fn two_na_reasons_given_in_one_second_by_anonymous_people_are_both_logged() {
        let c = checklist(RELEASE);
        let t = "2026-11-23T10:00:00Z";
        let cdn = "steps.warm-the-cdn-if-needed";
        let na = |reason: &'static str| {
            person(&c, move |r| {
                r.set_item(t, "anonymous", cdn, ItemState::Na, None, Some(reason))
                    .unwrap();
            })
        };
        let (x, y) = (na("X: no CDN here"), na("Y: the CDN is broken"));
        let (xy, conflicts) = merge(&x, &y, &c).unwrap();
        let (yx, _) = merge(&y, &x, &c).unwrap();
        assert_eq!(xy.events.len(), 2, "{:?}", xy.events);
        assert_eq!(xy.items, yx.items);
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    }

    /// Everything in one second, as when clocks are clamped behind an imported file's:
    /// Ana ticked the CDN, then Back up; Bo ticked Back up, took in her CDN tick, and
    /// unticked Back up. Choosing only between the files' next changes put her tick
    /// between his tick and untick one way round (where it changed nothing and was
    /// dropped) and after them the other.
    #[test]
    fn three_changes_in_one_second_merge_the_same_in_either_order() {
        let c = checklist(RELEASE);
        let t = "2026-11-23T10:00:00Z";
        let cdn = "steps.warm-the-cdn-if-needed";
        let ana = person(&c, |r| {
            r.set_item(t, "Ana", cdn, ItemState::Done, None, None)
                .unwrap();
            r.set_item(t, "Ana", "steps.back-up", ItemState::Done, None, None)
                .unwrap();
        });
        let bo = person(&c, |r| {
            r.set_item(t, "Bo", "steps.back-up", ItemState::Done, None, None)
                .unwrap();
            r.set_item(t, "Ana", cdn, ItemState::Done, None, None)
                .unwrap();
            r.set_item(t, "Bo", "steps.back-up", ItemState::Open, None, None)
                .unwrap();
        });
        let (ab, _) = merge(&ana, &bo, &c).unwrap();
        let (ba, _) = merge(&bo, &ana, &c).unwrap();
        let states = |e: &Evidence| {
            e.items
                .iter()
                .map(|i| (i.id.clone(), i.state))
                .collect::<Vec<_>>()
        };
        assert_eq!(states(&ab), states(&ba), "{:?}\n{:?}", ab.events, ba.events);
        assert_eq!(ab.events.len(), ba.events.len());
        // Merging again what a merge already holds changes nothing.
        let (again, _) = merge(&ab, &ana, &c).unwrap();
        assert_eq!(states(&again), states(&ab));
    }

    /// Bo imported Ana's file, then finished and signed. Her change of the date is in
    /// his log, logged from his value (he had set one a minute earlier by the clock),
    /// so it reads `2026-11-24 -> 2026-11-23` there and `'' -> 2026-11-23` in hers. Her
    /// older file merged in again must not pass for a change he never saw.
    #[test]
    fn an_older_file_merged_into_a_signed_run_that_holds_its_changes_keeps_the_signoff() {
        use checkdown_core::run::{Session, changes_from_evidence};
        let c = checklist(RELEASE);
        let date = "field.deployment-date";
        let ana = person(&c, |r| {
            r.set_field("2026-11-23T08:05:00Z", "Ana", date, "2026-11-23")
                .unwrap();
        });
        let bo = person(&c, |r| {
            r.set_field("2026-11-23T08:04:00Z", "Bo", date, "2026-11-24")
                .unwrap();
        });
        let (imported, _) = merge(&ana, &bo, &c).unwrap();
        assert!(
            imported
                .events
                .iter()
                .any(|e| e.who == "Ana" && e.from == "2026-11-24"),
            "{:?}",
            imported.events
        );
        let mut s = Session::new(&c, changes_from_evidence(&imported, &c));
        for (at, id) in [("08:10", "steps.back-up"), ("08:11", "steps.deploy")] {
            let at = format!("2026-11-23T{at}:00Z");
            s.set_item(&at, "Bo", id, ItemState::Done, None, None)
                .unwrap();
        }
        for (id, value) in [
            ("sign-off.qa-lead.name", "Bo"),
            ("sign-off.qa-lead.date", "2026-11-23"),
        ] {
            s.set_field("2026-11-23T08:12:00Z", "Bo", id, value)
                .unwrap();
        }
        s.set_item(
            "2026-11-23T08:13:00Z",
            "Bo",
            "sign-off.qa-lead",
            ItemState::Done,
            None,
            None,
        )
        .unwrap();
        let mut signed = s.evidence(run());
        signed.set_subject(imported.subject.clone());
        assert!(verify(&signed, &c, None).is_empty());

        let (merged, conflicts) = merge(&ana, &signed, &c).unwrap();
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert!(
            verify(&merged, &c, None).is_empty(),
            "{:?}",
            verify(&merged, &c, None)
        );
        assert_eq!(merged.signoffs.len(), 1, "{:?}", merged.events);
    }

    #[test]
    fn work_from_two_people_combines_and_verifies() {
        let c = checklist(RELEASE);
        let a = person(&c, |r| {
            r.set_item(
                "2026-11-23T09:01:00+01:00",
                "Ana",
                "steps.back-up",
                ItemState::Done,
                None,
                None,
            )
            .unwrap()
        });
        let b = person(&c, |r| {
            r.set_item(
                "2026-11-23T08:02:00Z",
                "Bo",
                "steps.deploy",
                ItemState::Done,
                None,
                None,
            )
            .unwrap()
        });
        let (m, conflicts) = merge(&a, &b, &c).unwrap();
        let state = |id: &str| m.items.iter().find(|i| i.id == id).unwrap().state;
        assert_eq!(state("steps.back-up"), ItemState::Done);
        assert_eq!(state("steps.deploy"), ItemState::Done);
        // 08:02Z is 09:02+01:00: offsets are compared as instants, not as text.
        assert_eq!(m.events[0].who, "Ana");
        assert_eq!(
            conflicts,
            vec![],
            "each side left the other's item alone: no conflict"
        );
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
    }

    #[test]
    fn orphans_from_both_files_are_kept_once_whichever_file_comes_first() {
        use checkdown_core::evidence::{Orphan, OrphanKind};
        let c = checklist(RELEASE);
        let orphan = |at: &str, who: &str, id: &str| Orphan {
            at: at.into(),
            who: who.into(),
            id: id.into(),
            kind: OrphanKind::Item,
            to: "done".into(),
            note: None,
            reason: None,
        };
        let mut a = ticked(&c, "2026-11-23T09:01:00Z", "Ana", "steps.back-up");
        a.orphans = vec![orphan("2026-11-23T09:00:30Z", "Ana", "steps.old-check")];
        let mut b = ticked(&c, "2026-11-23T09:02:00Z", "Bo", "steps.deploy");
        b.orphans = vec![
            // 09:00 in UTC+1 is before Ana's 09:00:30Z.
            orphan("2026-11-23T09:00:00+01:00", "Bo", "steps.gone"),
            a.orphans[0].clone(),
        ];
        let (ab, _) = merge(&a, &b, &c).unwrap();
        let (ba, _) = merge(&b, &a, &c).unwrap();
        let ids: Vec<&str> = ab.orphans.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["steps.gone", "steps.old-check"]);
        assert_eq!(ab.orphans, ba.orphans);
        assert_eq!(integrity(&ab, &c), Vec::<String>::new());
        let (again, _) = merge(&ab, &a, &c).unwrap();
        assert_eq!(
            again.orphans, ab.orphans,
            "merging a file in again adds nothing"
        );
    }

    fn integrity(e: &Evidence, c: &Checklist) -> Vec<String> {
        verify(e, c, None)
            .into_iter()
            .filter(|f| f.kind != FindingKind::Incomplete)
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn the_later_change_wins_and_the_conflict_is_listed() {
        let c = checklist(RELEASE);
        let a = ticked(&c, "2026-11-23T09:01:00Z", "Ana", "steps.deploy");
        let b = person(&c, |r| {
            r.set_item(
                "2026-11-23T09:05:00Z",
                "Bo",
                "steps.deploy",
                ItemState::Na,
                None,
                Some("deployed by the platform team"),
            )
            .unwrap()
        });
        let (m, conflicts) = merge(&a, &b, &c).unwrap();
        let deploy = m.items.iter().find(|i| i.id == "steps.deploy").unwrap();
        assert_eq!(deploy.state, ItemState::Na);
        assert_eq!(
            deploy.na_reason.as_deref(),
            Some("deployed by the platform team")
        );
        let conflict = conflicts.iter().find(|x| x.item == "steps.deploy").unwrap();
        assert_eq!(conflict.resolution, "later change wins: N/A");
        assert!(conflict.ours.starts_with("done (Ana"), "{conflict:?}");
        assert!(
            conflict
                .theirs
                .starts_with("N/A, reason \"deployed by the platform team\" (Bo"),
            "{conflict:?}"
        );
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
    }

    // Bo imported Ana's file before he changed her N/A to done: he saw it, so his
    // change is an edit, not a conflict, and neither is Ana's own earlier export.
    #[test]
    fn a_change_made_after_seeing_the_other_sides_is_no_conflict() {
        let c = checklist(RELEASE);
        let item = "steps.deploy";
        let ana_na = |r: &mut Recorder| {
            r.set_item(
                "2026-11-23T09:01:00Z",
                "Ana",
                item,
                ItemState::Na,
                None,
                Some("platform"),
            )
            .unwrap();
        };
        let ana = person(&c, ana_na);
        let bo = person(&c, |r| {
            ana_na(r);
            done(r, "2026-11-23T09:05:00Z", "Bo", item);
        });
        for (x, y) in [(&ana, &bo), (&bo, &ana)] {
            let (m, conflicts) = merge(x, y, &c).unwrap();
            assert_eq!(conflicts, Vec::new(), "Bo saw Ana's change");
            let state = m.items.iter().find(|i| i.id == item).unwrap().state;
            assert_eq!(state, ItemState::Done);
        }
        let ana_later = person(&c, |r| {
            ana_na(r);
            done(r, "2026-11-23T09:07:00Z", "Ana", "steps.back-up");
        });
        assert_eq!(merge(&ana, &ana_later, &c).unwrap().1, Vec::new());
        // Changed apart, it still is one.
        let bo_alone = ticked(&c, "2026-11-23T09:05:00Z", "Bo", item);
        assert_eq!(merge(&ana, &bo_alone, &c).unwrap().1.len(), 1);
    }

    // Both had Deploy done. Ana then marked it N/A; Bo, later, only wrote a note on it.
    // Bo decided nothing about its state: Ana's N/A and reason stand, with his note.
    #[test]
    fn a_note_written_later_does_not_undo_the_other_sides_na() {
        let c = checklist(RELEASE);
        let item = "steps.deploy";
        let shared = |r: &mut Recorder| done(r, "2026-11-23T09:00:00Z", "Ana", item);
        let ana = person(&c, |r| {
            shared(r);
            r.set_item(
                "2026-11-23T09:01:00Z",
                "Ana",
                item,
                ItemState::Na,
                None,
                Some("deployed by the platform team"),
            )
            .unwrap();
        });
        let bo = person(&c, |r| {
            shared(r);
            r.set_item(
                "2026-11-23T09:05:00Z",
                "Bo",
                item,
                ItemState::Done,
                Some("iostat looked fine"),
                None,
            )
            .unwrap();
        });
        for (x, y) in [(&ana, &bo), (&bo, &ana)] {
            let (m, conflicts) = merge(x, y, &c).unwrap();
            let deploy = m.items.iter().find(|i| i.id == item).unwrap();
            assert_eq!(deploy.state, ItemState::Na);
            assert_eq!(
                deploy.na_reason.as_deref(),
                Some("deployed by the platform team")
            );
            assert_eq!(deploy.note.as_deref(), Some("iostat looked fine"));
            assert_eq!(conflicts, Vec::new(), "only one of them set its state");
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    // The other way round: Ana's N/A, Bo's later done, then Ana only edits her note
    // (her page still showing N/A). Bo's done stands; her note edit decides nothing.
    #[test]
    fn a_note_edited_on_an_na_item_does_not_undo_the_other_sides_later_done() {
        let c = checklist(RELEASE);
        let item = "steps.deploy";
        let na = |r: &mut Recorder, at: &str, note: Option<&str>| {
            r.set_item(at, "Ana", item, ItemState::Na, note, Some("platform team"))
                .unwrap();
        };
        let ana = person(&c, |r| {
            na(r, "2026-11-23T09:01:00Z", None);
            na(r, "2026-11-23T09:03:00Z", Some("ask Bo"));
        });
        let bo = person(&c, |r| done(r, "2026-11-23T09:02:00Z", "Bo", item));
        for (x, y) in [(&ana, &bo), (&bo, &ana)] {
            let (m, _) = merge(x, y, &c).unwrap();
            let deploy = m.items.iter().find(|i| i.id == item).unwrap();
            assert_eq!(deploy.state, ItemState::Done);
            assert_eq!(deploy.note.as_deref(), Some("ask Bo"));
            assert_eq!(deploy.na_reason, None);
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    // A merged file is sealed anew: it must not vouch for a subject nothing bound to
    // its log, nor pick one of two releases by the order of the files.
    #[test]
    fn files_naming_different_releases_or_an_unsealed_one_do_not_merge() {
        let c = checklist(RELEASE);
        let a = ticked(&c, "2026-11-23T09:01:00Z", "Ana", "steps.deploy");
        let mut b = ticked(&c, "2026-11-23T09:02:00Z", "Bo", "steps.back-up");
        b.set_subject(Some(checkdown_core::evidence::Subject {
            name: "storefront-api".into(),
            digest: "sha256:def456".into(),
        }));
        for (x, y) in [(&a, &b), (&b, &a)] {
            let err = merge(x, y, &c).unwrap_err().to_string();
            assert!(err.contains("approve different releases"), "{err}");
        }
        let mut unsealed = ticked(&c, "2026-11-23T09:02:00Z", "Bo", "steps.back-up");
        unsealed.seal = String::new();
        let err = merge(&a, &unsealed, &c).unwrap_err().to_string();
        assert!(
            err.starts_with("the second file names what it releases"),
            "{err}"
        );
    }

    #[test]
    fn a_later_change_from_the_other_side_withdraws_a_signoff_as_on_the_page() {
        let c = checklist(RELEASE);
        let signoff = "sign-off.qa-lead";
        let a = person(&c, both_steps_then_signed);
        // Bo saw Ana's tick on Deploy but never the sign-off, and unticks it afterwards.
        let b = person(&c, |r| {
            done(r, "2026-11-23T09:02:00Z", "Ana", "steps.deploy");
            bo_unticks_deploy_later(r);
        });
        for (x, y) in [(&a, &b), (&b, &a)] {
            let (m, conflicts) = merge(x, y, &c).unwrap();
            let state = |id: &str| m.items.iter().find(|i| i.id == id).unwrap().state;
            assert_eq!(state(signoff), ItemState::Open, "withdrawn, as on the page");
            assert!(m.signoffs.is_empty());
            let conflict = conflicts.iter().find(|k| k.item == signoff).unwrap();
            assert!(conflict.resolution.contains("withdrawn"), "{conflict:?}");
            let last = m.events.last().unwrap();
            assert_eq!((last.item.as_str(), last.who.as_str()), (signoff, "Bo"));
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    #[test]
    fn two_reasons_or_notes_for_one_state_are_a_conflict_too() {
        let c = checklist(RELEASE);
        let item = "steps.warm-the-cdn-if-needed";
        let na = |at: &'static str, who: &'static str, note: &'static str, why: &'static str| {
            move |r: &mut Recorder| {
                r.set_item(at, who, item, ItemState::Na, Some(note), Some(why))
                    .unwrap();
            }
        };
        let a = person(
            &c,
            na("2026-11-23T09:01:00Z", "Ann", "ann note", "reason A"),
        );
        let b = person(&c, na("2026-11-23T09:05:00Z", "Bo", "bo note", "reason B"));
        for (x, y) in [(&a, &b), (&b, &a)] {
            let (m, conflicts) = merge(x, y, &c).unwrap();
            let conflict = conflicts.iter().find(|k| k.item == item).unwrap();
            assert_eq!(
                conflict.resolution,
                "later change wins: N/A: \"reason B\", note \"bo note\""
            );
            // Both sides' words are listed: the note the merge dropped is read there.
            let sides = [&conflict.ours, &conflict.theirs];
            for words in [
                "reason \"reason A\", note \"ann note\" (Ann",
                "bo note\" (Bo",
            ] {
                assert!(sides.iter().any(|s| s.contains(words)), "{conflict:?}");
            }
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    #[test]
    fn two_values_for_one_field_are_a_conflict_too() {
        let c = checklist(RELEASE);
        let field = "sign-off.qa-lead.name";
        let a = person(&c, |r| {
            r.set_field("2026-11-23T09:01:00Z", "Ana", field, "Ana")
                .unwrap()
        });
        let b = person(&c, |r| {
            r.set_field("2026-11-23T09:05:00Z", "Bo", field, "Bo")
                .unwrap()
        });
        let (m, conflicts) = merge(&a, &b, &c).unwrap();
        let conflict = conflicts.iter().find(|x| x.item == field).unwrap();
        assert_eq!(conflict.ours, "\"Ana\"");
        assert_eq!(conflict.theirs, "\"Bo\"");
        assert_eq!(conflict.resolution, "later change wins: \"Bo\"");
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
    }

    #[test]
    fn changes_in_the_same_second_merge_the_same_whichever_file_comes_first() {
        let c = checklist(RELEASE);
        let at = "2026-11-23T09:01:00Z";
        let a = person(&c, |r| {
            r.set_item(at, "Ana", "steps.deploy", ItemState::Done, None, None)
                .unwrap()
        });
        let b = person(&c, |r| {
            r.set_item(at, "Bo", "steps.deploy", ItemState::Done, None, None)
                .unwrap();
            r.set_item(at, "Bo", "steps.deploy", ItemState::Open, None, None)
                .unwrap()
        });
        let (ab, _) = merge(&a, &b, &c).unwrap();
        let (ba, _) = merge(&b, &a, &c).unwrap();
        assert_eq!(ab.head, ba.head, "one run, whatever the order");
        assert_eq!(ab.items, ba.items);
        // Bo's own log keeps its order: his untick follows his tick.
        let bo: Vec<&str> = ab
            .events
            .iter()
            .filter(|e| e.who == "Bo")
            .map(|e| e.to.as_str())
            .collect();
        assert_eq!(bo, ["done", "open"]);
        assert_eq!(integrity(&ab, &c), Vec::<String>::new());
    }

    #[test]
    fn one_change_worded_apart_in_two_files_merges_the_same_whichever_comes_first() {
        // Two versions of checkdown word a withdrawal's note apart; the change (who,
        // when, what, to what) is the same, so it is one change either way round.
        let c = checklist(RELEASE);
        let at = "2026-11-23T09:01:00Z";
        let worded = |note: &str| {
            let note = note.to_owned();
            person(&c, move |r| {
                r.set_item(at, "Cy", "steps.deploy", ItemState::Done, Some(&note), None)
                    .unwrap()
            })
        };
        let (a, b) = (worded("checked by hand"), worded("checked by hand, twice"));
        let (ab, _) = merge(&a, &b, &c).unwrap();
        let (ba, _) = merge(&b, &a, &c).unwrap();
        assert_eq!(ab.events.len(), 1, "{:?}", ab.events);
        assert_eq!(ab.head, ba.head, "one run, whatever the order");
        assert_eq!(ab.items, ba.items);
        assert_eq!(integrity(&ab, &c), Vec::<String>::new());
    }

    #[test]
    fn merging_in_a_merge_that_already_holds_ones_own_work_changes_nothing() {
        let c = checklist(RELEASE);
        let ana = ticked(&c, "2026-11-23T09:00:00Z", "Ana", "steps.deploy");
        // Bo ticks, then adds a note, within one second.
        let at = "2026-11-23T09:01:00Z";
        let bo = person(&c, |r| {
            r.set_item(at, "Bo", "steps.deploy", ItemState::Done, None, None)
                .unwrap();
            r.set_item(
                at,
                "Bo",
                "steps.deploy",
                ItemState::Done,
                Some("we use redis"),
                None,
            )
            .unwrap()
        });
        let (both, _) = merge(&ana, &bo, &c).unwrap();
        for (again, order) in [
            (merge(&bo, &both, &c).unwrap().0, "Bo's file first"),
            (merge(&both, &bo, &c).unwrap().0, "the merged file first"),
        ] {
            assert_eq!(
                again.events.len(),
                both.events.len(),
                "{order}: {:#?}",
                again.events
            );
            assert_eq!(again.items, both.items, "{order}");
            let note = again.items.iter().find(|i| i.id == "steps.deploy").unwrap();
            assert_eq!(note.note.as_deref(), Some("we use redis"), "{order}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Two people's work, several changes a second: merging either way round gives
        /// one run, and merging the result with either file again changes nothing. (Without
        /// sign-offs: a merge adds events of its own for those, the withdrawals and the
        /// sign-offs it keeps, which a second merge may order differently.)
        #[test]
        fn merges_commute_and_a_second_merge_changes_nothing(a in steps(), b in steps()) {
            let c = checklist(&RELEASE.replace("## Sign-Off\n- [ ] QA Lead: ______ Date: ____\n", ""));
            prop_assume!(c.all_items().iter().all(|i| i.kind == ItemKind::Task));
            let (a, b) = (record_by(&c, &a, "Ana", 3), record_by(&c, &b, "Bo", 2));
            let (ab, _) = merge(&a, &b, &c).unwrap();
            let (ba, _) = merge(&b, &a, &c).unwrap();
            prop_assert_eq!(&ab.head, &ba.head);
            prop_assert_eq!(integrity(&ab, &c), Vec::<String>::new());
            for (again, what) in [
                (merge(&a, &ab, &c).unwrap().0, "a with ab"),
                (merge(&ab, &b, &c).unwrap().0, "ab with b"),
            ] {
                // What the run holds is the same. (Its log may not be: where one person
                // made and undid a change in the second the other made it, a second
                // merge can keep one more change that ends in the same state.)
                prop_assert_eq!(&again.items, &ab.items, "{}", what);
                prop_assert_eq!(&again.fields, &ab.fields, "{}", what);
            }
        }
    }

    #[test]
    fn a_tick_untick_and_tick_again_in_one_second_all_survive_a_merge() {
        let c = checklist(RELEASE);
        let at = "2026-11-23T09:01:00Z";
        let ana = person(&c, |r| {
            r.set_item(at, "Ana", "steps.back-up", ItemState::Done, None, None)
                .unwrap()
        });
        let bo = person(&c, |r| {
            for to in [ItemState::Done, ItemState::Open, ItemState::Done] {
                r.set_item(at, "Bo", "steps.deploy", to, None, None)
                    .unwrap();
            }
        });
        for (m, order) in [
            (merge(&ana, &bo, &c).unwrap().0, "ab"),
            (merge(&bo, &ana, &c).unwrap().0, "ba"),
        ] {
            let deploy = m.items.iter().find(|i| i.id == "steps.deploy").unwrap();
            assert_eq!(deploy.state, ItemState::Done, "{order}");
            assert_eq!(m.events.len(), 4, "{order}");
        }
    }

    #[test]
    fn the_same_change_from_both_people_is_logged_once() {
        let c = checklist(RELEASE);
        let tick = |at: &str, who: &str| {
            let (at, who) = (at.to_owned(), who.to_owned());
            person(&c, move |r| {
                r.set_item(&at, &who, "steps.deploy", ItemState::Done, None, None)
                    .unwrap()
            })
        };
        let a = tick("2026-11-23T09:01:00Z", "Ana");
        let b = tick("2026-11-23T09:05:00Z", "Bo");
        let (m, conflicts) = merge(&a, &b, &c).unwrap();
        let deploys: Vec<&str> = m
            .events
            .iter()
            .filter(|e| e.item == "steps.deploy")
            .map(|e| e.who.as_str())
            .collect();
        assert_eq!(deploys, ["Ana"], "Bo's tick changed nothing");
        assert_eq!(conflicts, vec![]);
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
    }

    #[test]
    fn a_signoff_from_either_side_is_kept() {
        let c = checklist(RELEASE);
        let a = person(&c, |r| {
            r.set_field(
                "2026-11-23T09:08:00Z",
                "Bo",
                "sign-off.qa-lead.name",
                "Bo Berg",
            )
            .unwrap();
            r.set_field(
                "2026-11-23T09:08:30Z",
                "Bo",
                "sign-off.qa-lead.date",
                "2026-11-23",
            )
            .unwrap();
            r.set_item(
                "2026-11-23T09:09:00Z",
                "Bo",
                "sign-off.qa-lead",
                ItemState::Done,
                None,
                None,
            )
            .unwrap();
        });
        let b = person(&c, |r| {
            r.set_item(
                "2026-11-23T09:02:00Z",
                "Cy",
                "sign-off.qa-lead",
                ItemState::Done,
                None,
                None,
            )
            .unwrap();
            r.set_item(
                "2026-11-23T09:20:00Z",
                "Cy",
                "sign-off.qa-lead",
                ItemState::Open,
                None,
                None,
            )
            .unwrap();
        });
        let (m, conflicts) = merge(&a, &b, &c).unwrap();
        assert_eq!(m.signoffs.len(), 1);
        assert_eq!(m.signoffs[0].name, "Bo Berg");
        assert!(
            conflicts
                .iter()
                .any(|x| x.item == "sign-off.qa-lead" && x.resolution == "sign-off kept")
        );
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
        // Read back as a page reads an imported file (its log replayed in time order),
        // the merged run is signed as the file says.
        let rebased = checkdown_core::run::rebase(&m, &c).unwrap();
        let session = checkdown_core::run::Session::new(&c, rebased.changes.clone());
        assert_eq!(session.item_state("sign-off.qa-lead"), ItemState::Done);
        let times: Vec<time::OffsetDateTime> = m
            .events
            .iter()
            .map(|e| {
                time::OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339)
                    .unwrap()
            })
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "the merged log runs forward in time"
        );
    }

    /// Both people's shared start: the log each file begins with.
    fn base(r: &mut Recorder) {
        done(r, "2026-11-23T09:01:00Z", "Ana", "steps.back-up");
    }

    fn bo_signs(r: &mut Recorder) {
        r.set_field(
            "2026-11-23T09:06:00Z",
            "Bo",
            "sign-off.qa-lead.name",
            "Bo Berg",
        )
        .unwrap();
        r.set_item(
            "2026-11-23T09:07:00Z",
            "Bo",
            "sign-off.qa-lead",
            ItemState::Done,
            None,
            None,
        )
        .unwrap();
    }

    #[test]
    fn a_signoff_given_without_seeing_the_other_files_change_is_withdrawn() {
        let c = checklist(RELEASE);
        // Ana, offline, skips a step; a minute later Bo, who never saw that, signs.
        let a = person(&c, |r| {
            base(r);
            r.set_item(
                "2026-11-23T09:05:00Z",
                "Ana",
                "steps.deploy",
                ItemState::Na,
                None,
                Some("no time"),
            )
            .unwrap();
        });
        let b = person(&c, |r| {
            base(r);
            bo_signs(r);
        });
        for (m, conflicts) in [merge(&a, &b, &c).unwrap(), merge(&b, &a, &c).unwrap()] {
            let qa = m.items.iter().find(|i| i.id == "sign-off.qa-lead").unwrap();
            assert_eq!(
                qa.state,
                ItemState::Open,
                "Bo approved a run without the N/A"
            );
            assert!(m.signoffs.is_empty());
            assert_eq!(
                qa.note.as_deref(),
                Some("withdrawn: \"Deploy\" changed in a file the signer had not seen")
            );
            assert!(conflicts.iter().any(|x| x.item == "sign-off.qa-lead"
                && x.resolution
                    == "sign-off withdrawn: given without seeing a change in the other file"));
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
            // Read back as a page reads it, the run is unsigned too.
            let rebased = checkdown_core::run::rebase(&m, &c).unwrap();
            let session = checkdown_core::run::Session::new(&c, rebased.changes.clone());
            assert_eq!(session.item_state("sign-off.qa-lead"), ItemState::Open);
            // Bo's own file merged in again (he imports what he exported before) does
            // not bring the sign-off back: he still has not seen Ana's change.
            for (again, _) in [merge(&m, &b, &c).unwrap(), merge(&b, &m, &c).unwrap()] {
                let qa = again
                    .items
                    .iter()
                    .find(|i| i.id == "sign-off.qa-lead")
                    .unwrap();
                assert_eq!(qa.state, ItemState::Open);
                assert!(again.signoffs.is_empty());
                assert_eq!(integrity(&again, &c), Vec::<String>::new());
            }
        }
    }

    #[test]
    fn a_signoff_given_after_importing_the_other_file_stands() {
        let c = checklist(RELEASE);
        let ana = |r: &mut Recorder| {
            base(r);
            r.set_item(
                "2026-11-23T09:05:00Z",
                "Ana",
                "steps.deploy",
                ItemState::Done,
                None,
                None,
            )
            .unwrap();
        };
        let a = person(&c, ana);
        // Bo imported Ana's file, then signed: he saw her change.
        let b = person(&c, |r| {
            ana(r);
            bo_signs(r);
        });
        let (m, conflicts) = merge(&a, &b, &c).unwrap();
        assert_eq!(m.signoffs.len(), 1);
        assert_eq!(conflicts, vec![]);
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
    }

    #[test]
    fn a_digest_one_file_names_does_not_join_sign_offs_given_without_it() {
        let c = checklist(RELEASE);
        // Bo signs with "Releasing" empty; Ana, not having seen that, enters a digest.
        let mut r = Recorder::new(&c, run());
        base(&mut r);
        bo_signs(&mut r);
        let a = r.finish(None);
        let b = person(&c, base);
        for (m, conflicts) in [merge(&a, &b, &c).unwrap(), merge(&b, &a, &c).unwrap()] {
            assert_eq!(
                m.subject.as_ref().map(|s| s.digest.as_str()),
                Some("sha256:abc123")
            );
            let qa = m.items.iter().find(|i| i.id == "sign-off.qa-lead").unwrap();
            assert_eq!(qa.state, ItemState::Open, "Bo never approved that release");
            assert_eq!(
                qa.note.as_deref(),
                Some("withdrawn: \"Releasing\" changed in a file the signer had not seen")
            );
            assert!(conflicts.iter().any(|x| x.item == "sign-off.qa-lead"));
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
            assert!(
                verify(&m, &c, Some("sha256:abc123"))
                    .iter()
                    .any(|f| f.kind == FindingKind::Incomplete),
                "the release gate refuses it"
            );
        }
    }

    #[test]
    fn a_merge_that_withdraws_the_sign_offs_is_not_completed() {
        let c = checklist(RELEASE);
        let signed = honest(&c);
        assert!(signed.run.completed.is_some());
        // Bo had the signed run, then took a step back.
        let mut r = Recorder::new(&c, run());
        honest_log(&mut r);
        r.set_item(
            "2026-11-23T09:30:00+01:00",
            "Bo",
            "steps.deploy",
            ItemState::Open,
            None,
            None,
        )
        .unwrap();
        r.set_item(
            "2026-11-23T09:30:00+01:00",
            "Bo",
            "sign-off.qa-lead",
            ItemState::Open,
            Some("withdrawn: \"Deploy\" changed after signing"),
            None,
        )
        .unwrap();
        let reopened = r.finish(None);
        let (m, _) = merge(&signed, &reopened, &c).unwrap();
        assert!(m.signoffs.is_empty());
        assert_eq!(m.run.completed, None, "the merged run is in progress again");
        // The release gate says why the sign-off is open, as the page does.
        assert!(
            verify(&m, &c, None).iter().any(|f| f.message
                == "incomplete: required sign-off is open: QA Lead (withdrawn: \"Deploy\" changed after it was given)"),
            "{:?}",
            verify(&m, &c, None)
        );
        assert_eq!(integrity(&m, &c), Vec::<String>::new());
        // Merged with itself, a completed run stays completed, at its last change.
        let (same, _) = merge(&signed, &signed, &c).unwrap();
        assert_eq!(
            same.run.completed.as_deref(),
            same.events.last().map(|e| e.at.as_str())
        );
    }

    #[test]
    fn an_untick_that_never_saw_the_other_persons_note_keeps_it() {
        let c = checklist(RELEASE);
        let b = person(&c, |r| {
            base(r);
            r.set_item(
                "2026-11-23T09:05:00Z",
                "Bo",
                "steps.back-up",
                ItemState::Done,
                Some("saw 312 tests pass, CI run #88"),
                None,
            )
            .unwrap();
        });
        let a = person(&c, |r| {
            base(r);
            r.set_item(
                "2026-11-23T09:07:00Z",
                "Ana",
                "steps.back-up",
                ItemState::Open,
                None,
                None,
            )
            .unwrap();
        });
        for (m, _) in [merge(&a, &b, &c).unwrap(), merge(&b, &a, &c).unwrap()] {
            let item = m.items.iter().find(|i| i.id == "steps.back-up").unwrap();
            assert_eq!(item.state, ItemState::Open, "Ana's later untick wins");
            assert_eq!(item.note.as_deref(), Some("saw 312 tests pass, CI run #88"));
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    #[test]
    fn a_sign_off_given_on_both_sides_is_not_credited_for_a_digest_its_signer_never_saw() {
        let c = checklist(RELEASE);
        // Ana signs first, with no digest; Bo, with one, signs the same later.
        let mut r = Recorder::new(&c, run());
        base(&mut r);
        r.set_item(
            "2026-11-23T09:03:00Z",
            "Ana",
            "sign-off.qa-lead",
            ItemState::Done,
            None,
            None,
        )
        .unwrap();
        let a = r.finish(None);
        let b = person(&c, |r| {
            base(r);
            bo_signs(r);
        });
        for (m, _) in [merge(&a, &b, &c).unwrap(), merge(&b, &a, &c).unwrap()] {
            assert!(
                m.signoffs.is_empty(),
                "no sign-off reads as Ana's approval of that release: {:?}",
                m.signoffs
            );
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    #[test]
    fn a_sign_off_taken_back_before_a_digest_was_entered_is_not_restored_for_it() {
        let c = checklist(RELEASE);
        let ana = |r: &mut Recorder| {
            base(r);
            r.set_item(
                "2026-11-23T09:03:00Z",
                "Ana",
                "sign-off.qa-lead",
                ItemState::Done,
                None,
                None,
            )
            .unwrap();
        };
        let mut r = Recorder::new(&c, run());
        ana(&mut r);
        let a = r.finish(None);
        // Bo had Ana's file, took her sign-off back, and then entered the digest.
        let b = person(&c, |r| {
            ana(r);
            r.set_item(
                "2026-11-23T09:04:00Z",
                "Bo",
                "sign-off.qa-lead",
                ItemState::Open,
                None,
                None,
            )
            .unwrap();
        });
        for (m, _) in [merge(&a, &b, &c).unwrap(), merge(&b, &a, &c).unwrap()] {
            assert!(m.signoffs.is_empty(), "{:?}", m.signoffs);
            assert_eq!(integrity(&m, &c), Vec::<String>::new());
        }
    }

    #[test]
    fn different_runs_or_checklists_do_not_merge() {
        let c = checklist(RELEASE);
        let a = person(&c, |_| {});
        let mut other_run = a.clone();
        other_run.run.id = "another".into();
        assert!(matches!(
            merge(&a, &other_run, &c),
            Err(MergeError::DifferentRun(..))
        ));
        let mut other_version = a.clone();
        other_version.checklist.source_sha256 = "0".repeat(64);
        assert_eq!(
            merge(&a, &other_version, &c),
            Err(MergeError::DifferentVersion("release".into()))
        );
        let mut other_list = a.clone();
        other_list.checklist.id = "rollback".into();
        let err = merge(&a, &other_list, &c).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the two files are for different checklists (`release` and `rollback`)"
        );
        // Runs are named by name, and by ID too when the names match.
        let message = merge(&a, &other_run, &c).unwrap_err().to_string();
        assert!(message.contains("(another)"), "{message}");
        let mut broken = honest(&c);
        broken.events[0].who = "mallory".into();
        assert!(matches!(
            merge(&honest(&c), &broken, &c),
            Err(MergeError::Broken("the second file", _))
        ));
    }
}
