//! Merging two people's evidence for the same run: what `checkdown merge` does, and
//! the page on importing a colleague's file. The merge replays both logs as one, in
//! time order, under the same rule the page applies as people work (a change after
//! signing withdraws sign-offs), then keeps sign-offs and lists disagreements.
//!
//! It runs in phases, one function each: [`mergeable`] refuses files that are not the
//! same run, [`interleave`] orders the two logs' changes, [`Replay`] applies them and
//! withdraws what the rule takes back, and [`Replay::settle`] keeps sign-offs and lists
//! the conflicts.

use thiserror::Error;

use serde::Serialize;

use crate::evidence::{
    Evidence, FastSet, FindingKind, IdMap, ItemRecord, ItemState, KeySet, LogEvent, Orphan,
    OrphanKind, Recorder, Withdrawals, has_problems, instant, is_note_only, overwrites, verify,
};
use crate::model::{Checklist, Item, ItemKind};

/// Two people's work on the same run that disagrees about an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub item: String,
    /// `state (who, when)` from each side.
    pub ours: String,
    pub theirs: String,
    /// Which side's later change won, or `signed` when a sign-off was kept.
    pub resolution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MergeError {
    #[error("the two files are for different checklists (`{0}` and `{1}`)")]
    DifferentChecklist(String, String),
    #[error(
        "the two files are for different versions of checklist `{0}` (its source changed in between)"
    )]
    DifferentVersion(String),
    #[error("the two files are different runs (\"{0}\" and \"{1}\"); only the same run merges")]
    DifferentRun(String, String),
    #[error("{0} does not hold on its own: {1}")]
    Broken(&'static str, String),
    #[error("event at {0} has a timestamp that is not RFC 3339")]
    BadTimestamp(String),
    #[error(
        "the two files approve different releases ({0} and {1}); a run's evidence is for one release"
    )]
    DifferentSubject(String, String),
    #[error(
        "{0} names what it releases ({1}) but has no seal binding that to its log (it was \
         exported by an earlier checkdown, or edited): export it again"
    )]
    Unsealed(&'static str, String),
}

/// Merges two people's evidence for the same run, as the client does on import: every
/// change from both logs is replayed in time order, so the later change wins per item;
/// a sign-off given on either side is kept; disagreements are listed.
pub fn merge(
    a: &Evidence,
    b: &Evidence,
    checklist: &Checklist,
) -> Result<(Evidence, Vec<Conflict>), MergeError> {
    mergeable(a, b, checklist)?;
    let (ta, tb) = (timed_changes(a)?, timed_changes(b)?);
    let (in_a, in_b) = (log_positions(&ta), log_positions(&tb));
    let changes = interleave(&ta, &tb);

    let mut run = a.run.clone();
    let started = [&a.run.started, &b.run.started]
        .into_iter()
        .map(|s| instant(s).map(|t| (t, s)))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((_, s)) = started.iter().min_by_key(|(t, _)| *t) {
        run.started = (*s).clone();
    }
    let mut replay = Replay::new(checklist, run);
    replay.recorder.subject = a.subject.clone().or_else(|| b.subject.clone());
    let (notes_a, notes_b) = (notes_before(&ta), notes_before(&tb));
    for &(key, e) in &changes {
        let (only_a, only_b) = (!in_b.contains_key(key), !in_a.contains_key(key));
        let saw = notes_a.get(key).or_else(|| notes_b.get(key)).copied();
        replay.apply(key, e, only_a, only_b, saw);
    }
    // A "Releasing" digest only one file names was not seen by whoever signed in the
    // other: their sign-off approved the run, not that release (a page refuses to set
    // one on a signed run; merging must not attach one either).
    match (&a.subject, &b.subject) {
        (None, Some(_)) => replay.withdraw_unseen_subject(&changes, &in_b),
        (Some(_), None) => replay.withdraw_unseen_subject(&changes, &in_a),
        _ => {}
    }
    let conflicts = replay.settle(a, b, checklist);

    for s in [&a.run.completed, &b.run.completed].into_iter().flatten() {
        instant(s)?;
    }
    let recorder = replay.recorder;
    // Complete as the page says a run is (see `Session::evidence`): when nothing stands
    // between the merged run and complete, at its last change. Either file's own time
    // says nothing of the merged run, which a withdrawal may have reopened.
    let completed = (!has_problems(checklist, &recorder.state))
        .then(|| recorder.events.last().map(|e| e.at.clone()))
        .flatten();
    let mut merged = recorder.finish(completed.as_deref());
    merged.orphans = merge_orphans(a, b);
    Ok((merged, conflicts))
}

