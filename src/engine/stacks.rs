//! Stack operations that plan, apply and repair share: where a template
//! goes (inline or through S3), making a change set and waiting until
//! CloudFormation has created it, and waiting for a stack operation to
//! end while reporting its events.

use std::collections::HashSet;

use super::EngineError;
use super::progress::Progress;
use super::wait::{Backoff, Deadline, format_duration};
use crate::aws::Aws;
use crate::aws::cloudformation::{
    ChangeSet, INLINE_TEMPLATE_LIMIT, StackEvent, StackStatus, Stacks, TemplateSource,
    upload_template,
};
use streamscale_core::plan::Plan;
use streamscale_core::render::RegionStack;
use streamscale_core::stack::{ChangeSetState, Outcome};

/// Where the template goes: inline up to CloudFormation's limit, else
/// through S3 (`[aws] template_bucket`, or `streamscale-templates-<account>-<region>`).
pub async fn template_source(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    digest: &str,
) -> Result<TemplateSource, EngineError> {
    if stack.template.len() <= INLINE_TEMPLATE_LIMIT {
        return Ok(TemplateSource::Inline(stack.template.clone()));
    }
    let bucket = match &plan.template_bucket {
        Some(b) => b.clone(),
        None => default_bucket(&aws.account_id().await?, &stack.region),
    };
    let key = format!("{}/{}/{}.json", plan.stack_name(), stack.region, digest);
    let url = upload_template(
        &aws.s3(&stack.region),
        &stack.region,
        &bucket,
        &key,
        &stack.template,
    )
    .await?;
    Ok(TemplateSource::Url(url))
}

/// The default template bucket of an account and region.
pub fn default_bucket(account: &str, region: &str) -> String {
    format!("streamscale-templates-{account}-{region}")
}

/// Create a change set (replacing one of the same deterministic name from
/// an earlier plan) and wait until CloudFormation has finished creating it
/// (at most the operation's wait limit).
pub async fn change_set(
    stacks: &Stacks,
    stack: &str,
    name: &str,
    source: &TemplateSource,
    parameters: &[(String, String)],
    tags: &[(String, String)],
) -> Result<ChangeSet, EngineError> {
    // During `apply`, this run's own name (see engine::apply).
    let name = &super::apply::run_change_set_name(name);
    // Created first: only when AWS says the name is taken (an earlier
    // plan's change set) is that one deleted and the create made again.
    let created = match stacks
        .create_change_set(stack, name, source, parameters, tags)
        .await?
    {
        Some(id) => Some(id),
        None => {
            stacks.delete_change_set(stack, name).await?;
            stacks
                .create_change_set(stack, name, source, parameters, tags)
                .await?
        }
    };
    let id = created.ok_or_else(|| {
        EngineError::Aws(crate::aws::AwsError::Call {
            region: stacks.region.clone(),
            operation: "CreateChangeSet",
            message: format!("a change set named {name} still exists after it was deleted"),
        })
    })?;
    let mut backoff = Backoff::default();
    let deadline = Deadline::start();
    loop {
        let cs = stacks.describe_change_set(stack, &id, name).await?;
        if cs.state() != ChangeSetState::Pending {
            return Ok(cs);
        }
        if deadline.would_pass(backoff.peek()) {
            return Err(EngineError::Timeout {
                region: stacks.region.clone(),
                stack: stack.to_string(),
                waiting_for: format!("CloudFormation to create the change set {name}"),
                limit: format_duration(deadline.limit()),
            });
        }
        backoff.wait().await;
    }
}

/// The statuses of a stack-level event that starts an operation.
const OPERATION_STARTS: [&str; 4] = [
    "CREATE_IN_PROGRESS",
    "UPDATE_IN_PROGRESS",
    "DELETE_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
];

/// Of a stack's events (newest first), those of the operations before
/// its current or last one: all older than the newest stack-level event
/// that starts an operation. (CloudFormation writes that event when it
/// accepts the operation, before the call returns.)
fn earlier_operations<'a>(events: &'a [StackEvent], stack: &str) -> &'a [StackEvent] {
    events
        .iter()
        .position(|e| e.logical_id == stack && OPERATION_STARTS.contains(&e.status.as_str()))
        .map_or(&[], |i| &events[i + 1..])
}

