//! Reading what runs: a region's stack, its resources and the live state of
//! the ones streamscale compares (auto-scaling group, scaling policy,
//! scheduled actions, launch template, security groups, load balancer,
//! listeners, target group, cache), every read of a region at the same
//! time. Also the live data of `report --live`.
//!
//! What is read is decided by resource type; how it is compared is
//! [`super::drift`]'s.

use std::collections::BTreeMap;

use futures::future::join_all;
use serde_json::Value;

use super::EngineError;
use crate::aws::live as read;
use crate::aws::stack::{Resource, StackInfo, Stacks};
use crate::aws::{Aws, AwsError};
use crate::error::Error;
use crate::plan::Plan;
use crate::render::{RegionStack, Rendered};
use crate::report::{LiveData, VCPU_QUOTA_CODE};

/// The resource types streamscale reads and compares itself.
pub const READ_TYPES: &[&str] = &[
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::AutoScaling::ScheduledAction",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::SecurityGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElastiCache::ReplicationGroup",
];

/// The live state of one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// Its properties, under CloudFormation's names.
    Found(Value),
    /// It does not exist (deleted outside CloudFormation).
    Missing,
    /// The read failed: the message.
    Failed(String),
}

/// A region's stack as it runs.
#[derive(Debug, Clone)]
pub struct LiveStack {
    /// Region.
    pub region: String,
    /// DescribeStacks.
    pub info: StackInfo,
    /// ListStackResources.
    pub resources: Vec<Resource>,
    /// The deployed template (GetTemplate), parsed.
    pub deployed: Value,
    /// Live reads by logical id, for the resources of [`READ_TYPES`].
    pub reads: BTreeMap<String, Read>,
}

impl LiveStack {
    /// Physical ids by logical id.
    pub fn physical_ids(&self) -> BTreeMap<String, String> {
        self.resources
            .iter()
            .filter_map(|r| Some((r.logical_id.clone(), r.physical_id.clone()?)))
            .collect()
    }
}

fn failed(e: &AwsError) -> Read {
    Read::Failed(e.to_string())
}

fn found(r: Result<Option<Value>, AwsError>) -> Read {
    match r {
        Ok(Some(v)) => Read::Found(v),
        Ok(None) => Read::Missing,
        Err(e) => failed(&e),
    }
}

