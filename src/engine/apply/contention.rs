//! Two applies of one environment at once (two CI jobs, or a person and a
//! job). Each plans against what runs; whichever sends its operation to a
//! region's stack second finds it refused (CreateStack: the stack exists;
//! ExecuteChangeSet: the stack is mid-operation, or its change set is gone,
//! since executing one removes the stack's others). That apply then waits
//! for the other operation to end (at most `--timeout`), plans the region
//! again against the new live state and applies only what is still needed,
//! or reports that the region is already up to date. A saved plan is never
//! planned again: it was reviewed against another state, so it is stale.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::aws::Aws;
use crate::aws::AwsError;
use crate::aws::cloudformation::{StackInfo, Stacks};
use crate::engine::planner::plan_region;
use crate::engine::progress::Progress;
use crate::engine::stacks::wait_stack;
use crate::engine::{EngineError, RegionPlan};
use streamscale_core::plan::Plan;
use streamscale_core::render::RegionStack;

/// This run's tag on the change sets it makes, once [`tag_change_sets`]
/// was called (by `apply`).
static RUN_TAG: OnceLock<String> = OnceLock::new();

/// From now on this process's change sets carry a tag of their own, so
/// that two applies planning the same template at once never take (and
/// delete) each other's change set of the same deterministic name. A saved
/// plan's change sets keep their plain names.
pub fn tag_change_sets() {
    RUN_TAG.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        format!("{:08x}", std::process::id().rotate_left(16) ^ nanos)
    });
}

/// The name a change set named `name` gets in this run.
pub fn run_change_set_name(name: &str) -> String {
    match RUN_TAG.get() {
        Some(tag) => format!("{name}-{tag}"),
        None => name.to_string(),
    }
}

/// Plan a region for `apply`; when another operation gets to its stack
/// meanwhile (the stack is mid-operation, the change set is refused or
/// gone), wait for it to end and plan again, at most [`MAX_REPLANS`] times.
pub async fn plan_settled(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    progress: &Progress,
) -> Result<RegionPlan, EngineError> {
    let stacks = Stacks::new(&stack.region, aws.cloudformation(&stack.region));
    let name = plan.stack_name();
    let mut tries = 0;
    loop {
        let e = match plan_region(aws, plan, stack, true).await {
            Ok(p) => return Ok(p),
            Err(e) => e,
        };
        tries += 1;
        if tries > MAX_REPLANS || !met_other_while_planning(&stacks, &name, &e).await {
            return Err(e);
        }
        wait_for_other(&stacks, &name, progress).await?;
    }
}

/// Whether a plan's error came from another operation on the stack.
async fn met_other_while_planning(stacks: &Stacks, name: &str, e: &EngineError) -> bool {
    match e {
        EngineError::Busy { .. } => true,
        // Another apply's execution removed the change set, or the stack
        // was mid-operation when the change set was asked for.
        EngineError::Aws(AwsError::Call { message, .. })
            if message.starts_with("ChangeSetNotFound")
                || message.contains("_IN_PROGRESS state and can not be updated") =>
        {
            true
        }
        _ => matches!(stacks.describe(name).await, Ok(Some(i)) if i.status.is_busy()),
    }
}

/// How many times one region is planned again because another operation
/// got to its stack first; past it, the last refusal is the region's error.
pub const MAX_REPLANS: usize = 5;

/// How one attempt at a region's plan ended, when it did not succeed.
#[derive(Debug)]
pub enum Attempt {
    /// An error of its own.
    Error(EngineError),
    /// Another operation changed the stack since it was planned: `status`
    /// is what the stack is in now, `cause` the refusal apply got.
    Other {
        /// The stack's status now (`no stack` when it is gone).
        status: String,
        /// What AWS answered to this apply's operation.
        cause: EngineError,
    },
}

impl From<EngineError> for Attempt {
    fn from(e: EngineError) -> Self {
        Attempt::Error(e)
    }
}

impl From<AwsError> for Attempt {
    fn from(e: AwsError) -> Self {
        Attempt::Error(e.into())
    }
}

/// A refused operation on stack `name`, read against the stack as it was
/// planned (`planned`): [`Attempt::Other`] when the stack now shows another
/// operation's work (mid-operation; created, deleted or updated since), or
/// when the change set the plan made is gone or no longer executable; else
/// the error itself. A failed read keeps the original error.
pub async fn classify(
    stacks: &Stacks,
    name: &str,
    planned: Option<&StackInfo>,
    cause: EngineError,
) -> Attempt {
    let Ok(now) = stacks.describe(name).await else {
        return Attempt::Error(cause);
    };
    let changed = match (planned, &now) {
        (None, None) => false,
        (Some(_), None) | (None, Some(_)) => true,
        (Some(p), Some(n)) => {
            n.status.is_busy()
                || n.id != p.id
                || n.status != p.status
                || n.last_updated != p.last_updated
        }
    };
    let change_set_gone = matches!(&cause,
        EngineError::Aws(AwsError::Call { operation: "ExecuteChangeSet", message, .. })
            if message.starts_with("ChangeSetNotFound")
                || message.starts_with("InvalidChangeSetStatus"));
    if changed || change_set_gone || matches!(cause, EngineError::Busy { .. }) {
        Attempt::Other {
            status: now.map_or_else(|| "no stack".to_string(), |i| i.status.to_string()),
            cause,
        }
    } else {
        Attempt::Error(cause)
    }
}

/// Wait (at most the operation's wait limit) until no operation runs on
/// stack `name`, saying that it waits on another operation; returns the
/// stack as it then is.
pub async fn wait_for_other(
    stacks: &Stacks,
    name: &str,
    progress: &Progress,
) -> Result<Option<StackInfo>, EngineError> {
    let region = &stacks.region;
    let Some(info) = stacks.describe(name).await? else {
        progress.println(&format!(
            "[{region}] another operation deleted stack {name} meanwhile: planning {region} again"
        ));
        return Ok(None);
    };
    if info.status.is_busy() {
        progress.println(&format!(
            "[{region}] stack {name} is in {} by another operation (another apply got there first): waiting for it to end, then planning {region} again",
            info.status
        ));
        let mut seen: HashSet<String> = stacks
            .events(&info.id, 500)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let (status, _) = wait_stack(stacks, name, &mut seen, progress).await?;
        progress.println(&format!(
            "[{region}] the other operation on {name} ended ({status}): planning {region} again"
        ));
        return Ok(stacks.describe(name).await?);
    }
    progress.println(&format!(
        "[{region}] stack {name} changed by another operation since the plan (now {}): planning {region} again",
        info.status
    ));
    Ok(Some(info))
}
