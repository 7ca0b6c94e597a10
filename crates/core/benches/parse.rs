//! Parse throughput of checkdown-core against raw pulldown-cmark on the same files,
//! measured in one run so the ratio holds on a noisy machine.
//! Run through `cargo xtask bench`, which generates the shared corpus.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure, not a user-facing crash

use std::hint::black_box;
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};

fn main() {
    let Some(dir) = std::env::var_os("CHECKDOWN_BENCH_CORPUS") else {
        eprintln!("set CHECKDOWN_BENCH_CORPUS (cargo xtask bench does)");
        std::process::exit(2);
    };
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {dir:?}: {e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    files.sort();
    let bytes: usize = files.iter().map(String::len).sum();
    let items: usize = files
        .iter()
        .map(|f| checkdown_core::parse_str("b", f).item_count())
        .sum();

    let opts = Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let raw = measure(|| {
        for f in &files {
            black_box(Parser::new_ext(f, opts).into_offset_iter().count());
        }
    });
    let ours = measure(|| {
        for f in &files {
            black_box(checkdown_core::parse_str("b", f));
        }
    });
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} files, {:.2} MB, {items} task items",
        files.len(),
        mb
    );
    println!(
        "raw pulldown-cmark events : {:>8.2} ms  ({:.1} MB/s)",
        ms(raw),
        mb / raw.as_secs_f64()
    );
    println!(
        "checkdown-core parse_str  : {:>8.2} ms  ({:.1} MB/s)",
        ms(ours),
        mb / ours.as_secs_f64()
    );
    println!(
        "ratio parse/raw           : {:>8.2}x",
        ours.as_secs_f64() / raw.as_secs_f64()
    );
}

/// Best of several rounds: the minimum is the least disturbed by other load.
fn measure(mut f: impl FnMut()) -> Duration {
    f();
    (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
