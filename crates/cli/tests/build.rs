//! `checkdown build` as a user runs it: real files in, a real folder out.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn checkdown(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// The files a `check --format json` run read.
fn checked_files(out: &Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect()
}

fn write(path: &Path, text: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Builds `src` into `site` without the client and returns checklist `id`'s page.
fn built_page(dir: &Path, id: &str) -> String {
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("site").join(id).join("index.html")).unwrap()
}

const DEPLOY: &str = "# Deploy\n\n**Owner**: Ops\n\n## Before\n- [ ] Backup taken\n- [x] Branch cut\n\n## After\n1. [ ] Smoke test\n";

#[test]
fn no_client_builds_pages_that_carry_no_client_and_say_ticks_are_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(dir.path().join("site/deploy/index.html")).unwrap();
    assert!(!page.contains("<script src="), "{page}");
    assert!(
        !page.contains("data-client-failed"),
        "no alarm for a client never meant"
    );
    assert!(page.contains("ticks on it are not saved"), "{page}");
    let assets: Vec<String> = std::fs::read_dir(dir.path().join("site/assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        assets
            .iter()
            .all(|a| !a.ends_with(".wasm") && !a.ends_with(".js")),
        "{assets:?}"
    );
}

#[test]
fn build_writes_an_index_and_a_page_that_embeds_its_model() {
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
    // Links name the file, so the site also works from disk and on hosts that do not
    // map a folder to its index.html (S3's REST endpoint).
    assert!(index.contains("href=\"deploy/index.html\""));
    assert!(index.contains("3 items"));
    assert!(
        index.contains("href=\"ops-db/index.html\""),
        "nested files get path-based ids"
    );

    let page = std::fs::read_to_string(site.join("deploy/index.html")).unwrap();
    assert_eq!(page.matches("type=\"checkbox\"").count(), 3);
    assert!(page.contains("<dt>Owner</dt><dd>Ops</dd>"));
    // An English page's own words need no marking: only <html> says a language.
    assert_eq!(page.matches(" lang=").count(), 1, "{page}");
    let style = page
        .split("rel=\"stylesheet\" href=\"../")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        style.starts_with("assets/style.") && style.ends_with(".css"),
        "{style}"
    );
    assert!(site.join(style).is_file(), "the hashed stylesheet exists");
    assert!(site.join("404.html").is_file());

    // The page embeds its model for the client (and for `verify` on a built site).
    let embedded = page
        .split(r#"<script type="application/json" id="checkdown-model">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the page embeds its model");
    let json: serde_json::Value = serde_json::from_str(embedded).unwrap();
    // It is compact: defaults and source positions are left out.
    assert!(!embedded.contains("\"line\""), "{embedded}");
    assert!(
        !site.join("deploy/checklist.json").exists(),
        "the page is the checklist's one file"
    );
    assert_eq!(json["title"], "Deploy");
    let first = &json["sections"][0]["items"][0];
    assert_eq!(first["id"], "before.backup-taken");
    assert_eq!(first["text"], "Backup taken");
    assert_eq!(first.get("checked"), None, "unticked is the default");
    assert_eq!(json["sections"][0]["items"][1]["checked"], true);
    assert_eq!(first.get("kind"), None, "a task is the default");
    assert_eq!(first.get("required"), None, "required is the default");
    assert_eq!(json["source_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn the_index_lists_checklists_in_file_manager_order() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["Zebra", "api", "10-rollback", "2-deploy"] {
        write(
            &dir.path().join(format!("src/{name}.md")),
            format!(
                "# {name}
- [ ] Step
"
            )
            .as_bytes(),
        );
    }
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(out.status.success());
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    let at = |id: &str| index.find(&format!("href=\"{id}/index.html\"")).unwrap();
    assert!(at("2-deploy") < at("10-rollback"), "numbers by their value");
    assert!(
        at("10-rollback") < at("api") && at("api") < at("zebra"),
        "{index}"
    );
}

#[test]
fn the_page_header_counts_required_tasks_and_sign_offs_apart() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("src/go.md"),
        b"# Go\n## Steps\n- [ ] One\n- [x] Two\n- [ ] Three (optional)\n- [ ] Four\n- [ ] Five (if used)\n\
          ## Sign-off\n- [ ] QA Lead: ____ Date: ____\n- [x] Ops Lead: ____\n",
    );
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(dir.path().join("site/go/index.html")).unwrap();
    // Without the client, the header still reads right: two required tasks are open
    // (the optional one and the ticked one are not), and the sign-offs count apart.
    assert!(
        page.contains("<span data-required-open>2</span> required open"),
        "{page}"
    );
    assert!(
        page.contains("<span data-signoffs-given>1</span> of 2 sign-offs given"),
        "{page}"
    );
    // Items that may be skipped say so, once.
    assert!(
        page.contains(r#">Five (if used) <span class="badge-optional">optional</span></label>"#)
    );
    assert!(page.contains(">Three (optional)</label>"), "{page}");
}

#[test]
fn two_files_with_one_id_fail_check_and_build_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("src/a.md"),
        b"---\nid: rel\n---\n# A\n- [ ] One\n",
    );
    write(
        &dir.path().join("src/b.md"),
        b"---\nid: rel\n---\n# B\n- [ ] Two\n",
    );
    let check = checkdown(&["check", "src"], dir.path());
    assert_eq!(check.status.code(), Some(1), "check agrees with build");
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains("2 checklists have the id `rel`: src/a.md, src/b.md"),
        "{err}"
    );
    assert!(err.contains("1 error(s)"), "{err}");

    let json = checkdown(&["check", "src", "--format", "json"], dir.path());
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["clashes"][0]["id"], "rel");
    assert_eq!(doc["clashes"][0]["files"][1], "src/b.md");

    let build = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert_eq!(
        build.status.code(),
        Some(1),
        "a checklist error, as in check"
    );
    let err = String::from_utf8_lossy(&build.stderr);
    assert!(err.contains("src/a.md, src/b.md"), "{err}");
    assert!(err.contains("1 error(s)"), "{err}");
    assert!(!dir.path().join("site").exists(), "nothing half-written");
}

