//! Finding, reading and parsing checklist sources.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use checkdown_core::{Parsed, slugify};

/// File endings that hold checklists.
const EXTENSIONS: &[&str] = &["md", "markdown", "txt"];

/// One checklist file, read and parsed.
pub struct Source {
    pub path: PathBuf,
    /// The file as text (lossy only when it is not UTF-8, for showing snippets).
    pub text: String,
    pub parsed: Parsed,
}

/// Files below the source folder that an author said are not checklists
/// (`build.exclude` in checkdown.toml): glob patterns matched against each path below
/// that folder, so `drafts/**` skips a folder and `*.notes.txt` files anywhere. They
/// hold wherever the folder is searched from: `check .` skips what `build` skips.
#[derive(Debug, Clone, Default)]
pub struct Exclude {
    set: Option<globset::GlobSet>,
    source: PathBuf,
}

impl Exclude {
    pub fn new(patterns: &[String], source: &Path) -> anyhow::Result<Self> {
        if patterns.is_empty() {
            return Ok(Self::default());
        }
        let mut set = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let glob = globset::Glob::new(pattern)
                .with_context(|| format!("build.exclude: {pattern:?} is not a glob pattern"))?;
            set.add(glob);
        }
        Ok(Self {
            set: Some(set.build().context("build.exclude")?),
            source: std::path::absolute(source).unwrap_or_else(|_| source.to_path_buf()),
        })
    }

    /// Whether any pattern is set: then a folder with nothing left to check may have
    /// been emptied by them.
    pub fn is_set(&self) -> bool {
        self.set.is_some()
    }

    fn matches(&self, searched: &Path, path: &Path) -> bool {
        let Some(set) = &self.set else {
            return false;
        };
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let relative = absolute
            .strip_prefix(&self.source)
            .or_else(|_| path.strip_prefix(searched))
            .unwrap_or(path);
        // Windows separators would never match a pattern written with `/`.
        set.is_match(relative.to_string_lossy().replace('\\', "/"))
    }
}

/// Names that say what a folder is for, not what to do: `README.md`, `LICENSE.txt`,
/// `CHANGELOG.md`, compared without the extension. The first few in any letter case;
/// the rest only in the capitals such files are given by convention, since
/// `security.md` or `changes.md` may well be a checklist.
const ABOUT_FILES: &[&str] = &["readme", "license", "licence", "copying"];
const ABOUT_FILES_CAPITALS: &[&str] = &[
    "NOTICE",
    "CHANGELOG",
    "CHANGES",
    "CONTRIBUTING",
    "AUTHORS",
    "CODE_OF_CONDUCT",
    "SECURITY",
];

/// Every checklist file below `dir`, sorted so output does not depend on the file system.
/// Hidden entries, `node_modules` folders and a folder's own README, LICENSE and the
/// like are not checklists: they say what the folder is for, and a package's folders
/// hold other people's. Nor is anything `exclude` names.
///
/// Links are followed, as a shell would: teams link shared checklists into a repo.
/// A broken link, or one that leads back into a folder already searched, is skipped
/// with a warning rather than stopping every other file from being checked.
pub fn discover(dir: &Path, exclude: &Exclude) -> anyhow::Result<Vec<PathBuf>> {
    let mut skipped = Vec::new();
    let found = discover_all(dir, exclude, &mut skipped)?;
    for s in &skipped {
        eprintln!("warning: {s}");
    }
    Ok(found)
}

/// A file [`discover`] passed over, and why: a warning, which `check` counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "skipping {}: {}", self.file, self.reason)
    }
}

