//! Builds the browser client with Trunk into target/client, where the checkdown binary's
//! build script picks it up.

use std::process::Command;

use anyhow::bail;

use crate::setup::Env;
use crate::util::{exec, root, step};

pub fn build(env: &Env) -> anyhow::Result<()> {
    step("client: building crates/web with Trunk into target/client");
    let mut cmd = Command::new(&env.trunk);
    cmd.args(["build", "--release", "--offline"]);
    env.apply_wasm_env(&mut cmd);
    exec(&mut cmd)?;
    let out = root().join("target/client");
    for file in ["checkdown-web.js", "checkdown-web_bg.wasm"] {
        if !out.join(file).is_file() {
            bail!("Trunk finished but {} is missing", out.join(file).display());
        }
    }
    Ok(())
}
