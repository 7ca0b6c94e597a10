//! Builds the browser client with Trunk into target/client, where the checkdown binary's
//! build script picks it up.

use std::process::Command;

use anyhow::bail;

use crate::setup::{self, Env, WasmToolchain};
use crate::util::{exec, root, step};

pub fn build(env: &Env) -> anyhow::Result<()> {
    step("client: building crates/web with Trunk into target/client");
    let mut cmd = Command::new(&env.trunk);
    cmd.args(["build", "--release", "--offline"]);
    let mut env = env.clone();
    if setup::debian_wasm_available() {
        env.wasm = WasmToolchain::Debian;
    }
    env.apply_wasm_env(&mut cmd);
    if env.wasm == WasmToolchain::Debian {
        // std is built from source on this route, so it can be built for size too:
        // a panic aborts without formatting a message (no panic strings or location
        // tables), and std picks its smaller algorithms. Only the shipped client gets
        // this; the wasm tests keep their panic messages.
        let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
        flags.push_str(" -Zunstable-options -Cpanic=immediate-abort");
        cmd.env("RUSTFLAGS", flags.trim())
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size");
    }
    exec(&mut cmd)?;
    let out = root().join("target/client");
    for file in ["checkdown-web.js", "checkdown-web_bg.wasm"] {
        if !out.join(file).is_file() {
            bail!("Trunk finished but {} is missing", out.join(file).display());
        }
    }
    Ok(())
}
