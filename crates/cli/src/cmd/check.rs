//! `checkdown check`: lint checklists without building anything.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use checkdown_core::Diagnostic;
use serde::Serialize;

use crate::links::Links;
use crate::report::{self, Tally};
use crate::source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: readable text.
    Human,
    /// One JSON document on stdout, for machines (`{ok, error}` when the input cannot
    /// be used).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Checklist files or folders to search (default: `build.source` in
    /// checkdown.toml, else `checklists`, as `build` reads).
    paths: Vec<PathBuf>,
    /// `human`: rustc-style reports with source snippets, on stderr. `json`: every
    /// file's diagnostics, clashes and skipped files, with counts, on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Site configuration file, for its `build.exclude` (default: ./checkdown.toml
    /// when it exists).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Serialize)]
struct FileReport<'a> {
    file: String,
    diagnostics: &'a [Diagnostic],
}

/// Files that give one checklist ID: a problem between files, not in one.
#[derive(Serialize)]
struct Clash<'a> {
    id: &'a str,
    files: Vec<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    files: Vec<FileReport<'a>>,
    clashes: Vec<Clash<'a>>,
    /// Files passed over (a broken link, a pipe): each a warning.
    skipped: &'a [source::Skipped],
    /// Paths named that could not be read (missing, no permission): each an error.
    unreadable: &'a [source::Skipped],
    errors: usize,
    warnings: usize,
    ok: bool,
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let format = args.format;
    match check(args) {
        // A pipeline reading JSON gets JSON even when the input cannot be used, as
        // from `verify`.
        Err(err) if format == Format::Json => {
            let doc = serde_json::json!({ "ok": false, "error": format!("{err:#}") });
            eprintln!("error: {err:#}");
            super::verify::quiet_pipe(writeln!(std::io::stdout().lock(), "{doc:#}"))?;
            Ok(ExitCode::from(2))
        }
        other => other,
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    // The same files as `build`: its `build.exclude` holds what is not a checklist.
    let config = crate::config::Config::load(args.config.as_deref())?;
    let source = config
        .build
        .source
        .as_deref()
        .map_or_else(|| PathBuf::from("checklists"), |s| config.resolve(s));
    let exclude = source::Exclude::new(&config.build.exclude, &source)
        .with_context(|| format!("in {}", crate::config::FILE_NAME))?;
    let paths = if args.paths.is_empty() {
        let configured = args.config.is_some() || Path::new(crate::config::FILE_NAME).is_file();
        source::require_folder(&source, configured)?;
        vec![source.clone()]
    } else {
        args.paths.clone()
    };
    // A path that cannot be read is an error of its own: the other files are still
    // checked, so one typo in a pre-commit hook's list hides no one's mistakes.
    let mut unreadable = Vec::new();
    let paths: Vec<PathBuf> = paths
        .into_iter()
        .filter(|path| {
            let problem = match std::fs::metadata(path) {
                Ok(m) if m.is_dir() || m.is_file() => return true,
                Ok(_) => "not a regular file or folder".to_owned(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "no such file or folder".to_owned()
                }
                Err(e) => e.to_string(),
            };
            unreadable.push(source::Skipped {
                file: path.display().to_string(),
                reason: problem,
            });
            false
        })
        .collect();
    // Nothing to check at all is input that cannot be used (exit 2), as before.
    if paths.is_empty() {
        let said: Vec<String> = unreadable
            .iter()
            .map(|u| format!("{}: {}", u.file, u.reason))
            .collect();
        anyhow::bail!("{}", said.join("; "));
    }
    let (files, excluded, skipped) = source::expand(&paths, &exclude, &source)?;
    // A pre-commit hook names every changed file; one that `build` leaves out is not
    // a checklist to hold to its rules, as linters treat their ignore lists.
    for file in &excluded {
        eprintln!(
            "note: {} is left out by build.exclude in {}; not checked",
            file.display(),
            crate::config::FILE_NAME
        );
    }
    for s in &skipped {
        eprintln!("warning: {s}");
    }
    // Skipped files are no checklists to check: with nothing else, this fails as
    // `build` does.
    if files.is_empty() && unreadable.is_empty() {
        if !excluded.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
        if exclude.is_set() {
            anyhow::bail!(
                "no checklists (.md, .markdown or .txt) found, after build.exclude in {} left \
                 out what it names",
                crate::config::FILE_NAME
            );
        }
        anyhow::bail!("no checklists (.md, .markdown or .txt) found");
    }
    // The site's checklists, for links between them: those `build` would find, as
    // checked files may be only some of them (a pre-commit hook names changed ones).
    // With no source folder, a folder named here is the site, as `build DIR` has it.
    let site_folders = if source.is_dir() {
        vec![source.clone()]
    } else {
        paths.iter().filter(|p| p.is_dir()).cloned().collect()
    };
    let mut site = Vec::new();
    for folder in &site_folders {
        site.extend(source::discover_all(folder, &exclude, &mut Vec::new())?);
    }
    let links = Links::new(site_folders.first().unwrap_or(&source), &site, "../");
    let mut sources = Vec::with_capacity(files.len());
    for (root, file) in &files {
        match source::load(root, file) {
            Ok(mut loaded) => {
                links.apply(&mut loaded);
                sources.push(loaded);
            }
            Err(err) => unreadable.push(source::Skipped {
                file: file.display().to_string(),
                reason: format!("{err:#}"),
            }),
        }
    }
    let mut tally = Tally::default();
    for s in &sources {
        tally.add(s);
    }
    let clashes = source::clashing_ids(sources.iter().filter_map(|s| {
        let c = s.parsed.checklist.as_ref()?;
        Some((c.id.as_str(), s.path.as_path()))
    }));
    tally.errors += clashes.len() + unreadable.len();
    // A checklist left out of the site is worth a failing `--deny-warnings`.
    tally.warnings += skipped.len();
    let ok = tally.errors == 0 && !(args.deny_warnings && tally.warnings > 0);

    match args.format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for s in &sources {
                write!(err, "{}", report::render(s))?;
            }
            for (id, files) in &clashes {
                writeln!(err, "error: {}\n", source::clash_message(id, files))?;
            }
            for u in &unreadable {
                writeln!(err, "error: {}: {}\n", u.file, u.reason)?;
            }
            writeln!(
                err,
                "checked {} file(s): {} error(s), {} warning(s)",
                sources.len(),
                tally.errors,
                tally.warnings
            )?;
        }
        Format::Json => {
            let doc = JsonReport {
                files: sources
                    .iter()
                    .map(|s| FileReport {
                        file: s.path.display().to_string(),
                        diagnostics: &s.parsed.diagnostics,
                    })
                    .collect(),
                clashes: clashes
                    .iter()
                    .map(|(id, files)| Clash {
                        id,
                        files: files.iter().map(|f| f.display().to_string()).collect(),
                    })
                    .collect(),
                skipped: &skipped,
                unreadable: &unreadable,
                errors: tally.errors,
                warnings: tally.warnings,
                ok,
            };
            let json = serde_json::to_string_pretty(&doc).context("serialising the report")?;
            writeln!(std::io::stdout().lock(), "{json}")?;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
