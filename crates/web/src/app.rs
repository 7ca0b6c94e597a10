//! The checklist page: runs, item states, notes, fields, sign-off rules, evidence.
//!
//! The page embeds its checklist's rules as JSON; every decision (may this be N/A, may
//! this sign-off be given, is the run complete) is checkdown-core's [`Session`], the
//! same code `checkdown verify` runs. This module only maps it to and from the DOM.

use std::cell::RefCell;
use std::rc::Rc;

use checkdown_core::Checklist;
use checkdown_core::evidence::{
    Evidence, ItemState, KeySet, PositionMap, Run, merge, positions, verify,
};
use checkdown_core::evidence::{FindingKind, item_name};
use checkdown_core::run::{
    Change, ChangeError, Session, What, changes_from_evidence, rebase, withdrawal_subject,
};
use checkdown_core::{FieldKind, ItemKind};
use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlInputElement};

use crate::dom::{query, query_all, set_text, show};
use crate::store::{Outcome, RunIndex, RunMeta, SCHEMA, Store, Summary, outline_of};

/// Evidence files are refused before parsing when larger than 4 KB an item (a run
/// with every item ticked writes about 500 bytes an item), within these bounds; the
/// upper one is what `checkdown verify` reads.
const MIN_IMPORT_BYTES: f64 = 5_000_000.0;
const MAX_IMPORT_BYTES: f64 = 64.0 * 1024.0 * 1024.0;
/// The validation panel lists this many problems, then says how many more.
const MAX_LISTED: usize = 30;

/// The item dialog's contents, kept aside (in storage when the page is left).
#[derive(serde::Serialize, serde::Deserialize)]
struct Draft {
    item: String,
    state: String,
    note: String,
    reason: String,
    /// The item as the dialog opened on it: what was left so is not the person's.
    opened: DialogValues,
}

/// An item's state, note and reason in the item dialog: as it opened on them, or as
/// the person left them.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct DialogValues {
    state: String,
    note: String,
    reason: String,
}

impl DialogValues {
    fn of(dialog: &Element) -> Self {
        let attr = |name: &str| dialog.get_attribute(name).unwrap_or_default();
        Self {
            state: attr("data-opened-state"),
            note: attr("data-opened-note"),
            reason: attr("data-opened-reason"),
        }
    }

    fn mark(&self, dialog: &Element) {
        let _ = dialog.set_attribute("data-opened-state", &self.state);
        let _ = dialog.set_attribute("data-opened-note", &self.note);
        let _ = dialog.set_attribute("data-opened-reason", &self.reason);
    }
}

struct ItemDom {
    li: Element,
    input: HtmlInputElement,
}

/// The enhanced checklist page.
pub struct Page {
    document: Document,
    main: Element,
    store: Store,
    checklist: &'static Checklist,
    session: RefCell<Session<'static>>,
    index: RefCell<RunIndex>,
    /// The run shown: the current one, or an archived one opened read-only.
    shown: RefCell<RunMeta>,
    /// Sign-off IDs, in order: the few items every render looks at.
    signoffs: Vec<String>,
    /// Sign-offs someone tried to give while blocked: they say why beside them.
    tried: RefCell<Vec<String>>,
    /// Whether the options buttons are disabled (an archived run is shown).
    buttons_disabled: std::cell::Cell<bool>,
    /// The person asked to see every problem, not the first `MAX_LISTED`.
    all_problems: std::cell::Cell<bool>,
    /// What was chosen and typed in the item dialog when the browser closed it anyway
    /// (a repeated Escape cannot be refused), put back when that item's dialog opens
    /// again in the same run.
    draft: RefCell<Option<Draft>>,
    /// Each field's ID and input. Only ever walked whole, so a list.
    fields: Vec<(String, Element)>,
    /// Each contents entry and where its section's items are in document order.
    toc: Vec<(Element, std::ops::Range<usize>)>,
    /// Items with nested items, which show their aggregate, and each nested item's
    /// parent, to update it when a nested item changes.
    nesting: Vec<&'static checkdown_core::Item>,
    /// For each nested item, its parent's position in `nesting`.
    parents: PositionMap<'static>,
    listeners: RefCell<Vec<EventListener>>,
    /// Pending debounced writes by key; a few at most, so a list.
    timers: RefCell<Vec<(String, gloo_timers::callback::Timeout)>>,
    /// A mouse button or finger is down. Saving a field re-renders notices and
    /// counts above the controls; done between press and release it moved the button
    /// being clicked (Export, a checkbox) from under the pointer, and the click was
    /// lost. Fields left or due while pressed wait in `held` for the release.
    pressed: std::cell::Cell<bool>,
    held: RefCell<Vec<Element>>,
    /// Set while fields are settled at a release: what saving them shows waits in
    /// `later` until the click has been handled, so the click's target is still in
    /// the page (a link in the validation list) and its message does not replace
    /// theirs.
    quiet: std::cell::Cell<bool>,
    later: RefCell<Later>,
    /// Counts messages said, to tell whether the click said one of its own.
    said: std::cell::Cell<u32>,
    /// The page is in English (its `<html lang>`): its own words need no marking.
    english: bool,
    /// The checklist runs right to left (`dir="rtl"` on <main>): English parts of its
    /// lines are set left to right.
    rtl: bool,
}

/// What settling fields at a release shows once the click is handled.
#[derive(Default)]
struct Later {
    messages: Vec<String>,
    changed: Vec<String>,
    render: bool,
    hint: bool,
}