/// Read the live state of the resources of a stack (already described).
/// Every read runs at once; the launch template is read again only when
/// the auto-scaling group uses a version the first read did not fetch.
pub async fn read_resources(
    aws: &Aws,
    region: &str,
    resources: &[Resource],
) -> BTreeMap<String, Read> {
    let of_type = |t: &str| -> Vec<(&str, &str)> {
        resources
            .iter()
            .filter(|r| r.resource_type == t)
            .filter_map(|r| Some((r.logical_id.as_str(), r.physical_id.as_deref()?)))
            .collect()
    };
    let asg_client = aws.autoscaling(region);
    let ec2 = aws.ec2(region);
    let elb = aws.elbv2(region);
    let cache = aws.elasticache(region);
    let mut reads: BTreeMap<String, Read> = BTreeMap::new();

    // Auto-scaling groups with their policies and scheduled actions.
    let groups = of_type("AWS::AutoScaling::AutoScalingGroup");
    let group_reads = join_all(groups.iter().map(|(_, name)| {
        let c = &asg_client;
        async move {
            futures::join!(
                read::auto_scaling_group(c, region, name),
                read::scaling_policies(c, region, name),
                read::scheduled_actions(c, region, name),
            )
        }
    }));
    // Launch templates ($Latest and $Default).
    let templates = of_type("AWS::EC2::LaunchTemplate");
    let template_reads = join_all(
        templates
            .iter()
            .map(|(_, id)| read::launch_template(&ec2, region, id, &[])),
    );
    let sgs = of_type("AWS::EC2::SecurityGroup");
    let sg_reads = join_all(
        sgs.iter()
            .map(|(_, id)| read::security_group(&ec2, region, id)),
    );
    let lbs = of_type("AWS::ElasticLoadBalancingV2::LoadBalancer");
    let lb_reads = join_all(lbs.iter().map(|(_, arn)| {
        let elb = &elb;
        async move {
            futures::join!(
                read::load_balancer(elb, region, arn),
                read::listeners(elb, region, arn)
            )
        }
    }));
    let tgs = of_type("AWS::ElasticLoadBalancingV2::TargetGroup");
    let tg_reads = join_all(
        tgs.iter()
            .map(|(_, arn)| read::target_group(&elb, region, arn)),
    );
    let caches = of_type("AWS::ElastiCache::ReplicationGroup");
    let cache_reads = join_all(
        caches
            .iter()
            .map(|(_, id)| read::replication_group(&cache, region, id)),
    );
    let (group_reads, template_reads, sg_reads, lb_reads, tg_reads, cache_reads) = futures::join!(
        group_reads,
        template_reads,
        sg_reads,
        lb_reads,
        tg_reads,
        cache_reads
    );

    let policies = of_type("AWS::AutoScaling::ScalingPolicy");
    let actions = of_type("AWS::AutoScaling::ScheduledAction");
    let mut used_versions: BTreeMap<String, String> = BTreeMap::new();
    for ((logical, _), (group, group_policies, group_actions)) in groups.iter().zip(group_reads) {
        if let Ok(Some(g)) = &group
            && let (Some(id), Some(v)) = (
                g.pointer("/LaunchTemplate/LaunchTemplateId")
                    .and_then(Value::as_str),
                g.pointer("/LaunchTemplate/Version").and_then(Value::as_str),
            )
        {
            used_versions.insert(id.to_string(), v.to_string());
        }
        let group_missing = matches!(group, Ok(None));
        reads.insert(logical.to_string(), found(group));
        // Policies and actions are found in their group's lists.
        match group_policies {
            Ok(list) => {
                for (l, arn) in &policies {
                    if let Some(p) = list.iter().find(|p| {
                        p["PolicyARN"].as_str() == Some(arn)
                            || p["PolicyName"].as_str() == Some(arn)
                    }) {
                        reads.insert(l.to_string(), Read::Found(p.clone()));
                    }
                }
            }
            Err(e) if !group_missing => {
                for (l, _) in &policies {
                    reads.insert(l.to_string(), failed(&e));
                }
            }
            Err(_) => {}
        }
        match group_actions {
            Ok(list) => {
                for (l, name) in &actions {
                    if let Some(a) = list
                        .iter()
                        .find(|a| a["ScheduledActionName"].as_str() == Some(name))
                    {
                        reads.insert(l.to_string(), Read::Found(a.clone()));
                    }
                }
            }
            Err(e) if !group_missing => {
                for (l, _) in &actions {
                    reads.insert(l.to_string(), failed(&e));
                }
            }
            Err(_) => {}
        }
    }
    // Policies and actions not found under any group do not exist.
    for (l, _) in policies.iter().chain(actions.iter()) {
        reads.entry(l.to_string()).or_insert(Read::Missing);
    }
    for ((logical, id), r) in templates.iter().zip(template_reads) {
        let r = match (r, used_versions.get(*id)) {
            (Ok(Some(t)), Some(v))
                if v.parse::<i64>().is_ok() && t["Versions"].get(v.as_str()).is_none() =>
            {
                read::launch_template(&ec2, region, id, std::slice::from_ref(v)).await
            }
            (r, _) => r,
        };
        reads.insert(logical.to_string(), found(r));
    }
    for ((logical, _), r) in sgs.iter().zip(sg_reads) {
        reads.insert(logical.to_string(), found(r));
    }
    let listeners = of_type("AWS::ElasticLoadBalancingV2::Listener");
    for ((logical, _), (lb, lb_listeners)) in lbs.iter().zip(lb_reads) {
        let lb_missing = matches!(lb, Ok(None));
        reads.insert(logical.to_string(), found(lb));
        match lb_listeners {
            Ok(Some(list)) => {
                for (l, arn) in &listeners {
                    if let Some(x) = list.iter().find(|x| x["ListenerArn"].as_str() == Some(arn)) {
                        reads.insert(l.to_string(), Read::Found(x.clone()));
                    }
                }
            }
            Ok(None) => {}
            Err(e) if !lb_missing => {
                for (l, _) in &listeners {
                    reads.insert(l.to_string(), failed(&e));
                }
            }
            Err(_) => {}
        }
    }
    for (l, _) in &listeners {
        reads.entry(l.to_string()).or_insert(Read::Missing);
    }
    for ((logical, _), r) in tgs.iter().zip(tg_reads) {
        reads.insert(logical.to_string(), found(r));
    }
    for ((logical, _), r) in caches.iter().zip(cache_reads) {
        reads.insert(logical.to_string(), found(r));
    }
    reads
}

