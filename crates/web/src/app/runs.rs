//! Runs: the run list, viewing an archived run read-only, starting a new run,
//! renaming, and the evidence each run keeps.

use super::*;

impl Page {
    pub(super) fn render_runs(&self) {
        let Some(list) = self.q("[data-runs]") else {
            return;
        };
        self.fill_outcomes();
        list.set_inner_html("");
        let index = self.index.borrow();
        // Newest first by when each run started: a finished run restored from a file
        // later is last release's run, and goes below this release's.
        // (Started in the same second, the later added is the newer.)
        let mut runs: Vec<(usize, &RunMeta)> = index.runs.iter().enumerate().collect();
        runs.sort_by_cached_key(|(n, r)| {
            std::cmp::Reverse((checkdown_core::run::moment(&r.started), *n))
        });
        for (_, run) in runs {
            let Ok(li) = self.document.create_element("li") else {
                continue;
            };
            let current = run.id == index.current;
            // The current run's state is worked out live: from the shown session, or,
            // while an archived run is open, from its saved changes.
            let outcome = match (current, self.read_only()) {
                (true, false) => Some(Outcome::of(&self.session.borrow())),
                (true, true) => Some(Outcome::of(&Session::new(
                    self.checklist,
                    self.store.load(&run.id).changes,
                ))),
                (false, _) => run.outcome,
            };
            let label = format!(
                "{} (started {}){}{}",
                run.name,
                local_time(&run.started),
                outcome
                    .map(|o| format!(": {}", o.describe()))
                    .unwrap_or_default(),
                if current { ", current" } else { "" }
            );
            if let Ok(span) = self.document.create_element("span") {
                span.set_text_content(Some(&label));
                let _ = li.append_child(&span);
            }
            for (action, text) in [
                ("open-run", "Open"),
                ("export-run", "Export"),
                ("delete-run", "Delete"),
            ] {
                if current && action != "export-run" {
                    continue;
                }
                if let Ok(b) = self.document.create_element("button") {
                    let _ = b.set_attribute("type", "button");
                    let _ = b.set_attribute("data-action", action);
                    let _ = b.set_attribute("data-run", &run.id);
                    let _ = b.set_attribute("aria-label", &format!("{text} run {}", run.name));
                    b.set_text_content(Some(text));
                    let _ = li.append_child(&b);
                }
            }
            let _ = list.append_child(&li);
        }
    }

    /// Works out, once, how archived runs saved without an outcome ended.
    pub(super) fn fill_outcomes(&self) {
        let mut index = self.index.borrow_mut();
        let mut filled = false;
        for run in index
            .runs
            .iter_mut()
            .filter(|r| r.archived && r.outcome.is_none())
        {
            let loaded = self.store.load(&run.id);
            run.outcome = Some(Outcome::of(&Session::new(self.checklist, loaded.changes)));
            filled = true;
        }
        if filled && self.store.save_runs(&index).is_err() {
            self.storage_warning();
        }
    }

    /// Shows another run (the current one, or an archived one read-only).
    pub(super) fn show_run(&self, run: RunMeta) {
        // Typing not yet saved was meant for the run being left, and is saved there,
        // even when another tab has just archived it: landing in the run shown next
        // would put one run's sign-off name into another's evidence, and dropping it
        // would lose it.
        let mut due = Vec::new();
        self.timers.borrow_mut().retain(|(key, _)| {
            let field = self.fields.iter().find(|(id, _)| id == key);
            if let Some(f) = field {
                due.push(f.clone());
            }
            field.is_none()
        });
        let mut kept = 0;
        for (id, input) in &due {
            kept += self.keep_typed(|s| s.set_field(&now(), &self.who(), id, &input_value(input)));
        }
        // So is an open item dialog, or what one held when the browser closed it: it
        // goes into that run too, the state chosen if the rules allow it, the note in
        // any case.
        let draft = self.draft.borrow_mut().take();
        if let Some(d) = draft {
            let typed = DialogValues {
                state: d.state,
                note: d.note,
                reason: d.reason,
            };
            kept += self.keep_item(&d.item, &typed, &d.opened);
        }
        if let Some(dialog) = self
            .q("[data-item-dialog]")
            .and_then(|d| el::<web_sys::HtmlDialogElement>(&d))
            .filter(|d| d.open())
        {
            if self.dialog_edited() {
                kept += self.keep_dialog();
            }
            let _ = dialog.remove_attribute("data-for");
            dialog.close();
        }
        if kept > 0 {
            self.note_left_run_outcome();
        }
        let left = self.shown.borrow().name.clone();
        let loaded = self.store.load(&run.id);
        *self.session.borrow_mut() = Session::new(self.checklist, loaded.changes);
        *self.shown.borrow_mut() = run;
        // A message about the run left behind would read as news about this one.
        self.say(&if kept > 0 {
            format!("What you were typing was saved to \"{left}\", which you left.")
        } else {
            String::new()
        });
        self.render_all(true);
        let mut corrupt = loaded.corrupt;
        self.report_source_change(&mut corrupt);
        self.report_corrupt(&corrupt);
        self.settle_reworded_signoffs();
    }