/// Refuses two files that are not the same run of the same checklist version, that
/// approve different releases, or that do not hold on their own.
fn mergeable(a: &Evidence, b: &Evidence, checklist: &Checklist) -> Result<(), MergeError> {
    if a.checklist.id != b.checklist.id {
        return Err(MergeError::DifferentChecklist(
            a.checklist.id.clone(),
            b.checklist.id.clone(),
        ));
    }
    if a.checklist.source_sha256 != b.checklist.source_sha256 {
        return Err(MergeError::DifferentVersion(a.checklist.id.clone()));
    }
    if a.run.id != b.run.id {
        // By name, which is what people know a run by; the IDs only when the names match.
        let (na, nb) = if a.run.name == b.run.name {
            (
                format!("{} ({})", a.run.name, a.run.id),
                format!("{} ({})", b.run.name, b.run.id),
            )
        } else {
            (a.run.name.clone(), b.run.name.clone())
        };
        return Err(MergeError::DifferentRun(na, nb));
    }
    // The merged file is sealed anew over its subject: one that nothing bound to its
    // log would come out vouched for, and two releases cannot both be the one signed.
    for (side, e) in [("the first file", a), ("the second file", b)] {
        if let (Some(s), true) = (&e.subject, e.seal.is_empty()) {
            return Err(MergeError::Unsealed(side, s.digest.clone()));
        }
    }
    if let (Some(x), Some(y)) = (&a.subject, &b.subject) {
        if !x.digest.trim().eq_ignore_ascii_case(y.digest.trim()) {
            return Err(MergeError::DifferentSubject(
                x.digest.clone(),
                y.digest.clone(),
            ));
        }
    }
    for (side, e) in [("the first file", a), ("the second file", b)] {
        if let Some(f) = verify(e, checklist, None)
            .into_iter()
            .find(|f| f.kind != FindingKind::Incomplete)
        {
            return Err(MergeError::Broken(side, f.message));
        }
    }
    Ok(())
}

/// A log's position for each of its changes' keys.
fn log_positions<'e>(t: &[TimedChange<'e>]) -> IdMap<usize> {
    t.iter()
        .enumerate()
        .map(|(n, (_, key, _))| (key.clone(), n))
        .collect()
}

/// Every distinct change of both logs, in time order. Each log keeps its own order:
/// a change both logs hold comes after what precedes it in either (one file is a
/// merge that already has the other's work). Among the changes free to go next, the
/// earliest goes first, and in the same second the one whose content sorts first.
/// Nothing looks at which file came first, so merging a with b and b with a give the
/// same run: choosing only between the two files' next changes, as before, let the
/// order of the files decide when three or more changes shared a second (clocks
/// clamped behind an imported file's do), and a tick could land where it changed
/// nothing one way round and not the other.
fn interleave<'t, 'e>(
    ta: &'t [TimedChange<'e>],
    tb: &'t [TimedChange<'e>],
) -> Vec<(&'t str, &'e LogEvent)> {
    use std::cmp::Reverse;
    // One node per distinct change; an edge from each change to the next in each log.
    let mut index: IdMap<usize> = IdMap::default();
    let mut nodes: Vec<&'t TimedChange<'e>> = Vec::with_capacity(ta.len() + tb.len());
    // A change both files hold may carry other words in each (a note two versions of
    // checkdown word apart, the state it came from): the same one is kept whichever
    // file comes first, so `merge a b` and `merge b a` agree.
    fn words<'x>(c: &TimedChange<'x>) -> (Option<&'x str>, &'x str, Option<&'x str>) {
        (
            c.2.note.as_deref(),
            c.2.from.as_str(),
            c.2.reason.as_deref(),
        )
    }
    for change in ta.iter().chain(tb) {
        match index.entry(change.1.clone()) {
            std::collections::hash_map::Entry::Occupied(seen) => {
                let kept = &mut nodes[*seen.get()];
                if words(change) > words(kept) {
                    *kept = change;
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(nodes.len());
                nodes.push(change);
            }
        }
    }
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut waiting = vec![0usize; nodes.len()];
    for log in [ta, tb] {
        for pair in log.windows(2) {
            let (from, to) = (index[&pair[0].1], index[&pair[1].1]);
            next[from].push(to);
            waiting[to] += 1;
        }
    }
    let order = |n: usize| Reverse((nodes[n].0, nodes[n].1.as_str(), n));
    let mut ready: std::collections::BinaryHeap<_> = (0..nodes.len())
        .filter(|&n| waiting[n] == 0)
        .map(order)
        .collect();
    let mut taken = vec![false; nodes.len()];
    let mut changes = Vec::with_capacity(nodes.len());
    while changes.len() < nodes.len() {
        let n = match ready.pop() {
            Some(Reverse((_, _, n))) => n,
            // The two logs order some shared changes differently: the earliest of
            // those left goes next, by the same rule.
            None => match (0..nodes.len())
                .filter(|&n| !taken[n])
                .min_by_key(|&n| (nodes[n].0, nodes[n].1.as_str()))
            {
                Some(n) => n,
                None => break,
            },
        };
        if std::mem::replace(&mut taken[n], true) {
            continue;
        }
        changes.push((nodes[n].1.as_str(), nodes[n].2));
        for &m in &next[n] {
            waiting[m] -= 1;
            if waiting[m] == 0 && !taken[m] {
                ready.push(order(m));
            }
        }
    }
    changes
}

