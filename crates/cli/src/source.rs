//! Finding and reading checklist sources.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use checkdown_core::{Checklist, ParseError, slugify};

/// File endings that hold checklists.
const EXTENSIONS: &[&str] = &["md", "markdown", "txt"];

/// Every checklist file below `dir`, sorted so output does not depend on the file system.
pub fn discover(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("reading folder {}", current.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading folder {}", current.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry
                .file_type()
                .with_context(|| format!("reading {}", path.display()))?;
            if kind.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The checklist ID for a file: its path below the source folder, slugged, so that two
/// files with the same title still get distinct pages.
pub fn checklist_id(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let id = slugify(&relative.to_string_lossy());
    if id.is_empty() {
        "checklist".to_owned()
    } else {
        id
    }
}

/// Reads and parses one file. The outer error is I/O, the inner one a problem with the
/// file's content that the author has to fix.
pub fn load(root: &Path, file: &Path) -> anyhow::Result<Result<Checklist, ParseError>> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let id = checklist_id(root, file);
    Ok(checkdown_core::parse_bytes(
        &file.display().to_string(),
        &id,
        &bytes,
    ))
}

/// Like [`load`] for a single file named on the command line.
pub fn load_one(file: &Path) -> anyhow::Result<Result<Checklist, ParseError>> {
    let root = file.parent().unwrap_or(Path::new(""));
    load(root, file)
}
