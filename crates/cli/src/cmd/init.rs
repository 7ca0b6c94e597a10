//! `checkdown init`: scaffold a new checklist site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to create the site in.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Site title for checkdown.toml.
    #[arg(long, default_value = "Checklists")]
    title: String,
}

const EXAMPLE: &str = include_str!("../../../../site/init/release.md");

pub fn run(args: InitArgs) -> anyhow::Result<ExitCode> {
    let files: [(PathBuf, String); 3] = [
        (
            args.dir.join(crate::config::FILE_NAME),
            format!(
                "# checkdown site settings; command-line flags override them.\n\
                 [site]\ntitle = {title:?}\n\
                 # Where the site will be hosted; enables canonical links and sitemap.xml.\n\
                 # base_url = \"https://example.github.io/checklists/\"\n\n\
                 [build]\nsource = \"checklists\"\noutput = \"dist\"\n\
                 # theme = \"theme\"   # templates here override the built-in ones\n",
                title = args.title
            ),
        ),
        (args.dir.join("checklists/release.md"), EXAMPLE.to_owned()),
        (args.dir.join(".gitignore"), "/dist\n".to_owned()),
    ];
    // Check everything first, so init either writes all files or none.
    for (path, _) in &files {
        if path.exists() {
            bail!(
                "{} already exists; init does not overwrite files",
                path.display()
            );
        }
    }
    for (path, text) in &files {
        write_new(path, text)?;
        println!("created {}", path.display());
    }
    // The next command runs from the new site's folder; say so when that is elsewhere.
    let next = if args.dir == Path::new(".") {
        "checkdown serve".to_owned()
    } else {
        format!("cd {} && checkdown serve", shell_word(&args.dir))
    };
    println!("\nNext: {next}   (then open http://127.0.0.1:8000/)");
    Ok(ExitCode::SUCCESS)
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// A path as one shell word, quoted only when it needs to be, so it can be pasted.
fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./~+".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
