//! The page templates: built in (embedded like mdBook's theme), each one overridable by
//! a file of the same name in a user theme folder.

use std::path::Path;

use anyhow::{Context as _, bail};
use minijinja::Environment;

const BUILTIN: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../site/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../../site/templates/index.html"),
    ),
    (
        "checklist.html",
        include_str!("../../../site/templates/checklist.html"),
    ),
    ("404.html", include_str!("../../../site/templates/404.html")),
    (
        "content.html",
        include_str!("../../../site/templates/content.html"),
    ),
];

pub struct Templates {
    env: Environment<'static>,
    /// Templates a theme replaced or added, and the file each came from, for error
    /// messages.
    themed: Vec<(String, std::path::PathBuf)>,
    /// A theme replaced `content.html`, so page bodies go through the template
    /// engine instead of the native writer that matches the built-in one.
    custom_content: bool,
}

impl Templates {
    /// The templates a theme may override.
    pub fn names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// The built-in templates, by name: what `init --theme` starts a theme from.
    pub fn builtin() -> &'static [(&'static str, &'static str)] {
        BUILTIN
    }

    pub fn new(theme: Option<&Path>) -> anyhow::Result<Self> {
        if let Some(dir) = theme.filter(|dir| !dir.is_dir()) {
            // A misspelt theme path would otherwise ship the default look, silently.
            anyhow::bail!("theme folder {} does not exist", dir.display());
        }
        let mut env = Environment::new();
        // Errors keep their template's source, so they show the line and what on it
        // failed, in release builds too (minijinja keeps it in debug builds only).
        env.set_debug(true);
        // A misspelt variable (`site.titel`) is an error where it is printed or
        // looped over, but still just false in an `{% if %}`, which themes rely on.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        env.set_formatter(html_formatter);
        env.add_filter("highlight", highlight_filter);
        env.add_function("fill_in_label", fill_in_function);
        let mut custom_content = false;
        let mut themed = Vec::new();
        for (name, builtin) in BUILTIN {
            let user = theme.map(|dir| dir.join(name));
            // Named like a template but none: the built-in one would be used without a
            // word, and the author left wondering why their page does not show.
            if let Some(path) = user.as_ref().filter(|p| !p.is_file()) {
                if let Ok(meta) = path.symlink_metadata() {
                    let what = if meta.is_symlink() && !path.exists() {
                        "a link to nothing"
                    } else {
                        "not a file"
                    };
                    bail!(
                        "{} is {what}, so it cannot replace the built-in {name}; fix or \
                         remove it",
                        path.display()
                    );
                }
            }
            let user = user.filter(|p| p.is_file());
            match user {
                Some(path) => {
                    custom_content |= *name == "content.html";
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading template {}", path.display()))?;
                    env.add_template_owned(name.to_string(), text)
                        .map_err(|e| anyhow::anyhow!(located(&e, &path.display().to_string())))?;
                    themed.push((name.to_string(), path));
                }
                None => env
                    .add_template(name, builtin)
                    .with_context(|| format!("in built-in template {name}"))?,
            }
        }
        // A theme's own pieces (`{% include "banner.html" %}`), so that adding a banner
        // does not mean copying all of base.html and keeping it in step by hand.
        for path in theme.map(partials).unwrap_or_default() {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading template {}", path.display()))?;
            env.add_template_owned(name.clone(), text)
                .map_err(|e| anyhow::anyhow!(located(&e, &path.display().to_string())))?;
            themed.push((name, path));
        }
        Ok(Self {
            env,
            themed,
            custom_content,
        })
    }

    /// Files in a theme folder that no template is read from (`indx.html`, or a piece
    /// no template names), so a build can say they are not used rather than ignore a
    /// typo.
    pub fn unused_files(theme: &Path) -> Vec<std::path::PathBuf> {
        let Ok(entries) = std::fs::read_dir(theme) else {
            return Vec::new();
        };
        let files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        let name_of = |p: &Path| {
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned()
        };
        // What the theme's templates say: a piece is used when one of them names it.
        let texts: Vec<String> = files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        let mut unused: Vec<_> = files
            .iter()
            .filter(|p| {
                let name = name_of(p);
                let named = p.extension().is_some_and(|e| e == "html")
                    && texts.iter().any(|t| {
                        t.contains(&format!("\"{name}\"")) || t.contains(&format!("'{name}'"))
                    });
                !name.starts_with('.') && !BUILTIN.iter().any(|(t, _)| *t == name) && !named
            })
            .cloned()
            .collect();
        unused.sort();
        unused
    }

    /// The page body: natively unless a theme has its own `content.html`.
    /// `chrome`: the attributes of the page's own (English) words, see `site::Language`.
    pub fn content(
        &self,
        checklist: &checkdown_core::Checklist,
        chrome: &str,
    ) -> anyhow::Result<String> {
        if self.custom_content {
            self.render_content(checklist, chrome)
        } else {
            Ok(crate::content::render(checklist, chrome))
        }
    }

    fn render_content(
        &self,
        checklist: &checkdown_core::Checklist,
        chrome: &str,
    ) -> anyhow::Result<String> {
        self.render("content.html", minijinja::context! { checklist, chrome })
    }

    #[cfg(test)]
    pub fn render_content_for_test(
        &self,
        checklist: &checkdown_core::Checklist,
        chrome: &str,
    ) -> anyhow::Result<String> {
        self.render_content(checklist, chrome)
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> anyhow::Result<String> {
        let template = self.env.get_template(name)?;
        template.render(ctx).map_err(|e| self.explain(name, e))
    }

    /// minijinja names the template an error arose in (which may be another than the
    /// one rendered, through `extends`) by its bare name; the author needs the file,
    /// the line, and the line itself, where an undefined value's name is.
    fn explain(&self, name: &str, err: minijinja::Error) -> anyhow::Error {
        // An error in an included piece comes wrapped ("could not render include");
        // what the author needs is the piece's own line and expression.
        let mut err = &err;
        while let Some(inner) = std::error::Error::source(err)
            .and_then(|e| e.downcast_ref::<minijinja::Error>())
            .filter(|inner| inner.line().is_some())
        {
            err = inner;
        }
        let at = err.name().unwrap_or(name);
        let file = self.themed.iter().find(|(n, _)| n == at).map_or_else(
            || format!("built-in template {at}"),
            |(_, p)| p.display().to_string(),
        );
        let mut message = located(err, &file);
        // A theme copied from another version may use names this one does not give.
        let themed = self.themed.iter().any(|(n, _)| n == at);
        if themed && err.kind() == minijinja::ErrorKind::UndefinedError {
            message.push_str(
                "\n  help: the names a template can use are those the built-in templates of \
                 this version use; `checkdown init --theme` writes them out to compare",
            );
        }
        anyhow::anyhow!(message).context(format!("rendering template {name}"))
    }

    /// Renders into a buffer of about the final size: a checklist page carries its
    /// whole body and model, and a buffer grown by doubling copies them several times.
    pub fn render_sized(
        &self,
        name: &str,
        ctx: minijinja::Value,
        capacity: usize,
    ) -> anyhow::Result<Vec<u8>> {
        let template = self.env.get_template(name)?;
        let mut out = Vec::with_capacity(capacity);
        template
            .render_captured_to(ctx, &mut out)
            .map_err(|e| self.explain(name, e))?;
        Ok(out)
    }
}

