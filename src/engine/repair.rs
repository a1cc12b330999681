//! Running a drift repair's steps ([`RepairStep`]) after the plan's first
//! update (or alone, for a region whose stack needs no update): the second
//! update that restores the plan, the launch template default-version
//! moves, and the calls to service APIs for what CloudFormation cannot see. What to repair, and how, was decided by
//! the core ([`streamscale_core::repair`]) when the plan was made.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::progress::Progress;
use super::stacks::{change_set, template_source, wait_stack};
use super::{EngineError, RegionPlan, stack_tags};
use crate::aws::cloudformation::{StackEvent, StackStatus, Stacks, TemplateSource};
use crate::aws::{Aws, reads, repairs};
use streamscale_core::digest::{change_set_name, sha256_hex};
use streamscale_core::finding::ApiRepair;
use streamscale_core::plan::Plan;
use streamscale_core::render::{RegionStack, parameters_json, to_pretty};
use streamscale_core::repair::RepairStep;
use streamscale_core::stack::{ChangeSetState, Outcome};
use streamscale_core::text::short;

/// Where the repair template goes, and its change set's name.
pub async fn repair_source(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    template: &Value,
) -> Result<(TemplateSource, String), EngineError> {
    let body = to_pretty(template);
    let params = parameters_json(&stack.parameters).to_string();
    let digest = sha256_hex(&[body.as_bytes(), params.as_bytes()]);
    let repair = RegionStack {
        region: stack.region.clone(),
        template: body,
        parameters: stack.parameters.clone(),
    };
    let source = template_source(aws, plan, &repair, &digest).await?;
    Ok((source, change_set_name(&digest, Some("repair"))))
}

/// After the plan's update (the repair's first step): run the rest of the
/// plan's repair steps. Returns the final status and failures of the
/// restoring update when it did not succeed.
pub async fn finish_repair(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    rp: &RegionPlan,
    stacks: &Stacks,
    seen: &mut HashSet<String>,
    progress: &Progress,
) -> Result<Option<(StackStatus, Vec<StackEvent>)>, EngineError> {
    let region = stack.region.as_str();
    let name = plan.stack_name();
    // Physical ids, read once, after the restoring update (it may create).
    let mut ids: Option<BTreeMap<String, String>> = None;
    for step in &rp.repair_steps {
        match step {
            RepairStep::RecordLive => {}
            RepairStep::RestorePlan => {
                progress.println(&format!(
                    "[{region}] drift repair: what runs is recorded; restoring the plan (second update)"
                ));
                let source = template_source(aws, plan, stack, &rp.template_sha256).await?;
                let cs = change_set(
                    stacks,
                    &name,
                    &change_set_name(&rp.template_sha256, Some("restore")),
                    &source,
                    &stack.parameters,
                    &stack_tags(plan),
                )
                .await?;
                match cs.state() {
                    ChangeSetState::NoChanges => {
                        let _ = stacks.delete_change_set(&name, &cs.id).await;
                    }
                    ChangeSetState::Failed(reason) => {
                        let _ = stacks.delete_change_set(&name, &cs.id).await;
                        return Err(EngineError::Aws(crate::aws::AwsError::Call {
                            region: region.to_string(),
                            operation: "CreateChangeSet",
                            message: reason,
                        }));
                    }
                    ChangeSetState::Ready | ChangeSetState::Pending => {
                        stacks.execute_change_set(&name, &cs.id).await?;
                        let (status, failures) = wait_stack(stacks, &name, seen, progress).await?;
                        if status.outcome() != Outcome::Succeeded {
                            return Ok(Some((status, failures)));
                        }
                    }
                }
            }
            RepairStep::SetDefaultVersion { logical_id } => {
                let id = physical_id(stacks, &name, &mut ids, logical_id).await?;
                let ec2 = aws.ec2(region);
                if let Some(lt) = reads::launch_template(&ec2, region, &id, &[]).await?
                    && let Some(latest) = lt["LatestVersionNumber"].as_i64()
                {
                    repairs::set_default_launch_template_version(
                        &ec2,
                        region,
                        &id,
                        &latest.to_string(),
                    )
                    .await?;
                    progress.println(&format!(
                        "[{region}] drift repair: launch template {id} default version set to {latest} (the plan's launch data)"
                    ));
                }
            }
            RepairStep::CallApi { logical_id, repair } => {
                let id = physical_id(stacks, &name, &mut ids, logical_id).await?;
                match repair {
                    ApiRepair::RevokeSecurityGroupRule { egress, rule } => {
                        repairs::revoke_security_group_rule(
                            &aws.ec2(region),
                            region,
                            &id,
                            *egress,
                            rule,
                        )
                        .await?;
                        progress.println(&format!(
                            "[{region}] drift repair: revoked {} rule {} of security group {id}",
                            if *egress { "egress" } else { "ingress" },
                            short(rule)
                        ));
                    }
                }
            }
        }
    }
    Ok(None)
}

/// The physical id of `logical_id` in the stack, reading the stack's
/// resources on first use; a step naming a resource the stack does not have
/// is an error, never skipped.
async fn physical_id(
    stacks: &Stacks,
    stack: &str,
    ids: &mut Option<BTreeMap<String, String>>,
    logical_id: &str,
) -> Result<String, EngineError> {
    if ids.is_none() {
        let resources = stacks.resources(stack).await?;
        *ids = Some(
            resources
                .into_iter()
                .filter_map(|r| Some((r.logical_id, r.physical_id?)))
                .collect(),
        );
    }
    ids.as_ref()
        .and_then(|m| m.get(logical_id).cloned())
        .ok_or_else(|| EngineError::RepairTarget {
            region: stacks.region.clone(),
            logical_id: logical_id.to_string(),
        })
}
