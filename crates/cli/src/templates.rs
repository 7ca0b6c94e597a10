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
];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new(theme: Option<&Path>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        for (name, builtin) in BUILTIN {
            let user = theme.map(|dir| dir.join(name)).filter(|p| p.is_file());
            match user {
                Some(path) => {
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
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> anyhow::Result<String> {
        let template = self.env.get_template(name)?;
        template
            .render(ctx)
            .with_context(|| format!("rendering template {name}"))
    }
}
