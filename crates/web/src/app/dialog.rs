//! The item dialog (state, N/A reason, note) and its draft, kept aside when the
//! page is left or storage refuses it.

use super::*;

impl Page {
    /// Whether the open dialog's note or reason differs from what the item holds.
    pub(super) fn dialog_edited(&self) -> bool {
        let Some(id) = self
            .q("[data-item-dialog]")
            .and_then(|d| d.get_attribute("data-for"))
        else {
            return false;
        };
        let session = self.session.borrow();
        let typed = |sel: &str| self.q(sel).map(|e| input_value(&e)).unwrap_or_default();
        typed("[data-dialog-note]") != session.note(&id).unwrap_or("")
            || typed("[data-dialog-reason]") != session.reason(&id).unwrap_or("")
    }

    /// A note or N/A reason half-typed into the item dialog must survive a reload, but
    /// nothing the person did not save is recorded: it is kept aside, and the dialog
    /// opens with it again (see [`Page::restore_draft`]).
    pub(super) fn save_open_draft(&self) {
        let open = self
            .q("[data-item-dialog]")
            .and_then(|d| el::<web_sys::HtmlDialogElement>(&d))
            .is_some_and(|d| d.open());
        if open && self.dialog_edited() {
            self.keep_draft();
            if let Some(d) = self.draft.borrow().as_ref() {
                let run = self.shown.borrow().id.clone();
                let _ = self.store.save_draft(&run, &crate::json::to_string(d));
            }
        }
    }

    /// The item dialog as the page was left with it, unsaved: opened again with what
    /// was typed, for the person to save or drop.
    pub(super) fn restore_draft(&self) {
        let run = self.shown.borrow().id.clone();
        let mut corrupt = Vec::new();
        let draft = self.store.draft::<Draft>(&run, &mut corrupt);
        self.report_corrupt(&corrupt);
        // Typed for an item this version of the checklist no longer has: kept, as is
        // any saved value the page cannot use, rather than dropped unseen.
        if draft
            .as_ref()
            .is_some_and(|d| self.session.borrow().item(&d.item).is_none())
        {
            self.store.set_draft_aside(&run);
            self.say(&format!(
                "What you were typing into the item dialog was for an item this version of the checklist no longer has; {}.",
                if self.store.backups_wait() {
                    "storage is full, so it is left where it is until there is room to keep it aside under checkdown:backup: keys"
                } else {
                    "it was kept aside under checkdown:backup: keys"
                }
            ));
            return;
        }
        self.store.clear_draft(&run);
        let Some(draft) = draft else {
            return;
        };
        if self.read_only() {
            return;
        }
        let item = draft.item.clone();
        *self.draft.borrow_mut() = Some(draft);
        self.open_dialog(&item);
    }

    pub(super) fn keep_draft(&self) {
        let Some(id) = self
            .q("[data-item-dialog]")
            .and_then(|d| d.get_attribute("data-for"))
        else {
            return;
        };
        let typed = |sel: &str| self.q(sel).map(|e| input_value(&e)).unwrap_or_default();
        let state = self
            .q("[data-item-dialog] input[name=state]:checked")
            .and_then(|r| el::<HtmlInputElement>(&r))
            .map(|r| r.value())
            .unwrap_or_default();
        let opened = self
            .q("[data-item-dialog]")
            .map(|d| DialogValues::of(&d))
            .unwrap_or_default();
        *self.draft.borrow_mut() = Some(Draft {
            item: id,
            state,
            note: typed("[data-dialog-note]"),
            reason: typed("[data-dialog-reason]"),
            opened,
        });
    }

