//! Storage faults and other tabs: writing changes, the warnings when storage
//! refuses them, corrupt values kept aside, a changed source, and `storage` events.

use super::*;

impl Page {
    pub(super) fn persist(&self, changes: &[checkdown_core::run::Change]) {
        let run = self.shown.borrow().id.clone();
        let mut refused = false;
        for c in changes {
            if let Err(err) = self.store.save(&run, c) {
                web_sys::console::warn_1(&format!("checkdown: {err}").into());
                self.storage_warning();
                refused = true;
            }
        }
        if !changes.is_empty() {
            self.note_worked_on();
        }
        if !refused {
            self.sync_storage_warning();
        }
        // Evidence that says "anonymous" proves little; say so at the first change
        // rather than ask for a name before anyone has done anything.
        if !changes.is_empty() && self.store.who().trim().is_empty() {
            if self.quiet.get() {
                self.later.borrow_mut().hint = true;
            } else {
                self.who_hint(true);
            }
        }
    }

    /// Room again, and what waited was written: the warning is over.
    pub(super) fn sync_storage_warning(&self) {
        if !self.store.pending() {
            if let Some(w) = self.q("[data-storage-warning]") {
                let _ = w.set_attribute("hidden", "");
            }
        }
    }

    pub(super) fn storage_warning(&self) {
        if let Some(w) = self.q("[data-storage-warning]") {
            show(&w);
        }
    }

    pub(super) fn report_corrupt(&self, corrupt: &[String]) {
        if corrupt.is_empty() {
            return;
        }
        let values = plural(corrupt.len(), "saved value", "saved values");
        let were = if corrupt.len() == 1 { "was" } else { "were" };
        // A full store refused the copy: the value is left where it is, and nothing
        // is written over it until the copy is in.
        if self.store.backups_wait() {
            self.storage_warning();
            let it = if corrupt.len() == 1 {
                "it is"
            } else {
                "they are"
            };
            self.say(&format!(
                "{values} could not be read. Storage is full, so {it} left where {it} until there is room to keep a copy aside under checkdown:backup: keys; nothing was deleted."
            ));
        } else {
            self.say(&format!(
                "{values} could not be read and {were} kept aside under checkdown:backup: keys; nothing was deleted."
            ));
        }
    }