    /// The run list shows an archived run as it stood when archived; the run left
    /// by a switch changed after that, with what was typed into it.
    pub(super) fn note_left_run_outcome(&self) {
        let id = self.shown.borrow().id.clone();
        let outcome = Outcome::of(&self.session.borrow());
        let mut index = self.index.borrow_mut();
        let mut changed = false;
        for r in index
            .runs
            .iter_mut()
            .filter(|r| r.id == id && r.outcome.is_some())
        {
            r.outcome = Some(outcome);
            changed = true;
        }
        if changed {
            let _ = self.store.save_runs(&index);
            let left = index.runs.iter().find(|r| r.id == id).cloned();
            drop(index);
            if let Some(run) = left {
                self.keep_evidence(&run);
            }
        }
    }

    /// After the person switched runs: the button they pressed may be gone or disabled
    /// now, so focus goes where the change is told, to be read out and continued from.
    pub(super) fn focus_run_view(&self) {
        let target = if self.read_only() {
            self.q("[data-readonly]")
        } else {
            self.q("#checkdown-run-title")
        };
        if let Some(t) = target.and_then(|t| el::<HtmlElement>(&t)) {
            let _ = t.focus();
        }
    }

    /// Whether `run` is archived and was made on an earlier version of the checklist:
    /// this page cannot re-create its evidence (the items it was made on are gone).
    pub(super) fn is_stale(&self, run: &RunMeta) -> bool {
        let version = run.worked_on.as_ref().unwrap_or(&run.source_sha256);
        run.archived && *version != self.checklist.source_sha256
    }

    /// The evidence to export for `run`: `Ok(None)` when this page makes it (the run
    /// is on this version), the copy kept when it was archived for one made on an
    /// earlier version, and `Err` (said on the page) when there is none: a file that
    /// holds for neither version is not written.
    pub(super) fn archived_evidence(&self, run: &RunMeta) -> Result<Option<Evidence>, ()> {
        if !self.is_stale(run) {
            return Ok(None);
        }
        let mut corrupt = Vec::new();
        match self.store.evidence(&run.id, &mut corrupt) {
            Some(evidence) => Ok(Some(evidence)),
            None if !corrupt.is_empty() => {
                self.say(&format!(
                    "The evidence kept for \"{}\" could not be read; it was kept aside under checkdown:backup: keys and nothing was deleted. Use the evidence file exported back then.",
                    run.name
                ));
                Err(())
            }
            None => {
                self.say(&format!(
                    "\"{}\" was made on an earlier version of this checklist, so this page cannot export it as it was. Use the evidence file exported back then.",
                    run.name
                ));
                Err(())
            }
        }
    }

    /// Keeps `run`'s evidence as this version of the checklist makes it, for when the
    /// checklist has changed (see [`Page::archived_evidence`]). Runs made on another
    /// version are not this page's to make; a full store is said by the next write.
    pub(super) fn keep_evidence(&self, run: &RunMeta) {
        let version = run.worked_on.as_ref().unwrap_or(&run.source_sha256);
        if *version != self.checklist.source_sha256 {
            return;
        }
        let evidence = if self.shown.borrow().id == run.id {
            self.shown_evidence()
        } else {
            self.evidence_for(run)
        };
        // Refused (a full store), the run could not be exported as it was once the
        // checklist changes: said now, while there is time to free space or export.
        if self
            .store
            .save_evidence(&run.id, &crate::json::to_string(&evidence))
            .is_err()
        {
            self.storage_warning();
        }
    }

    /// Archived runs of this version that have no evidence kept yet (archived before
    /// pages kept it): kept now, while this version can still make it.
    pub(super) fn keep_archived_evidence(&self) {
        let runs: Vec<RunMeta> = self
            .index
            .borrow()
            .runs
            .iter()
            .filter(|r| r.archived && !self.is_stale(r))
            .cloned()
            .collect();
        for run in runs {
            if !self.store.has_evidence(&run.id) {
                self.keep_evidence(&run);
            }
        }
    }

