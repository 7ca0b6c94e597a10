//! `cargo xtask setup`: installs the toolchain pieces the build and tests need.
//!
//! Every step checks first and only installs what is missing, so a second run takes
//! seconds. The wasm32 target comes from rustup where it can; where rustup cannot
//! download it (offline machines), from Debian's rustc-web with `-Zbuild-std`. The
//! shipped client prefers a std built from source (Debian's, or rustup nightly's).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::util::{self, exec, output, root, run_with_timeout, step, which};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's web toolchain: rustc/cargo/rust-src that can build std for wasm32, and lld.
const DEBIAN_WASM_PACKAGES: &[&str] = &["rustc-web", "cargo-web", "rust-web-src", "lld-22"];
const DEBIAN_BROWSER_PACKAGES: &[&str] = &["chromium", "chromium-driver"];
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_RUSTDOC: &str = "/usr/bin/rustdoc";
const DEBIAN_STD_SRC: &str = "/usr/lib/rustlib/src/rust/library/std";
/// Trunk 0.22 needs a newer rustc than some stables; this is the last that builds there.
const TRUNK_FALLBACK_VERSION: &str = "0.21.14";

/// How wasm32 code gets compiled on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmToolchain {
    /// rustup's toolchain with the prebuilt wasm32 standard library.
    Rustup,
    /// Debian's rustc-web, building std from source (`-Zbuild-std`).
    Debian,
    /// rustup's nightly with its `rust-src` component, building std from source. Only
    /// the shipped client takes it, for size; tests stay on the stable route.
    Nightly,
}

/// What setup found or installed; other xtask commands use it to run the tools.
#[derive(Debug, Clone)]
pub struct Env {
    pub wasm: WasmToolchain,
    pub trunk: PathBuf,
    pub test_runner: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Env {
    /// Folder for wasm32 build output, kept apart from native builds: on the Debian
    /// route a different cargo and rustc build there, and sharing would thrash.
    pub fn wasm_target_dir() -> PathBuf {
        root().join("target/wasm")
    }

    fn target_dir(&self) -> PathBuf {
        match self.wasm {
            // Another toolchain and another std: its own folder, so neither route's
            // build is thrown away by the other's.
            WasmToolchain::Nightly => root().join("target/wasm-nightly"),
            _ => Self::wasm_target_dir(),
        }
    }

    /// Sets the variables that make `cargo` (and Trunk, which calls it) build wasm32.
    pub fn apply_wasm_env(&self, cmd: &mut Command) {
        cmd.current_dir(root())
            .env("CARGO_TARGET_DIR", self.target_dir());
        match self.wasm {
            WasmToolchain::Rustup => {
                cmd.env("PATH", util::path_with(&[]));
            }
            WasmToolchain::Debian => {
                // /usr/bin first so Trunk's plain `cargo` is Debian's, not rustup's.
                cmd.env("PATH", util::path_with(&[Path::new("/usr/bin")]))
                    .env("RUSTC_BOOTSTRAP", "1")
                    .env("RUSTC", DEBIAN_RUSTC)
                    // Without this, doc-tests use rustup's rustdoc and fail with E0514.
                    .env("RUSTDOC", DEBIAN_RUSTDOC)
                    .env("CARGO", DEBIAN_CARGO)
                    .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                    .env_remove("RUSTUP_TOOLCHAIN");
            }
            WasmToolchain::Nightly => {
                // The rustup proxies on PATH pick nightly; the outer `cargo xtask` set
                // CARGO and friends to stable's binaries, which would win otherwise.
                cmd.env("PATH", util::path_with(&[]))
                    .env("RUSTUP_TOOLCHAIN", "nightly")
                    .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                    .env_remove("CARGO")
                    .env_remove("RUSTC")
                    .env_remove("RUSTDOC");
            }
        }
    }

    /// A cargo command that builds for wasm32.
    pub fn wasm_cargo(&self) -> Command {
        let program = match self.wasm {
            WasmToolchain::Rustup => std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
            WasmToolchain::Debian => DEBIAN_CARGO.into(),
            WasmToolchain::Nightly => "cargo".into(),
        };
        let mut cmd = Command::new(program);
        self.apply_wasm_env(&mut cmd);
        cmd
    }
}

pub fn run() -> anyhow::Result<Env> {
    step("setup: checking the tools checkdown needs");
    let mut apt: Vec<&str> = Vec::new();

    let mut wasm = detect_wasm();
    if wasm.is_none() {
        wasm = try_rustup_target();
    }
    match wasm {
        Some(w) => println!("    wasm32 toolchain: {}", describe(w)),
        None => {
            println!("    wasm32 toolchain: missing; will use Debian's rustc-web");
            apt.extend(DEBIAN_WASM_PACKAGES);
        }
    }

    let browser = find_browser();
    match &browser {
        Some((chromium, driver)) => println!(
            "    browser: {} with {}",
            chromium.display(),
            driver.display()
        ),
        None => apt.extend(DEBIAN_BROWSER_PACKAGES),
    }

    // The Nu HTML Checker (npm vnu-jar) runs on the system Java.
    match which("java") {
        Some(java) => println!("    java: {}", java.display()),
        None => apt.push("default-jre-headless"),
    }

    if !apt.is_empty() {
        apt_install(&apt)?;
    }
    let wasm = match wasm.or_else(detect_wasm) {
        Some(w) => w,
        None => bail!(
            "no wasm32 toolchain. Install one of:\n  rustup target add {WASM_TARGET}\n  \
             apt-get install {} (then this command builds std itself)",
            DEBIAN_WASM_PACKAGES.join(" ")
        ),
    };
    let Some((chromium, chromedriver)) = browser.or_else(find_browser) else {
        bail!(
            "no Chromium and ChromeDriver found. Install them, e.g. \
             `apt-get install chromium chromium-driver`, or set CHROMIUM and CHROMEDRIVER."
        );
    };

    npm_ci()?;
    let test_runner = wasm_bindgen_cli()?;
    let trunk = trunk()?;
    step("setup: done");
    Ok(Env {
        wasm,
        trunk,
        test_runner,
        chromium,
        chromedriver,
    })
}

fn describe(w: WasmToolchain) -> &'static str {
    match w {
        WasmToolchain::Rustup => "rustup target wasm32-unknown-unknown",
        WasmToolchain::Debian => "Debian rustc-web, std built from source (-Zbuild-std)",
        WasmToolchain::Nightly => "rustup nightly with rust-src, std built from source",
    }
}

