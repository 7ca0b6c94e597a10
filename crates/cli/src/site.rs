//! Writing a built site: pages, data, assets with content-hashed names, sitemap.
//!
//! Each page's template data comes from that page alone (plus the small site-wide
//! settings), so build time grows linearly with the number of checklists.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use checkdown_core::{Checklist, ItemKind};
use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::client::{BOOT_JS, CLIENT, FAVICON_SVG, STYLE_CSS, THEME_JS};
use crate::templates::Templates;

/// Site-wide settings every page sees.
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    pub title: String,
    /// With a trailing slash, when configured.
    pub base_url: Option<String>,
    /// Path prefix of the site on its host (`/` or `/runbooks/`).
    pub base_path: String,
    /// The language of pages whose checklist names none (`site.lang`, else `en`).
    pub lang: String,
}

/// Asset paths below the site root, with content hashes for cache busting.
#[derive(Debug, Clone, Serialize)]
pub struct Assets {
    pub style: String,
    pub favicon: String,
    pub script: Option<String>,
    /// Sets the chosen colour theme before the first paint; with the client only,
    /// which is what offers the choice.
    pub theme: Option<String>,
    #[serde(skip)]
    files: Vec<(String, Vec<u8>)>,
}

fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(5).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn hashed(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("assets/{stem}.{}.{ext}", short_hash(bytes))
}

impl Assets {
    pub fn new() -> Self {
        Self::with(CLIENT.as_ref())
    }

    fn with(client: Option<&crate::client::Client>) -> Self {
        let mut files = Vec::new();
        let style = hashed("style", "css", STYLE_CSS.as_bytes());
        files.push((style.clone(), STYLE_CSS.as_bytes().to_vec()));
        let favicon = hashed("favicon", "svg", FAVICON_SVG.as_bytes());
        files.push((favicon.clone(), FAVICON_SVG.as_bytes().to_vec()));
        let script = client.map(|client| {
            let js = hashed("checkdown-web", "js", client.js);
            let wasm = hashed("checkdown-web_bg", "wasm", client.wasm);
            // The loader names the hashed files, so its own hash changes with theirs.
            let boot = BOOT_JS
                .replace("./checkdown-web.js", &format!("./{}", file_name(&js)))
                .replace("checkdown-web_bg.wasm", file_name(&wasm));
            let boot_name = hashed("checkdown", "js", boot.as_bytes());
            files.push((js, client.js.to_vec()));
            files.push((wasm, client.wasm.to_vec()));
            files.push((boot_name.clone(), boot.into_bytes()));
            boot_name
        });
        let theme = script.is_some().then(|| {
            let theme = hashed("theme", "js", THEME_JS.as_bytes());
            files.push((theme.clone(), THEME_JS.as_bytes().to_vec()));
            theme
        });
        Self {
            style,
            favicon,
            script,
            theme,
            files,
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What a page says of its language.
struct Language {
    lang: String,
    dir: Option<&'static str>,
    /// Attributes for the page's own words (its controls and notices), which are
    /// English whatever the checklist is in: ` lang="en"` on a page in another
    /// language, so a screen reader speaks them as English (WCAG 3.1.2), and
    /// ` dir="ltr"` on a right-to-left one. Empty on an English page.
    chrome: String,
}

/// See [`Language::chrome`].
fn chrome_attrs(lang: &str) -> String {
    let english = lang
        .split('-')
        .next()
        .is_some_and(|primary| primary.eq_ignore_ascii_case("en"));
    let mut attrs = String::new();
    if !english {
        attrs.push_str(" lang=\"en\"");
    }
    if checkdown_core::is_right_to_left(lang) {
        attrs.push_str(" dir=\"ltr\"");
    }
    attrs
}

/// An index entry as the index template reads it, with the attributes of its
/// language where that is not the site's.
#[derive(Serialize)]
struct IndexRow<'a> {
    #[serde(flatten)]
    entry: &'a IndexEntry,
    /// ` lang` (and `dir`) of a checklist in another language than the site's.
    attrs: String,
    /// The entry's English words, as [`Language::chrome`] in the entry's language.
    chrome: String,
}

/// What the index shows of one checklist. Builds keep only this per checklist in
/// memory, not the whole model, so memory stays flat as sites grow.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub item_count: usize,
    pub signoff_count: usize,
    /// The index tells a progress summary counted on an earlier version by it.
    pub source_sha256: String,
    /// The checklist's own language, where it names one: its title is in it.
    pub lang: Option<String>,
}

impl From<&Checklist> for IndexEntry {
    fn from(c: &Checklist) -> Self {
        // Many checklists share a title ("Production Deployment Checklist"); the
        // version and a line of text are what tell them apart in the index.
        let version = c.version.clone().or_else(|| {
            c.meta
                .iter()
                .find(|m| m.key.eq_ignore_ascii_case("version"))
                .map(|m| m.value.clone())
        });
        Self {
            id: c.id.clone(),
            title: c.title.clone(),
            version,
            description: blurb(c),
            tags: c.tags.clone(),
            item_count: c.item_count(),
            signoff_count: c.signoff_count(),
            source_sha256: c.source_sha256.clone(),
            lang: c.lang.clone(),
        }
    }
}

/// Longest blurb the index and link previews show; search engines cut near here too.
const BLURB_LEN: usize = 200;

/// The front matter description, else the intro's first paragraph, cut at a word.
fn blurb(c: &Checklist) -> Option<String> {
    let text = c.description.as_deref().or(c.summary.as_deref())?.trim();
    if text.chars().count() <= BLURB_LEN {
        return Some(text.to_owned());
    }
    let cut = text
        .char_indices()
        .nth(BLURB_LEN)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = head.rfind(' ').map_or(head, |i| &head[..i]);
    Some(format!(
        "{}…",
        head.trim_end_matches([',', ';', ':', '.', ' '])
    ))
}

/// What `checklist.html` sees of its checklist: the header, not the body, which
/// arrives already rendered as `content`. Handing the template engine the whole model
/// cost more than rendering it.
#[derive(Serialize)]
struct Header<'a> {
    id: &'a str,
    title: &'a str,
    source_sha256: &'a str,
    version: Option<&'a str>,
    owner: Option<&'a str>,
    description: Option<&'a str>,
    /// For `<meta name="description">`: the description or the intro's summary.
    blurb: Option<String>,
    tags: &'a [String],
    meta: &'a [checkdown_core::MetaEntry],
    fields: &'a [checkdown_core::Field],
}

