//! Parse-and-model cost of checkdown-core against the floor: plain pulldown-cmark
//! rendering the same files to HTML, measured in the same run so the ratio holds on a
//! noisy machine. Run through `cargo xtask bench`, which generates the shared corpus.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark, not user input handling

use std::hint::black_box;
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser, html};

// The allocator the `checkdown` binary ships with, so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(dir) = std::env::var_os("CHECKDOWN_BENCH_CORPUS") else {
        eprintln!("set CHECKDOWN_BENCH_CORPUS (cargo xtask bench does)");
        std::process::exit(2);
    };
    let rounds: usize = std::env::var("CHECKDOWN_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {dir:?}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let bytes: usize = files.iter().map(Vec::len).sum();
    let items: usize = files
        .iter()
        .map(|f| {
            checkdown_core::parse("b", f)
                .checklist
                .map_or(0, |c| c.item_count())
        })
        .sum();

    let opts = Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut out = String::new();
    let mut floor_run = || {
        for f in &files {
            out.clear();
            let text = std::str::from_utf8(f).unwrap();
            html::push_html(&mut out, Parser::new_ext(text, opts));
            black_box(&out);
        }
    };
    let ours_run = || {
        for f in &files {
            black_box(checkdown_core::parse("b", f));
        }
    };
    // Profiling one side alone (`perf record`) is clearer with the other left out.
    let only = std::env::var("CHECKDOWN_BENCH_ONLY").unwrap_or_default();
    let (mut floor, mut ours) = (Duration::MAX, Duration::MAX);
    // Rounds alternate, so a slow spell on this shared machine hits both sides
    // rather than skewing the ratio; the best of each is kept.
    for round in 0..=rounds {
        if only != "ours" {
            let t = timed(&mut floor_run);
            // The first round warms caches and the allocator: not counted.
            if round > 0 {
                floor = floor.min(t);
            }
        }
        if only != "floor" {
            let t = timed(ours_run);
            if round > 0 {
                ours = ours.min(t);
            }
        }
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} files, {mb:.1} MB, {items} task items; best of {rounds} rounds",
        files.len()
    );
    println!(
        "pulldown-cmark to HTML (floor) : {:>9.1} ms  {:>6.1} MB/s",
        ms(floor),
        mb / floor.as_secs_f64()
    );
    println!(
        "checkdown-core parse + model   : {:>9.1} ms  {:>6.1} MB/s",
        ms(ours),
        mb / ours.as_secs_f64()
    );
    println!(
        "ratio checkdown/floor          : {:>9.2}x  (goal: within 2x)",
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

fn timed(mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
