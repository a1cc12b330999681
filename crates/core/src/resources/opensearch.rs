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

/// Recording the live engine version would make the first repair update a
/// downgrade, which OpenSearch refuses.
const ENGINE_VERSION: &str = "the domain runs another engine version than the plan: OpenSearch upgrades in place but never downgrades; change the plan's engine_version, or upgrade the domain (aws opensearch upgrade-domain)";
/// OpenSearch does not turn encryption off once it is on.
const ENCRYPTION: &str = "encryption cannot be changed back by an update (OpenSearch never turns it off once on, and turning it on needs a blue/green change): fix the domain by hand or recreate it";
/// Recording "off" would leave master or zone settings the update refuses.
const MASTERS_AND_ZONES: &str = "dedicated masters and zone awareness changed by hand: set them back with aws opensearch update-domain-config (the whole ClusterConfig), then run drift again";

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
        )
        .manual(MASTERS_AND_ZONES),
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
        )
        .manual(MASTERS_AND_ZONES),
        Property::new(
            "ClusterConfig.ZoneAwarenessConfig.AvailabilityZoneCount",
            ValueType::Int,
            Severity::Capacity,
        )
        .manual(MASTERS_AND_ZONES),
        Property::new("EBSOptions.VolumeSize", ValueType::Int, Severity::Capacity),
        Property::new("EBSOptions.VolumeType", ValueType::Str, Severity::Config),
        Property::new(
            "EncryptionAtRestOptions.Enabled",
            ValueType::Bool,
            Severity::Security,
        )
        .manual(ENCRYPTION),
        Property::new(
            "NodeToNodeEncryptionOptions.Enabled",
            ValueType::Bool,
            Severity::Security,
        )
        .manual(ENCRYPTION),
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
        Property::new("EngineVersion", ValueType::Str, Severity::Config).manual(ENGINE_VERSION),
    ],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::SearchNodes,
};
