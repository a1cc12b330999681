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

use crate::aws::AwsError;
use crate::aws::cloudformation::{StackInfo, Stacks};
use crate::engine::EngineError;
use crate::engine::progress::Progress;
use crate::engine::stacks::wait_stack;

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
