//! `cargo xtask test`: the README's second command, and what CI runs.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context as _;

use crate::util::{cargo, exec, root, step};
use crate::{client, setup};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    let env = setup::run()?;

    step("test: formatting (cargo fmt --check)");
    exec(cargo().args(["fmt", "--all", "--", "--check"]))?;

    // The client goes first: the checkdown binary embeds it, and clippy and the tests
    // should see the binary as users get it.
    client::build(&env)?;

    step("test: clippy, warnings denied");
    exec(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("test: unit and integration tests");
    exec(cargo().args(["test", "--workspace"]))?;

    step("test: WASM tests in headless Chromium (wasm-bindgen-test)");
    let mut wasm = env.wasm_cargo();
    wasm.args([
        "test",
        "-p",
        "checkdown-web",
        "--target",
        "wasm32-unknown-unknown",
    ])
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        &env.test_runner,
    )
    .env("CHROMEDRIVER", &env.chromedriver)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    exec(&mut wasm)?;

    step("test: end-to-end in Chromium (Playwright)");
    exec(cargo().args(["build", "-p", "checkdown"]))?;
    // The seeds (in CI, beside the clone) and the project's own examples together.
    let seeds = root().join("../shared/seeds");
    let mut dirs: Vec<PathBuf> = vec![root().join("checklists")];
    if seeds.is_dir() {
        dirs.insert(0, seeds);
    }
    let src = std::env::join_paths(&dirs).context("joining the checklist folders")?;
    println!(
        "    checklists for the end-to-end tests: {}",
        src.to_string_lossy()
    );
    let node = crate::util::which("node").context("node is missing: install Node.js 18+")?;
    exec(
        Command::new(node)
            .args(["--test", "--test-reporter=spec", "tests/e2e/"])
            .current_dir(root())
            .env("CHECKDOWN_BIN", root().join("target/debug/checkdown"))
            .env("CHECKDOWN_E2E_SRC", &src)
            .env("CHROMIUM", &env.chromium),
    )?;

    step("test: all passed");
    Ok(())
}
