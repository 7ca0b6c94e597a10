//! Rendering the run into the page: items, their lines and aggregates, fields, the
//! validation summary and the run's dates.

use super::*;

impl Page {
    /// An item that changed, the items nested in it (N/A covers them), and the
    /// aggregates of the items it is nested in.
    pub(super) fn render_changed(&self, id: &str) {
        self.render_item(id);
        self.render_steps(id);
        let mut at = id;
        while let Some(&parent) = self.parents.get(at).map(|&n| &self.nesting[n]) {
            self.render_aggregate(parent);
            at = &parent.id;
        }
    }

    /// The items nested in `id`, at any depth, and their aggregates: marking it N/A,
    /// or taking that back, changes how they read.
    pub(super) fn render_steps(&self, id: &str) {
        fn steps(page: &Page, items: &[checkdown_core::Item]) {
            for i in items {
                page.render_item(&i.id);
                if !i.children.is_empty() {
                    page.render_aggregate(i);
                }
                steps(page, &i.children);
            }
        }
        if let Some(item) = self.nesting.iter().find(|i| i.id == id) {
            self.render_aggregate(item);
            steps(self, &item.children);
        }
    }

    /// "(2 of 3 done)" after a parent item's text: its nested items' progress.
    pub(super) fn render_aggregate(&self, parent: &checkdown_core::Item) {
        let Some(label) = self
            .document
            .get_element_by_id(&parent.id)
            .and_then(|li| query(&li, ":scope > label").ok().flatten())
        else {
            return;
        };
        let p = self.session.borrow().aggregate(parent);
        let span = query(&label, ".item-aggregate").ok().flatten().or_else(|| {
            let e = self.document.create_element("span").ok()?;
            e.set_class_name("item-aggregate");
            if !self.english {
                let _ = e.set_attribute("lang", "en");
            }
            let _ = label.append_child(&e);
            Some(e)
        });
        if let Some(span) = span {
            // Under N/A, nothing nested is left to do; "(0 of 0 done)" would say so badly.
            let text = if p.total == 0 && p.na > 0 {
                String::new()
            } else {
                format!(" ({} of {} done)", p.done, p.total)
            };
            span.set_text_content(Some(&text));
        }
    }

    /// A new line of text under an item's label, before its options button.
    pub(super) fn item_line(&self, li: &Element, class: &str) -> Option<Element> {
        let e = self.document.create_element("span").ok()?;
        e.set_class_name(class);
        let anchor = query(li, ":scope > .item-more").ok().flatten();
        let _ = li.insert_before(&e, anchor.as_ref().map(|a| a.as_ref()));
        Some(e)
    }

