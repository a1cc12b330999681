//! The resource-type registry: one module per AWS resource type owns what
//! streamscale knows about it.
//!
//! A [`ResourceType`] says which of its properties CloudFormation can only
//! change by replacing it (one table, used by the plan's diff and by drift
//! alike), how the engine reads it live ([`LiveRead`]: the adapter call, or
//! why it is not read), how it compares with the plan (the properties, their
//! value types and severities, and any logic beyond a property list), how a
//! drift repair marks it, and what it costs ([`Cost`]).
//!
//! Adding a type: write its module, add it to [`REGISTRY`]; if it is read
//! live, add its [`ReadCall`] and the adapter function behind it (see
//! `docs/architecture.md`).

pub mod alarm;
pub mod auto_scaling_group;
pub mod comparison;
pub mod docdb;
pub mod eks;
pub mod launch_template;
pub mod listener;
pub mod load_balancer;
pub mod network;
pub mod opensearch;
pub mod platform;
pub mod prefix_list;
pub mod prometheus;
pub mod replication_group;
pub mod scaling_policy;
pub mod scheduled_action;
pub mod secrets;
pub mod security_group;
pub mod target_group;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::finding::Severity;
use crate::template::ValueType;
use comparison::{Comparison, ObservedResource};

/// Everything streamscale knows about one AWS resource type.
#[derive(Debug)]
pub struct ResourceType {
    /// CloudFormation's name (`AWS::AutoScaling::AutoScalingGroup`).
    pub name: &'static str,
    /// What a finding on it puts at risk when no property says otherwise
    /// (a deleted resource, a pending creation).
    pub severity: Severity,
    /// The top-level properties whose change replaces the resource: the
    /// `createOnlyProperties` of its CloudFormation registry schema
    /// (`tests/replacement_table.rs` checks them against cfn-lint's copy).
    pub replaced_by: &'static [&'static str],
    /// How the engine reads it live.
    pub read: LiveRead,
    /// The properties compared with the plan, in order.
    pub compared: &'static [Property],
    /// Comparison beyond [`Self::compared`] (sizes in force, rule sets,
    /// launch-template versions); `None`: the property list is all.
    pub compare: Option<fn(&mut Comparison<'_>, &ObservedResource<'_>)>,
    /// When a resource of this type may be gone without drift: the
    /// resolved properties and the time (a one-time scheduled action that
    /// ran).
    pub gone_as_expected: Option<fn(&Value, DateTime<Utc>) -> bool>,
    /// How a repair makes CloudFormation re-apply a property as a whole.
    pub mark: Option<Marking>,
    /// What it costs.
    pub cost: Cost,
}

/// How the engine reads a resource type live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveRead {
    /// Not read: why (what streamscale would learn from it).
    NotRead(&'static str),
    /// Read by its physical id with this adapter call.
    ById(ReadCall),
    /// Found in a list read once per parent resource (the policies of an
    /// auto-scaling group): the parent's type, the list call, and the
    /// fields of a list entry that may equal the physical id.
    InParentList {
        /// The parent's resource type.
        parent: &'static str,
        /// The call that lists the children of one parent.
        call: ListCall,
        /// Fields of an entry compared with the child's physical id.
        matched_by: &'static [&'static str],
    },
}

/// An adapter call that reads one resource by its physical id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadCall {
    /// DescribeAutoScalingGroups (with its instances).
    AutoScalingGroup,
    /// DescribeLaunchTemplates and DescribeLaunchTemplateVersions.
    LaunchTemplate,
    /// DescribeSecurityGroups.
    SecurityGroup,
    /// DescribeLoadBalancers and DescribeLoadBalancerAttributes.
    LoadBalancer,
    /// DescribeTargetGroups and DescribeTargetGroupAttributes.
    TargetGroup,
    /// DescribeReplicationGroups.
    ReplicationGroup,
    /// DescribeManagedPrefixLists and GetManagedPrefixListEntries.
    PrefixList,
    /// DocumentDB DescribeDBClusters.
    DocDbCluster,
    /// DocumentDB DescribeDBInstances.
    DocDbInstance,
    /// OpenSearch Service DescribeDomain.
    OpenSearchDomain,
    /// EKS DescribeCluster.
    EksCluster,
    /// EKS DescribeAccessEntry (physical id `<cluster>|<principal ARN>`).
    EksAccessEntry,
    /// AMP DescribeWorkspace and DescribeLoggingConfiguration.
    ApsWorkspace,
    /// AMP DescribeRuleGroupsNamespace.
    ApsRuleGroupsNamespace,
}

/// An adapter call that lists the children of one parent resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListCall {
    /// DescribePolicies of a group.
    ScalingPolicies,
    /// DescribeScheduledActions of a group.
    ScheduledActions,
    /// DescribeListeners of a load balancer.
    Listeners,
}

/// A compared property.
#[derive(Debug, Clone, Copy)]
pub struct Property {
    /// Path into `Properties` (`TargetTrackingConfiguration.TargetValue`).
    pub path: &'static str,
    /// The type its values compare as.
    pub value_type: ValueType,
    /// What a difference puts at risk.
    pub severity: Severity,
    /// Why apply cannot repair it in place although CloudFormation does not
    /// replace the resource for it (what to do instead); `None`: apply
    /// repairs it, unless the property replaces the resource.
    pub manual: Option<&'static str>,
}