// A pre-commit hook or lint-staged names the changed files one by one: `check` must
// name them as `build` does, count each once, and pass over what `build` leaves out.
#[test]
fn files_named_one_by_one_are_checked_as_build_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("checklists/a/deploy.md"),
        b"# A\n- [ ] One\n",
    );
    write(
        &dir.path().join("checklists/b/deploy.md"),
        b"# B\n- [ ] Two\n",
    );
    write(
        &dir.path().join("checklists/drafts/wip.md"),
        b"# W\n- [ ]\n",
    );
    write(
        &dir.path().join("checkdown.toml"),
        b"[build]\nsource = \"checklists\"\nexclude = [\"drafts/**\"]\n",
    );
    let out = checkdown(
        &["check", "checklists/a/deploy.md", "checklists/b/deploy.md"],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "a-deploy and b-deploy: {err}");
    let out = checkdown(
        &[
            "check",
            "checklists",
            "./checklists/a/deploy.md",
            "checklists/b/../a/deploy.md",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("checked 2 file(s)"), "each file once: {err}");
    let out = checkdown(
        &["check", "--deny-warnings", "checklists/drafts/wip.md"],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("checklists/drafts/wip.md is left out by build.exclude"),
        "{err}"
    );
    // `build <project>` out of mdBook habit says whose settings it does not read.
    let parent = dir.path().parent().unwrap();
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let out = checkdown(
        &["build", name, "--no-client", "-o", &format!("{name}-site")],
        parent,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("note: {name}/checkdown.toml is not read")),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(parent.join(format!("{name}-site")));
    // Named nothing, check reads what build reads.
    let out = checkdown(&["check"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("checked 2 file(s)"), "{err}");
}

// A build killed outright (SIGKILL, a CI timeout) runs no handler; the next one
// removes what it left, but not what a build still running is using.
#[test]
fn a_build_removes_what_killed_builds_left_and_nothing_a_running_one_uses() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("checklists/deploy.md"), DEPLOY.as_bytes());
    // Above any process ID Linux hands out (2^22).
    let dead = [".checkdown-build-4194399-0", ".dist.old-4194399"];
    let alive = format!(".checkdown-build-{}-0", std::process::id());
    for name in dead.iter().copied().chain([alive.as_str()]) {
        write(&dir.path().join(name).join("index.html"), b"<p>a site</p>");
    }
    let out = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in dead {
        assert!(!dir.path().join(name).exists(), "{name} is left");
    }
    assert!(
        dir.path().join(&alive).exists(),
        "a running build's folder is kept"
    );
}

#[test]
fn same_titled_checklists_are_told_apart_by_version_and_first_paragraph() {
    let dir = tempfile::tempdir().unwrap();
    let long = "word ".repeat(60);
    write(
        &dir.path().join("src/a.md"),
        b"# Deploy\n\nBefore deploying the **billing** service & its <jobs>.\n\nSecond paragraph.\n\n## S\n- [ ] x\n",
    );
    write(
        &dir.path().join("src/b.md"),
        b"# Deploy\n\n**Version**: 1.0.0\n\n## S\n- [ ] x\n",
    );
    write(
        &dir.path().join("src/c.md"),
        format!("# Deploy\n\n{long}\n\n## S\n- [ ] x\n").as_bytes(),
    );
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    // The first paragraph as text, escaped once, and only the first.
    assert!(
        index.contains("Before deploying the billing service &amp; its &lt;jobs&gt;."),
        "{index}"
    );
    assert!(!index.contains("Second paragraph"));
    assert!(index.contains("version 1.0.0"), "{index}");
    // A long paragraph is cut at a word, under 200 characters.
    let cut = index
        .split("class=\"index-description\">word")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap();
    assert!(cut.ends_with("word…") && cut.chars().count() < 200, "{cut}");

    let page = std::fs::read_to_string(dir.path().join("site/a/index.html")).unwrap();
    assert!(page.contains(
        r#"<meta name="description" content="Before deploying the billing service &amp; its &lt;jobs&gt;.">"#
    ));
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

// Review R made the site read-only (`chmod 555 dist`, as another user): the new site
// was in place, yet the build failed, and what was left of the old one stayed for
// good. `chattr +i` stands in for the permission, which root (as CI runs) ignores.
#[cfg(target_os = "linux")]
#[test]
fn a_previous_site_that_cannot_be_removed_is_reported_and_the_build_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    let build = || checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(build().status.success());
    let stuck = dir.path().join("site/index.html");
    let chattr = |flag: &str, file: &Path| {
        Command::new("chattr")
            .args([flag, &file.to_string_lossy()])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !chattr("+i", &stuck) {
        eprintln!("skipped: chattr +i is not available here");
        return;
    }
    write(
        &dir.path().join("src/deploy.md"),
        format!("{DEPLOY}- [ ] Added\n").as_bytes(),
    );
    let out = build();
    // Whatever happens, the file must be freed for the temp folder to go.
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".site.old-"))
        })
        .collect();
    for old in &left {
        chattr("-i", &old.join("index.html"));
    }
    chattr("-i", &stuck);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "warning: the new site is in site, but the previous one could not all be removed from"
        ),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("site/deploy/index.html"))
            .unwrap()
            .contains("Added")
    );
    assert_eq!(left.len(), 1, "{left:?}");
    // The next build sweeps it, now that it can.
    assert!(build().status.success());
    assert!(!left[0].exists());
}

// A Docker volume as the output folder failed every build with "Device or resource
// busy" and no word of why (review R). A tmpfs mount stands in for the volume.
#[cfg(target_os = "linux")]
#[test]
fn an_output_folder_that_is_a_mount_point_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "tmpfs", &out.to_string_lossy()])
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    let built = checkdown(&["build", "src", "-o", "out", "--no-client"], dir.path());
    let inside = checkdown(
        &["build", "src", "-o", "out/site", "--no-client"],
        dir.path(),
    );
    let unmounted = Command::new("umount").arg(&out).status();
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("out is a mount point (a Docker volume?), which a build cannot replace")
            && stderr.contains("-o out/site"),
        "{stderr}"
    );
    // What it suggests works.
    assert!(
        inside.status.success(),
        "{}",
        String::from_utf8_lossy(&inside.stderr)
    );
    assert!(unmounted.is_ok_and(|s| s.success()));
}