    pub(super) fn evidence_for(&self, run: &RunMeta) -> Evidence {
        let loaded = self.store.load(&run.id);
        let mut evidence = Session::new(self.checklist, loaded.changes).evidence(Run {
            id: run.id.clone(),
            name: run.name.clone(),
            started: run.started.clone(),
            completed: None,
        });
        evidence.set_subject(run.subject.clone());
        evidence
    }

    /// Archives the current run and starts the next ("Start new run", once confirmed).
    pub fn start_new_run(&self) {
        // What was typed a moment ago belongs in the evidence kept below.
        self.flush_fields();
        let archived = self.run_by_id(&self.index.borrow().current);
        if let Some(run) = archived {
            self.keep_evidence(&run);
        }
        let mut index = self.index.borrow_mut();
        let current = index.current.clone();
        let shown = self.shown.borrow().id.clone();
        for r in &mut index.runs {
            if r.id == current {
                r.archived = true;
                if r.id == shown {
                    r.outcome = Some(Outcome::of(&self.session.borrow()));
                }
            }
        }
        let n = index.runs.len() + 1;
        let run = new_run_meta(self.checklist, &format!("Run {n}, {}", today()));
        index.current = run.id.clone();
        index.runs.push(run.clone());
        if self.store.save_runs(&index).is_err() {
            self.storage_warning();
        }
        // Refused (a full store), a later version of the page could not say what
        // changed under this run: warned, and written again on a later visit.
        if self
            .store
            .save_outline(&run.id, &outline_of(self.checklist))
            .is_err()
        {
            self.storage_warning();
        }
        drop(index);
        self.show_run(run);
        self.say("Started a new run; the previous one is archived under All runs.");
        if let Some(name) = self
            .q("[data-run-name]")
            .and_then(|e| el::<HtmlElement>(&e))
        {
            let _ = name.focus();
        }
    }

    pub(super) fn rename_run(&self, name: &str) {
        if self.read_only() || name.trim().is_empty() {
            return;
        }
        let mut index = self.index.borrow_mut();
        let current = index.current.clone();
        if let Some(r) = index.runs.iter_mut().find(|r| r.id == current) {
            r.name = name.trim().to_owned();
        }
        let saved = self.store.save_runs(&index);
        self.shown.borrow_mut().name = name.trim().to_owned();
        drop(index);
        self.render_runs();
        match saved {
            Ok(()) => self.sync_storage_warning(),
            Err(_) => self.storage_warning(),
        }
    }

    pub(super) fn run_by_id(&self, id: &str) -> Option<RunMeta> {
        self.index
            .borrow()
            .runs
            .iter()
            .find(|r| r.id == id)
            .cloned()
    }

    /// A change saved by another tab of the same checklist.
    /// Another tab changed the list of runs: started, imported, renamed or deleted
    /// one. A tab on the current run follows a new one, so its ticks never land in a
    /// run the other tab archived.
    pub(super) fn on_runs_changed(&self) {
        let mut corrupt = Vec::new();
        let Some(index) = self.store.runs(&mut corrupt) else {
            return;
        };
        let following = !self.read_only();
        let moved = index.current != self.index.borrow().current;
        let current = index.current.clone();
        *self.index.borrow_mut() = index;
        let shown = self.shown.borrow().id.clone();
        if following && moved {
            if let Some(run) = self.run_by_id(&current) {
                self.show_run(run);
                // After what the switch said of typing it saved, if anything.
                let saved = self.message();
                self.say(
                    format!("Another tab started a new run; this page now shows it. {saved}")
                        .trim_end(),
                );
            }
        } else if let Some(run) = self.run_by_id(&shown) {
            *self.shown.borrow_mut() = run;
            self.render_all(false);
        } else if let Some(run) = self.run_by_id(&current) {
            // The run this tab showed was deleted elsewhere.
            self.show_run(run);
        }
    }

    /// On a first visit, progress saved for this very checklist under another ID (the
    /// file was renamed or moved, and its ID is its path) is offered, not left where
    /// no page leads. Offered, not taken: two files with one text may be two
    /// checklists.
    pub(super) fn offer_runs_elsewhere(&self) {
        let others = self.store.runs_elsewhere(&self.checklist.source_sha256);
        let (Some(other), Some(notice)) = (others.first(), self.q("[data-source-changed]")) else {
            return;
        };
        notice.set_text_content(Some(&format!(
            "Runs of this same checklist were saved in this browser under \u{201c}{other}\u{201d}, before its file was renamed or moved. "
        )));
        if let Ok(b) = self.document.create_element("button") {
            let _ = b.set_attribute("type", "button");
            let _ = b.set_attribute("data-action", "take-runs");
            let _ = b.set_attribute("data-run", other);
            b.set_text_content(Some("Bring them here"));
            let _ = notice.append_child(&b);
        }
        show(&notice);
    }
}
