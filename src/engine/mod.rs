//! The plan/apply engine: compares live stacks with the rendered plan in
//! every region concurrently, saves and checks plans, applies change sets
//! with progress, destroys, and reads outputs.
//!
//! It decides; [`crate::aws`] only calls.

pub mod apply;
pub mod cloudflare;
pub mod drift;
pub mod live;
pub mod planner;
pub mod progress;
pub mod saved;
pub mod wait;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::aws::AwsError;
use crate::aws::stack::{ChangeSet, StackInfo};
use crate::diff::{Action, ResourceChange};
use crate::plan::Plan;
use crate::render::{RegionStack, Rendered, parameters_json};

/// Errors of the engine.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EngineError {
    /// An AWS call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] AwsError),
    /// A stack is mid-operation.
    #[error("{region}: stack {stack} is busy ({status})")]
    #[diagnostic(
        code(engine::busy),
        help("wait for the running operation to finish, then run the command again")
    )]
    Busy {
        /// Region.
        region: String,
        /// Stack.
        stack: String,
        /// Status.
        status: String,
    },
    /// A saved plan no longer matches.
    #[error("the saved plan is stale: {0}")]
    #[diagnostic(
        code(engine::stale_plan),
        help("run `streamscale plan --out FILE` again and apply the new file")
    )]
    Stale(String),
    /// A saved plan file is unreadable.
    #[error("{path}: {message}")]
    #[diagnostic(code(engine::plan_file))]
    PlanFile {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Some regions failed to apply.
    #[error("apply failed in {failed} of {total} regions")]
    #[diagnostic(code(engine::apply_failed))]
    ApplyFailed {
        /// Regions that failed.
        failed: usize,
        /// Regions attempted.
        total: usize,
    },
    /// The user did not confirm.
    #[error("{0}")]
    #[diagnostic(
        code(engine::not_confirmed),
        help("pass --yes to apply without asking (CI)")
    )]
    NotConfirmed(String),
}

/// What apply will do to a region's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackAction {
    /// No stack: create it.
    Create,
    /// Execute a change set.
    Update,
    /// A failed create left ROLLBACK_COMPLETE: delete it, then create.
    ReplaceRolledBack,
    /// Live matches the plan.
    NoChanges,
}

/// The plan of one region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionPlan {
    /// Region code.
    pub region: String,
    /// Stack name.
    pub stack_name: String,
    /// What happens.
    pub action: StackAction,
    /// The live stack as seen.
    #[serde(skip)]
    pub stack: Option<StackInfo>,
    /// Fingerprint of the live stack (id, status, times, template, parameters, tags).
    pub fingerprint: Option<String>,
    /// sha256 of the rendered template and parameters.
    pub template_sha256: String,
    /// The change set, when one was made and kept.
    #[serde(skip)]
    pub change_set: Option<ChangeSet>,
    /// Resource changes, property by property.
    pub changes: Vec<ResourceChange>,
    /// Notes for the reader (e.g. how the plan was derived).
    pub notes: Vec<String>,
    /// Live state against the plan, from the drift check of an existing
    /// stack (see [`drift`]); repaired drift also shows in `changes`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<drift::Finding>,
}

impl RegionPlan {
    /// Whether apply has anything to do here.
    pub fn has_changes(&self) -> bool {
        self.action != StackAction::NoChanges
    }
}

/// sha256 hex of bytes.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The digest of a rendered region: template and parameters.
pub fn template_digest(stack: &RegionStack) -> String {
    let params = parameters_json(&stack.parameters).to_string();
    sha256_hex(&[stack.template.as_bytes(), params.as_bytes()])
}

/// The fingerprint of a live stack: more than LastUpdatedTime, which some
/// endpoints never set: id, status, times, the deployed template,
/// parameters and tags.
pub fn fingerprint(info: &StackInfo, deployed_template: &str) -> String {
    let params = serde_json::to_string(&info.parameters).unwrap_or_default();
    let tags = serde_json::to_string(&info.tags).unwrap_or_default();
    sha256_hex(&[
        info.id.as_bytes(),
        info.status.as_bytes(),
        info.last_updated.as_deref().unwrap_or("").as_bytes(),
        info.created.as_deref().unwrap_or("").as_bytes(),
        deployed_template.as_bytes(),
        params.as_bytes(),
        tags.as_bytes(),
    ])
}

/// The tags every stack carries.
pub fn stack_tags(plan: &Plan) -> Vec<(String, String)> {
    vec![
        ("streamscale:plan".into(), plan.name.clone()),
        ("streamscale:environment".into(), plan.environment.clone()),
        ("streamscale:managed-by".into(), "streamscale".into()),
    ]
}

/// The regions selected by `--region` (all when empty), in plan order;
/// an unknown name is an error.
pub fn select_regions<'a>(
    rendered: &'a Rendered,
    only: &[String],
) -> Result<Vec<&'a RegionStack>, String> {
    for r in only {
        if !rendered.stacks.iter().any(|s| &s.region == r) {
            return Err(format!(
                "--region {r} is not in the plan (its regions: {})",
                rendered
                    .stacks
                    .iter()
                    .map(|s| s.region.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(rendered
        .stacks
        .iter()
        .filter(|s| only.is_empty() || only.contains(&s.region))
        .collect())
}

/// Totals over regions: (add, change, destroy, regions with changes).
pub fn totals(plans: &[RegionPlan]) -> (usize, usize, usize, usize) {
    let mut t = (0, 0, 0, 0);
    for p in plans {
        let (a, c, d) = crate::diff::counts(&p.changes);
        t.0 += a;
        t.1 += c;
        t.2 += d;
        if p.has_changes() {
            t.3 += 1;
        }
    }
    t
}

/// The merged action of a change-set row.
pub fn row_action(action: &str, replacement: Option<&str>) -> Action {
    match (action, replacement) {
        ("Add", _) => Action::Create,
        ("Remove", _) => Action::Delete,
        (_, Some("True")) => Action::Replace,
        _ => Action::Update,
    }
}
