//! `checkdown serve`: build, then serve the output folder on localhost.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use tiny_http::{Header, Response, Server, StatusCode};

use super::build;

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
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let plan = args.build.plan()?;
    let out = plan.out.clone();
    let code = build::build(&plan)?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let server = Server::http((args.host.as_str(), args.port))
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let addr = server
        .server_addr()
        .to_ip()
        .context("the server has no IP address")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Serving {} at http://{addr}/ (Ctrl-C to stop)",
        out.display()
    )?;
    stdout.flush()?;
    drop(stdout);

    for request in server.incoming_requests() {
        let response = respond(&out, request.url());
        // A client that went away is not our problem; keep serving the others.
        let _ = request.respond(response);
    }
    Ok(ExitCode::SUCCESS)
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn respond(root: &Path, url: &str) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let Some(relative) = safe_relative(path) else {
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
    match std::fs::read(&file) {
        Ok(bytes) => {
            let response = with_header(
                Response::from_data(bytes),
                "Content-Type",
                content_type(&file),
            );
            with_header(response, "Cache-Control", "no-cache")
        }
        Err(_) => text(404, "not found"),
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

    #[test]
    fn folders_without_slash_redirect_so_relative_assets_resolve() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        std::fs::write(dir.path().join("x/index.html"), "hi").unwrap();
        assert_eq!(respond(dir.path(), "/x").status_code(), StatusCode(301));
        assert_eq!(respond(dir.path(), "/x/").status_code(), StatusCode(200));
        assert_eq!(
            respond(dir.path(), "/missing").status_code(),
            StatusCode(404)
        );
    }
}