impl Property {
    /// A property apply repairs in place (unless it replaces the resource).
    pub const fn new(path: &'static str, value_type: ValueType, severity: Severity) -> Self {
        Property {
            path,
            value_type,
            severity,
            manual: None,
        }
    }

    /// A property only a person can repair, and how.
    pub const fn manual(mut self, why: &'static str) -> Self {
        self.manual = Some(why);
        self
    }
}

/// How a repair marks a resource so that CloudFormation re-applies one of
/// its properties as a whole (a new launch template version with the
/// plan's data; a security group's rules set to the declared ones).
#[derive(Debug, Clone, Copy)]
pub struct Marking {
    /// The property the mark goes into.
    pub property: &'static str,
    /// Puts the marker (`digest`) into the resource's `Properties`.
    pub apply: fn(&mut Value, &str),
}

/// The marker a repair puts in a resource.
pub const MARKER_KEY: &str = "streamscale:repair";

/// What a resource type costs (the report prices it with the catalog's
/// tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// No charge of its own.
    Free,
    /// EC2 on-demand instances of the launch template's type, per hour.
    Ec2Instances,
    /// ElastiCache nodes of the node type, per hour.
    CacheNodes,
    /// One DocumentDB instance of its class, per hour.
    DocDbInstances,
    /// OpenSearch Service data and dedicated master nodes, per hour.
    SearchNodes,
    /// Charged, but not priced by streamscale (what it is).
    NotPriced(&'static str),
}

/// Every type streamscale knows, in no particular order.
pub const REGISTRY: &[&ResourceType] = &[
    &auto_scaling_group::TYPE,
    &scaling_policy::TYPE,
    &scheduled_action::TYPE,
    &launch_template::TYPE,
    &security_group::TYPE,
    &load_balancer::TYPE,
    &listener::TYPE,
    &target_group::TYPE,
    &replication_group::TYPE,
    &replication_group::SUBNET_GROUP,
    &docdb::CLUSTER,
    &docdb::INSTANCE,
    &docdb::SUBNET_GROUP,
    &docdb::PARAMETER_GROUP,
    &docdb::GLOBAL_CLUSTER,
    &opensearch::DOMAIN,
    &eks::CLUSTER,
    &eks::ACCESS_ENTRY,
    &prometheus::WORKSPACE,
    &prometheus::RULE_GROUPS_NAMESPACE,
    &platform::IAM_ROLE,
    &platform::IAM_INSTANCE_PROFILE,
    &platform::KMS_KEY,
    &alarm::TYPE,
    &prefix_list::TYPE,
    &secrets::SECRET,
    &secrets::BUCKET,
    &secrets::BUCKET_POLICY,
    &network::VPC,
    &network::SUBNET,
    &network::ROUTE_TABLE,
    &network::ROUTE,
    &network::SUBNET_ROUTE_TABLE_ASSOCIATION,
    &network::INTERNET_GATEWAY,
    &network::GATEWAY_ATTACHMENT,
    &network::NAT_GATEWAY,
    &network::EIP,
];

/// The type of that name, if streamscale knows it.
pub fn lookup(name: &str) -> Option<&'static ResourceType> {
    REGISTRY.iter().copied().find(|t| t.name == name)
}

/// The severity of a finding on a whole resource of type `name`.
pub fn severity_of(name: &str) -> Severity {
    match lookup(name) {
        Some(t) => t.severity,
        None if name == "AWS::CloudFormation::Stack" => Severity::Capacity,
        None if name.starts_with("AWS::EC2::SecurityGroup") => Severity::Security,
        None => Severity::Config,
    }
}

/// Whether changing `path` of a resource of type `name` replaces it.
pub fn replaces(name: &str, path: &str) -> bool {
    let top = path.split(['.', '[']).next().unwrap_or(path);
    lookup(name).is_some_and(|t| t.replaced_by.contains(&top))
}

/// Whether streamscale reads resources of type `name` live.
pub fn is_read(name: &str) -> bool {
    lookup(name).is_some_and(|t| !matches!(t.read, LiveRead::NotRead(_)))
}

/// Why resources of type `name` are not read.
pub fn not_read_reason(name: &str) -> String {
    match lookup(name).map(|t| t.read) {
        Some(LiveRead::NotRead(why)) => why.to_string(),
        _ => "a resource type streamscale does not read".to_string(),
    }
}

/// What CloudFormation can only change by replacing the resource.
pub const REPLACES: &str = "CloudFormation can only change it by replacing the resource: change it back by hand, or destroy and apply the region";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_registered_once() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|t| t.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a type is registered twice");
    }

    #[test]
    fn children_name_a_registered_parent() {
        for t in REGISTRY {
            if let LiveRead::InParentList { parent, .. } = t.read {
                assert!(is_read(parent), "{}: parent {parent} is not read", t.name);
            }
        }
    }

    #[test]
    fn transit_encryption_is_changed_in_place() {
        // The CloudFormation registry schema of AWS::ElastiCache::ReplicationGroup
        // does not list TransitEncryptionEnabled in createOnlyProperties.
        assert!(!replaces(
            "AWS::ElastiCache::ReplicationGroup",
            "TransitEncryptionEnabled"
        ));
        assert!(replaces(
            "AWS::ElastiCache::ReplicationGroup",
            "AtRestEncryptionEnabled"
        ));
    }
}
