//! The platform tiers' types (SPEC §7): `AWS::EKS::Cluster`,
//! `AWS::EKS::AccessEntry`, `AWS::APS::Workspace`,
//! `AWS::APS::RuleGroupsNamespace`, and the identity types the cluster and
//! its nodes need (`AWS::IAM::Role`, `AWS::IAM::InstanceProfile`,
//! `AWS::KMS::Key`). `replaced_by` lists the top-level `createOnlyProperties`
//! of each type's CloudFormation registry schema (cfn-lint's copy); a nested
//! create-only property (`AccessConfig/BootstrapClusterCreatorAdminPermissions`)
//! is left out so that an in-place change of its parent is not taken for a
//! replacement.
//!
//! None of them is read through a service API yet: CloudFormation's drift
//! detection reports their differences (docs/drift.md).

use super::{Cost, LiveRead, ResourceType};
use crate::finding::Severity;

/// `AWS::EKS::Cluster`.
pub const EKS_CLUSTER: ResourceType = ResourceType {
    name: "AWS::EKS::Cluster",
    severity: Severity::Capacity,
    replaced_by: &[
        "OutpostConfig",
        "EncryptionConfig",
        "KubernetesNetworkConfig",
        "Name",
        "RoleArn",
        "BootstrapSelfManagedAddons",
    ],
    read: LiveRead::NotRead(
        "EKS cluster: version, logging and endpoint access are checked by CloudFormation drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("EKS cluster-hours (priced in the report's platform section)"),
};

/// `AWS::EKS::AccessEntry`.
pub const EKS_ACCESS_ENTRY: ResourceType = ResourceType {
    name: "AWS::EKS::AccessEntry",
    severity: Severity::Security,
    replaced_by: &["PrincipalArn", "ClusterName", "Type"],
    read: LiveRead::NotRead(
        "access entry: who may join or call the cluster, checked by CloudFormation drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// `AWS::APS::Workspace`.
pub const APS_WORKSPACE: ResourceType = ResourceType {
    name: "AWS::APS::Workspace",
    severity: Severity::Config,
    replaced_by: &["KmsKeyArn"],
    read: LiveRead::NotRead("Prometheus workspace: no capacity of its own"),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("AMP samples ingested (estimated in the report's platform section)"),
};

/// `AWS::APS::RuleGroupsNamespace`.
pub const APS_RULE_GROUPS_NAMESPACE: ResourceType = ResourceType {
    name: "AWS::APS::RuleGroupsNamespace",
    severity: Severity::Config,
    replaced_by: &["Name", "Workspace"],
    read: LiveRead::NotRead(
        "alert rules: the rules data is checked by CloudFormation drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// `AWS::IAM::Role`.
pub const IAM_ROLE: ResourceType = ResourceType {
    name: "AWS::IAM::Role",
    severity: Severity::Security,
    replaced_by: &["Path", "RoleName"],
    read: LiveRead::NotRead("IAM role: its policies are checked by CloudFormation drift detection"),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// `AWS::IAM::InstanceProfile`.
pub const IAM_INSTANCE_PROFILE: ResourceType = ResourceType {
    name: "AWS::IAM::InstanceProfile",
    severity: Severity::Security,
    replaced_by: &["InstanceProfileName", "Path"],
    read: LiveRead::NotRead(
        "instance profile: a role holder, checked by CloudFormation drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// `AWS::KMS::Key`.
pub const KMS_KEY: ResourceType = ResourceType {
    name: "AWS::KMS::Key",
    severity: Severity::Security,
    replaced_by: &[],
    read: LiveRead::NotRead(
        "KMS key: its policy and rotation are checked by CloudFormation drift detection",
    ),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("KMS keys, 1 USD a month each"),
};