    /// When the checklist changed since the run started: say what changed, keep all.
    /// Saved values it finds unreadable (and keeps aside) are added to `corrupt`.
    pub(super) fn report_source_change(&self, corrupt: &mut Vec<String>) {
        let run = self.shown.borrow().clone();
        let outline = self.store.outline(&run.id, corrupt);
        let items = self.checklist.all_items();
        let now = positions(&items, |i| &i.id);
        // The same source can still give other IDs: a newer checkdown may read a line
        // differently. Progress saved under the old IDs is then orphaned, and says so.
        let same = run.source_sha256 == self.checklist.source_sha256
            && outline
                .as_ref()
                .is_none_or(|old| old.iter().all(|(id, _)| now.contains_key(id.as_str())));
        // An imported run may still hold orphans made on an earlier version.
        if same && self.session.borrow().orphans().is_empty() {
            // A run started on this version: the notice about the run left behind goes.
            if let Some(n) = self.q("[data-source-changed]") {
                n.set_text_content(None);
                let _ = n.set_attribute("hidden", "");
            }
            return;
        }
        let session = self.session.borrow();
        // Lists follow the page's order: the checklist's for what is there now, the
        // saved outline's for what was removed.
        let mut parts = Vec::new();
        // From the same file, an item named anew has the same text: listing it as
        // removed and added would say it changed. The orphans below name them.
        let same_source = run.source_sha256 == self.checklist.source_sha256;
        if let Some(old) = outline.as_ref().filter(|_| !same_source) {
            let old_ids = positions(old, |(id, _)| id);
            let added: Vec<&str> = items
                .iter()
                .filter(|i| !old_ids.contains_key(i.id.as_str()))
                .map(|i| i.text.as_str())
                .collect();
            let reworded: Vec<&str> = items
                .iter()
                .filter(|i| {
                    old_ids
                        .get(i.id.as_str())
                        .is_some_and(|&n| old[n].1 != i.text)
                })
                .map(|i| i.text.as_str())
                .collect();
            let mut removed: Vec<&str> = old
                .iter()
                .filter(|(id, _)| !now.contains_key(id.as_str()))
                .map(|(_, t)| t.as_str())
                .collect();
            // An item under another heading has another ID, with the same words: it
            // moved, which "added" and "removed" both would misreport.
            let gone: checkdown_core::evidence::FastSet<&str> = removed.iter().copied().collect();
            let (moved, added): (Vec<&str>, Vec<&str>) =
                added.into_iter().partition(|t| gone.contains(t));
            removed.retain(|t| !moved.contains(t));
            for (what, list) in [
                ("added", added),
                ("reworded", reworded),
                (
                    "moved (its progress is kept aside, as for a removed item)",
                    moved,
                ),
                ("removed", removed),
            ] {
                if !list.is_empty() {
                    parts.push(format!("{what}: {}", list.join("; ")));
                }
            }
        }
        // Named as people knew them, from the outline the run saved; the ID only when
        // the run kept no outline (runs older than outlines).
        let old_texts = outline
            .as_ref()
            .map(|old| positions(old, |(id, _)| id))
            .unwrap_or_default();
        let mut orphans: Vec<String> = Vec::new();
        let mut seen = checkdown_core::evidence::FastSet::default();
        for c in session.orphans() {
            // A field's ID is its item's and then its own: `“QA Lead” (name)`.
            let field_of = || {
                let (item, field) = c.target.rsplit_once('.')?;
                Some((*old_texts.get(item)?, field))
            };
            let name = match (outline.as_ref(), old_texts.get(c.target.as_str())) {
                (Some(old), Some(&n)) => format!("“{}”", old[n].1),
                (Some(old), None) => match field_of() {
                    Some((n, field)) => format!("“{}” ({field})", old[n].1),
                    None => c.target.clone(),
                },
                _ => c.target.clone(),
            };
            if seen.insert(name.clone()) {
                orphans.push(name);
            }
        }
        let mut text = if same {
            "This run holds progress from an earlier version of this checklist, on items it no longer has."
        } else if same_source {
            // The file is the same: a newer checkdown names some items differently.
            "This page names some items differently than when the run started (checkdown was updated; the checklist itself did not change). Progress on the others is kept."
        } else {
            "This checklist changed since the run started. Progress on unchanged items is kept."
        }
        .to_owned();
        if !parts.is_empty() {
            text.push_str(&format!(" {}.", parts.join(". ")));
        }
        if !orphans.is_empty() {
            // Named up to a point: a file may carry thousands.
            const NAMED: usize = 12;
            let more = orphans.len().saturating_sub(NAMED);
            orphans.truncate(NAMED);
            if more > 0 {
                orphans.push(format!("and {more} more"));
            }
            text.push_str(&format!(
                " Progress on removed items is kept in the run, and in evidence exported from it, as orphaned: {}.",
                orphans.join(", ")
            ));
        }
        // Shown against this version, the run reads as unfinished; how it ended, and
        // what an export of it writes, are what the person came for.
        if self.is_stale(&run) {
            if let Some(outcome) = run.outcome {
                text.push_str(&format!(
                    " When it was archived it was {}.",
                    outcome.describe()
                ));
            }
            text.push_str(if self.store.evidence(&run.id, corrupt).is_some() {
                " Export writes its evidence as it was then."
            } else {
                " This page cannot export it as it was: use the evidence file exported back then."
            });
        }
        if let Some(n) = self.q("[data-source-changed]") {
            n.set_text_content(Some(&text));
            show(&n);
        }
    }

