//! `checkdown export`: standard views of evidence for other tools and for people.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use checkdown_core::evidence::{Evidence, FindingKind, ItemRecord, ItemState, OrphanKind};
use checkdown_core::{Checklist, FieldKind, Item, ItemKind, Section};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The in-toto predicate type of checkdown evidence (an identifier; see docs/evidence.md).
pub const PREDICATE_TYPE: &str = "https://checkdown.dev/attestation/evidence/v1";

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("view").required(true).args(["in_toto", "oscal", "markdown"])))]
pub struct ExportArgs {
    /// The evidence JSON (`-` reads it from standard input).
    evidence: PathBuf,
    /// An in-toto Statement v1 whose subject is the deployed artefact.
    #[arg(long)]
    in_toto: bool,
    /// OSCAL-shaped assessment results.
    #[arg(long)]
    oscal: bool,
    /// GitHub-flavoured Markdown for a change-review issue.
    #[arg(long)]
    markdown: bool,
    /// The checklist (file, source folder or built site). The evidence is verified
    /// against it first, and nothing is exported if it was tampered with or does not
    /// match: an attestation of evidence nobody checked would vouch for a forged file.
    /// in-toto and OSCAL also need the run complete; Markdown reports a run in any
    /// state, saying which.
    #[arg(long)]
    checklist: PathBuf,
    /// Write here instead of stdout.
    #[arg(short, long)]
    out: Option<PathBuf>,
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let evidence = super::verify::load_evidence(&args.evidence)?;
    let checklist = super::verify::find_checklist(
        &args.checklist,
        &evidence.checklist.id,
        &evidence.checklist.source_sha256,
    )?;
    // Never dress up evidence that does not hold as a report or an attestation. A
    // Markdown report may show a run still in progress (its "Still open" list says
    // what is left); an attestation may not.
    let all = checkdown_core::evidence::verify(&evidence, &checklist, None);
    let sign_again = sign_again(&all);
    let findings: Vec<_> = all
        .into_iter()
        .filter(|f| !(args.markdown && f.kind == FindingKind::Incomplete))
        .collect();
    if !findings.is_empty() {
        eprintln!("error: the evidence does not hold; not exporting it:");
        for f in &findings {
            eprintln!("  - {}", f.message);
        }
        return Ok(ExitCode::FAILURE);
    }
    let text = if args.in_toto {
        // Evidence that holds but cannot be attested (no subject, no seal) is refused
        // as evidence that does not hold is, with 1: 2 is for input that cannot be read.
        match in_toto(&evidence) {
            Ok(statement) => format!("{statement:#}\n"),
            Err(err) => {
                eprintln!("error: {err:#}");
                return Ok(ExitCode::FAILURE);
            }
        }
    } else if args.oscal {
        format!("{:#}\n", oscal(&evidence, &checklist))
    } else {
        markdown(&evidence, &checklist, &sign_again)
    };
    match &args.out {
        Some(path) => {
            super::verify::write_output(path, &[&args.evidence, &args.checklist], text.as_bytes())?
        }
        None => super::verify::quiet_pipe(std::io::stdout().lock().write_all(text.as_bytes()))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `sha256:abc…` → `{"sha256": "abc…"}`; a bare 40-character hex string is a git commit.
fn digest_set(digest: &str) -> anyhow::Result<serde_json::Value> {
    if let Some((algo, value)) = digest.split_once(':') {
        // DigestSet keys are lower case with underscores (`sha256`, `sha3_256`); people
        // and tools write `SHA256` or `SHA3-256`.
        let algo = algo.trim().to_ascii_lowercase().replace('-', "_");
        let value = value.trim();
        // in-toto wants the hex digest itself for the algorithms it knows; a
        // placeholder such as `sha256:abc` would make a statement nothing can match.
        let hex_len = match algo.as_str() {
            "sha1" => Some(40),
            "sha224" | "sha512_224" | "sha3_224" => Some(56),
            "sha256" | "sha512_256" | "sha3_256" => Some(64),
            "sha384" | "sha3_384" => Some(96),
            "sha512" | "sha3_512" => Some(128),
            _ => None,
        };
        if let Some(len) = hex_len {
            if value.len() != len || !value.chars().all(|c| c.is_ascii_hexdigit()) {
                bail!("subject digest {digest:?} is not a {algo} digest ({len} hex digits)");
            }
        }
        if !algo.is_empty() && !value.is_empty() {
            // Hex is lower case in a DigestSet; other encodings are kept as written.
            let value = match hex_len {
                Some(_) => value.to_ascii_lowercase(),
                None => value.to_owned(),
            };
            return Ok(json!({ algo: value }));
        }
    }
    if digest.len() == 40 && digest.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(json!({ "gitCommit": digest.to_ascii_lowercase() }));
    }
    bail!("subject digest {digest:?} is not `algorithm:value` (e.g. sha256:…) or a git commit")
}

fn in_toto(evidence: &Evidence) -> anyhow::Result<serde_json::Value> {
    let Some(subject) = &evidence.subject else {
        bail!("the evidence names no subject; in-toto statements need the artefact's digest");
    };
    // The statement vouches for this subject: only a seal ties it to the log.
    if evidence.seal.is_empty() {
        bail!(
            "the evidence has no seal binding its subject to its log (it was exported by an \
             earlier checkdown): export the run again"
        );
    }
    Ok(json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{ "name": subject.name, "digest": digest_set(&subject.digest)? }],
        "predicateType": PREDICATE_TYPE,
        "predicate": evidence,
    }))
}

