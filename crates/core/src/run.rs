//! A run in progress: the changes people make, the rules that govern them, and the
//! evidence they add up to.
//!
//! The browser client keeps a run as a set of [`Change`]s and asks a [`Session`] what
//! they mean. The rules live here rather than in the client so that the page and
//! `checkdown verify` can never disagree about what "complete" is.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::evidence::{
    Evidence, Finding, FindingKind, IdMap, ItemState, LogEvent, Orphan, OrphanKind, PositionMap,
    Problem, ProblemKind, Recorder, Run, RunState, Withdrawals, has_problems, overwrites,
    positions, validate, validate_head, verify_chain,
};
use crate::model::{Checklist, Item, ItemKind};

/// One thing a person did: set an item's state (with its note or N/A reason), or
/// typed into a field.
///
/// Stored as one flat object: `at`, `who`, `target`, then `op` (`"item"` or
/// `"field"`) and that operation's own keys (`to`, `note`, `reason`, or `value`).
/// Serde's derive writes exactly that with `#[serde(flatten)]` and an `op` tag, but
/// reads it by buffering every value first in a generic form, which costs the
/// browser client about 12 KB of code for one small type. The impls below read the
/// keys straight into place instead; a test holds them to the derived ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// RFC 3339 with offset.
    pub at: String,
    pub who: String,
    /// An item or field ID.
    pub target: String,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// The item's state, its note, and why it is N/A. Runs saved before `reason`
    /// existed carry an N/A reason as the note
    /// ([`note_and_reason`](crate::evidence::note_and_reason) reads them so).
    Item {
        to: ItemState,
        note: Option<String>,
        reason: Option<String>,
    },
    Field {
        value: String,
    },
}

impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("at", &self.at)?;
        map.serialize_entry("who", &self.who)?;
        map.serialize_entry("target", &self.target)?;
        match &self.what {
            What::Item { to, note, reason } => {
                map.serialize_entry("op", "item")?;
                map.serialize_entry("to", to)?;
                if let Some(note) = note {
                    map.serialize_entry("note", note)?;
                }
                if let Some(reason) = reason {
                    map.serialize_entry("reason", reason)?;
                }
            }
            What::Field { value } => {
                map.serialize_entry("op", "field")?;
                map.serialize_entry("value", value)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // As a struct, not a map: serde-wasm-bindgen then reads only these properties
        // of a JS object, with one code path instead of two (objects and Maps).
        const KEYS: &[&str] = &["at", "who", "target", "op", "to", "note", "reason", "value"];
        deserializer.deserialize_struct("Change", KEYS, ChangeVisitor)
    }
}

struct ChangeVisitor;

impl<'de> serde::de::Visitor<'de> for ChangeVisitor {
    type Value = Change;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a change: an object with at, who, target and op")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Change, A::Error> {
        use serde::de::{Error, IgnoredAny};
        let (mut at, mut who, mut target, mut op) = (None, None, None, None::<String>);
        let (mut to, mut value) = (None::<ItemState>, None::<String>);
        let (mut note, mut reason) = (None::<Option<String>>, None::<Option<String>>);
        // Set once; a key given twice is an error, as derived impls have it.
        fn once<T, E: Error>(slot: &mut Option<T>, v: T, key: &'static str) -> Result<(), E> {
            match slot.replace(v) {
                Some(_) => Err(E::duplicate_field(key)),
                None => Ok(()),
            }
        }
        while let Some(key) = map.next_key::<String>()? {
            // Once `op` is known, the other operation's keys are skipped whatever they
            // hold, as the derived reader skipped them. serde-wasm-bindgen (the
            // browser) always gives `op` first; read before it, a key must be well
            // formed.
            let skip = matches!(
                (op.as_deref(), key.as_str()),
                (Some("item"), "value") | (Some("field"), "to" | "note" | "reason")
            );
            match key.as_str() {
                _ if skip => {
                    map.next_value::<IgnoredAny>()?;
                }
                "at" => once(&mut at, map.next_value()?, "at")?,
                "who" => once(&mut who, map.next_value()?, "who")?,
                "target" => once(&mut target, map.next_value()?, "target")?,
                "op" => once(&mut op, map.next_value()?, "op")?,
                "to" => once(&mut to, map.next_value()?, "to")?,
                "value" => once(&mut value, map.next_value()?, "value")?,
                "note" => once(&mut note, map.next_value()?, "note")?,
                "reason" => once(&mut reason, map.next_value()?, "reason")?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let what = match op.as_deref() {
            Some("item") => What::Item {
                to: to.ok_or_else(|| A::Error::missing_field("to"))?,
                note: note.flatten(),
                reason: reason.flatten(),
            },
            Some("field") => What::Field {
                value: value.ok_or_else(|| A::Error::missing_field("value"))?,
            },
            Some(other) => return Err(A::Error::unknown_variant(other, &["item", "field"])),
            None => return Err(A::Error::missing_field("op")),
        };
        Ok(Change {
            at: at.ok_or_else(|| A::Error::missing_field("at"))?,
            who: who.ok_or_else(|| A::Error::missing_field("who"))?,
            target: target.ok_or_else(|| A::Error::missing_field("target"))?,
            what,
        })
    }
}

/// Where a run stands, as the page shows it prominently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InProgress,
    Complete,
    Signed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::InProgress => "in progress",
            Self::Complete => "complete",
            Self::Signed => "signed",
        }
    }
}

/// Counts for the progress display. N/A items leave the denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    /// Items that count: all of them minus those marked N/A.
    pub total: usize,
    pub na: usize,
    pub required_open: usize,
}

/// [`Session::tally`]: progress, and how many required items block the sign-offs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub progress: Progress,
    pub blocking: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChangeError {
    #[error("unknown item or field `{0}`")]
    Unknown(String),
    #[error("N/A needs a reason")]
    NaWithoutReason,
    /// A required approval is given or not; waiving it would let a run pass with
    /// nobody's approval.
    #[error("a required sign-off cannot be N/A: give it, or leave it open")]
    SignoffNotApplicable,
    #[error(
        "sign-off is blocked until every required item is done or N/A with a reason ({0} open)"
    )]
    SignoffBlocked(usize),
}

/// The last change to one item or field: who and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub who: String,
    pub at: String,
}

/// A checklist and a run's changes, replayed into state.
pub struct Session<'c> {
    checklist: &'c Checklist,
    changes: Vec<Change>,
    state: RunState,
    /// Who set each item's state, and when (for a field, who last wrote it).
    stamps: IdMap<Stamp>,
    /// Who last edited an item's note without changing its state, when that came
    /// after the state was set: a note added later must not read as who did the step.
    noted: IdMap<Stamp>,
    /// Every item in document order ([`Checklist::all_items`]), with its state
    /// alongside: progress and the contents counts walk these rather than look each
    /// item up by ID, which on a 10,000-item page was most of the page's start-up.
    /// `state` holds the same states by ID for the shared rules, sparsely: an item it
    /// does not list is open.
    order: Vec<&'c Item>,
    states: Vec<ItemState>,
    /// Each item's parent item's position in `order`, for nested items.
    parents: Vec<Option<usize>>,
    /// Each item's position in `order`, with the same fast fixed-seed hash as `IdMap`.
    positions: PositionMap<'c>,
    /// Changes to IDs the checklist no longer has, latest per ID: kept, never dropped.
    orphans: Vec<Change>,
    withdrawals: Withdrawals<'c>,
    /// Sign-offs still given after a field they approved was written over, and what
    /// changed: runs saved by pages that did not withdraw on a field. They must be
    /// given again, as `verify` says of such a log.
    stale: Vec<(String, String)>,
}