#[test]
fn files_added_to_a_built_site_stop_a_rebuild_that_would_delete_them() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    let build = || checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(build().status.success());
    let page = std::fs::read(dir.path().join("site/deploy/index.html")).unwrap();
    write(&dir.path().join("site/CNAME"), b"docs.example.com\n");
    write(&dir.path().join("site/img/logo.png"), b"png");
    // A publishing checkout's history, and a link to nothing, which listing through
    // links would have failed on and so found no file to keep.
    write(
        &dir.path().join("site/.git/HEAD"),
        b"ref: refs/heads/gh-pages\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink("nowhere", dir.path().join("site/broken")).unwrap();
    write(
        &dir.path().join("src/deploy.md"),
        format!("{DEPLOY}- [ ] Added\n").as_bytes(),
    );
    let out = build();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("files in site that checkdown did not make would be deleted by replacing it, so nothing was written")
            && stderr.contains(".git/HEAD, CNAME, broken, img/logo.png")
            && stderr.contains("`static` folder")
            && stderr.contains("rsync"),
        "{stderr}"
    );
    // Nothing of theirs is gone, and the old site is as it was.
    for kept in ["CNAME", "img/logo.png", ".git/HEAD"] {
        assert!(dir.path().join("site").join(kept).is_file(), "{kept}");
    }
    assert_eq!(
        std::fs::read(dir.path().join("site/deploy/index.html")).unwrap(),
        page
    );
    // Moved out of the way, the build goes ahead; files of its own that a rebuild
    // drops (a removed checklist) are not the author's, and stop nothing.
    for gone in ["CNAME", "img", ".git", "broken"] {
        let path = dir.path().join("site").join(gone);
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
    assert!(build().status.success());
    write(
        &dir.path().join("src/other.md"),
        DEPLOY.replace("# ", "# Other ").as_bytes(),
    );
    assert!(build().status.success());
    std::fs::remove_file(dir.path().join("src/other.md")).unwrap();
    let again = build();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn a_static_folder_is_copied_into_every_build_but_never_over_a_page() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("checklists/deploy.md"), DEPLOY.as_bytes());
    write(&dir.path().join("static/CNAME"), b"docs.example.com\n");
    // Without a checkdown.toml, a `static` folder is no project's: left alone.
    assert!(
        checkdown(&["build", "--no-client"], dir.path())
            .status
            .success()
    );
    assert!(!dir.path().join("dist/CNAME").exists());
    write(&dir.path().join("checkdown.toml"), b"[build]\n");
    write(&dir.path().join("static/.nojekyll"), b"");
    write(&dir.path().join("static/img/logo.svg"), b"<svg/>");
    let out = checkdown(&["build", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["CNAME", ".nojekyll", "img/logo.svg", "deploy/index.html"] {
        assert!(dir.path().join("dist").join(file).is_file(), "{file}");
    }
    // Built again, the copies are the site's own: no warning about them.
    let again = checkdown(&["build", "--no-client"], dir.path());
    assert!(!String::from_utf8_lossy(&again.stderr).contains("did not make"));

    // With the source folder at the top, the static folder's text files are still
    // files to copy, not checklists.
    write(&dir.path().join("static/robots.txt"), b"User-agent: *\n");
    let top = checkdown(&["build", ".", "-o", "dist", "--no-client"], dir.path());
    assert!(
        top.status.success(),
        "{}",
        String::from_utf8_lossy(&top.stderr)
    );
    assert!(dir.path().join("dist/robots.txt").is_file());
    assert!(!dir.path().join("dist/static-robots").exists());

    // A static file where the build writes a page is refused, and the site is kept.
    write(&dir.path().join("static/index.html"), b"mine");
    let clash = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(clash.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&clash.stderr);
    assert!(
        stderr.contains("static/index.html would replace the file checkdown makes at index.html")
            && stderr.contains("a theme's 404.html or index.html"),
        "{stderr}"
    );
    assert!(
        dir.path().join("dist/CNAME").is_file(),
        "the old site stays"
    );

    // Nor may the site be built into the static folder, to be copied into itself.
    std::fs::remove_file(dir.path().join("static/index.html")).unwrap();
    let nested = checkdown(&["build", "--no-client", "-o", "static/site"], dir.path());
    assert_eq!(nested.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nested.stderr).contains("is inside the static folder"));
    assert!(!dir.path().join("static/site").exists());
}

