//! The engine: every operation that does I/O, across regions at once.
//! It reads through the adapters ([`crate::aws`], [`crate::cloudflare`]),
//! hands what it read to the pure core (`streamscale_core`) to decide, and
//! carries out what the core decided. One error type, [`EngineError`].
//!
//! - [`planner`]: `plan`, per region; [`saved`]: saved plans and staleness;
//! - [`provenance`]: a saved plan's account, commit and age;
//! - [`apply`]: `apply`, `destroy`, `outputs`; [`repair`]: drift repair steps;
//! - [`observe`]: reading what runs; [`drift`]: `drift` and the planner's check;
//! - [`cloudflare`]: the Cloudflare side of plan, apply and drift;
//! - [`report`]: the live data of `report --live`;
//! - [`stacks`]: stack operations plan, apply and repair share;
//! - [`images`]: the AMI check `plan` runs before any change set;
//! - [`wait`]: the one backoff; [`progress`]: bars and event lines.

pub mod apply;
pub mod cloudflare;
pub mod drift;
pub mod images;
pub mod observe;
pub mod origin;
pub mod planner;
pub mod progress;
pub mod protection;
pub mod provenance;
pub mod repair;
pub mod report;
pub mod saved;
pub mod stacks;
pub mod wait;

use serde::Serialize;
use serde_json::Value;

use crate::aws::AwsError;
use crate::aws::cloudformation::{ChangeSet, StackInfo};
use streamscale_core::diff::{Action, ResourceChange};
use streamscale_core::plan::Plan;
use streamscale_core::render::{RegionStack, Rendered};
use streamscale_core::repair::RepairStep;

/// Errors of the engine.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EngineError {
    /// An AWS call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] AwsError),
    /// AMIs a region's stack launches that the region does not have, or
    /// has deprecated (found by DescribeImages before any change set).
    #[error("{region}: {}", problems.join("; "))]
    #[diagnostic(
        code(engine::ami),
        help(
            "AMIs are regional: set [regions.{region}] ami to a current image of {region} (aws ec2 describe-images --region {region} --owners self amazon), or copy the image there (aws ec2 copy-image)"
        )
    )]
    Ami {
        /// Region.
        region: String,
        /// One line per AMI.
        problems: Vec<String>,
    },
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
    /// `destroy` of stacks whose resources have deletion protection on
    /// (AWS would refuse to delete them half-way); nothing was deleted.
    #[error("deletion protection is on: {resources}")]
    #[diagnostic(
        code(engine::deletion_protection),
        help(
            "AWS refuses to delete these resources, so the stack delete would stop half-way (DELETE_FAILED) after everything else is gone. If the environment really is to go, run destroy again with --disable-deletion-protection: each stack is first updated with the protection off (nothing else changes), then deleted. Set [aws] deletion_protection = false in the plan to render stacks without it."
        )
    )]
    DeletionProtected {
        /// `region: LogicalId (Type)`, joined.
        resources: String,
    },
    /// A saved plan no longer matches.
    #[error("the saved plan is stale: {0}")]
    #[diagnostic(
        code(engine::stale_plan),
        help("run `streamscale plan --out FILE` again and apply the new file")
    )]
    Stale(String),
    /// A saved plan older than `apply --max-plan-age`.
    #[error(
        "the saved plan is too old: made at {created_at}, {age} ago, more than --max-plan-age {max}; nothing was applied"
    )]
    #[diagnostic(
        code(engine::old_plan),
        help("run `streamscale plan --out FILE` again, review it, and apply the new file")
    )]
    OldPlan {
        /// When the plan was made (RFC 3339).
        created_at: String,
        /// Its age now (`2h15m`).
        age: String,
        /// The limit (`30m`).
        max: String,
    },
    /// A saved plan made with another AWS account's credentials.
    #[error(
        "the saved plan was made for AWS account {saved}, but these credentials are for account {current}; nothing was applied"
    )]
    #[diagnostic(
        code(engine::wrong_account),
        help(
            "apply with the credentials of account {saved} (that environment's deploy role), or make the plan again with this account's"
        )
    )]
    WrongAccount {
        /// The account the plan recorded.
        saved: String,
        /// The account of the credentials apply runs with.
        current: String,
    },
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
    /// A Cloudflare call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cloudflare(#[from] crate::cloudflare::CloudflareError),
    /// Cloudflare's current IP ranges could not be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Origin(#[from] origin::OriginError),
    /// A repair step names a resource the stack does not have.
    #[error(
        "{region}: the drift repair names {logical_id}, which the stack does not have (any more)"
    )]
    #[diagnostic(
        code(engine::repair_target),
        help("run `streamscale plan` again: what runs changed since the plan")
    )]
    RepairTarget {
        /// Region.
        region: String,
        /// The resource's logical id.
        logical_id: String,
    },
    /// A deployed template is not JSON.
    #[error("{region}: the deployed template is not valid JSON: {message}")]
    #[diagnostic(
        code(engine::deployed_template),
        help(
            "the stack was not made by streamscale, or its template was changed by hand; inspect it with `aws cloudformation get-template`"
        )
    )]
    DeployedTemplate {
        /// Region.
        region: String,
        /// What the parser said.
        message: String,
    },
    /// No region could be read at all (no access, no endpoint).
    #[error("report --live could not read any region: {0}")]
    #[diagnostic(
        code(engine::no_region_read),
        help(
            "check AWS credentials and access (or AWS_ENDPOINT_URL), or write the report without --live"
        )
    )]
    NoRegionRead(String),
    /// A wait passed its deadline (`--timeout`); the operation itself goes
    /// on on AWS's side.
    #[error(
        "{region}: timed out after {limit} waiting for {waiting_for} of stack {stack}; the operation goes on on AWS's side"
    )]
    #[diagnostic(
        code(engine::timeout),
        help(
            "follow it with `aws cloudformation describe-stack-events --stack-name {stack} --region {region}`, then run the command again when it is done (or raise --timeout)"
        )
    )]
    Timeout {
        /// Region.
        region: String,
        /// Stack.
        stack: String,
        /// What was awaited ("the change set NAME to be created", "the stack operation (UPDATE_IN_PROGRESS) to end").
        waiting_for: String,
        /// The limit, as written (`10m`).
        limit: String,
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
    /// The stack's template and parameters match the plan, but what runs
    /// was changed where CloudFormation cannot see it: repaired through the
    /// service APIs only (no stack update).
    RepairOnly,
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
    pub drift: Vec<streamscale_core::drift::Finding>,
    /// The drift repair apply runs after the first update (empty: none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repair_steps: Vec<RepairStep>,
}

impl RegionPlan {
    /// Whether apply has anything to do here.
    pub fn has_changes(&self) -> bool {
        self.action != StackAction::NoChanges
    }
}

/// The deployed template of a region, parsed; not JSON is an error, never
/// an empty template.
pub fn parse_deployed(region: &str, text: &str) -> Result<Value, EngineError> {
    serde_json::from_str(text).map_err(|e| EngineError::DeployedTemplate {
        region: region.to_string(),
        message: e.to_string(),
    })
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
        let (a, c, d) = streamscale_core::diff::counts(&p.changes);
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