    pub(super) fn render_item(&self, id: &str) {
        let Some(dom) = self.item_dom(id) else {
            return;
        };
        let session = self.session.borrow();
        let state = session.item_state(id);
        dom.input.set_checked(state == ItemState::Done);
        let covering = session.covering(id);
        // N/A with its parent, it has nothing to tick: reopen the parent first.
        dom.input
            .set_disabled(self.read_only() || covering.is_some());
        let _ = dom.li.set_attribute("data-state", state.as_str());
        if covering.is_some() {
            let _ = dom.li.set_attribute("data-covered", "");
        } else {
            let _ = dom.li.remove_attribute("data-covered");
        }
        // Where in the line people's and the checklist's words are; the rest is the
        // page's own English (see `Page::write_line`).
        let mut theirs: Vec<std::ops::Range<usize>> = Vec::new();
        let mut status_text = match (state, session.reason(id), covering) {
            (ItemState::Na, Some(r), _) => {
                theirs.push(5..5 + r.len());
                format!("N/A: {r}")
            }
            (ItemState::Na, None, _) => "N/A (no reason given)".to_owned(),
            (_, _, Some(parent)) => {
                let open = "N/A with \u{201c}".len();
                theirs.push(open..open + parent.text.len());
                format!("N/A with \u{201c}{}\u{201d}", parent.text)
            }
            _ => String::new(),
        };
        // A withdrawn sign-off says so in its own words, not as a note someone wrote;
        // the note it had before comes after.
        let note = session.note(id);
        let withdrawn = note.and_then(checkdown_core::run::withdrawal_subject);
        if let Some(subject) = withdrawn.filter(|_| status_text.is_empty()) {
            status_text.push_str("Withdrawn: \u{201c}");
            theirs.push(status_text.len()..status_text.len() + subject.len());
            status_text.push_str(subject);
            status_text.push_str("\u{201d} ");
            status_text.push_str(note.map_or("", checkdown_core::run::withdrawal_words));
        }
        // A sign-off given in someone else's name (the release manager ticks it for
        // the QA lead, who wrote their name) says both, or the line reads as if the
        // one who ticked it had signed.
        let signer = (state == ItemState::Done && self.is_signoff(id))
            .then(|| session.item(id))
            .flatten()
            .and_then(|item| item.fields.iter().find(|f| f.kind == FieldKind::Name))
            .map(|f| session.field(&f.id).trim().to_owned())
            .filter(|name| !name.is_empty())
            .filter(|name| session.stamp(id).is_some_and(|s| s.who != *name));
        // Beside "N/A with …" a stamp would read as who marked this step N/A.
        // The name and the time (in the reader's locale) are not the page's words.
        let set = session.stamp(id);
        // An item whose only change is a note names the note's author.
        let stamp = set
            .or_else(|| session.noted(id))
            .filter(|_| covering.is_none() || state == ItemState::Na)
            .map(|s| match &signer {
                Some(_) => (" — ticked by ", format!("{}, {}", s.who, local_time(&s.at))),
                None => (" — ", format!("{}, {}", s.who, local_time(&s.at))),
            });
        // A stamp on its own, or after a note, would read as who ticked it; say what
        // they did ("Signed. Note: …", not a note that hides that it was signed). Only
        // a state that was set says so: a note on an item never ticked is no untick.
        if status_text.is_empty() && stamp.is_some() && set.is_some() {
            let signoff = self.is_signoff(id);
            match (&signer, state, signoff) {
                (Some(name), ..) => {
                    status_text.push_str("Signed by ");
                    theirs.push(status_text.len()..status_text.len() + name.len());
                    status_text.push_str(name);
                }
                (None, ItemState::Done, true) => status_text.push_str("Signed"),
                (None, ItemState::Open, true) => status_text.push_str("Withdrawn"),
                (None, ItemState::Open, false) => status_text.push_str("Unticked"),
                _ => {}
            }
        }
        let note = match withdrawn {
            Some(_) => note.and_then(checkdown_core::run::kept_note),
            None => note,
        };
        if let Some(n) = note {
            // A reason that ends its own sentence gets no second full stop, and one
            // left hanging ("see ticket:") does not run into the note.
            let kept = status_text.trim_end_matches([':', ',', ';', ' ']).len();
            status_text.truncate(kept);
            for r in &mut theirs {
                r.end = r.end.min(kept);
            }
            if status_text.ends_with(['.', '!', '?', '…']) {
                status_text.push(' ');
            } else if !status_text.is_empty() {
                status_text.push_str(". ");
            }
            status_text.push_str("Note: ");
            theirs.push(status_text.len()..status_text.len() + n.len());
            status_text.push_str(n);
        }
        if let Some((words, who)) = &stamp {
            status_text.push_str(words);
            theirs.push(status_text.len()..status_text.len() + who.len());
            status_text.push_str(who);
        }
        // A note someone else added later is theirs: the stamp stays whoever did the step.
        let noted = session
            .noted(id)
            .filter(|_| stamp.is_some())
            .filter(|n| set.is_some_and(|s| s.who != n.who));
        if let Some(n) = noted {
            let by = format!("{}, {}", n.who, local_time(&n.at));
            status_text.push_str("; note by ");
            theirs.push(status_text.len()..status_text.len() + by.len());
            status_text.push_str(&by);
        }
        let existing = query(&dom.li, ":scope > .item-status").ok().flatten();
        if status_text.is_empty() {
            if let Some(e) = existing {
                e.remove();
            }
        } else {
            let status = existing.or_else(|| self.item_line(&dom.li, "item-status"));
            if let Some(s) = status {
                s.set_id(&format!("st-{id}"));
                self.write_line(&s, &status_text, &theirs);
            }
        }
        describe(&dom);
    }

