//! `checkdown serve`: build, serve on localhost, watch the sources and rebuild only what
//! changed, and reload open pages. A broken checklist is reported in the terminal and
//! in an overlay on the page, while the last good page keeps being served.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use checkdown_core::Checklist;
use notify::{RecursiveMode, Watcher as _};
use tiny_http::{Header, Request, Response, Server, StatusCode};

use super::build::{self, Plan};
use crate::links::Links;
use crate::site::{IndexEntry, Renderer};
use crate::templates::Templates;
use crate::{report, source};

const LIVERELOAD_JS: &str = include_str!("../../../../site/assets/livereload.js");
const LIVERELOAD_TAG: &str = "<script type=\"module\" src=\"/__checkdown/livereload.js\"></script>";
/// How long a poll waits for a change before answering anyway.
const POLL_WAIT: Duration = Duration::from_secs(25);
/// Editors save in several steps; changes this close together make one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(150);

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    build: build::BuildArgs,
    /// Port to listen on; 0 picks a free one (the URL is printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Address to listen on. Keep it on loopback unless you mean to share the site.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Serve only: do not watch the sources or reload pages.
    #[arg(long)]
    no_watch: bool,
}

/// What open pages poll: a version that changes on every rebuild, and the problems of
/// the last one, if it failed.
#[derive(Default)]
struct Live {
    state: Mutex<LiveState>,
    changed: Condvar,
}

#[derive(Default, Clone)]
struct LiveState {
    version: u64,
    problems: Option<String>,
}

impl Live {
    fn publish(&self, problems: Option<String>) {
        if let Ok(mut state) = self.state.lock() {
            state.version += 1;
            state.problems = problems;
        }
        self.changed.notify_all();
    }

    /// Waits until the version differs from `since` or the wait times out.
    fn wait(&self, since: Option<u64>) -> LiveState {
        let Ok(guard) = self.state.lock() else {
            return LiveState::default();
        };
        let Some(since) = since else {
            return guard.clone();
        };
        match self
            .changed
            .wait_timeout_while(guard, POLL_WAIT, |s| s.version == since)
        {
            Ok((guard, _)) => guard.clone(),
            Err(_) => LiveState::default(),
        }
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut plan = args.build.plan()?;
    let watching = !args.no_watch;
    // While watching, a broken checklist is reported in the page and fixed live, as
    // after any later edit; only a one-off serve of a broken site stops here.
    plan.keep_going = watching;
    // Listen first: a port in use must not cost the output folder a rebuild that
    // another server may be serving from.
    // `[::1]` as URLs write it is the address `::1`.
    let host = args
        .host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(&args.host);
    let server = Server::http((host, args.port)).map_err(|e| {
        let in_use = e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
        let hint = if in_use {
            "pick another port with --port, or --port 0 for any free one"
        } else if args.host.parse::<std::net::SocketAddr>().is_ok() {
            "--host takes the address alone: give the port with --port"
        } else {
            "--host takes an address of this machine, such as 127.0.0.1 (this machine \
             only) or 0.0.0.0 (every network it is on)"
        };
        anyhow::anyhow!(
            "cannot listen on {}:{}: {e}\n  {hint}",
            args.host,
            args.port
        )
    })?;
    let code = build::build(&plan)?;
    if code != ExitCode::SUCCESS && !watching {
        return Ok(code);
    }
    let addr = server
        .server_addr()
        .to_ip()
        .context("the server has no IP address")?;

    let live = Arc::new(Live::default());
    let _watcher = if watching {
        Some(start_watching(
            plan.clone(),
            &args.build,
            Arc::clone(&live),
        )?)
    } else {
        None
    };

    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Serving {} at http://{addr}{} (Ctrl-C to stop){}",
        plan.out.display(),
        plan.site.base_path,
        if watching {
            "; watching for changes"
        } else {
            ""
        }
    )?;
    stdout.flush()?;
    drop(stdout);

