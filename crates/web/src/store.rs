//! Where runs live: localStorage when the browser allows it, memory otherwise.
//!
//! Layout (schema 2), all under `checkdown:v2:<site><checklist>:`, where `<site>` is
//! the path the site is served from when that is not the host's root
//! (`/team/checklists/`), so two sites on one host keep their runs apart:
//! - `runs`: the [`RunIndex`] (every run's name and start, and which one is current);
//! - `run:<run>:c:<key>`: one [`Change`] each. One key per change means a tick is one
//!   small write, and two tabs never overwrite each other's changes.
//!
//! Schema 1 kept one `done`/`open` value per item; it is migrated into a first run.
//! A value that does not parse is copied to `checkdown:backup:<key>` and reported,
//! never dropped.

use std::cell::{Cell, RefCell};

use checkdown_core::run::{Change, Status, What};
use checkdown_core::{evidence::ItemState, item_storage_key};
use serde::{Deserialize, Serialize};

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

/// A key-value area: localStorage, or a stand-in (tests use one with a quota).
pub trait Area {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&self, key: &str, value: &str) -> Result<(), String>;
    fn remove(&self, key: &str);
    fn keys(&self) -> Vec<String>;
}

impl Area for web_sys::Storage {
    fn get(&self, key: &str) -> Option<String> {
        self.get_item(key).ok().flatten()
    }
    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        self.set_item(key, value).map_err(|e| {
            js_sys::Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_else(|| "write refused".to_owned())
        })
    }
    fn remove(&self, key: &str) {
        let _ = self.remove_item(key);
    }
    fn keys(&self) -> Vec<String> {
        let n = self.length().unwrap_or(0);
        (0..n).filter_map(|i| self.key(i).ok().flatten()).collect()
    }
}

/// An in-memory area with an optional byte quota, to simulate a full localStorage.
/// Unordered, like localStorage; the map type is the one the run state already
/// uses, so the client carries one map implementation rather than a second.
#[derive(Default)]
pub struct MemoryArea {
    pub items: RefCell<checkdown_core::evidence::IdMap<String>>,
    pub quota: Option<usize>,
}

impl Area for MemoryArea {
    fn get(&self, key: &str) -> Option<String> {
        self.items.borrow().get(key).cloned()
    }
    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        let mut items = self.items.borrow_mut();
        if let Some(quota) = self.quota {
            let used: usize = items
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if used + key.len() + value.len() > quota {
                return Err("QuotaExceededError".to_owned());
            }
        }
        items.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn remove(&self, key: &str) {
        self.items.borrow_mut().remove(key);
    }
    fn keys(&self) -> Vec<String> {
        self.items.borrow().keys().cloned().collect()
    }
}

/// One run's name and where it stands; the changes are stored apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMeta {
    pub id: String,
    pub name: String,
    pub started: String,
    /// The checklist version the run was started on.
    pub source_sha256: String,
    /// The version its last changes were made on, when that is a later one: a run
    /// carried on after the checklist changed exports against the version it was
    /// finished on, archived or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worked_on: Option<String>,
    /// Set when a newer run replaced it; archived runs open read-only.
    #[serde(default)]
    pub archived: bool,
    /// How it stood when it was archived, for the run list. Runs archived before this
    /// was kept get it the first time the list is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// What the run releases (an image digest, a commit, a version), written into its
    /// evidence so a pipeline can require it (`verify --require-subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<checkdown_core::evidence::Subject>,
}

/// A run's state and progress, as the run list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: checkdown_core::run::Status,
    pub done: usize,
    pub total: usize,
    /// Anything was recorded. Outcomes kept before this was stored read as touched,
    /// so an old run is never called "not started" for lack of it.
    #[serde(default = "touched_before_it_was_kept")]
    pub touched: bool,
}

fn touched_before_it_was_kept() -> bool {
    true
}

impl Outcome {
    pub fn of(session: &checkdown_core::run::Session<'_>) -> Self {
        let p = session.progress();
        Self {
            status: session.status(),
            done: p.done,
            total: p.total,
            touched: !session.changes().is_empty(),
        }
    }