impl<'a> From<&'a Checklist> for Header<'a> {
    fn from(c: &'a Checklist) -> Self {
        Self {
            id: &c.id,
            title: &c.title,
            source_sha256: &c.source_sha256,
            version: c.version.as_deref(),
            owner: c.owner.as_deref(),
            description: c.description.as_deref(),
            blurb: blurb(c),
            tags: &c.tags,
            meta: &c.meta,
            fields: &c.fields,
        }
    }
}

/// Per-section counts for the table of contents.
#[derive(Serialize)]
struct TocEntry<'a> {
    id: &'a str,
    title: &'a str,
    level: u8,
    items: usize,
}

fn toc(checklist: &Checklist) -> Vec<TocEntry<'_>> {
    fn count(s: &checkdown_core::Section) -> usize {
        fn items(list: &[checkdown_core::Item]) -> usize {
            list.iter().map(|i| 1 + items(&i.children)).sum()
        }
        items(&s.items) + s.sections.iter().map(count).sum::<usize>()
    }
    checklist
        .all_sections()
        .into_iter()
        .filter(|s| s.level <= 3)
        .map(|s| TocEntry {
            id: &s.id,
            title: &s.title,
            level: s.level,
            items: count(s),
        })
        .collect()
}

/// Renders and writes the parts of a site; `serve` uses the parts to rebuild only what
/// changed, `build` all of them.
pub struct Renderer<'a> {
    templates: &'a Templates,
    site: &'a SiteInfo,
    assets: Assets,
    /// Update files in place atomically (a live site) rather than plainly (staging).
    pub in_place: bool,
    /// When staging a rebuild: the staging folder and the site it will replace. A
    /// file that comes out byte for byte as before is hard-linked from the old site
    /// rather than written again.
    pub reuse: Option<(PathBuf, PathBuf)>,
}

