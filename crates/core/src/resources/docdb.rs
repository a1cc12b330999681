//! Amazon DocumentDB (SPEC §7 `[database]`): `AWS::DocDB::DBCluster`, its
//! instances, subnet group, cluster parameter group and global cluster.

use serde_json::Value;

use super::comparison::{Comparison, Difference, ObservedResource};
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::{Repair, Severity};
use crate::template::ValueType;

/// `AWS::DocDB::DBCluster`.
pub const CLUSTER: ResourceType = ResourceType {
    name: "AWS::DocDB::DBCluster",
    severity: Severity::Capacity,
    replaced_by: &[
        "SnapshotIdentifier",
        "KmsKeyId",
        "MasterUsername",
        "SourceDBClusterIdentifier",
        "DBClusterIdentifier",
        "AvailabilityZones",
        "DBSubnetGroupName",
        "StorageEncrypted",
    ],
    read: LiveRead::ById(ReadCall::DocDbCluster),
    compared: &[
        Property::new("EngineVersion", ValueType::Str, Severity::Config).manual(
            "the cluster runs another engine version than the plan: DocumentDB upgrades in place but never downgrades; change the plan, or upgrade the cluster (aws docdb modify-db-cluster --engine-version … --allow-major-version-upgrade)",
        ),
        Property::new("StorageEncrypted", ValueType::Bool, Severity::Security),
        Property::new("DeletionProtection", ValueType::Bool, Severity::Security),
        Property::new("BackupRetentionPeriod", ValueType::Int, Severity::Config),
        Property::new("Port", ValueType::Int, Severity::Config),
    ],
    compare: Some(compare_cluster),
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("DocumentDB storage, I/O and backups (the instances are priced)"),
};

/// `AWS::DocDB::DBInstance`.
pub const INSTANCE: ResourceType = ResourceType {
    name: "AWS::DocDB::DBInstance",
    severity: Severity::Capacity,
    replaced_by: &[
        "DBClusterIdentifier",
        "AvailabilityZone",
        "DBInstanceIdentifier",
    ],
    read: LiveRead::ById(ReadCall::DocDbInstance),
    compared: &[Property::new(
        "DBInstanceClass",
        ValueType::Str,
        Severity::Capacity,
    )],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::DocDbInstances,
};

/// `AWS::DocDB::DBSubnetGroup`.
pub const SUBNET_GROUP: ResourceType = ResourceType {
    name: "AWS::DocDB::DBSubnetGroup",
    severity: Severity::Config,
    replaced_by: &["DBSubnetGroupName"],
    read: LiveRead::NotRead("database subnet group: the cluster's placement, not its capacity"),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// `AWS::DocDB::DBClusterParameterGroup`.
pub const PARAMETER_GROUP: ResourceType = ResourceType {
    name: "AWS::DocDB::DBClusterParameterGroup",
    severity: Severity::Security,
    replaced_by: &["Family", "Description", "Name"],
    read: LiveRead::NotRead(
        "cluster parameter group: TLS and audit settings, checked by CloudFormation drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// `AWS::DocDB::GlobalCluster`.
pub const GLOBAL_CLUSTER: ResourceType = ResourceType {
    name: "AWS::DocDB::GlobalCluster",
    severity: Severity::Capacity,
    replaced_by: &[
        "Engine",
        "EngineVersion",
        "GlobalClusterIdentifier",
        "SourceDBClusterIdentifier",
        "StorageEncrypted",
    ],
    read: LiveRead::NotRead(
        "global cluster: its members are the regions' clusters, each read on its own",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// The properties, then the number of instances in the cluster: the
/// template's `AWS::DocDB::DBInstance` resources of this cluster against
/// the cluster's live members (an instance added by hand).
fn compare_cluster(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    c.compared_properties(r);
    let Some(members) = r.live["Members"].as_array() else {
        return;
    };
    let declared = c.template["Resources"]
        .as_object()
        .map(|all| {
            all.values()
                .filter(|res| {
                    res["Type"] == INSTANCE.name
                        && res["Properties"]["DBClusterIdentifier"]["Ref"] == r.logical_id
                })
                .count()
        })
        .unwrap_or(0);
    if members.len() > declared {
        let declared_ids: Vec<&String> = c.template["Resources"]
            .as_object()
            .map(|all| {
                all.iter()
                    .filter(|(_, res)| res["Type"] == INSTANCE.name)
                    .filter_map(|(l, _)| c.references.physical.get(l))
                    .collect()
            })
            .unwrap_or_default();
        let extra: Vec<String> = members
            .iter()
            .filter_map(Value::as_str)
            .filter(|m| !declared_ids.iter().any(|d| d.as_str() == *m))
            .map(str::to_string)
            .collect();
        let id = c.physical_id(r.logical_id);
        c.push(
            r.logical_id,
            CLUSTER.name,
            Difference::new(
                "InstanceCount",
                Value::from(declared),
                Value::from(members.len()),
                Severity::Capacity,
                Repair::No(format!(
                    "CloudFormation does not see an instance added outside it: delete it by hand (aws docdb delete-db-instance --db-instance-identifier {}) from cluster {id}",
                    extra.first().map_or("<id>", String::as_str)
                )),
            )
            .note(format!("instances not in the template: {}", extra.join(", "))),
        );
    }
}
