//! `cargo xtask`: the project's own automation. Run `cargo xtask --help`.

mod bench;
mod client;
mod setup;
mod site;
mod test;
mod util;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "checkdown project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install what building and testing need (idempotent; fast when all is present).
    Setup,
    /// Build the WASM client with Trunk into target/client.
    Client,
    /// Build the site from checklists/ into dist/ and serve it on 127.0.0.1.
    Site(site::Args),
    /// Run every check: fmt, clippy, unit, wasm-in-browser and end-to-end tests.
    Test(test::Args),
    /// Measure parsing and building against raw pulldown-cmark.
    Bench(bench::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Setup => setup::run().map(|_| ()),
        Command::Client => setup::run().and_then(|env| client::build(&env)),
        Command::Site(args) => site::run(args),
        Command::Test(args) => test::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
