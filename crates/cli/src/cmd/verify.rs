//! `checkdown verify`: the pipeline gate. Exit 0 when the evidence holds, 1 when it
//! does not (with every reason), 2 when the input cannot be used at all.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use checkdown_core::Checklist;
use checkdown_core::evidence::{self, Evidence};
use sha2::{Digest as _, Sha256};

use super::check::Format;
use crate::source;

/// Evidence is a few hundred KiB at most; anything far bigger is not evidence.
const MAX_EVIDENCE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The evidence JSON exported from a run (`-` reads it from standard input).
    evidence: PathBuf,
    /// The checklist: a Markdown file, a folder of sources, or a built site.
    #[arg(long)]
    checklist: PathBuf,
    /// Fail unless the evidence names this subject digest (e.g. the image being deployed).
    #[arg(long)]
    require_subject: Option<String>,
    /// `human`: whether the evidence holds, and a list of what does not. `json`: the
    /// findings with their kinds, for a pipeline.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    // An unset CI variable (`--require-subject "$IMAGE_DIGEST"`) must not read as a
    // digest that evidence merely fails to match.
    // So must `sha256:` with nothing after it, as `"sha256:${DIGEST}"` gives.
    if let Some(d) = args.require_subject.as_deref().filter(|d| {
        let d = d.trim();
        d.is_empty()
            || d.split_once(':')
                .is_some_and(|(_, value)| value.trim().is_empty())
    }) {
        anyhow::bail!(
            "--require-subject {d:?} names no digest: give the digest of what is being \
             released (is the variable it is read from set?)"
        );
    }
    // A pipeline reading JSON gets JSON even when the input cannot be used.
    let unusable = |err: anyhow::Error| -> anyhow::Result<ExitCode> {
        if args.format == Format::Human {
            return Err(err);
        }
        let doc = serde_json::json!({ "ok": false, "error": format!("{err:#}") });
        eprintln!("error: {err:#}");
        quiet_pipe(writeln!(std::io::stdout().lock(), "{doc:#}"))?;
        Ok(ExitCode::from(2))
    };
    let evidence = match load_evidence(&args.evidence) {
        Ok(evidence) => evidence,
        Err(err) => return unusable(err),
    };
    let checklist = match find_checklist(
        &args.checklist,
        &evidence.checklist.id,
        &evidence.checklist.source_sha256,
    ) {
        Ok(checklist) => checklist,
        // Evidence for a checklist the folder does not have fails as evidence for
        // another checklist does: a finding, exit 1.
        Err(err) if err.downcast_ref::<NotHere>().is_some() => {
            let finding = evidence::Finding {
                kind: evidence::FindingKind::Checklist,
                message: err.to_string(),
                target: None,
            };
            quiet_pipe(report(&args, &evidence, None, &[finding], false))?;
            return Ok(ExitCode::FAILURE);
        }
        Err(err) => return unusable(err),
    };
    let findings = evidence::verify(&evidence, &checklist, args.require_subject.as_deref());
    let ok = findings.is_empty();
    let written = report(&args, &evidence, Some(&checklist), &findings, ok);
    quiet_pipe(written)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A reader that stopped early (`verify … | head`) is not a failure of the check: the