impl<'a> Renderer<'a> {
    pub fn new(templates: &'a Templates, site: &'a SiteInfo) -> Self {
        Self {
            templates,
            site,
            assets: Assets::new(),
            in_place: false,
            reuse: None,
        }
    }

    /// Pages without the browser client (`build --no-client`): they read and print,
    /// and say that ticks on them are not saved.
    pub fn without_client(&mut self) {
        self.assets = Assets::with(None);
    }

    /// Writes a file of the site as the renderer writes its pages: linked from the
    /// previous site when unchanged.
    pub fn put_file(&self, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        self.put(path, bytes)
    }

    fn put(&self, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        if self.in_place {
            return write_atomic(path, bytes);
        }
        if self.link_unchanged(path, bytes) {
            return Ok(());
        }
        write(path, bytes)
    }

    /// Links `path` to the previous site's copy when that has exactly `bytes`. Most
    /// pages of a rebuild are unchanged: linking them skips writing the data, leaves
    /// deleting the old site nothing to free, and keeps their modification times, so
    /// a sync to a host uploads only what changed. Any failure (another file system,
    /// one without links) only means the file is written as usual.
    fn link_unchanged(&self, path: &Path, bytes: &[u8]) -> bool {
        let Some((staging, previous)) = &self.reuse else {
            return false;
        };
        let Ok(relative) = path.strip_prefix(staging) else {
            return false;
        };
        let old = previous.join(relative);
        let same = std::fs::symlink_metadata(&old)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && std::fs::read(&old).is_ok_and(|b| b == bytes);
        same && path
            .parent()
            .is_some_and(|p| std::fs::create_dir_all(p).is_ok())
            && std::fs::hard_link(&old, path).is_ok()
    }

    /// How a page reaches the site's top: from the base URL's path where the site says
    /// where it is served, else relative to the page. Relative links break on a host
    /// that serves `/deploy` as the page `/deploy/` without redirecting (`../assets/`
    /// then leaves the site); only a known base can be right from both.
    fn root<'s>(&'s self, relative: &'s str) -> &'s str {
        match &self.site.base_url {
            Some(_) => &self.site.base_path,
            None => relative,
        }
    }

    /// How a checklist's page reaches another's folder: see `root`.
    pub fn page_root(&self) -> &str {
        self.root("../")
    }

    fn canonical(&self, path: &str) -> String {
        match &self.site.base_url {
            Some(base) => format!("{base}{path}"),
            None => "./".to_owned(),
        }
    }

    /// `lang` and, for a right-to-left language, `dir` of a page in `lang` (or in the
    /// site's language), and the attributes of the page's own words in it.
    fn language(&self, lang: Option<&str>) -> Language {
        let lang = lang.unwrap_or(&self.site.lang);
        let rtl = checkdown_core::is_right_to_left(lang);
        Language {
            lang: lang.to_owned(),
            dir: rtl.then_some("rtl"),
            chrome: chrome_attrs(lang),
        }
    }

    pub fn write_index(&self, root: &Path, entries: &[IndexEntry]) -> anyhow::Result<()> {
        let Language { lang, dir, chrome } = self.language(None);
        // In the order a file manager shows the files: `2-deploy` before
        // `10-rollback`, so numbering the files orders the index.
        let mut sorted: Vec<&IndexEntry> = entries.iter().collect();
        sorted.sort_by(|a, b| natural_order(&a.id, &b.id));
        let rows: Vec<IndexRow<'_>> = sorted
            .into_iter()
            .map(|entry| {
                let own = entry.lang.as_deref().filter(|l| *l != lang);
                let mut attrs = String::new();
                if let Some(l) = own {
                    // A tag is letters, digits and dashes: nothing to escape.
                    attrs = format!(" lang=\"{l}\"");
                    match (checkdown_core::is_right_to_left(l), dir.is_some()) {
                        (true, false) => attrs.push_str(" dir=\"rtl\""),
                        (false, true) => attrs.push_str(" dir=\"ltr\""),
                        _ => {}
                    }
                }
                IndexRow {
                    entry,
                    attrs,
                    chrome: own.map_or_else(|| chrome.clone(), chrome_attrs),
                }
            })
            .collect();
        let index = self.templates.render(
            "index.html",
            context! {
                lang,
                dir,
                chrome,
                root => self.root(""),
                site => self.site,
                assets => &self.assets,
                has_client => self.assets.script.is_some(),
                checklists => rows,
                canonical => self.canonical(""),
            },
        )?;
        self.put(&root.join("index.html"), index.as_bytes())?;
        if let Some(base) = &self.site.base_url {
            self.put(&root.join("sitemap.xml"), sitemap(base, entries).as_bytes())?;
        }
        Ok(())
    }

