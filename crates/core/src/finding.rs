//! A finding: one difference between what runs and the plan, with what it
//! puts at risk, who found it and how apply repairs it. Shared by the
//! resource registry (which makes them), drift (which reports them) and
//! repair planning (which acts on them).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a finding puts at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Sizes, instance types, scaling policy, scheduled actions, running instances.
    Capacity,
    /// Security group rules, IMDS, encryption.
    Security,
    /// Everything else.
    Config,
}

impl Severity {
    /// The word.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Capacity => "capacity",
            Severity::Security => "security",
            Severity::Config => "config",
        }
    }
}

/// How apply repairs a finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Repair {
    /// Record the live value at the property path, then restore the plan's.
    Record(Value),
    /// Put a marker in the resource (`target`), so that CloudFormation
    /// re-applies the property as a whole.
    Mark(String),
    /// Remove the resource from the template, then add it back.
    Drop,
    /// The launch template's default version: pointed at the latest version
    /// after CloudFormation made one with the plan's data (CloudFormation
    /// never moves the default itself). Implies a mark of `target`.
    DefaultVersion(String),
    /// A call to the service's own API, for what CloudFormation cannot
    /// see (a rule opened by hand is not in any template it compares).
    Api(ApiRepair),
    /// Not repairable by apply: why, and what to do.
    No(String),
}

/// A repair apply makes through a service's API, not CloudFormation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub enum ApiRepair {
    /// RevokeSecurityGroupIngress (or Egress) of one rule, in the canonical
    /// form of the security group module.
    RevokeSecurityGroupRule {
        /// An egress rule (else ingress).
        egress: bool,
        /// The rule: `IpProtocol`, `FromPort`, `ToPort` and one source.
        rule: Value,
    },
}

/// One difference between what runs and the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Region.
    pub region: String,
    /// Logical id (the stack name for a missing stack).
    pub logical_id: String,
    /// Physical id.
    pub physical_id: Option<String>,
    /// Resource type.
    pub resource_type: String,
    /// Property path (`MaxSize`, `LaunchTemplateData.InstanceType`,
    /// `SecurityGroupIngress`, …); empty for a missing resource.
    pub path: String,
    /// What the plan wants.
    pub expected: Value,
    /// What runs.
    pub actual: Value,
    /// What it puts at risk.
    pub severity: Severity,
    /// Which source found it.
    pub source: FindingSource,
    /// Context (which launch template version, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How apply repairs it.
    #[serde(skip)]
    pub repair: Repair,
    /// Identity across comparisons (logical id, path, rule).
    #[serde(skip)]
    pub key: String,
}

/// A resource that is not compared, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NotChecked {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Why.
    pub reason: String,
}

/// Who found a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSource {
    /// streamscale's own live reads, compared with the plan as typed values.
    Streamscale,
    /// CloudFormation's drift detection (DetectStackDrift).
    Cloudformation,
}
