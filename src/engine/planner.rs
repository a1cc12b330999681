//! `plan`: per region, concurrently, what apply would change.
//!
//! A missing stack is a create of every resource. An existing one gets a
//! CloudFormation change set (deterministic name), read back and deleted
//! again unless the plan is saved; property detail comes from a structural
//! diff of the deployed template against the rendered one, since change
//! sets do not always carry details.

use futures::future::join_all;

use super::{
    EngineError, RegionPlan, StackAction, fingerprint, row_action, stack_tags, template_digest,
};
use crate::aws::Aws;
use crate::aws::stack::{INLINE_TEMPLATE_LIMIT, Stacks, TemplateSource, upload_template};
use crate::diff::{ResourceChange, diff_templates};
use crate::plan::Plan;
use crate::render::RegionStack;

/// Statuses in which a stack is mid-operation.
pub fn is_busy(status: &str) -> bool {
    status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
}

/// The deterministic change-set name for a rendered template.
pub fn change_set_name(digest: &str) -> String {
    format!("streamscale-{}", &digest[..16.min(digest.len())])
}

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
    let info = stacks.describe(&name).await?;
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
    };
    let Some(info) = info else {
        rp.changes = diff_templates(None, &rendered);
        return Ok(rp);
    };
    if is_busy(&info.status) {
        return Err(EngineError::Busy {
            region: stack.region.clone(),
            stack: name,
            status: info.status,
        });
    }
    let deployed_text = stacks.template(&name).await?;
    rp.fingerprint = Some(fingerprint(&info, &deployed_text));
    if info.status == "ROLLBACK_COMPLETE" || info.status == "REVIEW_IN_PROGRESS" {
        rp.action = StackAction::ReplaceRolledBack;
        rp.notes.push(format!(
            "the stack is in {} (a create that never finished): apply deletes it and creates it again",
            info.status
        ));
        rp.changes = diff_templates(None, &rendered);
        return Ok(rp);
    }
    let deployed: serde_json::Value =
        serde_json::from_str(&deployed_text).unwrap_or(serde_json::Value::Null);
    let diff = diff_templates(Some(&deployed), &rendered);
    let params_changed = stack
        .parameters
        .iter()
        .any(|(k, v)| info.parameters.get(k) != Some(v));

    // Drift: live reads against the plan. What changed outside
    // CloudFormation is repaired by a first update (see engine::drift).
    let drift = super::drift::plan_check(aws, plan, stack, &info, &deployed).await;
    rp.drift = drift.findings.clone();
    rp.notes.extend(drift.notes.iter().cloned());
    let (source, cs_name) = match &drift.repair {
        Some(t) => super::drift::repair_source(aws, plan, stack, t).await?,
        None => (
            template_source(aws, plan, stack, &digest).await?,
            change_set_name(&digest),
        ),
    };
    let cs = stacks
        .create_change_set(
            &name,
            &cs_name,
            &source,
            &stack.parameters,
            &stack_tags(plan),
        )
        .await?;
    if cs.is_empty_failure() || (cs.changes.is_empty() && diff.is_empty() && !params_changed) {
        let _ = stacks.delete_change_set(&name, &cs.id).await;
        if !diff.is_empty() {
            // CloudFormation sees nothing to do although the templates
            // differ (e.g. only formatting it normalises): trust it.
            rp.notes.push("CloudFormation reports no changes".into());
        }
        rp.action = StackAction::NoChanges;
        return Ok(rp);
    }
    if cs.status == "FAILED" {
        let _ = stacks.delete_change_set(&name, &cs.id).await;
        return Err(EngineError::Aws(crate::aws::AwsError::Call {
            region: stack.region.clone(),
            operation: "CreateChangeSet",
            message: cs
                .reason
                .clone()
                .unwrap_or_else(|| "change set failed".into()),
        }));
    }
    rp.action = StackAction::Update;
    rp.changes = match &drift.repair {
        Some(_) => super::drift::with_repairs(merge(&[], diff), &drift.changes),
        None => merge(&cs.changes, diff),
    };
    if cs.changes.is_empty() && !rp.changes.is_empty() && drift.repair.is_none() {
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
fn merge(rows: &[crate::aws::stack::ChangeRow], diff: Vec<ResourceChange>) -> Vec<ResourceChange> {
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