impl<'c> Session<'c> {
    /// Replays `changes` (in any order; they are sorted by time) over the checklist.
    pub fn new(checklist: &'c Checklist, mut changes: Vec<Change>) -> Self {
        changes.sort_by_cached_key(|c| moment(&c.at));
        let order = checklist.all_items();
        let positions = order
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id.as_str(), n))
            .collect();
        let parents = parents(&order);
        let mut session = Self {
            checklist,
            changes: Vec::new(),
            state: RunState::sparse(checklist),
            stamps: IdMap::default(),
            noted: IdMap::default(),
            states: initial_states(&order),
            parents,
            order,
            positions,
            orphans: Vec::new(),
            withdrawals: Withdrawals::new(checklist),
            stale: Vec::new(),
        };
        for change in changes {
            session.apply_state(&change);
            session.changes.push(change);
        }
        session
    }

    pub fn checklist(&self) -> &'c Checklist {
        self.checklist
    }

    /// Every change so far, oldest first (orphans included).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// `at`, or the time of the run's latest change when that is later. A change made
    /// now follows every change the person has seen; a clock behind the one that
    /// stamped an imported change (another laptop's) would otherwise log it before
    /// them, and the log replayed in time order (the export, `verify`, a merge) would
    /// put a sign-off before the ticks it approved.
    fn not_before_the_last(&self, at: &str) -> String {
        match self.changes.last() {
            Some(last) if moment(&last.at) > moment(at) => last.at.clone(),
            _ => at.to_owned(),
        }
    }

    /// Applies a change as it stands, without the rules: for changes that were already
    /// accepted elsewhere (saved earlier, made in another tab, imported).
    pub fn apply(&mut self, change: Change) {
        let when = moment(&change.at);
        let at = self.changes.partition_point(|c| moment(&c.at) <= when);
        if at == self.changes.len() {
            self.apply_state(&change);
            self.changes.push(change);
            return;
        }
        // A change from another tab that happened before the latest one here: replay
        // everything, so the state is what time order gives.
        self.changes.insert(at, change);
        self.state = RunState::sparse(self.checklist);
        self.states = initial_states(&self.order);
        self.stamps.clear();
        self.noted.clear();
        self.orphans.clear();
        self.stale.clear();
        for c in std::mem::take(&mut self.changes) {
            self.apply_state(&c);
            self.changes.push(c);
        }
    }

    fn apply_state(&mut self, change: &Change) {
        // Taken back, a sign-off is settled: given again, it signs what stands now. A
        // note on it while it stays given settles nothing.
        if matches!(change.what, What::Item { to, .. } if to != ItemState::Done)
            && !self.stale.is_empty()
        {
            self.stale.retain(|(s, _)| *s != change.target);
        }
        let overwritten = match &change.what {
            What::Field { value } => self
                .state
                .fields
                .get(&change.target)
                .is_some_and(|before| overwrites(before, value)),
            What::Item { .. } => false,
        };
        self.apply_known(change);
        if overwritten {
            let (signoffs, changed) = self.withdrawals.after(&self.state, &change.target);
            for s in signoffs {
                if !self.stale.iter().any(|(x, _)| x == s) {
                    self.stale.push((s.to_owned(), changed.clone()));
                }
            }
        }
    }

    fn apply_known(&mut self, change: &Change) {
        // An item's note edited with its state left as it was: stamped apart.
        let mut note_only = false;
        let known = match &change.what {
            What::Item { to, note, reason } => match self.positions.get(change.target.as_str()) {
                Some(&n) => {
                    note_only = !sets_state(
                        self.states[n],
                        *to,
                        self.state.reasons.get(&change.target).map(String::as_str),
                        reason.as_deref(),
                    );
                    self.states[n] = *to;
                    self.state.put_item(
                        &change.target,
                        *to,
                        given(note.as_deref()),
                        given(reason.as_deref()),
                    );
                    true
                }
                None => false,
            },
            What::Field { value } => match self.state.fields.get_mut(&change.target) {
                Some(v) => {
                    v.clone_from(value);
                    true
                }
                None => false,
            },
        };
        let stamp = Stamp {
            who: change.who.clone(),
            at: change.at.clone(),
        };
        if known && note_only {
            self.noted.insert(change.target.clone(), stamp);
        } else if known {
            self.noted.remove(&change.target);
            self.stamps.insert(change.target.clone(), stamp);
        } else {
            self.orphans.retain(|o| o.target != change.target);
            self.orphans.push(change.clone());
        }
    }

    /// The checklist's item with this ID.
    pub fn item(&self, id: &str) -> Option<&'c Item> {
        self.position(id).and_then(|n| self.order.get(n).copied())
    }

    pub fn item_state(&self, id: &str) -> ItemState {
        self.positions
            .get(id)
            .map_or(ItemState::Open, |&n| self.states[n])
    }

    /// Where an item stands in document order ([`Checklist::all_items`]).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.positions.get(id).copied()
    }

    /// Done and counted (all but N/A) among the items at `span` in document order,
    /// such as a section's from [`Checklist::section_spans`]: a contents entry's count,
    /// without looking each item up by ID.
    pub fn done_in(&self, span: std::ops::Range<usize>) -> (usize, usize) {
        let (mut done, mut counted) = (0, 0);
        let states = self.states.get(span.clone()).unwrap_or_default();
        for (n, state) in span.zip(states) {
            // What an N/A item covers counts as N/A, as in the run's own progress.
            if self.covered_at(n) {
                continue;
            }
            match state {
                ItemState::Done => (done, counted) = (done + 1, counted + 1),
                ItemState::Open => counted += 1,
                ItemState::Na => {}
            }
        }
        (done, counted)
    }

    pub fn note(&self, id: &str) -> Option<&str> {
        self.state.notes.get(id).map(String::as_str)
    }

    /// Why an N/A item is N/A.
    pub fn reason(&self, id: &str) -> Option<&str> {
        self.state.reasons.get(id).map(String::as_str)
    }

    pub fn field(&self, id: &str) -> &str {
        self.state.fields.get(id).map_or("", String::as_str)
    }

    /// Who set the item's state (or last wrote the field), and when.
    pub fn stamp(&self, id: &str) -> Option<&Stamp> {
        self.stamps.get(id)
    }

    /// Who last edited the item's note after its state was set, and when.
    pub fn noted(&self, id: &str) -> Option<&Stamp> {
        self.noted.get(id)
    }

    /// Changes for items or fields the checklist no longer has.
    pub fn orphans(&self) -> &[Change] {
        &self.orphans
    }

    /// What stands between the run and "complete": the rules `verify` applies.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = validate(self.checklist, &self.state);
        problems.extend(self.stale_problems());
        problems
    }

    /// The first `limit` problems and the total count, writing only those messages.
    pub fn problems_head(&self, limit: usize) -> (Vec<Problem>, usize) {
        let (mut head, total) = validate_head(self.checklist, &self.state, limit);
        let stale = self.stale_problems();
        let room = limit.saturating_sub(head.len());
        let extra = stale.len();
        head.extend(stale.into_iter().take(room));
        (head, total + extra)
    }

    fn stale_problems(&self) -> Vec<Problem> {
        self.stale
            .iter()
            .map(|(s, changed)| Problem {
                kind: ProblemKind::SignoffIncomplete,
                target: s.clone(),
                message: format!(
                    "sign-off {} must be given again: “{changed}” changed after it was given",
                    self.item(s).map_or(s.as_str(), crate::evidence::item_name)
                ),
            })
            .collect()
    }

    /// Required task items that are neither done nor N/A with a reason: while there are
    /// any, nobody can sign.
    pub fn blocking_signoff(&self) -> usize {
        self.tally().blocking
    }

    pub fn progress(&self) -> Progress {
        self.tally().progress
    }

    /// A parent item's aggregate: the progress of everything nested under it, at any
    /// depth, counted as the run's progress is (N/A items, and what they cover, leave
    /// the total). The parent's own state is its own and is not part of it.
    pub fn aggregate(&self, parent: &Item) -> Progress {
        fn walk(session: &Session<'_>, items: &[Item], covered: bool, p: &mut Progress) {
            for item in items {
                let state = session.item_state(&item.id);
                match state {
                    _ if covered => p.na += 1,
                    ItemState::Done => p.done += 1,
                    ItemState::Na => p.na += 1,
                    ItemState::Open if item.required => p.required_open += 1,
                    ItemState::Open => {}
                }
                p.total += 1;
                walk(
                    session,
                    &item.children,
                    covered || state == ItemState::Na,
                    p,
                );
            }
        }
        let mut p = Progress::default();
        let covered =
            self.covering(&parent.id).is_some() || self.item_state(&parent.id) == ItemState::Na;
        walk(self, &parent.children, covered, &mut p);
        p.total -= p.na;
        p
    }

    /// The item marked N/A that an item is nested in, nearest first: what does not
    /// apply does not apply with its steps, so they count as N/A with it.
    pub fn covering(&self, id: &str) -> Option<&'c Item> {
        self.covering_at(*self.positions.get(id)?)
            .map(|parent| self.order[parent])
    }

    /// [`Session::covering`] by position in document order.
    fn covering_at(&self, mut at: usize) -> Option<usize> {
        if !self.order.get(at)?.coverable() {
            return None;
        }
        while let Some(parent) = self.parents.get(at).copied().flatten() {
            if self.states[parent] == ItemState::Na {
                return Some(parent);
            }
            at = parent;
        }
        None
    }

    fn covered_at(&self, at: usize) -> bool {
        self.covering_at(at).is_some()
    }

    /// Progress and the sign-off blockers in one pass over the items: the page needs
    /// both after every tick.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        // Parents come before their items in `order`, so one pass settles each.
        let mut covered = vec![false; self.order.len()];
        for (n, (item, &state)) in self.order.iter().zip(&self.states).enumerate() {
            if let Some(parent) = self.parents[n] {
                covered[n] =
                    (covered[parent] || self.states[parent] == ItemState::Na) && item.coverable();
            }
            if covered[n] {
                t.progress.na += 1;
                continue;
            }
            match state {
                ItemState::Done => t.progress.done += 1,
                ItemState::Na => t.progress.na += 1,
                ItemState::Open if item.required => t.progress.required_open += 1,
                ItemState::Open => {}
            }
            if item.kind == ItemKind::Task && item.required {
                t.blocking += usize::from(match state {
                    ItemState::Done => false,
                    ItemState::Na => self.reason(&item.id).is_none(),
                    ItemState::Open => true,
                });
            }
        }
        t.progress.total = self.order.len() - t.progress.na;
        t
    }

    pub fn status(&self) -> Status {
        if !self.stale.is_empty() || has_problems(self.checklist, &self.state) {
            return Status::InProgress;
        }
        let mut signoffs = self
            .order
            .iter()
            .zip(&self.states)
            .filter(|(i, _)| i.kind == ItemKind::Signoff)
            .peekable();
        if signoffs.peek().is_some() && signoffs.all(|(_, s)| *s == ItemState::Done) {
            Status::Signed
        } else {
            Status::Complete
        }
    }

    /// Sets an item's state under the rules. Returns every change made: changing a task
    /// item after sign-offs were given also withdraws them, because they approved a
    /// different state of the run.
    pub fn set_item(
        &mut self,
        at: &str,
        who: &str,
        id: &str,
        to: ItemState,
        note: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Vec<Change>, ChangeError> {
        let at = &self.not_before_the_last(at);
        let item = self
            .position(id)
            .map(|n| self.order[n])
            .ok_or_else(|| ChangeError::Unknown(id.to_owned()))?;
        let (note, reason) = (given(note), given(reason).filter(|_| to == ItemState::Na));
        // Signing again answers the withdrawal; its explanation does not carry over,
        // the note the sign-off had before it does.
        let note = note.and_then(|n| {
            if item.kind == ItemKind::Signoff && to == ItemState::Done && is_withdrawal(n) {
                kept_note(n)
            } else {
                Some(n)
            }
        });
        // (One an older page recorded may still have its note edited.)
        if to == ItemState::Na
            && item.kind == ItemKind::Signoff
            && item.required
            && self.item_state(id) != ItemState::Na
        {
            return Err(ChangeError::SignoffNotApplicable);
        }
        if to == ItemState::Na && reason.is_none() {
            return Err(ChangeError::NaWithoutReason);
        }
        if item.kind == ItemKind::Signoff && to == ItemState::Done {
            let blocking = self.blocking_signoff();
            if blocking > 0 {
                return Err(ChangeError::SignoffBlocked(blocking));
            }
        }
        let state_changes = self.item_state(id) != to;
        let mut made = if item.kind == ItemKind::Task && state_changes {
            self.withdraw(at, who, id)
        } else {
            Vec::new()
        };
        made.insert(
            0,
            Change {
                at: at.to_owned(),
                who: who.to_owned(),
                target: id.to_owned(),
                what: What::Item {
                    to,
                    note: note.map(str::to_owned),
                    reason: reason.map(str::to_owned),
                },
            },
        );
        for c in &made {
            self.apply(c.clone());
        }
        Ok(made)
    }

    /// Sets a field's value. Returns every change made: a new value after sign-offs
    /// were given withdraws them, as a task's change does (see [`Withdrawals`]).
    pub fn set_field(
        &mut self,
        at: &str,
        who: &str,
        id: &str,
        value: &str,
    ) -> Result<Vec<Change>, ChangeError> {
        let at = &self.not_before_the_last(at);
        if !self.state.fields.contains_key(id) {
            return Err(ChangeError::Unknown(id.to_owned()));
        }
        let withdrawn = if overwrites(self.field(id), value) {
            self.withdraw(at, who, id)
        } else {
            Vec::new()
        };
        let mut made = vec![Change {
            at: at.to_owned(),
            who: who.to_owned(),
            target: id.to_owned(),
            what: What::Field {
                value: value.to_owned(),
            },
        }];
        made.extend(withdrawn);
        for c in &made {
            self.apply(c.clone());
        }
        Ok(made)
    }

    /// Takes back each sign-off given on an earlier version of the checklist whose own
    /// line this version words otherwise (`Eng Lead: ____` became `Eng Lead: ____
    /// Date: ____`): what was signed is not what this version asks to sign, and
    /// someone else could otherwise fill in the rest under the old signature. So is
    /// every sign-off, when this version has a required task still open that the
    /// earlier one did not (added, or reworded into another ID): it was not there to
    /// be signed for, and the run would read as signed with work left.
    /// `then` is the earlier version's items with their texts (a run's outline; empty
    /// when none was kept, which tells nothing of what was added). Returns the changes
    /// made, already applied.
    ///
    /// Each withdrawal is dated at the signature it takes back, not when it was noticed:
    /// it says that signature never held for this version. Dated later, it would
    /// outrank the sign-off given again on this version when two people's files merge
    /// (the later change wins), and two pages noticing it would log it twice apart.
    /// A sign-off ticked in the Markdown itself (`[x]`), with no signing logged, stays.
    pub fn withdraw_reworded(&mut self, then: &[(String, String)], who: &str) -> Vec<Change> {
        let old = positions(then, |(id, _)| id);
        let added = self
            .order
            .iter()
            .zip(&self.states)
            .find(|(item, state)| {
                !then.is_empty()
                    && item.kind == ItemKind::Task
                    && item.required
                    && **state == ItemState::Open
                    && !old.contains_key(item.id.as_str())
                    && self.covering(&item.id).is_none()
            })
            .map(|(item, _)| *item);
        let withdrawn: Vec<(&'c Item, &'c str, String)> = self
            .order
            .iter()
            .zip(&self.states)
            .filter(|(item, state)| item.kind == ItemKind::Signoff && **state == ItemState::Done)
            .filter_map(|(item, _)| {
                let reworded = old
                    .get(item.id.as_str())
                    .is_some_and(|&n| then[n].1 != item.text);
                let changed = if reworded {
                    item.text.as_str()
                } else {
                    added?.text.as_str()
                };
                Some((*item, changed, self.stamps.get(&item.id)?.at.clone()))
            })
            .collect();
        let made: Vec<Change> = withdrawn
            .into_iter()
            .map(|(item, changed, at)| Change {
                at,
                who: who.to_owned(),
                target: item.id.clone(),
                what: What::Item {
                    to: ItemState::Open,
                    note: Some(edited_withdrawal_note(
                        changed,
                        self.state.notes.get(&item.id).map(String::as_str),
                    )),
                    reason: None,
                },
            })
            .collect();
        for c in &made {
            self.apply(c.clone());
        }
        made
    }

    /// The withdrawals a change to `target` brings, not yet applied.
    fn withdraw(&self, at: &str, who: &str, target: &str) -> Vec<Change> {
        let (signoffs, changed) = self.withdrawals.after(&self.state, target);
        signoffs
            .into_iter()
            .map(|s| Change {
                at: at.to_owned(),
                who: who.to_owned(),
                target: s.to_owned(),
                what: What::Item {
                    to: ItemState::Open,
                    note: Some(withdrawal_note(
                        &changed,
                        self.state.notes.get(s).map(String::as_str),
                    )),
                    reason: None,
                },
            })
            .collect()
    }

    /// The run as evidence: its changes replayed through a [`Recorder`], so the event log
    /// and hash chain are exactly what `checkdown verify` checks. Changes for items or
    /// fields this checklist version no longer has are not part of it: they go into
    /// the file's `orphans`, so exporting and importing the run keeps them.
    pub fn evidence(&self, run: Run) -> Evidence {
        let mut recorder = Recorder::new(self.checklist, run);
        let mut orphans = Vec::new();
        for c in &self.changes {
            if !self.knows(c) {
                orphans.push(orphan_record(c));
                continue;
            }
            let _ = match &c.what {
                What::Item { to, note, reason } => recorder.set_item(
                    &c.at,
                    &c.who,
                    &c.target,
                    *to,
                    note.as_deref(),
                    reason.as_deref(),
                ),
                What::Field { value } => recorder.set_field(&c.at, &c.who, &c.target, value),
            };
        }
        let completed = match self.status() {
            Status::InProgress => None,
            _ => self.changes.last().map(|c| c.at.as_str()),
        };
        let mut evidence = recorder.finish(completed);
        evidence.orphans = orphans;
        evidence
    }

    /// Whether the change is for an item or field of this checklist (else an orphan).
    fn knows(&self, change: &Change) -> bool {
        match change.what {
            What::Item { .. } => self.positions.contains_key(change.target.as_str()),
            What::Field { .. } => self.state.fields.contains_key(&change.target),
        }
    }
}

