//! The identity types the platform tiers (SPEC §7) need: `AWS::IAM::Role`,
//! `AWS::IAM::InstanceProfile` and `AWS::KMS::Key`. The EKS and AMP types
//! have their own modules (`eks`, `prometheus`). `replaced_by` lists the
//! top-level `createOnlyProperties` of each type's CloudFormation registry
//! schema (cfn-lint's copy).
//!
//! None of them is read through a service API: CloudFormation's drift
//! detection reports their differences (docs/drift.md).

use super::{Cost, LiveRead, ResourceType};
use crate::finding::Severity;

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