/// A stable UUID-shaped identifier derived from text, so exports are reproducible.
fn derived_uuid(seed: &str) -> String {
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // name-based
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    });
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn oscal(evidence: &Evidence, checklist: &Checklist) -> serde_json::Value {
    let run = &evidence.run;
    let records: HashMap<&str, &ItemRecord> =
        evidence.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let covering = covering(checklist, &records);
    let id = |what: &str| derived_uuid(&format!("{}/{what}", run.id));
    let mut parties: Vec<&str> = evidence.signoffs.iter().map(|s| s.name.as_str()).collect();
    parties.sort_unstable();
    parties.dedup();
    let observations: Vec<_> = evidence
        .items
        .iter()
        .map(|i| {
            let mut observation = json!({
                "uuid": id(&format!("observation/{}", i.id)),
                "description": i.text,
                "methods": ["EXAMINE"],
                "collected": i.when.clone().unwrap_or_else(|| run.started.clone()),
                "props": [{ "name": "state", "value": i.state.as_str() }],
            });
            if let Some(parent) = covering.get(i.id.as_str()) {
                if let Some(props) = observation["props"].as_array_mut() {
                    props.push(json!({ "name": "covered-by", "value": parent.id }));
                }
            }
            // What the person noted on the item is part of what was observed.
            if let Some(note) = i.note.as_deref().filter(|n| !n.trim().is_empty()) {
                observation["remarks"] = json!(note);
            }
            observation
        })
        .collect();
    let findings: Vec<_> = evidence
        .items
        .iter()
        .map(|i| {
            let cover = covering.get(i.id.as_str());
            let satisfied = i.state == ItemState::Done
                || (i.state == ItemState::Na && i.na_reason.is_some())
                || cover.is_some();
            let description = match (cover, &i.na_reason) {
                (Some(parent), _) => format!("N/A with \u{201c}{}\u{201d}", parent.text),
                (None, Some(r)) => format!("N/A: {r}"),
                (None, None) => i.text.clone(),
            };
            json!({
                "uuid": id(&format!("finding/{}", i.id)),
                "title": i.text,
                "description": description,
                "target": {
                    "type": "objective-id",
                    "target-id": i.id,
                    "status": { "state": if satisfied { "satisfied" } else { "not-satisfied" } },
                },
                "related-observations": [{ "observation-uuid": id(&format!("observation/{}", i.id)) }],
            })
        })
        .collect();
    json!({
        "assessment-results": {
            "uuid": id("assessment-results"),
            "metadata": {
                "title": format!("{}: {}", evidence.checklist.title, run.name),
                "last-modified": run.completed.clone().unwrap_or_else(|| run.started.clone()),
                "version": evidence.checklist.version.clone().unwrap_or_else(|| "1".to_owned()),
                "oscal-version": "1.1.2",
                "parties": parties.iter().map(|p| json!({
                    "uuid": id(&format!("party/{p}")), "type": "person", "name": p
                })).collect::<Vec<_>>(),
            },
            "import-ap": { "href": format!("#{}", evidence.checklist.id) },
            "results": [{
                "uuid": id("result"),
                "title": run.name,
                "description": format!("checkdown run of {} ({})", evidence.checklist.title, evidence.checklist.source_sha256),
                "start": run.started,
                "end": run.completed,
                // Required by OSCAL: the checklist is the whole assessment plan, so every
                // control (item) in it was in scope.
                "reviewed-controls": { "control-selections": [{ "include-all": {} }] },
                "observations": observations,
                "findings": findings,
            }],
        }
    })
}

