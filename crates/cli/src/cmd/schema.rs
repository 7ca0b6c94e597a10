//! `checkdown schema`: the JSON Schemas of checkdown's formats.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The parsed checklist model (`checkdown parse`; pages embed it without rendered content).
    Checklist,
    /// Evidence format v1 (`checkdown verify`).
    Evidence,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    #[arg(value_enum)]
    which: Which,
}

pub fn run(args: SchemaArgs) -> anyhow::Result<ExitCode> {
    let schema = match args.which {
        Which::Checklist => checkdown_core::checklist_schema(),
        Which::Evidence => checkdown_core::evidence_schema(),
    };
    let json = serde_json::to_string_pretty(&schema).context("serialising the schema")?;
    writeln!(std::io::stdout().lock(), "{json}")?;
    Ok(ExitCode::SUCCESS)
}