/// Wait for the stack's current operation to end, reporting new events,
/// at most the operation's wait limit ([`super::wait::wait_limit`]).
/// Returns the final status (`DELETE_COMPLETE` when the stack is gone) and
/// the failed events of this operation. Events in `seen` are not reported;
/// when `seen` is empty, those of earlier operations are not either (see
/// [`earlier_operations`]), so that no read of the events is needed before
/// the operation starts.
pub async fn wait_stack(
    stacks: &Stacks,
    name: &str,
    seen: &mut HashSet<String>,
    progress: &Progress,
) -> Result<(StackStatus, Vec<StackEvent>), EngineError> {
    let mut backoff = Backoff::default();
    let deadline = Deadline::start();
    let mut done: HashSet<String> = HashSet::new();
    let mut failures = Vec::new();
    let mut first_poll = seen.is_empty();
    loop {
        let info = stacks.describe(name).await?;
        let status = info
            .as_ref()
            .map_or_else(|| StackStatus::new("DELETE_COMPLETE"), |i| i.status.clone());
        // Events are per stack id; a deleted stack has none left to read by name.
        let events = match &info {
            // A failed read is an error: an empty list would hide failures.
            Some(i) => stacks.events(&i.id, 200).await?,
            None => Vec::new(),
        };
        if std::mem::take(&mut first_poll) {
            seen.extend(
                earlier_operations(&events, name)
                    .iter()
                    .map(|e| e.id.clone()),
            );
        }
        let mut fresh: Vec<&StackEvent> = events.iter().filter(|e| !seen.contains(&e.id)).collect();
        fresh.reverse(); // oldest first
        let any_new = !fresh.is_empty();
        for e in fresh {
            seen.insert(e.id.clone());
            if e.logical_id != name && e.status.ends_with("_COMPLETE") {
                done.insert(e.logical_id.clone());
            }
            if e.is_failure() {
                failures.push(e.clone());
            }
            progress.event(&stacks.region, e, done.len() as u64, status.as_str());
        }
        if status.outcome() != Outcome::Running {
            return Ok((status, failures));
        }
        if any_new {
            backoff.reset();
        }
        if deadline.would_pass(backoff.peek()) {
            return Err(EngineError::Timeout {
                region: stacks.region.clone(),
                stack: name.to_string(),
                waiting_for: format!("the stack operation to end (last seen {status})"),
                limit: format_duration(deadline.limit()),
            });
        }
        backoff.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, logical_id: &str, status: &str) -> StackEvent {
        StackEvent {
            id: id.into(),
            timestamp: String::new(),
            logical_id: logical_id.into(),
            resource_type: String::new(),
            status: status.into(),
            reason: None,
        }
    }

    fn ids(events: &[StackEvent]) -> Vec<&str> {
        events.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn earlier_operations_end_at_the_newest_start() {
        // newest first: an update running after a create
        let events = [
            event("5", "Group", "UPDATE_COMPLETE"),
            event("4", "Group", "UPDATE_IN_PROGRESS"),
            event("3", "s", "UPDATE_IN_PROGRESS"),
            event("2", "s", "CREATE_COMPLETE"),
            event("1", "s", "CREATE_IN_PROGRESS"),
        ];
        assert_eq!(ids(earlier_operations(&events, "s")), ["2", "1"]);
        // a rollback belongs to the update that failed
        let events = [
            event("6", "s", "UPDATE_ROLLBACK_IN_PROGRESS"),
            event("5", "Group", "UPDATE_FAILED"),
            event("4", "s", "UPDATE_IN_PROGRESS"),
            event("3", "s", "CREATE_COMPLETE"),
        ];
        assert_eq!(ids(earlier_operations(&events, "s")), ["3"]);
    }

    #[test]
    fn an_operation_that_ended_before_the_first_poll_keeps_its_events() {
        let events = [
            event("5", "s", "ROLLBACK_COMPLETE"),
            event("4", "Listener", "CREATE_FAILED"),
            event("3", "s", "ROLLBACK_IN_PROGRESS"),
            event("2", "s", "CREATE_IN_PROGRESS"),
            event("1", "s", "DELETE_COMPLETE"),
        ];
        assert_eq!(ids(earlier_operations(&events, "s")), ["1"]);
        // a new stack's first events are all its create's
        let events = [
            event("2", "Group", "CREATE_IN_PROGRESS"),
            event("1", "s", "CREATE_IN_PROGRESS"),
        ];
        assert!(earlier_operations(&events, "s").is_empty());
    }
}
