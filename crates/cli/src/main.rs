//! `checkdown`: turn Markdown checklists into a static site.

mod client;
mod cmd;
mod config;
mod content;
mod highlight;
mod links;
mod report;
mod site;
mod source;
mod templates;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// A build makes a few small strings per checklist item; glibc's allocator spent about
// a sixth of parse time on them, mimalloc a third of that.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "checkdown", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a static site from a folder of Markdown checklists.
    Build(cmd::build::BuildArgs),
    /// Create a new site: checkdown.toml, an example checklist, .gitignore.
    Init(cmd::init::InitArgs),
    /// Lint checklists: errors and warnings with file:line:col.
    Check(cmd::check::CheckArgs),
    /// Build, then serve the site on 127.0.0.1.
    Serve(cmd::serve::ServeArgs),
    /// Print the parsed model of one checklist as JSON.
    Parse(cmd::parse::ParseArgs),
    /// Check exported evidence against its checklist (exit 0 holds, 1 fails, 2 unusable).
    Verify(cmd::verify::VerifyArgs),
    /// Standard views of evidence: in-toto, OSCAL, Markdown.
    Export(cmd::export::ExportArgs),
    /// Combine two people's evidence for the same run.
    Merge(cmd::merge::MergeArgs),
    /// Print a JSON Schema.
    Schema(cmd::schema::SchemaArgs),
}

fn main() -> ExitCode {
    // checkdown-core catches pulldown-cmark's panics on the inputs it cannot read and
    // reads the file again, saying so in a diagnostic: its panic message would only
    // alarm. Any other panic is reported as usual.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_markdown_library = info
            .location()
            .is_some_and(|l| l.file().contains("pulldown-cmark"));
        if !in_markdown_library {
            report(info);
        }
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Parse(args) => cmd::parse::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Merge(args) => cmd::merge::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
