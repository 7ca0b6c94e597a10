//! Evidence in and out: export, download, the "Releasing" digest, and import
//! (restore or merge), which checks a file before anything changes.

use super::*;

impl Page {
    /// The shown run's evidence as the export writes it.
    pub fn export_json(&self) -> String {
        crate::json::to_string_pretty(&self.shown_evidence())
    }

    pub(super) fn shown_evidence(&self) -> Evidence {
        let run = self.shown.borrow().clone();
        let mut evidence = self.session.borrow().evidence(Run {
            id: run.id,
            name: run.name,
            started: run.started,
            completed: None,
        });
        evidence.set_subject(run.subject);
        evidence
    }

    pub(super) fn download(&self, evidence: &Evidence) {
        let json = crate::json::to_string_pretty(evidence);
        let run = file_slug(&evidence.run.name);
        let date = today();
        // A run is named with its start date by default; exported the same day, the
        // date would be said twice.
        let name = if run.ends_with(&date) {
            format!("{}-{run}.evidence.json", self.checklist.id)
        } else {
            format!("{}-{run}-{date}.evidence.json", self.checklist.id)
        };
        let parts = js_sys::Array::of1(&JsValue::from_str(&json));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        if let Some(a) = self
            .document
            .create_element("a")
            .ok()
            .and_then(|a| el::<web_sys::HtmlAnchorElement>(&a))
        {
            a.set_href(&url);
            a.set_download(&name);
            // Outside <main>: the synthetic click must not re-enter main's click listener.
            if let Some(body) = self.document.body() {
                let _ = body.append_child(&a);
                a.click();
                a.remove();
            }
        }
        let _ = web_sys::Url::revoke_object_url(&url);
        let mut ids: Vec<&str> = evidence.orphans.iter().map(|o| o.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let orphans = match ids.len() {
            0 => String::new(),
            n => format!(
                " It keeps progress on {} this version no longer has, as orphans.",
                plural(n, "removed item or field", "removed items or fields")
            ),
        };
        self.say(&format!("Exported {name}.{orphans}"));
    }

    /// Says under the "Releasing" box when a digest there is cut short
    /// (`sha256:abc123`): the run still records it, but an in-toto statement needs
    /// the whole digest, and finding out at the end of the pipeline is late.
    pub(super) fn check_subject(&self, digest: &str) {
        let Some(hint) = self.q("#checkdown-run-subject-hint") else {
            return;
        };
        // The template's own words, markup and all, to put back once the digest is whole.
        let usual = hint.get_attribute("data-usual").unwrap_or_else(|| {
            let html = hint.inner_html();
            let _ = hint.set_attribute("data-usual", &html);
            html
        });
        let digest = digest.trim();
        // A version (`v2.4.1`) names the release well enough for verify; an in-toto
        // statement names an artefact by its digest, and refuses one.
        let commit = digest.len() == 40 && digest.bytes().all(|b| b.is_ascii_hexdigit());
        let named_only = (!digest.is_empty() && !digest.contains(':') && !commit).then(|| {
            "kept as the release's name, for verify --require-subject; \
             checkdown export --in-toto needs a digest (sha256:…) or a commit"
                .to_owned()
        });
        let problem = named_only.or_else(|| {
            digest.split_once(':').and_then(|(algo, hex)| {
                let digits = match algo.to_ascii_lowercase().as_str() {
                    "sha1" => 40,
                    "sha256" => 64,
                    "sha384" => 96,
                    "sha512" => 128,
                    _ => return None,
                };
                (hex.len() != digits || !hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
                    format!(
                        "a whole {algo} digest is {digits} hex digits; \
                     checkdown export --in-toto needs all of them"
                    )
                })
            })
        });
        // Asked after every tick: written only when it changes.
        match problem {
            Some(p) if hint.text_content().as_deref() != Some(p.as_str()) => {
                hint.set_text_content(Some(&p));
            }
            None if hint.inner_html() != usual => hint.set_inner_html(&usual),
            _ => {}
        }
    }