fn detect_wasm() -> Option<WasmToolchain> {
    if rustup_has_wasm() {
        return Some(WasmToolchain::Rustup);
    }
    debian_wasm_available().then_some(WasmToolchain::Debian)
}

/// Whether Debian's rustc-web can build std for wasm32 here. The client is smaller
/// when std is built from source, so its release build takes this route when it can.
pub fn debian_wasm_available() -> bool {
    let debian = [DEBIAN_CARGO, DEBIAN_RUSTC, DEBIAN_STD_SRC]
        .iter()
        .all(|p| Path::new(p).exists());
    // A Debian rustc that is older than the one rustc-web ships cannot build std.
    let is_web = output(Command::new(DEBIAN_RUSTC).arg("--version")).is_some();
    let lld = which("rust-lld").is_some() || Path::new("/usr/bin/lld-22").exists();
    debian && is_web && lld
}

/// Whether rustup's nightly can build std from source here: it needs the toolchain
/// (setup installs it for Trunk on an older stable) and its `rust-src` component, which
/// is added when missing. Bounded, like every download that may hang offline.
pub fn nightly_build_std_available() -> bool {
    // Asked first: `rustc +nightly` may try to install a missing toolchain, unbounded.
    let installed = output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|t| t.starts_with("nightly")));
    let root = installed
        .then(|| output(Command::new("rustc").args(["+nightly", "--print", "sysroot"])))
        .flatten()
        .map(|s| PathBuf::from(s.trim()));
    let Some(root) = root else {
        return false;
    };
    let std_src = root.join("lib/rustlib/src/rust/library/std");
    if std_src.exists() {
        return true;
    }
    step("client: adding rust-src to nightly, to build a smaller std");
    let added = run_with_timeout(
        Command::new("rustup").args(["component", "add", "rust-src", "--toolchain", "nightly"]),
        Duration::from_secs(90),
    )
    .unwrap_or(false);
    added && std_src.exists()
}

fn rustup_has_wasm() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir =
        output(Command::new(rustc).args(["--print", "target-libdir", "--target", WASM_TARGET]));
    libdir.is_some_and(|dir| {
        std::fs::read_dir(dir).is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        })
    })
}