// Teams keep images beside their docs and link them into `static`; a static host
// serves what a link points at, and so must the build.
#[cfg(unix)]
#[test]
fn links_in_the_static_folder_are_copied_through_and_a_loop_or_dangling_link_is_an_error() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("checklists/deploy.md"), DEPLOY.as_bytes());
    write(&dir.path().join("checkdown.toml"), b"[build]\n");
    write(&dir.path().join("assets/img/logo.svg"), b"<svg/>");
    write(&dir.path().join("assets/favicon.ico"), b"ico");
    std::fs::create_dir_all(dir.path().join("static")).unwrap();
    symlink("../assets/img", dir.path().join("static/img")).unwrap();
    symlink(
        "../assets/favicon.ico",
        dir.path().join("static/favicon.ico"),
    )
    .unwrap();
    let out = checkdown(&["build", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(dir.path().join("dist/img/logo.svg")).unwrap(),
        b"<svg/>"
    );
    assert_eq!(
        std::fs::read(dir.path().join("dist/favicon.ico")).unwrap(),
        b"ico"
    );

    // A device behind a link never ends; it is left out, and the build says so.
    symlink("/dev/null", dir.path().join("static/null")).unwrap();
    let device = checkdown(&["build", "--no-client"], dir.path());
    assert!(device.status.success());
    let stderr = String::from_utf8_lossy(&device.stderr);
    assert!(
        stderr.contains(
            "static/null is not a regular file (a pipe, socket or device) and is not copied"
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("dist/null").exists());
    std::fs::remove_file(dir.path().join("static/null")).unwrap();

    // A link back up would copy forever, even by way of another link.
    symlink("../../static", dir.path().join("assets/img/up")).unwrap();
    let looped = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(looped.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&looped.stderr);
    assert!(
        stderr.contains("static/img/up links back to a folder it is inside"),
        "the link itself is named: {stderr}"
    );
    std::fs::remove_file(dir.path().join("assets/img/up")).unwrap();
    // And one to a folder above them all.
    symlink("..", dir.path().join("static/up")).unwrap();
    let above = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(above.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&above.stderr);
    assert!(
        stderr.contains("static/up links back to a folder it is inside"),
        "{stderr}"
    );
    std::fs::remove_file(dir.path().join("static/up")).unwrap();
    assert!(
        dir.path().join("dist/img/logo.svg").is_file(),
        "the old site stays"
    );

    // A link to the site being replaced would nest it in the next, deeper each time.
    symlink("../dist", dir.path().join("static/old")).unwrap();
    let nested = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(nested.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&nested.stderr);
    assert!(stderr.contains("static/old links into"), "{stderr}");
    std::fs::remove_file(dir.path().join("static/old")).unwrap();

    // A link to nothing would leave a hole in the site; the build says where.
    symlink("../assets/gone.css", dir.path().join("static/site.css")).unwrap();
    let dangling = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(dangling.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&dangling.stderr);
    assert!(
        stderr.contains("static/site.css is a link to nothing"),
        "{stderr}"
    );

    // Nor may the folder itself go missing behind a link or a file: its CNAME would
    // leave the site without a word, and with it the custom domain.
    std::fs::remove_file(dir.path().join("static/site.css")).unwrap();
    std::fs::rename(dir.path().join("static"), dir.path().join("static.real")).unwrap();
    symlink("nowhere", dir.path().join("static")).unwrap();
    let gone = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(gone.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&gone.stderr);
    assert!(
        stderr.contains("the static folder static is a link to nothing"),
        "{stderr}"
    );
    std::fs::remove_file(dir.path().join("static")).unwrap();
    std::fs::write(dir.path().join("static"), "oops").unwrap();
    let file = checkdown(&["build", "--no-client"], dir.path());
    assert_eq!(file.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&file.stderr);
    assert!(
        stderr.contains("the static folder static is not a folder"),
        "{stderr}"
    );
    assert!(
        dir.path().join("dist/favicon.ico").is_file(),
        "the old site stays"
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

/// A rebuild links the pages that came out the same from the old site (so they keep
/// their modification times, and deleting the old site has nothing to free) and
/// writes only what changed.
#[cfg(unix)]
#[test]
fn a_rebuild_keeps_unchanged_pages_and_rewrites_changed_ones() {
    use std::os::unix::fs::MetadataExt as _;
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/a.md"), b"# A\n- [ ] one\n");
    write(&dir.path().join("src/b.md"), b"# B\n- [ ] two\n");
    let build = || {
        let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    build();
    let inode = |p: &str| {
        std::fs::metadata(dir.path().join("site").join(p))
            .unwrap()
            .ino()
    };
    let (a, b) = (inode("a/index.html"), inode("b/index.html"));
    write(
        &dir.path().join("src/b.md"),
        b"# B\n- [ ] two\n- [ ] three\n",
    );
    build();
    assert_eq!(
        inode("a/index.html"),
        a,
        "an unchanged page is the same file"
    );
    assert_ne!(inode("b/index.html"), b, "a changed page is written anew");
    let page = std::fs::read_to_string(dir.path().join("site/b/index.html")).unwrap();
    assert!(page.contains("three"));
    // Nothing of the old site is left beside the new one.
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "src" && n != "site")
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
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
fn build_and_check_outside_a_site_say_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["build", "--no-client"][..], &["check"]] {
        let out = checkdown(args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("folder checklists not found. Run `checkdown init`"),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join("dist").exists());
    // With a checkdown.toml the site exists: init would refuse; say what to name.
    write(
        &dir.path().join("checkdown.toml"),
        b"[build]\nsource = \"docs\"\n",
    );
    let out = checkdown(&["check"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("folder docs not found. Name the folder"),
        "{err}"
    );
    assert!(!err.contains("init"), "{err}");
}

#[test]
fn an_empty_site_title_falls_back_so_the_index_keeps_a_title() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("checklists/deploy.md"), DEPLOY.as_bytes());
    write(
        &dir.path().join("checkdown.toml"),
        b"[site]\ntitle = \"  \"\n",
    );
    let out = checkdown(&["build", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(dir.path().join("dist/index.html")).unwrap();
    assert!(index.contains("<title>Checklists</title>"), "{index}");
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

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20 {
        write(&dir.path().join(format!("src/c{i}.md")), DEPLOY.as_bytes());
    }
    assert!(
        checkdown(&["build", "src", "-o", "a", "--no-client"], dir.path())
            .status
            .success()
    );
    assert!(
        checkdown(&["build", "src", "-o", "b", "--no-client"], dir.path())
            .status
            .success()
    );
    let (a, b) = (tree(&dir.path().join("a")), tree(&dir.path().join("b")));
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two builds");
    }
}

#[test]
fn config_sets_title_paths_canonical_links_and_sitemap() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("docs/deploy.md"), DEPLOY.as_bytes());
    write(&dir.path().join("docs/été.md"), b"# Summer\n- [ ] Check\n");
    write(
        &dir.path().join("checkdown.toml"),
        b"[site]\ntitle = \"Ops runbooks\"\nbase_url = \"https://acme.example/runbooks\"\n\n[build]\nsource = \"docs\"\noutput = \"public\"\n",
    );
    let out = checkdown(&["build", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = dir.path().join("public");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("<h1>Ops runbooks</h1>"));
    assert!(index.contains(r#"<link rel="canonical" href="https://acme.example/runbooks/">"#));
    let page = std::fs::read_to_string(site.join("deploy/index.html")).unwrap();
    assert!(
        page.contains(r#"<link rel="canonical" href="https://acme.example/runbooks/deploy/">"#)
    );
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://acme.example/runbooks/deploy/</loc>"));
    // A sitemap lists URLs, in which letters beyond ASCII are percent-encoded.
    assert!(
        sitemap.contains("<loc>https://acme.example/runbooks/%C3%A9t%C3%A9/</loc>"),
        "{sitemap}"
    );
    let not_found = std::fs::read_to_string(site.join("404.html")).unwrap();
    assert!(
        not_found.contains(r#"href="/runbooks/assets/style."#),
        "404 assets use the base path"
    );
    // So do the pages' own, and the index's links: a host that serves /runbooks/deploy
    // as the page without redirecting to /runbooks/deploy/ must not send them off-site.
    assert!(
        page.contains(r#"href="/runbooks/assets/style."#)
            && page.contains(r#"href="/runbooks/index.html""#),
        "{page}"
    );
    assert!(
        index.contains(r#"href="/runbooks/deploy/index.html""#),
        "{index}"
    );
}

#[test]
fn init_scaffolds_a_site_that_builds_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = checkdown(&["init", "site"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The next step is run from the new folder.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Next: cd site && checkdown serve"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let site = dir.path().join("site");
    for file in ["checkdown.toml", "checklists/release.md", ".gitignore"] {
        assert!(site.join(file).is_file(), "{file}");
    }
    let check = checkdown(&["check", "checklists"], &site);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let build = checkdown(&["build", "--no-client"], &site);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(site.join("dist/release/index.html").is_file());

    let again = checkdown(&["init", "site"], dir.path());
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

// A file named `checklists` (or `theme`) stopped init after it had written
// checkdown.toml, which the next `init` then refused to touch: a half-made site.
#[test]
fn init_that_cannot_finish_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (clash, args) in [
        ("checklists", &["init"][..]),
        ("theme", &["init", "--theme"][..]),
    ] {
        write(&dir.path().join(clash), b"a file\n");
        let out = checkdown(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("is a file, where init would make a folder; nothing was written"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [clash], "{args:?}");
        std::fs::remove_file(dir.path().join(clash)).unwrap();
    }
    // Review S's cases: what init would write is a folder, a link to nothing, a pipe
    // (which it would wait on for ever).
    #[cfg(unix)]
    {
        type Make = fn(&Path);
        let clashes: [(&str, Make, &str); 4] = [
            (
                "checklists/release.md",
                |p| std::fs::create_dir_all(p).unwrap(),
                "is a folder, where init would make a file",
            ),
            (
                ".gitignore",
                |p| std::os::unix::fs::symlink("nowhere", p).unwrap(),
                "is a link to nothing, where init would make a file",
            ),
            (
                "checklists",
                |p| std::os::unix::fs::symlink("nowhere", p).unwrap(),
                "is a link to nothing, where init would make a folder",
            ),
            (
                ".gitignore",
                |p| assert!(Command::new("mkfifo").arg(p).status().unwrap().success()),
                "is neither file nor folder (a pipe or a device), where init would make a file",
            ),
        ];
        for (clash, make, said) in clashes {
            let path = dir.path().join(clash);
            make(&path);
            let out = checkdown(&["init"], dir.path());
            assert_eq!(out.status.code(), Some(2), "{clash}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(said),
                "{clash}: {out:?}"
            );
            assert!(!dir.path().join("checkdown.toml").exists(), "{clash}");
            let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
            let _ = std::fs::remove_dir(dir.path().join("checklists"));
        }
    }
    // With the way clear, it goes through.
    assert!(checkdown(&["init", "--theme"], dir.path()).status.success());
}

#[test]
fn init_joins_an_existing_repo_without_adding_an_example_to_its_checklists() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join(".gitignore"), b"target/\nnode_modules");
    write(
        &dir.path().join("checklists/deploy.md"),
        b"# Deploy\n- [ ] Ship\n",
    );
    let out = checkdown(&["init"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        "target/\nnode_modules\n/dist\n.checkdown-build-*\n",
        "the built site, and where a build is made, are added to the repo's own list"
    );
    assert!(!dir.path().join("checklists/release.md").exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no example added"));
    // Run again after removing the config: /dist is not listed twice.
    std::fs::remove_file(dir.path().join("checkdown.toml")).unwrap();
    assert!(checkdown(&["init"], dir.path()).status.success());
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert_eq!(ignore.matches("/dist").count(), 1, "{ignore}");
    assert_eq!(ignore.matches(".checkdown-build-").count(), 1, "{ignore}");
}

#[test]
fn a_theme_folder_overrides_templates_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let build_themed = || {
        checkdown(
            &[
                "build",
                "src",
                "-o",
                "site",
                "--theme",
                "theme",
                "--no-client",
            ],
            dir.path(),
        )
    };
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    write(
        &dir.path().join("theme/index.html"),
        br#"{% extends "base.html" %}{% block main %}<h1>Our runbooks</h1>{% for c in checklists %}<a href="{{ c.id }}/">{{ c.title }}</a>{% endfor %}{% endblock %}"#,
    );
    let out = build_themed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(index.contains("<h1>Our runbooks</h1>"), "{index}");
    assert!(index.contains(r#"<a href="deploy/">Deploy</a>"#));
    let page = std::fs::read_to_string(dir.path().join("site/deploy/index.html")).unwrap();
    assert!(
        page.contains("type=\"checkbox\""),
        "other templates stay built in"
    );

    // The page body has its own template; a theme's version gets the whole model.
    write(
        &dir.path().join("theme/content.html"),
        br#"{% for s in checklist.sections %}<h2 class="mine">{{ s.title }}: {{ s.items|length }}</h2>{% endfor %}"#,
    );
    let out = build_themed();
    assert!(out.status.success());
    let page = std::fs::read_to_string(dir.path().join("site/deploy/index.html")).unwrap();
    assert!(page.contains(r#"<h2 class="mine">"#), "{page}");
    assert!(
        !page.contains("type=\"checkbox\""),
        "the theme's body replaced the built-in one"
    );

    // A page without the model would never save a tick, and say nothing.
    write(
        &dir.path().join("theme/checklist.html"),
        br#"{% extends "base.html" %}{% block main %}<h1>{{ checklist.title }}</h1>{{ content }}{% endblock %}"#,
    );
    let modelless = build_themed();
    assert_eq!(modelless.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&modelless.stderr);
    assert!(
        stderr.contains("has no checklist model")
            && stderr.contains(r#"id="checkdown-model">{{ model }}</script>"#),
        "{stderr}"
    );
    assert!(
        page.contains(r#"<h2 class="mine">"#),
        "the site built before stays"
    );

    write(&dir.path().join("theme/checklist.html"), b"{% if %}");
    let broken = build_themed();
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    // Named as every other position is, file:line:col, with the line and a caret.
    assert!(
        stderr.contains(&format!(
            "{}:1:7: syntax error: unexpected end of block",
            Path::new("theme").join("checklist.html").display()
        )) && stderr.contains("1 | {% if %}\n    |       ^^"),
        "a broken theme template is named: {stderr}"
    );

    // A folder (or a link to nothing) named like a template is no template: said,
    // rather than the built-in one used without a word.
    std::fs::remove_file(dir.path().join("theme/checklist.html")).unwrap();
    std::fs::create_dir(dir.path().join("theme/checklist.html")).unwrap();
    let folder = build_themed();
    assert_eq!(folder.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&folder.stderr).contains(&format!(
            "{} is not a file, so it cannot replace the built-in checklist.html",
            Path::new("theme").join("checklist.html").display()
        )),
        "{}",
        String::from_utf8_lossy(&folder.stderr)
    );
    std::fs::remove_dir(dir.path().join("theme/checklist.html")).unwrap();

    // An undefined value in a template the page extends: the theme's file, its line,
    // and the line itself, which names the value.
    write(
        &dir.path().join("theme/base.html"),
        b"<!doctype html>\n<html lang=\"en\">\n<head><title>{{ site.title }}</title></head>\n<body>\n<h1>{{ site.titel }}</h1>\n{% block main %}{% endblock %}\n</body></html>\n",
    );
    let undefined = build_themed();
    assert_eq!(undefined.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&undefined.stderr);
    let file = Path::new("theme").join("base.html");
    assert!(
        stderr.contains(&format!(
            "{}:5:8: undefined value: `site.titel`",
            file.display()
        )) && stderr.contains("5 | <h1>{{ site.titel }}</h1>\n    |        ^^^^^^^^^^")
            && stderr.contains("`checkdown init --theme` writes them out"),
        "{stderr}"
    );
}

// mdBook's `init --theme`: a theme starts from this version's own templates, which
// build the very same site; a theme's own pieces can be included, so a banner does
// not mean forking base.html.
#[test]
fn init_theme_writes_templates_that_build_the_same_site_and_pieces_can_be_included() {
    let dir = tempfile::tempdir().unwrap();
    let out = checkdown(&["init", "--theme"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(dir.path().join("checkdown.toml")).unwrap();
    assert!(config.contains("\ntheme = \"theme\""), "{config}");
    let built = |dir: &Path| {
        let o = checkdown(&["build", "--no-client"], dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!String::from_utf8_lossy(&o.stderr).contains("not used"));
        std::fs::read(dir.join("dist/release/index.html")).unwrap()
    };
    let plain = tempfile::tempdir().unwrap();
    assert!(checkdown(&["init"], plain.path()).status.success());
    assert!(
        built(dir.path()) == built(plain.path()),
        "the written templates are the built-in ones"
    );

    // In an existing site: written beside its config, which is left alone.
    std::fs::remove_dir_all(dir.path().join("theme")).unwrap();
    let again = checkdown(&["init", "--theme"], dir.path());
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("checkdown.toml")).unwrap(),
        config
    );
    let twice = checkdown(&["init", "--theme"], dir.path());
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));

    // A piece of the theme's own, included; one nothing names is said to be unused.
    let base = dir.path().join("theme/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    write(
        &base,
        text.replace("<body>", "<body>\n{% include \"banner.html\" %}")
            .as_bytes(),
    );
    write(
        &dir.path().join("theme/banner.html"),
        b"<p class=\"banner\">ACME internal</p>",
    );
    write(&dir.path().join("theme/footr.html"), b"<p>typo</p>");
    let o = checkdown(&["build", "--no-client", "-o", "banner"], dir.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let page = std::fs::read_to_string(dir.path().join("banner/release/index.html")).unwrap();
    assert!(
        page.contains("<p class=\"banner\">ACME internal</p>"),
        "{page}"
    );
    assert!(
        stderr.contains("footr.html") && !stderr.contains("banner.html"),
        "{stderr}"
    );
    // An error in the piece is reported where it is, not at the include.
    write(
        &dir.path().join("theme/banner.html"),
        b"<p>\n  {{ site.titel }}\n</p>\n",
    );
    let o = checkdown(&["build", "--no-client", "-o", "broken"], dir.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    let piece = Path::new("theme").join("banner.html");
    assert!(
        stderr.contains(&format!(
            "{}:2:6: undefined value: `site.titel`",
            piece.display()
        )),
        "{stderr}"
    );
}

#[test]
fn readme_files_hidden_folders_and_node_modules_are_not_checklists() {
    let dir = tempfile::tempdir().unwrap();
    let files: [(&str, &[u8]); 5] = [
        ("src/deploy.md", DEPLOY.as_bytes()),
        ("src/README.md", b"# About these checklists\n"),
        (
            "src/node_modules/pkg/readme.md",
            b"# A package\n- [ ] Not ours\n",
        ),
        ("src/node_modules/pkg/notes.txt", b"not a checklist"),
        ("src/.drafts/wip.md", b"# WIP\n- [ ] x\n"),
    ];
    for (path, text) in files {
        write(&dir.path().join(path), text);
    }
    let out = checkdown(&["check", "src", "--format", "json"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let files = checked_files(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("deploy.md"), "{files:?}");
}

#[cfg(unix)]
#[test]
fn linked_folders_are_searched_and_broken_or_looping_links_are_skipped_with_a_warning() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    write(
        &dir.path().join("shared/rollback.md"),
        b"# Rollback\n- [ ] Restore the backup\n",
    );
    symlink(dir.path().join("shared"), dir.path().join("src/shared")).unwrap();
    symlink(dir.path().join("gone.md"), dir.path().join("src/old.md")).unwrap();
    symlink(dir.path().join("src"), dir.path().join("src/shared/back")).unwrap();
    // A folder's README is no checklist, linked or not: nothing to warn of.
    symlink(dir.path().join("gone.md"), dir.path().join("src/README.md")).unwrap();

    let out = checkdown(&["check", "src", "--format", "json"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let mut files = checked_files(&out);
    files.sort_unstable();
    assert_eq!(files, ["src/deploy.md", "src/shared/rollback.md"]);
    assert!(
        stderr.contains("skipping src/old.md: it is a link whose target cannot be read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipping src/shared/back: it links to a folder already searched"),
        "{stderr}"
    );
    // Counted as warnings, so a pipeline learns a checklist was left out.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["warnings"], 2, "{report:#}");
    assert_eq!(
        report["skipped"].as_array().map(Vec::len),
        Some(2),
        "{report:#}"
    );
    assert_eq!(
        report["skipped"][0]["file"]
            .as_str()
            .map(|f| f.ends_with("old.md")),
        Some(true),
        "{report:#}"
    );
    let strict = checkdown(&["check", "src", "--deny-warnings"], dir.path());
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("0 error(s), 2 warning(s)"), "{stderr}");

    let built = checkdown(&["build", "src", "-o", "site"], dir.path());
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(dir.path().join("site/shared-rollback/index.html").exists());
}

#[test]
fn license_files_and_what_build_exclude_names_are_not_checklists_for_check_or_build() {
    let dir = tempfile::tempdir().unwrap();
    let files: [(&str, &[u8]); 5] = [
        ("checklists/deploy.md", DEPLOY.as_bytes()),
        (
            "checklists/LICENSE.txt",
            b"MIT License\n\nPermission is hereby granted",
        ),
        ("checklists/notes.txt", b"ideas for next quarter"),
        ("checklists/drafts/wip.md", b"- [ ] half a thought\n"),
        (
            "checkdown.toml",
            b"[build]\nexclude = [\"notes.txt\", \"drafts/**\"]\n",
        ),
    ];
    for (path, text) in files {
        write(&dir.path().join(path), text);
    }
    // A folder whose every file is excluded says why nothing is left to check.
    let out = checkdown(&["check", "checklists/drafts"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("after build.exclude in checkdown.toml"),
        "{err}"
    );
    // From the project root, naming the folder either way, check sees what build sees.
    for folder in ["checklists", "."] {
        let out = checkdown(&["check", folder, "--format", "json"], dir.path());
        let files = checked_files(&out);
        assert!(out.status.success(), "{folder}: {files:?}");
        assert_eq!(files.len(), 1, "{folder}: {files:?}");
        assert!(files[0].ends_with("deploy.md"), "{files:?}");
    }
    let built = checkdown(&["build", "--no-client"], dir.path());
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(dir.path().join("dist/deploy/index.html").exists());
    assert!(!dir.path().join("dist/drafts-wip").exists());

    write(
        &dir.path().join("checkdown.toml"),
        b"[build]\nexclude = [\"drafts/[\"]\n",
    );
    let bad = checkdown(&["build", "--no-client"], dir.path());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        stderr.contains("\"drafts/[\" is not a glob pattern"),
        "{stderr}"
    );
}

#[test]
fn a_stray_text_file_is_told_how_to_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("checklists/deploy.md"), DEPLOY.as_bytes());
    write(
        &dir.path().join("checklists/notes.txt"),
        b"ideas for next quarter\n",
    );
    let out = checkdown(&["check", "checklists"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("checklists/notes.txt:1:1"), "{stderr}");
    assert!(
        stderr.contains("list it under `exclude` in the `[build]` table of checkdown.toml"),
        "{stderr}"
    );
    // A real checklist that lacks only its title is not told to leave.
    assert_eq!(stderr.matches("under `exclude`").count(), 1, "{stderr}");
}

#[test]
fn a_source_folder_inside_the_output_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("site/src/deploy.md"), DEPLOY.as_bytes());
    write(&dir.path().join("site/.checkdown-site"), b"");
    let out = checkdown(
        &["build", "site/src", "-o", "site", "--no-client"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the source folder site/src is inside the output folder site"),
        "{stderr}"
    );
    assert!(dir.path().join("site/src/deploy.md").is_file());
}

#[cfg(unix)]
#[test]
fn a_pipe_named_like_a_checklist_is_skipped_not_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    let made = Command::new("mkfifo")
        .arg(dir.path().join("src/pipe.md"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = checkdown(&["check", "src", "--format", "json"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(checked_files(&out), ["src/deploy.md"]);
    assert!(
        stderr.contains("skipping src/pipe.md: it is not a regular file"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_no_hidden_copy_of_the_site_behind() {
    let dir = tempfile::tempdir().unwrap();
    for n in 0..3000 {
        write(
            &dir.path().join(format!("src/c{n}.md")),
            format!("# Checklist {n}\n\n## Steps\n- [ ] One\n- [ ] Two\n").as_bytes(),
        );
    }
    let leftovers = || -> Vec<String> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["build", "src", "-o", "site", "--no-client"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Interrupt once the build is writing its staging folder.
    let start = std::time::Instant::now();
    while leftovers().is_empty() && start.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "the build was interrupted midway");
    assert_eq!(leftovers(), Vec::<String>::new());
    assert!(!dir.path().join("site").exists());
}

#[test]
fn a_task_that_is_one_labelled_blank_shows_its_label_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("src/release.md"),
        b"# Release\n\n## Deployment Date\n- [ ] Scheduled Date: ________\n- [ ] Deployed by ____\n- [ ] Approved by:____\n- [ ] Signed by ____ (if needed)\n- [ ] Checked by ____ and ____\n",
    );
    let page = built_page(dir.path(), "release");
    assert!(
        page.contains(r#"<label for="cb-deployment-date.scheduled-date">Scheduled Date</label>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<label class="field-label visually-hidden" for="f-deployment-date.scheduled-date.scheduled-date">Scheduled Date</label>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<label for="cb-deployment-date.deployed-by">Deployed by</label>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<label for="cb-deployment-date.approved-by">Approved by</label>"#),
        "{page}"
    );
    // A remark after the blank stays with the label; it is not shown a second time.
    assert!(
        page.contains(r#"<label for="cb-deployment-date.signed-by">Signed by (if needed) <span class="badge-optional">optional</span></label>"#),
        "{page}"
    );
    // Blanks inside a sentence stay where they are, their inputs labelled.
    assert!(!page.contains(r#"field-label visually-hidden" for="f-deployment-date.checked-by"#));
    // Assistive technology is told which blanks must be filled.
    assert!(
        page.contains(r#"data-field="deployment-date.deployed-by.deployed-by" type="text" autocomplete="name" aria-required="true">"#),
        "{page}"
    );
}

#[test]
fn parse_writes_a_checklist_back_as_markdown_that_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("deploy.md"),
        b"# Deploy\n\n- [ ] Warm the cache {optional}\n\n## Before sign-off\n- [ ] Run the smoke tests {task}\n- [ ] QA Lead: ____\n",
    );
    let md = checkdown(&["parse", "--format", "markdown", "deploy.md"], dir.path());
    assert!(md.status.success());
    let text = String::from_utf8(md.stdout).unwrap();
    assert!(text.contains("- [ ] Run the smoke tests {task}"), "{text}");
    write(&dir.path().join("again/deploy.md"), text.as_bytes());
    let model = |file: &str| -> serde_json::Value {
        let out = checkdown(&["parse", file], dir.path());
        let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // Positions, the file's hash and a blank's length in the HTML may differ.
        json["source_sha256"] = serde_json::Value::Null;
        without(&mut json, &["line", "column", "html"]);
        json
    };
    assert_eq!(model("deploy.md"), model("again/deploy.md"));
}

fn without(v: &mut serde_json::Value, keys: &[&str]) {
    match v {
        serde_json::Value::Object(map) => {
            for k in keys {
                map.remove(*k);
            }
            map.values_mut().for_each(|v| without(v, keys));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| without(v, keys)),
        _ => {}
    }
}

#[cfg(unix)]
#[test]
fn an_output_link_is_built_through_and_the_current_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/deploy.md"), DEPLOY.as_bytes());
    std::fs::create_dir(dir.path().join("served")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("served"), dir.path().join("site")).unwrap();
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.path().join("site").is_symlink(),
        "the link stays a link"
    );
    assert!(dir.path().join("served/deploy/index.html").is_file());

    let here = checkdown(&["build", "src", "-o", ".", "--no-client"], dir.path());
    let stderr = String::from_utf8_lossy(&here.stderr);
    assert!(!here.status.success());
    assert!(
        stderr.contains("is the folder checkdown runs in"),
        "{stderr}"
    );
    assert!(dir.path().join("src/deploy.md").is_file());
}

// Screen readers speak a page in the language its `lang` names (WCAG 3.1.1), and
// Arabic or Hebrew must run right to left.
#[test]
fn pages_name_their_language_and_right_to_left_ones_run_that_way() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("checklists/deploy.md"), DEPLOY.as_bytes());
    write(
        &dir.path().join("checklists/arabic.md"),
        "---\nlang: ar\n---\n# قائمة\n\n- [ ] نسخة احتياطية\n".as_bytes(),
    );
    write(
        &dir.path().join("checkdown.toml"),
        b"[site]\nlang = \"de\"\n",
    );
    let built = checkdown(&["build", "--no-client"], dir.path());
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(0), "{stderr}");
    // A project with a checkdown.toml is not told on every build where base_url goes.
    assert!(!stderr.contains("base_url"), "{stderr}");
    let read = |p: &str| std::fs::read_to_string(dir.path().join("dist").join(p)).unwrap();
    assert!(read("index.html").contains("<html lang=\"de\">"));
    assert!(read("404.html").contains("<html lang=\"de\">"));
    assert!(read("deploy/index.html").contains("<html lang=\"de\">"));
    let arabic = read("arabic/index.html");
    assert!(arabic.contains("<html lang=\"ar\">"), "{arabic}");
    // The checklist runs right to left; the page's English controls do not.
    assert!(
        arabic.contains("data-checklist=\"arabic\" dir=\"rtl\""),
        "{arabic}"
    );
    assert!(
        arabic.contains("<section class=\"run-panel\" lang=\"en\" dir=\"ltr\""),
        "{arabic}"
    );
    // ... and are marked English on a page in another language (WCAG 3.1.2), while
    // the checklist's own words inside them keep its language.
    let german = read("deploy/index.html");
    assert!(!german.contains("dir=\"ltr\"") && !german.contains("dir=\"rtl\""));
    // What people type there is taken to be in the checklist's language.
    assert!(
        german.contains("data-dialog-note lang=\"de\" dir=\"auto\">"),
        "{german}"
    );
    for chrome in [
        "<a class=\"skip-link\" href=\"#checkdown-main\" lang=\"en\">",
        "<footer class=\"site-footer\" lang=\"en\">",
        "<section class=\"run-panel\" lang=\"en\" data-run-panel",
        "<nav class=\"toc\" aria-label=\"Contents\" lang=\"en\">",
        "<dialog class=\"item-dialog\" lang=\"en\"",
    ] {
        assert!(german.contains(chrome), "{chrome} in {german}");
    }
    assert!(german.contains("<ol lang=\"de\">"), "{german}");
    assert!(
        german.contains("data-dialog-title lang=\"de\">"),
        "{german}"
    );
    assert!(
        arabic.contains("data-dialog-title lang=\"ar\" dir=\"rtl\">"),
        "{arabic}"
    );
    // The index lists the Arabic checklist in Arabic, with its English details marked.
    let index = read("index.html");
    assert!(
        index.contains("data-checklist-id=\"arabic\"")
            && index.contains(" lang=\"ar\" dir=\"rtl\">"),
        "{index}"
    );
    assert!(
        index.contains("<p class=\"index-meta\" lang=\"en\" dir=\"ltr\">"),
        "{index}"
    );

    // A word where a tag belongs is refused where it was written, in either place.
    let refused = |toml: &[u8], markdown: &[u8], command: &str| {
        write(&dir.path().join("checkdown.toml"), toml);
        write(&dir.path().join("checklists/arabic.md"), markdown);
        let out = checkdown(&[command, "--no-client", "checklists"], dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stderr)
    };
    // Each config error at its place in the file, and saying what is wrong there.
    let cases: [(&[u8], &str); 5] = [
        // At the value, not at the first place the key's name is written (a comment).
        (
            b"# lang: see below\n[site]\ntitle = \"the lang and base_url\"\nlang = \"german\"\n",
            "checkdown.toml:4:8: site.lang must be a language tag",
        ),
        (
            b"# base_url: where it is hosted\n[site]\nbase_url = \"ftp://example.com\"\n",
            "checkdown.toml:3:12: site.base_url must be an absolute http(s) URL",
        ),
        // A key given twice is named, not only placed.
        (
            b"[site]\ntitle = \"a\"\ntitle = \"b\"\n",
            "checkdown.toml:3:1: duplicate key `title`",
        ),
        (
            b"[build]\nexclude = [\"drafts/**\", \"[oops\"]\n",
            r#"checkdown.toml:2:25: build.exclude: "[oops" is not a glob pattern"#,
        ),
        (
            b"[site]\ntitle = \"caf\xe9\"\n",
            "checkdown.toml:2:13: not UTF-8 (invalid byte at offset 19)",
        ),
    ];
    for (toml, expected) in cases {
        let (code, stderr) = refused(toml, b"# T\n\n- [ ] x\n", "build");
        assert_eq!(code, Some(2), "{expected}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    let markdown = b"---\nlang: arabic\n---\n# T\n\n- [ ] x\n";
    let (code, stderr) = refused(b"[site]\n", markdown, "build");
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("E003")
            && stderr.contains("arabic.md:2:1")
            && stderr.contains("`lang` must be a language tag"),
        "{stderr}"
    );
}

#[test]
fn what_is_written_under_an_item_stays_where_it_is_among_its_steps() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("src/migrate.md"),
        b"# Migrate\n\n- [ ] Migrate the database\n  - [ ] Step 1\n  - [ ] Step 2\n\n  \
          After step 2, check the row counts:\n\n  ```sql\n  SELECT count(*) FROM t;\n  ```\n\n  \
          - [ ] Step 3\n\n  Finally, note the result.\n",
    );
    let page = built_page(dir.path(), "migrate");
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in\n{page}"))
    };
    let order = [
        at(">Step 1</label>"),
        at(">Step 2</label>"),
        at("After step 2, check the row counts:"),
        at("SELECT"),
        at(">Step 3</label>"),
        at("Finally, note the result."),
    ];
    assert!(order.is_sorted(), "{order:?} in\n{page}");
}

#[test]
fn a_link_to_a_markdown_file_without_a_page_is_a_warning_at_the_link() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("src/deploy.md"),
        "# Deploy\n\nSee [rollback](ops/rollback.md#undo) and [the plan](ops/plan.md).\n\n\
         - [ ] Read the [readme](../README.md), the [plan again](ops/plan.md) and \
         [notes](notes.txt)\n- [ ] Ask [upstream](https://example.com/x.md)\n"
            .as_bytes(),
    );
    write(
        &dir.path().join("src/ops/rollback.md"),
        b"# Rollback\n\n- [ ] Undo\n",
    );
    write(&dir.path().join("README.md"), b"# Readme\n");
    let warnings = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("warning[W011]") || l.contains("deploy.md:"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let expected = [
        "warning[W011]: link to `ops/plan.md`, which does not exist",
        "  ┌─ src/deploy.md:3:42",
        "warning[W011]: link to `../README.md`, which is no checklist of the site",
        "  ┌─ src/deploy.md:5:16",
    ];
    // Once per file linked, where it is first linked; the page still builds.
    let out = checkdown(&["build", "src", "-o", "site", "--no-client"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(warnings(&out), expected);
    // `check` says the same, and `--deny-warnings` fails on it.
    let out = checkdown(&["check", "src"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(warnings(&out), expected);
    let out = checkdown(&["check", "--deny-warnings", "src"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    // A file checked outside the site may link files there; only a missing one is
    // a dead link wherever it is.
    write(
        &dir.path().join("elsewhere/x.md"),
        b"# X\n\n- [ ] [readme](../README.md) or [gone](gone.md)\n",
    );
    write(
        &dir.path().join("checkdown.toml"),
        b"[build]\nsource = \"src\"\n",
    );
    let out = checkdown(&["check", "elsewhere/x.md"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("link to `gone.md`, which does not exist"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning[W011]").count(), 1, "{stderr}");
}

#[test]
fn a_link_to_another_checklists_file_points_at_its_page() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("src/deploy.md"),
        b"# Deploy\n\nIf it fails, [roll back](ops/rollback.md#undo) ([raw](ops/rollback.md?plain=1#undo)); see [notes](notes.md) and \
          [upstream](https://example.com/rollback.md).\n\n- [ ] Ask [the owner](./ops/owner.md)\n  \
          - [ ] Nested: [roll back](ops/rollback.md)\n",
    );
    write(
        &dir.path().join("src/ops/rollback.md"),
        b"# Rollback\n\n## Prepare\n\n### Undo\n\n- [ ] Stop\n",
    );
    // Front matter names the page: the link follows the ID, not the file name.
    write(
        &dir.path().join("src/ops/owner.md"),
        b"---\nid: owners\n---\n# Owners\n\n- [ ] Call\n",
    );
    let page = built_page(dir.path(), "deploy");
    for link in [
        // The heading as GitHub names it, found by its section's ID there.
        r#"<a href="../ops-rollback/index.html#prepare.undo">roll back</a>"#,
        r#"<a href="../ops-rollback/index.html?plain=1#prepare.undo">raw</a>"#,
        r#"<a href="../owners/index.html">the owner</a>"#,
        r#"<a href="../ops-rollback/index.html">roll back</a>"#,
        // Not a checklist of this site, or not relative: as written.
        r#"<a href="notes.md">notes</a>"#,
        r#"<a href="https://example.com/rollback.md">upstream</a>"#,
    ] {
        assert!(page.contains(link), "{link} in\n{page}");
    }
    assert!(dir.path().join("site/ops-rollback/index.html").is_file());
    assert!(dir.path().join("site/owners/index.html").is_file());

    // Built through a symlink to the folder, a link by the folder's own name still
    // finds its checklist.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("src"), dir.path().join("linked")).unwrap();
        write(
            &dir.path().join("src/via.md"),
            b"# Via

- [ ] [roll back](../src/ops/rollback.md)
",
        );
        let out = checkdown(
            &["build", "linked", "-o", "site2", "--no-client"],
            dir.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let page = std::fs::read_to_string(dir.path().join("site2/via/index.html")).unwrap();
        assert!(
            page.contains(r#"<a href="../ops-rollback/index.html">roll back</a>"#),
            "{page}"
        );
    }
}
