//! Links between checklists. An author links another checklist as GitHub shows it,
//! by its file (`[rollback](rollback.md)`); the site has no Markdown files, so such a
//! link is pointed at that checklist's page, as mdBook points `.md` links at `.html`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use checkdown_core::Checklist;

use crate::source;

pub struct Links<'a> {
    /// The folder checklist IDs count from.
    root: PathBuf,
    /// Every checklist of the site, by its path with links resolved (a source folder
    /// reached through a symlink is the same folder), to the path it was found at.
    /// Built on the first link to a `.md` file: most sites have none, and resolving
    /// every path costs a system call each.
    files: std::sync::OnceLock<HashMap<PathBuf, PathBuf>>,
    found: &'a [PathBuf],
    /// How a page is reached from another: `../`, or the base URL's path.
    page_root: String,
    /// The ID each linked file has, read once: front matter may set one.
    ids: Mutex<HashMap<PathBuf, Option<String>>>,
}

impl<'a> Links<'a> {
    pub fn new(root: &Path, files: &'a [PathBuf], page_root: &str) -> Self {
        Self {
            root: root.to_path_buf(),
            files: std::sync::OnceLock::new(),
            found: files,
            // Written into `href` attributes; the base URL's path may hold `&`.
            page_root: page_root
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
            ids: Mutex::new(HashMap::new()),
        }
    }

    /// Points `checklist`'s links to other checklists of the site (relative to `file`,
    /// where it was read from) at their pages.
    pub fn rewrite(&self, file: &Path, checklist: &mut Checklist) {
        let dir = file.parent().unwrap_or(Path::new(""));
        checklist.rewrite_links(&mut |href| self.target(dir, href));
    }

    fn target(&self, dir: &Path, href: &str) -> Option<String> {
        // Only a path relative to the file: not `/x.md`, `#x`, `//host/x.md` or
        // `https://…/x.md`, which mean what they say.
        let path_end = href.find(['#', '?']).unwrap_or(href.len());
        let (path, suffix) = href.split_at(path_end);
        if path.is_empty() || path.starts_with('/') || path.split('/').next()?.contains(':') {
            return None;
        }
        // As the page has it: HTML-escaped, and percent-encoded where Markdown needs.
        let path = path.replace("&amp;", "&");
        let path = percent_encoding::percent_decode_str(&path)
            .decode_utf8()
            .ok()?;
        let target = dir.join(path.as_ref());
        if !source::is_checklist(&target) {
            return None;
        }
        let files = self.files.get_or_init(|| {
            self.found
                .iter()
                .filter_map(|f| Some((f.canonicalize().ok()?, f.clone())))
                .collect()
        });
        let file = files.get(&target.canonicalize().ok()?)?;
        let id = self.id_of(file)?;
        Some(format!("{}{id}/index.html{suffix}", self.page_root))
    }

    fn id_of(&self, file: &Path) -> Option<String> {
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.entry(file.to_path_buf())
            .or_insert_with(|| {
                source::load(&self.root, file)
                    .ok()
                    .and_then(|s| s.parsed.checklist)
                    .map(|c| c.id)
            })
            .clone()
    }
}
