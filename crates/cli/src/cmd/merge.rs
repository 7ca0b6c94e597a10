//! `checkdown merge`: combine two people's evidence for the same run, with the same
//! rules as the browser client's import.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The first evidence file.
    a: PathBuf,
    /// The second evidence file.
    b: PathBuf,
    /// The checklist both are for (file, source folder or built site).
    #[arg(long)]
    checklist: PathBuf,
    /// Where to write the merged evidence.
    #[arg(short, long)]
    out: PathBuf,
}

pub fn run(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let a = super::verify::load_evidence(&args.a)?;
    let b = super::verify::load_evidence(&args.b)?;
    let checklist = super::verify::find_checklist(
        &args.checklist,
        &a.checklist.id,
        &a.checklist.source_sha256,
    )?;
    // As the page does on import: a file exported before the checklist was edited is
    // read as this version's run, its progress on what is gone kept as orphans.
    let a = this_version(a, &args.a, &checklist)?;
    let b = this_version(b, &args.b, &checklist)?;
    let (merged, conflicts) = checkdown_core::evidence::merge(&a, &b, &checklist)
        .with_context(|| format!("merging {} and {}", args.a.display(), args.b.display()))?;
    let json = serde_json::to_vec_pretty(&merged).context("serialising the merged evidence")?;
    super::verify::write_output(&args.out, &[&args.a, &args.b, &args.checklist], &json)?;
    // With the merged file on standard output (`-o -`), what is said goes beside it.
    let mut out: Box<dyn Write> = if args.out == Path::new("-") {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    };
    writeln!(
        out,
        "merged {} + {} events into {} ({} events)",
        a.events.len(),
        b.events.len(),
        args.out.display(),
        merged.events.len()
    )?;
    if !conflicts.is_empty() {
        writeln!(out, "{} item(s) differed:", conflicts.len())?;
        for c in &conflicts {
            writeln!(
                out,
                "  - {}: {} vs {}; {}",
                c.item, c.ours, c.theirs, c.resolution
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn this_version(
    evidence: checkdown_core::evidence::Evidence,
    path: &std::path::Path,
    checklist: &checkdown_core::Checklist,
) -> anyhow::Result<checkdown_core::evidence::Evidence> {
    if evidence.checklist.source_sha256 == checklist.source_sha256
        || evidence.checklist.id != checklist.id
    {
        // Same version, or another checklist, which `merge` reports.
        return Ok(evidence);
    }
    match checkdown_core::run::rebase(&evidence, checklist) {
        Ok(mut rebased) => {
            // As the page does: a sign-off whose own line changed was not given for
            // what this version asks, and is taken back.
            let withdrawn = rebased.withdraw_reworded(checklist, "checkdown merge");
            let again = rebased.evidence(checklist);
            eprintln!(
                "note: {} was exported from another version of the checklist; read as this version's run{}",
                path.display(),
                match again.orphans.len() {
                    0 => String::new(),
                    n => format!(
                        ", with {n} change(s) to items or fields this version no longer has kept as orphans"
                    ),
                }
            );
            if !withdrawn.is_empty() {
                eprintln!(
                    "note: sign-off(s) withdrawn because the checklist changed after they were given: {}",
                    withdrawn.join(", ")
                );
            }
            Ok(again)
        }
        Err(findings) => {
            let why: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
            anyhow::bail!(
                "{} is for another version of the checklist and does not hold: {}",
                path.display(),
                why.join("; ")
            )
        }
    }
}