/// The normal route. Bounded, because on a machine without internet it hangs.
fn try_rustup_target() -> Option<WasmToolchain> {
    which("rustup")?;
    step("setup: adding the wasm32 target with rustup");
    let ok = run_with_timeout(
        Command::new("rustup").args(["target", "add", WASM_TARGET]),
        Duration::from_secs(90),
    )
    .unwrap_or(false);
    (ok && rustup_has_wasm()).then_some(WasmToolchain::Rustup)
}

fn find_browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .iter()
            .find_map(|n| which(n))
        })?;
    let driver = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| which("chromedriver"))?;
    Some((chromium, driver))
}

fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let root_user = output(Command::new("id").arg("-u")).as_deref() == Some("0");
    if which("apt-get").is_none() || !root_user {
        bail!(
            "missing system packages and no way to install them here (needs apt-get as root).\n  \
             Install by hand: {}\n  or, with rustup online: rustup target add {WASM_TARGET}, \
             plus Chromium and ChromeDriver from your OS",
            packages.join(" ")
        );
    }
    step(format!(
        "setup: installing Debian packages: {}",
        packages.join(" ")
    ));
    exec(
        Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    exec(
        Command::new("apt-get")
            .args(["install", "-y"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Node packages for the browser tests (playwright-core) and wasm-opt (binaryen 132).
fn npm_ci() -> anyhow::Result<()> {
    let lock = root().join("package-lock.json");
    let installed = root().join("node_modules/.package-lock.json");
    let fresh = match (modified(&lock), modified(&installed)) {
        (Some(l), Some(i)) => i >= l,
        _ => false,
    };
    if fresh && root().join("node_modules/.bin/wasm-opt").exists() {
        println!("    node packages: installed");
        return Ok(());
    }
    if which("npm").is_none() {
        bail!("npm is missing: install Node.js 18 or newer (with npm), then run this again");
    }
    step("setup: installing node packages (npm ci)");
    exec(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root()),
    )
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// wasm-bindgen-cli at exactly the Cargo.lock version; returns the test runner's path.
fn wasm_bindgen_cli() -> anyhow::Result<PathBuf> {
    let version = util::locked_wasm_bindgen()?;
    let current = which("wasm-bindgen").and_then(|p| output(Command::new(p).arg("--version")));
    let runner = which("wasm-bindgen-test-runner");
    if current.as_deref() == Some(&format!("wasm-bindgen {version}")) && runner.is_some() {
        println!("    wasm-bindgen-cli: {version}");
    } else {
        step(format!(
            "setup: installing wasm-bindgen-cli {version} (about 2 minutes)"
        ));
        let locked = exec(util::cargo().args([
            "install",
            "wasm-bindgen-cli",
            "--locked",
            "--version",
            &version,
        ]));
        if locked.is_err() {
            // Its lock file can pin a dependency the registry has since yanked.
            println!("    retrying without --locked");
            exec(util::cargo().args(["install", "wasm-bindgen-cli", "--version", &version]))?;
        }
    }
    which("wasm-bindgen-test-runner").context("wasm-bindgen-test-runner not found after install")
}

fn trunk() -> anyhow::Result<PathBuf> {
    if let Some(trunk) = which("trunk") {
        if let Some(v) = output(Command::new(&trunk).arg("--version")) {
            println!("    trunk: {v}");
            return Ok(trunk);
        }
    }
    step("setup: installing trunk (cargo install trunk --locked; can take 15+ minutes)");
    if exec(util::cargo().args(["install", "trunk", "--locked"])).is_err() {
        let has_nightly = output(Command::new("rustup").args(["toolchain", "list"]))
            .is_some_and(|list| list.lines().any(|l| l.starts_with("nightly")));
        if has_nightly {
            println!("    stable rustc is too old for the newest trunk; using nightly");
            exec(
                Command::new("rustup")
                    .args(["run", "nightly", "cargo", "install", "trunk", "--locked"]),
            )?;
        } else {
            println!(
                "    stable rustc is too old for the newest trunk; installing {TRUNK_FALLBACK_VERSION}"
            );
            exec(util::cargo().args([
                "install",
                "trunk",
                "--locked",
                "--version",
                TRUNK_FALLBACK_VERSION,
            ]))?;
        }
    }
    which("trunk").context("trunk not found after install")
}
