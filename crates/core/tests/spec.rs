//! Runs the examples of docs/format.md, the format's specification, against the parser.
//! `CHECKDOWN_BLESS=1` rewrites the expected outlines from the parser's output; review
//! the diff before committing it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::path::PathBuf;

const FENCE: &str = "````````````````````````````````";

struct Example {
    /// 1-based line of the opening fence in format.md.
    line: usize,
    input: String,
    expected: String,
    /// Byte range of the expected text in the document, for blessing.
    expected_range: std::ops::Range<usize>,
}

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/format.md")
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut lines = doc.split_inclusive('\n').enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let start_of_line = offset;
        offset += line.len();
        if line.trim_end() != format!("{FENCE} example") {
            let _ = start_of_line;
            continue;
        }
        let mut input = String::new();
        let mut expected = String::new();
        let mut in_expected = false;
        let mut expected_start = 0;
        for (_, l) in lines.by_ref() {
            let here = offset;
            offset += l.len();
            if l.trim_end_matches(['\n', '\r']) == FENCE {
                out.push(Example {
                    line: n + 1,
                    // `→` is a tab and `␍` a carriage return, which no editor shows.
                    input: input.replace('→', "\t").replace('␍', "\r"),
                    expected: expected.clone(),
                    expected_range: expected_start..here,
                });
                break;
            }
            if !in_expected && l.trim_end_matches('\n') == "." {
                in_expected = true;
                expected_start = offset;
                continue;
            }
            if in_expected {
                expected.push_str(l);
            } else {
                input.push_str(l);
            }
        }
    }
    out
}

#[test]
fn every_example_in_the_format_spec_holds() {
    let doc = std::fs::read_to_string(spec_path()).unwrap();
    let examples = examples(&doc);
    assert!(
        examples.len() >= 20,
        "found only {} examples",
        examples.len()
    );

    let bless = std::env::var_os("CHECKDOWN_BLESS").is_some();
    let mut failures = Vec::new();
    let mut blessed = doc.clone();
    for ex in examples.iter().rev() {
        let actual = checkdown_core::outline(&checkdown_core::parse_str("spec", &ex.input));
        if actual != ex.expected {
            if bless {
                blessed.replace_range(ex.expected_range.clone(), &actual);
            } else {
                failures.push(format!(
                    "docs/format.md:{}: example differs\n--- input\n{}--- expected\n{}--- actual\n{}",
                    ex.line, ex.input, ex.expected, actual
                ));
            }
        }
    }
    if bless {
        std::fs::write(spec_path(), blessed).unwrap();
        return;
    }
    failures.reverse();
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}
