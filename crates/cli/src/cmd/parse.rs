//! `checkdown parse`: the model of one checklist as JSON, or written back as Markdown.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::{report, source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The model, with the field names `checkdown schema checklist` describes.
    Json,
    /// The checklist's structure written back as Markdown in checkdown's own style:
    /// the title, sections, items and fields, with the attribute blocks that keep
    /// their IDs, kinds and requiredness, so reading it again gives the same
    /// checklist. A section's code blocks are kept; prose, plain lists, an item's
    /// details and inline formatting (code spans included) are left out, except a run
    /// of underscores that was code, which stays in backticks so it is not read as a
    /// blank.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The checklist file (.md, .markdown or .txt).
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    // The ID `build` gives it: counted from the project's source folder when the file
    // is in it.
    let config = crate::config::Config::load(None)?;
    let src = config
        .build
        .source
        .as_deref()
        .map_or_else(|| PathBuf::from("checklists"), |s| config.resolve(s));
    let root = source::id_root(&args.file, &src);
    let source = source::load(&root, &args.file)?;
    eprint!("{}", report::render(&source));
    let Some(checklist) = &source.parsed.checklist else {
        return Ok(ExitCode::FAILURE);
    };
    let text = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(checklist).context("serialising the model")? + "\n"
        }
        Format::Markdown => checkdown_core::to_markdown(checklist),
    };
    super::verify::quiet_pipe(std::io::stdout().lock().write_all(text.as_bytes()))
        .context("writing to stdout")?;
    Ok(if source.parsed.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
