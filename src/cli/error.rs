//! The library's error type: every failure a command can end with.

use miette::Diagnostic;

use crate::plan::PlanErrors;
use crate::render::RenderError;

/// Any error of a streamscale command.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
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
    /// A live operation failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// A Cloudflare call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cloudflare(crate::cloudflare::CloudflareError),
    /// A usage error the argument parser cannot see.
    #[error("{message}")]
    #[diagnostic(code(usage))]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do instead.
        #[help]
        help: Option<String>,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

impl From<crate::aws::AwsError> for Error {
    fn from(e: crate::aws::AwsError) -> Self {
        Error::Engine(crate::engine::EngineError::Aws(e))
    }
}

impl From<crate::cloudflare::CloudflareError> for Error {
    fn from(e: crate::cloudflare::CloudflareError) -> Self {
        Error::Cloudflare(e)
    }
}
