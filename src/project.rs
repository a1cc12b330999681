//! The project a user keeps in git (SPEC §2): its root, `streamscale.toml`,
//! where environments, templates and rendered files live.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::plan::{self, Plan};
use crate::render::{self, Rendered, Templates};

/// `streamscale.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where `render` writes (default `out`).
    #[serde(default = "default_out")]
    pub output_dir: PathBuf,
    /// Where a project's own templates override the built-in ones (default `templates`).
    #[serde(default = "default_templates")]
    pub template_dir: PathBuf,
    /// Where plans live (default `environments`).
    #[serde(default = "default_envs")]
    pub environments_dir: PathBuf,
}

fn default_out() -> PathBuf {
    "out".into()
}
fn default_templates() -> PathBuf {
    "templates".into()
}
fn default_envs() -> PathBuf {
    "environments".into()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            output_dir: default_out(),
            template_dir: default_templates(),
            environments_dir: default_envs(),
        }
    }
}

/// A project root and its settings.
#[derive(Debug, Clone)]
pub struct Project {
    /// The root folder (the current folder, or `-C DIR`).
    pub root: PathBuf,
    /// Its settings.
    pub settings: Settings,
}

impl Project {
    /// Open the project at `root`, reading `streamscale.toml` if present.
    pub fn open(root: &Path) -> Result<Self, Error> {
        let file = root.join("streamscale.toml");
        let settings = match std::fs::read_to_string(&file) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::Settings {
                path: file.display().to_string(),
                message: e.message().to_string(),
            })?,
            Err(_) => Settings::default(),
        };
        Ok(Project {
            root: root.to_path_buf(),
            settings,
        })
    }

    /// The plan file of `env`: `environments/ENV.toml`, or `env` itself when
    /// it contains a `/` or ends in `.toml`.
    pub fn env_path(&self, env: &str) -> PathBuf {
        if env.contains('/') || env.ends_with(".toml") {
            let p = PathBuf::from(env);
            if p.is_absolute() {
                p
            } else {
                self.root.join(p)
            }
        } else {
            self.root
                .join(&self.settings.environments_dir)
                .join(format!("{env}.toml"))
        }
    }

    /// Load and check the plan of `env`.
    pub fn load_plan(&self, env: &str) -> Result<Plan, Error> {
        Ok(plan::load(&self.env_path(env))?)
    }

    /// The templates: built-in, overridden by the project's own.
    pub fn templates(&self) -> Result<Templates, Error> {
        Ok(Templates::with_overrides(
            &self.root.join(&self.settings.template_dir),
        )?)
    }

    /// `out/<env>`.
    pub fn out_dir(&self, plan: &Plan) -> PathBuf {
        self.root
            .join(&self.settings.output_dir)
            .join(&plan.environment)
    }

    /// Render a plan with this project's templates.
    pub fn render(&self, plan: &Plan) -> Result<Rendered, Error> {
        Ok(render::render(plan, &self.templates()?)?)
    }
}