/// What the page's status badge says: a complete run whose sign-offs are all given is
/// signed, and a report that said "complete" for it would disagree with the screen.
fn state(evidence: &Evidence, checklist: &Checklist) -> &'static str {
    let signoffs = checklist
        .all_items()
        .into_iter()
        .filter(|i| i.kind == ItemKind::Signoff)
        .count();
    match evidence.validation.complete {
        false => "in progress",
        true if signoffs > 0 && evidence.signoffs.len() == signoffs => "signed",
        true => "complete",
    }
}

/// What `verify` says of signatures an older page left standing after a field
/// changed: a report must not call such a run signed.
fn sign_again(findings: &[checkdown_core::evidence::Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.kind == FindingKind::Incomplete && f.message.contains("must be given again"))
        .map(|f| f.message.trim_start_matches("incomplete: ").to_owned())
        .collect()
}

/// `sign_again`: what `verify` says of sign-offs that must be given again.
fn markdown(evidence: &Evidence, checklist: &Checklist, sign_again: &[String]) -> String {
    let items: HashMap<&str, &ItemRecord> =
        evidence.items.iter().map(|i| (i.id.as_str(), i)).collect();
    let fields: HashMap<&str, &str> = evidence
        .fields
        .iter()
        .map(|f| (f.id.as_str(), f.value.as_str()))
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {}: {}\n",
        author_text(&checklist.title),
        user_text(&evidence.run.name)
    );
    if let Some(s) = &evidence.subject {
        // Outside the hash chain, so as open to editing as any typed text.
        let _ = writeln!(
            out,
            "**Subject**: {} {}  ",
            user_text(&s.name),
            user_text(&s.digest)
        );
    }
    let _ = writeln!(
        out,
        "**Run**: started {}{}  \n**State**: {}\n",
        user_text(&evidence.run.started),
        evidence
            .run
            .completed
            .as_ref()
            .map_or_else(String::new, |c| format!(", completed {}", user_text(c))),
        if sign_again.is_empty() {
            state(evidence, checklist).to_owned()
        } else {
            "in progress (sign-offs must be given again)".to_owned()
        }
    );
    for line in sign_again {
        let _ = writeln!(out, "- {}", user_text(line));
    }
    if !sign_again.is_empty() {
        out.push('\n');
    }
    let covering = covering(checklist, &items);
    let (set_by, last) = set_by(evidence);
    let items = Records {
        items: &items,
        fields: &fields,
        covering: &covering,
        set_by: &set_by,
        last: &last,
    };
    // Items before the first heading (many checklists have no sections at all).
    for item in &checklist.items {
        line(&mut out, item, 0, &items);
    }
    if !checklist.items.is_empty() {
        out.push('\n');
    }
    for s in &checklist.sections {
        section(&mut out, s, &items);
    }
    for f in &checklist.fields {
        let value = fields.get(f.id.as_str()).copied().unwrap_or("");
        let label = author_text(&f.label);
        if value.trim().is_empty() {
            let _ = writeln!(out, "**{label}**: _(empty)_  ");
        } else if f.kind == FieldKind::Notes {
            // A notes field is written in lines; a quote keeps them.
            let _ = writeln!(out, "\n**{label}**:\n");
            for line in value.lines() {
                let _ = writeln!(out, "> {}  ", user_text(line));
            }
            out.push('\n');
        } else {
            // Two trailing spaces: a line each, not one run-on paragraph.
            let _ = writeln!(out, "**{label}**: {}  ", user_text(value));
        }
    }
    if !evidence.validation.problems.is_empty() {
        out.push_str("\n### Still open\n\n");
        for p in &evidence.validation.problems {
            // The messages quote item text and names, which people typed.
            let _ = writeln!(out, "- {}", user_text(&p.message));
        }
    }
    if !evidence.orphans.is_empty() {
        // Outside the chain (export verified only that they name nothing this
        // version has), and counted nowhere above: say both.
        out.push_str(
            "\n### From an earlier version of the checklist\n\n\
             Progress on items and fields the checklist no longer has. It counts for \
             nothing in this run and is not covered by the evidence's hash chain.\n\n",
        );
        for o in &evidence.orphans {
            let what = match o.kind {
                OrphanKind::Item => o.to.clone(),
                OrphanKind::Field => format!("set to {}", user_text(&o.to)),
            };
            let mut line = format!(
                "- {}: {what}, {} at {}",
                user_text(&o.id),
                user_text(&o.who),
                user_text(&o.at)
            );
            for (label, text) in [("N/A reason", &o.reason), ("note", &o.note)] {
                if let Some(t) = text.as_deref().filter(|t| !t.trim().is_empty()) {
                    line.push_str(&format!("; {label}: {}", user_text(t)));
                }
            }
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(
        out,
        "\n<sub>checkdown evidence, head `{}`</sub>",
        evidence.head
    );
    out
}

/// Text of the checklist's (an item's words between its blanks, a title) as Markdown
/// text: escaped as [`user_text`] is, since an item that mentions `<details>` would
/// otherwise be HTML where the report is pasted, with a space kept at either end so
/// the words still meet the values written between them.
fn author_text(text: &str) -> String {
    let lead = if text.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let trail = if text.ends_with(char::is_whitespace) && !text.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{lead}{}{trail}", user_text(text))
}

/// What people typed (names, notes, reasons, field values), as Markdown text: on one
/// line, since a line break would end the list item, and with Markdown's and HTML's
/// punctuation escaped, so `<img …>` or `[x](javascript:…)` in a note stays text in
/// the issue or pull request it is pasted into.
fn user_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            // A terminal escape or the like would act on whoever reads the report raw,
            // and a bidirectional override would make it read other than it is.
            if c.is_control() || super::verify::is_bidi_control(c) {
                out.extend(c.escape_debug());
                continue;
            }
            // `&` too: a typed `&amp;` would otherwise show as `&`. Parentheses are
            // left as they are ("(if applicable)" is common): with both brackets
            // escaped, no link can form around them.
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// What the report reads of the run, by item and field ID.
struct Records<'a, 'c> {
    items: &'a HashMap<&'a str, &'a ItemRecord>,
    fields: &'a HashMap<&'a str, &'a str>,
    covering: &'a HashMap<&'c str, &'c Item>,
    /// Who set each item's state, and when (see [`set_by`]).
    set_by: &'a HashMap<&'a str, (&'a str, &'a str)>,
    /// Who changed each item last, and when: a note's author, where that is later.
    last: &'a HashMap<&'a str, (&'a str, &'a str)>,
}

/// Who set each item's state, and when, and who changed it last: a note added later
/// (`done -> done`) must not read as who did the step, and is named as a note. (The
/// file's own `who` is the former, or the latter in files made before checkdown
/// kept them apart.)
#[allow(clippy::type_complexity)] // two maps of the same shape, named at the call
fn set_by(evidence: &Evidence) -> (HashMap<&str, (&str, &str)>, HashMap<&str, (&str, &str)>) {
    let mut out: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut last: HashMap<&str, (&str, &str)> = HashMap::new();
    // Each N/A's reason so far: an N/A given a new reason is set anew.
    let mut reasons: HashMap<&str, Option<&str>> = HashMap::new();
    for e in &evidence.events {
        let (Some(from), Some(to)) = (ItemState::parse(&e.from), ItemState::parse(&e.to)) else {
            continue;
        };
        let reason = e.reason.as_deref();
        let before = reasons.get(e.item.as_str()).copied().flatten();
        if checkdown_core::run::sets_state(from, to, before, reason) {
            out.insert(e.item.as_str(), (e.who.as_str(), e.at.as_str()));
        }
        last.insert(e.item.as_str(), (e.who.as_str(), e.at.as_str()));
        reasons.insert(e.item.as_str(), reason);
    }
    (out, last)
}

/// For each item nested in an item marked N/A, that item (the nearest, as the page
/// names it): what does not apply does not apply with its steps, and `verify` counts
/// them N/A, so a report that listed them open would disagree with both.
fn covering<'c>(
    checklist: &'c Checklist,
    records: &HashMap<&str, &ItemRecord>,
) -> HashMap<&'c str, &'c Item> {
    fn walk<'c>(
        items: &'c [Item],
        cover: Option<&'c Item>,
        records: &HashMap<&str, &ItemRecord>,
        out: &mut HashMap<&'c str, &'c Item>,
    ) {
        for item in items {
            let cover = cover.filter(|_| item.coverable());
            if let Some(parent) = cover {
                out.insert(item.id.as_str(), parent);
            }
            let na = records
                .get(item.id.as_str())
                .is_some_and(|r| r.state == ItemState::Na);
            walk(
                &item.children,
                if na { Some(item) } else { cover },
                records,
                out,
            );
        }
    }
    fn sections<'c>(
        list: &'c [Section],
        records: &HashMap<&str, &ItemRecord>,
        out: &mut HashMap<&'c str, &'c Item>,
    ) {
        for s in list {
            walk(&s.items, None, records, out);
            sections(&s.sections, records, out);
        }
    }
    let mut out = HashMap::new();
    walk(&checklist.items, None, records, &mut out);
    sections(&checklist.sections, records, &mut out);
    out
}

