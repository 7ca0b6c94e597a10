//! `checkdown serve` as an author runs it, from a project folder with relative paths.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A theme's index.html that shows `text`.
fn theme_page(text: &str) -> String {
    format!("{{% extends \"base.html\" %}}{{% block main %}}<p>{text}</p>{{% endblock %}}")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project as `init` lays it out: checklists/, theme/ and a checkdown.toml that
/// names the theme by a relative path.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("checklists/deploy.md"),
        "# Deploy\n\n- [ ] Backup\n",
    );
    write(
        &dir.path().join("checkdown.toml"),
        "[site]\ntitle = \"First title\"\n\n[build]\ntheme = \"theme\"\n",
    );
    write(
        &dir.path().join("theme/index.html"),
        &theme_page("theme one"),
    );
    dir
}

/// `checkdown <args>` run to its end in `dir`.
fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

struct Serving {
    child: Child,
    addr: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, port: &str) -> Serving {
    serve_logging(dir, port, Stdio::null())
}

/// `serve` on any free port, its log going to a file read back with `Logged::text`.
fn serve_with_log(dir: &Path) -> (Serving, Logged) {
    let logs = tempfile::tempdir().unwrap();
    let path = logs.path().join("serve.log");
    let site = serve_logging(dir, "0", std::fs::File::create(&path).unwrap().into());
    (site, Logged { _dir: logs, path })
}

/// A server's log file, kept until read.
struct Logged {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Logged {
    fn text(&self) -> String {
        std::fs::read_to_string(&self.path).unwrap()
    }
}

/// `serve`, its log (stderr) going to `log`.
fn serve_logging(dir: &Path, port: &str, log: Stdio) -> Serving {
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .args(["serve", "--no-client", "--port", port])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("Serving") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "serve stopped");
    }
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    // Rebuilds report on stdout too; a closed pipe would fail those writes.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Serving { child, addr }
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    body
}

