use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::client::CLIENT;
use crate::config::Config;
use crate::report::{self, Tally};
use crate::site::{self, IndexEntry, Renderer, SiteInfo};
use crate::source;
use crate::templates::Templates;

/// Written into every output folder; only folders that carry it are ever replaced, so a
/// mistyped `-o` can never wipe someone's work.
const MARKER: &str = ".checkdown-site";

/// Above this many checklists a progress bar is worth its noise.
const PROGRESS_THRESHOLD: usize = 300;

#[derive(Debug, Clone, clap::Args)]
pub struct BuildArgs {
    /// Folder holding the checklists (.md, .markdown and .txt, searched recursively;
    /// README, LICENSE, CHANGELOG and such files, hidden entries, node_modules and
    /// `build.exclude` are skipped).
    /// Default: `build.source` in checkdown.toml, else `checklists`.
    src: Option<PathBuf>,
    /// Output folder; replaced as a whole when the build succeeds.
    /// Default: `build.output` in checkdown.toml, else `dist`.
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Folder whose templates override the built-in ones, file by file.
    #[arg(long)]
    theme: Option<PathBuf>,
    /// Site configuration file (default: ./checkdown.toml when it exists).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Build the pages even though this binary has no browser client embedded.
    #[arg(long)]
    no_client: bool,
}

/// Everything a build needs, with flags, config and defaults merged.
#[derive(Debug, Clone)]
pub struct Plan {
    pub src: PathBuf,
    pub out: PathBuf,
    pub theme: Option<PathBuf>,
    /// `build.exclude`: files below `src` that are not checklists.
    pub exclude: source::Exclude,
    pub site: SiteInfo,
    pub no_client: bool,
    /// Write the site without the checklists that have errors, rather than nothing.
    /// `serve` does, so an author sees the problem in the page and fixes it live; a
    /// plain build never does, so a pipeline cannot publish a site with a page missing.
    pub keep_going: bool,
}

impl BuildArgs {
    /// The configuration file this build reads, if there is one.
    pub fn config_path(&self) -> Option<PathBuf> {
        self.config
            .clone()
            .or_else(|| Some(PathBuf::from(crate::config::FILE_NAME)).filter(|p| p.is_file()))
    }

    pub fn plan(&self) -> anyhow::Result<Plan> {
        let config = Config::load(self.config.as_deref())?;
        let src = match (&self.src, &config.build.source) {
            (Some(s), _) => s.clone(),
            (None, Some(s)) => config.resolve(s),
            (None, None) => PathBuf::from("checklists"),
        };
        let mut out = match (&self.out, &config.build.output) {
            (Some(o), _) => o.clone(),
            (None, Some(o)) => config.resolve(o),
            (None, None) => PathBuf::from("dist"),
        };
        // A link to where the site is served from: the build goes there, rather than
        // replacing the link with a folder and leaving the served site as it was.
        if out.is_symlink() {
            match out.canonicalize() {
                Ok(target) => out = target,
                Err(_) => bail!(
                    "the output {} is a link to a folder that does not exist; create the \
                     folder or remove the link",
                    out.display()
                ),
            }
        }
        let theme = self
            .theme
            .clone()
            .or_else(|| config.build.theme.as_deref().map(|t| config.resolve(t)));
        Ok(Plan {
            exclude: source::Exclude::new(&config.build.exclude, &src)
                .with_context(|| format!("in {}", crate::config::FILE_NAME))?,
            src,
            out,
            theme,
            site: SiteInfo {
                title: config
                    .site
                    .title
                    .clone()
                    .unwrap_or_else(|| "Checklists".to_owned()),
                base_url: config.base_url(),
                base_path: config.base_path(),
            },
            no_client: self.no_client,
            keep_going: false,
        })
    }
}

/// What one file contributed to a build.
struct Outcome {
    file: PathBuf,
    report: String,
    tally: Tally,
    entry: Option<IndexEntry>,
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    build(&args.plan()?)
}

