//! Evidence format v1: what a completed run proves, and how to check it.
//!
//! The event log is a hash chain: every event carries the SHA-256 of the previous
//! event's canonical JSON, and the evidence carries the hash of the last one. Editing,
//! dropping or reordering an event, or a final state that the log does not produce, is
//! detected. This is tamper-*evident*, not a signature: anyone can write a fresh,
//! self-consistent log. Pair it with a signed commit or artefact when that matters.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::model::{Checklist, FieldKind, Item, ItemKind};
use crate::run::Stamp;

pub use crate::merge::{Conflict, MergeError, merge};

pub const FORMAT: &str = "checkdown-evidence";
pub const VERSION: u32 = 1;
/// `prev` of the first event, and `head` of an empty log.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Always `checkdown-evidence`.
    pub format: String,
    /// Always 1 for this format.
    pub version: u32,
    pub generator: Generator,
    pub checklist: ChecklistRef,
    /// What is being deployed, when the run names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    pub run: Run,
    pub items: Vec<ItemRecord>,
    pub fields: Vec<FieldRecord>,
    pub signoffs: Vec<SignoffRecord>,
    pub validation: Validation,
    pub events: Vec<LogEvent>,
    /// SHA-256 of the last event's canonical JSON (or the genesis hash).
    pub head: String,
    /// SHA-256 binding the file's header to its log: the format, the checklist it
    /// names, the run (name, times) and the subject, with `head`. What the log does
    /// not record would otherwise change without a trace: a subject edited by hand
    /// would let one signed run approve any release.
    #[serde(default)]
    pub seal: String,
    /// Progress on items and fields this version of the checklist no longer has. The
    /// checklist changed while the run was under way; what people did on the items
    /// taken out is carried along rather than lost, but it counts for nothing here
    /// and stands outside the hash chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orphans: Vec<Orphan>,
}

/// A change recorded against an item or field the checklist no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Orphan {
    /// RFC 3339 with offset.
    pub at: String,
    pub who: String,
    /// The item or field ID, from the version of the checklist it was made on.
    pub id: String,
    pub kind: OrphanKind,
    /// An item's state (`open`, `done`, `na`), or a field's value.
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrphanKind {
    Item,
    Field,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistRef {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SHA-256 of the checklist's Markdown source.
    pub source_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub name: String,
    /// A git commit, an image digest (`sha256:…`), a version: what the pipeline deploys.
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// Unique within the checklist: a UUID v4 (the CLI, tests), or `r` and the start
    /// time in milliseconds (the browser).
    pub id: String,
    pub name: String,
    /// RFC 3339 timestamps with offset.
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Done,
    Na,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Na => "na",
        }
    }

    /// The state as people read it: `N/A` rather than the format's `na`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Na => "N/A",
            other => other.as_str(),
        }
    }

    /// The state named as the format writes it (`open`, `done`, `na`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "done" => Some(Self::Done),
            "na" => Some(Self::Na),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRecord {
    pub id: String,
    pub text: String,
    pub state: ItemState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub na_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldRecord {
    pub id: String,
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignoffRecord {
    /// The sign-off item's ID.
    pub item: String,
    pub role: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When the sign-off was ticked.
    pub signed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    pub complete: bool,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The item or field concerned.
    pub target: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    RequiredOpen,
    NaWithoutReason,
    EmptyField,
    SignoffIncomplete,
}

/// One state change. `item` names an item or a field (they share one ID space); for
/// items `from`/`to` are states (`open`, `done`, `na`), for fields the old and new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogEvent {
    pub seq: u64,
    pub at: String,
    pub who: String,
    pub item: String,
    pub from: String,
    pub to: String,
    /// The item's note. In logs written before `reason` existed, an N/A event's note
    /// is its reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why the item is N/A (only on events to `na`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// SHA-256 of the previous event's canonical JSON.
    pub prev: String,
}

impl LogEvent {
    /// Canonical JSON: the fields in the order above, no whitespace, strings escaped
    /// as serde_json escapes them (a test holds the two equal). The browser client runs
    /// this same code, so both agree byte for byte. Written out rather than through
    /// serde_json so that the client does not ship a JSON writer for one struct.
    pub fn canonical_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        out.extend_from_slice(b"{\"seq\":");
        out.extend_from_slice(self.seq.to_string().as_bytes());
        let mut field = |name: &str, value: &str| {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            json_string(&mut out, value);
        };
        field("at", &self.at);
        field("who", &self.who);
        field("item", &self.item);
        field("from", &self.from);
        field("to", &self.to);
        if let Some(note) = &self.note {
            field("note", note);
        }
        if let Some(reason) = &self.reason {
            field("reason", reason);
        }
        field("prev", &self.prev);
        out.push(b'}');
        out
    }

    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.canonical_json()))
    }
}

/// A JSON string as serde_json writes it: quotes, backslashes and control characters
/// escaped (the short forms where JSON has them), everything else as it is.
fn json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0x00..=0x1f => 0,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if short == 0 {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(b'\\');
            out.push(short);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Lowercase hex, a digit pair per byte. Every file parsed and every event hashed
/// goes through here, so without the formatting machinery `{:02x}` would run per
/// byte.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// A map keyed by item or field ID. The browser looks up every item's state on each
/// tick; a fast fixed-seed hash keeps that cheap (IDs are the author's own, so
/// SipHash's flooding resistance buys nothing).
pub type IdMap<V> = HashMap<String, V, foldhash::fast::FixedState>;

/// A set of owned keys, with the same hasher as [`IdMap`].
pub type KeySet = std::collections::HashSet<String, foldhash::fast::FixedState>;

/// A set for lookups made and dropped within one function, with the same hasher as
/// [`IdMap`]: one hasher for every table keeps SipHash out of the browser client.
pub type FastSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;

/// Where each key sits in the list it was read from, for lookups made and dropped
/// within one function. Mapping to positions rather than to the records themselves
/// keeps the browser client to one copy of the hash table's code for all of them: it
/// carries a copy per key and value type.
pub type PositionMap<'a> = HashMap<&'a str, usize, foldhash::fast::FixedState>;

/// `list`'s positions by `key`; a key that repeats maps to its last position.
pub fn positions<'a, T>(list: &'a [T], key: impl Fn(&'a T) -> &'a str) -> PositionMap<'a> {
    list.iter().enumerate().map(|(n, t)| (key(t), n)).collect()
}

