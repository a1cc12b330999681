//! The project a user keeps in git (SPEC §2): its root, `streamscale.toml`,
//! where environments, templates and rendered files live. Every file the
//! core needs is read here, and every file `render` makes is written here.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use streamscale_core::plan::{self, Plan, PlanErrors, PlanFiles};
use streamscale_core::render::templates::BUILT_IN;
use streamscale_core::render::{self, RenderError, Rendered, TemplateOverride, Templates};

/// Errors of the project's files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ProjectError {
    /// The plan is invalid (with file, line and column).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanErrors),
    /// Rendering failed.
    #[error(transparent)]
    #[diagnostic(
        code(render),
        help("check the project's templates/ overrides against `streamscale init`'s")
    )]
    Render(#[from] RenderError),
    /// `streamscale.toml` is invalid.
    #[error("{path}: {message}")]
    #[diagnostic(
        code(settings),
        help("keys allowed: output_dir, template_dir, environments_dir")
    )]
    Settings {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    #[diagnostic(code(io))]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl ProjectError {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        ProjectError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

type Error = ProjectError;

/// Plan files on disk, named relative to the working folder in messages.
pub struct DiskFiles;

impl PlanFiles for DiskFiles {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
    }

    fn display(&self, path: &Path) -> String {
        if let Ok(cwd) = std::env::current_dir()
            && let Ok(rel) = path.strip_prefix(&cwd)
        {
            return rel.display().to_string();
        }
        path.display().to_string()
    }
}

/// Load, merge, check and size the plan file at `path`.
pub fn load_plan(path: &Path) -> Result<Plan, PlanErrors> {
    plan::load(path, &DiskFiles)
}

/// A plan from text, as if read from `path` (its `extends` are read from disk).
pub fn plan_from_str(path: &Path, text: &str) -> Result<Plan, PlanErrors> {
    plan::from_text(path, text, &DiskFiles)
}

/// The built-in templates, each replaced by `dir/<path>` where that file exists.
pub fn templates_in(dir: &Path) -> Result<Templates, ProjectError> {
    let mut overrides = Vec::new();
    for t in BUILT_IN {
        let p = dir.join(t.path);
        if p.is_file() {
            let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
            overrides.push(TemplateOverride {
                path: t.path,
                text,
                origin: p.display().to_string(),
            });
        }
    }
    Ok(Templates::with_overrides(&overrides)?)
}

/// Write every rendered file under `dir` (usually `out/<env>`), creating
/// folders, and remove the folders of regions no longer in the plan. Files
/// whose bytes do not change are left alone (their mtimes stay meaningful).
pub fn write_rendered(rendered: &Rendered, dir: &Path) -> Result<Vec<PathBuf>, ProjectError> {
    let aws = dir.join("aws");
    if let Ok(entries) = std::fs::read_dir(&aws) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !rendered.stacks.iter().any(|s| s.region == name) {
                std::fs::remove_dir_all(e.path()).map_err(|err| Error::io(e.path(), err))?;
            }
        }
    }
    let mut written = Vec::new();
    for (rel, text) in rendered.files() {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            std::fs::write(&path, &text).map_err(|e| Error::io(&path, e))?;
        }
        written.push(path);
    }
    Ok(written)
}

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
    /// The root folder: `-C DIR`, else the nearest folder up from the
    /// current one holding `streamscale.toml`, else the current folder.
    pub root: PathBuf,
    /// Its settings.
    pub settings: Settings,
    /// The instant this run renders for: the clock, or `--now` /
    /// `STREAMSCALE_NOW` (events past it are left out of the stacks).
    pub now: chrono::DateTime<chrono::Utc>,
    /// What a relative plan path (`-e envs/x.toml`) is relative to: the
    /// root, or the folder the command runs in when the root was found
    /// above it.
    pub base: PathBuf,
}

/// The nearest folder from `start` up that holds `streamscale.toml` (as
/// git and cargo find their roots), if any.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("streamscale.toml").is_file())
        .map(Path::to_path_buf)
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
            // No file: the defaults. Any other read error (permissions, a
            // directory, not UTF-8) is an error, never "no settings".
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(e) => return Err(Error::io(&file, e)),
        };
        Ok(Project {
            root: root.to_path_buf(),
            settings,
            now: chrono::Utc::now(),
            base: root.to_path_buf(),
        })
    }

    /// The same project, with relative plan paths taken from `base`.
    pub fn relative_to(self, base: &Path) -> Self {
        Project {
            base: base.to_path_buf(),
            ..self
        }
    }

    /// The same project, rendering for `now` instead of the clock.
    pub fn at(self, now: chrono::DateTime<chrono::Utc>) -> Self {
        Project { now, ..self }
    }

    /// The plan file of `env`: `environments/ENV.toml`, or `env` itself when
    /// it contains a `/` or ends in `.toml`.
    pub fn env_path(&self, env: &str) -> PathBuf {
        if env.contains('/') || env.ends_with(".toml") {
            let p = PathBuf::from(env);
            if p.is_absolute() {
                p
            } else {
                self.base.join(p)
            }
        } else {
            self.root
                .join(&self.settings.environments_dir)
                .join(format!("{env}.toml"))
        }
    }

    /// Load and check the plan of `env`.
    pub fn load_plan(&self, env: &str) -> Result<Plan, Error> {
        Ok(load_plan(&self.env_path(env))?)
    }

    /// The templates: built-in, overridden by the project's own.
    pub fn templates(&self) -> Result<Templates, Error> {
        templates_in(&self.root.join(&self.settings.template_dir))
    }

    /// `out/<env>`.
    pub fn out_dir(&self, plan: &Plan) -> PathBuf {
        self.root
            .join(&self.settings.output_dir)
            .join(&plan.environment)
    }

    /// Render a plan with this project's templates, as it stands at
    /// [`Project::now`].
    pub fn render(&self, plan: &Plan) -> Result<Rendered, Error> {
        Ok(render::render(plan, &self.templates()?, self.now)?)
    }
}

/// Write each region's stack outputs to `out/<env>/aws/<region>/outputs.json`.
pub fn write_outputs(
    out_dir: &Path,
    regions: &[String],
    known: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
) -> Result<(), ProjectError> {
    for r in regions {
        if let Some(o) = known.get(r) {
            let dir = out_dir.join("aws").join(r);
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            let path = dir.join("outputs.json");
            let text = render::to_pretty(&serde_json::json!(o));
            std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Write the Cloudflare bodies with stack outputs resolved to
/// `out/<env>/cloudflare/resolved/`; the folder.
pub fn write_resolved_cloudflare(
    out_dir: &Path,
    bodies: &std::collections::BTreeMap<&'static str, serde_json::Value>,
) -> Result<PathBuf, ProjectError> {
    let dir = out_dir.join("cloudflare").join("resolved");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    for (name, body) in bodies {
        let path = dir.join(name);
        std::fs::write(&path, render::to_pretty(body)).map_err(|e| Error::io(&path, e))?;
    }
    Ok(dir)
}