    /// As the index says it: a run nobody has changed yet is "not started".
    pub fn describe(&self) -> String {
        let state = if self.status == checkdown_core::run::Status::InProgress && !self.touched {
            "not started"
        } else {
            self.status.label()
        };
        format!("{state}, {} of {} done", self.done, self.total)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunIndex {
    pub schema: u32,
    pub current: String,
    pub runs: Vec<RunMeta>,
    /// Written by the page of a site at the host's root that knew sites have scopes:
    /// its runs are that site's own, not runs saved before scopes that a site on a
    /// sub-path may take a copy of (see [`Store::adopt_unscoped`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub root_site: bool,
}

impl RunIndex {
    /// The current run's name, for messages that say which run work continues in.
    pub fn current_name(&self) -> &str {
        self.runs
            .iter()
            .find(|r| r.id == self.current)
            .map_or("", |r| r.name.as_str())
    }
}

pub const SCHEMA: u32 = 2;

/// Progress of one checklist, kept for the index page (which has no item list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub done: u32,
    pub total: u32,
    pub required_open: u32,
    pub signoffs_open: u32,
    pub signoffs: u32,
    /// The run's status as its page showed it. Summaries saved before it was kept
    /// lack it, and their state is worked out from the counts.
    pub status: Option<Status>,
    /// Anything was recorded: a field filled, a note, an untick. A run with no item
    /// done yet but a deployment date entered has been started.
    pub touched: bool,
    /// The checklist version the page counted on: the first 16 hex digits of its
    /// `source_sha256`, as a number. After the checklist changes, the index cannot
    /// recount (it has no items), so it says the summary is of an earlier version.
    pub version: Option<u64>,
}

/// How a summary names a checklist version (see [`Summary::version`]).
pub fn version_tag(source_sha256: &str) -> Option<u64> {
    source_sha256
        .get(..16)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
}

impl Summary {
    fn encode(&self) -> String {
        let status = match self.status {
            None => "",
            Some(Status::InProgress) => " p",
            Some(Status::Complete) => " c",
            Some(Status::Signed) => " s",
        };
        // Written both ways: summaries from before the flag read as touched when an
        // item is done, and an explicit `u` tells a fresh run with pre-ticked items
        // from those.
        let touched = match (self.status, self.touched) {
            (None, _) => "",
            (Some(_), true) => " t",
            (Some(_), false) => " u",
        };
        // Only after the status and the flag, which it needs in front of it.
        let version = match (self.status, self.version) {
            (Some(_), Some(v)) => format!(" v{v:016x}"),
            _ => String::new(),
        };
        format!(
            "{} {} {} {} {}{status}{touched}{version}",
            self.done, self.total, self.required_open, self.signoffs_open, self.signoffs
        )
    }

    fn decode(s: &str) -> Option<Self> {
        let mut parts = s.split(' ');
        let mut n = parts.by_ref().map(|p| p.parse::<u32>().ok());
        let mut summary = Self {
            done: n.next()??,
            total: n.next()??,
            required_open: n.next()??,
            signoffs_open: n.next()??,
            signoffs: n.next()??,
            status: None,
            touched: false,
            version: None,
        };
        summary.status = match parts.next() {
            None => None,
            Some("p") => Some(Status::InProgress),
            Some("c") => Some(Status::Complete),
            Some("s") => Some(Status::Signed),
            Some(_) => return None,
        };
        summary.touched = match parts.next() {
            None => summary.status.is_some() && summary.done > 0,
            Some("t") => true,
            Some("u") => false,
            Some(_) => return None,
        };
        summary.version = match parts.next() {
            None => None,
            Some(v) => Some(
                v.strip_prefix('v')
                    .and_then(|hex| u64::from_str_radix(hex, 16).ok())?,
            ),
        };
        Some(summary)
    }

    /// not started / in progress / complete / signed, as the index shows it. The
    /// page's own status decides when there is one: the counts alone cannot see an
    /// empty required field, which keeps a signed-off run "in progress" on its page.
    pub fn state(&self) -> &'static str {
        match self.status {
            Some(Status::Signed) => return "signed",
            Some(Status::Complete) => return "complete",
            // Items ticked in the Markdown (`[x]`) count as done, but nobody has
            // started a run that has only those: the page says so too.
            Some(Status::InProgress) if !self.touched => return "not started",
            Some(Status::InProgress) => return "in progress",
            None => {}
        }
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

fn summary_key(site: &str, checklist: &str) -> String {
    // A prefix of its own, so no item ID can ever collide with it.
    format!("checkdown:summary:v1:{site}{checklist}")
}

/// The path this site is served from, as `assets/checkdown.js` found it, or empty at
/// the host's root. Storage keys start with it: localStorage is shared by a whole
/// origin, and GitHub Pages serves every project site of an account from one.
pub fn site_scope() -> String {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("data-checkdown-root"))
        .unwrap_or_default();
    // At the root, keys stay as they were before sites had a scope.
    if root == "/" { String::new() } else { root }
}

pub const WHO_KEY: &str = "checkdown:who";

/// Where a value that does not parse is copied (see [`Store::back_up`]).
const BACKUP_PREFIX: &str = "checkdown:backup:";

/// What loading found that the person should know about.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub changes: Vec<Change>,
    /// Keys whose values did not parse; each was copied to a backup key.
    pub corrupt: Vec<String>,
}