pub fn build(args: &Plan) -> anyhow::Result<ExitCode> {
    if CLIENT.is_none() && !args.no_client {
        bail!(
            "this checkdown binary was built without the browser client, so pages would not \
             save ticks.\n  Build the client first (`cargo xtask site --no-serve` does it), or \
             pass --no-client to build static pages anyway."
        );
    }
    refuse_nested_output(args)?;
    let files = source::discover(&args.src, &args.exclude)?;
    if files.is_empty() {
        bail!(
            "no checklists (.md, .markdown or .txt) found in {}",
            args.src.display()
        );
    }

    let templates = Templates::new(args.theme.as_deref())?;
    if let Some(theme) = &args.theme {
        for file in Templates::unused_files(theme) {
            eprintln!(
                "warning: {} is not used: a theme overrides {}",
                file.display(),
                Templates::names().join(", ")
            );
        }
    }
    let staging = staging_dir(&args.out)?;
    let mut renderer = Renderer::new(&templates, &args.site);
    renderer.in_place = false;
    if args.out.join(MARKER).is_file() {
        renderer.reuse = Some((staging.path().to_owned(), args.out.clone()));
    }
    let bar =
        (files.len() > PROGRESS_THRESHOLD).then(|| indicatif::ProgressBar::new(files.len() as u64));

    // Each file is read, parsed, rendered and dropped on its own, in parallel; only its
    // index entry and its report are kept. A failure anywhere discards the staging
    // folder, so nothing is ever half-written into the output.
    let outcomes: Vec<anyhow::Result<Outcome>> = files
        .par_iter()
        .map(|file| {
            if interrupted() {
                bail!("interrupted");
            }
            let source = source::load(&args.src, file)?;
            let mut tally = Tally::default();
            tally.add(&source);
            let report = report::render(&source);
            let entry = match source.parsed.checklist {
                Some(checklist) if tally.errors == 0 => {
                    renderer.write_page(staging.path(), &checklist)?;
                    Some(IndexEntry::from(&checklist))
                }
                _ => None,
            };
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            Ok(Outcome {
                file: file.clone(),
                report,
                tally,
                entry,
            })
        })
        .collect();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // The interrupt handler is removing the staging folder and will end the process
    // with 130; an "interrupted" error from a worker is not the exit to report.
    while interrupted() {
        std::thread::park();
    }
    let mut entries = Vec::with_capacity(files.len());
    let mut sources = Vec::with_capacity(files.len());
    let mut errors = 0;
    for outcome in outcomes {
        let outcome = outcome?;
        eprint!("{}", outcome.report);
        errors += outcome.tally.errors;
        if let Some(entry) = outcome.entry {
            entries.push(entry);
            sources.push(outcome.file);
        }
    }
    // Two files with one ID are a checklist error like any other: reported with the
    // rest, and exit 1, as `check` does.
    let clashes = source::clashing_ids(
        entries
            .iter()
            .map(|e| e.id.as_str())
            .zip(sources.iter().map(PathBuf::as_path)),
    );
    for (id, files) in &clashes {
        eprintln!("error: {}\n", source::clash_message(id, files));
    }
    let clash_count = clashes.len();
    // `serve` goes on with the first file (in path order) for each ID, as its watcher
    // does. Their pages were written over each other in parallel, so the one kept is
    // written again.
    let (mut kept, mut left_out) = (Vec::new(), Vec::new());
    if args.keep_going {
        for (_, files) in &clashes {
            if let Some((first, rest)) = files.split_first() {
                kept.push(first.to_path_buf());
                left_out.extend(rest.iter().map(|f| f.to_path_buf()));
            }
        }
    }
    for file in &kept {
        let source = source::load(&args.src, file)?;
        if let Some(checklist) = &source.parsed.checklist {
            renderer.write_page(staging.path(), checklist)?;
        }
    }
    if !left_out.is_empty() {
        let mut keep = sources
            .iter()
            .map(|f| !left_out.contains(f))
            .collect::<Vec<_>>()
            .into_iter();
        entries.retain(|_| keep.next().unwrap_or(true));
        sources.retain(|f| !left_out.contains(f));
    }
    errors += clash_count;
    if errors > 0 {
        if !args.keep_going {
            eprintln!("error: {errors} error(s) in the checklists; nothing was written");
            return Ok(ExitCode::FAILURE);
        }
        eprintln!(
            "error: {errors} error(s) in the checklists; their pages are left out until they are fixed"
        );
    }
    renderer.write_index(staging.path(), &entries)?;
    renderer.write_404(staging.path())?;
    renderer.write_assets(staging.path())?;
    site::write(
        &staging.path().join(MARKER),
        b"This folder is generated by checkdown build.\n",
    )?;
    replace_dir(staging, &args.out)?;
    if args.site.base_url.is_none() {
        eprintln!(
            "note: set site.base_url in checkdown.toml for absolute canonical links, a sitemap.xml, \
             and a 404 page that works when the site is not at the host's root"
        );
    }

    let items: usize = entries.iter().map(|e| e.item_count).sum();
    println!(
        "built {} checklist(s), {items} items, into {}",
        entries.len(),
        args.out.display()
    );
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The output folder is replaced whole, so the sources must not be in it: a source
/// folder inside an old site would be deleted along with that site.
fn refuse_nested_output(args: &Plan) -> anyhow::Result<()> {
    let Ok(out) = args.out.canonicalize() else {
        // Not there yet: nothing can be inside it.
        return Ok(());
    };
    if std::env::current_dir()
        .is_ok_and(|cwd| cwd.canonicalize().is_ok_and(|c| c.starts_with(&out)))
    {
        bail!(
            "the output folder {} is the folder checkdown runs in (or holds it), which a \
             build replaces as a whole: choose a folder such as `dist` (-o)",
            args.out.display()
        );
    }
    let inputs = [
        ("source folder", Some(&args.src)),
        ("theme", args.theme.as_ref()),
    ];
    for (what, path) in inputs {
        let Some(path) = path else { continue };
        if path.canonicalize().is_ok_and(|p| p.starts_with(&out)) {
            bail!(
                "the {what} {} is inside the output folder {}, which a build replaces as a \
                 whole: choose an output folder outside it (-o)",
                path.display(),
                args.out.display()
            );
        }
    }
    Ok(())
}

/// Folders a build is writing beside the output (the staged site, the old one being
/// removed). A `TempDir` cleans up when dropped, but Ctrl-C or a CI job's SIGTERM ends
/// the process without dropping anything: each interrupted build of a large site left
/// a hidden copy of it, 100 MB or more, that nothing ever removed.
static IN_PROGRESS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Set once an interrupt came: the workers stop writing pages, so the folders they
/// write into can be removed rather than refilled while being removed.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::Relaxed)
}