    // The output is exactly what `build` makes, so a site with a `base_url` links from
    // its path: it is served at that path here too, as it will be when published.
    let site = Arc::new(Site {
        root: plan.out.clone(),
        base: plan.site.base_path.clone(),
    });
    for request in server.incoming_requests() {
        let (site, live) = (Arc::clone(&site), Arc::clone(&live));
        // Polls wait for changes, so every request gets its own thread.
        std::thread::spawn(move || handle(request, &site, &live, watching));
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the site's files are, and the URL path it is served at (`/`, or the path of
/// `site.base_url`).
struct Site {
    root: PathBuf,
    base: String,
}

fn handle(request: Request, site: &Site, live: &Live, watching: bool) {
    let url = request.url().to_owned();
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let response = match path {
        "/__checkdown/livereload.js" if watching => with_header(
            Response::from_data(LIVERELOAD_JS.as_bytes().to_vec()),
            "Content-Type",
            "text/javascript; charset=utf-8",
        ),
        "/__checkdown/poll" if watching => {
            let since = url
                .split_once("since=")
                .and_then(|(_, v)| v.split('&').next())
                .and_then(|v| v.parse().ok());
            let state = live.wait(since);
            let body = serde_json::json!({ "version": state.version, "problems": state.problems });
            let response = Response::from_data(body.to_string().into_bytes());
            let response = with_header(response, "Content-Type", "application/json");
            with_header(response, "Cache-Control", "no-store")
        }
        _ => respond(site, &url, watching),
    };
    // A client that went away is not our problem; keep serving the others.
    let _ = request.respond(response);
}

/// Source files by path, the last good model of each, and how to re-render them.
struct Incremental {
    plan: Plan,
    checklists: BTreeMap<PathBuf, Checklist>,
    problems: BTreeMap<PathBuf, String>,
    /// Files left out because another file has their ID.
    clashes: Vec<PathBuf>,
}

impl Incremental {
    fn load(plan: Plan) -> anyhow::Result<Self> {
        let mut checklists: BTreeMap<PathBuf, Checklist> = BTreeMap::new();
        let mut problems = BTreeMap::new();
        let mut clashes = Vec::new();
        for file in source::discover(&plan.src, &plan.exclude)? {
            let loaded = source::load(&plan.src, &file)?;
            if loaded.parsed.has_errors() {
                problems.insert(file, report::render(&loaded));
            } else if let Some(c) = loaded.parsed.checklist {
                // The first file (in sorted order) keeps the ID, as the page shows.
                if let Some((other, _)) = checklists.iter().find(|(_, o)| o.id == c.id) {
                    let text = source::clash_message(&c.id, &[other.as_path(), &file]);
                    problems.insert(file.clone(), format!("error: {text}\n"));
                    clashes.push(file);
                } else {
                    checklists.insert(file, c);
                }
            }
        }
        Ok(Self {
            plan,
            checklists,
            problems,
            clashes,
        })
    }

    fn problems_text(&self) -> Option<String> {
        (!self.problems.is_empty()).then(|| {
            self.problems
                .values()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    /// Each checklist file with the ID of its page.
    fn pages(&self) -> std::collections::BTreeMap<PathBuf, String> {
        self.checklists
            .iter()
            .map(|(file, c)| (file.clone(), c.id.clone()))
            .collect()
    }

    /// Re-reads the changed checklist files and rewrites only their pages and the index.
    fn update(&mut self, changed: &[PathBuf]) -> anyhow::Result<()> {
        let templates = Templates::new(self.plan.theme.as_deref())?;
        let site = self.plan.site.clone();
        let mut renderer = Renderer::new(&templates, &site);
        // As the first build made the site: with the client, or (`--no-client`) without.
        if self.plan.no_client {
            renderer.without_client();
        }
        renderer.in_place = true;
        self.update_files(&mut renderer, changed)?;
        let entries: Vec<IndexEntry> = self.checklists.values().map(IndexEntry::from).collect();
        renderer.write_index(&self.plan.out, &entries)
    }

    fn update_files(
        &mut self,
        renderer: &mut Renderer<'_>,
        changed: &[PathBuf],
    ) -> anyhow::Result<()> {
        let out = self.plan.out.clone();
        let mut known: Vec<PathBuf> = self.checklists.keys().cloned().collect();
        known.extend(changed.iter().filter(|f| f.exists()).cloned());
        let links = Links::new(&self.plan.src, &known, renderer.page_root());
        for file in changed {
            let old_id = self.checklists.get(file).map(|c| c.id.clone());
            if !file.exists() {
                self.problems.remove(file);
                if let Some(id) = old_id {
                    self.checklists.remove(file);
                    remove_page(&out, &id)?;
                    eprintln!("removed {}", file.display());
                }
                continue;
            }
            let mut loaded = source::load(&self.plan.src, file)?;
            // Editors save in steps (write, then rename or touch), which can land in
            // two batches of events: the second finds the page already made.
            let unchanged = loaded.parsed.checklist.as_ref().is_some_and(|c| {
                self.checklists
                    .get(file)
                    .is_some_and(|old| old.source_sha256 == c.source_sha256 && old.id == c.id)
            });
            if unchanged && !self.problems.contains_key(file) && !self.clashes.contains(file) {
                continue;
            }
            links.apply(&mut loaded);
            let text = report::render(&loaded);
            if loaded.parsed.has_errors() {
                eprint!("{text}");
                self.problems.insert(file.clone(), text);
                continue;
            }
            self.problems.remove(file);
            if !text.is_empty() {
                eprint!("{text}");
            }
            let Some(checklist) = loaded.parsed.checklist else {
                continue;
            };
            // Its page would overwrite another file's: refused, as `build` refuses it.
            // The caller then rebuilds everything, which sorts out who keeps the ID.
            if let Some((other, _)) = self
                .checklists
                .iter()
                .find(|(f, c)| *f != file && c.id == checklist.id)
            {
                let text = format!(
                    "error: {}\n",
                    source::clash_message(&checklist.id, &[other.as_path(), file.as_path()])
                );
                eprint!("{text}");
                self.problems.insert(file.clone(), text);
                self.clashes.push(file.clone());
                continue;
            }
            if let Some(old) = old_id.filter(|old| *old != checklist.id) {
                remove_page(&out, &old)?;
            }
            renderer.write_page(&out, &checklist)?;
            build::note_made(&out, &Path::new(&checklist.id).join("index.html"));
            eprintln!("rebuilt {}", checklist.id);
            self.checklists.insert(file.clone(), checklist);
        }
        Ok(())
    }
}

fn remove_page(out: &Path, id: &str) -> anyhow::Result<()> {
    let dir = out.join(id);
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(())
}

fn start_watching(
    plan: Plan,
    args: &build::BuildArgs,
    live: Arc<Live>,
) -> anyhow::Result<Arc<std::sync::Mutex<notify::RecommendedWatcher>>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).context("starting the file watcher")?;
    watcher
        .watch(&plan.src, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", plan.src.display()))?;
    if let Some(theme) = plan.theme.as_deref().filter(|t| t.is_dir()) {
        watcher
            .watch(theme, RecursiveMode::Recursive)
            .with_context(|| format!("watching {}", theme.display()))?;
    }
    if let Some(dir) = plan.static_dir.as_deref().filter(|d| d.is_dir()) {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("watching {}", dir.display()))?;
    }
    for folder in [
        Some(&plan.src),
        plan.theme.as_ref(),
        plan.static_dir.as_ref(),
    ] {
        watch_parent(&mut watcher, folder.map(PathBuf::as_path));
    }
    // Editors replace a file when saving it, which ends a watch on the file itself;
    // its folder is watched instead, and events for other files there are ignored.
    // Without a config file yet, the place one would be read from is watched, so one
    // created while serving applies as an edit would.
    let config = match args.config_path() {
        Some(path) => path.canonicalize().ok(),
        None => std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .ok()
            .map(|d| d.join(crate::config::FILE_NAME)),
    };
    if let Some(dir) = config.as_deref().and_then(Path::parent) {
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", dir.display()))?;
    }
    let watcher = Arc::new(std::sync::Mutex::new(watcher));
    let rewatch = Arc::clone(&watcher);
    let args = args.clone();
    let mut state = Incremental::load(plan)?;
    if let Some(problems) = state.problems_text() {
        live.publish(Some(problems));
    }
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut events = vec![first];
            while let Ok(more) = rx.recv_timeout(DEBOUNCE) {
                events.push(more);
            }
            // Reading a file is an event too (inotify reports opens); only changes count,
            // or every rebuild would trigger the next one.
            let paths: Vec<PathBuf> = events
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| !matches!(e.kind, notify::EventKind::Access(_)))
                .flat_map(|e| e.paths)
                .collect();
            if paths.is_empty() {
                continue;
            }
            // A folder deleted and made again, or moved away and back, is another
            // folder to the watch that was on it: its parent saw it come back, and it
            // is watched again. What it holds now is read whole.
            let mut returned = false;
            for folder in [
                Some(&state.plan.src),
                state.plan.theme.as_ref(),
                state.plan.static_dir.as_ref(),
            ] {
                let Some(dir) = folder.and_then(|f| std::path::absolute(f).ok()) else {
                    continue;
                };
                if dir.is_dir() && paths.contains(&dir) {
                    if let Ok(mut w) = rewatch.lock() {
                        let _ = w.watch(&dir, RecursiveMode::Recursive);
                    }
                    returned |= folder == Some(&state.plan.src);
                }
            }
            if returned {
                println!("the source folder was replaced; rebuilding everything");
                let result = rebuild_all(&mut state);
                publish(&state, result, &live);
                continue;
            }
            if config
                .as_deref()
                .is_some_and(|c| paths.iter().any(|p| p == c))
            {
                let (theme, static_dir) = (state.plan.theme.clone(), state.plan.static_dir.clone());
                reconfigure(&mut state, &args, &live);
                // A theme or static folder the new configuration names is watched
                // from now on, as one named at the start is.
                if let Ok(mut w) = rewatch.lock() {
                    for (before, now) in [
                        (theme, state.plan.theme.as_deref()),
                        (static_dir, state.plan.static_dir.as_deref()),
                    ] {
                        if let Some(dir) = now.filter(|d| before.as_deref() != Some(*d)) {
                            if dir.is_dir() {
                                let _ = w.watch(dir, RecursiveMode::Recursive);
                            }
                        }
                    }
                    watch_parent(&mut w, state.plan.theme.as_deref());
                    watch_parent(&mut w, state.plan.static_dir.as_deref());
                }
                continue;
            }
            rebuild(&mut state, &paths, &live);
        }
    });
    Ok(watcher)
}