/// Fails with what to do when the source folder is missing: the first thing a new
/// user meets who runs `build` or `check` in a folder that is not a site yet.
/// `configured`: a checkdown.toml was read, so the site exists and `init` would only
/// refuse to overwrite it.
pub fn require_folder(dir: &Path, configured: bool) -> anyhow::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let what = if dir.exists() {
        format!("{} is a file, not a folder", dir.display())
    } else {
        format!("folder {} not found", dir.display())
    };
    let name = "the folder that holds your checklists (`checkdown build SRC`, or \
                `build.source` in checkdown.toml)";
    if configured {
        anyhow::bail!("no checklists: {what}. Name {name}")
    }
    anyhow::bail!(
        "no checklists: {what}. Run `checkdown init` to start a site here, or name {name}"
    )
}

/// [`discover`], with what it passed over collected in `skipped` rather than printed.
pub fn discover_all(
    dir: &Path,
    exclude: &Exclude,
    skipped: &mut Vec<Skipped>,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut skip = |path: &Path, reason: String| {
        skipped.push(Skipped {
            file: path.display().to_string(),
            reason,
        });
    };
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    let mut searched = std::collections::HashSet::new();
    if let Ok(canonical) = dir.canonicalize() {
        searched.insert(canonical);
    }
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("reading folder {}", current.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading folder {}", current.display()))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            if name.starts_with('.') || exclude.matches(dir, &path) {
                continue;
            }
            let mut kind = entry
                .file_type()
                .with_context(|| format!("reading {}", path.display()))?;
            if kind.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(target) => kind = target.file_type(),
                    Err(err) => {
                        let name = entry.file_name();
                        if is_checklist(&path) && !is_about_file(&name.to_string_lossy()) {
                            skip(
                                &path,
                                format!("it is a link whose target cannot be read ({err})"),
                            );
                        }
                        continue;
                    }
                }
                if kind.is_dir() {
                    let first_visit = path
                        .canonicalize()
                        .is_ok_and(|canonical| searched.insert(canonical));
                    if !first_visit {
                        skip(&path, "it links to a folder already searched".into());
                        continue;
                    }
                }
            }
            if kind.is_dir() {
                if name != "node_modules" {
                    pending.push(path);
                }
            } else if is_checklist(&path) && !is_about_file(&entry.file_name().to_string_lossy()) {
                // A pipe or a device would be read forever (`/dev/zero`) or block the
                // build until something writes to it.
                if kind.is_file() {
                    found.push(path);
                } else {
                    skip(&path, "it is not a regular file".into());
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

fn is_about_file(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    ABOUT_FILES.contains(&stem.to_ascii_lowercase().as_str())
        || ABOUT_FILES_CAPITALS.contains(&stem)
}

/// Whether `discover` would list `path`, a file below `root`: for a watcher, which
/// hears of every file that changes there.
pub fn is_source(root: &Path, path: &Path, exclude: &Exclude) -> bool {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut names = relative.iter().map(|n| n.to_string_lossy().into_owned());
    let file = names.next_back().unwrap_or_default();
    let folders_searched =
        names.all(|n| !n.starts_with('.') && !n.eq_ignore_ascii_case("node_modules"));
    folders_searched
        && !file.starts_with('.')
        && !is_about_file(&file)
        && is_checklist(path)
        && !exclude.matches(root, path)
}

pub fn is_checklist(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Files to read, each with the folder its ID counts from, and files named that
/// `exclude` leaves out.
pub type Expanded = (Vec<(PathBuf, PathBuf)>, Vec<PathBuf>, Vec<Skipped>);

/// Files named on the command line, each with the folder its ID counts from (see
/// [`id_root`]): folders are searched, files taken as they are unless `exclude`
/// leaves them out (those are returned apart, to say so). A file named twice, or
/// also found in a folder named, is listed once.
pub fn expand(paths: &[PathBuf], exclude: &Exclude, source: &Path) -> anyhow::Result<Expanded> {
    let mut out = Vec::new();
    let mut excluded = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let root = id_root(path, source);
        if path.is_dir() {
            for file in discover_all(path, exclude, &mut skipped)? {
                if seen.insert(absolute(&file)) {
                    out.push((root.clone(), file));
                }
            }
        } else if path.exists() {
            if !path.is_file() {
                anyhow::bail!("{}: not a regular file", path.display());
            }
            if exclude.matches(&root, path) {
                excluded.push(path.clone());
            } else if seen.insert(absolute(path)) {
                out.push((root, path.clone()));
            }
        } else {
            anyhow::bail!("{}: no such file or folder", path.display());
        }
    }
    Ok((out, excluded, skipped))
}

/// The folder a checklist's ID counts from, as `build` counts it: the project's source
/// folder when `path` (a file, or a folder to search) is in it, so that
/// `checklists/ops/db.md` is `ops-db` however it is named; otherwise the folder
/// searched, or a file's own folder.
pub fn id_root(path: &Path, source: &Path) -> PathBuf {
    if below(path, source).is_some() {
        return source.to_path_buf();
    }
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// `path` relative to `root`, compared as absolute paths, so that `checklists` and
/// `./checklists/a.md` agree.
fn below(path: &Path, root: &Path) -> Option<PathBuf> {
    if let Ok(rest) = path.strip_prefix(root) {
        return Some(rest.to_path_buf());
    }
    let path = absolute(path);
    let root = absolute(root);
    path.strip_prefix(&root).ok().map(Path::to_path_buf)
}

/// `path` from the file system's root, with `.` and `..` worked out as written (not
/// through links), so that `checklists/ops/../ops/db.md` is `checklists/ops/db.md`.
fn absolute(path: &Path) -> PathBuf {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in full.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The checklist ID for a file: its path below the source folder, slugged, so that two
/// files with the same title still get distinct pages.
pub fn checklist_id(root: &Path, file: &Path) -> String {
    let relative = below(file, root)
        .unwrap_or_else(|| file.to_path_buf())
        .with_extension("");
    let id = slugify(&relative.to_string_lossy());
    if id.is_empty() {
        "checklist".to_owned()
    } else {
        id
    }
}

/// Reads and parses one file. Only I/O fails here; content problems are diagnostics.
pub fn load(root: &Path, file: &Path) -> anyhow::Result<Source> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = checkdown_core::parse(&checklist_id(root, file), &bytes);
    Ok(Source {
        path: file.to_path_buf(),
        // Broken into lines as the parser read it, so a snippet shows the line named.
        text: checkdown_core::lines_as_read(&String::from_utf8_lossy(&bytes)).into_owned(),
        parsed,
    })
}

/// Checklist IDs that more than one file gives, each with those files, in the order
/// the files came. Their pages would be one folder, so `check` and `build` refuse them.
pub fn clashing_ids<'a>(
    ids: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> Vec<(&'a str, Vec<&'a Path>)> {
    let mut by_id: Vec<(&str, Vec<&Path>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (id, path) in ids {
        match index.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => by_id[*e.get()].1.push(path),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(by_id.len());
                by_id.push((id, vec![path]));
            }
        }
    }
    by_id.retain(|(_, files)| files.len() > 1);
    by_id
}

/// What to say about one clash: the ID, every file that gives it, and the way out.
pub fn clash_message(id: &str, files: &[&Path]) -> String {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    format!(
        "{} checklists have the id `{id}`: {}\n  help: give all but one of them another `id:` in their front matter, or rename the file",
        files.len(),
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watcher_hears_of_the_same_files_discovery_lists() {
        let root = Path::new("checklists");
        let exclude = Exclude::new(&["drafts/**".to_owned()], root).unwrap();
        let is = |p: &str| is_source(root, &root.join(p), &exclude);
        assert!(is("deploy.md"));
        assert!(is("team/rollback.TXT"));
        assert!(!is("README.md"));
        assert!(!is("team/License.txt"));
        assert!(!is("SECURITY.md"));
        assert!(is("security.md"), "a security review checklist");
        assert!(is("changes.md"));
        assert!(!is(".cache/deploy.md"));
        assert!(!is("node_modules/pkg/deploy.md"));
        assert!(!is("drafts/deploy.md"));
        assert!(!is("deploy.md.swp"));
    }
}