fn section(out: &mut String, s: &Section, records: &Records<'_, '_>) {
    // The report is of items; a section of prose only (contacts, say) would be an
    // empty heading.
    if !has_items(s) {
        return;
    }
    let _ = writeln!(
        out,
        "{} {}\n",
        "#".repeat(usize::from(s.level.max(2) + 1).min(6)),
        author_text(&s.title)
    );
    for item in &s.items {
        line(out, item, 0, records);
    }
    if !s.items.is_empty() {
        out.push('\n');
    }
    for child in &s.sections {
        section(out, child, records);
    }
}

fn has_items(s: &Section) -> bool {
    !s.items.is_empty() || s.sections.iter().any(has_items)
}

fn line(out: &mut String, item: &Item, depth: usize, records: &Records<'_, '_>) {
    let fields = records.fields;
    let record = records.items.get(item.id.as_str());
    let cover = records.covering.get(item.id.as_str());
    let state = match cover {
        Some(_) => ItemState::Na,
        None => record.map_or(ItemState::Open, |r| r.state),
    };
    // GitHub draws only `[ ]` and `[x]` as boxes: N/A is a ticked box, struck through
    // and labelled below.
    let mark = match state {
        ItemState::Done | ItemState::Na => "x",
        ItemState::Open => " ",
    };
    let mut text = match &item.role {
        Some(role) => {
            let filled: Vec<String> = item
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        author_text(&f.label),
                        fields
                            .get(f.id.as_str())
                            .copied()
                            .filter(|v| !v.is_empty())
                            .map_or_else(|| "____".to_owned(), user_text)
                    )
                })
                .collect();
            format!("{} ({})", author_text(role), filled.join(", "))
        }
        // Each blank of a task's text is one of its fields, in order: write what was
        // filled in where the blank was.
        None => {
            let mut text = String::new();
            for (n, part) in item.text.split("___").enumerate() {
                if n > 0 {
                    let value = item
                        .fields
                        .get(n - 1)
                        .and_then(|f| fields.get(f.id.as_str()).copied())
                        .filter(|v| !v.is_empty());
                    text.push_str(&value.map_or_else(|| "____".to_owned(), user_text));
                }
                text.push_str(&author_text(part));
            }
            text
        }
    };
    if state == ItemState::Na {
        text = format!("~~{text}~~");
    }
    if let Some(parent) = cover {
        let _ = write!(
            text,
            " (N/A with \u{201c}{}\u{201d})",
            author_text(&parent.text)
        );
    }
    if let Some(r) = record {
        if let Some(reason) = r.na_reason.as_ref().filter(|_| cover.is_none()) {
            let _ = write!(text, " (N/A: {})", user_text(reason));
        }
        if let Some(note) = &r.note {
            // A withdrawal's explanation is the page's, not a note someone wrote; the
            // note the sign-off had before it follows.
            let note = match checkdown_core::run::withdrawal_subject(note) {
                Some(subject) => {
                    let _ = write!(
                        text,
                        " (withdrawn: \u{201c}{}\u{201d} {})",
                        user_text(subject),
                        checkdown_core::run::withdrawal_words(note)
                    );
                    checkdown_core::run::kept_note(note)
                }
                None => Some(note.as_str()),
            };
            if let Some(note) = note {
                let _ = write!(text, " (note: {})", user_text(note));
            }
        }
        let last = records.last.get(item.id.as_str()).copied();
        match (records.set_by.get(item.id.as_str()), last) {
            (Some(&(who, when)), Some((noter, noted))) if noter != who => {
                let _ = write!(
                    text,
                    " ({}, {when}; note by {}, {noted})",
                    user_text(who),
                    user_text(noter)
                );
            }
            // Only a note was ever written: its author is named.
            (Some(&(who, when)), _) | (None, Some((who, when))) => {
                let _ = write!(text, " ({}, {when})", user_text(who));
            }
            (None, None) => {}
        }
    }
    let _ = writeln!(out, "{}- [{mark}] {text}", "  ".repeat(depth));
    for child in &item.children {
        line(out, child, depth + 1, records);
    }
}

