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

/// Item states for one checklist.
///
/// Every write goes to memory first, so a failing localStorage (disabled, full) never
/// loses a tick while the page stays open; the caller is told so it can warn.
pub struct Store {
    checklist: String,
    storage: Option<web_sys::Storage>,
    memory: RefCell<HashMap<String, bool>>,
}

impl Store {
    /// Opens the store; without usable localStorage it works in memory only.
    pub fn open(checklist: &str) -> Self {
        // `local_storage()` throws a SecurityError when storage is blocked.
        let storage = web_sys::window()
            .and_then(|w| w.local_storage().ok())
            .flatten();
        Self::with_storage(checklist, storage)
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
}
