//! The checklist page: restore saved ticks, save new ones, keep every count live.

use std::rc::Rc;

use gloo_events::EventListener;
use web_sys::{Document, Element, HtmlInputElement};

use crate::dom::{query, query_all, set_text, show};
use crate::store::{Store, Summary};

/// One section's progress shown in the table of contents.
struct TocCount {
    label: Element,
    boxes: Vec<HtmlInputElement>,
}

/// The enhanced parts of one checklist page.
pub struct Page {
    main: Element,
    store: Store,
    boxes: Vec<HtmlInputElement>,
    done: Option<Element>,
    total: Option<Element>,
    required_open: Option<Element>,
    warning: Option<Element>,
    toc: Vec<TocCount>,
}

fn attr_is(input: &HtmlInputElement, name: &str, value: &str) -> bool {
    input.get_attribute(name).as_deref() == Some(value)
}

impl Page {
    /// Finds the checklist in `document`; `None` on pages without one (the index).
    pub fn find(document: &Document, store: Option<Store>) -> Result<Option<Self>, String> {
        let Some(main) = query(document, "main[data-checklist]")? else {
            return Ok(None);
        };
        let id = main.get_attribute("data-checklist").unwrap_or_default();
        let boxes = query_all(document, "input[type=checkbox][data-item]")?;
        let mut toc = Vec::new();
        for label in query_all::<Element>(document, "[data-toc-count]")? {
            let section = label.get_attribute("data-toc-count").unwrap_or_default();
            // Section IDs contain dots, so they are matched as attribute values.
            let selector = format!(
                "section[data-section=\"{}\"] input[data-item]",
                section.replace('"', "")
            );
            toc.push(TocCount {
                boxes: query_all(document, &selector)?,
                label,
            });
        }
        Ok(Some(Self {
            main,
            store: store.unwrap_or_else(|| Store::open(&id)),
            boxes,
            done: query(document, "[data-done]")?,
            total: query(document, "[data-total]")?,
            required_open: query(document, "[data-required-open]")?,
            warning: query(document, "[data-storage-warning]")?,
            toc,
        }))
    }

    /// Applies saved states over the page's defaults.
    pub fn restore(&self) {
        for input in &self.boxes {
            let Some(item) = input.get_attribute("data-item") else {
                continue;
            };
            if let Some(done) = self.store.get(&item) {
                input.set_checked(done);
            }
        }
        if !self.store.is_persistent() {
            self.show_warning();
        }
        self.update_counts();
    }

    pub fn done_count(&self) -> usize {
        self.boxes.iter().filter(|b| b.checked()).count()
    }

    pub fn summary(&self) -> Summary {
        let count = |f: &dyn Fn(&HtmlInputElement) -> bool| {
            self.boxes.iter().filter(|b| f(b)).count() as u32
        };
        Summary {
            done: count(&|b| b.checked()),
            total: self.boxes.len() as u32,
            required_open: count(&|b| !b.checked() && !attr_is(b, "data-required", "false")),
            signoffs: count(&|b| attr_is(b, "data-kind", "signoff")),
            signoffs_open: count(&|b| attr_is(b, "data-kind", "signoff") && !b.checked()),
        }
    }

    fn update_counts(&self) {
        let summary = self.summary();
        set_text(self.done.as_ref(), &summary.done.to_string());
        set_text(self.total.as_ref(), &summary.total.to_string());
        set_text(
            self.required_open.as_ref(),
            &summary.required_open.to_string(),
        );
        for entry in &self.toc {
            let done = entry.boxes.iter().filter(|b| b.checked()).count();
            entry
                .label
                .set_text_content(Some(&format!("{done}/{}", entry.boxes.len())));
        }
        self.store.save_summary(&summary);
    }

    fn show_warning(&self) {
        if let Some(el) = &self.warning {
            show(el);
        }
    }

    fn on_change(&self, input: &HtmlInputElement) {
        if let Some(item) = input.get_attribute("data-item") {
            if let Err(err) = self.store.set(&item, input.checked()) {
                web_sys::console::warn_1(&format!("checkdown: {err}").into());
                self.show_warning();
            }
        }
        self.update_counts();
    }

    /// Listens for ticks for as long as the page lives.
    pub fn listen(self: &Rc<Self>) {
        for input in &self.boxes {
            let page = Rc::clone(self);
            let target = input.clone();
            EventListener::new(input, "change", move |_| page.on_change(&target)).forget();
        }
    }
}

/// Enhances a checklist page in `document`. Returns the page, if there was one.
pub fn enhance(document: &Document) -> Result<Option<Rc<Page>>, String> {
    enhance_with(document, None)
}

/// Like [`enhance`], with an explicit store (tests use one without localStorage).
pub fn enhance_with(document: &Document, store: Option<Store>) -> Result<Option<Rc<Page>>, String> {
    let Some(page) = Page::find(document, store)? else {
        return Ok(None);
    };
    let page = Rc::new(page);
    page.restore();
    page.listen();
    // Lets tests (and styles) know the page is live rather than static.
    let _ = page.main.set_attribute("data-ready", "");
    Ok(Some(page))
}