fn orphan_record(c: &Change) -> Orphan {
    let (kind, to, note, reason) = match &c.what {
        What::Item { to, note, reason } => (
            OrphanKind::Item,
            to.as_str().to_owned(),
            note.clone(),
            reason.clone(),
        ),
        What::Field { value } => (OrphanKind::Field, value.clone(), None, None),
    };
    Orphan {
        at: c.at.clone(),
        who: c.who.clone(),
        id: c.target.clone(),
        kind,
        to,
        note,
        reason,
    }
}

/// The orphans of an evidence file as changes, to keep in a restored or merged run.
/// One that names an item or field this checklist has is not an orphan: it would
/// change the run outside the hash chain, and is left out (`verify` reports it).
fn changes_from_orphans<'a>(
    orphans: &'a [Orphan],
    checklist: &'a Checklist,
) -> impl Iterator<Item = Change> + 'a {
    let state = RunState::initial(checklist);
    orphans.iter().filter_map(move |o| {
        if state.items.contains_key(&o.id) || state.fields.contains_key(&o.id) {
            return None;
        }
        let what = match o.kind {
            OrphanKind::Item => What::Item {
                to: ItemState::parse(&o.to)?,
                note: o.note.clone(),
                reason: o.reason.clone(),
            },
            OrphanKind::Field => What::Field {
                value: o.to.clone(),
            },
        };
        Some(Change {
            at: o.at.clone(),
            who: o.who.clone(),
            target: o.id.clone(),
            what,
        })
    })
}

/// The changes an evidence file's event log records, to restore or merge a run.
pub fn changes_from_events(events: &[LogEvent], items: &IdMap<ItemState>) -> Vec<Change> {
    events
        .iter()
        .map(|e| {
            let what = match (items.contains_key(&e.item), ItemState::parse(&e.to)) {
                (true, Some(to)) => What::Item {
                    to,
                    note: e.note.clone(),
                    reason: e.reason.clone(),
                },
                _ => What::Field {
                    value: e.to.clone(),
                },
            };
            Change {
                at: e.at.clone(),
                who: e.who.clone(),
                target: e.item.clone(),
                what,
            }
        })
        .collect()
}

/// The changes in `evidence`, read against `checklist` (which tells items from fields),
/// its orphans included.
pub fn changes_from_evidence(evidence: &Evidence, checklist: &Checklist) -> Vec<Change> {
    let mut changes = changes_from_events(&evidence.events, &RunState::initial(checklist).items);
    changes.extend(changes_from_orphans(&evidence.orphans, checklist));
    changes
}

/// A run's evidence from another version of the checklist (its Markdown changed since
/// the file was exported), read as changes to this version.
pub struct Rebased {
    /// Every change the file's log and orphans record. Those on items and fields this
    /// version no longer has stay in, and a [`Session`] keeps them as orphans: the page
    /// treats the run as one of its own that it carried across the change.
    pub changes: Vec<Change>,
    /// The items of the version the file was made on, with their texts, in its order:
    /// what the page compares with this version to say what was added, removed or
    /// reworded, and to name orphans as people knew them.
    pub outline: Vec<(String, String)>,
    run: Run,
    subject: Option<crate::evidence::Subject>,
}

impl Rebased {
    /// Takes back the sign-offs whose own line this version words otherwise than the
    /// file's version did (see [`Session::withdraw_reworded`]), as changes by `who`,
    /// the one importing. Returns the sign-offs' names.
    pub fn withdraw_reworded(&mut self, checklist: &Checklist, who: &str) -> Vec<String> {
        let mut session = Session::new(checklist, self.changes.clone());
        let made = session.withdraw_reworded(&self.outline, who);
        let names = made
            .iter()
            .filter_map(|c| session.item(&c.target))
            .map(|i| crate::evidence::item_name(i).to_owned())
            .collect();
        self.changes.extend(made);
        names
    }

    /// The run as evidence for this version: the same run and subject, its changes
    /// logged anew on a fresh hash chain, with orphans for what this version lacks.
    /// That is what merging it with this version's evidence, or exporting it, takes.
    pub fn evidence(&self, checklist: &Checklist) -> Evidence {
        let mut evidence = Session::new(checklist, self.changes.clone()).evidence(self.run.clone());
        evidence.set_subject(self.subject.clone());
        evidence
    }
}

