//! The page templates: built in (embedded like mdBook's theme), each one overridable by
//! a file of the same name in a user theme folder.

use std::path::Path;

use anyhow::Context as _;
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
    /// A theme replaced `content.html`, so page bodies go through the template
    /// engine instead of the native writer that matches the built-in one.
    custom_content: bool,
}

impl Templates {
    pub fn new(theme: Option<&Path>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_filter("highlight", highlight_filter);
        let mut custom_content = false;
        for (name, builtin) in BUILTIN {
            let user = theme.map(|dir| dir.join(name)).filter(|p| p.is_file());
            match user {
                Some(path) => {
                    custom_content |= *name == "content.html";
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading template {}", path.display()))?;
                    env.add_template_owned(name.to_string(), text)
                        .with_context(|| format!("in template {}", path.display()))?;
                }
                None => env
                    .add_template(name, builtin)
                    .with_context(|| format!("in built-in template {name}"))?,
            }
        }
        Ok(Self {
            env,
            custom_content,
        })
    }

    /// The page body: natively unless a theme has its own `content.html`.
    pub fn content(&self, checklist: &checkdown_core::Checklist) -> anyhow::Result<String> {
        if self.custom_content {
            self.render_content(checklist)
        } else {
            Ok(crate::content::render(checklist))
        }
    }

    fn render_content(&self, checklist: &checkdown_core::Checklist) -> anyhow::Result<String> {
        self.render("content.html", minijinja::context! { checklist })
    }

    #[cfg(test)]
    pub fn render_content_for_test(
        &self,
        checklist: &checkdown_core::Checklist,
    ) -> anyhow::Result<String> {
        self.render_content(checklist)
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> anyhow::Result<String> {
        let template = self.env.get_template(name)?;
        template
            .render(ctx)
            .with_context(|| format!("rendering template {name}"))
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
            .with_context(|| format!("rendering template {name}"))?;
        Ok(out)
    }
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
