//! `cargo xtask bench`: parse speed against raw pulldown-cmark on the shared corpus.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::util::{cargo, exec, root, step};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of generated checklists in the corpus.
    #[arg(long, default_value_t = 10_000)]
    n: usize,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let generator = root().join("../shared/bench/gen_corpus.py");
    let corpus: PathBuf = root().join(format!("target/bench/corpus/n{}", args.n));
    if !corpus.is_dir() {
        if !generator.is_file() {
            bail!("the corpus generator {} is missing", generator.display());
        }
        step(format!(
            "bench: generating {} checklists into {}",
            args.n,
            corpus.display()
        ));
        exec(
            Command::new("python3")
                .arg(&generator)
                .args(["--n", &args.n.to_string(), "--out"])
                .arg(&corpus),
        )
        .context("generating the benchmark corpus")?;
    }
    step("bench: parse (checkdown-core vs raw pulldown-cmark)");
    exec(
        cargo()
            .args(["bench", "-p", "checkdown-core", "--bench", "parse"])
            .env("CHECKDOWN_BENCH_CORPUS", &corpus),
    )
}