fn remove_if_interrupted(path: &Path) {
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        // Without a handler (another one is set) the folders are left, as before.
        let _ = ctrlc::set_handler(|| {
            INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
            // A worker may still finish the page it is on: try again until it has.
            for _ in 0..100 {
                let gone = IN_PROGRESS.lock().map_or(true, |paths| {
                    paths
                        .iter()
                        .all(|p| std::fs::remove_dir_all(p).is_ok() || !p.exists())
                });
                if gone {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            // 128 + SIGINT, as a shell reports an interrupted command.
            std::process::exit(130);
        });
    });
    if let Ok(mut paths) = IN_PROGRESS.lock() {
        paths.push(path.to_path_buf());
    }
}

fn done_with(path: &Path) {
    if let Ok(mut paths) = IN_PROGRESS.lock() {
        paths.retain(|p| p != path);
    }
}

/// A temporary folder beside `out`, so the final rename stays on one file system.
fn staging_dir(out: &Path) -> anyhow::Result<tempfile::TempDir> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("creating folder {}", parent.display()))?;
    // Named here rather than at random, so that it is listed for removal before it
    // exists: an interrupt between the two would otherwise leave it.
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    loop {
        let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!(".checkdown-build-{}-{n}", std::process::id());
        remove_if_interrupted(&parent.join(&name));
        match tempfile::Builder::new()
            .prefix(&name)
            .rand_bytes(0)
            .tempdir_in(&parent)
        {
            Ok(dir) => return Ok(dir),
            // Left by an earlier process with this one's number: take the next.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                done_with(&parent.join(&name));
            }
            Err(e) => {
                done_with(&parent.join(&name));
                return Err(e).with_context(|| {
                    format!("creating a temporary folder in {}", parent.display())
                });
            }
        }
    }
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
            done_with(&staged);
            return Err(err).with_context(|| format!("moving the new site into {}", out.display()));
        }
        done_with(&staged);
        // From here an interrupt leaves the new site in place and the old one going.
        remove_if_interrupted(&old);
        let removed = std::fs::remove_dir_all(&old);
        done_with(&old);
        removed.with_context(|| format!("removing the previous site at {}", old.display()))?;
    } else {
        let staged = staging.keep();
        let moved = std::fs::rename(&staged, out);
        if moved.is_err() {
            let _ = std::fs::remove_dir_all(&staged);
        }
        done_with(&staged);
        moved.with_context(|| format!("moving the new site into {}", out.display()))?;
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
