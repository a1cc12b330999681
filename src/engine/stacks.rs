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
    for (existing, id) in stacks.change_sets(stack).await? {
        if existing == name {
            stacks.delete_change_set(stack, &id).await?;
        }
    }
    let id = stacks
        .create_change_set(stack, name, source, parameters, tags)
        .await?;
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

/// Wait for the stack's current operation to end, reporting new events,
/// at most the operation's wait limit ([`super::wait::wait_limit`]).
/// Returns the final status (`DELETE_COMPLETE` when the stack is gone) and
/// the failed events of this operation.
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