    /// Whether a sign-off stands in the shown run.
    pub(super) fn signed(&self) -> bool {
        let session = self.session.borrow();
        self.signoffs
            .iter()
            .any(|id| session.item_state(id) == ItemState::Done)
    }

    /// "Releasing" is what the sign-offs approve: while one stands it cannot change,
    /// or one signed run could be pointed at any release. The log records sign-offs,
    /// not the subject, so this is where it is held.
    pub(super) fn lock_subject(&self) {
        let Some(input) = self
            .q("[data-run-subject]")
            .and_then(|e| el::<HtmlInputElement>(&e))
        else {
            return;
        };
        let locked = self.signed();
        input.set_read_only(self.read_only() || locked);
        if locked {
            if let Some(hint) = self.q("#checkdown-run-subject-hint") {
                if hint.get_attribute("data-usual").is_none() {
                    let _ = hint.set_attribute("data-usual", &hint.inner_html());
                }
                hint.set_text_content(Some(
                    "what the sign-offs approve: withdraw them to change it",
                ));
            }
        } else {
            self.check_subject(&input.value());
        }
    }

    /// What this run releases, as typed: empty means none.
    pub(super) fn set_subject(&self, digest: &str) {
        self.check_subject(digest);
        if self.read_only() || self.signed() {
            return;
        }
        let digest = digest.trim();
        let subject = (!digest.is_empty()).then(|| checkdown_core::evidence::Subject {
            name: self.checklist.id.clone(),
            digest: digest.to_owned(),
        });
        let mut index = self.index.borrow_mut();
        let current = index.current.clone();
        if let Some(r) = index.runs.iter_mut().find(|r| r.id == current) {
            r.subject = subject.clone();
        }
        let saved = self.store.save_runs(&index);
        drop(index);
        match saved {
            Ok(()) => self.sync_storage_warning(),
            Err(_) => self.storage_warning(),
        }
        self.shown.borrow_mut().subject = subject;
    }

    /// Restores or merges a run from an evidence file. Nothing changes unless the
    /// file is valid evidence for this checklist.
    pub fn import(&self, text: &str) -> Result<String, String> {
        self.import_asking(text, &|_| true)
    }

