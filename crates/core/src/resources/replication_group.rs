//! `AWS::ElastiCache::ReplicationGroup` (the region's Redis or Valkey
//! cache) and its subnet group.

use serde_json::Value;

use super::comparison::{Comparison, Difference, ObservedResource};
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::{Repair, Severity};
use crate::template::{ValueType, same, text, typed};

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::ElastiCache::ReplicationGroup",
    severity: Severity::Capacity,
    replaced_by: &[
        "AtRestEncryptionEnabled",
        "CacheSubnetGroupName",
        "DataTieringEnabled",
        "GlobalReplicationGroupId",
        "KmsKeyId",
        "NetworkType",
        "Port",
        "PreferredCacheClusterAZs",
        "ReplicationGroupId",
        "SnapshotArns",
        "SnapshotName",
    ],
    read: LiveRead::ById(ReadCall::ReplicationGroup),
    compared: &[
        Property::new("CacheNodeType", ValueType::Str, Severity::Capacity),
        Property::new("NumNodeGroups", ValueType::Int, Severity::Capacity).manual(
            "CloudFormation cannot reshard without replacing the replication group: reshard by hand (aws elasticache modify-replication-group-shard-configuration)",
        ),
        Property::new("AtRestEncryptionEnabled", ValueType::Bool, Severity::Security),
        Property::new("TransitEncryptionEnabled", ValueType::Bool, Severity::Security),
        Property::new("AutomaticFailoverEnabled", ValueType::Bool, Severity::Config),
        Property::new("MultiAZEnabled", ValueType::Bool, Severity::Config),
        Property::new("Engine", ValueType::Str, Severity::Config),
        Property::new("Port", ValueType::Int, Severity::Config),
        Property::new("SnapshotRetentionLimit", ValueType::Int, Severity::Config),
    ],
    compare: Some(compare),
    gone_as_expected: None,
    mark: None,
    cost: Cost::CacheNodes,
};

/// `AWS::ElastiCache::SubnetGroup`.
pub const SUBNET_GROUP: ResourceType = ResourceType {
    name: "AWS::ElastiCache::SubnetGroup",
    severity: Severity::Config,
    replaced_by: &["CacheSubnetGroupName"],
    read: LiveRead::NotRead("cache subnet group: the cache's placement, not its capacity"),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// The properties, the AUTH token, then the replicas of every node group.
fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.compared_properties(r);
    auth_token(c, r, &expected);
    let Some(want) = expected
        .get("ReplicasPerNodeGroup")
        .and_then(|v| typed(ValueType::Int, v))
    else {
        return;
    };
    let id = c.physical_id(r.logical_id);
    for g in r.live["NodeGroups"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let got = typed(ValueType::Int, &g["Replicas"]).unwrap_or(Value::Null);
        if !same(&want, &got) {
            let group = text(&g["NodeGroupId"]);
            c.push(
                r.logical_id,
                TYPE.name,
                Difference::new(
                    "ReplicasPerNodeGroup",
                    want.clone(),
                    got,
                    Severity::Capacity,
                    Repair::No(format!(
                        "CloudFormation does not see a replica removed outside it (its template already says {want}): add them back by hand (aws elasticache increase-replica-count --replication-group-id {id} --new-replica-count {want} --apply-immediately)"
                    )),
                )
                .note(format!("node group {group}"))
                .discriminator(group),
            );
        }
    }
}

/// A template with an `AuthToken` wants AUTH on: the token itself is never
/// read (only ElastiCache's `AuthTokenEnabled`).
fn auth_token(c: &mut Comparison<'_>, r: &ObservedResource<'_>, expected: &Value) {
    if expected.get("AuthToken").is_none() || r.live["AuthTokenEnabled"].as_bool() == Some(true) {
        return;
    }
    let id = c.physical_id(r.logical_id);
    c.push(
        r.logical_id,
        TYPE.name,
        Difference::new(
            "AuthToken",
            Value::String("enabled".into()),
            Value::String("disabled".into()),
            Severity::Security,
            Repair::No(format!(
                "CloudFormation does not see AUTH turned off outside it (its template is unchanged): set the token from the stack's secret again (aws elasticache modify-replication-group --replication-group-id {id} --auth-token \"$(aws secretsmanager get-secret-value --secret-id <CacheAuthSecret> --query SecretString --output text | jq -r .auth_token)\" --auth-token-update-strategy SET --apply-immediately)"
            )),
        )
        .note("the cache accepts connections without AUTH"),
    );
}
