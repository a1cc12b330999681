//! `plan`: per region, concurrently, what apply would change.
//!
//! A missing stack is a create of every resource. An existing one is read
//! (template, parameters, tags and the live state of its resources); when
//! all of them match the plan, no change set is made. Otherwise it gets a
//! CloudFormation change set (deterministic name), read back and deleted
//! again unless the plan is saved; property detail comes from a structural
//! diff of the deployed template against the rendered one, since change
//! sets do not always carry details. Only CloudFormation's empty-change-set
//! failure means "no changes": any other failure is the region's error.

use futures::future::join_all;

use super::stacks::{change_set, template_source};
use super::{EngineError, RegionPlan, StackAction, row_action, stack_tags};
use crate::aws::Aws;
use crate::aws::cloudformation::{ChangeRow, Stacks};
use streamscale_core::diff::{ResourceChange, diff_templates};
use streamscale_core::digest::{change_set_name, fingerprint, template_digest};
use streamscale_core::plan::Plan;
use streamscale_core::render::RegionStack;
use streamscale_core::repair::with_repairs;
use streamscale_core::stack::ChangeSetState;

/// Plan one region.
pub async fn plan_region(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    keep_change_set: bool,
) -> Result<RegionPlan, EngineError> {
    let stacks = Stacks::new(&stack.region, aws.cloudformation(&stack.region));
    let name = plan.stack_name();
    let digest = template_digest(stack);
    let rendered = stack.template_value();
    // An AMI the region lacks would only fail mid-apply: refuse it first
    // (its check and the stack's description go out together).
    let (images, info) = futures::join!(super::images::check(aws, stack), stacks.describe(&name));
    images?;
    let info = info?;
    let mut rp = RegionPlan {
        region: stack.region.clone(),
        stack_name: name.clone(),
        action: StackAction::Create,
        stack: info.clone(),
        fingerprint: None,
        template_sha256: digest.clone(),
        change_set: None,
        changes: Vec::new(),
        notes: Vec::new(),
        drift: Vec::new(),
        repair_steps: Vec::new(),
    };
    let Some(info) = info else {
        rp.changes = diff_templates(None, &rendered);
        return Ok(rp);
    };
    if info.status.is_busy() {
        return Err(EngineError::Busy {
            region: stack.region.clone(),
            stack: name,
            status: info.status.to_string(),
        });
    }
    if info.status.never_created() {
        rp.fingerprint = Some(fingerprint(&info, &stacks.template(&name).await?));
        rp.action = StackAction::ReplaceRolledBack;
        rp.notes.push(format!(
            "the stack is in {} (a create that never finished): apply deletes it and creates it again",
            info.status
        ));
        rp.changes = diff_templates(None, &rendered);
        return Ok(rp);
    }
    // The deployed template and the stack's resources (for the drift
    // check) at once.
    let (deployed_text, resources) =
        futures::join!(stacks.template(&name), stacks.resources(&info.id));
    let deployed_text = deployed_text?;
    rp.fingerprint = Some(fingerprint(&info, &deployed_text));
    let deployed = super::parse_deployed(&stack.region, &deployed_text)?;
    let diff = diff_templates(Some(&deployed), &rendered);
    let tags = stack_tags(plan);
    let params_changed = stack
        .parameters
        .iter()
        .any(|(k, v)| info.parameters.get(k) != Some(v))
        || info.parameters.len() != stack.parameters.len();
    let tags_changed = tags.iter().any(|(k, v)| info.tags.get(k) != Some(v));

    // Drift: live reads against the plan. What changed outside
    // CloudFormation is repaired by a first update (see streamscale_core::repair).
    let drift = super::drift::plan_check(aws, plan, stack, &info, &deployed, resources).await;
    rp.drift = drift.findings.clone();
    rp.notes.extend(drift.notes.iter().cloned());
    rp.repair_steps = drift.steps.clone();
    if diff.is_empty() && !params_changed && !tags_changed && drift.repair_template.is_none() {
        // Template, parameters and tags match the plan: a change set cannot
        // find anything to do, so none is made. What runs may still need a
        // repair through the service APIs.
        if rp.repair_steps.is_empty() {
            rp.action = StackAction::NoChanges;
        } else {
            rp.action = StackAction::RepairOnly;
            rp.changes = drift.changes.clone();
        }
        return Ok(rp);
    }
    let (source, cs_name) = match &drift.repair_template {
        Some(t) => super::repair::repair_source(aws, plan, stack, t).await?,
        None => (
            template_source(aws, plan, stack, &digest).await?,
            change_set_name(&digest, None),
        ),
    };
    let cs = change_set(&stacks, &name, &cs_name, &source, &stack.parameters, &tags).await?;
    match cs.state() {
        ChangeSetState::Failed(reason) => {
            let _ = stacks.delete_change_set(&name, &cs.id).await;
            return Err(EngineError::Aws(crate::aws::AwsError::Call {
                region: stack.region.clone(),
                operation: "CreateChangeSet",
                message: reason,
            }));
        }
        ChangeSetState::NoChanges if drift.repair_template.is_some() => {
            let _ = stacks.delete_change_set(&name, &cs.id).await;
            return Err(EngineError::Aws(crate::aws::AwsError::Call {
                region: stack.region.clone(),
                operation: "CreateChangeSet",
                message: "CloudFormation found nothing to change in the drift repair's first update, so apply could not repair the drift found; see `streamscale drift`".into(),
            }));
        }
        ChangeSetState::NoChanges => {
            let _ = stacks.delete_change_set(&name, &cs.id).await;
            if !diff.is_empty() {
                // CloudFormation sees nothing to do although the templates
                // differ (e.g. only formatting it normalises): trust it.
                rp.notes.push("CloudFormation reports no changes".into());
            }
            rp.action = StackAction::NoChanges;
            return Ok(rp);
        }
        ChangeSetState::Ready | ChangeSetState::Pending => {}
    }
    rp.action = StackAction::Update;
    rp.changes = if drift.repair_template.is_some() {
        with_repairs(merge(&[], diff), &drift.changes)
    } else {
        merge(&cs.changes, diff)
    };
    if cs.changes.is_empty() && !rp.changes.is_empty() && drift.repair_template.is_none() {
        rp.notes.push(
            "the change set lists no resource changes; changes shown come from comparing the deployed template with the rendered one".into(),
        );
    }
    if keep_change_set {
        rp.change_set = Some(cs);
    } else {
        stacks.delete_change_set(&name, &cs.id).await?;
    }
    Ok(rp)
}

/// Change-set rows decide the action where they exist; the structural
/// diff gives property detail and covers what the change set omits.
fn merge(rows: &[ChangeRow], diff: Vec<ResourceChange>) -> Vec<ResourceChange> {
    let mut out = diff;
    for row in rows {
        let action = row_action(&row.action, row.replacement.as_deref());
        match out.iter_mut().find(|c| c.logical_id == row.logical_id) {
            Some(c) => c.action = action,
            None => out.push(ResourceChange {
                logical_id: row.logical_id.clone(),
                resource_type: row.resource_type.clone(),
                action,
                properties: Vec::new(),
            }),
        }
    }
    out.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    out
}

/// Plan every selected region concurrently. Errors are per region.
pub async fn plan_all(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
    keep_change_sets: bool,
) -> Vec<(String, Result<RegionPlan, EngineError>)> {
    join_all(stacks.iter().map(|s| async move {
        (
            s.region.clone(),
            plan_region(aws, plan, s, keep_change_sets).await,
        )
    }))
    .await
}
