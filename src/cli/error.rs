//! The error every command can end with, and its exit code (SPEC §5: 1 for
//! any error, usage errors included). It belongs to the CLI: the layers
//! below have their own typed errors, wrapped here.

use miette::Diagnostic;

use crate::engine::EngineError;
use crate::project::ProjectError;
use streamscale_core::plan::PlanErrors;
use streamscale_core::render::RenderError;

/// Any error of a streamscale command.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// The project's files: the plan, templates, settings, rendered files.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Project(#[from] ProjectError),
    /// A live operation failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    /// Ctrl-C (SIGINT) during a live operation: nothing further was
    /// started; what AWS is still doing goes on (exit 130).
    #[error("interrupted: no further region was started{}", still_running(.in_progress))]
    #[diagnostic(
        code(interrupted),
        help(
            "run the same command again: it waits for the stacks still in progress, then plans from what runs"
        )
    )]
    Interrupted {
        /// `region: stack (STATUS)` of each stack still in progress on AWS's side.
        in_progress: Vec<String>,
    },
    /// A risk gate (`--fail-on`, `[deploy] fail_on`) tripped; the plan was
    /// printed first.
    #[error("the plan trips a risk gate: {reason}")]
    #[diagnostic(
        code(review::risk_gate),
        help(
            "review the risk items; to let them through, drop the gate from --fail-on or the plan's [deploy] fail_on"
        )
    )]
    RiskGate {
        /// Which gates, and the changes that trip them.
        reason: String,
    },
    /// `apply` of a change that widens network or IAM access, without
    /// `--allow-broadening`; nothing was changed.
    #[error(
        "refusing to apply changes that widen network or IAM access: {items}; nothing was changed"
    )]
    #[diagnostic(
        code(review::broadening),
        help("review them (`streamscale plan`), then apply with --allow-broadening")
    )]
    Broadening {
        /// `region LogicalId: detail`, joined.
        items: String,
    },
    /// `--fail-on critical`: the capacity review finds a critical
    /// shortfall (a vCPU quota below MaxSize, a fleet that does not carry
    /// the peak, a region loss that overloads the others).
    #[error("the capacity review has {count} critical finding{}: {findings}", if *.count == 1 { "" } else { "s" })]
    #[diagnostic(
        code(review::critical),
        help(
            "fix the plan or raise the quota (`streamscale report -e ENV` explains each finding), or drop `critical` from --fail-on"
        )
    )]
    Critical {
        /// How many.
        count: usize,
        /// The findings, joined.
        findings: String,
    },
    /// `outputs`: a region of the plan has no stack.
    #[error("no stack {stack} in {}: {}", if .regions.len() == 1 { "region" } else { "regions" }, .regions.join(", "))]
    #[diagnostic(
        code(outputs::missing_stack),
        help(
            "apply the plan there first (`streamscale apply -e ENV`), or leave the region out with --region"
        )
    )]
    MissingStacks {
        /// The stack name.
        stack: String,
        /// The regions without it, in the plan's order.
        regions: Vec<String>,
    },
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

fn still_running(in_progress: &[String]) -> String {
    if in_progress.is_empty() {
        "; no stack operation is in progress on AWS's side".into()
    } else {
        format!(
            "; still in progress on AWS's side: {}",
            in_progress.join(", ")
        )
    }
}

impl Error {
    /// The exit code (SPEC §5): 130 after Ctrl-C, 1 for any other error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted { .. } => 130,
            _ => 1,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Project(ProjectError::io(path, source))
    }
}

impl From<PlanErrors> for Error {
    fn from(e: PlanErrors) -> Self {
        Error::Project(e.into())
    }
}

impl From<RenderError> for Error {
    fn from(e: RenderError) -> Self {
        Error::Project(e.into())
    }
}

impl From<crate::aws::AwsError> for Error {
    fn from(e: crate::aws::AwsError) -> Self {
        Error::Engine(EngineError::Aws(e))
    }
}

impl From<crate::cloudflare::CloudflareError> for Error {
    fn from(e: crate::cloudflare::CloudflareError) -> Self {
        Error::Engine(EngineError::Cloudflare(e))
    }
}