/// The state of a run: item states and field values, as the log leaves them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunState {
    pub items: IdMap<ItemState>,
    pub fields: IdMap<String>,
    /// Each item's note, as its last change left it.
    pub notes: IdMap<String>,
    /// Why each N/A item is N/A.
    pub reasons: IdMap<String>,
}

/// An item change's note and N/A reason, as they are meant. Before the two were
/// separate, an N/A change carried its reason as its note: read that way, old logs and
/// saved runs mean what they meant. A reason means nothing for other states.
pub fn note_and_reason<'s>(
    to: ItemState,
    note: Option<&'s str>,
    reason: Option<&'s str>,
) -> (Option<&'s str>, Option<&'s str>) {
    match (to, reason) {
        (ItemState::Na, None) => (None, note),
        (ItemState::Na, Some(r)) => (note, Some(r)),
        _ => (note, None),
    }
}

impl RunState {
    /// Where every run starts: items as the source ticks them, fields empty.
    pub fn initial(checklist: &Checklist) -> Self {
        Self::starting(checklist, true)
    }

    /// Like [`RunState::initial`], but items the source leaves open are not listed:
    /// for a caller that knows the checklist's items itself and reads a missing item
    /// as open, as the rules here do. The browser opens a 10,000-item page with one
    /// map entry per ticked item instead of one per item.
    pub fn sparse(checklist: &Checklist) -> Self {
        Self::starting(checklist, false)
    }

    fn starting(checklist: &Checklist, every_item: bool) -> Self {
        let items = checklist.all_items();
        let mut state = Self::default();
        if every_item {
            // Sized once: growing a 10,000-entry map rehashes it a dozen times.
            state.items.reserve(items.len());
        }
        for item in items {
            if item.checked {
                state.items.insert(item.id.clone(), ItemState::Done);
            } else if every_item {
                state.items.insert(item.id.clone(), ItemState::Open);
            }
            for f in &item.fields {
                state.fields.insert(f.id.clone(), String::new());
            }
        }
        for f in &checklist.fields {
            state.fields.insert(f.id.clone(), String::new());
        }
        state
    }

    /// Sets a known item's state, note and reason; false for an unknown ID.
    pub fn set_item(
        &mut self,
        id: &str,
        to: ItemState,
        note: Option<&str>,
        reason: Option<&str>,
    ) -> bool {
        if !self.items.contains_key(id) {
            return false;
        }
        self.put_item(id, to, note, reason);
        true
    }

    /// Sets an item's state, note and reason, listing the item if it was not: for a
    /// [`RunState::sparse`] state, whose caller has checked the ID.
    pub fn put_item(&mut self, id: &str, to: ItemState, note: Option<&str>, reason: Option<&str>) {
        match self.items.get_mut(id) {
            Some(state) => *state = to,
            None => {
                self.items.insert(id.to_owned(), to);
            }
        }
        let (note, reason) = note_and_reason(to, note, reason);
        for (map, value) in [(&mut self.notes, note), (&mut self.reasons, reason)] {
            match value {
                Some(v) => map.insert(id.to_owned(), v.to_owned()),
                None => map.remove(id),
            };
        }
    }

    fn current(&self, target: &str) -> Option<String> {
        self.items
            .get(target)
            .map(|s| s.as_str().to_owned())
            .or_else(|| self.fields.get(target).cloned())
    }
}

/// The same rules the browser applies: what stands between a run and "complete".
pub fn validate(checklist: &Checklist, state: &RunState) -> Vec<Problem> {
    validate_head(checklist, state, usize::MAX).0
}

/// The first `limit` problems and how many there are in all. A page shows a few and
/// counts the rest on every tick, so messages are written only for those it shows.
pub fn validate_head(
    checklist: &Checklist,
    state: &RunState,
    limit: usize,
) -> (Vec<Problem>, usize) {
    let mut head = Vec::new();
    let mut total = 0;
    walk_problems(checklist, state, &mut |kind, target, message| {
        if head.len() < limit {
            head.push(Problem {
                kind,
                target: target.to_owned(),
                message: message(),
            });
        }
        total += 1;
        true
    });
    (head, total)
}

/// Whether anything stands between the run and "complete"; stops at the first problem.
pub fn has_problems(checklist: &Checklist, state: &RunState) -> bool {
    let mut any = false;
    walk_problems(checklist, state, &mut |_, _, _| {
        any = true;
        false
    });
    any
}

/// Receives each problem's kind, target and a way to write its message; returns
/// whether to go on.
type ProblemSink<'s> = dyn FnMut(ProblemKind, &str, &dyn Fn() -> String) -> bool + 's;

/// Calls `found` with each problem until it returns false.
fn walk_problems(checklist: &Checklist, state: &RunState, found: &mut ProblemSink<'_>) {
    let field = |id: &str| state.fields.get(id).map_or("", |v| v.trim());
    let mut go = true;
    let na = |item: &Item| state.items.get(&item.id) == Some(&ItemState::Na);
    // Steps of an item marked N/A do not apply with it: nothing to do, nothing to fill.
    checklist.for_each_item_covered(&na, &mut |item, covered| {
        if !go || covered {
            return;
        }
        let s = state
            .items
            .get(&item.id)
            .copied()
            .unwrap_or(ItemState::Open);
        let reason = state.reasons.get(&item.id).map_or("", |n| n.trim());
        match s {
            ItemState::Open if item.required => {
                let kind = if item.kind == ItemKind::Signoff {
                    ProblemKind::SignoffIncomplete
                } else {
                    ProblemKind::RequiredOpen
                };
                go = found(kind, &item.id, &|| {
                    format!("required {} is open: {}", kind_name(item), item_name(item))
                });
            }
            // Only a page that did not know this rule could record it; a log that
            // does is not complete, whatever reason it gives.
            ItemState::Na if item.kind == ItemKind::Signoff && item.required => {
                go = found(ProblemKind::SignoffIncomplete, &item.id, &|| {
                    format!(
                        "required sign-off is marked N/A, which it cannot be: {}",
                        item_name(item)
                    )
                });
            }
            ItemState::Na if reason.is_empty() => {
                go = found(ProblemKind::NaWithoutReason, &item.id, &|| {
                    format!("marked N/A without a reason: {}", item.text)
                });
            }
            // A task's blanks are part of doing it: "Rollback command verified: ____"
            // is not done until the command is written down.
            ItemState::Done if item.kind == ItemKind::Task => {
                for f in &item.fields {
                    if go && f.required && field(&f.id).is_empty() {
                        go = found(ProblemKind::EmptyField, &f.id, &|| {
                            // "Ticket: ___" is named by its label; "Check ___ logs" is not.
                            let fill_in = item
                                .text
                                .strip_prefix(f.label.as_str())
                                .and_then(|rest| {
                                    rest.trim_start_matches(':').trim().strip_prefix("___")
                                })
                                .is_some_and(|tail| {
                                    tail.trim().is_empty() || tail.trim().starts_with('(')
                                });
                            if fill_in {
                                format!("required field is empty: {}", f.label)
                            } else {
                                format!("required field is empty: {} in \"{}\"", f.label, item.text)
                            }
                        });
                    }
                }
            }
            ItemState::Done if item.kind == ItemKind::Signoff => {
                for f in &item.fields {
                    if go
                        && f.required
                        && matches!(f.kind, FieldKind::Name | FieldKind::Date)
                        && field(&f.id).is_empty()
                    {
                        go = found(ProblemKind::SignoffIncomplete, &f.id, &|| {
                            // Labels are words like "Name" and "Date", lowercased
                            // to read as part of the sentence. Others are left as
                            // written: Unicode's case tables would be most of what
                            // this line costs the browser client, and half-lowered
                            // text reads worse than none.
                            let label = if f.label.is_ascii() {
                                f.label.to_ascii_lowercase()
                            } else {
                                f.label.clone()
                            };
                            format!("sign-off {} has no {label}", item_name(item))
                        });
                    }
                }
            }
            _ => {}
        }
    });
    for f in &checklist.fields {
        if go && f.required && field(&f.id).is_empty() {
            go = found(ProblemKind::EmptyField, &f.id, &|| {
                format!("required field is empty: {}", f.label)
            });
        }
    }
}

