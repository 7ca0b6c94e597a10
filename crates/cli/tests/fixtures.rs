//! Broken checklists, one folder each under tests/fixtures/invalid: `checkdown check`
//! must report every one with its code and file:line:col (listed in the folder's
//! `expect` file), exit non-zero for errors, and never panic. The full reports are
//! insta snapshots, so a change in wording shows up in review.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::path::Path;
use std::process::Command;

#[test]
fn every_invalid_fixture_is_reported_with_its_position() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected the fixture folders, found {}",
        cases.len()
    );

    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expect = std::fs::read_to_string(case.join("expect")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .args(["check", "checklist.md"])
            .current_dir(&case)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        for needle in expect.lines().filter(|l| !l.is_empty()) {
            assert!(
                stderr.contains(needle),
                "{name}: expected {needle:?} in\n{stderr}"
            );
        }
        let is_error = expect.contains("error[");
        assert_eq!(
            out.status.code(),
            Some(if is_error { 1 } else { 0 }),
            "{name}: {stderr}"
        );

        let strict = Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .args(["check", "--deny-warnings", "checklist.md"])
            .current_dir(&case)
            .output()
            .unwrap();
        assert_eq!(
            strict.status.code(),
            Some(1),
            "{name}: --deny-warnings must fail"
        );

        insta::assert_snapshot!(name, stderr);
    }
}

#[test]
fn check_json_lists_diagnostics_for_machines() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/duplicate-explicit-id");
    let out = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["check", "--format", "json", "checklist.md"])
        .current_dir(&case)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"], 1);
    let d = &json["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "E005");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(1))
    );

    // Input that cannot be checked at all still answers in JSON, with exit 2.
    let out = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["check", "--format", "json", "no-such-file.md"])
        .current_dir(&case)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"], "no-such-file.md: no such file or folder");
}

#[test]
fn a_clean_folder_checks_ok() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "# A\n- [ ] one\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["check", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("checked 1 file(s): 0 error(s), 0 warning(s)")
    );
}

// A pre-commit hook's list with one bad path (a typo, a file deleted since) reported
// only that path, and the E004 in the next file was never seen.
#[test]
fn a_path_that_cannot_be_read_is_an_error_and_the_others_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.md"), "# Good\n- [ ] one\n").unwrap();
    std::fs::write(dir.path().join("bad.md"), "## No title\n- [ ] one\n").unwrap();
    #[cfg(unix)]
    assert!(
        Command::new("mkfifo")
            .arg(dir.path().join("pipe.md"))
            .status()
            .unwrap()
            .success()
    );
    let check = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .args(
                [
                    &["check", "good.md", "missing.md", "bad.md", "pipe.md"],
                    extra,
                ]
                .concat(),
            )
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = check(&[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for said in [
        "E004",
        "bad.md:1:1",
        "error: missing.md: no such file or folder",
        "error: pipe.md: not a regular file or folder",
        "checked 2 file(s): 3 error(s)",
    ] {
        assert!(stderr.contains(said), "{said:?} in {stderr}");
    }
    let out = check(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        json["unreadable"],
        serde_json::json!([
            {"file": "missing.md", "reason": "no such file or folder"},
            {"file": "pipe.md", "reason": "not a regular file or folder"},
        ])
    );
}

// One warning on a 100 KB line printed all 100 KB as its snippet (review R).
#[test]
fn a_diagnostic_on_a_very_long_line_is_reported_without_the_whole_line() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("- [ ] {} {{#bad id!}}\n", "x".repeat(100_000));
    std::fs::write(
        dir.path().join("long.md"),
        format!("# T\n\n{line}- [ ] short {{#also bad!}}\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["check", "long.md"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.len() < 2_000, "{} bytes", stderr.len());
    assert!(
        stderr.contains("long.md:3:100008: warning[W006]: `{#bad id!}` is not an attribute"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: did you mean `{#bad-id}`?"),
        "{stderr}"
    );
    // A line of ordinary length keeps its snippet.
    assert!(stderr.contains("4 │ - [ ] short {#also bad!}"), "{stderr}");
}

#[test]
fn schema_checklist_describes_the_model() {
    let out = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["schema", "checklist"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Checklist");
    let required = schema["required"].as_array().unwrap();
    for field in ["id", "title", "source_sha256", "meta", "fields", "sections"] {
        assert!(
            required.iter().any(|r| r == field),
            "{field} missing from {required:?}"
        );
    }
    assert!(schema["$defs"]["Item"]["properties"]["kind"].is_object());
}