/// The `.html` files of a theme folder that are not built-in templates: the theme's
/// own pieces, for `include` and `import`.
fn partials(theme: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(theme) else {
        return Vec::new();
    };
    let mut found: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "html"))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !name.starts_with('.') && !BUILTIN.iter().any(|(t, _)| *t == name)
        })
        .collect();
    found.sort();
    found
}

/// minijinja's HTML escaping also escapes `/`, which is safe but turns every URL into
/// `&#x2f;` soup. This escapes what HTML needs (`& < > " '`) and defers the rest.
fn html_formatter(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let plain_string = value.as_str().filter(|_| !value.is_safe());
    match (state.auto_escape(), plain_string) {
        (minijinja::AutoEscape::Html, Some(text)) => {
            // Copy the runs between special characters in one go: most text has none.
            let mut rest = text;
            while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
                out.write_str(&rest[..i])?;
                out.write_str(match rest.as_bytes()[i] {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    _ => "&#x27;",
                })?;
                rest = &rest[i + 1..];
            }
            out.write_str(rest).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// `fill_in_label(item)`: for a task that is one labelled blank, the text its label
/// shows (the blank's label, and a remark in parentheses after the blank); otherwise
/// empty, which reads as false in `{% if %}` and prints nothing (`none` would print
/// "none"). The built-in renderer makes the same choice.
fn fill_in_function(item: minijinja::Value) -> String {
    fill_in_text(&item).unwrap_or_default()
}

fn fill_in_text(item: &minijinja::Value) -> Option<String> {
    let attr = |v: &minijinja::Value, name: &str| v.get_attr(name).ok();
    if attr(item, "kind")?.as_str()? != "task" {
        return None;
    }
    let fields = attr(item, "fields")?;
    if fields.len()? != 1 {
        return None;
    }
    let field = fields.get_item(&minijinja::Value::from(0)).ok()?;
    let label = attr(&field, "label")?;
    let text = attr(item, "text")?;
    let (label, remark) = crate::content::fill_in_parts(text.as_str()?, label.as_str()?)?;
    Some(if remark.is_empty() {
        label.to_owned()
    } else {
        format!("{label} {remark}")
    })
}

/// `{{ code|highlight(lang) }}`: coloured, escaped HTML, or the escaped code as it is.
fn highlight_filter(code: String, lang: Option<String>) -> minijinja::Value {
    minijinja::Value::from_safe_string(highlight_html(&code, lang.as_deref()))
}

pub fn highlight_html(code: &str, lang: Option<&str>) -> String {
    lang.and_then(|l| crate::highlight::highlight(code, l))
        .unwrap_or_else(|| {
            code.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        })
}

/// `err` as `file:line:col: kind: detail`, with its line and a caret under the
/// expression, as the rest of checkdown reports a position.
fn located(err: &minijinja::Error, file: &str) -> String {
    // Where on its line the failing expression is, to point at it.
    let source = err.template_source();
    let at_range = source.zip(err.range()).and_then(|(src, range)| {
        let start = src[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let expr = src.get(range.clone())?;
        Some((src[start..range.start].chars().count(), expr))
    });
    let mut message = match (err.line(), at_range) {
        (Some(line), Some((col, _))) => format!("{file}:{line}:{}: {}", col + 1, err.kind()),
        (Some(line), None) => format!("{file}:{line}: {}", err.kind()),
        _ => format!("{file}: {}", err.kind()),
    };
    if let Some(detail) = err.detail() {
        message.push_str(": ");
        message.push_str(detail);
    } else if let Some((_, expr)) = at_range.filter(|(_, e)| !e.contains('\n')) {
        message.push_str(&format!(": `{expr}`"));
    }
    let source_line = source
        .zip(err.line())
        .and_then(|(src, line)| Some((line, src.lines().nth(line.checked_sub(1)?)?)));
    if let Some((line, text)) = source_line {
        let gutter = line.to_string();
        message.push_str(&format!("\n  {gutter} | {}", text.trim_end()));
        if let Some((col, expr)) = at_range.filter(|(_, e)| !e.contains('\n')) {
            message.push_str(&format!(
                "\n  {} | {}{}",
                " ".repeat(gutter.len()),
                " ".repeat(col),
                "^".repeat(expr.chars().count().max(1))
            ));
        }
    }
    message
}