    /// A run carried onto this version of the checklist: each sign-off given on an
    /// earlier one whose own line this version words otherwise is taken back (see
    /// `Session::withdraw_reworded`), and the page says so. The outline then holds the
    /// sign-offs' texts of this version, so one given again here stands on the next
    /// visit, and after a further edit is compared with what it was given for.
    pub(super) fn settle_reworded_signoffs(&self) {
        let run = self.shown.borrow().clone();
        // The version the run was last worked on, not the one it started on: a run
        // taken back to the version it started on was signed on another meanwhile.
        let version = run.worked_on.as_ref().unwrap_or(&run.source_sha256);
        if run.archived || *version == self.checklist.source_sha256 {
            return;
        }
        // One that does not parse was reported by `report_source_change`.
        let Some(mut outline) = self.store.outline(&run.id, &mut Vec::new()) else {
            return;
        };
        let made = self
            .session
            .borrow_mut()
            .withdraw_reworded(&outline, &self.who());
        let mut settled = false;
        for (id, text) in &mut outline {
            let item = self.session.borrow().item(id);
            if let Some(item) = item.filter(|i| i.kind == ItemKind::Signoff && i.text != *text) {
                text.clone_from(&item.text);
                settled = true;
            }
        }
        // A sign-off this version added is recorded too, so that a later rewording of
        // it is compared with the wording it was given for.
        let known: checkdown_core::evidence::KeySet =
            outline.iter().map(|(id, _)| id.clone()).collect();
        for item in self.checklist.all_items() {
            if item.kind == ItemKind::Signoff && !known.contains(&item.id) {
                outline.push((item.id.clone(), item.text.clone()));
                settled = true;
            }
        }
        if settled && self.store.save_outline(&run.id, &outline).is_err() {
            self.storage_warning();
        }
        if made.is_empty() {
            return;
        }
        self.persist(&made);
        for c in &made {
            self.render_changed(&c.target);
        }
        self.render_summary();
        let names: Vec<String> = made.iter().map(|c| self.name_of(&c.target)).collect();
        let mut changed: Vec<&str> = made
            .iter()
            .filter_map(|c| match &c.what {
                What::Item { note: Some(n), .. } => checkdown_core::run::withdrawal_subject(n),
                _ => None,
            })
            .collect();
        changed.dedup();
        self.say(&reworded_message(&names, &changed));
    }

    pub(super) fn on_storage(&self, key: &str, value: Option<String>) {
        if self.store.is_runs_key(key) {
            self.on_runs_changed();
            return;
        }
        let prefix = self.store.change_prefix(&self.shown.borrow().id);
        if !key.starts_with(&prefix) {
            return;
        }
        let Some(change) = value.and_then(|v| crate::json::from_str(&v).ok()) else {
            return;
        };
        let change: checkdown_core::run::Change = change;
        let target = change.target.clone();
        // The field being typed into is left alone while what was typed there waits
        // to be saved. Once saved, it shows another tab's value like any other field,
        // or its stale value would be written back over it at the next keystroke.
        let typing = self.document.active_element().is_some_and(|a| {
            self.fields.iter().any(|(id, input)| {
                *input == a && input_value(input) != self.session.borrow().field(id)
            })
        });
        // A sign-off another tab's change took back is news here too, where it may
        // have been given.
        if let What::Item {
            to: ItemState::Open,
            note: Some(note),
            ..
        } = &change.what
        {
            if let (Some(subject), true) = (
                checkdown_core::run::withdrawal_subject(note),
                self.session.borrow().item_state(&target) == ItemState::Done,
            ) {
                let role = self
                    .session
                    .borrow()
                    .item(&target)
                    .map_or_else(|| target.clone(), |i| item_name(i).to_owned());
                self.say(&format!(
                    "Sign-off withdrawn in another tab ({role}): \u{201c}{subject}\u{201d} changed after it was given."
                ));
            }
        }
        self.session.borrow_mut().apply(change);
        self.render_changed(&target);
        self.render_fields(typing);
        self.render_summary();
        // An open run list says how the run stands: so it must as the other tab works.
        if self.q("details.runs[open]").is_some() {
            self.render_runs();
        }
    }
}
