//! The floor for whole-site builds: read every file, render it with plain
//! pulldown-cmark, write the HTML. Nothing a real generator does can be cheaper, so
//! `cargo xtask bench` reports builds as a fraction of this. Single-threaded, like the
//! raw renderer it stands for.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark, not user input handling

use std::time::Instant;

use pulldown_cmark::{Options, Parser, html};

// The allocator `checkdown` ships with, so the floor is not handicapped against it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let (Some(corpus), Some(out)) = (
        std::env::var_os("CHECKDOWN_BENCH_CORPUS"),
        std::env::var_os("CHECKDOWN_BENCH_OUT"),
    ) else {
        eprintln!("set CHECKDOWN_BENCH_CORPUS and CHECKDOWN_BENCH_OUT (cargo xtask bench does)");
        std::process::exit(2);
    };
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).unwrap();
    let mut paths: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let opts = Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES;
    let started = Instant::now();
    let mut html_out = String::new();
    for (i, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        html_out.clear();
        html::push_html(&mut html_out, Parser::new_ext(&text, opts));
        std::fs::write(out.join(format!("{i}.html")), &html_out).unwrap();
    }
    // One line for the caller to read: seconds and files.
    println!(
        "floor {:.3} {}",
        started.elapsed().as_secs_f64(),
        paths.len()
    );
}
