//! The handlebars templates: built-in ones embedded in the binary, a
//! project's own `templates/` overriding them file by file. Strict mode, no
//! HTML escaping (the output is JSON), and a `json` helper that writes any
//! context value as a JSON literal.

use std::sync::RwLock;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason, Template,
};

use super::{RenderError, parallel};

/// A built-in template: its name (path under `templates/`) and text.
pub struct BuiltIn {
    /// Path under `templates/`, e.g. `aws/stack.json.hbs`.
    pub path: &'static str,
    /// The template text.
    pub text: &'static str,
}

/// The templates compiled into the binary; `init` writes them out.
pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        path: "aws/stack.json.hbs",
        text: include_str!("../../../../templates/aws/stack.json.hbs"),
    },
    BuiltIn {
        path: "aws/security.json.hbs",
        text: include_str!("../../../../templates/aws/security.json.hbs"),
    },
    BuiltIn {
        path: "aws/logging.json.hbs",
        text: include_str!("../../../../templates/aws/logging.json.hbs"),
    },
    BuiltIn {
        path: "aws/network.json.hbs",
        text: include_str!("../../../../templates/aws/network.json.hbs"),
    },
    BuiltIn {
        path: "aws/compute.json.hbs",
        text: include_str!("../../../../templates/aws/compute.json.hbs"),
    },
    BuiltIn {
        path: "aws/cache.json.hbs",
        text: include_str!("../../../../templates/aws/cache.json.hbs"),
    },
    BuiltIn {
        path: "aws/database.json.hbs",
        text: include_str!("../../../../templates/aws/database.json.hbs"),
    },
    BuiltIn {
        path: "aws/search.json.hbs",
        text: include_str!("../../../../templates/aws/search.json.hbs"),
    },
    BuiltIn {
        path: "aws/kubernetes.json.hbs",
        text: include_str!("../../../../templates/aws/kubernetes.json.hbs"),
    },
    BuiltIn {
        path: "aws/monitoring.json.hbs",
        text: include_str!("../../../../templates/aws/monitoring.json.hbs"),
    },
    BuiltIn {
        path: "aws/alarms.json.hbs",
        text: include_str!("../../../../templates/aws/alarms.json.hbs"),
    },
];

/// The name the main stack template is registered under.
pub const STACK: &str = "aws/stack.json.hbs";

/// The built-in partials of the tiers most plans leave out (the stack
/// template includes them under `{{#if …}}`): compiled only when a render
/// first includes one, since compiling is most of a small render's time.
/// (The cache, which most plans have, is compiled up front with the rest:
/// a render that finds a partial missing is made again.)
const OPTIONAL: [&str; 4] = ["database", "search", "kubernetes", "monitoring"];

/// A registry of compiled templates.
pub struct Templates {
    registry: RwLock<Handlebars<'static>>,
    /// Built-in optional partials ([`OPTIONAL`]) not compiled yet: name and text.
    deferred: Vec<(String, &'static str)>,
    /// Which templates came from the project (for messages).
    pub overridden: Vec<String>,
}

impl Templates {
    /// The built-in templates only.
    pub fn builtin() -> Result<Self, RenderError> {
        Self::with_overrides(&[])
    }

    /// The built-in templates, each replaced by the override of the same
    /// path where one is given (the project reads them from its folder).
    pub fn with_overrides(overrides: &[TemplateOverride]) -> Result<Self, RenderError> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("json", Box::new(json_helper));
        let mut overridden = Vec::new();
        let mut sources = Vec::new();
        let mut deferred = Vec::new();
        // A partial block (`{{#> name}}fallback{{/name}}`) renders its
        // fallback where the partial is missing: then nothing is deferred.
        let partial_blocks = BUILT_IN
            .iter()
            .map(|t| t.text)
            .chain(overrides.iter().map(|o| o.text.as_str()))
            .any(|text| text.contains("#>"));
        for t in BUILT_IN {
            // Partials are registered under their stem: `{{> network}}`.
            let name = partial_name(t.path);
            let (text, origin) = match overrides.iter().find(|o| o.path == t.path) {
                Some(o) => {
                    overridden.push(o.origin.clone());
                    (o.text.as_str(), o.origin.clone())
                }
                None if !partial_blocks && OPTIONAL.contains(&name.as_str()) => {
                    deferred.push((name, t.text));
                    continue;
                }
                None => (t.text, format!("built-in {}", t.path)),
            };
            sources.push((name, text, origin));
        }
        // Compiling is most of a render's fixed cost (handlebars works out
        // the line and column of every element from the start of the text):
        // one template per thread, as `register_template_string` would.
        let compiled = parallel::map_in_order(&sources, |(name, text, origin)| {
            Template::compile_with_name(text, name.clone()).map_err(|e| RenderError::Template {
                template: origin.clone(),
                message: e.to_string(),
            })
        })?;
        for ((name, _, _), template) in sources.iter().zip(compiled) {
            registry.register_template(name, template);
        }
        Ok(Templates {
            registry: RwLock::new(registry),
            deferred,
            overridden,
        })
    }

    /// Render the template `path` with `data`. A deferred partial the
    /// render includes is compiled then, and the render made again.
    pub fn render(&self, path: &str, data: &serde_json::Value) -> Result<String, RenderError> {
        let name = partial_name(path);
        // Each deferred partial is compiled at most once: the last attempt
        // returns whatever the render gives.
        for _ in 0..self.deferred.len() {
            let rendered = self.render_compiled(&name, data);
            match &rendered {
                Err(e) if matches!(e.reason(), RenderErrorReason::PartialNotFound(p) if self.compile_deferred(p)) =>
                    {}
                _ => return Self::finish(path, rendered),
            }
        }
        Self::finish(path, self.render_compiled(&name, data))
    }

    fn render_compiled(
        &self,
        name: &str,
        data: &serde_json::Value,
    ) -> Result<String, handlebars::RenderError> {
        self.registry
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .render(name, data)
    }

    fn finish(
        path: &str,
        rendered: Result<String, handlebars::RenderError>,
    ) -> Result<String, RenderError> {
        rendered.map_err(|e| RenderError::Template {
            template: path.to_string(),
            message: e.to_string(),
        })
    }

    /// Compile and register the deferred partial `name` (unless another
    /// render did meanwhile): `false` when there is none of that name.
    fn compile_deferred(&self, name: &str) -> bool {
        let Some((_, text)) = self.deferred.iter().find(|(n, _)| n == name) else {
            return false;
        };
        let mut registry = self
            .registry
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if registry.get_template(name).is_some() {
            // Another render compiled it meanwhile.
            return true;
        }
        // Built-in templates compile (tests render every one of them).
        match Template::compile_with_name(text, name.to_string()) {
            Ok(t) => {
                registry.register_template(name, t);
                true
            }
            Err(_) => false,
        }
    }
}

/// A project's own version of a built-in template.
#[derive(Debug, Clone)]
pub struct TemplateOverride {
    /// The built-in template's path (`aws/network.json.hbs`).
    pub path: &'static str,
    /// The project's text.
    pub text: String,
    /// Where it came from, for messages.
    pub origin: String,
}

/// `aws/network.json.hbs` → `network`; the stack template keeps its path.
fn partial_name(path: &str) -> String {
    if path == STACK {
        return path.to_string();
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    file.split('.').next().unwrap_or(file).to_string()
}

/// `{{json value}}`: the value as a JSON literal (strings quoted and escaped).
fn json_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let param = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("json", 0))?;
    let text = serde_json::to_string(param.value())
        .map_err(|e| RenderErrorReason::Other(e.to_string()))?;
    out.write(&text)?;
    Ok(())
}
