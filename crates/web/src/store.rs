//! Where item states live: localStorage when the browser allows it, memory otherwise.

use std::cell::RefCell;
use std::collections::HashMap;

use checkdown_core::item_storage_key;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Storage is disabled (private mode, blocked cookies) or refused the write (quota).
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(why) => write!(f, "browser storage is unavailable: {why}"),
        }
    }
}

/// Progress of one checklist, kept for the index page (which has no item list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub done: u32,
    pub total: u32,
    pub required_open: u32,
    pub signoffs_open: u32,
    pub signoffs: u32,
}

impl Summary {
    fn encode(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.done, self.total, self.required_open, self.signoffs_open, self.signoffs
        )
    }

    fn decode(s: &str) -> Option<Self> {
        let mut n = s.split(' ').map(|p| p.parse::<u32>().ok());
        Some(Self {
            done: n.next()??,
            total: n.next()??,
            required_open: n.next()??,
            signoffs_open: n.next()??,
            signoffs: n.next()??,
        })
    }

    /// not started / in progress / complete / signed, as the index shows it.
    pub fn state(&self) -> &'static str {
        if self.signoffs > 0 && self.signoffs_open == 0 && self.required_open == 0 {
            "signed"
        } else if self.required_open == 0 {
            "complete"
        } else if self.done == 0 {
            "not started"
        } else {
            "in progress"
        }
    }
}

fn summary_key(checklist: &str) -> String {
    // A prefix of its own, so no item ID can ever collide with it.
    format!("checkdown:summary:v1:{checklist}")
}

/// Item states for one checklist.
///
/// Every write goes to memory first, so a failing localStorage (disabled, full) never
/// loses a tick while the page stays open; the caller is told so it can warn.
pub struct Store {
    checklist: String,
    storage: Option<web_sys::Storage>,
    memory: RefCell<HashMap<String, bool>>,
}

/// The browser's localStorage, if this page may use it (it throws a SecurityError
/// when storage is blocked).
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok())
        .flatten()
}

impl Store {
    /// Opens the store; without usable localStorage it works in memory only.
    pub fn open(checklist: &str) -> Self {
        Self::with_storage(checklist, local_storage())
    }

    /// A store over an explicit storage area, or none for memory only.
    pub fn with_storage(checklist: &str, storage: Option<web_sys::Storage>) -> Self {
        Self {
            checklist: checklist.to_owned(),
            storage,
            memory: RefCell::new(HashMap::new()),
        }
    }

    pub fn is_persistent(&self) -> bool {
        self.storage.is_some()
    }

    /// The saved state of an item, if one was saved.
    pub fn get(&self, item: &str) -> Option<bool> {
        if let Some(state) = self.memory.borrow().get(item) {
            return Some(*state);
        }
        let storage = self.storage.as_ref()?;
        let value = storage
            .get_item(&item_storage_key(&self.checklist, item))
            .ok()
            .flatten()?;
        match value.as_str() {
            "done" => Some(true),
            "open" => Some(false),
            _ => None,
        }
    }

    /// Saves an item's state. The state is kept in memory even when this returns an error.
    pub fn set(&self, item: &str, done: bool) -> Result<(), StoreError> {
        self.memory.borrow_mut().insert(item.to_owned(), done);
        let Some(storage) = &self.storage else {
            return Err(StoreError::Unavailable("no localStorage".into()));
        };
        let value = if done { "done" } else { "open" };
        storage
            .set_item(&item_storage_key(&self.checklist, item), value)
            .map_err(|err| StoreError::Unavailable(format!("{err:?}")))
    }

    pub fn save_summary(&self, summary: &Summary) {
        if let Some(storage) = &self.storage {
            let _ = storage.set_item(&summary_key(&self.checklist), &summary.encode());
        }
    }
}

/// The last saved summary of a checklist, for the index page.
pub fn summary(storage: &web_sys::Storage, checklist: &str) -> Option<Summary> {
    let raw = storage.get_item(&summary_key(checklist)).ok().flatten()?;
    Summary::decode(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_round_trips_and_names_its_state() {
        let s = Summary {
            done: 3,
            total: 10,
            required_open: 5,
            signoffs_open: 2,
            signoffs: 2,
        };
        assert_eq!(Summary::decode(&s.encode()), Some(s));
        assert_eq!(s.state(), "in progress");
        assert_eq!(Summary { done: 0, ..s }.state(), "not started");
        assert_eq!(
            Summary {
                required_open: 0,
                ..s
            }
            .state(),
            "complete"
        );
        assert_eq!(
            Summary {
                required_open: 0,
                signoffs_open: 0,
                ..s
            }
            .state(),
            "signed"
        );
        assert_eq!(Summary::decode("garbage"), None);
    }
}
