//! `checkdown.toml`: site settings and where things are. Command-line flags win over it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

pub const FILE_NAME: &str = "checkdown.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub site: SiteConfig,
    #[serde(default)]
    pub build: BuildConfig,
    /// Folder the file was read from; relative paths in it are relative to this.
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Shown in the header and the index page's title.
    pub title: Option<String>,
    /// Where the site will live, e.g. `https://acme.github.io/runbooks/`. Used for
    /// canonical links, the sitemap and the 404 page's asset paths.
    pub base_url: Option<String>,
    /// The language pages are written in (a BCP 47 tag, default `en`); a checklist's
    /// front matter `lang` wins for its own page.
    pub lang: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    pub source: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub theme: Option<PathBuf>,
    /// Files copied into every build as they are (a `CNAME`, a logo); default: the
    /// `static` folder beside checkdown.toml, when there is one.
    #[serde(rename = "static")]
    pub static_dir: Option<PathBuf>,
    /// Files below `source` that are not checklists (`drafts/**`, `notes.txt`).
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Config {
    /// Reads `path`, or `./checkdown.toml` when no path is given and that file exists.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
            None => return Ok(Self::default()),
        };
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let (line, col) = line_col(&String::from_utf8_lossy(&e.as_bytes()[..at]), at);
            anyhow::anyhow!(
                "{}:{line}:{col}: not UTF-8 (invalid byte at offset {at}); save it as UTF-8",
                path.display()
            )
        })?;
        let mut config: Self = toml::from_str(&text).map_err(|e| {
            let (line, col) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
            let mut message = e.message().trim_end().to_owned();
            // "duplicate key" alone leaves the author to find which one.
            if message == "duplicate key" {
                if let Some(key) = e.span().and_then(|s| text.get(s)) {
                    message = format!("duplicate key `{}`", key.trim());
                }
            }
            anyhow::anyhow!("{}:{line}:{col}: {message}", path.display())
        })?;
        config.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        // Where each checked value is written, for the errors below: a search for the
        // key's name would find it in a comment or inside another value first.
        #[derive(serde::Deserialize, Default)]
        struct Spans {
            #[serde(default)]
            site: SiteSpans,
            #[serde(default)]
            build: BuildSpans,
        }
        #[derive(serde::Deserialize, Default)]
        struct BuildSpans {
            #[serde(default)]
            exclude: Vec<toml::Spanned<String>>,
        }
        #[derive(serde::Deserialize, Default)]
        struct SiteSpans {
            base_url: Option<toml::Spanned<String>>,
            lang: Option<toml::Spanned<String>>,
        }
        let spans: Spans = toml::from_str(&text).unwrap_or_default();
        let at = |value: &Option<toml::Spanned<String>>| {
            line_col(&text, value.as_ref().map_or(0, |v| v.span().start))
        };
        if let Some(url) = &config.site.base_url {
            // Where the site is published: pages link from its path and the sitemap
            // lists it, so a query or a fragment would end up inside every link.
            let problem = if !(url.starts_with("https://") || url.starts_with("http://")) {
                Some("must be an absolute http(s) URL")
            } else if url.contains(['?', '#']) {
                Some("cannot have a query (`?…`) or a fragment (`#…`): it is where the site lives")
            } else if url.contains(char::is_whitespace) {
                Some("cannot contain spaces; write them as %20")
            } else if url.contains(['"', '\'', '<', '>', '`', '\\']) {
                // Every page links from its path, inside HTML attributes.
                Some("cannot contain quotes, backslashes or angle brackets; percent-encode them")
            } else {
                None
            };
            if let Some(problem) = problem {
                let (line, col) = at(&spans.site.base_url);
                anyhow::bail!(
                    "{}:{line}:{col}: site.base_url {problem}, got {url:?}",
                    path.display()
                );
            }
        }
        // Checked here, where each pattern's place in the file is known.
        for pattern in &spans.build.exclude {
            if let Err(err) = globset::Glob::new(pattern.get_ref()) {
                let (line, col) = line_col(&text, pattern.span().start);
                anyhow::bail!(
                    "{}:{line}:{col}: build.exclude: {:?} is not a glob pattern: {}",
                    path.display(),
                    pattern.get_ref(),
                    err.kind()
                );
            }
        }
        if let Some(lang) = &config.site.lang {
            if !checkdown_core::is_language_tag(lang) {
                let (line, col) = at(&spans.site.lang);
                anyhow::bail!(
                    "{}:{line}:{col}: site.lang must be a language tag such as \"en\", \"de\" or \"pt-BR\", got {lang:?}",
                    path.display()
                );
            }
        }
        Ok(config)
    }

    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    /// `base_url` with exactly one trailing slash, and letters outside ASCII
    /// percent-encoded, as a sitemap's `<loc>` must be.
    pub fn base_url(&self) -> Option<String> {
        self.site.base_url.as_ref().map(|u| {
            let encoded = percent_encoding::utf8_percent_encode(
                u.trim_end_matches('/'),
                percent_encoding::CONTROLS,
            );
            format!("{encoded}/")
        })
    }

    /// The path part of `base_url` (`/runbooks/`), or `/`.
    pub fn base_path(&self) -> String {
        let Some(url) = self.base_url() else {
            return "/".to_owned();
        };
        let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_owned(),
            None => "/".to_owned(),
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Config {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn base_path_comes_from_the_base_url() {
        let c = parse("[site]\nbase_url = \"https://acme.github.io/runbooks\"\n");
        assert_eq!(
            c.base_url().as_deref(),
            Some("https://acme.github.io/runbooks/")
        );
        assert_eq!(c.base_path(), "/runbooks/");
        assert_eq!(Config::default().base_path(), "/");
        // A sitemap's <loc> and the pages' links carry it percent-encoded.
        let c = parse("[site]\nbase_url = \"https://ex.com/über/\"\n");
        assert_eq!(c.base_url().as_deref(), Some("https://ex.com/%C3%BCber/"));
        assert_eq!(c.base_path(), "/%C3%BCber/");
    }

    #[test]
    fn a_base_url_with_a_query_fragment_space_or_quote_is_refused_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        for (url, says) in [
            ("https://ex.com/x/?q=1", "cannot have a query"),
            ("https://ex.com/x/#top", "cannot have a query"),
            ("https://ex.com/a b/", "cannot contain spaces"),
            ("ex.com/x/", "must be an absolute http(s) URL"),
            (r#"https://ex.com/a"><img/src=x>/"#, "cannot contain quotes"),
            ("https://ex.com/a`b/", "cannot contain quotes"),
        ] {
            // A TOML literal string: the URL as written, quotes and all.
            std::fs::write(
                &path,
                format!("[site]\ntitle = \"T\"\nbase_url = '{url}'\n"),
            )
            .unwrap();
            let err = Config::load(Some(&path)).unwrap_err().to_string();
            assert!(
                err.contains("checkdown.toml:3:1") && err.contains(says),
                "{err}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_rejected_with_a_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "[site]\ntitel = \"x\"\n").unwrap();
        let err = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("checkdown.toml:2:1"), "{err}");
        assert!(err.contains("titel"), "{err}");
    }
}