/// Reads evidence made on another version of `checklist`.
///
/// The other version's rules cannot be replayed without its Markdown, so only what the
/// file says of itself is checked: its hash chain and times, and that every event
/// names an item or field that the file or this version has, with a state an item can
/// take. What the file claims beyond its log (final states, validation) is not used:
/// the changes are taken from the log alone. Empty findings are never returned.
pub fn rebase(evidence: &Evidence, checklist: &Checklist) -> Result<Rebased, Vec<Finding>> {
    let mut findings = Vec::new();
    if evidence.checklist.id != checklist.id {
        findings.push(Finding {
            kind: FindingKind::Checklist,
            message: format!(
                "evidence is for checklist `{}`, not `{}`",
                evidence.checklist.id, checklist.id
            ),
            target: None,
        });
        return Err(findings);
    }
    findings.extend(verify_chain(evidence));
    let now = RunState::initial(checklist);
    let then_items = positions(&evidence.items, |i| &i.id);
    let then_fields = positions(&evidence.fields, |f| &f.id);
    let mut changes = Vec::with_capacity(evidence.events.len() + evidence.orphans.len());
    for e in &evidence.events {
        // This version decides what an ID is; the file's own records, only for what
        // this version no longer has.
        let item = if now.items.contains_key(&e.item) {
            true
        } else if now.fields.contains_key(&e.item) {
            false
        } else if then_items.contains_key(e.item.as_str()) {
            true
        } else if then_fields.contains_key(e.item.as_str()) {
            false
        } else {
            findings.push(Finding {
                kind: FindingKind::Log,
                message: format!("event {}: unknown item or field `{}`", e.seq, e.item),
                target: None,
            });
            continue;
        };
        let what = if item {
            let Some(to) = ItemState::parse(&e.to) else {
                findings.push(Finding {
                    kind: FindingKind::Log,
                    message: format!("event {}: `{}` is not a state", e.seq, e.to),
                    target: None,
                });
                continue;
            };
            What::Item {
                to,
                note: e.note.clone(),
                reason: e.reason.clone(),
            }
        } else {
            What::Field {
                value: e.to.clone(),
            }
        };
        changes.push(Change {
            at: e.at.clone(),
            who: e.who.clone(),
            target: e.item.clone(),
            what,
        });
    }
    // The file's own orphans may name items this version has again: their progress
    // is that item's now, as it would be for a run carried across in the page.
    // Orphans stand outside the log, so their order against its events is lost where
    // the times are equal (a tick and the sign-offs in one second). They go first:
    // sign-offs are given once the items are done, so a tick in the same second as
    // a sign-off came before it, and read after it would have needed withdrawing it.
    let mut orphaned = Vec::with_capacity(evidence.orphans.len());
    for o in &evidence.orphans {
        // As `verify` holds a file to on its own version: an orphan there is progress
        // on what that version lacked. One naming an item the file itself lists
        // would put a change outside the chain into the rebuilt log.
        if then_items.contains_key(o.id.as_str()) || then_fields.contains_key(o.id.as_str()) {
            findings.push(Finding {
                kind: FindingKind::Log,
                message: format!(
                    "orphan `{}` names an item or field of the file's own version: its progress belongs in the event log",
                    o.id
                ), target: None
            });
            continue;
        }
        let what = match (o.kind, ItemState::parse(&o.to)) {
            (OrphanKind::Item, Some(to)) => What::Item {
                to,
                note: o.note.clone(),
                reason: o.reason.clone(),
            },
            (OrphanKind::Item, None) => {
                findings.push(Finding {
                    kind: FindingKind::Log,
                    message: format!(
                        "orphan `{}` is an item whose state is not `open`, `done` or `na`",
                        o.id
                    ),
                    target: None,
                });
                continue;
            }
            (OrphanKind::Field, _) => What::Field {
                value: o.to.clone(),
            },
        };
        if moment(&o.at).0.is_none() {
            findings.push(Finding {
                kind: FindingKind::Log,
                message: format!(
                    "orphan `{}` has a time that is not RFC 3339 with its offset",
                    o.id
                ),
                target: None,
            });
            continue;
        }
        orphaned.push(Change {
            at: o.at.clone(),
            who: o.who.clone(),
            target: o.id.clone(),
            what,
        });
    }
    orphaned.append(&mut changes);
    let changes = orphaned;
    if !findings.is_empty() {
        return Err(findings);
    }
    let outline = evidence
        .items
        .iter()
        .map(|i| (i.id.clone(), i.text.clone()))
        .collect();
    Ok(Rebased {
        changes,
        outline,
        run: evidence.run.clone(),
        subject: evidence.subject.clone(),
    })
}

/// For each item of `order` (every item, depth first), where its parent item is.
fn parents(order: &[&Item]) -> Vec<Option<usize>> {
    let mut parents = vec![None; order.len()];
    for (n, item) in order.iter().enumerate() {
        // Depth first: an item's children follow it, each after the whole of the one
        // before.
        let mut child = n + 1;
        for c in &item.children {
            if let Some(slot) = parents.get_mut(child) {
                *slot = Some(n);
            }
            child += 1 + descendants(c);
        }
    }
    parents
}

fn descendants(item: &Item) -> usize {
    item.children.iter().map(|c| 1 + descendants(c)).sum()
}

/// Every item as the source ticks it, in the order given.
fn initial_states(order: &[&Item]) -> Vec<ItemState> {
    order
        .iter()
        .map(|i| {
            if i.checked {
                ItemState::Done
            } else {
                ItemState::Open
            }
        })
        .collect()
}

/// The note a sign-off withdrawn by a later change carries: `withdrawn: "<item>"
/// changed after signing`.
const WITHDRAWN: &str = "withdrawn: ";
const WITHDRAWN_END: &str = " changed after signing";

/// The note of a sign-off taken back because the checklist itself was edited after it
/// was given (`withdraw_reworded`): nobody changed the run, and the note says so, as
/// the person whose page noticed it is logged as making the change.
const WITHDRAWN_EDITED_END: &str = " changed in the checklist after signing";

/// The note of a sign-off a merge withdrew because its signer had not seen a change
/// the other file holds: `withdrawn: "<item>" changed in a file the signer had not seen`.
const WITHDRAWN_UNSEEN_END: &str = " changed in a file the signer had not seen";

/// Between a withdrawal's explanation and the note the sign-off had before it.
const KEPT: &str = "\n\n";

/// The note on a sign-off withdrawn because `changed` (an item's text) changed. The
/// note it carried (`kept`: "Approved in CAB #42") stays after the explanation, and
/// comes back when the sign-off is given again: it is what an auditor looks for.
pub(crate) fn withdrawal_note(changed: &str, kept: Option<&str>) -> String {
    explained(WITHDRAWN_END, changed, kept)
}

/// The note on a sign-off withdrawn because the checklist's `changed` item was
/// reworded or added after it was given; `kept` as for any withdrawal.
pub(crate) fn edited_withdrawal_note(changed: &str, kept: Option<&str>) -> String {
    explained(WITHDRAWN_EDITED_END, changed, kept)
}

/// The note on a sign-off a merge withdrew because `changed` (an item's text, a
/// field's label) changed in the other file, which its signer had not seen; the note
/// given with it (`kept`) stays after the explanation, as for any withdrawal.
pub(crate) fn unseen_withdrawal_note(changed: &str, kept: Option<&str>) -> String {
    explained(WITHDRAWN_UNSEEN_END, changed, kept)
}

fn explained(end: &str, changed: &str, kept: Option<&str>) -> String {
    let mut note = format!("{WITHDRAWN}\"{changed}\"{end}");
    if let Some(kept) = given(kept).map(|k| kept_note(k).unwrap_or(k)) {
        note.push_str(KEPT);
        note.push_str(kept);
    }
    note
}

/// How a withdrawal's note says its subject changed, in the words the page and the
/// reports use: after the sign-off was given, or (a merge of two files) where its
/// signer had not seen it.
pub fn withdrawal_words(note: &str) -> &'static str {
    let explanation = note.split_once(KEPT).map_or(note, |(first, _)| first);
    if explanation.ends_with(WITHDRAWN_UNSEEN_END) {
        "changed in a file the signer had not seen"
    } else if explanation.ends_with(WITHDRAWN_EDITED_END) {
        "changed in the checklist after it was given"
    } else {
        "changed after it was given"
    }
}

/// The note a person wrote, from a withdrawal's note that kept one.
pub fn kept_note(note: &str) -> Option<&str> {
    withdrawal_subject(note)?;
    note.split_once(KEPT).map(|(_, kept)| kept)
}

/// Whether a note is the explanation a withdrawal wrote, not one a person typed.
fn is_withdrawal(note: &str) -> bool {
    withdrawal_subject(note).is_some()
}

/// What a withdrawal's note says changed (an item's text, a field's label); none for
/// a note a person typed.
pub fn withdrawal_subject(note: &str) -> Option<&str> {
    let explanation = note.split_once(KEPT).map_or(note, |(first, _)| first);
    explanation
        .strip_prefix(WITHDRAWN)
        .and_then(|rest| {
            rest.strip_suffix(WITHDRAWN_END)
                .or_else(|| rest.strip_suffix(WITHDRAWN_UNSEEN_END))
                .or_else(|| rest.strip_suffix(WITHDRAWN_EDITED_END))
        })
        .filter(|quoted| quoted.len() >= 2 && quoted.starts_with('"') && quoted.ends_with('"'))
        .map(|quoted| &quoted[1..quoted.len() - 1])
}

/// Whether an item change sets its state (who did the step), rather than only edit
/// its note: the state moves, or an N/A is given a new reason. The page's stamps and
/// the Markdown report read who did what by it.
pub fn sets_state(
    before: ItemState,
    to: ItemState,
    reason_before: Option<&str>,
    reason: Option<&str>,
) -> bool {
    before != to || (to == ItemState::Na && given(reason) != given(reason_before))
}

