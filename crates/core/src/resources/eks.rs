//! Amazon EKS (SPEC §7 `[kubernetes]`): `AWS::EKS::Cluster` and
//! `AWS::EKS::AccessEntry`. The worker nodes are the §4 auto-scaling group
//! and its launch template, compared by their own modules.
//!
//! `replaced_by` lists the top-level `createOnlyProperties` of each type's
//! CloudFormation registry schema (cfn-lint's copy); a nested create-only
//! property (`AccessConfig/BootstrapClusterCreatorAdminPermissions`,
//! `KubernetesNetworkConfig/IpFamily`) stands for its parent only where the
//! whole parent is create-only, so that an in-place change of
//! `AccessConfig.AuthenticationMode` is not taken for a replacement.
//!
//! What apply can restore: endpoint access, the public CIDRs and the
//! control-plane log types (UpdateClusterConfig, in place). What it cannot:
//! a Kubernetes version upgraded by hand (EKS never downgrades), an
//! authentication mode moved towards `API` (EKS never moves it back), and
//! secrets encryption (create-only; EKS never removes it).

use serde_json::Value;

use super::comparison::{Comparison, Difference, ObservedResource};
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::{Repair, Severity};
use crate::template::{ValueType, is_unknown, text};

/// A version upgraded by hand: EKS has no downgrade.
const VERSION: &str = "the cluster runs another Kubernetes version than the plan: EKS upgrades one minor version at a time and never downgrades; set the plan's kubernetes version to the running one (and the nodes' AMI to that version's), then apply";
/// An authentication mode moved by hand.
const AUTH_MODE: &str = "the cluster's authentication mode was changed by hand: EKS only moves it from CONFIG_MAP towards API and never back; set the plan to the running mode, or recreate the cluster";

/// `AWS::EKS::Cluster`.
pub const CLUSTER: ResourceType = ResourceType {
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
    read: LiveRead::ById(ReadCall::EksCluster),
    compared: &[
        Property::new("Version", ValueType::Str, Severity::Capacity).manual(VERSION),
        Property::new(
            "ResourcesVpcConfig.EndpointPublicAccess",
            ValueType::Bool,
            Severity::Security,
        ),
        Property::new(
            "ResourcesVpcConfig.EndpointPrivateAccess",
            ValueType::Bool,
            Severity::Security,
        ),
        Property::new(
            "ResourcesVpcConfig.PublicAccessCidrs",
            ValueType::Set,
            Severity::Security,
        ),
        Property::new(
            "Logging.ClusterLogging.EnabledTypes",
            ValueType::Set,
            Severity::Security,
        ),
        Property::new(
            "AccessConfig.AuthenticationMode",
            ValueType::Str,
            Severity::Security,
        )
        .manual(AUTH_MODE),
    ],
    compare: Some(compare_cluster),
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("EKS cluster-hours (priced in the report's platform section)"),
};

/// `AWS::EKS::AccessEntry`: physical id `<cluster>|<principal ARN>`.
pub const ACCESS_ENTRY: ResourceType = ResourceType {
    name: "AWS::EKS::AccessEntry",
    severity: Severity::Security,
    replaced_by: &["PrincipalArn", "ClusterName", "Type"],
    read: LiveRead::ById(ReadCall::EksAccessEntry),
    compared: &[
        Property::new("Type", ValueType::Str, Severity::Security),
        Property::new("KubernetesGroups", ValueType::Set, Severity::Security),
        Property::new("Username", ValueType::Str, Severity::Security),
    ],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// The properties, then secrets encryption: the template's
/// `EncryptionConfig` entries for `secrets` against the live ones (the key
/// only when the template's resolves).
fn compare_cluster(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.compared_properties(r);
    let want = secrets_key(&expected["EncryptionConfig"]);
    let got = secrets_key(&r.live["EncryptionConfig"]);
    let differs = match (&want, &got) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(w), Some(g)) => !is_unknown(w) && !w.is_null() && w != g,
    };
    if differs {
        let show = |k: &Option<Value>| match k {
            None => Value::from("not encrypted"),
            Some(k) if k.is_null() || is_unknown(k) => Value::from("encrypted"),
            Some(k) => Value::String(text(k)),
        };
        c.push(
            r.logical_id,
            CLUSTER.name,
            Difference::new(
                "EncryptionConfig",
                show(&want),
                show(&got),
                Severity::Security,
                Repair::No(super::REPLACES.to_string()),
            )
            .note("envelope encryption of Kubernetes secrets (the KMS key)"),
        );
    }
}

/// The key of the `EncryptionConfig` entry for `secrets`: `None` when none
/// is; `Some(Null)` when one is without a key.
fn secrets_key(configs: &Value) -> Option<Value> {
    configs.as_array()?.iter().find_map(|e| {
        e["Resources"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(|r| r == "secrets"))
            .then(|| e["Provider"]["KeyArn"].clone())
    })
}