/// The merged run as it is replayed, with what the replay withdrew and why.
struct Replay<'c, 'e> {
    recorder: Recorder<'c>,
    rule: Withdrawals<'c>,
    /// Sign-offs the page's rule took back in the merged run.
    withdrawn: KeySet,
    /// A sign-off approves the run as its signer saw it. The first change each side
    /// never saw (only in the other's log) that a change after signing would withdraw
    /// sign-offs for, with who made it: a sign-off given on one side only, after that
    /// side missed such a change, approved a run other than the merged one.
    unseen_by_a: Option<(String, &'e str)>,
    unseen_by_b: Option<(String, &'e str)>,
    /// Sign-offs withdrawn so: given without seeing the other file's change.
    unseen_withdrawn: KeySet,
    /// The change that gave each sign-off, as the replay applied it: where both people
    /// gave one, the first; the second changed nothing.
    giving: IdMap<&'e str>,
}

impl<'c, 'e> Replay<'c, 'e> {
    fn new(checklist: &'c Checklist, run: crate::evidence::Run) -> Self {
        Self {
            recorder: Recorder::new(checklist, run),
            rule: Withdrawals::new(checklist),
            withdrawn: KeySet::default(),
            unseen_by_a: None,
            unseen_by_b: None,
            unseen_withdrawn: KeySet::default(),
            giving: IdMap::default(),
        }
    }

    /// Applies one change (`key` in the logs; `only_a`/`only_b`: which log alone holds
    /// it; `saw`: the note its item had just before, in its author's log), then the
    /// page's rule on what it withdraws.
    fn apply(
        &mut self,
        key: &'e str,
        e: &'e LogEvent,
        only_a: bool,
        only_b: bool,
        saw: Option<Option<&str>>,
    ) {
        let recorder = &mut self.recorder;
        let rule = &self.rule;
        // Both people making the same change (both ticked Deploy) is one change: a
        // second, `done -> done`, would only be noise in the log.
        let state = &recorder.state;
        // A note edited on an item its author left as it was (`done -> done`) decides
        // nothing about its state: replayed after the other person's N/A, it must not
        // turn it back into the author's old state. It changes the note only; the item
        // keeps its state and reason.
        let item_change = ItemState::parse(&e.to)
            .filter(|_| state.items.contains_key(&e.item))
            .map(|to| match (is_note_only(e), state.items.get(&e.item)) {
                // An N/A's reason edited applies while the item is N/A; on an item the
                // other side has done since, there is no N/A for it to explain.
                (true, Some(&ItemState::Na)) if to == ItemState::Na => (to, e.reason.clone()),
                (true, Some(&now)) => (now, state.reasons.get(&e.item).cloned()),
                _ => (to, e.reason.clone()),
            });
        // A task's change that left its note as its author saw it (a tick, an
        // untick) keeps the note the merged run has: one the other person wrote
        // meanwhile, unseen by this author, is not theirs to clear.
        let note = match saw {
            Some(before)
                if !is_note_only(e) && !rule.is_signoff(&e.item) && before == e.note.as_deref() =>
            {
                state.notes.get(&e.item).map(String::as_str)
            }
            _ => e.note.as_deref(),
        };
        let same = match &item_change {
            Some((to, reason)) => {
                state.items.get(&e.item) == Some(to)
                    && state.notes.get(&e.item).map(String::as_str) == note
                    && state.reasons.get(&e.item) == reason.as_ref()
            }
            None => state.fields.get(&e.item).map(String::as_str) == Some(e.to.as_str()),
        };
        if same {
            return;
        }
        let note = note.map(str::to_owned);
        let before = state.items.get(&e.item).copied();
        let value_before = state.fields.get(&e.item).cloned();
        let result = match item_change {
            Some((to, reason)) => recorder.set_item(
                &e.at,
                &e.who,
                &e.item,
                to,
                note.as_deref(),
                reason.as_deref(),
            ),
            None => recorder.set_field(&e.at, &e.who, &e.item, &e.to),
        };
        // Both logs verified, so every change names a known item or field.
        debug_assert!(result.is_ok());
        // The page's rule holds in a merged run too: a change after sign-offs were given
        // withdraws them (one person signed; the other, not having seen that, changed
        // an item later). Otherwise the run would stay signed for a state of it nobody
        // approved.
        let state = &recorder.state;
        let moved = match value_before {
            Some(v) => state
                .fields
                .get(&e.item)
                .is_some_and(|after| overwrites(&v, after)),
            None => state.items.get(&e.item).copied() != before,
        };
        // Given again later, a sign-off the rule took back is simply given.
        if state.items.get(&e.item) == Some(&ItemState::Done) {
            self.withdrawn.remove(&e.item);
        }
        if moved {
            let (signoffs, changed) = rule.after(&recorder.state, &e.item);
            for s in signoffs {
                let kept = recorder.state.notes.get(s).cloned();
                let note = crate::run::withdrawal_note(&changed, kept.as_deref());
                let _ = recorder.set_item(&e.at, &e.who, s, ItemState::Open, Some(&note), None);
                self.withdrawn.insert(s.to_owned());
            }
            if let Some(words) = rule.every_signoffs_change(&e.item) {
                let unseen = if only_a {
                    &mut self.unseen_by_b
                } else if only_b {
                    &mut self.unseen_by_a
                } else {
                    &mut None
                };
                unseen.get_or_insert((words, e.who.as_str()));
            }
        }
        // Given on one side only, after that side missed a change of the other's.
        let missed = match (only_a, only_b) {
            (true, false) => self.unseen_by_a.as_ref(),
            (false, true) => self.unseen_by_b.as_ref(),
            _ => None,
        };
        let given = rule.is_signoff(&e.item)
            && before != Some(ItemState::Done)
            && recorder.state.items.get(&e.item) == Some(&ItemState::Done);
        if given {
            self.giving.insert(e.item.clone(), key);
        }
        if let (true, Some((changed, who))) = (given, missed) {
            let note = crate::run::unseen_withdrawal_note(changed, e.note.as_deref());
            let _ = recorder.set_item(&e.at, who, &e.item, ItemState::Open, Some(&note), None);
            self.withdrawn.insert(e.item.clone());
            self.unseen_withdrawn.insert(e.item.clone());
        }
    }

    /// Withdraws each sign-off standing that was given in the file without the
    /// "Releasing" digest the other names (`holder`: that other file's changes).
    fn withdraw_unseen_subject(
        &mut self,
        changes: &[(&'e str, &'e LogEvent)],
        holder: &IdMap<usize>,
    ) {
        let recorder = &mut self.recorder;
        // Each sign-off standing now, with the change that gave it, in the merged order.
        let standing: Vec<(&str, &LogEvent)> = changes
            .iter()
            .filter(|(key, e)| {
                self.giving.get(&e.item) == Some(key)
                    && recorder.state.items.get(&e.item) == Some(&ItemState::Done)
            })
            .copied()
            .collect();
        let at = recorder
            .events
            .last()
            .map(|e| e.at.clone())
            .unwrap_or_default();
        for (key, e) in standing {
            if holder.contains_key(key) {
                continue;
            }
            let kept = recorder.state.notes.get(&e.item).cloned();
            let note = crate::run::unseen_withdrawal_note("Releasing", kept.as_deref());
            let _ = recorder.set_item(&at, &e.who, &e.item, ItemState::Open, Some(&note), None);
            self.withdrawn.insert(e.item.clone());
            self.unseen_withdrawn.insert(e.item.clone());
        }
    }

    /// Keeps the sign-offs either side gave that the replay did not withdraw, and
    /// lists where the two people disagree: an item both changed apart, a sign-off
    /// withdrawn, two notes or reasons for the same state, two values of a field.
    fn settle(&mut self, a: &Evidence, b: &Evidence, checklist: &Checklist) -> Vec<Conflict> {
        let mut conflicts = Vec::new();
        let seen = Seen::new(a, b);
        for item in checklist.all_items() {
            let (sa, sb) = (final_state(a, &item.id), final_state(b, &item.id));
            if sa == sb {
                if let Some(c) = self.worded_apart(a, b, item, &seen) {
                    conflicts.push(c);
                }
                continue;
            }
            let signed = [a, b].into_iter().find(|e| {
                item.kind == ItemKind::Signoff && final_state(e, &item.id) == Some(ItemState::Done)
            });
            let merged = self.recorder.state.items.get(&item.id).copied();
            let resolution = match signed {
                Some(e) if merged != Some(ItemState::Done) => self.keep_signoff(item, e),
                Some(_) => "sign-off kept".to_owned(),
                None => format!(
                    "later change wins: {}",
                    merged.map_or("open", ItemState::label)
                ),
            };
            // Only where both people changed the item is it a conflict; an item one side
            // left alone simply takes the other side's change.
            let taken_back = self.withdrawn.contains(&item.id) && merged != Some(ItemState::Done);
            if seen.apart_state(&item.id) || taken_back {
                conflicts.push(Conflict {
                    item: item.id.clone(),
                    ours: side(a, &item.id),
                    theirs: side(b, &item.id),
                    resolution,
                });
            }
        }
        // Fields too: two people who wrote different values, one of which replaced the
        // other, went unmentioned before.
        let value = |e: &Evidence, id: &str| {
            e.fields
                .iter()
                .find(|f| f.id == id)
                .map(|f| f.value.clone())
                .filter(|v| !v.is_empty())
        };
        for f in &a.fields {
            if let (Some(x), Some(y)) = (value(a, &f.id), value(b, &f.id)) {
                if x != y && seen.apart(&f.id) {
                    let merged = self
                        .recorder
                        .state
                        .fields
                        .get(&f.id)
                        .cloned()
                        .unwrap_or_default();
                    conflicts.push(Conflict {
                        item: f.id.clone(),
                        ours: format!("{x:?}"),
                        theirs: format!("{y:?}"),
                        resolution: format!("later change wins: {merged:?}"),
                    });
                }
            }
        }
        conflicts
    }

    /// The same state with different words: two notes or two N/A reasons written
    /// apart, one of which the later change replaced.
    fn worded_apart(
        &self,
        a: &Evidence,
        b: &Evidence,
        item: &Item,
        seen: &Seen<'_>,
    ) -> Option<Conflict> {
        let record = |e: &Evidence| e.items.iter().find(|i| i.id == item.id).cloned();
        let (ra, rb) = (record(a)?, record(b)?);
        let worded = |r: &ItemRecord| (r.note.clone(), r.na_reason.clone());
        if ra.who.is_none() || rb.who.is_none() || worded(&ra) == worded(&rb) {
            return None;
        }
        if !seen.apart(&item.id) {
            return None;
        }
        let state = &self.recorder.state;
        let said = [
            state.reasons.get(&item.id).map(|r| format!("N/A: {r:?}")),
            state.notes.get(&item.id).map(|n| format!("note {n:?}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        Some(Conflict {
            item: item.id.clone(),
            ours: side(a, &item.id),
            theirs: side(b, &item.id),
            resolution: format!("later change wins: {said}"),
        })
    }

    /// A sign-off `e` gave that the merged run does not: given again, unless the
    /// merge or a file withdrew it for a reason that still holds. Returns the
    /// resolution to list.
    fn keep_signoff(&mut self, item: &Item, e: &Evidence) -> String {
        let note = self.recorder.state.notes.get(&item.id);
        if self.unseen_withdrawn.contains(&item.id) {
            return "sign-off withdrawn: given without seeing a change in the other file"
                .to_owned();
        }
        if self.withdrawn.contains(&item.id) {
            return "sign-off withdrawn: an item or field changed after it was given".to_owned();
        }
        // Taken back by the rule in one of the files (its note says so), not by a
        // person: the change that withdrew it still stands, and so must the
        // withdrawal, however often a file from before it is merged in again.
        if let Some(note) = note.filter(|n| crate::run::withdrawal_subject(n).is_some()) {
            return format!(
                "sign-off withdrawn: {:?} {}",
                crate::run::withdrawal_subject(note).unwrap_or_default(),
                crate::run::withdrawal_words(note)
            );
        }
        // Given without the "Releasing" digest the other file names: not kept for a
        // release its signer never saw (see `withdraw_unseen_subject`).
        if e.subject.is_none() && self.recorder.subject.is_some() {
            return "sign-off not kept: given without the \"Releasing\" digest the other file names"
                .to_owned();
        }
        // The later change on the other side took a given sign-off back; keep it.
        let signed_at = e
            .signoffs
            .iter()
            .find(|s| s.item == item.id)
            .map(|s| s.signed_at.clone())
            .unwrap_or_default();
        // Given again after the change that took it back, so no earlier than the log's
        // last event: a page importing the file replays its log in time order, and a
        // sign-off dated at its first giving would be taken back again there by the
        // later change, leaving the run unsigned where the file says signed.
        let at = match self.recorder.events.last() {
            Some(last) if instant(&last.at).ok() > instant(&signed_at).ok() => last.at.clone(),
            _ => signed_at,
        };
        let who = e
            .items
            .iter()
            .find(|i| i.id == item.id)
            .and_then(|i| i.who.clone())
            .unwrap_or_default();
        for f in &item.fields {
            if let Some(v) = e
                .fields
                .iter()
                .find(|x| x.id == f.id)
                .filter(|x| !x.value.is_empty())
            {
                let _ = self.recorder.set_field(&at, &who, &f.id, &v.value);
            }
        }
        let _ = self
            .recorder
            .set_item(&at, &who, &item.id, ItemState::Done, None, None);
        "sign-off kept".to_owned()
    }
}

/// A log event as the other file would hold it had its author seen it.
type Key<'e> = (
    &'e str,
    &'e str,
    &'e str,
    &'e str,
    Option<&'e str>,
    Option<&'e str>,
);

fn key(e: &LogEvent) -> Key<'_> {
    (
        &e.item,
        &e.at,
        &e.who,
        &e.to,
        e.note.as_deref(),
        e.reason.as_deref(),
    )
}

/// Which changes each file's log holds. A change the other side's log holds too was
/// seen there before it went on (Bob imported Alice's file, then changed her N/A to
/// done): that is an edit, not a conflict. Only where each side has a change to an
/// item the other never saw did two people change it apart.
struct Seen<'e> {
    a: &'e Evidence,
    b: &'e Evidence,
    in_a: FastSet<Key<'e>>,
    in_b: FastSet<Key<'e>>,
}