/// exit code still says whether the evidence holds.
pub fn quiet_pipe(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Names as written by people, cut for one line of output: a run name may be long.
fn short(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

/// A finding quotes what the file says (a subject, an ID), and the file may be hostile:
/// a newline would forge an `ok:` line in a CI log, and terminal escapes could hide
/// text. Control characters are shown escaped, as Rust's `{:?}` shows them.
/// Characters that reorder the text around them (U+202E and the like): shown, they
/// can make a line read as something other than what it says.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn printable(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn report(
    args: &VerifyArgs,
    evidence: &Evidence,
    checklist: Option<&Checklist>,
    findings: &[evidence::Finding],
    ok: bool,
) -> std::io::Result<()> {
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "ok": ok,
                "checklist": evidence.checklist.id,
                "run": evidence.run.name,
                "events": evidence.events.len(),
                "head": evidence.head,
                "orphans": evidence.orphans.len(),
                "findings": findings,
            });
            writeln!(std::io::stdout().lock(), "{doc:#}")?;
        }
        Format::Human => {
            let mut out = std::io::stdout().lock();
            if ok {
                writeln!(
                    out,
                    "ok: evidence holds for {:?}, run {:?} ({} events, head {})",
                    short(&evidence.checklist.title),
                    short(&evidence.run.name),
                    evidence.events.len(),
                    &evidence.head[..evidence.head.len().min(12)]
                )?;
            } else {
                writeln!(
                    out,
                    "FAILED: evidence for {:?}, run {:?} does not hold:",
                    short(&evidence.checklist.title),
                    short(&evidence.run.name)
                )?;
                // One broken file can give a finding per event: a CI log needs the
                // first ones, which name the cause.
                const SHOWN: usize = 30;
                let places = checklist
                    .map(Checklist::places_of_repeated_texts)
                    .unwrap_or_default();
                for f in findings.iter().take(SHOWN) {
                    writeln!(out, "  - {}{}", printable(&f.message), place(f, &places))?;
                }
                if findings.len() > SHOWN {
                    writeln!(
                        out,
                        "  … and {} more (--format json lists them all)",
                        findings.len() - SHOWN
                    )?;
                }
            }
            if !evidence.orphans.is_empty() {
                let n = evidence.orphans.len();
                writeln!(
                    out,
                    "note: {n} {} for items or fields this version of the checklist no longer has {} kept in the file as orphans; {} for nothing here",
                    if n == 1 { "change" } else { "changes" },
                    if n == 1 { "is" } else { "are" },
                    if n == 1 { "it counts" } else { "they count" },
                )?;
            }
        }
    }
    Ok(())
}

/// Where a finding's item is, when another item has its text: three open items all
/// called "Connection pooling configured" are told apart by their sections.
fn place(f: &evidence::Finding, places: &evidence::IdMap<String>) -> String {
    let Some((id, place)) = f
        .target
        .as_deref()
        .and_then(|id| Some((id, places.get(id)?)))
    else {
        return String::new();
    };
    // The ID too: two such items may share a place, and it is what `--format json`
    // gives as the finding's `target`.
    printable(&format!(" (in {place:?}, {id})"))
}

/// `-o -` is standard output, as `-` is standard input where evidence is read.
pub fn write_output(out: &Path, inputs: &[&Path], bytes: &[u8]) -> anyhow::Result<()> {
    if out == Path::new("-") {
        return quiet_pipe(std::io::stdout().lock().write_all(bytes));
    }
    if let Ok(target) = out.canonicalize() {
        for input in inputs {
            let Ok(input_real) = input.canonicalize() else {
                continue;
            };
            // A folder given as the checklist is read whole (its sources, or a built
            // site's pages): no file already in it is to be written over.
            let read = if input_real.is_dir() {
                target.starts_with(&input_real)
            } else {
                target == input_real
            };
            if read {
                bail!(
                    "-o {} is {}{}, which this command reads: write to another file",
                    out.display(),
                    if input_real.is_dir() { "in " } else { "" },
                    input.display()
                );
            }
        }
    }
    crate::site::write_atomic(out, bytes)
}