/// A watch follows the folder it was set on: a source or theme folder moved away and
/// back, or deleted and made again (`rm -rf checklists; git checkout checklists`), is
/// another folder. Its parent is watched to see it come back, and it is watched again
/// then.
fn watch_parent(watcher: &mut notify::RecommendedWatcher, folder: Option<&Path>) {
    let folder = folder.and_then(|t| std::path::absolute(t).ok());
    if let Some(parent) = folder.as_deref().and_then(Path::parent) {
        let _ = watcher.watch(parent, RecursiveMode::NonRecursive);
    }
}

/// `checkdown.toml` changed: read it again and rebuild everything with it. The
/// output folder and the sources being watched stay those serve started with.
fn reconfigure(state: &mut Incremental, args: &build::BuildArgs, live: &Live) {
    let result = args.plan().and_then(|mut plan| {
        if plan.out != state.plan.out || plan.src != state.plan.src {
            eprintln!("note: a new source or output folder takes effect when serve is restarted");
            plan.out.clone_from(&state.plan.out);
            plan.src.clone_from(&state.plan.src);
        }
        plan.keep_going = state.plan.keep_going;
        eprintln!("configuration changed; rebuilding everything");
        build::build(&plan)?;
        *state = Incremental::load(plan)?;
        Ok(())
    });
    publish(state, result, live);
}