    /// [`Page::import`], asking `confirm` before a file for another run takes the place
    /// of one that has work in it.
    pub fn import_asking(
        &self,
        text: &str,
        confirm: &dyn Fn(&str) -> bool,
    ) -> Result<String, String> {
        // Said in the file's terms, as `checkdown verify` says it: the parser's own
        // words for a wrong file ("missing field `format`" for a list) name none.
        let trimmed = text.trim_start();
        let holds = if trimmed.is_empty() {
            Some("it is empty")
        } else if trimmed.starts_with('[') {
            Some("it holds a list")
        } else if !trimmed.starts_with('{') {
            Some("it is not JSON (an evidence file starts with `{`)")
        } else {
            None
        };
        if let Some(holds) = holds {
            return Err(format!(
                "This is not a checkdown evidence file: {holds}. Export evidence writes one."
            ));
        }
        let evidence: Evidence = crate::json::from_str(text)
            .map_err(|e| format!("This is not a checkdown evidence file ({e})."))?;
        if evidence.format != checkdown_core::evidence::FORMAT {
            return Err("This is not a checkdown evidence file.".into());
        }
        if evidence.version != checkdown_core::evidence::VERSION {
            return Err(format!(
                "This evidence is in format version {}; this page reads version {}.",
                evidence.version,
                checkdown_core::evidence::VERSION
            ));
        }
        if evidence.checklist.id != self.checklist.id {
            return Err(format!(
                "This evidence is for the checklist \"{}\", not this one.",
                evidence.checklist.id
            ));
        }
        // A file from before (or after) the checklist was edited: the page cannot replay
        // that version's rules, but its log still says what people did. It is read as
        // this version's, with progress on items this one lacks kept as orphans, as
        // the page does for a run of its own that it carried across the edit.
        let mut withdrawn = Vec::new();
        let rebased = if evidence.checklist.source_sha256 == self.checklist.source_sha256 {
            if let Some(f) = verify(&evidence, self.checklist, None)
                .into_iter()
                .find(|f| f.kind != FindingKind::Incomplete)
            {
                return Err(format!("This evidence does not hold: {}.", f.message));
            }
            None
        } else {
            match rebase(&evidence, self.checklist) {
                Ok(mut rebased) => {
                    // An archived run is a record: a late file merges into it as it
                    // stood, as opening it read-only changes nothing either.
                    let archived = self.run_by_id(&evidence.run.id).is_some_and(|r| r.archived);
                    if !archived {
                        withdrawn = rebased.withdraw_reworded(self.checklist, &self.who());
                    }
                    Some(rebased)
                }
                Err(findings) => {
                    let why = findings.first().map_or("", |f| f.message.as_str());
                    return Err(format!(
                        "This evidence is for another version of this checklist, and it does not hold: {why}."
                    ));
                }
            }
        };
        // The other version's file as this version's evidence: what is restored or
        // merged, and it must keep this version's rules (a task changed after signing
        // takes the sign-offs back, and so on) as any file must.
        let theirs = match &rebased {
            Some(r) => {
                let again = r.evidence(self.checklist);
                if let Some(f) = verify(&again, self.checklist, None)
                    .into_iter()
                    .find(|f| f.kind != FindingKind::Incomplete)
                {
                    return Err(format!(
                        "This evidence is for another version of this checklist; read as this version's run, it does not hold: {}.",
                        f.message
                    ));
                }
                std::borrow::Cow::Owned(again)
            }
            None => std::borrow::Cow::Borrowed(&evidence),
        };
        let existing = self.run_by_id(&evidence.run.id);
        // A run archived on an earlier version is kept as its evidence was then; this
        // page cannot merge into that (it has not the items it was made on), and
        // merging into its changes instead would replace the copy with this version's.
        if let Some(run) = existing
            .as_ref()
            .filter(|r| self.is_stale(r) && self.store.has_evidence(&r.id))
        {
            return Err(format!(
                "\"{}\" was finished on an earlier version of this checklist, and its evidence is kept as it was then; nothing was changed. To add this file to it, merge the two with checkdown merge against that version's Markdown.",
                run.name
            ));
        }
        let current = self.index.borrow().current.clone();
        let busy = existing.is_none() && !self.store.load(&current).changes.is_empty();
        // A finished run's file (last release's, deleted here, or kept by a colleague)
        // is a record to keep beside the release in progress, not one to take over.
        // Finished as this version reads it: one finished on an earlier version may have
        // new items to do here, and an archived run could not be finished.
        let restore = busy && (theirs.run.completed.is_some() || theirs.validation.complete);
        // Two people who each opened the page have two runs, which do not merge: the
        // file would replace this page's run as the current one. Ask first.
        if busy && !restore {
            let mine = self.run_by_id(&current).map(|r| r.name).unwrap_or_default();
            let question = format!(
                "This file is another run (\"{}\") than this page's (\"{mine}\"), so they cannot merge. \
                 Import it as a run of its own and make it current? \"{mine}\" will be archived. \
                 (To work on one run together, one person starts it and the others import their file before ticking.)",
                evidence.run.name
            );
            if !confirm(&question) {
                return Err("Import cancelled.".into());
            }
        }
        let (changes, mut message) = match &existing {
            Some(run) => {
                let ours = self.evidence_for(run);
                let (merged, conflicts) =
                    merge(&ours, &theirs, self.checklist).map_err(|e| e.to_string())?;
                let mut msg = format!(
                    "Merged the evidence into the run \"{}\" ({} events).",
                    run.name,
                    merged.events.len()
                );
                if !conflicts.is_empty() {
                    let session = self.session.borrow();
                    let name = |id: &str| {
                        session.item(id).map_or_else(
                            || field_label(self.checklist, id),
                            |i| item_name(i).to_owned(),
                        )
                    };
                    // A sign-off the merge took back was not changed by both people:
                    // one signed, and the other changed an item after it.
                    let (withdrawn, both): (Vec<_>, Vec<_>) = conflicts
                        .iter()
                        .partition(|c| c.resolution.starts_with("sign-off withdrawn"));
                    if !both.is_empty() {
                        let list: Vec<String> = both
                            .iter()
                            .map(|c| {
                                format!(
                                    "“{}”: yours {}, theirs {}; {}",
                                    name(&c.item),
                                    side_of(&ours, &c.item),
                                    side_of(&theirs, &c.item),
                                    c.resolution
                                )
                            })
                            .collect();
                        msg.push_str(&format!(
                            " Both of you changed {}: {}.",
                            plural(list.len(), "item", "items"),
                            list.join(". ")
                        ));
                    }
                    if !withdrawn.is_empty() {
                        // Each with why, in the merge's words: a change after it was
                        // given, or one in a file its signer had not seen.
                        let list: Vec<String> = withdrawn
                            .iter()
                            .map(|c| {
                                let why = c
                                    .resolution
                                    .strip_prefix("sign-off withdrawn: ")
                                    .unwrap_or(&c.resolution);
                                format!("“{}” ({why})", name(&c.item))
                            })
                            .collect();
                        msg.push_str(&format!(
                            " {} withdrawn: {}.",
                            plural(list.len(), "sign-off", "sign-offs"),
                            list.join(", ")
                        ));
                    }
                }
                (changes_from_evidence(&merged, self.checklist), msg)
            }
            None => (
                changes_from_evidence(&theirs, self.checklist),
                format!("Imported the run \"{}\".", evidence.run.name),
            ),
        };
        if rebased.is_some() {
            message.push_str(" It was exported from another version of this checklist.");
            if !withdrawn.is_empty() {
                message.push(' ');
                message.push_str(&reworded_message(&withdrawn, &[]));
            }
            let mut gone: Vec<&str> = theirs.orphans.iter().map(|o| o.id.as_str()).collect();
            gone.sort_unstable();
            gone.dedup();
            if !gone.is_empty() {
                message.push_str(&format!(
                    " Its progress on {} this version no longer has is kept aside, as the notice above the list says.",
                    plural(gone.len(), "item or field", "items or fields")
                ));
            }
        }
        let merging = existing.is_some();
        let mut run = existing.unwrap_or_else(|| RunMeta {
            id: evidence.run.id.clone(),
            name: evidence.run.name.clone(),
            started: evidence.run.started.clone(),
            source_sha256: evidence.checklist.source_sha256.clone(),
            worked_on: None,
            archived: false,
            outcome: None,
            subject: None,
        });
        // The file's subject, unless it names none and the run already had one. One no
        // seal binds to the log is not taken: exported again from here it would come
        // out sealed, vouched for by this page.
        if evidence.subject.is_some() && evidence.seal.is_empty() {
            message.push_str(
                " Its \"Releasing\" digest was not kept: the file has no seal binding it to \
                 its log. Enter it again if it is right.",
            );
        } else if evidence.subject.is_some() {
            run.subject = evidence.subject.clone();
        }
        // What it holds now was checked against this version (the file must be for
        // it): an archived run merged into here exports against it too.
        if run.source_sha256 != self.checklist.source_sha256 {
            run.worked_on = Some(self.checklist.source_sha256.clone());
        }
        // The items as the file's version had them, which the notice compares with this
        // version's; merged into a run here, added to what the run's outline lacks.
        let outline = match &rebased {
            Some(r) => {
                let mut outline = if merging {
                    // One that does not parse is kept aside before the run is
                    // written anew below.
                    self.store
                        .outline(&run.id, &mut Vec::new())
                        .unwrap_or_else(|| outline_of(self.checklist))
                } else {
                    Vec::new()
                };
                let known: checkdown_core::evidence::KeySet =
                    outline.iter().map(|(id, _)| id.clone()).collect();
                outline.extend(
                    r.outline
                        .iter()
                        .filter(|(id, _)| !known.contains(id))
                        .cloned(),
                );
                outline
            }
            None => outline_of(self.checklist),
        };
        self.store.delete_run(&run.id);
        for c in &changes {
            if self.store.save(&run.id, c).is_err() {
                self.storage_warning();
            }
        }
        if self.store.save_outline(&run.id, &outline).is_err() {
            self.storage_warning();
        }
        let mut index = self.index.borrow_mut();
        // The imported run's changes were replaced; any other's stay as they were.
        for r in index.runs.iter_mut().filter(|r| r.id == run.id) {
            r.outcome = None;
            r.subject.clone_from(&run.subject);
            r.worked_on.clone_from(&run.worked_on);
        }
        if restore {
            run.archived = true;
            index.runs.push(run.clone());
            let _ = self.store.save_runs(&index);
            drop(index);
            // Its evidence is kept, to export once the checklist changes: a finished
            // run from a file of an earlier version is that file, as it was.
            if self.is_stale(&run) {
                let _ = self.store.save_evidence(&run.id, text);
            } else {
                self.keep_evidence(&run);
            }
            let index = self.index.borrow();
            let current = index.current_name().to_owned();
            drop(index);
            self.render_runs();
            return Ok(format!(
                "Restored the finished run \"{}\" as an archived run (see All runs); the current run is still \"{current}\".",
                evidence.run.name
            ));
        }
        // An older run's file (a colleague still on last release's run) merges into that
        // run, archived as it is; the release in progress stays the current one.
        if merging && index.current != run.id {
            let _ = self.store.save_runs(&index);
            let current = index.current_name().to_owned();
            drop(index);
            self.keep_evidence(&run);
            message.push_str(&format!(
                " That run is archived; the current run is still \"{current}\"."
            ));
            if self.shown.borrow().id == run.id {
                self.show_run(run);
            } else {
                self.render_runs();
            }
            return Ok(message);
        }
        if index.current != run.id {
            let previous = index.current.clone();
            let typing = self
                .timers
                .borrow()
                .iter()
                .any(|(key, _)| self.fields.iter().any(|(id, _)| id == key));
            let untouched = index
                .runs
                .iter()
                .any(|r| r.id == previous && r.subject.is_none() && is_default_run_name(&r.name));
            // Nor anything kept from the item dialog, which would be saved into it.
            let dialog_open = self
                .q("[data-item-dialog]")
                .and_then(|d| el::<web_sys::HtmlDialogElement>(&d))
                .is_some_and(|d| d.open());
            let drafted = self.draft.borrow().is_some() || dialog_open;
            if untouched && !typing && !drafted && self.store.load(&previous).changes.is_empty() {
                // The run a first visit started, with nothing in it: the imported one
                // takes its place rather than leave an empty run in the list.
                index.runs.retain(|r| r.id != previous);
                self.store.delete_run(&previous);
            } else if let Some(previous) = index.runs.iter().find(|r| r.id == previous) {
                // Importing makes the run current; say so, and what it replaced.
                message.push_str(&format!(
                    " It is now the current run; \"{}\" was archived.",
                    previous.name
                ));
            }
        }
        for r in &mut index.runs {
            r.archived = r.id != run.id;
        }
        if !index.runs.iter().any(|r| r.id == run.id) {
            index.runs.push(run.clone());
        }
        index.current = run.id.clone();
        let _ = self.store.save_runs(&index);
        drop(index);
        self.show_run(run);
        // What the switch said (typing it saved into the run left) comes after.
        let said = self.message();
        if !said.is_empty() {
            message.push(' ');
            message.push_str(&said);
        }
        Ok(message)
    }
}