impl<'e> Seen<'e> {
    fn new(a: &'e Evidence, b: &'e Evidence) -> Self {
        Self {
            a,
            b,
            in_a: a.events.iter().map(key).collect(),
            in_b: b.events.iter().map(key).collect(),
        }
    }

    fn unseen(mine: &Evidence, theirs: &FastSet<Key<'_>>, id: &str, states_only: bool) -> bool {
        mine.events
            .iter()
            .any(|e| e.item == id && !(states_only && is_note_only(e)) && !theirs.contains(&key(e)))
    }

    /// Both changed `id` without seeing the other's change.
    fn apart(&self, id: &str) -> bool {
        Self::unseen(self.a, &self.in_b, id, false) && Self::unseen(self.b, &self.in_a, id, false)
    }

    /// Both set `id`'s state without seeing the other's: of the state, only changes
    /// that set it count, so a note edited on one side while the other marked the item
    /// N/A is no disagreement about its state.
    fn apart_state(&self, id: &str) -> bool {
        Self::unseen(self.a, &self.in_b, id, true) && Self::unseen(self.b, &self.in_a, id, true)
    }
}

/// `state, reason "…", note "…" (who, when)` of `id` in one file, for a conflict's
/// sides: the words too, since two notes for one state are a conflict of their own
/// and the one the merge did not keep is read nowhere else.
fn side(e: &Evidence, id: &str) -> String {
    e.items.iter().find(|i| i.id == id).map_or_else(
        || "missing".to_owned(),
        |i| {
            let mut said = i.state.label().to_owned();
            if let Some(reason) = &i.na_reason {
                said.push_str(&format!(", reason {reason:?}"));
            }
            if let Some(note) = &i.note {
                said.push_str(&format!(", note {note:?}"));
            }
            format!(
                "{said} ({}, {})",
                i.who.as_deref().unwrap_or("-"),
                i.when.as_deref().unwrap_or("-")
            )
        },
    )
}