/// Runs and changes of one checklist.
///
/// Every write goes to memory first, so a failing localStorage (disabled, full) never
/// loses a tick while the page stays open; the caller is told so it can warn.
pub struct Store {
    checklist: String,
    /// See [`site_scope`].
    site: String,
    area: Option<Box<dyn Area>>,
    memory: MemoryArea,
    /// Distinguishes this tab's change keys from another tab's written in the same ms.
    tab: String,
    counter: Cell<u32>,
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
        Self::with_area(
            checklist,
            local_storage().map(|s| Box::new(s) as Box<dyn Area>),
        )
        .in_site(&site_scope())
    }

    /// The same store for a site served from `site` (see [`site_scope`]).
    pub fn in_site(mut self, site: &str) -> Self {
        site.clone_into(&mut self.site);
        self
    }

    /// A store over an explicit area, or none for memory only.
    pub fn with_area(checklist: &str, area: Option<Box<dyn Area>>) -> Self {
        let tab = format!("{:06x}", (js_sys::Math::random() * 16_777_216.0) as u32);
        Self {
            checklist: checklist.to_owned(),
            site: String::new(),
            area,
            memory: MemoryArea::default(),
            tab,
            counter: Cell::new(0),
        }
    }

    pub fn is_persistent(&self) -> bool {
        self.area.is_some()
    }

    fn prefix(&self) -> String {
        format!("checkdown:v2:{}{}:", self.site, self.checklist)
    }

    /// Runs saved before sites had a scope sit under unscoped keys, which are also a
    /// site at the host's root's own. A site on a sub-path that has no runs yet takes
    /// a copy of them: they may be its own, saved before, and a copy takes nothing
    /// from a root site that shares the checklist's ID. Returns how many keys were
    /// copied.
    ///
    /// Only runs of this checklist are taken: a root site may hold another checklist
    /// under the same ID. A run is this checklist's when it was started on the same
    /// source (`source_sha256`), or when at least half the items its saved outline
    /// lists are among `item_ids` (an earlier version of this checklist).
    pub fn adopt_unscoped(&self, source_sha256: &str, item_ids: &[&str]) -> usize {
        if self.site.is_empty() || self.get(&self.runs_key()).is_some() {
            return 0;
        }
        let old = format!("checkdown:v2:{}:", self.checklist);
        let Some(index) = self
            .get(&format!("{old}runs"))
            .and_then(|raw| crate::json::from_str::<RunIndex>(&raw).ok())
            .filter(|index| !index.root_site)
        else {
            return 0;
        };
        let mut ids: Option<checkdown_core::evidence::FastSet<&str>> = None;
        let ours = index.runs.iter().any(|run| {
            if run.source_sha256 == source_sha256 {
                return true;
            }
            let Some(outline) = self
                .get(&format!("{old}run:{}:outline", run.id))
                .and_then(|raw| crate::json::from_str::<Vec<(String, String)>>(&raw).ok())
            else {
                return false;
            };
            let ids = ids.get_or_insert_with(|| item_ids.iter().copied().collect());
            let known = outline
                .iter()
                .filter(|(id, _)| ids.contains(id.as_str()))
                .count();
            !outline.is_empty() && known * 2 >= outline.len()
        });
        if !ours {
            return 0;
        }
        self.copy_run_keys(&old, &summary_key("", &self.checklist))
    }

    /// Other checklist IDs of this site with a run made on `source_sha256`: this same
    /// checklist, saved before its file was renamed or moved (its ID is its path).
    pub fn runs_elsewhere(&self, source_sha256: &str) -> Vec<String> {
        let scope = format!("checkdown:v2:{}", self.site);
        self.keys()
            .into_iter()
            .filter_map(|key| {
                let id = key.strip_prefix(&scope)?.strip_suffix(":runs")?;
                // Another site's keys share the root's prefix; IDs have no `/` or `:`.
                if id == self.checklist || id.contains(['/', ':']) {
                    return None;
                }
                let index = crate::json::from_str::<RunIndex>(&self.get(&key)?).ok()?;
                index
                    .runs
                    .iter()
                    .any(|r| {
                        r.source_sha256 == source_sha256
                            || r.worked_on.as_deref() == Some(source_sha256)
                    })
                    .then(|| id.to_owned())
            })
            .collect()
    }

    /// Copies the runs saved under the checklist ID `other` of this site here, in
    /// place of this one's (which has none worth keeping: see `Page::offer_runs_elsewhere`).
    /// The originals stay. Returns whether the copy was made; a copy cut short (a
    /// full store) is rolled back.
    pub fn take_runs_of(&self, other: &str) -> bool {
        let from = format!("checkdown:v2:{}{other}:", self.site);
        let mine = self.prefix();
        for key in self.keys().into_iter().filter(|k| k.starts_with(&mine)) {
            self.forget(&key);
        }
        self.copy_run_keys(&from, &summary_key(&self.site, other)) > 0
    }

    /// Copies every key under `from` (another checklist's or scope's prefix) and the
    /// summary at `summary` to this store's own keys; returns how many were copied.
    /// The run index marks the copy as done, so it is written last: a copy cut short
    /// (a full quota) is rolled back, to be tried again.
    fn copy_run_keys(&self, from: &str, summary: &str) -> usize {
        let mine = self.prefix();
        let mut copies: Vec<(String, String)> = self
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(from))
            .map(|k| {
                let to = format!("{mine}{}", &k[from.len()..]);
                (k, to)
            })
            .collect();
        copies.push((summary.to_owned(), summary_key(&self.site, &self.checklist)));
        let runs = self.runs_key();
        copies.sort_by_key(|(_, to)| *to == runs);
        let mut copied = Vec::new();
        for (from, to) in &copies {
            let Some(value) = self.get(from) else {
                continue;
            };
            if self.set(to, &value).is_err() {
                for key in copied.iter().chain([&to]) {
                    self.forget(key);
                }
                return 0;
            }
            copied.push(to);
        }
        copied.len()
    }

    /// Removes a key from memory and the area alike; from the area only once an
    /// unreadable value there has been backed up (see [`Store::back_up`]).
    fn forget(&self, key: &str) {
        self.memory.remove(key);
        if let Some(area) = &self.area {
            if !self.backup_waits(key) {
                area.remove(key);
            }
        }
    }

    /// Whether some backup (see [`Store::back_up`]) waits in memory for room.
    pub fn backups_wait(&self) -> bool {
        self.holds(|k| k.starts_with(BACKUP_PREFIX))
    }

    /// Whether a key waiting in memory for room satisfies `which`.
    fn holds(&self, which: impl Fn(&str) -> bool) -> bool {
        self.memory.items.borrow().keys().any(|k| which(k))
    }

    /// Whether a backup of `key`'s value waits in memory for room: until it is
    /// written, the value in the area is the only copy.
    fn backup_waits(&self, key: &str) -> bool {
        let backup = format!("{BACKUP_PREFIX}{key}");
        self.holds(|k| {
            k.strip_prefix(&backup)
                .is_some_and(|n| n.is_empty() || n.starts_with(':'))
        })
    }

    fn runs_key(&self) -> String {
        format!("{}runs", self.prefix())
    }

    /// Whether `key` (from a `storage` event) is this checklist's list of runs.
    pub fn is_runs_key(&self, key: &str) -> bool {
        key == self.runs_key()
    }

    pub fn change_prefix(&self, run: &str) -> String {
        format!("{}run:{run}:c:", self.prefix())
    }

    /// Memory holds only what the area refused (pending writes), so it wins when set;
    /// otherwise the area is read, which also sees other tabs' writes.
    fn get(&self, key: &str) -> Option<String> {
        self.memory
            .get(key)
            .or_else(|| self.area.as_ref().and_then(|a| a.get(key)))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let result = match &self.area {
            // An unreadable value whose backup a full store refused is the only copy:
            // the new value waits in memory with its backup, and goes in after it.
            Some(_) if self.backup_waits(key) => Err(StoreError::Unavailable(
                "its unreadable value waits to be backed up".into(),
            )),
            Some(area) => area.set(key, value).map_err(StoreError::Unavailable),
            None => Err(StoreError::Unavailable("no localStorage".into())),
        };
        match result {
            Ok(()) => {
                self.memory.remove(key);
                // Room again: what was refused meanwhile (each change has a key of
                // its own, so nothing later writes over it) is written now, before
                // a reload can lose it.
                self.write_pending();
            }
            Err(_) => {
                let _ = self.memory.set(key, value);
            }
        }
        result
    }

    /// Another tab wrote `key`: a value this tab could not write there is older, and
    /// writing it later would undo theirs (a run list without the run they started).
    /// Change keys are this tab's own and never written by another.
    pub fn written_elsewhere(&self, key: &str) {
        let mine = self.memory.get(key);
        self.memory.remove(key);
        // This tab's run list waiting for room may hold a run the other tab has never
        // seen (started here while storage was full): the two lists are joined, not
        // one dropped, and the join waits to be written in its place.
        let (Some(mine), true) = (mine, key == self.runs_key()) else {
            return;
        };
        let Some(area) = &self.area else {
            return;
        };
        let parsed = |raw: Option<String>| {
            raw.and_then(|r| crate::json::from_str::<RunIndex>(&r).ok())
                .filter(|i| i.schema <= SCHEMA)
        };
        let (Some(mine), Some(mut theirs)) = (parsed(Some(mine)), parsed(area.get(key))) else {
            return;
        };
        let mut added = false;
        for run in &mine.runs {
            if !theirs.runs.iter().any(|r| r.id == run.id) {
                theirs.runs.push(run.clone());
                added = true;
            }
        }
        if !added {
            return;
        }
        // The current run is the one started last: a new run here is newer than the
        // other tab's current one, and the other way round.
        let started = |index: &RunIndex, id: &str| {
            index
                .runs
                .iter()
                .find(|r| r.id == id)
                .map(|r| checkdown_core::run::moment(&r.started))
        };
        if started(&theirs, &mine.current) > started(&theirs, &theirs.current) {
            theirs.current = mine.current.clone();
        }
        let current = theirs.current.clone();
        for r in &mut theirs.runs {
            r.archived = r.id != current;
        }
        let _ = self.save_runs(&theirs);
    }

    /// Whether anything waits to be written (or there is nowhere to write it).
    pub fn pending(&self) -> bool {
        self.area.is_none() || !self.memory.items.borrow().is_empty()
    }

    /// Whether a change the person made, or what they were typing into the item
    /// dialog, is held only in memory (storage refused it, or there is none): leaving
    /// the page now would lose it.
    pub fn holds_unsaved_changes(&self) -> bool {
        self.holds(|k| k.contains(":c:") || k.ends_with(":draft"))
    }

    /// Writes what the area refused earlier; true when nothing is left pending.
    pub fn write_pending(&self) -> bool {
        let Some(area) = &self.area else {
            return self.memory.items.borrow().is_empty();
        };
        let mut pending: Vec<(String, String)> = self
            .memory
            .items
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Backups first: the value a backup keeps may be under a key that also waits
        // (a run list rebuilt in its place), which must not go in before it.
        pending.sort_by_key(|(k, _)| !k.starts_with(BACKUP_PREFIX));
        for (key, value) in pending {
            if area.set(&key, &value).is_err() {
                return false;
            }
            self.memory.remove(&key);
        }
        true
    }

    fn keys(&self) -> Vec<String> {
        let mut keys = self.memory.keys();
        if let Some(area) = &self.area {
            keys.extend(area.keys());
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Copies a value that does not parse to a backup key, so nothing is lost: the
    /// same value once, another one beside it (`…:2`, `…:3`).
    fn back_up(&self, key: &str, raw: &str) {
        let first = format!("{BACKUP_PREFIX}{key}");
        for n in 1..100 {
            let backup = if n == 1 {
                first.clone()
            } else {
                format!("{first}:{n}")
            };
            match self.get(&backup) {
                Some(kept) if kept == raw => return,
                Some(_) => {}
                None => {
                    let _ = self.set(&backup, raw);
                    return;
                }
            }
        }
    }

    pub fn who(&self) -> String {
        self.get(WHO_KEY).unwrap_or_default()
    }

    pub fn set_who(&self, who: &str) -> Result<(), StoreError> {
        self.set(WHO_KEY, who)
    }

    /// The run index; `None` when there is none yet (a first visit). A corrupt index
    /// is backed up and reported through `corrupt`.
    pub fn runs(&self, corrupt: &mut Vec<String>) -> Option<RunIndex> {
        let key = self.runs_key();
        let raw = self.get(&key)?;
        match crate::json::from_str::<RunIndex>(&raw) {
            // A list whose current run is not in it opens no run the person can work
            // in: kept aside as it was and reported, and the latest of its runs made
            // current, so every run keeps its name.
            Ok(mut index)
                if index.schema <= SCHEMA
                    && !index.runs.is_empty()
                    && !index.runs.iter().any(|r| r.id == index.current) =>
            {
                self.back_up(&key, &raw);
                corrupt.push(key);
                let latest = |r: &&RunMeta| checkdown_core::run::moment(&r.started);
                let pick = index
                    .runs
                    .iter()
                    .filter(|r| !r.archived)
                    .max_by_key(latest)
                    .or_else(|| index.runs.iter().max_by_key(latest))
                    .map(|r| r.id.clone())
                    .unwrap_or_default();
                for r in &mut index.runs {
                    r.archived = r.id != pick;
                }
                index.current = pick;
                let _ = self.save_runs(&index);
                Some(index)
            }
            Ok(index) if index.schema <= SCHEMA => {
                // A root site's runs are marked its own as soon as its page is opened
                // (see `RunIndex::root_site`), not at their next change.
                if self.site.is_empty() && !index.root_site {
                    let _ = self.save_runs(&index);
                }
                Some(index)
            }
            _ => {
                self.back_up(&key, &raw);
                corrupt.push(key);
                None
            }
        }
    }

    /// A run index made from the runs' saved changes, for when the index itself could
    /// not be read: without it the runs are still stored but nothing leads to them.
    /// The latest run is current; the others are archived. Their names and subjects
    /// were in the index and are gone; their changes are all there.
    pub fn recover_runs(&self, source_sha256: &str, items: &[(&str, &str)]) -> Option<RunIndex> {
        let prefix = format!("{}run:", self.prefix());
        let mut ids: Vec<String> = self
            .keys()
            .iter()
            .filter_map(|k| k.strip_prefix(&prefix)?.split(':').next())
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids.dedup();
        let mut runs: Vec<(u64, RunMeta)> = ids
            .into_iter()
            .filter_map(|id| {
                // A page's run is named `r` and its start in milliseconds; an imported
                // one is known by its first change. A run with neither holds nothing.
                let ms = id.strip_prefix('r').and_then(|n| n.parse::<u64>().ok());
                let first = self
                    .load(&id)
                    .changes
                    .into_iter()
                    .map(|c| c.at)
                    .min_by_key(|at| checkdown_core::run::moment(at));
                let started = match (&first, ms) {
                    (Some(at), _) => at.clone(),
                    (None, Some(ms)) => js_sys::Date::new(&(ms as f64).into())
                        .to_iso_string()
                        .into(),
                    (None, None) => return None,
                };
                let order = ms.unwrap_or_else(|| {
                    checkdown_core::run::moment(&started)
                        .0
                        .map_or(0, |t| (t.unix_timestamp_nanos() / 1_000_000).max(0) as u64)
                });
                // The version is told by the items the run saw, wording included:
                // another set than this version's is an earlier one, whose hash
                // went with the list.
                // One that does not parse is kept aside here and reported once the
                // page shows the run (`Page::report_source_change` reads it again).
                let same = self.outline(&id, &mut Vec::new()).is_none_or(|outline| {
                    outline.len() == items.len()
                        && outline
                            .iter()
                            .zip(items)
                            .all(|((a, at), (b, bt))| a == b && at == bt)
                });
                Some((
                    order,
                    RunMeta {
                        started,
                        source_sha256: if same {
                            source_sha256.to_owned()
                        } else {
                            String::new()
                        },
                        id,
                        name: String::new(),
                        worked_on: None,
                        archived: true,
                        outcome: None,
                        subject: None,
                    },
                ))
            })
            .collect();
        runs.sort_by_key(|(order, _)| *order);
        let mut runs: Vec<RunMeta> = runs.into_iter().map(|(_, r)| r).collect();
        for (n, run) in runs.iter_mut().enumerate() {
            let day = run.started.get(..10).unwrap_or_default();
            run.name = format!("Recovered run {}, {day}", n + 1);
        }
        let last = runs.last_mut()?;
        last.archived = false;
        Some(RunIndex {
            schema: SCHEMA,
            current: last.id.clone(),
            runs,
            root_site: false,
        })
    }

    pub fn save_runs(&self, index: &RunIndex) -> Result<(), StoreError> {
        let json = if self.site.is_empty() && !index.root_site {
            crate::json::to_string(&RunIndex {
                root_site: true,
                ..index.clone()
            })
        } else {
            crate::json::to_string(index)
        };
        self.set(&self.runs_key(), &json)
    }

    /// Every saved change of a run.
    pub fn load(&self, run: &str) -> Loaded {
        let prefix = self.change_prefix(run);
        let mut loaded = Loaded::default();
        for key in self.keys().into_iter().filter(|k| k.starts_with(&prefix)) {
            let Some(raw) = self.get(&key) else { continue };
            match crate::json::from_str::<Change>(&raw) {
                // A time that is not RFC 3339 would be exported as it is and fail
                // `verify` at the release gate: it is unreadable here and now.
                Ok(change) if checkdown_core::run::moment(&change.at).0.is_some() => {
                    loaded.changes.push(change);
                }
                _ => {
                    self.back_up(&key, &raw);
                    loaded.corrupt.push(key);
                }
            }
        }
        loaded
    }

    /// Saves one change. It is kept in memory even when this returns an error.
    pub fn save(&self, run: &str, change: &Change) -> Result<(), StoreError> {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        let key = format!(
            "{}{}-{}-{n:06}",
            self.change_prefix(run),
            js_sys::Date::now() as u64,
            self.tab
        );
        let json = crate::json::to_string(change);
        self.set(&key, &json)
    }

    /// Records the items as the run saw them (see [`outline_of`]), so a later version of the
    /// page can say what was added, removed or reworded.
    pub fn save_outline(&self, run: &str, items: &[(String, String)]) -> Result<(), StoreError> {
        let json = crate::json::to_string(&items);
        self.set(&format!("{}run:{run}:outline", self.prefix()), &json)
    }

    /// The run's outline. One that does not parse is kept aside and its key added to
    /// `corrupt`, as for a change: a page that finds none writes a new one there.
    pub fn outline(&self, run: &str, corrupt: &mut Vec<String>) -> Option<Vec<(String, String)>> {
        self.read(&format!("{}run:{run}:outline", self.prefix()), corrupt)
    }

    /// The value under `key` as `T`; one that does not parse is backed up (see
    /// [`Store::back_up`]) and its key added to `corrupt`.
    fn read<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        corrupt: &mut Vec<String>,
    ) -> Option<T> {
        let raw = self.get(key)?;
        match crate::json::from_str(&raw) {
            Ok(value) => Some(value),
            Err(_) => {
                self.back_up(key, &raw);
                corrupt.push(key.to_owned());
                None
            }
        }
    }

    /// Keeps a run's evidence as it stands, made on the checklist version it was
    /// made on: once the checklist changes, a page of the new version cannot make it
    /// again (see `Page::archived_evidence`).
    pub fn save_evidence(&self, run: &str, json: &str) -> Result<(), StoreError> {
        self.set(&format!("{}run:{run}:evidence", self.prefix()), json)
    }

    /// The evidence kept for `run`; a copy that does not parse is kept aside and its
    /// key added to `corrupt`.
    pub fn evidence(
        &self,
        run: &str,
        corrupt: &mut Vec<String>,
    ) -> Option<checkdown_core::evidence::Evidence> {
        self.read(&format!("{}run:{run}:evidence", self.prefix()), corrupt)
    }

    /// Whether `run` has evidence kept, readable or not (see [`Store::evidence`]).
    pub fn has_evidence(&self, run: &str) -> bool {
        self.get(&format!("{}run:{run}:evidence", self.prefix()))
            .is_some()
    }

    /// The item dialog's unsaved contents as the page was left (see `Page::restore_draft`).
    pub fn save_draft(&self, run: &str, json: &str) -> Result<(), StoreError> {
        self.set(&format!("{}run:{run}:draft", self.prefix()), json)
    }

    /// The dialog's draft for `run`; one that does not parse is kept aside and its
    /// key added to `corrupt`.
    pub fn draft<T: serde::de::DeserializeOwned>(
        &self,
        run: &str,
        corrupt: &mut Vec<String>,
    ) -> Option<T> {
        self.read(&format!("{}run:{run}:draft", self.prefix()), corrupt)
    }

    /// Keeps the dialog's draft for `run` aside as a backup (see [`Store::back_up`])
    /// and removes it from where the page looks for one.
    pub fn set_draft_aside(&self, run: &str) {
        let key = format!("{}run:{run}:draft", self.prefix());
        if let Some(raw) = self.get(&key) {
            self.back_up(&key, &raw);
        }
        self.forget(&key);
    }

    pub fn clear_draft(&self, run: &str) {
        self.forget(&format!("{}run:{run}:draft", self.prefix()));
    }

    /// Removes a run: its changes, its outline and its kept evidence.
    pub fn delete_run(&self, run: &str) {
        let prefix = format!("{}run:{run}:", self.prefix());
        for key in self.keys().into_iter().filter(|k| k.starts_with(&prefix)) {
            self.forget(&key);
        }
    }

    /// Schema 1 stored `done`/`open` per item. Turns those into changes of a first run
    /// and removes the old keys only once the new ones are written.
    /// A value it cannot read is kept aside as a backup and listed in `corrupt`, to be
    /// reported as any other.
    pub fn migrate_v1(
        &self,
        items: &[&str],
        at: &str,
        run: &str,
        corrupt: &mut Vec<String>,
    ) -> usize {
        // One pass over the stored keys, not one read per item: a checklist may have
        // 10,000 items and usually none of them has a schema-1 key.
        let prefix = item_storage_key(&self.checklist, "");
        let stored: checkdown_core::evidence::KeySet = self
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(&prefix))
            .collect();
        if stored.is_empty() {
            return 0;
        }
        let mut moved = Vec::new();
        for item in items {
            let key = item_storage_key(&self.checklist, item);
            if !stored.contains(&key) {
                continue;
            }
            let Some(value) = self.get(&key) else {
                continue;
            };
            let to = match value.as_str() {
                "done" => ItemState::Done,
                "open" => ItemState::Open,
                _ => {
                    self.back_up(&key, &value);
                    corrupt.push(key);
                    continue;
                }
            };
            let change = Change {
                at: at.to_owned(),
                who: "(saved before runs existed)".to_owned(),
                target: (*item).to_owned(),
                what: What::Item {
                    to,
                    note: None,
                    reason: None,
                },
            };
            if self.save(run, &change).is_ok() {
                moved.push(key);
            }
        }
        for key in &moved {
            self.memory.remove(key);
            if let Some(area) = &self.area {
                area.remove(key);
            }
        }
        moved.len()
    }

    pub fn save_summary(&self, summary: &Summary) {
        let _ = self.set(&summary_key(&self.site, &self.checklist), &summary.encode());
    }
}