    /// The 404 page is served for any missing path, at any depth, so its links are
    /// absolute paths from the site's base.
    pub fn write_404(&self, root: &Path) -> anyhow::Result<()> {
        let Language { lang, dir, chrome } = self.language(None);
        let page = self.templates.render(
            "404.html",
            context! {
                lang,
                dir,
                chrome,
                root => &self.site.base_path,
                site => self.site,
                assets => &self.assets,
                // For the theme the reader chose, and its toggle; it finds nothing
                // else to do on this page.
                has_client => self.assets.script.is_some(),
            },
        )?;
        self.put(&root.join("404.html"), page.as_bytes())
    }

    pub fn write_page(&self, root: &Path, checklist: &Checklist) -> anyhow::Result<()> {
        let dir = root.join(&checklist.id);
        let items = checklist.all_items();
        let done = items.iter().filter(|i| i.checked).count();
        // Tasks and sign-offs are counted apart: sign-offs wait on the tasks, and one
        // number for both disagreed with the "sign-off is blocked" count.
        let required_open = items
            .iter()
            .filter(|i| i.kind == ItemKind::Task && i.required && !i.checked)
            .count();
        let signoff_count = items.iter().filter(|i| i.kind == ItemKind::Signoff).count();
        let signoffs_given = items
            .iter()
            .filter(|i| i.kind == ItemKind::Signoff && i.checked)
            .count();
        let Language {
            lang,
            dir: direction,
            chrome,
        } = self.language(checklist.lang.as_deref());
        let content = self.templates.content(checklist, &chrome)?;
        let model = client_model(checklist);
        let capacity = content.len() + model.len() + 16 * 1024;
        let page = self
            .templates
            .render_sized(
                "checklist.html",
                context! {
                    lang,
                    dir => direction,
                    chrome,
                    root => self.root("../"),
                    site => self.site,
                    assets => &self.assets,
                    has_client => self.assets.script.is_some(),
                    checklist => Header::from(checklist),
                    // Marked safe here, not with `|safe` in the template: the filter
                    // copies the whole body twice per page.
                    content => minijinja::Value::from_safe_string(content),
                    toc => toc(checklist),
                    item_count => items.len(),
                    done_count => done,
                    required_open,
                    signoff_count,
                    signoffs_given,
                    model => minijinja::Value::from_safe_string(model),
                    canonical => self.canonical(&format!("{}/", checklist.id)),
                },
                capacity,
            )
            .with_context(|| format!("writing the page of checklist `{}`", checklist.id))?;
        // The page is the checklist's only file: the model it embeds for the client is
        // also what `verify` reads from a built site. A theme that leaves it out makes
        // a page on which ticks are never saved, and nothing says so.
        let has = |needle: &[u8]| memchr::memmem::find(&page, needle).is_some();
        if !has(br#"id="checkdown-model""#) || !has(b"data-checklist=") {
            anyhow::bail!(
                "the page of checklist `{}` has no checklist model: a theme's checklist.html \
                 must keep `data-checklist` on its <main> and \
                 `<script type=\"application/json\" id=\"checkdown-model\">{{{{ model }}}}</script>`, \
                 which the client and `checkdown verify` read (`checkdown init --theme` writes the \
                 built-in templates to start from)",
                checklist.id
            );
        }
        self.put(&dir.join("index.html"), &page)
    }

