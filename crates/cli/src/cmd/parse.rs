//! `checkdown parse`: the model of one checklist as JSON.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::{report, source};

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The checklist file (.md or .txt).
    file: PathBuf,
}

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let root = args.file.parent().unwrap_or(Path::new(""));
    let source = source::load(root, &args.file)?;
    eprint!("{}", report::render(&source));
    let Some(checklist) = &source.parsed.checklist else {
        return Ok(ExitCode::FAILURE);
    };
    let json = serde_json::to_string_pretty(checklist).context("serialising the model")?;
    super::verify::quiet_pipe(writeln!(std::io::stdout().lock(), "{json}"))
        .context("writing to stdout")?;
    Ok(if source.parsed.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