fn rebuild(state: &mut Incremental, paths: &[PathBuf], live: &Live) {
    // The watcher reports absolute paths; the theme may have been given as a relative one.
    // Events name the theme as it was given (a link, `src/../theme`) or as it
    // resolves, depending on the watch that saw them; a theme just deleted has no
    // resolved path any more. A change under any of these is a theme change.
    let theme_paths: Vec<PathBuf> = state.plan.theme.as_deref().map_or_else(Vec::new, |t| {
        [t.canonicalize().ok(), std::path::absolute(t).ok()]
            .into_iter()
            .flatten()
            .collect()
    });
    let theme_changed = paths.iter().any(|p| {
        theme_paths.iter().any(|t| p.starts_with(t))
            || p.parent()
                .and_then(|parent| parent.canonicalize().ok())
                .is_some_and(|parent| theme_paths.iter().any(|t| parent.starts_with(t)))
    });
    // A static file is copied by the full build; nothing there is a checklist, even
    // where the static folder is inside the source folder.
    let static_dir = state
        .plan
        .static_dir
        .as_deref()
        .and_then(|d| d.canonicalize().ok());
    let static_changed = static_dir
        .as_ref()
        .is_some_and(|d| paths.iter().any(|p| p.starts_with(d)));
    // Only the source folder holds checklists. The config's folder is watched too, and
    // there a build's own renames of the output would otherwise read as a folder
    // change and start the next build, without end.
    // The same goes for the output and its hidden staging folders, should they be in the
    // source folder (`serve .`).
    let src = state.plan.src.canonicalize().ok();
    let out = state
        .plan
        .out
        .canonicalize()
        .or_else(|_| std::path::absolute(&state.plan.out))
        .ok();
    let paths: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| {
            let Some(relative) = src.as_ref().and_then(|s| p.strip_prefix(s).ok()) else {
                return false;
            };
            let hidden = relative
                .iter()
                .any(|c| c.to_string_lossy().starts_with('.'));
            !hidden && !out.as_ref().is_some_and(|o| p.starts_with(o))
        })
        .collect();
    // A folder renamed, moved in or deleted is one event for the folder, none for the
    // files in it: only a full rebuild sees what it held.
    let folder_changed = paths
        .iter()
        .map(|p| relative_to_src(&state.plan.src, p))
        .any(|p| {
            !source::is_checklist(&p)
                && (p.is_dir()
                    || state
                        .checklists
                        .keys()
                        .chain(state.problems.keys())
                        .any(|known| known.starts_with(&p)))
        });
    // The site itself deleted (a `rm -rf dist` while serving): one page written into
    // an empty folder would serve a site without its assets or other pages.
    let site_gone = !state.plan.out.join(build::MARKER).is_file();
    let result = if theme_changed || folder_changed || static_changed || site_gone {
        // Templates shape every page: rebuild them all (atomically, as `build` does).
        eprintln!(
            "{} changed; rebuilding everything",
            if site_gone {
                "the output folder"
            } else if theme_changed {
                "templates"
            } else if static_changed {
                "static files"
            } else {
                "folders"
            }
        );
        // Broken checklists are left out and reported, as on the first build.
        rebuild_all(state)
    } else {
        let mut changed: Vec<PathBuf> = paths
            .iter()
            .map(|p| relative_to_src(&state.plan.src, p))
            .filter(|p| source::is_source(&state.plan.src, p, &state.plan.exclude))
            .collect();
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            return;
        }
        // With two files on one ID, which one keeps it depends on every file (a rename,
        // a removal, an `id:` edited): only a full rebuild gets that right.
        let clashed = !state.clashes.is_empty();
        let pages_before = state.pages();
        match state.update(&changed) {
            Ok(()) if clashed || !state.clashes.is_empty() => {
                eprintln!("checklist IDs clash; rebuilding everything");
                rebuild_all(state)
            }
            // Other pages may link to the checklist by its file (see `links`): a page
            // added, gone or moved to another ID changes where those links go.
            Ok(()) if state.pages() != pages_before => {
                eprintln!("checklists added, removed or renamed; rebuilding everything");
                rebuild_all(state)
            }
            other => other,
        }
    };
    publish(state, result, live);
}