/// A change with its instant and its key across logs (see [`change_key`]).
type TimedChange<'e> = (time::OffsetDateTime, String, &'e LogEvent);

/// A log's changes with their instants and keys, in the log's order: time order,
/// since both files were verified first and a verified log goes forward in time.
fn timed_changes(e: &Evidence) -> Result<Vec<TimedChange<'_>>, MergeError> {
    // The same change made twice in one second (tick, untick, tick) is two changes:
    // each key counts which time it is, so only the same occurrence in the other log
    // matches it.
    let mut times: IdMap<usize> = IdMap::default();
    e.events
        .iter()
        .map(|e| {
            let mut key = change_key(e);
            let n = times.entry(key.clone()).or_default();
            *n += 1;
            if *n > 1 {
                key.push_str(&format!("#{n}"));
            }
            Ok((instant(&e.at)?, key, e))
        })
        .collect()
}

/// For each change of a log (`changes`, from [`timed_changes`]), the note its item had
/// just before in that log: the note its author saw.
fn notes_before<'e>(changes: &[TimedChange<'e>]) -> IdMap<Option<&'e str>> {
    let mut last: IdMap<Option<&'e str>> = IdMap::default();
    let mut out = IdMap::default();
    for (_, key, ev) in changes {
        out.insert(key.clone(), last.get(&ev.item).copied().flatten());
        last.insert(ev.item.clone(), ev.note.as_deref());
    }
    out
}

