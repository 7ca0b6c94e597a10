//! `checkdown build` as a user runs it: real files in, a real folder out.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::path::Path;
use std::process::{Command, Output};

fn checkdown(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn write(path: &Path, text: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const DEPLOY: &str = "# Deploy\n\n**Owner**: Ops\n\n## Before\n- [ ] Backup taken\n- [x] Branch cut\n\n## After\n1. [ ] Smoke test\n";

#[test]
fn build_writes_an_index_a_page_and_json_per_checklist() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    write(&dir.path().join("src/ops/db.txt"), b"# DB\n- [ ] Migrate\n");
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let site = dir.path().join("site");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("href=\"deploy/\""));
    assert!(index.contains("3 items"));
    assert!(
        index.contains("href=\"ops-db/\""),
        "nested files get path-based ids"
    );

    let page = std::fs::read_to_string(site.join("deploy/index.html")).unwrap();
    assert_eq!(page.matches("type=\"checkbox\"").count(), 3);
    assert!(page.contains("<dt>Owner</dt><dd>Ops</dd>"));
    assert!(site.join("assets/style.css").is_file());

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("deploy/checklist.json")).unwrap())
            .unwrap();
    assert_eq!(json["title"], "Deploy");
    let first = &json["sections"][0]["items"][0];
    assert_eq!(first["id"], "before.backup-taken");
    assert_eq!(first["text"], "Backup taken");
    assert_eq!(first["checked"], false);
    assert_eq!(first["line"], 6);
    assert_eq!(json["sections"][0]["items"][1]["checked"], true);
    assert_eq!(first["kind"], "task");
    assert_eq!(first["required"], true);
    assert_eq!(json["source_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_bad_file_fails_with_its_location_and_leaves_the_old_site_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    let first = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(first.status.success());
    let before = std::fs::read(dir.path().join("site/deploy/index.html")).unwrap();

    write(
        &dir.path().join("src/broken.md"),
        b"# Broken\n- [ ] caf\xe9\n",
    );
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.md:2:10"), "{stderr}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("site/deploy/index.html")).unwrap(),
        before
    );
    assert!(!dir.path().join("site/broken").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left behind: {leftovers:?}"
    );
}

#[test]
fn build_refuses_to_replace_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    write(&dir.path().join("mine/notes.txt"), b"precious");
    let out = checkdown(&["build", "src", "-o", "mine", "--no-client"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to replace"));
    assert_eq!(
        std::fs::read(dir.path().join("mine/notes.txt")).unwrap(),
        b"precious"
    );
}

#[test]
fn rebuilding_replaces_the_site_and_drops_removed_checklists() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/a.md"), b"# A\n- [ ] one\n");
    write(&dir.path().join("src/b.md"), b"# B\n- [ ] two\n");
    assert!(
        checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path())
            .status
            .success()
    );
    std::fs::remove_file(dir.path().join("src/b.md")).unwrap();
    assert!(
        checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path())
            .status
            .success()
    );
    assert!(dir.path().join("site/a/index.html").is_file());
    assert!(!dir.path().join("site/b").exists());
}

#[test]
fn an_empty_source_folder_is_an_error_not_an_empty_site() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no checklists"));
    assert!(!dir.path().join("site").exists());
}

#[test]
fn parse_prints_the_model_as_json() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("deploy.md"), DEPLOY.as_bytes());
    let out = checkdown(&["parse", "deploy.md"], dir.path());
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["id"], "deploy");
    assert_eq!(json["meta"][0]["key"], "Owner");
}
