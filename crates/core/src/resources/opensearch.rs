//! Amazon OpenSearch Service (SPEC §7 `[search]`):
//! `AWS::OpenSearchService::Domain`.
//!
//! Every compared property is changed in place (a blue/green deployment on
//! AWS): only `DomainName` and `EngineMode` replace the domain, and the
//! template's `UpdatePolicy: EnableVersionUpgrade` upgrades `EngineVersion`
//! in place too.

use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::Severity;
use crate::template::ValueType;

/// The registry entry.
pub const DOMAIN: ResourceType = ResourceType {
    name: "AWS::OpenSearchService::Domain",
    severity: Severity::Capacity,
    replaced_by: &["DomainName", "EngineMode"],
    read: LiveRead::ById(ReadCall::OpenSearchDomain),
    compared: &[
        Property::new(
            "ClusterConfig.InstanceCount",
            ValueType::Int,
            Severity::Capacity,
        ),
        Property::new(
            "ClusterConfig.InstanceType",
            ValueType::Str,
            Severity::Capacity,
        ),
        Property::new(
            "ClusterConfig.DedicatedMasterEnabled",
            ValueType::Bool,
            Severity::Capacity,
        ),
        Property::new(
            "ClusterConfig.DedicatedMasterCount",
            ValueType::Int,
            Severity::Capacity,
        ),
        Property::new(
            "ClusterConfig.DedicatedMasterType",
            ValueType::Str,
            Severity::Capacity,
        ),
        Property::new(
            "ClusterConfig.ZoneAwarenessEnabled",
            ValueType::Bool,
            Severity::Capacity,
        ),
        Property::new(
            "ClusterConfig.ZoneAwarenessConfig.AvailabilityZoneCount",
            ValueType::Int,
            Severity::Capacity,
        ),
        Property::new("EBSOptions.VolumeSize", ValueType::Int, Severity::Capacity),
        Property::new("EBSOptions.VolumeType", ValueType::Str, Severity::Config),
        Property::new(
            "EncryptionAtRestOptions.Enabled",
            ValueType::Bool,
            Severity::Security,
        ),
        Property::new(
            "NodeToNodeEncryptionOptions.Enabled",
            ValueType::Bool,
            Severity::Security,
        ),
        Property::new(
            "DomainEndpointOptions.EnforceHTTPS",
            ValueType::Bool,
            Severity::Security,
        ),
        Property::new(
            "DomainEndpointOptions.TLSSecurityPolicy",
            ValueType::Str,
            Severity::Security,
        ),
        Property::new("EngineVersion", ValueType::Str, Severity::Config),
    ],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::SearchNodes,
};