pub fn load_evidence(path: &Path) -> anyhow::Result<Evidence> {
    use std::io::Read as _;
    // Read up to the limit rather than trusting the size the file system gives: a pipe
    // (`verify <(curl …)`) or a device has none, and `/dev/zero` never ends.
    let mut bytes = Vec::new();
    // `-` is standard input, as for most tools: `curl … | checkdown verify - …`.
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_EVIDENCE_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_EVIDENCE_BYTES + 1).read_to_end(&mut bytes))
            .with_context(|| format!("reading {}", path.display()))?;
    }
    if bytes.len() as u64 > MAX_EVIDENCE_BYTES {
        bail!(
            "{}: over {} MiB is too large to be evidence",
            path.display(),
            MAX_EVIDENCE_BYTES / 1024 / 1024
        );
    }
    // Windows PowerShell's `>` writes UTF-16, which reads as no JSON at all.
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        bail!(
            "{}: the file is UTF-16, not UTF-8 (Windows PowerShell's `>` writes that); save \
             it as UTF-8, e.g. with `Out-File -Encoding utf8`, or download it again",
            path.display()
        );
    }
    // Some editors on Windows save JSON with a byte order mark; it is not content.
    let json = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    // Said in the file's terms first: serde's own words for a wrong file ("invalid
    // length 0, expected struct Evidence with 13 elements") name none of them.
    // The position leads, as file:line:col; serde's own " at line 2 column 0" (column
    // 0 before the first character) would only repeat it, worse.
    let at = |e: &serde_json::Error| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        (
            format!("{}:{}:{}", path.display(), e.line(), e.column().max(1)),
            message,
        )
    };
    if json.iter().all(u8::is_ascii_whitespace) {
        bail!("{}: the file is empty", path.display());
    }
    let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
        let (at, message) = at(&e);
        // `verify release.md --checklist run.json`: the two the wrong way round.
        let swapped = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "markdown" | "txt")
        );
        let hint = if swapped {
            " (this looks like a checklist: give the evidence file first, and the checklist \
             with --checklist)"
        } else {
            ""
        };
        anyhow::anyhow!("{at}: not JSON: {message}{hint}")
    })?;
    let holds = match &value {
        serde_json::Value::Object(o) if o.contains_key("format") => None,
        serde_json::Value::Object(_) => Some("a JSON object without a `format` field"),
        serde_json::Value::Array(_) => Some("a JSON list"),
        serde_json::Value::String(_) => Some("a JSON string"),
        _ => Some("a single JSON value"),
    };
    if let Some(holds) = holds {
        bail!(
            "{}: not checkdown evidence: it holds {holds}, where an evidence file is an object \
             with `format`, `version`, `run`, `items`, `events`… (Export evidence writes one)",
            path.display()
        );
    }
    let evidence: Evidence = serde_json::from_slice(json).map_err(|e| {
        let (at, message) = at(&e);
        anyhow::anyhow!("{at}: not checkdown evidence: {message}")
    })?;
    // It still holds for what its log records, but what it says around the log could
    // have been written by anyone: every command that reads it says so.
    if evidence.seal.is_empty() {
        eprintln!(
            "note: {} has no seal: its run name, times and subject are not bound to its log \
             (it was exported by an earlier checkdown, or edited)",
            path.display()
        );
    }
    if evidence.format != evidence::FORMAT || evidence.version != evidence::VERSION {
        bail!(
            "{}: evidence format {} v{} is not supported (expected {} v{})",
            path.display(),
            evidence.format,
            evidence.version,
            evidence::FORMAT,
            evidence::VERSION
        );
    }
    Ok(evidence)
}

/// The checklist the evidence names, from a file, a source folder or a built site.
/// `made_on` is the `source_sha256` the evidence names: a Markdown source that differs
/// from it only in line endings is read as that source (see [`parsed`]).
pub fn find_checklist(path: &Path, id: &str, made_on: &str) -> anyhow::Result<Checklist> {
    if !path.exists() {
        bail!("{}: no such file or folder", path.display());
    }
    if path.is_file() {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => return read_model(path),
            // A built page, read through the model it embeds, not as Markdown.
            Some("html" | "htm") => return read_page(path),
            _ => {}
        }
        // The ID counts from the source folder (`checklists/ops/db.md` is `ops-db`),
        // which a file named alone does not say: the folder above it from which it has
        // the evidence's ID is that folder. With none, its own folder, as `parse` has.
        let root = path
            .ancestors()
            .skip(1)
            .find(|root| source::checklist_id(root, path) == id)
            .or_else(|| path.parent())
            .unwrap_or(Path::new(""));
        return parsed(source::load(root, path)?, path, made_on);
    }
    let page = path.join(id).join("index.html");
    if page.is_file() {
        return read_page(&page);
    }
    // The checklist's own folder of a built site (`dist/<id>/`); the site's index page
    // embeds no model and is passed over.
    if let Ok(c) = read_page(&path.join("index.html")) {
        return Ok(c);
    }
    let mut found = Vec::new();
    let mut others = Vec::new();
    for file in source::discover(path, &source::Exclude::default())? {
        let loaded = source::load(path, &file)?;
        match loaded.parsed.checklist.as_ref() {
            Some(c) if c.id == id => found.push((loaded, file)),
            Some(c) => others.push(c.id.clone()),
            None => {}
        }
    }
    // Two files with the ID (which `build` refuses) would each be "the" checklist:
    // verifying against whichever came first reads as the evidence being wrong.
    if found.len() > 1 {
        let files: Vec<&Path> = found.iter().map(|(_, f)| f.as_path()).collect();
        bail!("{}", source::clash_message(id, &files));
    }
    match found.pop() {
        Some((loaded, file)) => parsed(loaded, &file, made_on),
        // Checklists that are not the evidence's: the evidence does not hold for any
        // of them, as for a single other checklist given by its file (exit 1). An
        // empty folder is no checklist to verify against at all (exit 2).
        None if !others.is_empty() => {
            others.sort();
            Err(NotHere {
                id: id.to_owned(),
                folder: path.display().to_string(),
                others,
            }
            .into())
        }
        None => bail!("no checklist with id `{id}` in {}", path.display()),
    }
}

