//! Deletion protection before `destroy`: which resources of the plan's
//! stacks have it on (the deployed template, and the live load balancers
//! and DocumentDB clusters), and, on request, an update of each stack with
//! it off (the deployed template and parameters, only the protection
//! changed) so that the stack delete can succeed. Without it AWS refuses to
//! delete those resources and CloudFormation's delete ends DELETE_FAILED
//! half-way, after everything else is gone.

use std::collections::HashSet;

use futures::future::join_all;
use serde_json::Value;

use super::EngineError;
use super::progress::Progress;
use super::stacks::{change_set, template_source, wait_stack};
use crate::aws::cloudformation::Stacks;
use crate::aws::{Aws, reads};
use streamscale_core::digest::{change_set_name, template_digest};
use streamscale_core::plan::Plan;
use streamscale_core::protection::{load_balancer_protected, protected, unprotected};
use streamscale_core::render::RegionStack;
use streamscale_core::stack::{ChangeSetState, Outcome};

/// One protected resource of a region's stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedResource {
    /// Region.
    pub region: String,
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Whether the deployed template turns it on (else: turned on by hand).
    pub in_template: bool,
}

/// The protected resources of the plan's stacks in `regions`.
pub async fn check(
    aws: &Aws,
    plan: &Plan,
    regions: &[String],
) -> Result<Vec<ProtectedResource>, EngineError> {
    let found = join_all(regions.iter().map(|r| check_region(aws, plan, r))).await;
    let mut out = Vec::new();
    for f in found {
        out.extend(f?);
    }
    Ok(out)
}

async fn check_region(
    aws: &Aws,
    plan: &Plan,
    region: &str,
) -> Result<Vec<ProtectedResource>, EngineError> {
    let name = plan.stack_name();
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let Some(info) = stacks.describe(&name).await? else {
        return Ok(Vec::new());
    };
    if info.status.is_deleted() {
        return Ok(Vec::new());
    }
    let template = super::parse_deployed(region, &stacks.template(&name).await?)?;
    let mut out: Vec<ProtectedResource> = protected(&template)
        .into_iter()
        .map(|p| ProtectedResource {
            region: region.to_string(),
            logical_id: p.logical_id,
            resource_type: p.resource_type,
            in_template: true,
        })
        .collect();
    // What runs: protection turned on by hand is found too.
    for r in stacks.resources(&info.id).await? {
        if out.iter().any(|p| p.logical_id == r.logical_id) {
            continue;
        }
        let Some(id) = r.physical_id.as_deref() else {
            continue;
        };
        let live = match r.resource_type.as_str() {
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                reads::load_balancer(&aws.elbv2(region), region, id)
                    .await?
                    .is_some_and(|p| load_balancer_protected(&p))
            }
            "AWS::DocDB::DBCluster" => reads::docdb_cluster(&aws.docdb(region), region, id)
                .await?
                .is_some_and(|p| p["DeletionProtection"] == Value::Bool(true)),
            _ => false,
        };
        if live {
            out.push(ProtectedResource {
                region: region.to_string(),
                logical_id: r.logical_id.clone(),
                resource_type: r.resource_type.clone(),
                in_template: false,
            });
        }
    }
    Ok(out)
}

/// Update the plan's stack in `region` with deletion protection off: the
/// deployed template with only the protection changed, the deployed
/// parameters. Returns a line saying what was done.
pub async fn disable(
    aws: &Aws,
    plan: &Plan,
    region: &str,
    progress: &Progress,
) -> Result<String, EngineError> {
    let name = plan.stack_name();
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let Some(info) = stacks.describe(&name).await? else {
        return Ok("no stack".into());
    };
    let template = super::parse_deployed(region, &stacks.template(&name).await?)?;
    let Some(off) = unprotected(&template) else {
        return Ok("deletion protection already off in the template".into());
    };
    let stack = RegionStack {
        region: region.to_string(),
        template: streamscale_core::render::to_pretty(&off),
        parameters: info.parameters.clone().into_iter().collect(),
    };
    let digest = template_digest(&stack);
    let source = template_source(aws, plan, &stack, &digest).await?;
    let tags: Vec<(String, String)> = info.tags.clone().into_iter().collect();
    let cs_name = change_set_name(&digest, Some("unprotect"));
    let cs = change_set(&stacks, &name, &cs_name, &source, &stack.parameters, &tags).await?;
    if let ChangeSetState::Failed(reason) = cs.state() {
        return Err(EngineError::DeletionProtected {
            resources: format!("{region}: turning deletion protection off failed: {reason}"),
        });
    }
    let mut seen = HashSet::new();
    stacks.execute_change_set(&name, &cs.id).await?;
    progress.start(region, 1, "turning deletion protection off");
    let (status, failures) = wait_stack(&stacks, &name, &mut seen, progress).await?;
    if status.outcome() != Outcome::Succeeded {
        let why: Vec<String> = failures.iter().filter_map(|f| f.reason.clone()).collect();
        return Err(EngineError::DeletionProtected {
            resources: format!(
                "{region}: the update turning deletion protection off ended {}: {}",
                status.as_str(),
                why.join("; ")
            ),
        });
    }
    Ok(format!("{region}: deletion protection turned off"))
}