#[cfg(test)]
mod tests {
    use checkdown_core::evidence::{ItemState, Recorder, Run};

    #[test]
    fn in_toto_digests_must_be_real_ones() {
        let real = format!("sha256:{}", "Ab".repeat(32));
        assert_eq!(
            super::digest_set(&real).unwrap(),
            serde_json::json!({ "sha256": "ab".repeat(32) })
        );
        let err = super::digest_set("sha256:abc").unwrap_err().to_string();
        assert_eq!(
            err,
            r#"subject digest "sha256:abc" is not a sha256 digest (64 hex digits)"#
        );
        assert!(super::digest_set(&"a".repeat(40)).is_ok(), "a git commit");
        assert!(super::digest_set("v1.2.3").is_err());
        // The algorithm as tools print it, upper case: the key is in-toto's own.
        assert_eq!(
            super::digest_set(&format!("SHA256:{}", "AB".repeat(32))).unwrap(),
            serde_json::json!({ "sha256": "ab".repeat(32) })
        );
        assert_eq!(
            super::digest_set(&format!("SHA3-256:{}", "AB".repeat(32))).unwrap(),
            serde_json::json!({ "sha3_256": "ab".repeat(32) })
        );
    }

    /// A run "v1" of `c`, started at `started`, to record into.
    fn run_of<'c>(c: &'c checkdown_core::Checklist, started: &str) -> Recorder<'c> {
        Recorder::new(
            c,
            Run {
                id: "run".into(),
                name: "v1".into(),
                started: started.into(),
                completed: None,
            },
        )
    }

    #[test]
    fn markdown_says_signed_as_the_page_does_and_keeps_fields_on_their_own_lines() {
        // Items before the first heading are reported too.
        let src = "# R\n\n**Deployed By**: ____\n\n**Notes**:\n____\n____\n\n- [ ] Back up\n- [ ] Ticket: ____ rolled back with ____\n\n## Sign-Off\n- [ ] QA Lead: ____\n";
        let c = checkdown_core::parse_str("r", src).checklist.unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let at = "2026-11-23T10:01:00Z";
        r.set_field(at, "ana", "field.deployed-by", "Ana").unwrap();
        r.set_field(at, "ana", "field.notes", "first line\nsecond <b>line</b>")
            .unwrap();
        r.set_item(at, "ana", "back-up", ItemState::Done, None, None)
            .unwrap();
        r.set_field(at, "ana", "ticket.ticket", "OPS-123").unwrap();
        r.set_field(at, "ana", "ticket.rolled-back-with", "kubectl rollout undo")
            .unwrap();
        r.set_item(at, "ana", "ticket", ItemState::Done, None, None)
            .unwrap();
        r.set_field(at, "ana", "sign-off.qa-lead.name", "Ana")
            .unwrap();
        r.set_item(at, "ana", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        let md = super::markdown(&r.finish(Some(at)), &c, &[]);
        assert!(md.contains("**State**: signed\n"), "{md}");
        assert!(md.contains("\n- [x] Back up (ana, "), "{md}");
        assert!(
            md.contains("\n- [x] Ticket: OPS-123 rolled back with kubectl rollout undo (ana, "),
            "{md}"
        );
        assert!(md.contains("**Deployed By**: Ana  \n"), "{md}");
        assert!(
            md.contains("**Notes**:\n\n> first line  \n> second \\<b\\>line\\</b\\>  \n"),
            "{md}"
        );
    }

    #[test]
    fn markdown_keeps_a_forged_subject_or_run_time_as_text() {
        let c = checkdown_core::parse_str("r", "# R\n- [ ] Back up\n")
            .checklist
            .unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z\n- [x] Pen test passed");
        r.subject(
            "api\n\n### Security\n\n- [x] Security review by the CISO\n<!--",
            "sha256:feed`\u{1b}[8m\u{202e}",
        );
        let md = super::markdown(&r.finish(None), &c, &[]);
        for line in md.lines() {
            assert!(
                !line.starts_with("- [x]")
                    && !line.starts_with("### Security")
                    && !line.starts_with("<!--"),
                "{md}"
            );
        }
        assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}'), "{md}");
    }

    #[test]
    fn markdown_keeps_the_checklists_own_words_text_too() {
        let src = "# R & D <b>\n## Steps\n- [ ] Collapse the `<details>` block\n- [ ] Ticket: ____ then go\n";
        let c = checkdown_core::parse_str("r", src).checklist.unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let at = "2026-11-23T10:01:00Z";
        r.set_field(at, "ana", "steps.ticket.ticket", "R&amp;D-7")
            .unwrap();
        let md = super::markdown(&r.finish(None), &c, &[]);
        assert!(md.starts_with(r"## R \& D \<b\>: v1"), "{md}");
        assert!(
            md.contains(r"- [ ] Collapse the \<details\> block"),
            "an item's words are not HTML where the report is pasted: {md}"
        );
        assert!(
            md.contains(r"- [ ] Ticket: R\&amp;D-7 then go"),
            "the value sits between the item's words, spaced, and `&amp;` stays as typed: {md}"
        );
    }

    #[test]
    fn markdown_keeps_notes_and_shows_na_as_a_struck_ticked_box() {
        let src =
            "# R\n## Steps\n- [ ] Back up\n- [ ] Warm the CDN (if needed)\n## Contacts\nOps: 555\n";
        let c = checkdown_core::parse_str("r", src).checklist.unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let at = "2026-11-23T10:01:00Z";
        r.set_item(
            at,
            "ana",
            "steps.back-up",
            ItemState::Done,
            Some("took\n12 min <img src=x> [x](javascript:alert(1))"),
            None,
        )
        .unwrap();
        let reason = Some("no CDN");
        r.set_item(
            at,
            "ana",
            "steps.warm-the-cdn-if-needed",
            ItemState::Na,
            None,
            reason,
        )
        .unwrap();
        let evidence = r.finish(None);
        // OSCAL keeps the note on the item's observation.
        let oscal = super::oscal(&evidence, &c);
        assert_eq!(
            oscal["assessment-results"]["results"][0]["observations"][0]["remarks"],
            "took\n12 min <img src=x> [x](javascript:alert(1))"
        );
        let md = super::markdown(&evidence, &c, &[]);
        assert!(
            md.contains(
                r"- [x] Back up (note: took 12 min \<img src=x\> \[x\](javascript:alert(1))) (ana, 2026-11-23T10:01:00Z)"
            ),
            "people's text stays text: {md}"
        );
        // As GitHub would show it: no link and no image come of the note.
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::all()),
        );
        assert!(!html.contains("<a ") && !html.contains("<img"), "{html}");
        assert!(
            md.contains(r"- [x] ~~Warm the CDN (if needed)~~ (N/A: no CDN) (ana, "),
            "{md}"
        );
        assert!(
            !md.contains("Contacts"),
            "a section with no items is left out: {md}"
        );
    }

    // On paper too, who did the step stays who did it when someone adds a note later.
    #[test]
    fn a_note_added_later_does_not_change_who_the_report_says_did_the_step() {
        let c = checkdown_core::parse_str(
            "r",
            "# R\n## Steps\n- [ ] Restart service\n- [ ] Warm the cache\n",
        )
        .checklist
        .unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let item = "steps.restart-service";
        r.set_item(
            "2026-11-23T10:01:00Z",
            "Alice",
            item,
            ItemState::Done,
            None,
            None,
        )
        .unwrap();
        r.set_item(
            "2026-11-23T10:05:00Z",
            "Bob",
            item,
            ItemState::Done,
            Some("restarted at 13:58"),
            None,
        )
        .unwrap();
        // An N/A is the same: a later note keeps its reason and who gave it.
        let na = "steps.warm-the-cache";
        r.set_item(
            "2026-11-23T10:02:00Z",
            "Alice",
            na,
            ItemState::Na,
            None,
            Some("no cache"),
        )
        .unwrap();
        r.set_item(
            "2026-11-23T10:06:00Z",
            "Bob",
            na,
            ItemState::Na,
            Some("asked ops"),
            Some("no cache"),
        )
        .unwrap();
        let md = super::markdown(&r.finish(None), &c, &[]);
        assert!(
            md.contains(
                "- [x] Restart service (note: restarted at 13:58) (Alice, 2026-11-23T10:01:00Z; note by Bob, 2026-11-23T10:05:00Z)"
            ),
            "{md}"
        );
        assert!(
            md.contains("(N/A: no cache) (note: asked ops) (Alice, 2026-11-23T10:02:00Z; note by Bob, 2026-11-23T10:06:00Z)"),
            "{md}"
        );
    }

    #[test]
    fn a_withdrawal_reads_as_one_and_keeps_the_signoffs_note() {
        let c = checkdown_core::parse_str("r", "# R\n## Sign-off\n- [ ] Lead: ____\n")
            .checklist
            .unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let note = "withdrawn: \"Deploy\" changed after signing\n\nCAB #42";
        r.set_item(
            "2026-11-23T10:01:00Z",
            "Ann",
            "sign-off.lead",
            ItemState::Open,
            Some(note),
            None,
        )
        .unwrap();
        let md = super::markdown(&r.finish(None), &c, &[]);
        assert!(
            md.contains(
                "(withdrawn: \u{201c}Deploy\u{201d} changed after it was given) (note: CAB \\#42)"
            ),
            "{md}"
        );
    }

    #[test]
    fn steps_of_an_item_marked_na_are_na_in_both_reports() {
        let src = "# R\n## Steps\n- [ ] Migrate the queue\n  - [ ] Drain it\n    - [ ] Check the dead letters\n- [ ] Deploy\n";
        let c = checkdown_core::parse_str("r", src).checklist.unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let at = "2026-11-23T10:01:00Z";
        r.set_item(
            at,
            "ana",
            "steps.migrate-the-queue",
            ItemState::Na,
            None,
            Some("no queue"),
        )
        .unwrap();
        r.set_item(at, "ana", "steps.deploy", ItemState::Done, None, None)
            .unwrap();
        let evidence = r.finish(None);
        assert!(evidence.validation.complete, "{:?}", evidence.validation);
        let md = super::markdown(&evidence, &c, &[]);
        for step in ["Drain it", "Check the dead letters"] {
            assert!(
                md.contains(&format!(
                    "- [x] ~~{step}~~ (N/A with \u{201c}Migrate the queue\u{201d})"
                )),
                "{md}"
            );
        }
        assert!(!md.contains("- [ ]"), "{md}");
        let oscal = super::oscal(&evidence, &c);
        let findings = oscal["assessment-results"]["results"][0]["findings"]
            .as_array()
            .unwrap();
        let deepest = findings
            .iter()
            .find(|f| f["title"] == "Check the dead letters")
            .unwrap();
        assert_eq!(deepest["target"]["status"]["state"], "satisfied");
        assert_eq!(
            deepest["description"],
            "N/A with \u{201c}Migrate the queue\u{201d}"
        );
        let observations = oscal["assessment-results"]["results"][0]["observations"]
            .as_array()
            .unwrap();
        let drained = observations
            .iter()
            .find(|o| o["description"] == "Drain it")
            .unwrap();
        assert_eq!(
            drained["props"][1],
            serde_json::json!({ "name": "covered-by", "value": "steps.migrate-the-queue" })
        );
    }

    #[test]
    fn markdown_does_not_call_signed_a_run_whose_signature_must_be_given_again() {
        let src =
            "# R\n\n**Deployed By**: ____\n\n- [ ] Back up\n\n## Sign-Off\n- [ ] QA Lead: ____\n";
        let c = checkdown_core::parse_str("r", src).checklist.unwrap();
        let mut r = run_of(&c, "2026-11-23T10:00:00Z");
        let at = "2026-11-23T10:01:00Z";
        r.set_field(at, "ana", "field.deployed-by", "Ana").unwrap();
        r.set_item(at, "ana", "back-up", ItemState::Done, None, None)
            .unwrap();
        r.set_field(at, "ana", "sign-off.qa-lead.name", "Ana")
            .unwrap();
        r.set_item(at, "ana", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        // An older page changed the field and left the signature standing.
        r.set_field("2026-11-23T10:05:00Z", "bo", "field.deployed-by", "Bo")
            .unwrap();
        let e = r.finish(None);
        let again = super::sign_again(&checkdown_core::evidence::verify(&e, &c, None));
        let md = super::markdown(&e, &c, &again);
        assert!(
            md.contains("**State**: in progress (sign-offs must be given again)\n"),
            "{md}"
        );
        assert!(
            md.contains(
                "- event 5: \"Deployed By\" changed after sign-offs sign-off.qa-lead were given"
            ),
            "{md}"
        );
    }
}