    /// Sets `e`'s text to `text`, of which `theirs` (in order) are people's or the
    /// checklist's words and the rest the page's own English. On a page in another
    /// language those are marked English, so a screen reader speaks each part in its
    /// language (WCAG 3.1.2); the rest keeps the page's.
    pub(super) fn write_line(&self, e: &Element, text: &str, theirs: &[std::ops::Range<usize>]) {
        if self.english {
            e.set_text_content(Some(text));
            return;
        }
        e.set_text_content(None);
        let mut at = 0;
        let ours = |from: usize, to: usize| {
            let part = text.get(from..to).filter(|p| !p.is_empty())?;
            let span = self.document.create_element("span").ok()?;
            let _ = span.set_attribute("lang", "en");
            if self.rtl {
                let _ = span.set_attribute("dir", "ltr");
            }
            span.set_text_content(Some(part));
            e.append_child(&span).ok()
        };
        for r in theirs {
            if r.start >= r.end || r.start < at {
                continue;
            }
            ours(at, r.start);
            if let Some(part) = text.get(r.clone()) {
                let _ = e.insert_adjacent_text("beforeend", part);
            }
            at = r.end;
        }
        ours(at, text.len());
    }

    /// Where a problem's message quotes the checklist's own words for `target` (an
    /// item's text or role, a field's label): on a page in another language, those
    /// are in the page's language inside the English panel (WCAG 3.1.2).
    pub(super) fn quoted_names(&self, message: &str, target: &str) -> Vec<std::ops::Range<usize>> {
        if self.english {
            return Vec::new();
        }
        let mut names: Vec<String> = Vec::new();
        if let Some(item) = self.session.borrow().item(target) {
            names.extend([item_name(item).to_owned(), item.text.clone()]);
        }
        if let Some(f) = self.checklist.fields.iter().find(|f| f.id == target) {
            names.push(f.label.clone());
        }
        self.checklist.for_each_item(&mut |i| {
            if let Some(f) = i.fields.iter().find(|f| f.id == target) {
                names.extend([f.label.clone(), item_name(i).to_owned(), i.text.clone()]);
            }
        });
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
        for name in names.iter().filter(|n| !n.trim().is_empty()) {
            if let Some(at) = message.rfind(name.as_str()) {
                let r = at..at + name.len();
                if !ranges.iter().any(|o| o.start < r.end && r.start < o.end) {
                    ranges.push(r);
                }
            }
        }
        ranges.sort_by_key(|r| r.start);
        ranges
    }