    pub fn write_assets(&self, root: &Path) -> anyhow::Result<()> {
        for (path, bytes) in &self.assets.files {
            self.put(&root.join(path), bytes)?;
        }
        // Published with every site, so a pipeline can validate evidence offline.
        let schema = serde_json::to_vec_pretty(&checkdown_core::evidence_schema())
            .context("serialising the evidence schema")?;
        self.put(&root.join("schema/evidence.v1.json"), &schema)
    }
}

/// Where a page embeds its model, between this and `</script>`.
pub const MODEL_OPEN: &str = r#"<script type="application/json" id="checkdown-model">"#;

/// The model a built page embeds: the JSON after [`MODEL_OPEN`]. Its `<` are written
/// as `\u003c`, which JSON reads back as `<`, so it parses as it stands.
pub fn embedded_model(page: &str) -> Option<&str> {
    let start = page.find(MODEL_OPEN)? + MODEL_OPEN.len();
    let len = page[start..].find("</script>")?;
    Some(&page[start..start + len])
}

/// The checklist's rules as JSON for the page's `<script type="application/json">`.
/// `<` is escaped so no text in the checklist can close the script element early.
fn client_model(checklist: &Checklist) -> String {
    let json = checklist.rules_json();
    // Nearly every model has no `<` at all; replacing would copy it regardless.
    if json.contains('<') {
        json.replace('<', "\\u003c")
    } else {
        json
    }
}

fn sitemap(base: &str, checklists: &[IndexEntry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str| {
        let loc = format!("{base}{path}")
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let _ = writeln!(xml, "  <url><loc>{loc}</loc></url>");
    };
    url("");
    for c in checklists {
        // The sitemap protocol takes URLs, whose letters outside ASCII are
        // percent-encoded (`déploiement` is `d%C3%A9ploiement`).
        let id = percent_encoding::utf8_percent_encode(&c.id, percent_encoding::CONTROLS);
        url(&format!("{id}/"));
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Writes a file by renaming a finished temporary file over it, so a reader (the dev
/// server, a browser reloading) never sees half a page. Used when updating a live site
/// in place; full builds write into a staging folder instead.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    // Through a link to the file it names, which keeps its permissions: replacing the
    // link itself would leave the file it pointed at as it was.
    let resolved = path.canonicalize().ok().filter(|p| p.is_file());
    let path = resolved.as_deref().unwrap_or(path);
    let permissions = resolved
        .as_deref()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.permissions());
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("creating folder {}", parent.display()))?;
    let tmp = parent.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        std::process::id()
    ));
    // A full disk or a rename refused must leave neither a stray temporary file nor,
    // above all, a cut-short `path`.
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("writing {}", tmp.display()))
        .and_then(|()| match &permissions {
            Some(p) => std::fs::set_permissions(&tmp, p.clone())
                .with_context(|| format!("setting the permissions of {}", tmp.display())),
            None => Ok(()),
        })
        .and_then(|()| {
            std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Compares two IDs as people order names: runs of digits by their number, the rest
/// without regard to case. Ties (`a` and `A`) fall back to the bytes, so the order is
/// total and a build is repeatable.
fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> impl Iterator<Item = &str> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digit = first.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digit)
                .unwrap_or(rest.len());
            let (run, after) = rest.split_at(end);
            rest = after;
            Some(run)
        })
    }
    let key = |run: &str| -> (bool, usize, String) {
        if run.starts_with(|c: char| c.is_ascii_digit()) {
            // Leading zeros aside, a longer run of digits is a larger number.
            let digits = run.trim_start_matches('0');
            (false, digits.len(), digits.to_owned())
        } else {
            (true, 0, run.to_lowercase())
        }
    };
    runs(a)
        .map(key)
        .cmp(runs(b).map(key))
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::natural_order;

    #[test]
    fn the_index_orders_ids_as_a_file_manager_does() {
        let mut ids = vec![
            "Zebra",
            "ops/10-rollback",
            "api",
            "ops/2-deploy",
            "ops/02-deploy-again",
            "API",
            "ops/deploy",
        ];
        ids.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            ids,
            [
                "API",
                "api",
                "ops/2-deploy",
                "ops/02-deploy-again",
                "ops/10-rollback",
                "ops/deploy",
                "Zebra"
            ]
        );
    }
}
