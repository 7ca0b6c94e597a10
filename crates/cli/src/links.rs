//! Links between checklists. An author links another checklist as GitHub shows it,
//! by its file (`[rollback](rollback.md)`); the site has no Markdown files, so such a
//! link is pointed at that checklist's page, as mdBook points `.md` links at `.html`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use checkdown_core::{Checklist, Diagnostic, Severity, codes};

use crate::source::{self, Source};

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
    /// The page each linked file has, read once: front matter may set its ID.
    ids: Mutex<HashMap<PathBuf, Option<Page>>>,
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

    /// [`Links::rewrite`] on a loaded source, its warnings added to its diagnostics.
    pub fn apply(&self, source: &mut Source) {
        if let Some(checklist) = source.parsed.checklist.as_mut() {
            let dead = self.rewrite(&source.path, &source.text, checklist);
            source.parsed.diagnostics.extend(dead);
        }
    }

    /// Points `checklist`'s links to other checklists of the site (relative to `file`,
    /// where it was read from, whose text is `text`) at their pages. Returns a warning
    /// for each Markdown file linked that no page stands for: on the site, that link
    /// leads nowhere.
    pub fn rewrite(&self, file: &Path, text: &str, checklist: &mut Checklist) -> Vec<Diagnostic> {
        let dir = file.parent().unwrap_or(Path::new(""));
        let mut dead: Vec<(String, Dead)> = Vec::new();
        checklist.rewrite_links(&mut |href| match self.target(dir, href) {
            Target::Page(page) => Some(page),
            Target::Dead(why) => {
                if !dead.iter().any(|(h, _)| h == href) {
                    dead.push((href.to_owned(), why));
                }
                None
            }
            Target::Other => None,
        });
        // A file checked on its own, outside the site, may link what it likes there.
        let in_site = || {
            file.canonicalize()
                .is_ok_and(|f| self.files().contains_key(&f))
        };
        dead.retain(|(_, why)| *why == Dead::Missing || in_site());
        if dead.is_empty() {
            return Vec::new();
        }
        let written = checkdown_core::links(text);
        dead.into_iter()
            .map(|(href, why)| {
                let path = decoded(href.split(['#', '?']).next().unwrap_or_default());
                let at = written
                    .iter()
                    .find(|l| decoded(l.dest.split(['#', '?']).next().unwrap_or_default()) == path);
                dead_link(at, &path, why, &self.root)
            })
            .collect()
    }

    fn files(&self) -> &HashMap<PathBuf, PathBuf> {
        self.files.get_or_init(|| {
            self.found
                .iter()
                .filter_map(|f| Some((f.canonicalize().ok()?, f.clone())))
                .collect()
        })
    }

    fn target(&self, dir: &Path, href: &str) -> Target {
        // Only a path relative to the file: not `/x.md`, `#x`, `//host/x.md` or
        // `https://…/x.md`, which mean what they say.
        let path_end = href.find(['#', '?']).unwrap_or(href.len());
        let (path, suffix) = href.split_at(path_end);
        if path.is_empty()
            || path.starts_with('/')
            || path.split('/').next().is_some_and(|p| p.contains(':'))
        {
            return Target::Other;
        }
        let path = decoded(path);
        let target = dir.join(&path);
        if !source::is_checklist(&target) {
            return Target::Other;
        }
        // Only a Markdown file is surely meant as a checklist: a `.txt` link may be a
        // file of the `static` folder, written as the page reaches it.
        let markdown = target
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        let Ok(real) = target.canonicalize() else {
            return match target.try_exists() {
                Ok(false) if markdown => Target::Dead(Dead::Missing),
                _ => Target::Other,
            };
        };
        let Some(file) = self.files().get(&real) else {
            return if markdown {
                Target::Dead(Dead::NotInSite)
            } else {
                Target::Other
            };
        };
        // A checklist with errors has no page either, but its own report says so.
        let Some(page) = self.page_of(file) else {
            return Target::Other;
        };
        // A heading linked as GitHub names it (`rollback.md#undo`) is found by the ID
        // its section has there (`prepare.undo`).
        let suffix = suffix
            .split_once('#')
            .and_then(|(query, fragment)| {
                let id = page.anchors.get(decoded(fragment).as_str())?;
                Some(format!("{query}#{id}"))
            })
            .unwrap_or_else(|| suffix.to_owned());
        Target::Page(format!("{}{}/index.html{suffix}", self.page_root, page.id))
    }

    fn page_of(&self, file: &Path) -> Option<Page> {
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.entry(file.to_path_buf())
            .or_insert_with(|| {
                let checklist = source::load(&self.root, file).ok()?.parsed.checklist?;
                Some(Page {
                    anchors: checklist.github_anchors(),
                    id: checklist.id,
                })
            })
            .clone()
    }
}

#[derive(Clone)]
struct Page {
    id: String,
    /// GitHub's heading anchors to section IDs (see `Checklist::github_anchors`).
    anchors: HashMap<String, String>,
}

enum Target {
    /// The page of a checklist of the site.
    Page(String),
    /// A Markdown file that no page stands for.
    Dead(Dead),
    /// Anything else: written into the page as it stands.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dead {
    Missing,
    /// A file that exists, outside the site's source folder or left out of it.
    NotInSite,
}

/// A link's path as the file system names it: the page has it HTML-escaped, and
/// percent-encoded where Markdown needs.
fn decoded(path: &str) -> String {
    let path = path.replace("&amp;", "&");
    percent_encoding::percent_decode_str(&path)
        .decode_utf8_lossy()
        .into_owned()
}

fn dead_link(at: Option<&checkdown_core::Link>, path: &str, why: Dead, root: &Path) -> Diagnostic {
    let (message, label, help) = match why {
        Dead::Missing => (
            format!("link to `{path}`, which does not exist"),
            "no such file",
            "a link to another checklist's file leads to that checklist's page: check the \
             name and the folder (the path counts from this file's folder)"
                .to_owned(),
        ),
        Dead::NotInSite => (
            format!("link to `{path}`, which is no checklist of the site"),
            "leads nowhere on the site",
            format!(
                "the site has a page for each checklist in {} and no Markdown files; to \
                 link a file of the `static` folder, write its path on the site",
                root.display()
            ),
        ),
    };
    let (start, end, line, column) =
        at.map_or((0, 0, 1, 1), |l| (l.start, l.end, l.line, l.column));
    Diagnostic {
        severity: Severity::Warning,
        code: codes::LINK_TO_NO_CHECKLIST.into(),
        message,
        line,
        column,
        start,
        end,
        label: label.into(),
        help: Some(help),
    }
}
