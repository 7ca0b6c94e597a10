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
    /// Write the built-in page templates into `theme/` to start a theme from (in a
    /// new or an existing site). Keep only the ones you change: the others then
    /// follow checkdown's own as it is upgraded.
    #[arg(long)]
    theme: bool,
}

const EXAMPLE: &str = include_str!("../../../../site/init/release.md");

pub fn run(args: InitArgs) -> anyhow::Result<ExitCode> {
    let config = args.dir.join(crate::config::FILE_NAME);
    preflight(&args)?;
    if args.theme {
        // Nothing is overwritten, and nothing written unless all of it can be.
        let theme = args.dir.join("theme");
        let templates = crate::templates::Templates::builtin();
        if let Some((name, _)) = templates.iter().find(|(name, _)| theme.join(name).exists()) {
            bail!(
                "{} already exists; init does not overwrite files",
                theme.join(name).display()
            );
        }
        if config.exists() {
            return write_theme(&args.dir, Some(&config));
        }
    }
    let text = format!(
        "# checkdown site settings; command-line flags override them.\n\
         [site]\ntitle = {title:?}\n\
         # Where the site will be hosted: makes canonical links absolute, adds sitemap.xml,\n\
         # and the 404 page needs it when the site is not at the host's root (GitHub Pages\n\
         # project sites are at /<repo>/).\n\
         # base_url = \"https://example.github.io/checklists/\"\n\n\
         [build]\nsource = \"checklists\"\noutput = \"dist\"\n\
         {theme}theme = \"theme\"   # templates here override the built-in ones\n\
         # static = \"static\" # files copied into every build as they are (CNAME, logo)\n",
        title = args.title,
        theme = if args.theme { "" } else { "# " },
    );
    // The one file init cannot merge with: check it before writing anything.
    if config.exists() {
        bail!(
            "{} already exists; init does not overwrite files",
            config.display()
        );
    }
    // Checklists already there are the site; an example would be published with them.
    let checklists = args.dir.join("checklists");
    let has_checklists = checklists.is_dir()
        && crate::source::discover(&checklists, &crate::source::Exclude::default())
            .is_ok_and(|found| !found.is_empty());
    write_new(&config, &text)?;
    println!("created {}", config.display());
    if has_checklists {
        println!("kept {} (no example added)", checklists.display());
    } else {
        let example = checklists.join("release.md");
        write_new(&example, EXAMPLE)?;
        println!("created {}", example.display());
    }
    // Most projects have a .gitignore already: the built site is added to it, and
    // the folder a build is made in, which one killed outright leaves until the next.
    let ignore = args.dir.join(".gitignore");
    const STAGING: &str = ".checkdown-build-*";
    match std::fs::read_to_string(&ignore) {
        Ok(existing) => {
            let has = |names: &[&str]| existing.lines().any(|l| names.contains(&l.trim()));
            let mut missing = Vec::new();
            if !has(&["/dist", "dist", "dist/", "/dist/"]) {
                missing.push("/dist");
            }
            if !has(&[STAGING, "/.checkdown-build-*"]) {
                missing.push(STAGING);
            }
            if !missing.is_empty() {
                let sep = if existing.is_empty() || existing.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                let lines: String = missing.iter().map(|l| format!("{l}\n")).collect();
                write_new(&ignore, &format!("{existing}{sep}{lines}"))?;
                println!("added {} to {}", missing.join(" and "), ignore.display());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            write_new(&ignore, &format!("/dist\n{STAGING}\n"))?;
            println!("created {}", ignore.display());
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", ignore.display())),
    }
    // The next command runs from the new site's folder; say so when that is elsewhere.
    let next = if args.dir == Path::new(".") {
        "checkdown serve".to_owned()
    } else {
        format!("cd {} && checkdown serve", shell_word(&args.dir))
    };
    if args.theme {
        write_theme(&args.dir, None)?;
    }
    println!("\nNext: {next}   (then open http://127.0.0.1:8000/)");
    Ok(ExitCode::SUCCESS)
}

/// The built-in templates of this version, written into `<dir>/theme` (which `run`
/// checked holds none of them) to start a theme from. `config`: an existing site's
/// checkdown.toml, which is read (never written) to say whether it uses the folder yet.
fn write_theme(dir: &Path, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let theme = dir.join("theme");
    for (name, text) in crate::templates::Templates::builtin() {
        write_new(&theme.join(name), text)?;
    }
    println!(
        "wrote the built-in templates to {} (keep only the ones you change)",
        theme.display()
    );
    if let Some(config) = config {
        let uses = crate::config::Config::load(Some(config))?
            .build
            .theme
            .is_some();
        if !uses {
            println!(
                "to use them, set `theme = \"theme\"` under [build] in {}",
                config.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Everything init writes, checked before it writes any of it: a file where it makes a
/// folder, a folder or a pipe where it writes a file, or a link to nothing, would stop
/// it half way, with a checkdown.toml written that a second `init` refuses to touch.
fn preflight(args: &InitArgs) -> anyhow::Result<()> {
    let refuse = |path: &Path, what: &str, makes: &str| {
        bail!(
            "{} is {what}, where init would make a {makes}; nothing was written. Rename \
             it, or run init in another folder",
            path.display()
        )
    };
    let kind = |path: &Path| -> Option<&'static str> {
        let meta = path.symlink_metadata().ok()?;
        Some(match std::fs::metadata(path) {
            Err(_) => "a link to nothing",
            Ok(m) if m.is_dir() => "a folder",
            Ok(m) if m.is_file() => "a file",
            Ok(_) if meta.is_symlink() => "a link to something that is neither file nor folder",
            Ok(_) => "neither file nor folder (a pipe or a device)",
        })
    };
    let checklists = args.dir.join("checklists");
    let mut folders = vec![args.dir.clone(), checklists.clone()];
    let mut files = vec![
        args.dir.join(crate::config::FILE_NAME),
        args.dir.join(".gitignore"),
        checklists.join("release.md"),
    ];
    if args.theme {
        let theme = args.dir.join("theme");
        files.extend(
            crate::templates::Templates::builtin()
                .iter()
                .map(|(name, _)| theme.join(name)),
        );
        folders.push(theme);
    }
    for folder in &folders {
        match kind(folder) {
            None | Some("a folder") => {}
            Some(what) => return refuse(folder, what, "folder"),
        }
    }
    for file in &files {
        match kind(file) {
            None | Some("a file") => {}
            Some(what) => return refuse(file, what, "file"),
        }
    }
    Ok(())
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
