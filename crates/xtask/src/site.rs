//! `cargo xtask site`: the README's first command.

use std::path::PathBuf;

use crate::util::{cargo, exec, step};
use crate::{client, setup};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only build dist/, do not serve it.
    #[arg(long)]
    no_serve: bool,
    /// Port to serve on (127.0.0.1 only).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Folder of checklists to build.
    #[arg(long, default_value = "checklists")]
    src: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "dist")]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let env = setup::run()?;
    client::build(&env)?;
    let src = args.src.to_string_lossy().into_owned();
    let out = args.out.to_string_lossy().into_owned();
    if args.no_serve {
        step(format!("site: building {src} into {out}"));
        return exec(cargo().args([
            "run",
            "--quiet",
            "-p",
            "checkdown",
            "--",
            "build",
            &src,
            "-o",
            &out,
        ]));
    }
    step(format!(
        "site: building {src} into {out} and serving it (Ctrl-C stops)"
    ));
    let port = args.port.to_string();
    exec(cargo().args([
        "run",
        "--quiet",
        "-p",
        "checkdown",
        "--",
        "serve",
        &src,
        "-o",
        &out,
        "--port",
        &port,
    ]))
}
