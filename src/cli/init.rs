//! `init [DIR]`: a working starter project.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Outcome;
use crate::cli::Error;
use streamscale_core::render::templates::BUILT_IN;

/// `init [DIR] [--force]`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the project (default: the current folder).
    dir: Option<PathBuf>,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
}

/// The example plans `init` writes.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "environments/demo.toml",
        include_str!("../../environments/demo.toml"),
    ),
    (
        "environments/base.toml",
        include_str!("../../environments/base.toml"),
    ),
    (
        "environments/staging.toml",
        include_str!("../../environments/staging.toml"),
    ),
    (
        "environments/prod.toml",
        include_str!("../../environments/prod.toml"),
    ),
];

const SETTINGS: &str = "# streamscale project settings (all optional)\n\
output_dir = \"out\"          # rendered files: out/<env>/\n\
template_dir = \"templates\"  # your edits here override the built-in templates\n";

/// Write the starter project.
pub fn run(cwd: &Path, args: &InitArgs) -> Result<Outcome, Error> {
    let root = match &args.dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => cwd.join(d),
        None => cwd.to_path_buf(),
    };
    let mut files: Vec<(String, String)> = vec![
        ("streamscale.toml".into(), SETTINGS.into()),
        (".gitignore".into(), "/out\n".into()),
    ];
    files.extend(EXAMPLES.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    files.extend(
        BUILT_IN
            .iter()
            .map(|t| (format!("templates/{}", t.path), t.text.to_string())),
    );
    let existing: Vec<&str> = files
        .iter()
        .filter(|(p, _)| root.join(p).exists())
        .map(|(p, _)| p.as_str())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Error::Usage {
            message: format!("{} already has {}", root.display(), existing.join(", ")),
            help: Some("pass --force to overwrite them, or init another folder".into()),
        });
    }
    for (rel, text) in &files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    eprintln!(
        "created a streamscale project in {} ({} files)\n\nnext:\n  cd {}\n  streamscale validate -e demo\n  streamscale render -e demo",
        root.display(),
        files.len(),
        root.display()
    );
    Ok(Outcome::Ok)
}
