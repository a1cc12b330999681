//! Reading what runs in a region: the stack, its resources, the deployed
//! template, and the live state of every resource whose type the registry
//! says is read, all reads of a region at the same time.
//!
//! Which types are read, and through which adapter call, is the registry's
//! ([`streamscale_core::resources`]); this module only maps a
//! [`ReadCall`] or [`ListCall`] to the adapter function behind it.

use std::collections::BTreeMap;

use futures::future::join_all;
use serde_json::Value;

use super::EngineError;
use crate::aws::cloudformation::{StackResource, Stacks};
use crate::aws::{Aws, AwsError, platform_reads, reads};
use streamscale_core::observed::{ObservedStack, ResourceState};
use streamscale_core::resources::{self, ListCall, LiveRead, ReadCall};

/// The adapter call behind a [`ReadCall`].
async fn read_by_id(
    aws: &Aws,
    region: &str,
    call: ReadCall,
    id: &str,
) -> Result<Option<Value>, AwsError> {
    match call {
        ReadCall::AutoScalingGroup => {
            reads::auto_scaling_group(&aws.autoscaling(region), region, id).await
        }
        ReadCall::LaunchTemplate => reads::launch_template(&aws.ec2(region), region, id, &[]).await,
        ReadCall::SecurityGroup => reads::security_group(&aws.ec2(region), region, id).await,
        ReadCall::LoadBalancer => reads::load_balancer(&aws.elbv2(region), region, id).await,
        ReadCall::TargetGroup => reads::target_group(&aws.elbv2(region), region, id).await,
        ReadCall::ReplicationGroup => {
            reads::replication_group(&aws.elasticache(region), region, id).await
        }
        ReadCall::PrefixList => {
            crate::aws::prefix_lists::prefix_list(&aws.ec2(region), region, id).await
        }
        ReadCall::DocDbCluster => reads::docdb_cluster(&aws.docdb(region), region, id).await,
        ReadCall::DocDbInstance => reads::docdb_instance(&aws.docdb(region), region, id).await,
        ReadCall::OpenSearchDomain => {
            reads::opensearch_domain(&aws.opensearch(region), region, id).await
        }
        ReadCall::EksCluster => platform_reads::eks_cluster(&aws.eks(region), region, id).await,
        ReadCall::EksAccessEntry => {
            platform_reads::eks_access_entry(&aws.eks(region), region, id).await
        }
        ReadCall::ApsWorkspace => platform_reads::aps_workspace(&aws.amp(region), region, id).await,
        ReadCall::ApsRuleGroupsNamespace => {
            platform_reads::aps_rule_groups_namespace(&aws.amp(region), region, id).await
        }
    }
}

/// The adapter call behind a [`ListCall`]: `None` when the parent is gone.
async fn list_children(
    aws: &Aws,
    region: &str,
    call: ListCall,
    parent_id: &str,
) -> Result<Option<Vec<Value>>, AwsError> {
    match call {
        ListCall::ScalingPolicies => {
            reads::scaling_policies(&aws.autoscaling(region), region, parent_id)
                .await
                .map(Some)
        }
        ListCall::ScheduledActions => {
            reads::scheduled_actions(&aws.autoscaling(region), region, parent_id)
                .await
                .map(Some)
        }
        ListCall::Listeners => reads::listeners(&aws.elbv2(region), region, parent_id).await,
    }
}

fn state(r: Result<Option<Value>, AwsError>) -> ResourceState {
    match r {
        Ok(Some(v)) => ResourceState::Found(v),
        Ok(None) => ResourceState::Missing,
        Err(e) => ResourceState::ReadFailed(e.to_string()),
    }
}