/// What people call an item: a sign-off by its role ("QA Lead"), not by its line
/// with the blanks ("QA Lead: ___ Date: ___").
pub fn item_name(item: &Item) -> &str {
    item.role
        .as_deref()
        .filter(|r| !r.is_empty())
        .unwrap_or(&item.text)
}

fn kind_name(item: &Item) -> &'static str {
    match item.kind {
        ItemKind::Task => "item",
        ItemKind::Signoff => "sign-off",
    }
}

/// Whether a field's new value takes back sign-offs given before it: a value written
/// over another, or cleared. Filling an empty blank completes what was signed (a
/// sign-off given with its name still empty, a date the list still asked for), and
/// spaces around a value are not a change.
pub fn overwrites(before: &str, after: &str) -> bool {
    let before = before.trim();
    !before.is_empty() && before != after.trim()
}

/// Which sign-offs a change after signing takes back. The page, `verify` and `merge`
/// all apply it: a sign-off approves the run as it stood, so a task that changes
/// state, or a field of the run or of a task that changes value, withdraws every
/// sign-off given; a sign-off's own name or date changing withdraws that sign-off
/// (the signature would otherwise stand for a name nobody signed with).
pub struct Withdrawals<'c> {
    signoffs: Vec<&'c Item>,
    tasks: HashMap<&'c str, &'c Item, foldhash::fast::FixedState>,
    /// Each field's sign-off, for the fields sign-offs have.
    signoff_fields: HashMap<&'c str, (&'c Item, &'c str), foldhash::fast::FixedState>,
    /// Labels of every other field.
    fields: HashMap<&'c str, &'c str, foldhash::fast::FixedState>,
}

impl<'c> Withdrawals<'c> {
    pub fn new(checklist: &'c Checklist) -> Self {
        let mut rule = Self {
            signoffs: Vec::new(),
            tasks: HashMap::default(),
            signoff_fields: HashMap::default(),
            fields: checklist
                .fields
                .iter()
                .map(|f| (f.id.as_str(), f.label.as_str()))
                .collect(),
        };
        checklist.for_each_item(&mut |item| match item.kind {
            ItemKind::Signoff => {
                rule.signoffs.push(item);
                for f in &item.fields {
                    rule.signoff_fields
                        .insert(f.id.as_str(), (item, f.label.as_str()));
                }
            }
            ItemKind::Task => {
                rule.tasks.insert(item.id.as_str(), item);
                for f in &item.fields {
                    rule.fields.insert(f.id.as_str(), f.label.as_str());
                }
            }
        });
        rule
    }

    /// The words a withdrawal quotes for `target` when its change withdraws every
    /// sign-off (a task, or a field of the run or of a task); none otherwise.
    pub fn every_signoffs_change(&self, target: &str) -> Option<String> {
        match (self.tasks.get(target), self.fields.get(target)) {
            (Some(task), _) => Some(task.text.clone()),
            (None, Some(label)) => Some((*label).to_owned()),
            (None, None) => None,
        }
    }

    pub fn is_signoff(&self, id: &str) -> bool {
        self.signoffs.iter().any(|s| s.id == id)
    }

    /// After `target` (an item whose state, or a field whose value, just changed in
    /// `state`): the sign-offs still given that it withdraws, in document order, and
    /// the words the withdrawal note quotes for what changed.
    pub fn after(&self, state: &RunState, target: &str) -> (Vec<&'c str>, String) {
        let given = |s: &Item| state.items.get(&s.id) == Some(&ItemState::Done);
        let every_given = || -> Vec<&'c str> {
            self.signoffs
                .iter()
                .filter(|s| given(s))
                .map(|s| s.id.as_str())
                .collect()
        };
        if let Some(task) = self.tasks.get(target) {
            (every_given(), task.text.clone())
        } else if let Some(&(signoff, label)) = self.signoff_fields.get(target) {
            let own = given(signoff).then_some(signoff.id.as_str());
            (
                own.into_iter().collect(),
                format!("{} {label}", item_name(signoff)),
            )
        } else if let Some(label) = self.fields.get(target) {
            (every_given(), (*label).to_owned())
        } else {
            (Vec::new(), String::new())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    #[error("unknown item or field `{0}`")]
    Unknown(String),
    #[error("`{0}` is a field; give it a value, not a state")]
    NotAnItem(String),
}

/// Builds evidence from state changes: what the browser client does as people work,
/// and what tests use to make honest runs.
pub struct Recorder<'c> {
    checklist: &'c Checklist,
    pub(crate) state: RunState,
    last_change: IdMap<Stamp>,
    /// Who set each item's state, and when (see `set_item`).
    set_by: IdMap<Stamp>,
    pub(crate) events: Vec<LogEvent>,
    run: Run,
    pub(crate) subject: Option<Subject>,
}

impl<'c> Recorder<'c> {
    pub fn new(checklist: &'c Checklist, run: Run) -> Self {
        Self {
            state: RunState::initial(checklist),
            checklist,
            last_change: IdMap::default(),
            set_by: IdMap::default(),
            events: Vec::new(),
            run,
            subject: None,
        }
    }