/// Text someone typed, trimmed; none if it is blank.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// When a change happened, for ordering: people in different time zones write different
/// offsets, so the text alone does not sort. Unparseable stamps sort first, by text.
pub fn moment(at: &str) -> (Option<time::OffsetDateTime>, String) {
    let parsed =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok();
    (parsed, at.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::verify;
    use crate::parse_str;

    const SRC: &str = "# Deploy\n\n**Deployed By**: ____\n\n## Steps\n\n- [ ] Backup\n- [ ] Restore test (if applicable)\n\n## Sign-Off\n\n- [ ] QA Lead: ____ Date: ____\n";

    fn checklist() -> Checklist {
        parse_str("deploy", SRC).checklist.unwrap()
    }

    /// Ann setting an item's state, as the page records it.
    fn anns(
        at: &str,
        target: &str,
        to: ItemState,
        note: Option<&str>,
        reason: Option<&str>,
    ) -> Change {
        Change {
            at: at.into(),
            who: "ann".into(),
            target: target.into(),
            what: What::Item {
                to,
                note: note.map(Into::into),
                reason: reason.map(Into::into),
            },
        }
    }

    /// Whether a finding of `kind` says `text`.
    fn found(findings: &[crate::evidence::Finding], kind: FindingKind, text: &str) -> bool {
        findings
            .iter()
            .any(|f| f.kind == kind && f.message.contains(text))
    }

    fn run() -> Run {
        Run {
            id: "r1".into(),
            name: "v1 prod".into(),
            started: "2026-11-23T10:00:00+00:00".into(),
            completed: None,
        }
    }

    const T1: &str = "2026-11-23T10:01:00+00:00";

    #[test]
    fn a_clock_behind_an_imported_change_logs_after_it_and_the_export_verifies() {
        let c = checklist();
        // Ann's file, made on a laptop whose clock is right: everything but the sign-off.
        let mut ann = Session::new(&c, Vec::new());
        ann.set_item(T3, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        ann.set_item(
            T3,
            "ann",
            "steps.restore-test-if-applicable",
            ItemState::Na,
            None,
            Some("no restore env"),
        )
        .unwrap();
        ann.set_field(T3, "ann", "field.deployed-by", "Ann")
            .unwrap();
        // Dave imports it; his clock runs two minutes behind when he signs.
        let mut dave = Session::new(&c, changes_from_evidence(&ann.evidence(run()), &c));
        dave.set_field(T1, "dave", "sign-off.qa-lead.name", "Dave")
            .unwrap();
        dave.set_field(T1, "dave", "sign-off.qa-lead.date", "2026-11-23")
            .unwrap();
        dave.set_item(T1, "dave", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        assert_eq!(dave.status(), Status::Signed);
        assert!(
            dave.changes().iter().all(|ch| ch.at == T3),
            "never before what he saw"
        );
        let ev = dave.evidence(run());
        assert_eq!(
            verify(&ev, &c, None),
            vec![],
            "the gate accepts what the page shows"
        );
    }

    #[test]
    fn problem_head_is_the_start_of_the_full_list_and_counts_it() {
        let c = checklist();
        let mut s = Session::new(&c, Vec::new());
        let all = s.problems();
        assert!(all.len() >= 3, "{all:?}");
        let (head, total) = s.problems_head(2);
        assert_eq!(head, all[..2]);
        assert_eq!(total, all.len());
        assert_eq!(s.status(), Status::InProgress);
        s.set_item(T1, "ana", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        assert_eq!(s.problems_head(0).1, all.len() - 1);
    }
    const T2: &str = "2026-11-23T10:02:00+00:00";
    const T3: &str = "2026-11-23T10:03:00+00:00";

    // Marking every sign-off N/A made a run complete, and its evidence verify, with
    // nobody's approval.
    #[test]
    fn a_required_signoff_cannot_be_na_and_an_optional_one_can() {
        let src = "# R\n## Steps\n- [ ] Deploy\n## Sign-off\n- [ ] QA Lead: ____\n- [ ] CAB (if applicable): ____\n";
        let c = parse_str("r", src).checklist.unwrap();
        let mut s = Session::new(&c, vec![]);
        s.set_item(T1, "ann", "steps.deploy", ItemState::Done, None, None)
            .unwrap();
        let err = s.set_item(
            T1,
            "ann",
            "sign-off.qa-lead",
            ItemState::Na,
            None,
            Some("n/a"),
        );
        assert_eq!(err, Err(ChangeError::SignoffNotApplicable));
        assert_eq!(s.item_state("sign-off.qa-lead"), ItemState::Open);
        s.set_item(
            T2,
            "ann",
            "sign-off.cab-if-applicable",
            ItemState::Na,
            None,
            Some("minor"),
        )
        .unwrap();
        assert_eq!(s.status(), Status::InProgress, "the QA Lead has not signed");
    }

    // Bo adding a note to the step Ann did must not make him the one who did it.
    #[test]
    fn a_note_added_later_is_stamped_apart_from_who_set_the_state() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        s.set_item(
            T2,
            "bo",
            "steps.backup",
            ItemState::Done,
            Some("took 12 min"),
            None,
        )
        .unwrap();
        assert_eq!(s.stamp("steps.backup").map(|x| x.who.as_str()), Some("ann"));
        assert_eq!(s.noted("steps.backup").map(|x| x.who.as_str()), Some("bo"));
        s.set_item(T3, "bo", "steps.backup", ItemState::Open, None, None)
            .unwrap();
        assert_eq!(s.stamp("steps.backup").map(|x| x.who.as_str()), Some("bo"));
        assert_eq!(s.noted("steps.backup"), None);
    }

    // "Approved in CAB #42" on the QA Lead's sign-off: withdrawn by a later change,
    // it stays after the explanation, and is the note again once signed again.
    #[test]
    fn a_signoffs_note_outlives_its_withdrawal_and_comes_back_when_signed_again() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        s.set_field(T1, "bo", "sign-off.qa-lead.name", "Bo")
            .unwrap();
        s.set_field(T1, "bo", "sign-off.qa-lead.date", "2026-11-23")
            .unwrap();
        let cab = "Approved in CAB #42";
        s.set_item(
            T2,
            "bo",
            "sign-off.qa-lead",
            ItemState::Done,
            Some(cab),
            None,
        )
        .unwrap();
        s.set_item(T3, "ann", "steps.backup", ItemState::Open, None, None)
            .unwrap();
        let note = s.note("sign-off.qa-lead").unwrap().to_owned();
        assert_eq!(withdrawal_subject(&note), Some("Backup"));
        assert_eq!(kept_note(&note), Some(cab));
        s.set_item(T3, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        // Signed again as the page does, with the note the item holds.
        s.set_item(
            T3,
            "bo",
            "sign-off.qa-lead",
            ItemState::Done,
            Some(&note),
            None,
        )
        .unwrap();
        assert_eq!(s.note("sign-off.qa-lead"), Some(cab));
    }

    // Marking its parent N/A must not waive a required sign-off nested in it.
    #[test]
    fn a_required_signoff_is_not_waived_with_its_parent() {
        let src =
            "# R\n## Steps\n- [ ] Migrate\n  - [ ] Copy the data\n  - [ ] Owner: ____ {signoff}\n";
        let c = parse_str("r", src).checklist.unwrap();
        let mut s = Session::new(&c, vec![]);
        s.set_item(
            T1,
            "ann",
            "steps.migrate",
            ItemState::Na,
            None,
            Some("no data"),
        )
        .unwrap();
        assert!(s.covering("steps.migrate.copy-the-data").is_some());
        assert!(s.covering("steps.migrate.owner").is_none());
        assert_eq!(s.status(), Status::InProgress);
        let problems = s.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].target, "steps.migrate.owner");
    }

    #[test]
    fn na_without_a_reason_is_refused() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        let err = s.set_item(T1, "ann", "steps.backup", ItemState::Na, None, Some("  "));
        assert_eq!(err, Err(ChangeError::NaWithoutReason));
        assert_eq!(s.item_state("steps.backup"), ItemState::Open);
    }

    fn mark_na(s: &mut Session<'_>, id: &str, reason: &str) {
        s.set_item(T1, "ann", id, ItemState::Na, None, Some(reason))
            .unwrap();
    }

    #[test]
    fn signoff_is_blocked_until_required_items_are_done_or_na_with_reason() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        assert_eq!(
            s.set_item(T1, "ann", "sign-off.qa-lead", ItemState::Done, None, None),
            Err(ChangeError::SignoffBlocked(1))
        );
        mark_na(&mut s, "steps.backup", "no data");
        assert_eq!(s.blocking_signoff(), 0);
        s.set_item(T2, "ann", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        assert_eq!(s.item_state("sign-off.qa-lead"), ItemState::Done);
    }

    #[test]
    fn changing_an_item_after_signing_withdraws_the_signoff() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        s.set_item(T2, "ann", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        let made = s
            .set_item(T3, "bob", "steps.backup", ItemState::Open, None, None)
            .unwrap();
        assert_eq!(made.len(), 2);
        assert_eq!(s.item_state("sign-off.qa-lead"), ItemState::Open);
        assert!(s.note("sign-off.qa-lead").unwrap().contains("Backup"));
        // Signing again (the page passes the item's note along) drops the explanation.
        let kept = s.note("sign-off.qa-lead").map(str::to_owned);
        s.set_item(T3, "bob", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        s.set_item(
            T3,
            "bob",
            "sign-off.qa-lead",
            ItemState::Done,
            kept.as_deref(),
            None,
        )
        .unwrap();
        assert_eq!(s.note("sign-off.qa-lead"), None);
    }

    #[test]
    fn a_new_name_on_a_given_signoff_withdraws_that_signoff_only() {
        let c = parse_str(
            "deploy",
            "# D\n\n**Version**: ____\n\n- [ ] Backup\n\n## Sign-Off\n\n- [ ] QA Lead: ____\n- [ ] Ops Lead: ____\n",
        )
        .checklist
        .unwrap();
        let mut s = Session::new(&c, vec![]);
        s.set_item(T1, "ann", "backup", ItemState::Done, None, None)
            .unwrap();
        s.set_field(T1, "ann", "field.version", "2.4.0").unwrap();
        for (signoff, name) in [("sign-off.qa-lead", "Ann"), ("sign-off.ops-lead", "Bob")] {
            s.set_field(T1, name, &format!("{signoff}.name"), name)
                .unwrap();
            s.set_item(T2, name, signoff, ItemState::Done, None, None)
                .unwrap();
        }
        // The same name again is no change, nor is a space after it.
        let made = s
            .set_field(T3, "eve", "sign-off.qa-lead.name", "Ann ")
            .unwrap();
        assert_eq!(made.len(), 1);
        let made = s
            .set_field(T3, "eve", "sign-off.qa-lead.name", "Eve")
            .unwrap();
        assert_eq!(made.len(), 2, "{made:?}");
        assert_eq!(s.item_state("sign-off.qa-lead"), ItemState::Open);
        assert_eq!(
            s.note("sign-off.qa-lead"),
            Some("withdrawn: \"QA Lead Name\" changed after signing")
        );
        assert_eq!(
            s.item_state("sign-off.ops-lead"),
            ItemState::Done,
            "another's name is not this one's"
        );
        // A run field is part of what was approved: every sign-off given is taken back.
        let made = s.set_field(T3, "eve", "field.version", "2.4.1").unwrap();
        assert_eq!(made.len(), 2);
        assert_eq!(s.item_state("sign-off.ops-lead"), ItemState::Open);
        // A name left empty at signing, filled in after: that completes the signature.
        s.set_field(T3, "bob", "sign-off.ops-lead.name", "")
            .unwrap();
        s.set_item(T3, "bob", "sign-off.ops-lead", ItemState::Done, None, None)
            .unwrap();
        let made = s
            .set_field(T3, "bob", "sign-off.ops-lead.name", "Bob")
            .unwrap();
        assert_eq!(made.len(), 1, "{made:?}");
        assert_eq!(s.item_state("sign-off.ops-lead"), ItemState::Done);
        let evidence = s.evidence(run());
        assert_eq!(
            crate::evidence::verify(&evidence, &c, None)
                .iter()
                .filter(|f| f.kind != crate::evidence::FindingKind::Incomplete)
                .count(),
            0
        );
    }

    #[test]
    fn a_run_saved_without_a_fields_withdrawal_must_be_signed_again() {
        let c = checklist();
        let field = |at: &str, id: &str, value: &str| Change {
            at: at.to_owned(),
            who: "ann".to_owned(),
            target: id.to_owned(),
            what: What::Field {
                value: value.to_owned(),
            },
        };
        let mut s = Session::new(&c, vec![]);
        s.set_field(T1, "ann", "field.deployed-by", "Ann").unwrap();
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        s.set_field(T1, "ann", "sign-off.qa-lead.name", "Ann")
            .unwrap();
        s.set_field(T1, "ann", "sign-off.qa-lead.date", "2026-11-23")
            .unwrap();
        s.set_item(T2, "ann", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        assert_eq!(s.status(), Status::Signed);
        // An older page wrote the new value and left the signature standing.
        let mut changes = s.changes().to_vec();
        changes.push(field(T3, "field.deployed-by", "Bob"));
        let mut old = Session::new(&c, changes);
        assert_eq!(
            old.status(),
            Status::InProgress,
            "not signed for what changed"
        );
        let problems: Vec<String> = old.problems().into_iter().map(|p| p.message).collect();
        assert!(
            problems.contains(
                &"sign-off QA Lead must be given again: “Deployed By” changed after it was given"
                    .to_owned()
            ),
            "{problems:?}"
        );
        assert_eq!(old.problems_head(10).1, problems.len());
        // A note on it while it stays given settles nothing.
        old.set_item(
            T3,
            "ann",
            "sign-off.qa-lead",
            ItemState::Done,
            Some("looked again"),
            None,
        )
        .unwrap();
        assert_eq!(old.status(), Status::InProgress);
        // Taken back and given again, it stands.
        old.set_item(T3, "ann", "sign-off.qa-lead", ItemState::Open, None, None)
            .unwrap();
        old.set_item(T3, "ann", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        assert_eq!(old.status(), Status::Signed);
    }

    #[test]
    fn signing_keeps_a_note_that_only_starts_like_a_withdrawal() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        let typed = "withdrawn: the March approval, superseded by this one";
        s.set_item(
            T2,
            "ann",
            "sign-off.qa-lead",
            ItemState::Done,
            Some(typed),
            None,
        )
        .unwrap();
        assert_eq!(s.note("sign-off.qa-lead"), Some(typed));
    }

    #[test]
    fn na_items_leave_the_denominator() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        mark_na(&mut s, "steps.backup", "n/a here");
        let p = s.progress();
        assert_eq!((p.done, p.total, p.na), (0, 2, 1));
    }

    #[test]
    fn a_full_run_is_signed_and_its_evidence_verifies() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        s.set_field(T1, "ann", "field.deployed-by", "Ann").unwrap();
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        s.set_item(
            T1,
            "ann",
            "steps.restore-test-if-applicable",
            ItemState::Na,
            Some("restore drill is next week"),
            Some("no restore env"),
        )
        .unwrap();
        s.set_field(T2, "ann", "sign-off.qa-lead.name", "Qa Person")
            .unwrap();
        s.set_field(T2, "ann", "sign-off.qa-lead.date", "2026-11-23")
            .unwrap();
        s.set_item(T3, "ann", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        assert_eq!(s.status(), Status::Signed);
        let ev = s.evidence(run());
        assert!(ev.validation.complete);
        assert_eq!(ev.run.completed.as_deref(), Some(T3));
        assert_eq!(verify(&ev, &c, None), vec![]);
        // Restoring from the evidence gives the same state.
        let back = Session::new(&c, changes_from_evidence(&ev, &c));
        assert_eq!(back.status(), Status::Signed);
        assert_eq!(back.field("sign-off.qa-lead.name"), "Qa Person");
        assert_eq!(
            back.reason("steps.restore-test-if-applicable"),
            Some("no restore env")
        );
        assert_eq!(
            back.note("steps.restore-test-if-applicable"),
            Some("restore drill is next week")
        );
    }

    #[test]
    fn steps_of_an_item_marked_na_are_na_with_it() {
        let c = parse_str(
            "nested",
            "# T\n\n- [ ] Parent item\n  - [ ] Child one\n  - [ ] Child two (optional)\n    - [ ] Grandchild\n- [ ] Other\n",
        )
        .checklist
        .unwrap();
        let ids: Vec<String> = c.all_items().iter().map(|i| i.id.clone()).collect();
        let [parent, child, optional, grandchild, other] = ids.as_slice() else {
            panic!("{ids:?}");
        };
        let mut s = Session::new(&c, Vec::new());
        assert_eq!(s.tally().blocking, 4, "the optional step does not block");
        // The optional step's own step goes with it; the parent's other step does not.
        s.set_item(T1, "ann", optional, ItemState::Na, None, Some("no cache"))
            .unwrap();
        assert_eq!(
            s.covering(grandchild).map(|i| i.id.as_str()),
            Some(optional.as_str())
        );
        assert_eq!(s.covering(child), None);
        let open: Vec<String> = crate::evidence::validate(&c, &s.state)
            .into_iter()
            .map(|p| p.target)
            .collect();
        assert_eq!(open, [parent.as_str(), child.as_str(), other.as_str()]);
        // Not applicable, the parent takes all its steps with it.
        s.set_item(
            T2,
            "ann",
            parent,
            ItemState::Na,
            None,
            Some("not this release"),
        )
        .unwrap();
        let open: Vec<String> = crate::evidence::validate(&c, &s.state)
            .into_iter()
            .map(|p| p.target)
            .collect();
        assert_eq!(open, [other.as_str()]);
        let t = s.tally();
        assert_eq!((t.blocking, t.progress.total, t.progress.na), (1, 1, 4));
        assert_eq!(
            s.done_in(0..5),
            (0, 1),
            "the contents count as the summary does"
        );
        assert_eq!(s.aggregate(c.all_items()[0]).total, 0);
        // Open again, its steps count again.
        s.set_item(T3, "ann", parent, ItemState::Open, None, None)
            .unwrap();
        assert_eq!(s.covering(child), None);
        assert_eq!(s.tally().blocking, 3);
    }

    #[test]
    fn changes_for_removed_items_are_kept_as_orphans() {
        let c = checklist();
        let gone = Change {
            at: T1.into(),
            who: "ann".into(),
            target: "steps.old-step".into(),
            what: What::Item {
                to: ItemState::Done,
                note: None,
                reason: None,
            },
        };
        let s = Session::new(&c, vec![gone.clone()]);
        assert_eq!(s.orphans(), &[gone]);
        assert_eq!(s.changes().len(), 1, "the orphan stays in the run");
        assert!(
            verify(&s.evidence(run()), &c, None)
                .iter()
                .all(|f| f.kind == crate::evidence::FindingKind::Incomplete)
        );
    }

    #[test]
    fn orphans_travel_in_the_evidence_and_come_back_on_import() {
        let c = checklist();
        let item = |at: &str, target: &str, to, reason: Option<&str>| {
            anns(at, target, to, Some("seen on staging"), reason)
        };
        let changes = vec![
            item(T1, "steps.old-step", ItemState::Na, Some("no longer done")),
            Change {
                at: T2.into(),
                who: "bo".into(),
                target: "steps.old-step.ticket".into(),
                what: What::Field {
                    value: "done".into(),
                },
            },
            item(T3, "steps.backup", ItemState::Done, None),
        ];
        let s = Session::new(&c, changes.clone());
        let evidence = s.evidence(run());
        assert_eq!(
            evidence.events.len(),
            1,
            "only this version's item is logged"
        );
        let kinds: Vec<_> = evidence.orphans.iter().map(|o| (o.kind, &*o.to)).collect();
        assert_eq!(
            kinds,
            [(OrphanKind::Item, "na"), (OrphanKind::Field, "done")]
        );
        // Written and read as a file: a field whose value reads like a state stays a
        // field, and the N/A reason comes back.
        let json = serde_json::to_string(&evidence).unwrap();
        let read: Evidence = serde_json::from_str(&json).unwrap();
        let restored = Session::new(&c, changes_from_evidence(&read, &c));
        assert_eq!(restored.orphans(), s.orphans());
        assert_eq!(restored.evidence(run()), evidence);
    }

    /// An orphan that claims "Backup", an item the checklist has, was ticked.
    fn forged_backup_tick(at: &str) -> Orphan {
        Orphan {
            at: at.into(),
            who: "mallory".into(),
            id: "steps.backup".into(),
            kind: OrphanKind::Item,
            to: "done".into(),
            note: None,
            reason: None,
        }
    }

    #[test]
    fn an_orphan_naming_an_item_the_checklist_has_ticks_nothing() {
        let c = checklist();
        let mut evidence = Session::new(&c, Vec::new()).evidence(run());
        evidence.orphans.push(forged_backup_tick(T1));
        let findings = verify(&evidence, &c, None);
        assert!(
            found(
                &findings,
                FindingKind::Log,
                "orphan `steps.backup` names an item"
            ),
            "{findings:?}"
        );
        let restored = Session::new(&c, changes_from_evidence(&evidence, &c));
        assert_eq!(restored.item_state("steps.backup"), ItemState::Open);
    }

    /// The same checklist after its author reworded "Backup" and dropped the restore
    /// test: a run's file exported before the edit is read against this one.
    const EDITED: &str = "# Deploy\n\n**Deployed By**: ____\n\n## Steps\n\n- [ ] Take a backup\n- [ ] Smoke test\n\n## Sign-Off\n\n- [ ] QA Lead: ____ Date: ____\n";

    fn earlier_run() -> Evidence {
        let c = checklist();
        let item =
            |at: &str, target: &str, to, reason: Option<&str>| anns(at, target, to, None, reason);
        let changes = vec![
            item(T1, "steps.backup", ItemState::Done, None),
            item(
                T2,
                "steps.restore-test-if-applicable",
                ItemState::Na,
                Some("no restore this time"),
            ),
            Change {
                at: T3.into(),
                who: "bo".into(),
                target: "field.deployed-by".into(),
                what: What::Field { value: "Bo".into() },
            },
        ];
        Session::new(&c, changes).evidence(run())
    }

    #[test]
    fn evidence_from_an_earlier_version_keeps_what_still_applies_and_orphans_the_rest() {
        let edited = parse_str("deploy", EDITED).checklist.unwrap();
        let file = earlier_run();
        assert_ne!(file.checklist.source_sha256, edited.source_sha256);
        let Ok(rebased) = rebase(&file, &edited) else {
            panic!("an intact file from an earlier version reads");
        };
        let s = Session::new(&edited, rebased.changes.clone());
        assert_eq!(s.field("field.deployed-by"), "Bo", "unchanged field kept");
        let orphaned: Vec<&str> = s.orphans().iter().map(|c| c.target.as_str()).collect();
        assert_eq!(
            orphaned,
            ["steps.backup", "steps.restore-test-if-applicable"],
            "progress on the reworded and the removed item is kept, not applied"
        );
        assert_eq!(s.item_state("steps.take-a-backup"), ItemState::Open);
        // Named as the file's version named them, for the page's notice.
        assert!(rebased.outline.contains(&(
            "steps.restore-test-if-applicable".into(),
            "Restore test (if applicable)".into()
        )));
        // Exported again, it is evidence for this version, which `verify` accepts.
        let again = rebased.evidence(&edited);
        assert_eq!(again.checklist.source_sha256, edited.source_sha256);
        assert_eq!(again.run, file.run);
        assert!(
            verify(&again, &edited, None)
                .iter()
                .all(|f| f.kind == crate::evidence::FindingKind::Incomplete),
            "{:?}",
            verify(&again, &edited, None)
        );
        assert_eq!(again.orphans.len(), 2);
    }

    #[test]
    fn evidence_from_another_version_with_a_broken_chain_is_refused() {
        let edited = parse_str("deploy", EDITED).checklist.unwrap();
        let mut file = earlier_run();
        file.events[0].who = "mallory".into();
        let Err(findings) = rebase(&file, &edited) else {
            panic!("an edited event must not read");
        };
        assert!(
            found(&findings, FindingKind::Chain, "hash chain broken"),
            "{findings:?}"
        );
    }

    #[test]
    fn evidence_from_another_version_naming_an_id_neither_version_has_is_refused() {
        let edited = parse_str("deploy", EDITED).checklist.unwrap();
        let mut file = earlier_run();
        // Renamed consistently, chain and all, so only the name is wrong.
        let c = checklist();
        let mut rec = Recorder::new(&c, run());
        let _ = rec.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None);
        let mut forged = rec.finish(None);
        forged.events[0].item = "steps.nowhere".into();
        forged.events[0].prev = crate::evidence::GENESIS.into();
        forged.head = forged.events[0].hash();
        file.events = forged.events;
        file.head = forged.head;
        file.seal = file.expected_seal();
        let Err(findings) = rebase(&file, &edited) else {
            panic!("an event on an unknown ID must not read");
        };
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0]
                .message
                .contains("unknown item or field `steps.nowhere`")
        );
    }

    #[test]
    fn a_rebased_log_that_breaks_this_versions_rules_is_caught_by_verify() {
        // The page checks what it would restore with `verify`: rebasing itself takes
        // the log as written, and this one ticks a task after its sign-off, with no
        // withdrawal, which no page writes.
        let c = checklist();
        let mut rec = Recorder::new(&c, run());
        let _ = rec.set_field(T1, "qa", "sign-off.qa-lead.name", "Quinn");
        let _ = rec.set_field(T1, "qa", "sign-off.qa-lead.date", "2026-11-23");
        let _ = rec.set_item(T2, "qa", "sign-off.qa-lead", ItemState::Done, None, None);
        let _ = rec.set_item(T3, "ann", "steps.backup", ItemState::Done, None, None);
        let file = rec.finish(None);
        let kept = SRC.replace("- [ ] Restore test (if applicable)\n", "- [ ] Smoke test\n");
        let edited = parse_str("deploy", &kept).checklist.unwrap();
        let Ok(rebased) = rebase(&file, &edited) else {
            panic!("the chain is intact");
        };
        let findings = verify(&rebased.evidence(&edited), &edited, None);
        assert!(
            found(&findings, FindingKind::Log, "still stood"),
            "{findings:?}"
        );
    }

    /// The rest of the run after "Backup": the restore test N/A, the fields filled,
    /// and Quinn signing at `T2`.
    fn finish_and_sign(s: &mut Session<'_>) {
        let reason = Some("not this time");
        s.set_item(
            T1,
            "ann",
            "steps.restore-test-if-applicable",
            ItemState::Na,
            None,
            reason,
        )
        .unwrap();
        s.set_field(T1, "ann", "field.deployed-by", "Ann").unwrap();
        s.set_field(T1, "qa", "sign-off.qa-lead.name", "Quinn")
            .unwrap();
        s.set_field(T1, "qa", "sign-off.qa-lead.date", "2026-11-23")
            .unwrap();
        s.set_item(T2, "qa", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
    }

    #[test]
    fn a_signoff_whose_own_line_changed_is_taken_back_and_one_that_did_not_stands() {
        let c = checklist();
        let mut s = Session::new(&c, Vec::new());
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        finish_and_sign(&mut s);
        let file = s.evidence(run());
        // The file read as the run on another version; it holds, so rebasing is clean.
        let onto = |v: &Checklist| rebase(&file, v).unwrap_or_else(|f| panic!("intact: {f:?}"));

        // The QA Lead's line now asks for a ticket too: Quinn did not sign that.
        let asks_more = SRC.replace(
            "QA Lead: ____ Date: ____",
            "QA Lead: ____ Date: ____ Ticket: ____",
        );
        let v2 = parse_str("deploy", &asks_more).checklist.unwrap();
        let mut rebased = onto(&v2);
        let names = rebased.withdraw_reworded(&v2, "bo");
        assert_eq!(names, ["QA Lead"]);
        let again = Session::new(&v2, rebased.changes.clone());
        assert_eq!(again.item_state("sign-off.qa-lead"), ItemState::Open);
        assert_eq!(
            again.note("sign-off.qa-lead"),
            Some(
                "withdrawn: \"QA Lead: ___ Date: ___ Ticket: ___\" changed in the checklist after signing"
            )
        );
        let findings = verify(&rebased.evidence(&v2), &v2, None);
        assert!(
            findings.iter().all(|f| f.kind == FindingKind::Incomplete),
            "{findings:?}"
        );

        // A required task reworded into another ID is open again: the sign-off did not
        // cover it as it reads now.
        let other = SRC.replace("- [ ] Backup\n", "- [ ] Backup the database\n");
        let v3 = parse_str("deploy", &other).checklist.unwrap();
        let mut reworded = onto(&v3);
        assert_eq!(reworded.withdraw_reworded(&v3, "bo"), ["QA Lead"]);
        assert_eq!(
            Session::new(&v3, reworded.changes).note("sign-off.qa-lead"),
            Some("withdrawn: \"Backup the database\" changed in the checklist after signing")
        );
        // Told apart from a change someone made in the run, wherever it is shown.
        let note = "withdrawn: \"Backup the database\" changed in the checklist after signing";
        assert_eq!(withdrawal_subject(note), Some("Backup the database"));
        assert_eq!(
            withdrawal_words(note),
            "changed in the checklist after it was given"
        );
        // An optional step added leaves nothing required open that was not: it stands.
        let optional = SRC.replace(
            "- [ ] Backup\n",
            "- [ ] Backup\n- [ ] Warm the caches (optional)\n",
        );
        let v5 = parse_str("deploy", &optional).checklist.unwrap();
        let mut kept = onto(&v5);
        assert!(kept.withdraw_reworded(&v5, "bo").is_empty());

        // A required task added since, still open: the signature did not cover it.
        let adds_a_step = SRC.replace("- [ ] Backup\n", "- [ ] Backup\n- [ ] Warm the caches\n");
        let v4 = parse_str("deploy", &adds_a_step).checklist.unwrap();
        let mut grown = onto(&v4);
        assert_eq!(grown.withdraw_reworded(&v4, "bo"), ["QA Lead"]);
        let after = Session::new(&v4, grown.changes.clone());
        assert_eq!(
            after.note("sign-off.qa-lead"),
            Some("withdrawn: \"Warm the caches\" changed in the checklist after signing")
        );
        // Without the earlier version's outline nothing can be told added.
        let mut blind = Session::new(
            &v4,
            rebase(&file, &v4).map(|r| r.changes).unwrap_or_default(),
        );
        assert!(blind.withdraw_reworded(&[], "bo").is_empty());

        // Quinn signs again on the new wording. Merging the old file in later (hers,
        // or a colleague's) must not take the new signature back: the withdrawal it
        // brings is dated at the old signature.
        let mut now_on_v2 = Session::new(&v2, rebased.changes.clone());
        now_on_v2
            .set_field(T3, "qa", "sign-off.qa-lead.ticket", "OPS-7")
            .unwrap();
        let later = "2026-11-23T11:00:00+00:00";
        now_on_v2
            .set_item(later, "qa", "sign-off.qa-lead", ItemState::Done, None, None)
            .unwrap();
        let ours = now_on_v2.evidence(run());
        let mut again = onto(&v2);
        again.withdraw_reworded(&v2, "bo");
        let (merged, _) = crate::evidence::merge(&ours, &again.evidence(&v2), &v2).unwrap();
        let state = |e: &Evidence| {
            e.items
                .iter()
                .find(|i| i.id == "sign-off.qa-lead")
                .map(|i| i.state)
        };
        assert_eq!(state(&merged), Some(ItemState::Done), "{:?}", merged.events);
        assert!(
            merged
                .events
                .windows(2)
                .all(|w| moment(&w[0].at) <= moment(&w[1].at)),
            "the log stays in time order"
        );
    }

    #[test]
    fn a_tick_kept_aside_in_the_same_second_as_the_signoffs_reads_back_before_them() {
        // On a version without "Backup", its tick is an orphan; the sign-off follows
        // in the same second. Read back on the version that has it again, the tick
        // must come first, or the log would have a task changed after signing.
        let c = checklist();
        let without = SRC.replace("- [ ] Backup\n", "");
        let v2 = parse_str("deploy", &without).checklist.unwrap();
        let tick = Change {
            at: T2.into(),
            who: "ann".into(),
            target: "steps.backup".into(),
            what: What::Item {
                to: ItemState::Done,
                note: None,
                reason: None,
            },
        };
        let mut s = Session::new(&v2, vec![tick]);
        finish_and_sign(&mut s);
        let file = s.evidence(run());
        assert_eq!(file.orphans.len(), 1);
        let Ok(rebased) = rebase(&file, &c) else {
            panic!("intact");
        };
        let findings = verify(&rebased.evidence(&c), &c, None);
        assert!(
            findings.iter().all(|f| f.kind == FindingKind::Incomplete),
            "{findings:?}"
        );
        assert_eq!(
            Session::new(&c, rebased.changes).item_state("sign-off.qa-lead"),
            ItemState::Done
        );
    }

    #[test]
    fn an_orphan_naming_an_item_of_the_files_own_version_is_refused() {
        let edited = parse_str("deploy", EDITED).checklist.unwrap();
        let mut file = earlier_run();
        // "Backup" is one of the file's own items: a forged orphan cannot tick it.
        file.orphans.push(forged_backup_tick(T3));
        let Err(findings) = rebase(&file, &edited) else {
            panic!("a forged orphan must not read");
        };
        assert!(
            found(
                &findings,
                FindingKind::Log,
                "orphan `steps.backup` names an item or field of the file's own version"
            ),
            "{findings:?}"
        );
    }

    #[test]
    fn evidence_for_another_checklist_is_not_rebased() {
        let other = parse_str("other", EDITED).checklist.unwrap();
        let Err(findings) = rebase(&earlier_run(), &other) else {
            panic!("another checklist's file must not read");
        };
        assert!(findings[0].message.contains("not `other`"), "{findings:?}");
    }

    #[test]
    fn late_changes_from_another_tab_are_replayed_in_time_order() {
        let c = checklist();
        let change = |at: &str, to| Change {
            at: at.into(),
            who: "x".into(),
            target: "steps.backup".into(),
            what: What::Item {
                to,
                note: None,
                reason: None,
            },
        };
        let mut s = Session::new(&c, vec![change(T2, ItemState::Done)]);
        s.apply(change(T1, ItemState::Open));
        assert_eq!(s.changes()[0].at, T1);
        assert_eq!(
            s.item_state("steps.backup"),
            ItemState::Done,
            "T2 is the later"
        );
        assert_eq!(s.progress().done, 1);
        let replayed = Session::new(&c, s.changes().to_vec());
        assert_eq!(replayed.item_state("steps.backup"), ItemState::Done);
    }

    #[test]
    fn an_na_item_keeps_its_note_apart_from_its_reason() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        let id = "steps.backup";
        s.set_item(
            T1,
            "ann",
            id,
            ItemState::Na,
            Some("ask Bo"),
            Some("no data"),
        )
        .unwrap();
        assert_eq!(
            (s.note(id), s.reason(id)),
            (Some("ask Bo"), Some("no data"))
        );
        let ev = s.evidence(run());
        let record = ev.items.iter().find(|i| i.id == id).unwrap();
        assert_eq!(record.note.as_deref(), Some("ask Bo"));
        assert_eq!(record.na_reason.as_deref(), Some("no data"));
        // The run is unfinished, but its log and claims hold.
        assert!(
            verify(&ev, &c, None)
                .iter()
                .all(|f| f.kind == crate::evidence::FindingKind::Incomplete)
        );
        let back = Session::new(&c, changes_from_evidence(&ev, &c));
        assert_eq!(
            (back.note(id), back.reason(id)),
            (Some("ask Bo"), Some("no data"))
        );
        // Done again: the note stays, the reason no longer applies.
        s.set_item(
            T2,
            "ann",
            id,
            ItemState::Done,
            Some("ask Bo"),
            Some("no data"),
        )
        .unwrap();
        assert_eq!((s.note(id), s.reason(id)), (Some("ask Bo"), None));
    }

    /// `Change` as serde's derive reads and writes it: the reference for the
    /// hand-written impls.
    mod derived {
        use super::ItemState;
        use serde::{Deserialize, Serialize};

        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        pub struct Change {
            pub at: String,
            pub who: String,
            pub target: String,
            #[serde(flatten)]
            pub what: What,
        }

        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub enum What {
            Item {
                to: ItemState,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                note: Option<String>,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                reason: Option<String>,
            },
            Field {
                value: String,
            },
        }

        impl From<&super::Change> for Change {
            fn from(c: &super::Change) -> Self {
                Self {
                    at: c.at.clone(),
                    who: c.who.clone(),
                    target: c.target.clone(),
                    what: match &c.what {
                        super::What::Item { to, note, reason } => What::Item {
                            to: *to,
                            note: note.clone(),
                            reason: reason.clone(),
                        },
                        super::What::Field { value } => What::Field {
                            value: value.clone(),
                        },
                    },
                }
            }
        }
    }

    fn any_change() -> impl Strategy<Value = Change> {
        use proptest::prelude::*;
        let state = prop_oneof![
            Just(ItemState::Open),
            Just(ItemState::Done),
            Just(ItemState::Na)
        ];
        let what = prop_oneof![
            (state, any::<Option<String>>(), any::<Option<String>>())
                .prop_map(|(to, note, reason)| What::Item { to, note, reason }),
            any::<String>().prop_map(|value| What::Field { value }),
        ];
        (any::<String>(), "[a-z]{0,6}", "[a-z.]{0,12}", what).prop_map(|(at, who, target, what)| {
            Change {
                at,
                who,
                target,
                what,
            }
        })
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn a_change_is_written_as_the_derived_impl_writes_it(change in any_change()) {
            proptest::prop_assert_eq!(
                serde_json::to_string(&change).unwrap(),
                serde_json::to_string(&derived::Change::from(&change)).unwrap()
            );
        }

        /// Keys in any order, some missing, some given as `null`, unknown ones
        /// mixed in: the hand-written reader accepts what the derived one accepts,
        /// and reads the same change. Wrongly typed values for the other
        /// operation's keys are skipped by both once `op` is known, so those cases
        /// give `op` first, as serde-wasm-bindgen does.
        #[test]
        fn a_change_is_read_as_the_derived_impl_reads_it(
            change in any_change(),
            order in proptest::sample::subsequence((0..16).collect::<Vec<usize>>(), 0..=16)
                .prop_shuffle(),
            op in proptest::sample::select(vec!["item", "field", "other"]),
        ) {
            let written = serde_json::to_value(&change).unwrap();
            let pool: Vec<(&str, serde_json::Value)> = vec![
                ("at", written["at"].clone()),
                ("who", written["who"].clone()),
                ("target", written["target"].clone()),
                ("op", serde_json::json!(op)),
                ("to", serde_json::json!("done")),
                ("note", written.get("note").cloned().unwrap_or(serde_json::Value::Null)),
                ("reason", serde_json::json!("why")),
                ("value", serde_json::json!("v1.2")),
                ("extra", serde_json::json!({"nested": [1, 2]})),
                ("at_", serde_json::json!(null)),
                ("op", written["op"].clone()),
                // Wrongly typed: an error for the operation that uses the key, and
                // ignored by the other.
                ("to", serde_json::json!(5)),
                ("value", serde_json::json!(null)),
                ("note", serde_json::json!([1, {"a": null}])),
                ("reason", serde_json::json!({"why": true})),
                ("to", serde_json::json!("maybe")),
            ];
            let mut order = order;
            if order.iter().any(|&i| i >= 11) {
                if let Some(p) = order.iter().position(|&i| i == 3 || i == 10) {
                    let op_first = order.remove(p);
                    order.insert(0, op_first);
                }
            }
            // Written by hand: a JSON object's keys in the chosen order (a repeated
            // key is allowed, and both readers must refuse or take it alike).
            let body: Vec<String> = order
                .iter()
                .map(|&i| format!("{}:{}", serde_json::json!(pool[i].0), pool[i].1))
                .collect();
            let text = format!("{{{}}}", body.join(","));
            let ours = serde_json::from_str::<Change>(&text);
            let theirs = serde_json::from_str::<derived::Change>(&text);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(derived::Change::from(&a), b, "{}", text),
                (Err(_), Err(_)) => {}
                (a, b) => proptest::prop_assert!(false, "{text}: ours {a:?}, derived {b:?}"),
            }
        }
    }

    #[test]
    fn a_run_saved_before_reasons_reads_an_na_note_as_the_reason() {
        let c = checklist();
        let saved = r#"{"at":"2026-11-23T10:01:00+00:00","who":"ann","target":"steps.backup","op":"item","to":"na","note":"no data"}"#;
        let change: Change = serde_json::from_str(saved).unwrap();
        let s = Session::new(&c, vec![change]);
        assert_eq!(s.reason("steps.backup"), Some("no data"));
        assert_eq!(s.note("steps.backup"), None);
        assert_eq!(s.blocking_signoff(), 0, "the N/A has its reason");
    }

    #[test]
    fn a_parent_aggregates_its_nested_items_but_not_itself() {
        let c = crate::parse_str(
            "t",
            "# T\n\n## S\n- [ ] Roll out\n  - [ ] Pods healthy\n  - [ ] Logs clean\n    - [ ] No errors\n  - [ ] Old pods gone (optional)\n",
        )
        .checklist
        .unwrap();
        let parent = &c.sections[0].items[0];
        let child = |n: usize| parent.children[n].id.clone();
        let mut s = Session::new(&c, vec![]);
        let p = s.aggregate(parent);
        assert_eq!((p.done, p.total, p.na, p.required_open), (0, 4, 0, 3));
        s.set_item(T1, "ann", &child(0), ItemState::Done, None, None)
            .unwrap();
        let grandchild = parent.children[1].children[0].id.clone();
        s.set_item(T1, "ann", &grandchild, ItemState::Done, None, None)
            .unwrap();
        mark_na(&mut s, &child(2), "no old pods");
        s.set_item(T2, "ann", &parent.id, ItemState::Done, None, None)
            .unwrap();
        let p = s.aggregate(parent);
        assert_eq!((p.done, p.total, p.na, p.required_open), (2, 3, 1, 1));
    }

    #[test]
    fn a_sections_count_reads_the_states_of_its_span() {
        let c = checklist();
        let mut s = Session::new(&c, vec![]);
        let spans = c.section_spans();
        let (_, steps) = spans.iter().find(|(sec, _)| sec.id == "steps").unwrap();
        assert_eq!(s.done_in(steps.clone()), (0, 2));
        s.set_item(T1, "ann", "steps.backup", ItemState::Done, None, None)
            .unwrap();
        mark_na(&mut s, "steps.restore-test-if-applicable", "no env");
        assert_eq!(s.done_in(steps.clone()), (1, 1));
        assert_eq!(s.position("steps.backup"), Some(steps.start));
    }
}