/// Read a region's stack and the live state of its resources. `None`
/// when there is no stack.
pub async fn read_stack(
    aws: &Aws,
    region: &str,
    stack_name: &str,
) -> Result<Option<LiveStack>, EngineError> {
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let Some(info) = stacks.describe(stack_name).await? else {
        return Ok(None);
    };
    let (resources, deployed) =
        futures::join!(stacks.resources(&info.id), stacks.template(&info.id));
    let resources = resources?;
    let deployed: Value = serde_json::from_str(&deployed?).unwrap_or(Value::Null);
    let reads = read_resources(aws, region, &resources).await;
    Ok(Some(LiveStack {
        region: region.to_string(),
        info,
        resources,
        deployed,
        reads,
    }))
}

/// Running (InService) instances of the auto-scaling groups of a stack.
pub fn in_service(live: &LiveStack) -> Option<u64> {
    let groups: Vec<&Value> = live
        .resources
        .iter()
        .filter(|r| r.resource_type == "AWS::AutoScaling::AutoScalingGroup")
        .filter_map(|r| match live.reads.get(&r.logical_id) {
            Some(Read::Found(v)) => Some(v),
            _ => None,
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    Some(
        groups
            .iter()
            .flat_map(|g| g["Instances"].as_array().cloned().unwrap_or_default())
            .filter(|i| i["LifecycleState"].as_str() == Some("InService"))
            .count() as u64,
    )
}

/// `report --live`: InService instances per region, the vCPU quota
/// (Service Quotas `L-1216C47A`) where the endpoint answers, and the drift
/// headline, read from every region at once. Uses the built-in templates;
/// see [`report_data_rendered`] for a project's own.
pub fn report_data(plan: &Plan) -> Result<LiveData, Error> {
    let rendered = crate::render::render(plan, &crate::render::Templates::builtin()?)?;
    report_data_rendered(plan, &rendered)
}

/// [`report_data`] with the stacks as the project renders them.
pub fn report_data_rendered(plan: &Plan, rendered: &Rendered) -> Result<LiveData, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    rt.block_on(async {
        let aws = Aws::load().await?;
        let stacks: Vec<&RegionStack> = rendered.stacks.iter().collect();
        report_data_with(&aws, plan, &stacks).await
    })
}

/// The live data of `report --live`, from an SDK configuration. An error
/// when no region could be read at all (no access, no endpoint).
pub async fn report_data_with(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
) -> Result<LiveData, Error> {
    let now = chrono::Utc::now();
    let drifts = super::drift::drift_all(aws, plan, stacks, false, now);
    let quotas = join_all(stacks.iter().map(|s| async move {
        let q = read::ec2_quota(&aws.service_quotas(&s.region), VCPU_QUOTA_CODE).await;
        (s.region.clone(), q)
    }));
    let (drifts, quotas) = futures::join!(drifts, quotas);
    if !drifts.is_empty()
        && drifts
            .iter()
            .all(|d| d.status == super::drift::Status::Error)
    {
        return Err(Error::Usage {
            message: format!(
                "report --live could not read any region: {}",
                drifts[0].error.as_deref().unwrap_or("error")
            ),
            help: Some(
                "check AWS credentials and access (or AWS_ENDPOINT_URL), or write the report without --live".into(),
            ),
        });
    }
    let mut data = LiveData::default();
    for d in &drifts {
        data.instances.insert(d.region.clone(), d.in_service);
    }
    let mut no_quota = Vec::new();
    for (region, q) in quotas {
        match q {
            Ok(Some(v)) if v >= 0.0 => {
                data.vcpu_quota.insert(region, v.round() as u64);
            }
            Ok(_) => no_quota.push((region, "no value".to_string())),
            Err(m) => no_quota.push((region, m)),
        }
    }
    let mut summary = super::drift::headline(&drifts);
    if !no_quota.is_empty() {
        let regions: Vec<&str> = no_quota.iter().map(|(r, _)| r.as_str()).collect();
        summary.push_str(&format!(
            " Service Quotas gave no vCPU quota ({VCPU_QUOTA_CODE}) for {} ({}): the plan's [aws] vcpu_quota is used there.",
            regions.join(", "),
            no_quota[0].1
        ));
    }
    data.drift_summary = Some(summary);
    Ok(data)
}
