//! Builds the browser client with Trunk into target/client, where the checkdown binary's
//! build script picks it up.

use std::process::Command;

use anyhow::bail;

use crate::setup::{self, Env, WasmToolchain};
use crate::util::{exec, root, step};

pub fn build(env: &Env) -> anyhow::Result<()> {
    // std built from source, for size, where a toolchain here can: about 25 KB less
    // gzipped than rustup's prebuilt std.
    if setup::debian_wasm_available() {
        return trunk(env, WasmToolchain::Debian);
    }
    if setup::nightly_build_std_available() {
        match fetch_std_sources(env).and_then(|()| trunk(env, WasmToolchain::Nightly)) {
            Ok(()) => return Ok(()),
            Err(e) => println!("    nightly build-std failed ({e:#}); building with prebuilt std"),
        }
    }
    trunk(env, env.wasm)
}

/// Trunk builds offline; std's own dependencies must be in cargo's cache first.
fn fetch_std_sources(env: &Env) -> anyhow::Result<()> {
    let env = Env {
        wasm: WasmToolchain::Nightly,
        ..env.clone()
    };
    let mut fetch = env.wasm_cargo();
    fetch.args([
        "fetch",
        "--target",
        "wasm32-unknown-unknown",
        "--manifest-path",
        "crates/web/Cargo.toml",
    ]);
    exec(&mut fetch)
}

fn trunk(env: &Env, route: WasmToolchain) -> anyhow::Result<()> {
    step("client: building crates/web with Trunk into target/client");
    let mut cmd = Command::new(&env.trunk);
    cmd.args(["build", "--release", "--offline"]);
    let env = Env {
        wasm: route,
        ..env.clone()
    };
    env.apply_wasm_env(&mut cmd);
    if env.wasm != WasmToolchain::Rustup {
        // std is built from source on this route, so it can be built for size too:
        // a panic aborts without formatting a message (no panic strings or location
        // tables), and std picks its smaller algorithms. Only the shipped client gets
        // this; the wasm tests keep their panic messages. With nothing printed, the
        // file and line of each `#[track_caller]` call site are dead weight too.
        let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
        flags.push_str(" -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none");
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