/// Read the live state of a stack's resources: every read at once. A
/// child (a scaling policy, a listener) is found in its parent's list, read
/// once per parent; a child found in no list does not exist.
pub async fn read_resources(
    aws: &Aws,
    region: &str,
    resources: &[StackResource],
) -> BTreeMap<String, ResourceState> {
    let with_id: Vec<(&StackResource, &str, LiveRead)> = resources
        .iter()
        .filter_map(|r| {
            let t = resources::lookup(&r.resource_type)?;
            Some((r, r.physical_id.as_deref()?, t.read))
        })
        .collect();
    let own = join_all(with_id.iter().filter_map(|(r, id, read)| match read {
        LiveRead::ById(ReadCall::SecurityGroup) => None,
        LiveRead::ById(call) => Some(async move {
            (
                r.logical_id.clone(),
                read_by_id(aws, region, *call, id).await,
            )
        }),
        _ => None,
    }));
    // The security groups in one call.
    let groups: Vec<(&str, &str)> = with_id
        .iter()
        .filter(|(_, _, read)| matches!(read, LiveRead::ById(ReadCall::SecurityGroup)))
        .map(|(r, id, _)| (r.logical_id.as_str(), *id))
        .collect();
    let group_reads = async {
        let ids: Vec<&str> = groups.iter().map(|(_, id)| *id).collect();
        if ids.is_empty() {
            return Vec::new();
        }
        reads::security_groups(&aws.ec2(region), region, &ids).await
    };
    // One list call per parent and child type.
    let mut lists: Vec<(&str, ListCall, &str)> = Vec::new();
    for (_, _, read) in &with_id {
        if let LiveRead::InParentList { parent, call, .. } = read {
            for (p, pid, _) in with_id
                .iter()
                .filter(|(p, _, _)| p.resource_type == *parent)
            {
                let key = (p.logical_id.as_str(), *call, *pid);
                if !lists.contains(&key) {
                    lists.push(key);
                }
            }
        }
    }
    let listed = join_all(lists.iter().map(|(parent, call, pid)| async move {
        (*parent, *call, list_children(aws, region, *call, pid).await)
    }));
    let (mut own, listed, group_reads) = futures::join!(own, listed, group_reads);
    own.extend(
        groups
            .iter()
            .map(|(logical, _)| logical.to_string())
            .zip(group_reads),
    );

    let mut states: BTreeMap<String, ResourceState> = BTreeMap::new();
    let parent_missing = |parent: &str| {
        own.iter()
            .any(|(l, r)| l == parent && matches!(r, Ok(None)))
    };
    for (r, id, read) in &with_id {
        let LiveRead::InParentList {
            call, matched_by, ..
        } = read
        else {
            continue;
        };
        for (parent, list_call, result) in &listed {
            if list_call != call {
                continue;
            }
            match result {
                Ok(Some(list)) => {
                    if let Some(entry) = list
                        .iter()
                        .find(|e| matched_by.iter().any(|k| e[*k].as_str() == Some(*id)))
                    {
                        states.insert(r.logical_id.clone(), ResourceState::Found(entry.clone()));
                    }
                }
                Ok(None) => {}
                Err(e) if !parent_missing(parent) => {
                    states
                        .entry(r.logical_id.clone())
                        .or_insert_with(|| ResourceState::ReadFailed(e.to_string()));
                }
                Err(_) => {}
            }
        }
        states
            .entry(r.logical_id.clone())
            .or_insert(ResourceState::Missing);
    }
    // A group may launch a launch-template version the first read did not
    // fetch (neither latest nor default): read that version too.
    let mut used_versions: BTreeMap<String, String> = BTreeMap::new();
    for (_, r) in &own {
        if let Ok(Some(g)) = r
            && let (Some(id), Some(v)) = (
                g.pointer("/LaunchTemplate/LaunchTemplateId")
                    .and_then(Value::as_str),
                g.pointer("/LaunchTemplate/Version").and_then(Value::as_str),
            )
        {
            used_versions.insert(id.to_string(), v.to_string());
        }
    }
    for (logical, r) in own {
        let physical = with_id
            .iter()
            .find(|(x, _, _)| x.logical_id == logical)
            .map(|(_, id, _)| *id)
            .unwrap_or_default();
        let r = match (r, used_versions.get(physical)) {
            (Ok(Some(t)), Some(v))
                if t.get("LatestVersionNumber").is_some()
                    && v.parse::<i64>().is_ok()
                    && t["Versions"].get(v.as_str()).is_none() =>
            {
                reads::launch_template(&aws.ec2(region), region, physical, std::slice::from_ref(v))
                    .await
            }
            (r, _) => r,
        };
        states.insert(logical, state(r));
    }
    states
}

/// Read a region's stack and the live state of its resources. `None`
/// when there is no stack.
pub async fn read_stack(
    aws: &Aws,
    region: &str,
    stack_name: &str,
) -> Result<Option<ObservedStack>, EngineError> {
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let Some(info) = stacks.describe(stack_name).await? else {
        return Ok(None);
    };
    let (resources, deployed) =
        futures::join!(stacks.resources(&info.id), stacks.template(&info.id));
    let resources = resources?;
    let deployed = super::parse_deployed(region, &deployed?)?;
    let states = read_resources(aws, region, &resources).await;
    Ok(Some(ObservedStack {
        region: region.to_string(),
        info,
        resources,
        deployed,
        states,
    }))
}
