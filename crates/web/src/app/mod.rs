//! The checklist page: runs, item states, notes, fields, sign-off rules, evidence.
//!
//! The page embeds its checklist's rules as JSON; every decision (may this be N/A, may
//! this sign-off be given, is the run complete) is checkdown-core's [`Session`], the
//! same code `checkdown verify` runs. This module only maps it to and from the DOM.
//!
//! Here: the page itself and editing (ticks, fields, actions, wiring the controls).
//! Beside it, by role: `render` (the run into the page), `dialog` (the item dialog),
//! `runs` (the run list and archived runs), `transfer` (evidence export and import)
//! and `sync` (storage faults, other tabs, a changed source).

mod dialog;
mod render;
mod runs;
mod sync;
mod transfer;

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
    /// Where each item whose text another shares stands, for the problem list (see
    /// `Checklist::places_of_repeated_texts`); worked out when a list first shows one.
    places: std::cell::OnceCell<checkdown_core::evidence::IdMap<String>>,
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
    // The words too: of two notes for one state the merge keeps one, and this is
    // the only place the other is read.
    let words: Vec<String> = [("reason", &record.na_reason), ("note", &record.note)]
        .into_iter()
        .filter_map(|(what, text)| text.as_ref().map(|t| format!("{what} “{t}”")))
        .collect();
    let state = match words.as_slice() {
        [] => record.state.label().to_owned(),
        _ => format!("{} ({})", record.state.label(), words.join("; ")),
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
    // In the words the sign-off's own status uses: "changed in the checklist after it
    // was given".
    let what = if changed.is_empty() {
        format!(
            "the checklist changed what {}",
            if one { "it signs" } else { "they sign" }
        )
    } else {
        let quoted: Vec<String> = changed
            .iter()
            .map(|c| format!("\u{201c}{c}\u{201d}"))
            .collect();
        format!("{} changed in the checklist", quoted.join(", "))
    };
    format!(
        "{} withdrawn ({}): {what} after {} given. Sign again once it is right.",
        plural(names.len(), "sign-off", "sign-offs"),
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
        ids.push("checkdown-signoff-blocked".to_owned());
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

    /// An item's elements, found when needed rather than held for every item: a
    /// page may have 10,000, and most are never touched.
    fn item_dom(&self, id: &str) -> Option<ItemDom> {
        let input = el::<HtmlInputElement>(&self.document.get_element_by_id(&format!("cb-{id}"))?)?;
        let li = input.parent_element()?;
        Some(ItemDom { li, input })
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
        places: std::cell::OnceCell::new(),
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
