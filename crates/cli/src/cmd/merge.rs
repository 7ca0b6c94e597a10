//! `checkdown merge`: combine two people's evidence for the same run, with the same
//! rules as the browser client's import.

use std::io::Write as _;
use std::path::PathBuf;
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
    let checklist = super::verify::find_checklist(&args.checklist, &a.checklist.id)?;
    let (merged, conflicts) = checkdown_core::evidence::merge(&a, &b, &checklist)
        .with_context(|| format!("merging {} and {}", args.a.display(), args.b.display()))?;
    let json = serde_json::to_vec_pretty(&merged).context("serialising the merged evidence")?;
    std::fs::write(&args.out, json).with_context(|| format!("writing {}", args.out.display()))?;
    let mut out = std::io::stdout().lock();
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