    pub(super) fn open_dialog(&self, id: &str) {
        let Some(dialog) = self
            .q("[data-item-dialog]")
            .and_then(|d| el::<web_sys::HtmlDialogElement>(&d))
        else {
            return;
        };
        let session = self.session.borrow();
        let text = session.item(id).map_or("", item_name);
        set_text(self.q("[data-dialog-title]").as_ref(), text);
        let state = session.item_state(id).as_str();
        let form: &Element = dialog.as_ref();
        let radios = query_all::<HtmlInputElement>(form, "input[name=state]").unwrap_or_default();
        // A required approval is given or not (see `ChangeError::SignoffNotApplicable`):
        // its N/A is offered only to take back one an older page recorded.
        let waivable = session
            .item(id)
            .is_none_or(|i| !(i.kind == ItemKind::Signoff && i.required))
            || state == "na";
        for r in &radios {
            r.set_checked(r.value() == state);
            if r.value() == "na" {
                r.set_disabled(!waivable);
            }
        }
        if let Some(hint) = self.q("[data-dialog-na-hint]") {
            if waivable {
                let _ = hint.set_attribute("hidden", "");
            } else {
                show(&hint);
            }
        }
        if let Some(note) = self.q("[data-dialog-note]") {
            set_input_value(&note, session.note(id).unwrap_or(""));
        }
        if let Some(reason) = self.q("[data-dialog-reason]") {
            set_input_value(&reason, session.reason(id).unwrap_or(""));
        }
        if let Some(e) = self.q("[data-dialog-error]") {
            let _ = e.set_attribute("hidden", "");
        }
        if let Some(reason) = self.q("[data-dialog-reason]") {
            let _ = reason.remove_attribute("aria-invalid");
            let _ = reason.remove_attribute("aria-errormessage");
        }
        // Another item's dialog leaves the draft for its own item.
        let mine = self.draft.borrow().as_ref().is_some_and(|d| d.item == id);
        let draft = if mine {
            self.draft.borrow_mut().take()
        } else {
            None
        };
        let restored = draft.as_ref().map(|d| d.opened.clone());
        if let Some(draft) = draft {
            for r in &radios {
                r.set_checked(r.value() == draft.state);
            }
            if let Some(n) = self.q("[data-dialog-note]") {
                set_input_value(&n, &draft.note);
            }
            if let Some(r) = self.q("[data-dialog-reason]") {
                set_input_value(&r, &draft.reason);
            }
            if let Some(e) = self.q("[data-dialog-error]") {
                e.set_text_content(Some(
                    "What you typed before the dialog closed is back; Save keeps it.",
                ));
                show(&e);
            }
        }
        // What the item was when the dialog opened: a state left as it was is not the
        // person's choice, and must not undo what another tab did meanwhile. A draft
        // brought back carries the item as its dialog first opened.
        let opened = restored.unwrap_or_else(|| DialogValues {
            state: state.to_owned(),
            note: session.note(id).unwrap_or("").to_owned(),
            reason: session.reason(id).unwrap_or("").to_owned(),
        });
        opened.mark(dialog.as_ref());
        let _ = dialog.set_attribute("data-for", id);
        let _ = dialog.show_modal();
        // The modal focuses its first control, the "Open" radio; the keyboard user
        // should start on the state the item is in.
        if let Some(r) = radios.iter().find(|r| r.checked()) {
            let _ = r.focus();
        }
    }