    pub fn subject(&mut self, name: &str, digest: &str) {
        self.subject = Some(Subject {
            name: name.to_owned(),
            digest: digest.to_owned(),
        });
    }

    fn push(
        &mut self,
        at: &str,
        who: &str,
        target: &str,
        from: String,
        to: String,
        (note, reason): (Option<&str>, Option<&str>),
    ) {
        let prev = self
            .events
            .last()
            .map_or_else(|| GENESIS.to_owned(), LogEvent::hash);
        self.events.push(LogEvent {
            seq: self.events.len() as u64 + 1,
            at: at.to_owned(),
            who: who.to_owned(),
            item: target.to_owned(),
            from,
            to,
            note: note.map(str::to_owned),
            reason: reason.map(str::to_owned),
            prev,
        });
        self.last_change.insert(
            target.to_owned(),
            Stamp {
                who: who.to_owned(),
                at: at.to_owned(),
            },
        );
    }

    /// Changes an item's state, with its note and (for N/A) the reason.
    pub fn set_item(
        &mut self,
        at: &str,
        who: &str,
        item: &str,
        to: ItemState,
        note: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(), RecordError> {
        let Some(from) = self.state.items.get(item).copied() else {
            return Err(if self.state.fields.contains_key(item) {
                RecordError::NotAnItem(item.to_owned())
            } else {
                RecordError::Unknown(item.to_owned())
            });
        };
        let (note, reason) = note_and_reason(to, note, reason);
        let sets = crate::run::sets_state(
            from,
            to,
            self.state.reasons.get(item).map(String::as_str),
            reason,
        );
        self.state.set_item(item, to, note, reason);
        self.push(
            at,
            who,
            item,
            from.as_str().to_owned(),
            to.as_str().to_owned(),
            (note, reason),
        );
        // An item's `who` and `when` are who set its state and when: a note added
        // later by someone else is in the log, and does not make them the doer.
        if !sets {
            if let Some(kept) = self.set_by.get(item).cloned() {
                self.last_change.insert(item.to_owned(), kept);
            }
        }
        if let Some(stamp) = self.last_change.get(item).cloned() {
            self.set_by.insert(item.to_owned(), stamp);
        }
        Ok(())
    }

    pub fn set_field(
        &mut self,
        at: &str,
        who: &str,
        field: &str,
        value: &str,
    ) -> Result<(), RecordError> {
        let Some(from) = self.state.fields.get(field).cloned() else {
            return Err(RecordError::Unknown(field.to_owned()));
        };
        self.state.fields.insert(field.to_owned(), value.to_owned());
        self.push(at, who, field, from, value.to_owned(), (None, None));
        Ok(())
    }

    pub fn finish(self, completed: Option<&str>) -> Evidence {
        let mut run = self.run;
        run.completed = completed.map(str::to_owned);
        assemble(
            self.checklist,
            run,
            self.subject,
            &self.state,
            &self.last_change,
            self.events,
        )
    }
}

fn assemble(
    checklist: &Checklist,
    run: Run,
    subject: Option<Subject>,
    state: &RunState,
    last_change: &IdMap<Stamp>,
    events: Vec<LogEvent>,
) -> Evidence {
    let items = checklist
        .all_items()
        .iter()
        .map(|i| {
            let s = state.items.get(&i.id).copied().unwrap_or(ItemState::Open);
            let note = state.notes.get(&i.id).cloned();
            let reason = state.reasons.get(&i.id).cloned();
            let (who, when) = last_change
                .get(&i.id)
                .cloned()
                .map_or((None, None), |s| (Some(s.who), Some(s.at)));
            ItemRecord {
                id: i.id.clone(),
                text: i.text.clone(),
                state: s,
                who,
                when,
                na_reason: reason.filter(|_| s == ItemState::Na),
                note,
            }
        })
        .collect();
    let mut fields = Vec::new();
    for f in checklist
        .fields
        .iter()
        .chain(checklist.all_items().iter().flat_map(|i| i.fields.iter()))
    {
        fields.push(FieldRecord {
            id: f.id.clone(),
            label: f.label.clone(),
            value: state.fields.get(&f.id).cloned().unwrap_or_default(),
        });
    }
    let signoffs = checklist
        .all_items()
        .iter()
        .filter(|i| i.kind == ItemKind::Signoff && state.items.get(&i.id) == Some(&ItemState::Done))
        .map(|i| {
            let value = |kind: FieldKind| {
                i.fields
                    .iter()
                    .find(|f| f.kind == kind)
                    .and_then(|f| state.fields.get(&f.id).cloned())
            };
            SignoffRecord {
                item: i.id.clone(),
                role: i.role.clone().unwrap_or_else(|| i.text.clone()),
                name: value(FieldKind::Name).unwrap_or_default(),
                date: value(FieldKind::Date).filter(|d| !d.is_empty()),
                signed_at: last_change
                    .get(&i.id)
                    .map(|s| s.at.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let problems = validate(checklist, state);
    let head = events
        .last()
        .map_or_else(|| GENESIS.to_owned(), LogEvent::hash);
    let mut evidence = Evidence {
        format: FORMAT.to_owned(),
        version: VERSION,
        generator: Generator {
            name: "checkdown".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        checklist: ChecklistRef {
            id: checklist.id.clone(),
            title: checklist.title.clone(),
            version: checklist.version.clone(),
            source_sha256: checklist.source_sha256.clone(),
        },
        subject,
        run,
        items,
        fields,
        signoffs,
        validation: Validation {
            complete: problems.is_empty(),
            problems,
        },
        events,
        head,
        seal: String::new(),
        orphans: Vec::new(),
    };
    evidence.seal = evidence.expected_seal();
    evidence
}

/// What [`Evidence::seal`] covers, in this order.
#[derive(Serialize)]
struct Header<'a> {
    format: &'a str,
    version: u32,
    checklist: &'a ChecklistRef,
    subject: &'a Option<Subject>,
    run: &'a Run,
    head: &'a str,
}

impl Evidence {
    /// The seal this file's header and head call for.
    pub fn expected_seal(&self) -> String {
        let header = Header {
            format: &self.format,
            version: self.version,
            checklist: &self.checklist,
            subject: &self.subject,
            run: &self.run,
            head: &self.head,
        };
        // Plain structs of strings: writing them to JSON cannot fail.
        let json = serde_json::to_vec(&header).unwrap_or_default();
        hex(&Sha256::digest(json))
    }

    /// Names what is being released, and seals the header again to cover it.
    pub fn set_subject(&mut self, subject: Option<Subject>) {
        self.subject = subject;
        self.seal = self.expected_seal();
    }
}

/// Why evidence does not hold, one reason each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub message: String,
    /// The item or field an `incomplete` finding is about, for tools that link to
    /// it or act on it; absent where a finding is about no one item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// What a finding is about, for tools that act on some kinds and not others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The evidence is for another checklist, or another version of it.
    Checklist,
    /// `--require-subject` was not met.
    Subject,
    /// Sequence numbers, `prev` or `head` do not chain: events were edited, removed,
    /// added or reordered.
    Chain,
    /// An event does not follow from the state before it, or names no item or field.
    Log,
    /// A final state, field, sign-off or completeness claim is not what the log gives.
    Claim,
    /// The log holds, but the run does not meet the checklist's rules yet.
    Incomplete,
}

/// Checks what evidence says of itself, whatever checklist it is read against: the
/// sequence numbers, the hash chain, the head, and that every event has a time. Empty
/// means the log is the one its maker wrote.
pub fn verify_chain(evidence: &Evidence) -> Vec<Finding> {
    chain_findings(evidence)
        .into_iter()
        .map(|(_, f)| f)
        .collect()
}

/// [`verify_chain`]'s findings, each with the event it is about (the number of events
/// for the head), so `verify` can report them in log order beside its own.
fn chain_findings(evidence: &Evidence) -> Vec<(usize, Finding)> {
    let mut out = Vec::new();
    let mut expected_prev = GENESIS.to_owned();
    // After one event goes missing every later number is off by one: the first says it.
    let mut out_of_sequence = false;
    let mut latest: Option<(time::OffsetDateTime, &str)> = None;
    for (i, e) in evidence.events.iter().enumerate() {
        let mut say = |kind, message| {
            out.push((
                i,
                Finding {
                    kind,
                    message,
                    target: None,
                },
            ));
        };
        let n = i as u64 + 1;
        if e.seq != n && !std::mem::replace(&mut out_of_sequence, true) {
            say(
                FindingKind::Chain,
                format!(
                    "event {n} has sequence number {}: events were removed, added or reordered",
                    e.seq
                ),
            );
        }
        if e.prev != expected_prev {
            say(
                FindingKind::Chain,
                format!(
                    "event {}: hash chain broken (an earlier event was edited, removed or reordered)",
                    e.seq
                ),
            );
        }
        expected_prev = e.hash();
        // Merging orders changes by these times, and reports print them as times.
        match instant(&e.at) {
            Err(_) => say(
                FindingKind::Log,
                format!(
                    "event {}: `{}` is not a time (RFC 3339, with its offset)",
                    e.seq, e.at
                ),
            ),
            // The page keeps a run's changes in time order and exports them so (see
            // `Session::apply`). A log that goes back in time reads one way in its
            // own order and another in time order, which is how a page replays it and
            // how a merge interleaves two: an un-tick dated before the tick it
            // followed vanished from a merged run that then verified as signed.
            Ok(at) => match latest.filter(|(last, _)| at < *last) {
                Some((_, last_at)) => say(
                    FindingKind::Log,
                    format!(
                        "event {}: dated {}, before the event ahead of it ({last_at}); a \
                         run's log goes forward in time, so this one was edited",
                        e.seq, e.at
                    ),
                ),
                None => latest = Some((at, &e.at)),
            },
        }
    }
    out.extend(
        run_time_findings(&evidence.run, latest)
            .into_iter()
            .map(|f| (evidence.events.len(), f)),
    );
    if evidence.head != expected_prev {
        out.push((
            evidence.events.len(),
            Finding {
                kind: FindingKind::Chain,
                message: "head hash does not match the log: the last event was edited or removed"
                    .to_owned(),
                target: None,
            },
        ));
    }
    // Files exported before the seal have none, and still hold for what their log
    // records; `verify` asks for one where the subject matters.
    if !evidence.seal.is_empty() && evidence.seal != evidence.expected_seal() {
        out.push((
            evidence.events.len(),
            Finding {
                kind: FindingKind::Chain,
                // The seal covers `head` too: a log cut short (or added to) with its
                // chain and head rewritten shows only here.
                message: "seal does not match: the run's name or times, the subject or the \
                          checklist it names were edited after export, or events were \
                          removed from or added to the end of the log"
                    .to_owned(),
                target: None,
            },
        ));
    }
    out
}

/// `sha256:sha256:…`: a prefix added to a digest that had one.
fn names_algorithm_twice(digest: &str) -> bool {
    digest
        .trim()
        .split_once(':')
        .is_some_and(|(algorithm, rest)| {
            rest.get(..=algorithm.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(&format!("{algorithm}:")))
        })
}

/// The run's start and end as the page writes them: times, and the end no earlier
/// than the last change (the page completes a run at its last change, and keeps its
/// changes in order). Reports (`export --oscal`, `--markdown`) print them as times, so
/// a file that says "yesterday" must not hold. The end may well come before the start:
/// the start is the clock of whoever began the run, the end that of whoever finished
/// it, and two people's clocks differ.
fn run_time_findings(run: &Run, last_event: Option<(time::OffsetDateTime, &str)>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut say = |message: String| {
        out.push(Finding {
            kind: FindingKind::Log,
            message,
            target: None,
        });
    };
    let not_a_time = |what: &str, at: &str| {
        format!("the run's {what} time `{at}` is not a time (RFC 3339, with its offset)")
    };
    if instant(&run.started).is_err() {
        say(not_a_time("start", &run.started));
    }
    let Some(completed) = &run.completed else {
        return out;
    };
    match instant(completed) {
        Err(_) => say(not_a_time("completion", completed)),
        Ok(end) => {
            if let Some((_, last)) = last_event.filter(|(at, _)| end < *at) {
                say(format!(
                    "the run was completed at {completed}, before its last change ({last})"
                ));
            }
        }
    }
    out
}

/// Checks evidence against the checklist it claims to be for: the version, the hash
/// chain, the replayed final states, and the completion rules. Empty means it holds.
pub fn verify(
    evidence: &Evidence,
    checklist: &Checklist,
    require_subject: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut say = |kind: FindingKind, message: String| {
        out.push(Finding {
            kind,
            message,
            target: None,
        });
    };
    // What each `incomplete` finding made from the validation is about (see below).
    let mut targets: Vec<(String, String)> = Vec::new();

    if evidence.checklist.id != checklist.id {
        // Every item would differ too; said once, the cause stays readable.
        say(
            FindingKind::Checklist,
            format!(
                "evidence is for checklist `{}`, not `{}` (a checklist's ID is its file's path \
                 below the source folder, or `id:` in its front matter)",
                evidence.checklist.id, checklist.id
            ),
        );
        return out;
    }
    let same_source = evidence.checklist.source_sha256 == checklist.source_sha256;
    // The source is the same, so what the evidence says of it must be the source's.
    let described = [
        (
            "titles the checklist",
            Some(&evidence.checklist.title),
            Some(&checklist.title),
        ),
        (
            "gives the checklist's version as",
            evidence.checklist.version.as_ref(),
            checklist.version.as_ref(),
        ),
    ];
    let quoted = |v: Option<&String>| v.map_or_else(|| "nothing".to_owned(), |v| format!("{v:?}"));
    for (what, claimed, source) in described {
        if same_source && claimed != source {
            say(
                FindingKind::Checklist,
                format!(
                    "the evidence {what} {}, but its source says {}",
                    quoted(claimed),
                    quoted(source)
                ),
            );
        }
    }
    if same_source {
        // The same file, read into other IDs: a checkdown before or after a change to
        // how IDs are made. The log's findings that follow have this one cause.
        let known: FastSet<&str> = checklist
            .all_items()
            .into_iter()
            .map(|i| i.id.as_str())
            .collect();
        let unknown: Vec<&str> = evidence
            .items
            .iter()
            .map(|i| i.id.as_str())
            .filter(|id| !known.contains(id))
            .collect();
        if !unknown.is_empty() {
            say(
                FindingKind::Checklist,
                format!(
                    "the evidence names items its own source does not give ({}): it was made by a checkdown that reads this file into other IDs; verify it with that version",
                    unknown
                        .iter()
                        .take(5)
                        .map(|id| format!("`{id}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if !same_source {
        let versions = match (&evidence.checklist.version, &checklist.version) {
            (Some(then), Some(now)) if then != now => {
                format!("made for version {then}, the checklist is now {now}; ")
            }
            (Some(then), None) => {
                format!("made for version {then}, the checklist now names none; ")
            }
            (None, Some(now)) => format!("the checklist is now version {now}; "),
            _ => String::new(),
        };
        say(
            FindingKind::Checklist,
            format!(
                "evidence is for a different version of this checklist ({versions}source \
                 SHA-256 differs){}; to carry the run over, import the file on the current \
                 page, which keeps the progress on unchanged items, and export it again",
                describe_changes(evidence, checklist)
            ),
        );
    }
    if let Some(digest) = require_subject {
        match &evidence.subject {
            // Hex is the same digest in either case, and tools differ in which they print.
            Some(s) if s.digest.trim().eq_ignore_ascii_case(digest.trim()) => {}
            Some(s) => say(
                FindingKind::Subject,
                format!(
                    "evidence is for {} {}, not {digest}{}",
                    s.name,
                    s.digest,
                    // A bare hex digest is the easy mistake: the page stores the prefix.
                    // Its twin is a prefix written twice, by a pipeline that adds one to a
                    // digest that had it.
                    if !digest.contains(':') {
                        " (a digest is written with its algorithm, e.g. sha256:…)"
                    } else if names_algorithm_twice(digest) {
                        " (the required digest names its algorithm twice)"
                    } else if names_algorithm_twice(&s.digest) {
                        // Typed so into the page's Releasing field, which took it.
                        " (the evidence's digest names its algorithm twice: see the page's \
                         \"Releasing\" field)"
                    } else {
                        ""
                    }
                ),
            ),
            None => say(
                FindingKind::Subject,
                format!(
                    "evidence names no subject; {digest} was required (the page's \
                     \"Releasing\" field sets it before the run is signed)"
                ),
            ),
        }
        // Without a seal nothing ties the subject to the log: a run signed for one
        // release could be edited to name another.
        if evidence.subject.is_some() && evidence.seal.is_empty() {
            say(
                FindingKind::Subject,
                "the evidence has no seal binding its subject to its log (it was exported by \
                 an earlier checkdown): export the run again"
                    .to_owned(),
            );
        }
    }

    // Orphans stand outside the chain, so they may hold only what the chain cannot:
    // progress on items and fields this checklist does not have.
    let initial = RunState::initial(checklist);
    for o in &evidence.orphans {
        let problem = if initial.items.contains_key(&o.id) || initial.fields.contains_key(&o.id) {
            Some("names an item or field this checklist has: its progress belongs in the event log")
        } else if instant(&o.at).is_err() {
            Some("has a time that is not RFC 3339 with its offset")
        } else if o.kind == OrphanKind::Item && ItemState::parse(&o.to).is_none() {
            Some("is an item whose state is not `open`, `done` or `na`")
        } else {
            None
        };
        if let Some(problem) = problem {
            say(FindingKind::Log, format!("orphan `{}` {problem}", o.id));
        }
    }

    // Replay the log.
    let mut state = initial;
    // Who changed each item or field last, and who set each item's state: the file's
    // `who` and `when` are the latter since checkdown 0.1 kept them apart, the former
    // in files made before, which still hold.
    let mut last_change: IdMap<Stamp> = IdMap::default();
    let mut set_by: IdMap<Stamp> = IdMap::default();
    let mut chain = chain_findings(evidence).into_iter().peekable();
    let kinds: HashMap<&str, ItemKind, foldhash::fast::FixedState> = checklist
        .all_items()
        .into_iter()
        .map(|i| (i.id.as_str(), i.kind))
        .collect();
    // A task or field changed while sign-offs stood: the events right after it must
    // take them back, as the page does, or the run stays signed for a state nobody
    // approved (see `Withdrawals`).
    let rule = Withdrawals::new(checklist);
    let mut owed: Vec<String> = Vec::new();
    let mut owed_since = 0;
    let mut owed_for = String::new();
    // Pages did not always withdraw sign-offs on a field's change, so a field's is not
    // owed at once: such a log is genuine. Those sign-offs only need taking back and
    // giving again, at any later point; what still stands at the end is `incomplete`.
    let mut stale: Vec<(String, u64, String)> = Vec::new();
    for (i, e) in evidence.events.iter().enumerate() {
        let withdrawal = kinds.get(e.item.as_str()) == Some(&ItemKind::Signoff)
            && e.to == ItemState::Open.as_str()
            && owed.contains(&e.item);
        if withdrawal {
            owed.retain(|s| *s != e.item);
        } else if !owed.is_empty() {
            say(FindingKind::Log, still_stood(owed_since, &owed, &owed_for));
            owed.clear();
        }
        if kinds.get(e.item.as_str()) == Some(&ItemKind::Signoff)
            && e.to != ItemState::Done.as_str()
        {
            stale.retain(|(s, _, _)| *s != e.item);
        }
        let before = state.items.get(&e.item).copied();
        let value_before = state.fields.get(&e.item).cloned();
        // Whether this event sets its item's state, for who did it (see `Recorder`).
        let sets = match (before, ItemState::parse(&e.to)) {
            (Some(from), Some(to)) => crate::run::sets_state(
                from,
                to,
                state.reasons.get(&e.item).map(String::as_str),
                e.reason.as_deref(),
            ),
            _ => true,
        };
        // In event order, as `chain_findings` made them: a cursor, not a search, so a
        // hostile log of many broken events stays linear.
        while let Some((_, f)) = chain.next_if(|(at, _)| *at == i) {
            say(f.kind, f.message);
        }
        match state.current(&e.item) {
            None => say(
                FindingKind::Log,
                format!("event {}: unknown item or field `{}`", e.seq, e.item),
            ),
            Some(current) if current != e.from => say(
                FindingKind::Log,
                format!(
                    "event {}: `{}` was `{current}`, but the event says `{}`",
                    e.seq, e.item, e.from
                ),
            ),
            Some(_) => {}
        }
        if state.items.contains_key(&e.item) {
            match ItemState::parse(&e.to) {
                Some(to) => {
                    state.set_item(&e.item, to, e.note.as_deref(), e.reason.as_deref());
                }
                None => say(
                    FindingKind::Log,
                    format!("event {}: `{}` is not a state", e.seq, e.to),
                ),
            }
        } else if state.fields.contains_key(&e.item) {
            state.fields.insert(e.item.clone(), e.to.clone());
        }
        let moved = match kinds.get(e.item.as_str()) {
            Some(_) => state.items.get(&e.item).copied() != before,
            None => value_before
                .as_deref()
                .zip(state.fields.get(&e.item))
                .is_some_and(|(before, after)| overwrites(before, after)),
        };
        if moved {
            let (signoffs, changed) = rule.after(&state, &e.item);
            match kinds.get(e.item.as_str()) {
                Some(ItemKind::Task) => {
                    owed = signoffs.into_iter().map(str::to_owned).collect();
                    owed_since = e.seq;
                    owed_for = changed;
                }
                Some(ItemKind::Signoff) => {}
                None => {
                    for s in signoffs {
                        if !stale.iter().any(|(x, _, _)| x == s) {
                            stale.push((s.to_owned(), e.seq, changed.clone()));
                        }
                    }
                }
            }
        }
        let stamp = Stamp {
            who: e.who.clone(),
            at: e.at.clone(),
        };
        if sets || !set_by.contains_key(&e.item) {
            set_by.insert(e.item.clone(), stamp.clone());
        }
        last_change.insert(e.item.clone(), stamp);
    }
    if !owed.is_empty() {
        say(FindingKind::Log, still_stood(owed_since, &owed, &owed_for));
    }
    // One finding per change, naming every sign-off it left standing.
    let mut groups: Vec<(u64, String, Vec<String>)> = Vec::new();
    for (s, seq, changed) in stale {
        match groups.iter_mut().find(|(q, _, _)| *q == seq) {
            Some((_, _, list)) => list.push(s),
            None => groups.push((seq, changed, vec![s])),
        }
    }
    for (seq, changed, signoffs) in groups {
        say(
            FindingKind::Incomplete,
            format!(
                "incomplete: event {seq}: {changed:?} changed after sign-offs {} were given; they must be given again",
                signoffs.join(", ")
            ),
        );
    }
    for (_, f) in chain {
        say(f.kind, f.message);
    }

    // What the evidence claims must be what the log produces.
    let replayed = assemble(
        checklist,
        evidence.run.clone(),
        evidence.subject.clone(),
        &state,
        &set_by,
        Vec::new(),
    );
    // As files made before who set a state was kept apart from who changed it last.
    let earlier = assemble(
        checklist,
        evidence.run.clone(),
        evidence.subject.clone(),
        &state,
        &last_change,
        Vec::new(),
    );
    let claimed = positions(&evidence.items, |i| &i.id);
    for (item, old) in replayed.items.iter().zip(&earlier.items) {
        match claimed.get(item.id.as_str()).map(|&n| &evidence.items[n]) {
            None => say(
                FindingKind::Claim,
                format!("item `{}` is missing from the evidence", item.id),
            ),
            Some(c) if c.state != item.state => say(
                FindingKind::Claim,
                format!(
                    "item `{}` is `{}` in the evidence, but the log leaves it `{}`",
                    item.id,
                    c.state.as_str(),
                    item.state.as_str()
                ),
            ),
            Some(c) => {
                // What a report shows beside the state is claimed as much as the state:
                // a reason or name written into the file, not the log, is forged.
                let mut wrong = Vec::new();
                if c.note != item.note {
                    wrong.push("note");
                }
                if c.na_reason != item.na_reason {
                    wrong.push("N/A reason");
                }
                let by =
                    |who: &Option<String>, when: &Option<String>| (&c.who, &c.when) == (who, when);
                if !by(&item.who, &item.when) && !by(&old.who, &old.when) {
                    if c.who != item.who {
                        wrong.push("who");
                    }
                    if c.when != item.when {
                        wrong.push("when");
                    }
                }
                // Another source's text is reported above, item by item.
                if same_source && c.text != item.text {
                    wrong.push("text");
                }
                if !wrong.is_empty() {
                    say(
                        FindingKind::Claim,
                        format!(
                            "item `{}`: its {} in the evidence {} not what the log gives",
                            item.id,
                            wrong.join(", "),
                            if wrong.len() == 1 { "is" } else { "are" }
                        ),
                    );
                }
            }
        }
    }
    let fields = positions(&evidence.fields, |f| &f.id);
    for f in &replayed.fields {
        let value = fields
            .get(f.id.as_str())
            .map(|&n| &evidence.fields[n].value);
        let label = fields
            .get(f.id.as_str())
            .map(|&n| &evidence.fields[n].label);
        if value.map_or("", String::as_str) != f.value || same_source && label != Some(&f.label) {
            say(
                FindingKind::Claim,
                format!("field `{}` does not match the log", f.id),
            );
        }
    }
    let signed = positions(&evidence.signoffs, |s| &s.item);
    for (s, old) in replayed.signoffs.iter().zip(&earlier.signoffs) {
        match signed.get(s.item.as_str()).map(|&n| &evidence.signoffs[n]) {
            None => say(
                FindingKind::Claim,
                format!(
                    "sign-off `{}` ({}) is missing from the evidence",
                    s.item, s.role
                ),
            ),
            Some(c)
                if c.name != s.name
                    || c.date != s.date
                    || (c.signed_at != s.signed_at && c.signed_at != old.signed_at)
                    || c.role != s.role =>
            {
                say(
                    FindingKind::Claim,
                    format!("sign-off `{}` ({}) does not match the log", s.item, s.role),
                );
            }
            Some(_) => {}
        }
    }
    // The other direction: a record the checklist has no place for, or a second record
    // for one ID (the checks above read one of them), is written into every report and
    // attestation made from the file, as if it were vouched for.
    // A sign-off the checklist has but the log never gives is not the checklist's
    // fault: said as such, the reader looks at the log, not the checklist.
    let signoff_items: FastSet<&str> = checklist
        .all_items()
        .into_iter()
        .filter(|i| i.kind == ItemKind::Signoff)
        .map(|i| i.id.as_str())
        .collect();
    let mut stray = |what: &str, claimed: Vec<&str>, known: Vec<&str>| {
        let known: FastSet<&str> = known.into_iter().collect();
        let mut seen = FastSet::default();
        for id in claimed {
            if !known.contains(id) && what == "sign-off" && signoff_items.contains(id) {
                say(
                    FindingKind::Claim,
                    format!("sign-off `{id}` is in the evidence, but the log never gives it"),
                );
            } else if !known.contains(id) {
                say(
                    FindingKind::Claim,
                    format!(
                        "{what} `{id}` is in the evidence, but the checklist has no such {what}"
                    ),
                );
            } else if !seen.insert(id) {
                say(
                    FindingKind::Claim,
                    format!("{what} `{id}` is listed more than once in the evidence"),
                );
            }
        }
    };
    stray(
        "item",
        evidence.items.iter().map(|i| i.id.as_str()).collect(),
        replayed.items.iter().map(|i| i.id.as_str()).collect(),
    );
    stray(
        "field",
        evidence.fields.iter().map(|f| f.id.as_str()).collect(),
        replayed.fields.iter().map(|f| f.id.as_str()).collect(),
    );
    stray(
        "sign-off",
        evidence.signoffs.iter().map(|s| s.item.as_str()).collect(),
        replayed.signoffs.iter().map(|s| s.item.as_str()).collect(),
    );
    for p in &replayed.validation.problems {
        // A sign-off open because a change withdrew it says why, as the page does.
        let why = replayed
            .items
            .iter()
            .find(|i| i.id == p.target)
            .and_then(|i| i.note.as_deref())
            .and_then(|note| {
                let subject = crate::run::withdrawal_subject(note)?;
                Some(format!(
                    " (withdrawn: {subject:?} {})",
                    crate::run::withdrawal_words(note)
                ))
            })
            .unwrap_or_default();
        let message = format!("incomplete: {}{why}", p.message);
        targets.push((message.clone(), p.target.clone()));
        say(FindingKind::Incomplete, message);
    }
    if evidence.validation.complete && !replayed.validation.complete {
        say(
            FindingKind::Claim,
            "the evidence claims the run is complete, but it is not".to_owned(),
        );
    } else if evidence.validation != replayed.validation {
        // The list a report prints under "Still open" is a claim like any other.
        say(
            FindingKind::Claim,
            "the validation result in the evidence (complete or not, and what is still open) is not what the log gives".to_owned(),
        );
    }
    // Each target is taken once, in order: texts repeat across sections, and three
    // open "Connection pooling configured" items are three targets, not the first
    // one three times.
    let mut targets: Vec<Option<(String, String)>> = targets.into_iter().map(Some).collect();
    for f in &mut out {
        if f.kind == FindingKind::Incomplete {
            f.target = targets
                .iter_mut()
                .find(|t| t.as_ref().is_some_and(|(m, _)| *m == f.message))
                .and_then(Option::take)
                .map(|(_, t)| t);
        }
    }
    out
}

/// What changed between the checklist the evidence was made for and this one, from the
/// item IDs and texts the evidence carries (IDs come from texts, so a reworded item
/// shows as removed plus added unless its ID was pinned).
fn describe_changes(evidence: &Evidence, checklist: &Checklist) -> String {
    let old = positions(&evidence.items, |i| &i.id);
    let new_items = checklist.all_items();
    let new = positions(&new_items, |i| &i.id);
    let removed: Vec<&str> = evidence
        .items
        .iter()
        .filter(|i| !new.contains_key(i.id.as_str()))
        .map(|i| i.text.as_str())
        .collect();
    let added: Vec<&str> = new_items
        .iter()
        .filter(|i| !old.contains_key(i.id.as_str()))
        .map(|i| i.text.as_str())
        .collect();
    let reworded: Vec<String> = new_items
        .iter()
        .filter_map(|i| {
            old.get(i.id.as_str())
                .map(|&n| &evidence.items[n].text)
                .filter(|t| **t != i.text)
                .map(|t| format!("{t:?} -> {:?}", i.text))
        })
        .collect();
    let list = |v: &[&str]| {
        v.iter()
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !removed.is_empty() {
        parts.push(format!("removed {}", list(&removed)));
    }
    if !added.is_empty() {
        parts.push(format!("added {}", list(&added)));
    }
    if !reworded.is_empty() {
        parts.push(format!("reworded {}", reworded.join(", ")));
    }
    if parts.is_empty() {
        // Otherwise the message would leave the person searching the items.
        "; no item was added, removed or reworded, so the difference is elsewhere in the \
         file (other text, spacing and line endings count too)"
            .to_owned()
    } else {
        format!(": {}", parts.join("; "))
    }
}

/// The finding for sign-offs a task's change should have withdrawn and did not.
fn still_stood(seq: u64, signoffs: &[String], changed: &str) -> String {
    format!(
        "event {seq}: sign-offs {} still stood after {changed:?} changed; a change after signing withdraws them",
        signoffs.join(", ")
    )
}

/// An item event that leaves the state as its author had it: a note (or an N/A's
/// reason) written or edited, no state decided.
pub(crate) fn is_note_only(e: &LogEvent) -> bool {
    e.from == e.to && ItemState::parse(&e.to).is_some()
}

pub(crate) fn instant(at: &str) -> Result<time::OffsetDateTime, MergeError> {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_err(|_| MergeError::BadTimestamp(at.to_owned()))
}