    /// `text` into `e`, an element of the English panel, with `theirs` (the
    /// checklist's own words) marked in the page's language.
    pub(super) fn write_quoting(&self, e: &Element, text: &str, theirs: &[std::ops::Range<usize>]) {
        let lang = self
            .document
            .document_element()
            .and_then(|html| html.get_attribute("lang"));
        let (Some(lang), false) = (lang, theirs.is_empty()) else {
            e.set_text_content(Some(text));
            return;
        };
        e.set_text_content(None);
        let mut at = 0;
        for r in theirs {
            if let Some(before) = text.get(at..r.start).filter(|b| !b.is_empty()) {
                let _ = e.insert_adjacent_text("beforeend", before);
            }
            if let (Some(part), Ok(span)) =
                (text.get(r.clone()), self.document.create_element("span"))
            {
                let _ = span.set_attribute("lang", &lang);
                let _ = span.set_attribute("dir", "auto");
                span.set_text_content(Some(part));
                let _ = e.append_child(&span);
            }
            at = r.end;
        }
        if let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
            let _ = e.insert_adjacent_text("beforeend", rest);
        }
    }

    /// Writes the shown run's values into the inputs. The one being typed in is left
    /// alone (`spare_focused`) while another tab edits the same run, so a keystroke is
    /// not undone under the cursor; after a switch of runs nothing is, since what it
    /// holds belongs to the run left behind.
    pub(super) fn render_fields(&self, spare_focused: bool) {
        let session = self.session.borrow();
        let focused = self.document.active_element().filter(|_| spare_focused);
        for (id, input) in &self.fields {
            if focused.as_ref() != Some(input) {
                set_input_value(input, session.field(id));
            }
            if self.read_only() {
                let _ = input.set_attribute("readonly", "");
            } else {
                let _ = input.remove_attribute("readonly");
            }
        }
    }

    pub(super) fn render_summary(&self) {
        self.render_summary_for(None);
    }

    /// When the run started and who changed it last: a printed run is a record, and a
    /// record says when it was made and by whom.
    pub(super) fn render_run_dates(&self) {
        let Some(line) = self.q("[data-run-dates]") else {
            return;
        };
        let session = self.session.borrow();
        let mut text = format!("Started {}", local_time(&self.shown.borrow().started));
        if let Some(last) = session.changes().last() {
            let verb = if session.status() == checkdown_core::run::Status::InProgress {
                "last change"
            } else {
                "finished"
            };
            text.push_str(&format!(
                " · {verb} {} by {}",
                local_time(&last.at),
                if last.who.is_empty() {
                    "anonymous"
                } else {
                    &last.who
                }
            ));
        }
        // Paper leaves the screen's read-only notice off; the record says it itself.
        if self.read_only() {
            text.push_str(" · archived run");
        }
        line.set_text_content(Some(&text));
    }

    /// The counts, status, validation list and contents counts. After a tick only the
    /// contents entries holding a changed item are recounted (`touched`).
    pub(super) fn render_summary_for(&self, touched: Option<&[&str]>) {
        self.lock_subject();
        let session = self.session.borrow();
        let tally = session.tally();
        let p = tally.progress;
        // An archived run made on an earlier version is shown against this one, with
        // what was added since open: its counts, badge and problems are how it ended,
        // as the run list and the evidence kept then say, not this version's tally.
        let shown = self.shown.borrow().clone();
        let ended = self.is_stale(&shown);
        let outcome = shown.outcome.filter(|_| ended);
        let kept = if ended {
            self.store.evidence(&shown.id, &mut Vec::new())
        } else {
            None
        };
        let (done, total) = outcome.map_or((p.done, p.total), |o| (o.done, o.total));
        set_text(self.q("[data-done]").as_ref(), &done.to_string());
        set_text(self.q("[data-total]").as_ref(), &total.to_string());
        // The same count as "sign-off is blocked: N": required tasks not yet done or
        // N/A with a reason. Sign-offs have their own line.
        let blocking = kept.as_ref().map_or(tally.blocking, |e| {
            e.validation
                .problems
                .iter()
                .filter(|p| {
                    matches!(
                        p.kind,
                        checkdown_core::evidence::ProblemKind::RequiredOpen
                            | checkdown_core::evidence::ProblemKind::NaWithoutReason
                    )
                })
                .count()
        });
        set_text(
            self.q("[data-required-open]").as_ref(),
            &blocking.to_string(),
        );
        let status = match outcome {
            Some(outcome) => outcome.status,
            None => session.status(),
        };
        // The badge is a live region: written only when it changes, so reaching
        // "complete" or "signed" is announced once, not on every tick.
        if let Some(s) = self
            .q("[data-status]")
            .filter(|s| s.text_content().as_deref() != Some(status.label()))
        {
            s.set_text_content(Some(status.label()));
            let _ = s.set_attribute("data-status", status.label().replace(' ', "-").as_str());
        }
        let _ = self.main.set_attribute("data-run-status", status.label());
        for (label, span) in &self.toc {
            if touched.is_some_and(|t| {
                !t.iter()
                    .filter_map(|id| session.position(id))
                    .any(|n| span.contains(&n))
            }) {
                continue;
            }
            let (done, counted) = session.done_in(span.clone());
            label.set_text_content(Some(&format!("{done}/{counted}")));
        }
        // Sign-offs say why they cannot be given yet.
        let blocking = tally.blocking;
        for id in &self.signoffs {
            let Some(dom) = self.item_dom(id) else {
                continue;
            };
            let blocked = blocking > 0 && session.item_state(id) != ItemState::Done;
            let hint = query(&dom.li, ":scope > .item-blocked").ok().flatten();
            if blocked {
                let _ = dom.li.set_attribute("data-blocked", "");
            } else {
                let _ = dom.li.remove_attribute("data-blocked");
            }
            describe(&dom);
            // Once someone tried to sign it, the sign-off says why beside itself,
            // where they clicked; saying it under every sign-off would be noise.
            if blocked && self.tried.borrow().iter().any(|t| t == id) {
                let hint = hint.or_else(|| {
                    let e = self.item_line(&dom.li, "item-blocked")?;
                    if !self.english {
                        let _ = e.set_attribute("lang", "en");
                    }
                    Some(e)
                });
                set_text(
                    hint.as_ref(),
                    &format!(
                        "Can be signed once {} done or N/A with a reason.",
                        open_items(blocking)
                    ),
                );
            } else if let Some(h) = hint {
                h.remove();
            }
        }
        if let Some(hint) = self.q("#checkdown-signoff-blocked") {
            hint.set_text_content(Some(&format!(
                "Sign-off is blocked until {} done or N/A with a reason.",
                open_items(blocking)
            )));
            // With nothing to sign, nothing is blocked; nor in a run finished on an
            // earlier version, shown against this one (its notice says how it ended).
            if blocking > 0 && !self.signoffs.is_empty() && !ended {
                show(&hint);
            } else {
                let _ = hint.set_attribute("hidden", "");
            }
        }
        if let Some(list) = self.q("[data-problems]") {
            list.set_inner_html("");
            let limit = if self.all_problems.get() {
                usize::MAX
            } else {
                MAX_LISTED
            };
            // A run finished on an earlier version is not held to this one: the list
            // is what stood when it was archived, from the evidence kept then.
            let (problems, count) = if ended {
                let problems = kept.map(|e| e.validation.problems).unwrap_or_default();
                let count = problems.len();
                (problems.into_iter().take(limit).collect(), count)
            } else {
                session.problems_head(limit)
            };
            // The list stays folded under its count, so it never pushes the checklist
            // itself out of view.
            set_text(
                self.q("[data-problem-count]").as_ref(),
                &if count == 0 {
                    "(nothing left)".to_owned()
                } else {
                    format!("({count})")
                },
            );
            for p in &problems {
                let Ok(li) = self.document.create_element("li") else {
                    continue;
                };
                // An old run's problem may name an item this version removed: said,
                // with no link that leads nowhere.
                let mut quoted = self.quoted_names(&p.message, &p.target);
                // Texts repeat across sections and under items ("Connection pooling
                // configured" under each database): links that would read alike say
                // where they lead, whatever else the list shows.
                let places = self
                    .places
                    .get_or_init(|| self.checklist.places_of_repeated_texts());
                let message = match places.get(&p.target) {
                    Some(place) => {
                        let at = p.message.len() + " (in ".len();
                        quoted.push(at..at + place.len());
                        format!("{} (in {place})", p.message)
                    }
                    None => p.message.clone(),
                };
                if self.document.get_element_by_id(&p.target).is_none() {
                    self.write_quoting(&li, &message, &quoted);
                } else if let Ok(a) = self.document.create_element("a") {
                    let _ = a.set_attribute("href", &format!("#{}", p.target));
                    self.write_quoting(&a, &message, &quoted);
                    let _ = li.append_child(&a);
                }
                let _ = list.append_child(&li);
            }
            // The rest may be what matters (empty fields and sign-offs come last), so
            // they are one press away rather than a count to guess from.
            if count > problems.len() {
                if let (Ok(li), Ok(button)) = (
                    self.document.create_element("li"),
                    self.document.create_element("button"),
                ) {
                    let _ = button.set_attribute("type", "button");
                    let _ = button.set_attribute("data-action", "all-problems");
                    button.set_text_content(Some(&format!("Show {} more", count - problems.len())));
                    let _ = li.append_child(&button);
                    let _ = list.append_child(&li);
                }
            }
            if problems.is_empty() {
                if let Ok(li) = self.document.create_element("li") {
                    li.set_text_content(Some(
                        if ended && !self.store.has_evidence(&shown.id) {
                            "Not known: this run was made on an earlier version of the checklist, and what it lacked then was not kept."
                        } else {
                            "Nothing: every required item, field and sign-off is done."
                        },
                    ));
                    let _ = list.append_child(&li);
                }
            }
        }
        drop(session);
        self.render_run_dates();
        // An open run list shows the current run's state, which this change may move.
        if self.q("details.runs[open]").is_some() {
            self.render_runs();
        }
        let session = self.session.borrow();
        let total = self.signoffs.len() as u32;
        let open = self
            .signoffs
            .iter()
            .filter(|id| session.item_state(id) != ItemState::Done)
            .count() as u32;
        set_text(
            self.q("[data-signoffs-given]").as_ref(),
            &(total - open).to_string(),
        );
        if !self.read_only() {
            self.store.save_summary(&Summary {
                done: p.done as u32,
                total: p.total as u32,
                required_open: p.required_open as u32,
                signoffs_open: open,
                signoffs: total,
                status: Some(status),
                touched: !self.session.borrow().changes().is_empty(),
                version: crate::store::version_tag(&self.checklist.source_sha256),
            });
        }
    }

    /// Brings every item in line with the session. `all` after switching runs; on
    /// load only the items the run changed differ from the page as built.
    pub(super) fn render_all(&self, all: bool) {
        if all || self.read_only() {
            let mut ids = Vec::new();
            self.checklist
                .for_each_item(&mut |i| ids.push(i.id.as_str()));
            for id in ids {
                self.render_item(id);
            }
        } else {
            let touched: KeySet = self
                .session
                .borrow()
                .changes()
                .iter()
                .map(|c| c.target.clone())
                .collect();
            for id in &touched {
                self.render_item(id);
                self.render_steps(id);
            }
        }
        for parent in &self.nesting {
            self.render_aggregate(parent);
        }
        self.render_fields(!all);
        self.render_summary();
        self.render_runs();
        let shown = self.shown.borrow().clone();
        if let Some(name) = self
            .q("[data-run-name]")
            .and_then(|e| el::<HtmlInputElement>(&e))
        {
            name.set_value(&shown.name);
            name.set_read_only(self.read_only());
        }
        if let Some(subject) = self
            .q("[data-run-subject]")
            .and_then(|e| el::<HtmlInputElement>(&e))
        {
            subject.set_value(shown.subject.as_ref().map_or("", |s| s.digest.as_str()));
            self.lock_subject();
        }
        if let Some(banner) = self.q("[data-readonly]") {
            if self.read_only() {
                show(&banner);
            } else {
                let _ = banner.set_attribute("hidden", "");
            }
        }
        // An archived run is only looked at: starting a run or importing from here
        // would act on the current run, out of sight.
        for control in ["[data-action=new-run]", "[data-import]"] {
            if let Some(c) = self.q(control) {
                set_disabled(&c, self.read_only());
            }
        }
        if self.buttons_disabled.get() != self.read_only() {
            self.buttons_disabled.set(self.read_only());
            for b in
                query_all::<HtmlElement>(&self.document, "button.item-more").unwrap_or_default()
            {
                set_disabled(&b, self.read_only());
            }
        }
    }

    /// Which sign-offs a change to `changed` withdrew, by role, and why.
    pub(super) fn withdrawn_message(&self, withdrawn: &[Change]) -> String {
        let session = self.session.borrow();
        let name = |id: &str| session.item(id).map_or(id, item_name).to_owned();
        let roles: Vec<String> = withdrawn.iter().map(|c| name(&c.target)).collect();
        // What changed, as the withdrawal's note quotes it: an item, or a field.
        let changed = withdrawn
            .first()
            .and_then(|c| match &c.what {
                What::Item { note, .. } => note.as_deref().and_then(withdrawal_subject),
                What::Field { .. } => None,
            })
            .unwrap_or("an item");
        format!(
            "{} withdrawn ({}): “{changed}” changed after {} given. Sign again once it is right.",
            plural(roles.len(), "sign-off", "sign-offs"),
            roles.join(", "),
            if roles.len() == 1 {
                "it was"
            } else {
                "they were"
            },
        )
    }

    /// How messages name an item: its text, or a sign-off's role.
    pub(super) fn name_of(&self, id: &str) -> String {
        self.session
            .borrow()
            .item(id)
            .map_or(id, item_name)
            .to_owned()
    }
}