    pub(super) fn save_dialog(&self) -> bool {
        let Some(dialog) = self.q("[data-item-dialog]") else {
            return true;
        };
        let Some(id) = dialog.get_attribute("data-for") else {
            return true;
        };
        let state = query_all::<HtmlInputElement>(&dialog, "input[name=state]")
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.checked())
            .map(|r| r.value());
        let to = match state.as_deref() {
            Some("done") => ItemState::Done,
            Some("na") => ItemState::Na,
            _ => ItemState::Open,
        };
        let text = |selector: &str| self.q(selector).map(|n| input_value(&n));
        let mut note = text("[data-dialog-note]");
        let mut reason = text("[data-dialog-reason]");
        // Likewise a note left as it was: another tab's note written meanwhile stays.
        if note == dialog.get_attribute("data-opened-note") {
            note = self.session.borrow().note(&id).map(str::to_owned);
        }
        // Left as they were when the dialog opened, the state and reason follow the
        // item as it is now: another tab may have ticked it meanwhile, and saving a
        // note must not take that back.
        let mut to = to;
        if state.as_deref() == dialog.get_attribute("data-opened-state").as_deref() {
            let session = self.session.borrow();
            to = session.item_state(&id);
            if reason == dialog.get_attribute("data-opened-reason") {
                reason = session.reason(&id).map(str::to_owned);
            }
        }
        self.prepare_signing(&id, to);
        let result = self.session.borrow_mut().set_item(
            &now(),
            &self.who(),
            &id,
            to,
            note.as_deref(),
            reason.as_deref(),
        );
        match result {
            Ok(made) => {
                self.persist(&made);
                for c in &made {
                    self.render_changed(&c.target);
                }
                self.render_summary();
                if let Some((_, withdrawn)) = made.split_first() {
                    if !withdrawn.is_empty() {
                        self.say(&self.withdrawn_message(withdrawn));
                    }
                }
                true
            }
            Err(err) => {
                if let Some(e) = self.q("[data-dialog-error]") {
                    e.set_text_content(Some(&err.to_string()));
                    show(&e);
                }
                // An N/A without a reason is the reason field's fault; a blocked
                // sign-off is not, and the chosen state keeps focus.
                let (culprit, invalid) = match err {
                    ChangeError::NaWithoutReason => (self.q("[data-dialog-reason]"), true),
                    _ => {
                        // A refusal from an earlier try may still mark the reason.
                        if let Some(reason) = self.q("[data-dialog-reason]") {
                            let _ = reason.remove_attribute("aria-invalid");
                            let _ = reason.remove_attribute("aria-errormessage");
                        }
                        (
                            self.q("[data-item-dialog] input[name=state]:checked"),
                            false,
                        )
                    }
                };
                if let Some(c) = culprit {
                    if invalid {
                        let _ = c.set_attribute("aria-invalid", "true");
                        // Read out with the field, not only once by the alert.
                        let _ = c.set_attribute("aria-errormessage", "checkdown-item-dialog-error");
                    }
                    if let Some(c) = el::<HtmlElement>(&c) {
                        let _ = c.focus();
                    }
                }
                false
            }
        }
    }

    /// Records a change in the shown run whether or not it is still the current one
    /// (the run left by a switch); 1 when something was saved.
    pub(super) fn keep_typed(
        &self,
        change: impl FnOnce(&mut Session<'static>) -> Result<Vec<Change>, ChangeError>,
    ) -> usize {
        match change(&mut self.session.borrow_mut()) {
            Ok(made) if !made.is_empty() => {
                self.persist(&made);
                1
            }
            _ => 0,
        }
    }

    /// The open item dialog's state, note and reason, into the shown run; when the
    /// rules refuse the state (N/A without a reason, a blocked sign-off), the note.
    pub(super) fn keep_dialog(&self) -> usize {
        let Some(dialog) = self.q("[data-item-dialog]") else {
            return 0;
        };
        let Some(id) = dialog.get_attribute("data-for") else {
            return 0;
        };
        let chosen = query_all::<HtmlInputElement>(&dialog, "input[name=state]:checked")
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|r| r.value());
        let text = |selector: &str| {
            self.q(selector)
                .map(|n| input_value(&n))
                .unwrap_or_default()
        };
        let typed = DialogValues {
            state: chosen.unwrap_or_default(),
            note: text("[data-dialog-note]"),
            reason: text("[data-dialog-reason]"),
        };
        self.keep_item(&id, &typed, &DialogValues::of(&dialog))
    }

    /// What the person changed in an item's dialog (`typed` against `opened`), into
    /// the shown run; what they left as it was stays as the item has it now (another
    /// tab may have changed it). When the rules refuse the state, the note alone.
    pub(super) fn keep_item(&self, id: &str, typed: &DialogValues, opened: &DialogValues) -> usize {
        let session = self.session.borrow();
        let current = session.item_state(id);
        let chosen = ItemState::parse(&typed.state).filter(|_| typed.state != opened.state);
        let note = if typed.note == opened.note {
            session.note(id).unwrap_or("").to_owned()
        } else {
            typed.note.clone()
        };
        let reason = if typed.reason == opened.reason {
            session.reason(id).unwrap_or("").to_owned()
        } else {
            typed.reason.clone()
        };
        let (note, reason) = (note.as_str(), reason.as_str());
        if session.note(id).unwrap_or("") == note
            && session.reason(id).unwrap_or("") == reason
            && chosen.is_none_or(|c| c == current)
        {
            return 0;
        }
        let kept_reason = session.reason(id).map(str::to_owned);
        drop(session);
        let (now, who) = (now(), self.who());
        let to = chosen.unwrap_or(current);
        let saved = self.keep_typed(|s| s.set_item(&now, &who, id, to, Some(note), Some(reason)));
        if saved > 0 || to == current {
            return saved;
        }
        self.keep_typed(|s| s.set_item(&now, &who, id, current, Some(note), kept_reason.as_deref()))
    }
}