/// A build from scratch, as the first one, and the watcher's state read from it again.
fn rebuild_all(state: &mut Incremental) -> anyhow::Result<()> {
    build::build(&state.plan)
        .and_then(|_| Incremental::load(state.plan.clone()).map(|fresh| *state = fresh))
}

fn publish(state: &Incremental, result: anyhow::Result<()>, live: &Live) {
    match result {
        Ok(()) => live.publish(state.problems_text()),
        Err(err) => {
            eprintln!("error: {err:#}");
            live.publish(Some(format!("{err:#}")));
        }
    }
}

/// The watcher reports absolute paths; sources are keyed as `discover` found them.
fn relative_to_src(src: &Path, path: &Path) -> PathBuf {
    match (
        src.canonicalize(),
        path.parent().and_then(|p| p.canonicalize().ok()),
    ) {
        (Ok(src_abs), Some(parent)) => match parent.strip_prefix(&src_abs) {
            Ok(rel) => src.join(rel).join(path.file_name().unwrap_or_default()),
            Err(_) => path.to_path_buf(),
        },
        _ => path.to_path_buf(),
    }
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn respond(site: &Site, url: &str, live_reload: bool) -> Reply {
    let root = site.root.as_path();
    let path = url.split(['?', '#']).next().unwrap_or("/");
    // Below the base path, the rest names a file; the top of the server leads there.
    let within = match path.strip_prefix(site.base.trim_end_matches('/')) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => Some(rest),
        _ => None,
    };
    let Some(within) = within else {
        if path == "/" {
            return with_header(text(302, "moved"), "Location", &site.base);
        }
        return not_found(root, live_reload);
    };
    let Some(relative) = safe_relative(within) else {
        return text(400, "bad path");
    };
    let mut file = root.join(&relative);
    if file.is_dir() {
        // Pages link to their assets relatively, so a folder needs its trailing slash.
        if !path.ends_with('/') {
            let location = format!("{path}/");
            return with_header(text(301, "moved"), "Location", &location);
        }
        file = file.join("index.html");
    }
    if !file.is_file() {
        return not_found(root, live_reload);
    }
    page(200, &file, live_reload)
}