/// The last saved summary of a checklist, for the index page of the site `site`.
pub fn summary(storage: &web_sys::Storage, site: &str, checklist: &str) -> Option<Summary> {
    let get = |key: &str| storage.get_item(key).ok().flatten();
    let raw = get(&summary_key(site, checklist)).or_else(|| {
        // Saved before sites had a scope: the page copies that run when it is first
        // opened here (`Store::adopt_unscoped`), so the index shows it until then. A
        // root site's own runs (`RunIndex::root_site`) are not another site's.
        let rooted = get(&format!("checkdown:v2:{checklist}:runs"))
            .and_then(|raw| crate::json::from_str::<RunIndex>(&raw).ok())
            .is_some_and(|index| index.root_site);
        (!site.is_empty() && !rooted)
            .then(|| get(&summary_key("", checklist)))
            .flatten()
    })?;
    Summary::decode(&raw)
}

/// A checklist's items with their texts, in order: what a run records when it starts,
/// so that a later version of the page can say what was added, removed or reworded.
pub fn outline_of(checklist: &checkdown_core::Checklist) -> Vec<(String, String)> {
    checklist
        .all_items()
        .into_iter()
        .map(|i| (i.id.clone(), i.text.clone()))
        .collect()
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
            status: None,
            touched: false,
            version: None,
        };
        assert_eq!(Summary::decode(&s.encode()), Some(s));
        assert_eq!(
            Summary::decode("3 10 5 2 2"),
            Some(s),
            "as saved before the status was kept"
        );
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
        assert_eq!(Summary::decode("3 10 5 2 2 x"), None);
    }

    #[test]
    fn the_run_list_calls_an_untouched_run_not_started_as_the_index_does() {
        let fresh = Outcome {
            status: Status::InProgress,
            done: 0,
            total: 5,
            touched: false,
        };
        assert_eq!(fresh.describe(), "not started, 0 of 5 done");
        let dated = Outcome {
            touched: true,
            ..fresh
        };
        assert_eq!(dated.describe(), "in progress, 0 of 5 done");
        // Kept before `touched` was: never called "not started" for lack of it.
        let old: Outcome =
            serde_json::from_str(r#"{"status":"in_progress","done":0,"total":5}"#).unwrap();
        assert!(old.touched);
    }

    #[test]
    fn a_run_with_only_a_field_filled_has_started() {
        let fresh = Summary {
            done: 0,
            total: 10,
            required_open: 8,
            signoffs_open: 2,
            signoffs: 2,
            status: Some(Status::InProgress),
            touched: false,
            version: None,
        };
        assert_eq!(fresh.state(), "not started");
        let dated = Summary {
            touched: true,
            ..fresh
        };
        assert_eq!(Summary::decode(&dated.encode()), Some(dated));
        assert_eq!(dated.state(), "in progress");
    }

    #[test]
    fn a_run_with_only_pre_ticked_items_is_not_started_as_its_page_says() {
        let fresh = Summary {
            done: 1,
            total: 31,
            required_open: 26,
            signoffs_open: 3,
            signoffs: 3,
            status: Some(Status::InProgress),
            touched: false,
            version: version_tag(&"0123456789abcdef".repeat(4)),
        };
        assert_eq!(fresh.version, Some(0x0123_4567_89ab_cdef));
        assert_eq!(Summary::decode(&fresh.encode()), Some(fresh));
        assert_eq!(
            Summary::decode("1 31 26 3 3 p u"),
            Some(Summary {
                version: None,
                ..fresh
            }),
            "as saved before the version was kept"
        );
        assert_eq!(fresh.state(), "not started");
        let page = Outcome {
            status: Status::InProgress,
            done: 1,
            total: 31,
            touched: false,
        };
        assert!(page.describe().starts_with(fresh.state()));
        // Saved with a status but before the flag: an item done means it was started.
        assert_eq!(
            Summary::decode("1 31 26 3 3 p").map(|s| s.state()),
            Some("in progress")
        );
        assert_eq!(
            Summary::decode("0 31 27 3 3 p").map(|s| s.state()),
            Some("not started")
        );
    }

    #[test]
    fn a_signed_run_with_an_empty_required_field_stays_in_progress_on_the_index() {
        let s = Summary {
            done: 10,
            total: 10,
            required_open: 0,
            signoffs_open: 0,
            signoffs: 2,
            status: Some(Status::InProgress),
            touched: true,
            version: None,
        };
        assert_eq!(Summary::decode(&s.encode()), Some(s));
        assert_eq!(s.state(), "in progress");
        for status in [Status::Complete, Status::Signed] {
            let s = Summary {
                status: Some(status),
                ..s
            };
            assert_eq!(Summary::decode(&s.encode()), Some(s));
            assert_eq!(s.state(), status.label());
        }
    }
}