/// The evidence names a checklist the folder given does not have.
#[derive(Debug)]
pub struct NotHere {
    id: String,
    folder: String,
    others: Vec<String>,
}

impl std::fmt::Display for NotHere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let others: Vec<String> = self
            .others
            .iter()
            .take(10)
            .map(|o| format!("`{o}`"))
            .collect();
        write!(
            f,
            "evidence is for checklist `{}`, which {} does not have (it has {}{}); a \
             checklist's ID is its file's path below the source folder, or `id:` in its \
             front matter: was the file renamed?",
            self.id,
            self.folder,
            others.join(", "),
            if self.others.len() > others.len() {
                ", …"
            } else {
                ""
            }
        )
    }
}

impl std::error::Error for NotHere {}

/// The checklist model a built page embeds.
fn read_page(page: &Path) -> anyhow::Result<Checklist> {
    let html =
        std::fs::read_to_string(page).with_context(|| format!("reading {}", page.display()))?;
    let json = crate::site::embedded_model(&html).with_context(|| {
        format!(
            "{} is not a checkdown page: it embeds no checklist model",
            page.display()
        )
    })?;
    let compact: checkdown_core::compact::Checklist<'_> =
        serde_json::from_str(json).map_err(|e| {
            // Placed in the page, not in the JSON it holds: the page is what was edited.
            let open = crate::site::MODEL_OPEN;
            let start = html.find(open).map_or(0, |i| i + open.len());
            let in_json: usize = json
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + e.column().saturating_sub(1);
            let before = &html.as_bytes()[..(start + in_json).min(html.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = before.len() - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            let message = e.to_string();
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
            anyhow::anyhow!(
                "{}:{line}:{column}: the checklist model this page embeds does not read ({message}); \
                 the page was edited or cut short: build the site again",
                page.display()
            )
        })?;
    Ok(compact.into())
}

fn parsed(loaded: source::Source, path: &Path, made_on: &str) -> anyhow::Result<Checklist> {
    if loaded.parsed.has_errors() {
        eprint!("{}", crate::report::render(&loaded));
        bail!(
            "{} has errors; fix them before verifying against it",
            path.display()
        );
    }
    let mut checklist = loaded
        .parsed
        .checklist
        .with_context(|| format!("{} is not a checklist", path.display()))?;
    // git's autocrlf checks the same commit out with CRLF on Windows runners and LF
    // elsewhere: the bytes, and so the hash, differ while the checklist does not.
    if checklist.source_sha256 != made_on {
        let twin = if loaded.text.contains("\r\n") {
            loaded.text.replace("\r\n", "\n")
        } else {
            loaded.text.replace('\n', "\r\n")
        };
        let digest = Sha256::digest(twin.as_bytes());
        let twin_sha: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        if twin_sha == made_on {
            eprintln!(
                "note: {} differs from the file the run was made on only in its line endings \
                 (CRLF and LF); read as that file",
                path.display()
            );
            checklist.source_sha256 = twin_sha;
        }
    }
    Ok(checklist)
}

fn read_model(path: &Path) -> anyhow::Result<Checklist> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a checklist model", path.display()))
}