/// Polls the page until it contains `text`; file watching takes a moment.
fn eventually_shows(addr: &str, path: &str, text: &str) {
    let start = Instant::now();
    loop {
        let page = get(addr, path);
        if page.contains(text) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{path} never showed {text:?}; last:\n{page}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn serve_rebuilds_on_edits_to_a_relative_theme_and_to_the_config() {
    let dir = project();
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/index.html", "theme one");

    write(
        &dir.path().join("theme/index.html"),
        &theme_page("theme two"),
    );
    eventually_shows(&site.addr, "/index.html", "theme two");

    let config = std::fs::read_to_string(dir.path().join("checkdown.toml")).unwrap();
    write(
        &dir.path().join("checkdown.toml"),
        &config.replace("First title", "Second title"),
    );
    eventually_shows(&site.addr, "/index.html", "Second title");
    eventually_shows(&site.addr, "/deploy/index.html", "Second title");
}

#[test]
fn a_port_in_use_fails_before_touching_the_output_folder() {
    let dir = project();
    let first = serve(dir.path(), "0");
    let port = first.addr.rsplit(':').next().unwrap().to_owned();
    let marker = dir.path().join("dist/index.html");
    let before = std::fs::metadata(&marker).unwrap().modified().unwrap();

    let out = run(dir.path(), &["serve", "--no-client", "--port", &port]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot listen on"), "{stderr}");
    assert!(stderr.contains("--port 0"), "{stderr}");
    assert_eq!(
        std::fs::metadata(&marker).unwrap().modified().unwrap(),
        before,
        "the first server's folder was rebuilt"
    );
    drop(first);
    // An address that is not this machine's is no port problem.
    let out = run(
        dir.path(),
        &["serve", "--no-client", "--port", "0", "--host", "192.0.2.1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--host takes an address of this machine") && !stderr.contains("--port"),
        "{stderr}"
    );
    // Nor is a port written into the address.
    let out = run(
        dir.path(),
        &["serve", "--no-client", "--host", "127.0.0.1:9403"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--host takes the address alone: give the port with --port"),
        "{stderr}"
    );
}

#[test]
fn a_theme_folder_that_does_not_exist_is_an_error() {
    let dir = project();
    std::fs::remove_dir_all(dir.path().join("theme")).unwrap();
    let out = run(dir.path(), &["build", "--no-client"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("theme folder theme does not exist"),
        "{stderr}"
    );
    assert!(!dir.path().join("dist").exists());
}

#[test]
fn a_clashing_file_is_reported_not_served_and_folder_renames_rebuild() {
    let dir = project();
    write(
        &dir.path().join("checklists/team/rollback.md"),
        "# Rollback\n\n- [ ] Restore\n",
    );
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/team-rollback/index.html", "Rollback");

    // A second file with the ID `deploy` is told about, and the page stays the first's.
    write(
        &dir.path().join("checklists/deploy.txt"),
        "# Deploy from text\n\n- [ ] Other\n",
    );
    eventually_shows(&site.addr, "/__checkdown/poll", "have the id `deploy`");
    assert!(!get(&site.addr, "/deploy/index.html").contains("Deploy from text"));
    // Once the first is gone, the second is the page.
    std::fs::remove_file(dir.path().join("checklists/deploy.md")).unwrap();
    eventually_shows(&site.addr, "/deploy/index.html", "Deploy from text");

    // A folder renamed is one event for the folder: its files move with it.
    std::fs::rename(
        dir.path().join("checklists/team"),
        dir.path().join("checklists/crew"),
    )
    .unwrap();
    eventually_shows(&site.addr, "/crew-rollback/index.html", "Rollback");
    eventually_shows(&site.addr, "/team-rollback/index.html", "404");

    // A file that pins its ID, renamed to a name that sorts first (and edited): the
    // new name is read while the old one still holds the ID, and the page must
    // survive the old one going.
    write(
        &dir.path().join("checklists/z.md"),
        "---\nid: pinned\n---\n# Zed\n\n- [ ] z\n",
    );
    eventually_shows(&site.addr, "/pinned/index.html", "Zed");
    std::fs::rename(
        dir.path().join("checklists/z.md"),
        dir.path().join("checklists/b.md"),
    )
    .unwrap();
    write(
        &dir.path().join("checklists/b.md"),
        "---\nid: pinned\n---\n# Bee\n\n- [ ] z\n",
    );
    eventually_shows(&site.addr, "/pinned/index.html", "Bee");
}

#[test]
fn a_full_rebuild_does_not_set_off_another() {
    let dir = project();
    let (site, log) = serve_with_log(dir.path());
    // The output's folder is swapped beside the config, in a folder serve watches.
    let config = std::fs::read_to_string(dir.path().join("checkdown.toml")).unwrap();
    write(
        &dir.path().join("checkdown.toml"),
        &config.replace("First title", "Second title"),
    );
    std::thread::sleep(Duration::from_secs(3));
    drop(site);
    let text = log.text();
    assert_eq!(text.matches("rebuilding everything").count(), 1, "{text}");
}

#[test]
fn an_edit_is_rebuilt_as_the_first_build_was_and_a_save_that_changes_nothing_is_not() {
    let dir = project();
    let (site, log) = serve_with_log(dir.path());
    let file = dir.path().join("checklists/deploy.md");
    write(&file, "# Deploy\n\n- [ ] Backup\n- [ ] Smoke test\n");
    eventually_shows(&site.addr, "/deploy/", "Smoke test");
    // Rebuilt as the first build made it: served with --no-client, so no client.
    assert!(!get(&site.addr, "/deploy/").contains("<script src="));
    // An editor that saves in two steps, seconds apart: the same text again.
    write(&file, "# Deploy\n\n- [ ] Backup\n- [ ] Smoke test\n");
    std::thread::sleep(Duration::from_secs(2));
    drop(site);
    let text = log.text();
    assert_eq!(text.matches("rebuilt deploy").count(), 1, "{text}");
}

#[test]
fn a_config_file_created_while_serving_applies() {
    let dir = project();
    std::fs::remove_file(dir.path().join("checkdown.toml")).unwrap();
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/index.html", "Checklists");
    write(
        &dir.path().join("checkdown.toml"),
        "[site]\ntitle = \"Created later\"\n",
    );
    eventually_shows(&site.addr, "/index.html", "Created later");
}

// Turning a theme on while serving: its later edits show as well.
#[test]
fn a_theme_the_config_names_while_serving_is_watched_from_then_on() {
    let dir = project();
    write(
        &dir.path().join("checkdown.toml"),
        "[site]\ntitle = \"T\"\n",
    );
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/index.html", "deploy/index.html");
    write(
        &dir.path().join("checkdown.toml"),
        "[site]\ntitle = \"T\"\n\n[build]\ntheme = \"theme\"\n",
    );
    eventually_shows(&site.addr, "/index.html", "theme one");
    write(
        &dir.path().join("theme/index.html"),
        &theme_page("theme edited"),
    );
    eventually_shows(&site.addr, "/index.html", "theme edited");
}

#[test]
fn a_theme_folder_moved_away_and_back_is_still_watched() {
    let dir = project();
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/index.html", "theme one");
    std::fs::rename(dir.path().join("theme"), dir.path().join("theme.bak")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    std::fs::rename(dir.path().join("theme.bak"), dir.path().join("theme")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    write(
        &dir.path().join("theme/index.html"),
        &theme_page("theme three"),
    );
    eventually_shows(&site.addr, "/index.html", "theme three");
}

// `rm -rf checklists; git checkout checklists` (or a folder moved away and back) ended
// the watch on the source folder for good: later edits and new files were never built.
#[test]
fn a_source_folder_deleted_and_made_again_is_still_watched() {
    let dir = project();
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/deploy/index.html", "Backup");
    let src = dir.path().join("checklists");
    std::fs::remove_dir_all(&src).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    write(
        &src.join("deploy.md"),
        "# Deploy\n\n- [ ] Restored backup\n",
    );
    eventually_shows(&site.addr, "/deploy/index.html", "Restored backup");
    // And it is watched from then on: an edit, and a file added.
    write(&src.join("deploy.md"), "# Deploy\n\n- [ ] Edited after\n");
    eventually_shows(&site.addr, "/deploy/index.html", "Edited after");
    write(&src.join("new.md"), "# New one\n\n- [ ] Added later\n");
    eventually_shows(&site.addr, "/new/index.html", "Added later");
    // Moved away and back, too.
    std::fs::rename(&src, dir.path().join("checklists.bak")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    std::fs::rename(dir.path().join("checklists.bak"), &src).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    write(&src.join("new.md"), "# New one\n\n- [ ] After the move\n");
    eventually_shows(&site.addr, "/new/index.html", "After the move");
}

// `rm -rf dist` while serving, then an edit: the one page was written into an empty
// folder, and the site was served without its stylesheet or other pages.
#[test]
fn an_output_folder_deleted_while_serving_is_built_again_whole() {
    let dir = project();
    write(
        &dir.path().join("checklists/other.md"),
        "# Other\n\n- [ ] Step\n",
    );
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/other/index.html", "Step");
    let out = dir.path().join("dist");
    let stylesheet = |out: &Path| {
        std::fs::read_dir(out.join("assets"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".css"))
            })
            .unwrap_or(false)
    };
    assert!(stylesheet(&out));
    std::fs::remove_dir_all(&out).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    write(
        &dir.path().join("checklists/deploy.md"),
        "# Deploy\n\n- [ ] Backup again\n",
    );
    eventually_shows(&site.addr, "/deploy/index.html", "Backup again");
    eventually_shows(&site.addr, "/other/index.html", "Step");
    assert!(stylesheet(&out), "the assets are back");
    assert!(out.join(".checkdown-site").is_file());
}

#[cfg(unix)]
#[test]
fn a_theme_given_as_a_link_is_watched() {
    let dir = project();
    std::fs::rename(dir.path().join("theme"), dir.path().join("real-theme")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("real-theme"), dir.path().join("theme")).unwrap();
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/index.html", "theme one");
    write(
        &dir.path().join("real-theme/index.html"),
        &theme_page("theme via link"),
    );
    eventually_shows(&site.addr, "/index.html", "theme via link");
}

#[test]
fn a_page_serve_added_is_not_taken_for_the_authors_file_by_the_next_build() {
    let dir = project();
    let site = serve(dir.path(), "0");
    write(
        &dir.path().join("checklists/extra.md"),
        "# Extra\n\n- [ ] One\n",
    );
    eventually_shows(&site.addr, "/extra/index.html", "Extra");
    drop(site);
    std::fs::remove_file(dir.path().join("checklists/extra.md")).unwrap();
    let out = run(dir.path(), &["build", "--no-client"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("did not make"), "{stderr}");
    assert!(!dir.path().join("dist/extra").exists());
}

#[test]
fn a_static_file_changed_while_serving_is_copied_again() {
    let dir = project();
    write(&dir.path().join("static/robots.txt"), "first\n");
    let site = serve(dir.path(), "0");
    eventually_shows(&site.addr, "/robots.txt", "first");
    write(&dir.path().join("static/robots.txt"), "second\n");
    eventually_shows(&site.addr, "/robots.txt", "second");
    write(&dir.path().join("static/humans.txt"), "added\n");
    eventually_shows(&site.addr, "/humans.txt", "added");
}

#[test]
fn a_site_with_a_base_url_is_served_at_its_path_and_the_output_is_what_build_makes() {
    let dir = project();
    write(
        &dir.path().join("checkdown.toml"),
        "[site]\nbase_url = \"https://acme.example/runbooks/\"\n",
    );
    let built = run(dir.path(), &["build", "--no-client"]);
    assert!(built.status.success());
    let page_built = std::fs::read_to_string(dir.path().join("dist/deploy/index.html")).unwrap();

    let mut log = tempfile::NamedTempFile::new().unwrap();
    let serving = serve_logging(dir.path(), "0", Stdio::from(log.reopen().unwrap()));
    // Previewing must not leave a site behind that differs from the one to publish.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dist/deploy/index.html")).unwrap(),
        page_built
    );
    assert!(dir.path().join("dist/sitemap.xml").is_file());
    let page = get(&serving.addr, "/runbooks/deploy/");
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(page.contains(r#"href="/runbooks/assets/style."#), "{page}");
    let top = get(&serving.addr, "/");
    assert!(top.contains("Location: /runbooks/"), "{top}");
    let missing = get(&serving.addr, "/runbooks/nowhere/");
    assert!(
        missing.contains(r#"href="/runbooks/assets/style."#),
        "{missing}"
    );
    drop(serving);
    let mut said = String::new();
    log.read_to_string(&mut said).unwrap();
    assert!(!said.contains("set site.base_url"), "it is set: {said}");
}

#[test]
fn links_to_a_checklist_follow_it_when_it_is_added_or_its_id_changes() {
    let dir = project();
    write(
        &dir.path().join("checklists/deploy.md"),
        "# Deploy\n\n- [ ] If it fails, [roll back](rollback.md#undo)\n",
    );
    let site = serve(dir.path(), "0");
    // No such checklist yet: the link stays as written.
    eventually_shows(&site.addr, "/deploy/", r#"<a href="rollback.md#undo">"#);
    write(
        &dir.path().join("checklists/rollback.md"),
        "# Rollback\n\n- [ ] Undo\n",
    );
    eventually_shows(
        &site.addr,
        "/deploy/",
        r#"<a href="../rollback/index.html#undo">"#,
    );
    write(
        &dir.path().join("checklists/rollback.md"),
        "---\nid: rollback-v2\n---\n# Rollback\n\n- [ ] Undo\n",
    );
    eventually_shows(
        &site.addr,
        "/deploy/",
        r#"<a href="../rollback-v2/index.html#undo">"#,
    );
}
