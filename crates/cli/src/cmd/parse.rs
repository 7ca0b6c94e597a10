use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::source;

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The checklist file (.md or .txt).
    file: PathBuf,
}

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let checklist = match source::load_one(&args.file)? {
        Ok(c) => c,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let json = serde_json::to_string_pretty(&checklist).context("serialising the model")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
