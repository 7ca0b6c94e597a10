use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use checkdown_core::Checklist;
use minijinja::context;
use serde::Serialize;

use crate::client::{BOOT_JS, CLIENT, FAVICON_SVG, STYLE_CSS};
use crate::report::{self, Tally};
use crate::source;
use crate::templates::Templates;

/// Written into every output folder; only folders that carry it are ever replaced, so a
/// mistyped `-o` can never wipe someone's work.
const MARKER: &str = ".checkdown-site";

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Folder holding the checklists (.md and .txt, searched recursively).
    #[arg(default_value = "checklists")]
    src: PathBuf,
    /// Output folder; replaced as a whole when the build succeeds.
    #[arg(short, long, default_value = "dist")]
    out: PathBuf,
    /// Folder whose templates override the built-in ones, file by file.
    #[arg(long)]
    theme: Option<PathBuf>,
    /// Build the pages even though this binary has no browser client embedded.
    #[arg(long)]
    no_client: bool,
}

impl BuildArgs {
    pub fn out(&self) -> &Path {
        &self.out
    }
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    id: &'a str,
    title: &'a str,
    version: Option<&'a str>,
    description: Option<&'a str>,
    item_count: usize,
    signoff_count: usize,
}

fn duplicate_id(checklists: &[Checklist]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    checklists
        .iter()
        .map(|c| c.id.as_str())
        .find(|id| !seen.insert(*id))
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    if CLIENT.is_none() && !args.no_client {
        bail!(
            "this checkdown binary was built without the browser client, so pages would not \
             save ticks.\n  Build the client first (`cargo xtask site --no-serve` does it), or \
             pass --no-client to build static pages anyway."
        );
    }
    let files = source::discover(&args.src)?;
    if files.is_empty() {
        bail!(
            "no checklists (.md or .txt) found in {}",
            args.src.display()
        );
    }

    let mut sources = Vec::with_capacity(files.len());
    let mut tally = Tally::default();
    for file in &files {
        let source = source::load(&args.src, file)?;
        tally.add(&source);
        eprint!("{}", report::render(&source));
        sources.push(source);
    }
    if tally.errors > 0 {
        eprintln!(
            "error: {} error(s) in the checklists; nothing was written",
            tally.errors
        );
        return Ok(ExitCode::FAILURE);
    }
    let checklists: Vec<Checklist> = sources
        .into_iter()
        .filter_map(|s| s.parsed.checklist)
        .collect();
    if let Some(dup) = duplicate_id(&checklists) {
        bail!(
            "two checklists have the id `{dup}`; give one of them another `id:` in its front matter"
        );
    }
    let templates = Templates::new(args.theme.as_deref())?;

    let staging = staging_dir(&args.out)?;
    write_site(staging.path(), &checklists, &templates)?;
    replace_dir(staging, &args.out)?;

    let items: usize = checklists.iter().map(Checklist::item_count).sum();
    println!(
        "built {} checklist(s), {items} items, into {}",
        checklists.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_site(root: &Path, checklists: &[Checklist], templates: &Templates) -> anyhow::Result<()> {
    let entries: Vec<IndexEntry<'_>> = checklists
        .iter()
        .map(|c| IndexEntry {
            id: &c.id,
            title: &c.title,
            version: c.version.as_deref(),
            description: c.description.as_deref(),
            item_count: c.item_count(),
            signoff_count: c.signoff_count(),
        })
        .collect();
    let has_client = CLIENT.is_some();
    let index = templates.render(
        "index.html",
        context! { root => "", checklists => entries, has_client },
    )?;
    write(&root.join("index.html"), index.as_bytes())?;

    for checklist in checklists {
        let dir = root.join(&checklist.id);
        let done = checklist.all_items().iter().filter(|i| i.checked).count();
        let page = templates.render(
            "checklist.html",
            context! {
                root => "../",
                checklist,
                item_count => checklist.item_count(),
                done_count => done,
                has_client,
            },
        )?;
        write(&dir.join("index.html"), page.as_bytes())?;
        let json = serde_json::to_vec_pretty(checklist).context("serialising checklist")?;
        write(&dir.join("checklist.json"), &json)?;
    }

    let assets = root.join("assets");
    write(&assets.join("style.css"), STYLE_CSS.as_bytes())?;
    write(&assets.join("favicon.svg"), FAVICON_SVG.as_bytes())?;
    if let Some(client) = CLIENT {
        write(&assets.join("checkdown.js"), BOOT_JS.as_bytes())?;
        write(&assets.join("checkdown-web.js"), client.js)?;
        write(&assets.join("checkdown-web_bg.wasm"), client.wasm)?;
    }
    write(
        &root.join(MARKER),
        b"This folder is generated by checkdown build.\n",
    )?;
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// A temporary folder beside `out`, so the final rename stays on one file system.
fn staging_dir(out: &Path) -> anyhow::Result<tempfile::TempDir> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("creating folder {}", parent.display()))?;
    tempfile::Builder::new()
        .prefix(".checkdown-build-")
        .tempdir_in(&parent)
        .with_context(|| format!("creating a temporary folder in {}", parent.display()))
}

/// Swaps the finished build into place. The old output is moved aside first and only
/// removed once the new one is in, so a failure leaves either the old or the new site.
fn replace_dir(staging: tempfile::TempDir, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        if !out.is_dir() {
            bail!("output {} exists and is not a folder", out.display());
        }
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("reading {}", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            bail!(
                "refusing to replace {}: it is not empty and was not made by checkdown \
                 (no {MARKER} file in it). Choose another --out or empty it yourself.",
                out.display()
            );
        }
        let old = sibling(out, "old");
        std::fs::rename(out, &old)
            .with_context(|| format!("moving the previous {} aside", out.display()))?;
        let staged = staging.keep();
        if let Err(err) = std::fs::rename(&staged, out) {
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(err).with_context(|| format!("moving the new site into {}", out.display()));
        }
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("removing the previous site at {}", old.display()))?;
    } else {
        let staged = staging.keep();
        std::fs::rename(&staged, out)
            .with_context(|| format!("moving the new site into {}", out.display()))?;
    }
    Ok(())
}

fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".to_owned());
    path.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}