/// A change's identity across logs: who made what, when, and whether it set a state
/// or only wrote a note; each part prefixed with its length, so no two different
/// changes share a key. Of the words it carries, only those a merge logs as they were
/// written: an N/A reason set with a state, or the note a note-only change wrote. Two
/// people named alike (both "anonymous") marking one item N/A in the same second, each
/// with a reason, made two changes, not one.
///
/// Not `from`: that is the state the change met, which a log that took the change in
/// from another file may have had otherwise (Bo's date, set a minute before Ana's by
/// the clock, is what her change replaced in his log and not in hers), and the change
/// is still the one she made. Nor a state change's note, which a merge may log as the
/// note the other person wrote meanwhile (see `Replay::apply`).
fn change_key(e: &LogEvent) -> String {
    let (kind, words) = if is_note_only(e) {
        ("note", e.note.as_deref())
    } else {
        ("set", e.reason.as_deref())
    };
    [
        e.at.as_str(),
        &e.who,
        &e.item,
        &e.to,
        kind,
        words.unwrap_or(""),
    ]
    .iter()
    .fold(String::new(), |mut key, part| {
        key.push_str(&part.len().to_string());
        key.push(':');
        key.push_str(part);
        key
    })
}

/// Both files' orphans, each once, in time order; ties ordered by content, so that
/// merging a with b and b with a give the same file. Both files hold (checked above),
/// so every time parses.
fn merge_orphans(a: &Evidence, b: &Evidence) -> Vec<Orphan> {
    let mut all: Vec<&Orphan> = a.orphans.iter().chain(&b.orphans).collect();
    all.sort_by_cached_key(|o| {
        let kind = o.kind == OrphanKind::Field;
        (
            instant(&o.at).ok(),
            (&o.id, kind, &o.to, &o.who, &o.note, &o.reason, &o.at),
        )
    });
    all.dedup();
    all.into_iter().cloned().collect()
}

fn final_state(e: &Evidence, id: &str) -> Option<ItemState> {
    e.items.iter().find(|i| i.id == id).map(|i| i.state)
}