fn not_found(root: &Path, live_reload: bool) -> Reply {
    page(404, &root.join("404.html"), live_reload)
}

fn page(status: u16, file: &Path, live_reload: bool) -> Reply {
    match std::fs::read(file) {
        Ok(mut bytes) => {
            let kind = content_type(file);
            if live_reload && kind.starts_with("text/html") {
                bytes = inject_live_reload(bytes);
            }
            let response = Response::from_data(bytes).with_status_code(StatusCode(status));
            let response = with_header(response, "Content-Type", kind);
            with_header(response, "Cache-Control", "no-cache")
        }
        Err(_) => text(404, "not found"),
    }
}

/// The reload script is added as pages are served, so the built files stay clean.
fn inject_live_reload(bytes: Vec<u8>) -> Vec<u8> {
    let Ok(html) = String::from_utf8(bytes) else {
        return Vec::new();
    };
    match html.find("</head>") {
        Some(i) => {
            let mut out = String::with_capacity(html.len() + LIVERELOAD_TAG.len());
            out.push_str(&html[..i]);
            out.push_str(LIVERELOAD_TAG);
            out.push_str(&html[i..]);
            out.into_bytes()
        }
        None => html.into_bytes(),
    }
}

/// The URL path as a path below the site root, or `None` if it tries to leave it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let mut out = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => out.push(s),
        }
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Adds a header; a value that is not a valid header (a stray newline) is left out.
fn with_header(response: Reply, name: &str, value: &str) -> Reply {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

fn text(status: u16, body: &str) -> Reply {
    let response = Response::from_string(body).with_status_code(StatusCode(status));
    with_header(response, "Content-Type", "text/plain; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_segments_cannot_leave_the_site() {
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/a/%2e%2e/b"), None);
        assert_eq!(safe_relative("/a/b/"), Some(PathBuf::from("a/b")));
    }

    /// A site with one page, `x/`, served at `base`.
    fn site_at(base: &str) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/index.html"), "<head></head>hi").unwrap();
        std::fs::write(dir.path().join("404.html"), "gone").unwrap();
        let site = Site {
            root: dir.path().to_owned(),
            base: base.into(),
        };
        (dir, site)
    }

    #[test]
    fn folders_without_slash_redirect_so_relative_assets_resolve() {
        let (_dir, site) = site_at("/");
        let status = |url| respond(&site, url, false).status_code();
        assert_eq!(status("/x"), StatusCode(301));
        assert_eq!(status("/x/"), StatusCode(200));
        assert_eq!(status("/missing"), StatusCode(404));
    }

    #[test]
    fn a_site_with_a_base_path_is_served_below_it_and_the_top_leads_there() {
        let (_dir, site) = site_at("/proj/");
        let reply = |url| respond(&site, url, false);
        assert_eq!(reply("/proj/x/").status_code(), StatusCode(200));
        assert_eq!(reply("/proj/x").status_code(), StatusCode(301));
        assert_eq!(reply("/proj").status_code(), StatusCode(301));
        let top = reply("/");
        assert_eq!(top.status_code(), StatusCode(302));
        assert!(
            top.headers()
                .iter()
                .any(|h| h.field.equiv("Location") && h.value == "/proj/")
        );
        // Outside the base path there is nothing, as on the host.
        assert_eq!(reply("/x/").status_code(), StatusCode(404));
        assert_eq!(reply("/projx/").status_code(), StatusCode(404));
    }

    #[test]
    fn live_reload_is_injected_only_when_watching() {
        let page = b"<html><head><title>t</title></head><body></body></html>".to_vec();
        let injected = String::from_utf8(inject_live_reload(page)).unwrap();
        assert!(injected.contains(&format!("{LIVERELOAD_TAG}</head>")));
    }
}
