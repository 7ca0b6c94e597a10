//! Embeds the browser client (built by Trunk into `target/client`) into the binary, so
//! an author who only has `checkdown` still gets a working site. When the client has
//! not been built, an empty list is embedded and `checkdown build` says so at run time.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=CHECKDOWN_CLIENT_DIR");
    let dir = match std::env::var_os("CHECKDOWN_CLIENT_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/client"),
    };
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut js = None;
    let mut wasm = None;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            match path.extension().and_then(|e| e.to_str()) {
                Some("js") => js = Some(path),
                Some("wasm") => wasm = Some(path),
                _ => {}
            }
        }
    }

    let mut code = String::new();
    match (js, wasm) {
        (Some(js), Some(wasm)) => {
            let _ = writeln!(
                code,
                "pub const CLIENT: Option<Client> = Some(Client {{ js: include_bytes!({:?}), wasm: include_bytes!({:?}) }});",
                js.canonicalize().unwrap_or(js),
                wasm.canonicalize().unwrap_or(wasm),
            );
        }
        _ => code.push_str("pub const CLIENT: Option<Client> = None;\n"),
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("client.rs");
    if let Err(err) = std::fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
}
