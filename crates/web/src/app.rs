//! Wiring the page: restore saved ticks, save new ones, keep the count live.

use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement};

use crate::store::Store;

/// The enhanced parts of one checklist page.
pub struct Page {
    main: Element,
    store: Store,
    boxes: Vec<HtmlInputElement>,
    done: Option<Element>,
    total: Option<Element>,
    warning: Option<Element>,
}

impl Page {
    /// Finds the checklist in `document`; `None` on pages without one (the index).
    pub fn find(document: &Document, store: Option<Store>) -> Result<Option<Self>, String> {
        let Some(main) = query(document, "main[data-checklist]")? else {
            return Ok(None);
        };
        let id = main.get_attribute("data-checklist").unwrap_or_default();
        let list = document
            .query_selector_all("input[type=checkbox][data-item]")
            .map_err(|e| format!("{e:?}"))?;
        let boxes = (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<HtmlInputElement>().ok())
            .collect();
        Ok(Some(Self {
            main,
            store: store.unwrap_or_else(|| Store::open(&id)),
            boxes,
            done: query(document, "[data-done]")?,
            total: query(document, "[data-total]")?,
            warning: query(document, "[data-storage-warning]")?,
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
        self.update_count();
    }

    pub fn done_count(&self) -> usize {
        self.boxes.iter().filter(|b| b.checked()).count()
    }

    fn update_count(&self) {
        if let Some(el) = &self.done {
            el.set_text_content(Some(&self.done_count().to_string()));
        }
        if let Some(el) = &self.total {
            el.set_text_content(Some(&self.boxes.len().to_string()));
        }
    }

    fn show_warning(&self) {
        if let Some(el) = &self.warning {
            let _ = el.remove_attribute("hidden");
        }
    }

    fn on_change(&self, input: &HtmlInputElement) {
        if let Some(item) = input.get_attribute("data-item") {
            if let Err(err) = self.store.set(&item, input.checked()) {
                web_sys::console::warn_1(&format!("checkdown: {err}").into());
                self.show_warning();
            }
        }
        self.update_count();
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

fn query(document: &Document, selector: &str) -> Result<Option<Element>, String> {
    document
        .query_selector(selector)
        .map_err(|e| format!("bad selector {selector}: {e:?}"))
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