thread_local! {
    /// The page's one date formatter, in the browser's language: building one costs
    /// more than handling a tick, and every tick shows a stamp. It names the time
    /// zone, which a printed run read elsewhere needs (`dateStyle` cannot).
    static LOCAL_TIME: js_sys::Function = {
        let options = js_sys::Object::new();
        for (key, value) in [
            ("year", "numeric"),
            ("month", "short"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
            ("timeZoneName", "short"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format()
    };
}

/// A stored timestamp as the reader's own clock and language show it ("Nov 23,
/// 2026, 8:04 PM EST" in US English), so a colleague's stamp made in another time zone
/// reads in local time. The evidence keeps the exact text; this is only for display.
fn local_time(iso: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    let shown = (!date.get_time().is_nan())
        .then(|| LOCAL_TIME.with(|format| format.call1(&JsValue::UNDEFINED, &date)))
        .and_then(|s| s.ok()?.as_string());
    shown.unwrap_or_else(|| iso.replace('T', " "))
}

/// A run's name as part of a file name, as `slugify` would make it: words of letters
/// and digits, lowercased, joined by dashes and cut near 64 bytes; `run` when no word
/// is left. The browser finds the words and lowercases them (`\p{Alphabetic}` and
/// `\p{N}` are the classes `char::is_alphanumeric` uses), so the client carries no
/// Unicode tables for a file name.
fn file_slug(name: &str) -> String {
    let separators = js_sys::RegExp::new(r"[^\p{Alphabetic}\p{N}]+", "u");
    let words: Vec<String> = js_sys::JsString::from(name)
        .split_by_pattern(&separators)
        .iter()
        .filter_map(|word| word.dyn_into::<js_sys::JsString>().ok())
        .map(|word| String::from(word.to_lower_case()))
        .filter(|word| !word.is_empty())
        .collect();
    let mut slug = words.join("-");
    checkdown_core::cut_slug(&mut slug);
    if slug.is_empty() {
        "run".to_owned()
    } else {
        slug
    }
}

fn now() -> String {
    // An ISO 8601 timestamp with the person's own offset, to the second.
    let d = js_sys::Date::new_0();
    let offset = -(d.get_timezone_offset() as i32);
    let (sign, offset) = if offset < 0 {
        ('-', -offset)
    } else {
        ('+', offset)
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        offset / 60,
        offset % 60
    )
}

fn today() -> String {
    now()[..10].to_owned()
}

fn el<T: JsCast>(e: &Element) -> Option<T> {
    e.clone().dyn_into::<T>().ok()
}

/// One side of a merge conflict as people read it: "done by Ana, Nov 24, 2026, 9:01
/// AM UTC", or a field's value.
fn side_of(evidence: &Evidence, id: &str) -> String {
    let Some(record) = evidence.items.iter().find(|i| i.id == id) else {
        return evidence
            .fields
            .iter()
            .find(|f| f.id == id)
            .map_or_else(|| "missing".to_owned(), |f| format!("“{}”", f.value));
    };
    let state = match record.state {
        ItemState::Done => "done",
        ItemState::Na => "N/A",
        ItemState::Open => "open",
    };
    match (&record.who, &record.when) {
        (Some(who), Some(when)) => format!("{state} by {who}, {}", local_time(when)),
        _ => state.to_owned(),
    }
}

/// A field's label as the page shows it ("QA Lead: Name" for a sign-off's), or its ID.
fn field_label(checklist: &Checklist, id: &str) -> String {
    if let Some(f) = checklist.fields.iter().find(|f| f.id == id) {
        return f.label.clone();
    }
    let mut label = None;
    checklist.for_each_item(&mut |i| {
        if let Some(f) = i.fields.iter().find(|f| f.id == id) {
            label = Some(format!("{}: {}", item_name(i), f.label));
        }
    });
    label.unwrap_or_else(|| id.to_owned())
}

/// Sign-offs taken back because their own line changed in this version.
/// Sign-offs taken back because this version changed what they sign: `changed` is
/// what changed (their own lines, or a required step added), when known.
fn reworded_message(names: &[String], changed: &[&str]) -> String {
    let one = names.len() == 1;
    let what = if changed.is_empty() {
        format!(
            "this version of the checklist changed what {}",
            if one { "it signs" } else { "they sign" }
        )
    } else {
        let quoted: Vec<String> = changed
            .iter()
            .map(|c| format!("\u{201c}{c}\u{201d}"))
            .collect();
        format!(
            "{} changed in this version of the checklist",
            quoted.join(", ")
        )
    };
    format!(
        "{} withdrawn ({}): {what} since {} given. Sign again once it is right.",
        plural(names.len(), "Sign-off", "Sign-offs"),
        names.join(", "),
        if one { "it was" } else { "they were" },
    )
}

/// "1 sign-off", "3 sign-offs".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 required item is" / "3 required items are", to finish a sentence.
fn open_items(n: usize) -> String {
    if n == 1 {
        "1 required item is".to_owned()
    } else {
        format!("{n} required items are")
    }
}

/// What a screen reader reads after an item's name: its status line (N/A and why, the
/// note, who did it) and, for a sign-off that cannot be given yet, why not. The strike
/// through an N/A item is only seen.
fn describe(dom: &ItemDom) {
    let mut ids = Vec::new();
    if let Ok(Some(status)) = query(&dom.li, ":scope > .item-status") {
        ids.push(status.id());
    }
    if dom.li.has_attribute("data-blocked") {
        ids.push("signoff-blocked".to_owned());
    }
    if ids.is_empty() {
        let _ = dom.input.remove_attribute("aria-describedby");
    } else {
        let _ = dom.input.set_attribute("aria-describedby", &ids.join(" "));
    }
}

fn set_disabled(e: &Element, disabled: bool) {
    // Attributes cannot fail to set on an element the page holds.
    let _ = if disabled {
        e.set_attribute("disabled", "")
    } else {
        e.remove_attribute("disabled")
    };
}

fn input_value(e: &Element) -> String {
    if let Some(i) = el::<HtmlInputElement>(e) {
        return i.value();
    }
    el::<web_sys::HtmlTextAreaElement>(e).map_or_else(String::new, |t| t.value())
}

fn set_input_value(e: &Element, v: &str) {
    if let Some(i) = el::<HtmlInputElement>(e) {
        if i.value() != v {
            i.set_value(v);
        }
        mirror_date(&i);
    } else if let Some(t) = el::<web_sys::HtmlTextAreaElement>(e) {
        if t.value() != v {
            t.set_value(v);
        }
    }
}

/// Copies a date input's value to its `value` attribute, which CSS can see: printed,
/// an empty date is a line to write on rather than the browser's "mm/dd/yyyy".
fn mirror_date(input: &HtmlInputElement) {
    if input.type_() != "date" {
        return;
    }
    let value = input.value();
    // Attributes cannot fail to set on an element the page holds.
    let _ = if value.is_empty() {
        input.remove_attribute("value")
    } else {
        input.set_attribute("value", &value)
    };
}

/// "Run 3, 2026-11-24", as a run is named until someone renames it.
fn is_default_run_name(name: &str) -> bool {
    name.strip_prefix("Run ")
        .and_then(|rest| rest.split_once(", "))
        .is_some_and(|(n, date)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && date.len() == 10
        })
}

fn new_run_meta(checklist: &Checklist, name: &str) -> RunMeta {
    RunMeta {
        id: format!("r{}", js_sys::Date::now() as u64),
        name: name.to_owned(),
        started: now(),
        source_sha256: checklist.source_sha256.clone(),
        worked_on: None,
        archived: false,
        outcome: None,
        subject: None,
    }
}

impl Page {
    fn q(&self, selector: &str) -> Option<Element> {
        query(&self.document, selector).ok().flatten()
    }

    fn who(&self) -> String {
        let who = self.store.who();
        if who.trim().is_empty() {
            "anonymous".to_owned()
        } else {
            who
        }
    }

    fn is_signoff(&self, id: &str) -> bool {
        self.signoffs.iter().any(|s| s == id)
    }

    fn read_only(&self) -> bool {
        self.shown.borrow().id != self.index.borrow().current
    }

    /// Which sign-offs a change to `changed` withdrew, by role, and why.
    fn withdrawn_message(&self, withdrawn: &[Change]) -> String {
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
    fn name_of(&self, id: &str) -> String {
        self.session
            .borrow()
            .item(id)
            .map_or(id, item_name)
            .to_owned()
    }

    /// What the message line says now.
    fn message(&self) -> String {
        self.q("[data-message]")
            .and_then(|m| m.text_content())
            .unwrap_or_default()
    }

    fn say(&self, text: &str) {
        self.said.set(self.said.get().wrapping_add(1));
        if let Some(m) = self.q("[data-message]") {
            // Only the text changes: the region is never hidden (see the stylesheet).
            m.set_text_content(Some(text));
            if !text.is_empty() {
                // The message sits above the items: a long one pushes the control
                // the person is on down, out of view, unless it is brought back.
                if let Some(focused) = self.document.active_element() {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    focused.scroll_into_view_with_scroll_into_view_options(&options);
                }
            }
        }
    }

    /// Room again, and what waited was written: the warning is over.
    fn sync_storage_warning(&self) {
        if !self.store.pending() {
            if let Some(w) = self.q("[data-storage-warning]") {
                let _ = w.set_attribute("hidden", "");
            }
        }
    }

    fn storage_warning(&self) {
        if let Some(w) = self.q("[data-storage-warning]") {
            show(&w);
        }
    }

    /// An item's elements, found when needed rather than held for every item: a
    /// page may have 10,000, and most are never touched.
    fn item_dom(&self, id: &str) -> Option<ItemDom> {
        let input = el::<HtmlInputElement>(&self.document.get_element_by_id(&format!("cb-{id}"))?)?;
        let li = input.parent_element()?;
        Some(ItemDom { li, input })
    }

    fn persist(&self, changes: &[checkdown_core::run::Change]) {
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

    /// A run started on an earlier version of the checklist and changed on this one
    /// is this version's run now: its evidence is made against this version.
    fn note_worked_on(&self) {
        let sha = &self.checklist.source_sha256;
        let run = self.shown.borrow().clone();
        let version = run.worked_on.as_ref().unwrap_or(&run.source_sha256);
        if version == sha {
            return;
        }
        let mut index = self.index.borrow_mut();
        for r in index.runs.iter_mut().filter(|r| r.id == run.id) {
            r.worked_on = Some(sha.clone());
        }
        let _ = self.store.save_runs(&index);
        self.shown.borrow_mut().worked_on = Some(sha.clone());
    }

    fn who_hint(&self, shown: bool) {
        if let Some(hint) = self.q("[data-who-hint]") {
            if shown {
                show(&hint);
            } else {
                let _ = hint.set_attribute("hidden", "");
            }
        }
    }

    /// A tick or untick from a checkbox.
    fn on_tick(&self, id: &str) {
        let Some(dom) = self.item_dom(id) else {
            return;
        };
        if self.read_only() {
            self.render_item(id);
            return;
        }
        let to = if dom.input.checked() {
            ItemState::Done
        } else {
            ItemState::Open
        };
        // A tick keeps the item's note; an N/A reason no longer applies once it is
        // ticked or unticked.
        let note = self.session.borrow().note(id).map(str::to_owned);
        let was_na = (self.session.borrow().item_state(id) == ItemState::Na)
            .then(|| self.session.borrow().reason(id).unwrap_or("").to_owned());
        self.prepare_signing(id, to);
        let result =
            self.session
                .borrow_mut()
                .set_item(&now(), &self.who(), id, to, note.as_deref(), None);
        match result {
            Ok(made) => {
                self.persist(&made);
                match (made.split_first(), was_na) {
                    (Some((_, withdrawn)), _) if !withdrawn.is_empty() => {
                        self.say(&self.withdrawn_message(withdrawn));
                    }
                    // One key press turns an N/A into a tick and its reason is gone:
                    // say so, where it is seen and heard.
                    (_, Some(reason)) => {
                        let name = self.name_of(id);
                        let was = if reason.is_empty() {
                            "N/A".to_owned()
                        } else {
                            format!("N/A ({reason})")
                        };
                        self.say(&format!(
                            "{name} is now {}; it was {was}.",
                            if to == ItemState::Done {
                                "done"
                            } else {
                                "open"
                            }
                        ));
                    }
                    _ => self.say(""),
                }
                for c in &made {
                    self.render_changed(&c.target);
                }
                let touched: Vec<&str> = made.iter().map(|c| c.target.as_str()).collect();
                self.render_summary_for(Some(&touched));
            }
            Err(ChangeError::SignoffBlocked(n)) => {
                if !self.tried.borrow().iter().any(|t| t == id) {
                    self.tried.borrow_mut().push(id.to_owned());
                }
                self.render_summary();
                let name = self.name_of(id);
                self.say(&format!(
                    "{name} cannot be signed yet: {} not done or N/A with a reason.",
                    open_items(n)
                ));
                self.render_item(id);
            }
            Err(err) => {
                self.say(&err.to_string());
                self.render_item(id);
            }
        }
    }

    /// Before a sign-off is given: what was typed into the form is saved first (it may
    /// still be waiting out its typing pause), then its blanks are filled, so the log
    /// reads as a paper form is filled in: name and date, then the signature.
    fn prepare_signing(&self, id: &str, to: ItemState) {
        let signing = to == ItemState::Done && self.is_signoff(id);
        if signing && self.session.borrow().blocking_signoff() == 0 {
            self.flush_fields();
            self.fill_signoff(id);
        }
    }

    /// Fills the sign-off's empty name with the signer's and its empty date with
    /// today's. Values already written are the signer's to keep.
    fn fill_signoff(&self, id: &str) {
        let Some(item) = self.session.borrow().item(id) else {
            return;
        };
        let who = self.store.who();
        let date = today();
        for field in &item.fields {
            let value = match field.kind {
                FieldKind::Name => who.trim(),
                FieldKind::Date => date.as_str(),
                _ => continue,
            };
            if value.is_empty() || !self.session.borrow().field(&field.id).trim().is_empty() {
                continue;
            }
            self.on_field(&field.id, value);
            if let Some((_, input)) = self.fields.iter().find(|(f, _)| *f == field.id) {
                set_input_value(input, value);
                if let Some(i) = el::<HtmlInputElement>(input) {
                    mirror_date(&i);
                }
            }
        }
    }

    fn on_field(&self, id: &str, value: &str) {
        if self.read_only() {
            return;
        }
        if self.session.borrow().field(id) == value {
            return;
        }
        let result = self
            .session
            .borrow_mut()
            .set_field(&now(), &self.who(), id, value);
        if let Ok(made) = result {
            self.persist(&made);
            // A new value after signing takes sign-offs back: show it where it happened.
            if let Some((_, withdrawn)) = made.split_first().filter(|(_, w)| !w.is_empty()) {
                let message = self.withdrawn_message(withdrawn);
                if self.quiet.get() {
                    let mut later = self.later.borrow_mut();
                    later.messages.push(message);
                    later
                        .changed
                        .extend(withdrawn.iter().map(|c| c.target.clone()));
                } else {
                    self.say(&message);
                    for c in withdrawn {
                        self.render_changed(&c.target);
                    }
                }
            }
        }
        if self.quiet.get() {
            self.later.borrow_mut().render = true;
        } else {
            self.render_summary();
        }
    }

    /// An item that changed, the items nested in it (N/A covers them), and the
    /// aggregates of the items it is nested in.
    fn render_changed(&self, id: &str) {
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
    fn render_steps(&self, id: &str) {
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
    fn render_aggregate(&self, parent: &checkdown_core::Item) {
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
    fn item_line(&self, li: &Element, class: &str) -> Option<Element> {
        let e = self.document.create_element("span").ok()?;
        e.set_class_name(class);
        let anchor = query(li, ":scope > .item-more").ok().flatten();
        let _ = li.insert_before(&e, anchor.as_ref().map(|a| a.as_ref()));
        Some(e)
    }

    fn render_item(&self, id: &str) {
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
    fn write_line(&self, e: &Element, text: &str, theirs: &[std::ops::Range<usize>]) {
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
    fn quoted_names(&self, message: &str, target: &str) -> Vec<std::ops::Range<usize>> {
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
    fn write_quoting(&self, e: &Element, text: &str, theirs: &[std::ops::Range<usize>]) {
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

    /// Keeps `timer` as the one pending write for `key`; dropping the one it replaces
    /// cancels it.
    fn debounce(&self, key: String, timer: gloo_timers::callback::Timeout) {
        let mut timers = self.timers.borrow_mut();
        match timers.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = timer,
            None => timers.push((key, timer)),
        }
    }

    /// Saves every field still waiting out its typing pause, now: the page is going
    /// away (a reload, a link, a closed tab) and its timers would never fire.
    fn flush_fields(&self) {
        let mut due = Vec::new();
        self.timers.borrow_mut().retain(|(key, _)| {
            let field = self.fields.iter().any(|(id, _)| id == key);
            if field {
                due.push(key.clone());
            }
            // Dropping a field's timer cancels it; it is written below instead.
            !field
        });
        for id in due {
            if let Some((_, input)) = self.fields.iter().find(|(f, _)| *f == id) {
                self.on_field(&id, &input_value(input));
            }
        }
    }

    /// Writes the shown run's values into the inputs. The one being typed in is left
    /// alone (`spare_focused`) while another tab edits the same run, so a keystroke is
    /// not undone under the cursor; after a switch of runs nothing is, since what it
    /// holds belongs to the run left behind.
    fn render_fields(&self, spare_focused: bool) {
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

    fn render_summary(&self) {
        self.render_summary_for(None);
    }

    /// When the run started and who changed it last: a printed run is a record, and a
    /// record says when it was made and by whom.
    fn render_run_dates(&self) {
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

    /// Settles a field now, or at the release when a press is under way (`pressed`).
    fn settle_or_hold(&self, input: &Element) {
        if self.pressed.get() {
            let mut held = self.held.borrow_mut();
            if !held.contains(input) {
                held.push(input.clone());
            }
        } else {
            self.settle_field(input);
        }
    }

    /// The press ended. Runs before the click it made is handled (and again after,
    /// for a press that made none), so an action sees every field saved; what that
    /// shows comes just after the click (`show_later`).
    fn release(self: &Rc<Self>) {
        self.pressed.set(false);
        let held = std::mem::take(&mut *self.held.borrow_mut());
        if held.is_empty() {
            return;
        }
        let said = self.said.get();
        let (run, name) = {
            let shown = self.shown.borrow();
            (shown.id.clone(), shown.name.clone())
        };
        self.quiet.set(true);
        for input in held {
            self.settle_field(&input);
        }
        self.quiet.set(false);
        let page = Rc::clone(self);
        let show = gloo_timers::callback::Timeout::new(0, move || {
            page.show_later(said, &run, &name);
        });
        self.debounce(SHOW_LATER.to_owned(), show);
    }

    /// Shows what settling fields at a release held back. A message the click said
    /// meanwhile (`said` is the count before it) is kept, with these after it; if the
    /// click moved to another run, these name the run they are about (`run`, `name`).
    fn show_later(&self, said: u32, run: &str, name: &str) {
        let later = std::mem::take(&mut *self.later.borrow_mut());
        let same_run = self.shown.borrow().id == run;
        if later.hint && same_run && self.store.who().trim().is_empty() {
            self.who_hint(true);
        }
        if same_run {
            for id in &later.changed {
                self.render_changed(id);
            }
        }
        if later.render {
            // The click may have moved the focus into the list rebuilt here ("Show N
            // more" focuses the first entry it revealed): it stays on that entry.
            let focused = self
                .document
                .active_element()
                .filter(|e| e.closest("[data-problems]").ok().flatten().is_some())
                .and_then(|e| e.get_attribute("href").map(|h| (h, e.text_content())));
            self.render_summary();
            if let Some((href, text)) = focused {
                let again = query_all::<Element>(&self.document, "[data-problems] a")
                    .unwrap_or_default()
                    .into_iter()
                    .find(|a| {
                        a.get_attribute("href").as_ref() == Some(&href) && a.text_content() == text
                    });
                if let Some(a) = again.and_then(|a| el::<HtmlElement>(&a)) {
                    let _ = a.focus();
                }
            }
        }
        if later.messages.is_empty() {
            return;
        }
        let mut text = later.messages.join(" ");
        if !same_run {
            text = format!("In \"{name}\": {text}");
        }
        let current = self.message();
        if self.said.get() != said && !current.is_empty() {
            text = format!("{current} {text}");
        }
        self.say(&text);
    }

    /// The person left a field: what they typed is saved now, and the field then shows
    /// what the run holds, which differs when another tab wrote the same field since.
    fn settle_field(&self, input: &Element) {
        let Some(id) = input.get_attribute("data-field") else {
            return;
        };
        let mut pending = false;
        self.timers.borrow_mut().retain(|(key, _)| {
            pending |= *key == id;
            *key != id
        });
        if pending {
            self.on_field(&id, &input_value(input));
        }
        // Still being typed in (a timer fell due while the pointer was down): what it
        // shows is the person's, not to be rewritten under the cursor.
        if self.document.active_element().as_ref() != Some(input) {
            set_input_value(input, self.session.borrow().field(&id));
        }
    }

    /// The counts, status, validation list and contents counts. After a tick only the
    /// contents entries holding a changed item are recounted (`touched`).
    fn render_summary_for(&self, touched: Option<&[&str]>) {
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
        if let Some(hint) = self.q("#signoff-blocked") {
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
                let quoted = self.quoted_names(&p.message, &p.target);
                if self.document.get_element_by_id(&p.target).is_none() {
                    self.write_quoting(&li, &p.message, &quoted);
                } else if let Ok(a) = self.document.create_element("a") {
                    let _ = a.set_attribute("href", &format!("#{}", p.target));
                    self.write_quoting(&a, &p.message, &quoted);
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

    fn render_runs(&self) {
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
    fn fill_outcomes(&self) {
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

    /// Brings every item in line with the session. `all` after switching runs; on
    /// load only the items the run changed differ from the page as built.
    fn render_all(&self, all: bool) {
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

    /// Shows another run (the current one, or an archived one read-only).
    fn show_run(&self, run: RunMeta) {
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

    /// A run carried onto this version of the checklist: each sign-off given on an
    /// earlier one whose own line this version words otherwise is taken back (see
    /// `Session::withdraw_reworded`), and the page says so. The outline then holds the
    /// sign-offs' texts of this version, so one given again here stands on the next
    /// visit, and after a further edit is compared with what it was given for.
    fn settle_reworded_signoffs(&self) {
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

    /// Records a change in the shown run whether or not it is still the current one
    /// (the run left by a switch); 1 when something was saved.
    fn keep_typed(
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
    fn keep_dialog(&self) -> usize {
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
    fn keep_item(&self, id: &str, typed: &DialogValues, opened: &DialogValues) -> usize {
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

    /// The run list shows an archived run as it stood when archived; the run left
    /// by a switch changed after that, with what was typed into it.
    fn note_left_run_outcome(&self) {
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
    fn focus_run_view(&self) {
        let target = if self.read_only() {
            self.q("[data-readonly]")
        } else {
            self.q("#run-title")
        };
        if let Some(t) = target.and_then(|t| el::<HtmlElement>(&t)) {
            let _ = t.focus();
        }
    }

    fn report_corrupt(&self, corrupt: &[String]) {
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
    fn report_source_change(&self, corrupt: &mut Vec<String>) {
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

    /// The shown run's evidence as the export writes it.
    pub fn export_json(&self) -> String {
        crate::json::to_string_pretty(&self.shown_evidence())
    }

    fn shown_evidence(&self) -> Evidence {
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

    /// Whether `run` is archived and was made on an earlier version of the checklist:
    /// this page cannot re-create its evidence (the items it was made on are gone).
    fn is_stale(&self, run: &RunMeta) -> bool {
        let version = run.worked_on.as_ref().unwrap_or(&run.source_sha256);
        run.archived && *version != self.checklist.source_sha256
    }

    /// The evidence to export for `run`: `Ok(None)` when this page makes it (the run
    /// is on this version), the copy kept when it was archived for one made on an
    /// earlier version, and `Err` (said on the page) when there is none: a file that
    /// holds for neither version is not written.
    fn archived_evidence(&self, run: &RunMeta) -> Result<Option<Evidence>, ()> {
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
    fn keep_evidence(&self, run: &RunMeta) {
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
    fn keep_archived_evidence(&self) {
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

    fn evidence_for(&self, run: &RunMeta) -> Evidence {
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

    fn download(&self, evidence: &Evidence) {
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

    /// Says under the "Releasing" box when a digest there is cut short
    /// (`sha256:abc123`): the run still records it, but an in-toto statement needs
    /// the whole digest, and finding out at the end of the pipeline is late.
    fn check_subject(&self, digest: &str) {
        let Some(hint) = self.q("#run-subject-hint") else {
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
    fn signed(&self) -> bool {
        let session = self.session.borrow();
        self.signoffs
            .iter()
            .any(|id| session.item_state(id) == ItemState::Done)
    }

    /// "Releasing" is what the sign-offs approve: while one stands it cannot change,
    /// or one signed run could be pointed at any release. The log records sign-offs,
    /// not the subject, so this is where it is held.
    fn lock_subject(&self) {
        let Some(input) = self
            .q("[data-run-subject]")
            .and_then(|e| el::<HtmlInputElement>(&e))
        else {
            return;
        };
        let locked = self.signed();
        input.set_read_only(self.read_only() || locked);
        if locked {
            if let Some(hint) = self.q("#run-subject-hint") {
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
    fn set_subject(&self, digest: &str) {
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

    fn rename_run(&self, name: &str) {
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

    fn run_by_id(&self, id: &str) -> Option<RunMeta> {
        self.index
            .borrow()
            .runs
            .iter()
            .find(|r| r.id == id)
            .cloned()
    }

    fn on_action(&self, action: &str, run: Option<String>) {
        match action {
            "all-problems" => {
                self.all_problems.set(true);
                self.render_summary();
                // The button is gone: keep the place in the list, at the first entry
                // it revealed.
                if let Some(a) = self
                    .q(&format!(
                        "[data-problems] > li:nth-child({}) > a",
                        MAX_LISTED + 1
                    ))
                    .and_then(|a| el::<HtmlElement>(&a))
                {
                    let _ = a.focus();
                }
            }
            "new-run" => {
                // An archived run opens read-only and cannot be resumed: ask first,
                // unless nothing was done in this one yet.
                let name = self.shown.borrow().name.clone();
                let sure = self.session.borrow().changes().is_empty()
                    || web_sys::window()
                        .and_then(|w| {
                            w.confirm_with_message(&format!(
                                "Start a new run? \"{name}\" will be archived: it stays under All runs, read-only."
                            ))
                            .ok()
                        })
                        .unwrap_or(false);
                if sure {
                    self.start_new_run();
                }
            }
            // What was typed a moment ago is still waiting out its typing pause.
            "export" => {
                self.flush_fields();
                match self.archived_evidence(&self.shown.borrow().clone()) {
                    Ok(Some(kept)) => self.download(&kept),
                    Ok(None) => self.download(&self.shown_evidence()),
                    Err(()) => {}
                }
            }
            "copy" => {
                self.flush_fields();
                let json = match self.archived_evidence(&self.shown.borrow().clone()) {
                    Ok(Some(kept)) => crate::json::to_string_pretty(&kept),
                    Ok(None) => crate::json::to_string_pretty(&self.shown_evidence()),
                    Err(()) => return,
                };
                // Browsers give pages the clipboard only where they are served securely
                // (https:// or this computer): an intranet host on plain http has none.
                // Some older ones have it without `writeText`, and calling that throws.
                let get = |on: &JsValue, key: &str| {
                    js_sys::Reflect::get(on, &JsValue::from_str(key))
                        .ok()
                        .filter(|v| !v.is_undefined() && !v.is_null())
                };
                let clipboard = web_sys::window().and_then(|w| get(&w.navigator(), "clipboard"));
                let Some(clipboard) = clipboard else {
                    self.say(
                        "This browser lets pages copy only when they are served over https:// \
                         (or from this computer). Use Export evidence instead.",
                    );
                    return;
                };
                if !get(&clipboard, "writeText").is_some_and(|w| w.is_function()) {
                    self.say(
                        "This browser cannot copy text for a page. Use Export evidence instead.",
                    );
                    return;
                }
                let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
                // "Copied" only once the browser has copied: said before, or left over
                // from an earlier copy, it would claim evidence that is not there.
                self.say("Copying the evidence JSON…");
                let message = self.q("[data-message]");
                let promise = clipboard.write_text(&json);
                wasm_bindgen_futures::spawn_local(async move {
                    let text = match wasm_bindgen_futures::JsFuture::from(promise).await {
                        Ok(_) => "Copied the evidence JSON to the clipboard.",
                        Err(_) => {
                            "The browser did not let the page copy. Use Export evidence instead."
                        }
                    };
                    if let Some(m) = message {
                        m.set_text_content(Some(text));
                    }
                });
            }
            "print" => {
                self.flush_fields();
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }
            "take-runs" => {
                if let Some(other) = run {
                    if self.store.take_runs_of(&other) {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    } else {
                        self.storage_warning();
                    }
                }
            }
            "current-run" => {
                let current = self.index.borrow().current.clone();
                if let Some(r) = self.run_by_id(&current) {
                    self.show_run(r);
                    self.focus_run_view();
                }
            }
            "open-run" => {
                if let Some(r) = run.and_then(|id| self.run_by_id(&id)) {
                    self.show_run(r);
                    self.focus_run_view();
                }
            }
            "export-run" => {
                if let Some(r) = run.and_then(|id| self.run_by_id(&id)) {
                    match self.archived_evidence(&r) {
                        Ok(Some(kept)) => self.download(&kept),
                        Ok(None) => self.download(&self.evidence_for(&r)),
                        Err(()) => {}
                    }
                }
            }
            "delete-run" => {
                let Some(r) = run.and_then(|id| self.run_by_id(&id)) else {
                    return;
                };
                let sure = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(&format!(
                            "Delete the run \"{}\" and all its progress? This cannot be undone.",
                            r.name
                        ))
                        .ok()
                    })
                    .unwrap_or(false);
                if !sure {
                    return;
                }
                self.store.delete_run(&r.id);
                let mut index = self.index.borrow_mut();
                index.runs.retain(|x| x.id != r.id);
                let _ = self.store.save_runs(&index);
                drop(index);
                if self.shown.borrow().id == r.id {
                    self.on_action("current-run", None);
                }
                self.render_runs();
                self.say(&format!("Deleted the run \"{}\".", r.name));
                // Its Delete button is gone; the list it was in keeps the place.
                if let Some(s) = self
                    .q("details.runs > summary")
                    .and_then(|s| el::<HtmlElement>(&s))
                {
                    let _ = s.focus();
                }
            }
            _ => {}
        }
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

    /// Whether the open dialog's note or reason differs from what the item holds.
    fn dialog_edited(&self) -> bool {
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
    fn save_open_draft(&self) {
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
    fn restore_draft(&self) {
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

    /// On a first visit, progress saved for this very checklist under another ID (the
    /// file was renamed or moved, and its ID is its path) is offered, not left where
    /// no page leads. Offered, not taken: two files with one text may be two
    /// checklists.
    fn offer_runs_elsewhere(&self) {
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

    fn keep_draft(&self) {
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

    fn open_dialog(&self, id: &str) {
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

    fn save_dialog(&self) -> bool {
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
                        let _ = c.set_attribute("aria-errormessage", "item-dialog-error");
                    }
                    if let Some(c) = el::<HtmlElement>(&c) {
                        let _ = c.focus();
                    }
                }
                false
            }
        }
    }

    /// A change saved by another tab of the same checklist.
    /// Another tab changed the list of runs: started, imported, renamed or deleted
    /// one. A tab on the current run follows a new one, so its ticks never land in a
    /// run the other tab archived.
    fn on_runs_changed(&self) {
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

    fn on_storage(&self, key: &str, value: Option<String>) {
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

fn listen(
    page: &Rc<Page>,
    target: &web_sys::EventTarget,
    event: &'static str,
    f: impl Fn(&Rc<Page>, &web_sys::Event) + 'static,
) {
    let p = Rc::clone(page);
    // Not passive: a refused save must be able to keep its dialog open.
    let options = gloo_events::EventListenerOptions::enable_prevent_default();
    let l = EventListener::new_with_options(target, event, options, move |e| f(&p, e));
    page.listeners.borrow_mut().push(l);
}

/// The `timers` keys of the release after a press, and of showing what it saved; no
/// field ID is empty or starts with a space.
const RELEASE: &str = "";
const SHOW_LATER: &str = " show";

fn wire(page: &Rc<Page>) {
    let doc = page.document.clone();
    // One delegated listener each, not one per item: a page may hold 10,000 items.
    listen(page, &page.main, "change", |p, e| {
        let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if let Some(id) = t.get_attribute("data-item") {
            p.on_tick(&id);
        } else if t.has_attribute("data-import") {
            if let Some(input) = el::<HtmlInputElement>(&t) {
                import_file(p, &input);
            }
        }
    });
    listen(page, &page.main, "input", |p, e| {
        let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if let Some(id) = t.get_attribute("data-field") {
            if let Some(input) = el::<HtmlInputElement>(&t) {
                mirror_date(&input);
            }
            // Saved as the person types, but not on every keystroke.
            let page = Rc::clone(p);
            let field = id.clone();
            let timer = gloo_timers::callback::Timeout::new(300, move || {
                if page.pressed.get() {
                    // Its timer stays listed, so the release still saves it.
                    page.settle_or_hold(&t);
                    return;
                }
                let value = input_value(&t);
                page.on_field(&field, &value);
            });
            p.debounce(id, timer);
        } else if t.has_attribute("data-who") {
            let who = input_value(&t);
            match p.store.set_who(&who) {
                Ok(()) => p.sync_storage_warning(),
                Err(_) => p.storage_warning(),
            }
            if !who.trim().is_empty() {
                p.who_hint(false);
            }
        } else if t.has_attribute("data-run-name") {
            p.rename_run(&input_value(&t));
        } else if t.has_attribute("data-run-subject") {
            p.set_subject(&input_value(&t));
        }
    });
    listen(page, &page.main, "focusout", |p, e| {
        if let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
            p.settle_or_hold(&t);
        }
    });
    // Capturing on the document: a press anywhere counts, and the click is seen
    // before any handler acts on it. By then the browser has chosen its target.
    let capture = gloo_events::EventListenerOptions::run_in_capture_phase();
    let on = |event: &'static str, f: fn(&Rc<Page>)| {
        let p = Rc::clone(page);
        let l = EventListener::new_with_options(&doc, event, capture, move |_| f(&p));
        page.listeners.borrow_mut().push(l);
    };
    // A touch sends its mouse events after the pointer's, the mousedown (which takes
    // the focus from a field) only once the finger is up: each counts as a press.
    on("pointerdown", |p| p.pressed.set(true));
    on("mousedown", |p| p.pressed.set(true));
    on("click", Page::release);
    on("pointercancel", Page::release);
    // A press that makes no click (released over something else) is released once
    // the click would have been handled.
    for up in ["pointerup", "mouseup"] {
        let p = Rc::clone(page);
        let l = EventListener::new_with_options(&doc, up, capture, move |_| {
            let page = Rc::clone(&p);
            let after = gloo_timers::callback::Timeout::new(0, move || page.release());
            p.debounce(RELEASE.to_owned(), after);
        });
        page.listeners.borrow_mut().push(l);
    }
    listen(page, &page.main, "click", |p, e| {
        let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        // A problem's link scrolls to its item; the control to fix it gets the focus,
        // so the keyboard goes on from there, not from the top of the list.
        if let Some(link) = t.closest("[data-problems] a").ok().flatten() {
            let target = link
                .get_attribute("href")
                .and_then(|h| h.strip_prefix('#').map(str::to_owned))
                .and_then(|id| p.document.get_element_by_id(&id));
            let Some(target) = target else { return };
            let control = if target.matches("input, textarea").unwrap_or(false) {
                Some(target.clone())
            } else {
                query(&target, "input, textarea").ok().flatten()
            };
            if let Some(c) = control.and_then(|c| el::<HtmlElement>(&c)) {
                // Following the link itself would take the focus back to the page.
                e.prevent_default();
                let _ = c.focus();
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Start);
                target.scroll_into_view_with_scroll_into_view_options(&options);
            }
            return;
        }
        let Some(button) = t.closest("button").ok().flatten() else {
            return;
        };
        // The options button belongs to the item it sits in; its ID is the `li`'s.
        let item = button
            .class_list()
            .contains("item-more")
            .then(|| button.closest("li.item").ok().flatten())
            .flatten();
        if let Some(item) = item {
            p.open_dialog(&item.id());
        } else if let Some(action) = button.get_attribute("data-action") {
            p.on_action(&action, button.get_attribute("data-run"));
        } else if button.has_attribute("data-dialog-save") && !p.save_dialog() {
            // Keep the dialog open to show why the change was refused.
            e.prevent_default();
        }
    });
    // Escape closes the item dialog; a note or reason typed into it would go with it,
    // unnoticed. The Cancel button is a deliberate choice and is not asked about.
    if let Some(dialog) = page.q("[data-item-dialog]") {
        listen(page, &dialog, "cancel", |p, e| {
            if !p.dialog_edited() {
                return;
            }
            // Chromium lets a page refuse one Escape, not the next: then the text is
            // kept aside for when the dialog is opened again.
            if !e.cancelable() {
                p.keep_draft();
                return;
            }
            let discard = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message("Discard the note or reason you typed?")
                        .ok()
                })
                .unwrap_or(true);
            if !discard {
                e.prevent_default();
            }
        });
    }
    // A draft stored as the page was about to go (see `save_open_draft`) is for the
    // next visit; once the person stays and closes the dialog, it is out of date.
    if let Some(dialog) = page.q("[data-item-dialog]") {
        listen(page, &dialog, "close", |p, _| {
            let run = p.shown.borrow().id.clone();
            p.store.clear_draft(&run);
        });
    }
    // The runs list is folded away; it shows the current run's progress as of opening.
    if let Some(runs) = page.q("details.runs") {
        listen(page, &runs, "toggle", |p, _| p.render_runs());
    }
    // Leaving or hiding the page writes what is still pending: localStorage writes
    // are synchronous, so they land before the page goes. Hidden covers a phone
    // closing a background tab, where `pagehide` may never come.
    // Leaving is the last chance for writes a full storage refused: space may have
    // been freed since.
    listen(page, &doc, "visibilitychange", |p, _| {
        if p.document.hidden() {
            p.flush_fields();
            p.store.write_pending();
            p.sync_storage_warning();
        }
    });
    if let Some(w) = web_sys::window() {
        listen(page, &w, "pagehide", |p, _| {
            p.flush_fields();
            p.save_open_draft();
            p.store.write_pending();
        });
        // Ticks a full (or disabled) storage refused live only in this page: leaving
        // it asks first, as an editor with unsaved work does, once a last write has
        // been tried. The page's warning says so too; this is for the reload or the
        // closed tab that comes without reading it.
        listen(page, &w, "beforeunload", |p, e| {
            p.flush_fields();
            p.save_open_draft();
            p.store.write_pending();
            p.sync_storage_warning();
            if p.store.holds_unsaved_changes() {
                e.prevent_default();
                // Browsers before preventDefault was honoured here read this instead.
                let _ = js_sys::Reflect::set(e, &"returnValue".into(), &"".into());
            }
        });
        // Paper cannot unfold a list: what stands between the run and complete is
        // printed open (the heading alone would count problems it does not name), and
        // folded again afterwards if it was folded.
        listen(page, &w, "beforeprint", |p, _| {
            if let Some(d) = p
                .q("details.validation")
                .filter(|d| !d.has_attribute("open"))
            {
                let _ = d.set_attribute("open", "");
                let _ = d.set_attribute("data-opened-for-print", "");
            }
            // Nor can it press "Show more".
            if !p.all_problems.get() {
                p.all_problems.set(true);
                let _ = p.main.set_attribute("data-all-problems-for-print", "");
                p.render_summary();
            }
            // Paper cannot scroll, and it is often narrower than the screen the run
            // was filled in on: a note or a one-line value (a digest, a long name)
            // would print cut off in its box, whose size the screen decided. Every
            // value is printed as text beside its box instead, which wraps, and the box
            // stays off the paper. Empty boxes print as room to write in by hand.
            let boxes =
                query_all::<Element>(&p.document, "input[type=text], textarea").unwrap_or_default();
            for b in boxes {
                let value = input_value(&b);
                if value.trim().is_empty() || b.has_attribute("data-print-copied") {
                    continue;
                }
                if let Ok(copy) = p.document.create_element("span") {
                    copy.set_class_name(if b.tag_name() == "TEXTAREA" {
                        "print-value print-note"
                    } else {
                        "print-value"
                    });
                    copy.set_text_content(Some(&value));
                    let _ = b.after_with_node_1(&copy);
                    let _ = b.set_attribute("data-print-copied", "");
                }
            }
        });
        listen(page, &w, "afterprint", |p, _| {
            if let Some(d) = p.q("details.validation[data-opened-for-print]") {
                let _ = d.remove_attribute("open");
                let _ = d.remove_attribute("data-opened-for-print");
            }
            // The screen shows as many problems as before, with its "Show more".
            if p.main.has_attribute("data-all-problems-for-print") {
                let _ = p.main.remove_attribute("data-all-problems-for-print");
                p.all_problems.set(false);
                p.render_summary();
            }
            for copy in query_all::<Element>(&p.document, "span.print-value").unwrap_or_default() {
                copy.remove();
            }
            for b in query_all::<Element>(&p.document, "[data-print-copied]").unwrap_or_default() {
                let _ = b.remove_attribute("data-print-copied");
            }
        });
        listen(page, &w, "storage", |p, e| {
            if let Some(e) = e.dyn_ref::<web_sys::StorageEvent>() {
                if let Some(key) = e.key() {
                    p.store.written_elsewhere(&key);
                    p.on_storage(&key, e.new_value());
                }
                // Another tab removed something (a run deleted): room, perhaps, for
                // what this tab holds, which is written now rather than at its next
                // change, and the warning goes once it is.
                if e.new_value().is_none() && p.store.pending() {
                    p.store.write_pending();
                    p.sync_storage_warning();
                }
            }
        });
    }
}

fn import_file(page: &Rc<Page>, input: &HtmlInputElement) {
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    input.set_value("");
    let limit =
        (page.checklist.item_count() as f64 * 4096.0).clamp(MIN_IMPORT_BYTES, MAX_IMPORT_BYTES);
    if file.size() > limit {
        page.say(&format!(
            "That file is too large to be evidence for this checklist (over {:.0} MB); nothing was changed.",
            limit / 1e6
        ));
        return;
    }
    let page = Rc::clone(page);
    wasm_bindgen_futures::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|t| t.as_string());
        let message = match text {
            None => "That file could not be read; nothing was changed.".to_owned(),
            Some(text) => match page.import_asking(&text, &|question| {
                web_sys::window()
                    .and_then(|w| w.confirm_with_message(question).ok())
                    .unwrap_or(false)
            }) {
                Ok(m) => m,
                // Messages from the core's errors end without a full stop.
                Err(m) if m.ends_with(['.', '!', '?']) => format!("{m} Nothing was changed."),
                Err(m) => format!("{m}. Nothing was changed."),
            },
        };
        page.say(&message);
    });
}

/// Enhances a checklist page in `document`. Returns the page, if there was one.
pub fn enhance(document: &Document) -> Result<Option<Rc<Page>>, String> {
    enhance_with(document, None)
}

/// Like [`enhance`], with an explicit store (tests use one without localStorage).
pub fn enhance_with(document: &Document, store: Option<Store>) -> Result<Option<Rc<Page>>, String> {
    let Some(main) = query(document, "main[data-checklist]")? else {
        return Ok(None);
    };
    let Some(model) = query(document, "#checkdown-model")? else {
        return Err("the page has no embedded checklist model".into());
    };
    // The one place the client parses JSON in wasm rather than through JSON.parse and
    // serde-wasm-bindgen: for a 10,000-item model, crossing into JS for every field
    // took 50-70 ms of start-up; reading the text here brings the page live 40-60 ms
    // sooner, for 15 KB more download.
    let compact: checkdown_core::compact::Checklist<'static> =
        serde_json::from_str(&model.text_content().unwrap_or_default())
            .map_err(|e| format!("the embedded checklist model does not parse: {e}"))?;
    let checklist = Checklist::from(compact);
    // The page lives as long as the checklist: leaking it lets the session borrow it.
    let checklist: &'static Checklist = Box::leak(Box::new(checklist));
    let store = store.unwrap_or_else(|| Store::open(&checklist.id));
    let adopted = {
        let ids: Vec<&str> = checklist
            .all_items()
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        store.adopt_unscoped(&checklist.source_sha256, &ids)
    };
    if adopted > 0 {
        web_sys::console::info_1(
            &format!(
                "checkdown: copied {adopted} entries saved before sites had their own storage"
            )
            .into(),
        );
    }

    let mut corrupt = Vec::new();
    let mut first_outline = None;
    let mut index = store.runs(&mut corrupt);
    // An index that cannot be read (it was kept aside) is not a first visit: the runs'
    // changes are still stored, and the index is made again from them.
    let mut recovered = false;
    if index.is_none() && !corrupt.is_empty() {
        let items: Vec<(&str, &str)> = checklist
            .all_items()
            .iter()
            .map(|i| (i.id.as_str(), i.text.as_str()))
            .collect();
        index = store.recover_runs(&checklist.source_sha256, &items);
        if let Some(rebuilt) = &index {
            // A refused write stays pending, and goes out with the next one.
            let _ = store.save_runs(rebuilt);
            recovered = true;
        }
    }
    let index = match index {
        Some(index) => index,
        None => {
            let run = new_run_meta(checklist, &format!("Run 1, {}", today()));
            let ids: Vec<&str> = checklist
                .all_items()
                .iter()
                .map(|i| i.id.as_str())
                .collect();
            let migrated = store.migrate_v1(&ids, &now(), &run.id, &mut corrupt);
            if migrated > 0 {
                web_sys::console::info_1(
                    &format!("checkdown: moved {migrated} saved tick(s) into a first run").into(),
                );
            }
            first_outline = Some(run.id.clone());
            let index = RunIndex {
                schema: SCHEMA,
                current: run.id.clone(),
                runs: vec![run],
                root_site: false,
            };
            let _ = store.save_runs(&index);
            index
        }
    };
    let shown = index
        .runs
        .iter()
        .find(|r| r.id == index.current)
        .cloned()
        .unwrap_or_else(|| new_run_meta(checklist, "Run"));
    let loaded = store.load(&shown.id);
    corrupt.extend(loaded.corrupt);

    let mut signoffs = Vec::new();
    let mut nesting = Vec::new();
    let mut parents = PositionMap::default();
    checklist.for_each_item(&mut |i| {
        if i.kind == ItemKind::Signoff {
            signoffs.push(i.id.clone());
        }
        if !i.children.is_empty() {
            for child in &i.children {
                parents.insert(child.id.as_str(), nesting.len());
            }
            nesting.push(i);
        }
    });
    let mut fields = Vec::new();
    for f in query_all::<Element>(document, "[data-field]")? {
        if let Some(id) = f.get_attribute("data-field") {
            fields.push((id, f));
        }
    }
    // Each contents entry counts the items of its section and subsections, read
    // from the model rather than by querying the page once per section.
    let sections = checklist.section_spans();
    let spans = positions(&sections, |(s, _)| &s.id);
    let mut toc = Vec::new();
    for label in query_all::<Element>(document, "[data-toc-count]")? {
        let section = label.get_attribute("data-toc-count").unwrap_or_default();
        let span = spans
            .get(section.as_str())
            .map(|&n| sections[n].1.clone())
            .unwrap_or_default();
        toc.push((label, span));
    }
    let rtl = main.get_attribute("dir").as_deref() == Some("rtl");
    let page = Rc::new(Page {
        document: document.clone(),
        main,
        checklist,
        session: RefCell::new(Session::new(checklist, loaded.changes)),
        index: RefCell::new(index),
        shown: RefCell::new(shown),
        store,
        signoffs,
        tried: RefCell::new(Vec::new()),
        buttons_disabled: std::cell::Cell::new(false),
        all_problems: std::cell::Cell::new(false),
        draft: RefCell::new(None),
        fields,
        toc,
        nesting,
        parents,
        listeners: RefCell::new(Vec::new()),
        timers: RefCell::new(Vec::new()),
        pressed: std::cell::Cell::new(false),
        held: RefCell::new(Vec::new()),
        quiet: std::cell::Cell::new(false),
        later: RefCell::new(Later::default()),
        said: std::cell::Cell::new(0),
        rtl,
        english: document
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .is_none_or(|lang| {
                lang.split('-')
                    .next()
                    .is_some_and(|primary| primary.eq_ignore_ascii_case("en"))
            }),
    });
    if let Some(who) = page.q("[data-who]") {
        set_input_value(&who, &page.store.who());
    }
    // The options buttons appear through CSS once <main> is marked ready: unhiding
    // 10,000 of them one by one would take longer than the rest of the start-up.
    if let Some(panel) = page.q("[data-run-panel]") {
        show(&panel);
    }
    page.render_all(false);
    page.report_source_change(&mut corrupt);
    page.report_corrupt(&corrupt);
    if recovered {
        let n = page.index.borrow().runs.len();
        let kept = if page.store.backups_wait() {
            "storage is full, so it is left as it was until there is room to keep a copy aside under checkdown:backup: keys"
        } else {
            "it was kept aside under checkdown:backup: keys"
        };
        page.say(&format!(
            "The list of runs could not be read ({kept}). {} rebuilt from the changes saved, with every tick; their names and \"Releasing\" digests were only in that list, so until they are entered again the runs have plain names and no digest.",
            if n == 1 {
                "Its run was".to_owned()
            } else {
                format!("Its {n} runs were")
            }
        ));
    }
    page.settle_reworded_signoffs();
    // Disabled storage, or a full one that refused what start-up wrote.
    if page.store.pending() {
        page.storage_warning();
    }
    wire(&page);
    page.restore_draft();
    // Lets tests (and styles) know the page is live rather than static.
    let _ = page.main.set_attribute("data-ready", "");
    // The stylesheet shows this after a few seconds unless the client has started: a
    // script that never arrived cannot say so itself.
    if let Ok(Some(notice)) = page.document.query_selector("[data-client-failed]") {
        let _ = notice.set_attribute("hidden", "");
    }
    let first_visit = first_outline.is_some();
    // An outline a full store refused when the run started is written now.
    let first_outline = first_outline.or_else(|| {
        let run = page.shown.borrow().clone();
        (!run.archived
            && run.source_sha256 == page.checklist.source_sha256
            // One that does not parse was kept aside and reported above.
            && page.store.outline(&run.id, &mut Vec::new()).is_none())
        .then_some(run.id)
    });
    if first_visit {
        page.offer_runs_elsewhere();
    }
    if let Some(run) = first_outline {
        // The outline (every item's ID and text) only matters once a later version of
        // the checklist is opened. Writing it right after the page is live keeps a
        // 10,000-item serialisation and storage write off the first visit's start-up.
        let later = Rc::clone(&page);
        let write = gloo_timers::callback::Timeout::new(0, move || {
            if later
                .store
                .save_outline(&run, &outline_of(later.checklist))
                .is_err()
            {
                later.storage_warning();
            }
        });
        page.debounce("outline".into(), write);
    }
    // Runs archived before pages kept their evidence get it now, while this version
    // can still make it; off the start-up, as the outline is.
    if page.index.borrow().runs.iter().any(|r| r.archived) {
        let later = Rc::clone(&page);
        let keep = gloo_timers::callback::Timeout::new(0, move || later.keep_archived_evidence());
        page.debounce("archived-evidence".into(), keep);
    }
    Ok(Some(page))
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::file_slug;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn a_run_name_becomes_a_file_name_part_as_slugify_would_make_it() {
        let long_cjk = "部署".repeat(50);
        let long_token = "x".repeat(100);
        let long_words = "word ".repeat(40);
        for name in [
            "v2.4.1 prod, 2026-11-23",
            "Prüfung – Lauf 1",
            "  Release: (hotfix) #2 ",
            "Überprüfung der Daten",
            // Thai vowel signs are marks, not letters, yet alphabetic: kept.
            "สวัสดี ครับ",
            "İstanbul",
            "Выпуск 3",
            long_cjk.as_str(),
            long_token.as_str(),
            long_words.as_str(),
        ] {
            let slug = file_slug(name);
            assert_eq!(slug, checkdown_core::slugify(name), "{name}");
            assert!(slug.chars().count() <= 64, "{slug}");
        }
        assert_eq!(file_slug("!!!"), "run");
    }
}
