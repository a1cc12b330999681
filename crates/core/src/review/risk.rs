//! Risk items: the changes a reviewer must see, never cut from a review,
//! and the gates (`--fail-on`, `[deploy] fail_on`) that fail a job on them.
//!
//! - **replace** and **delete**: a resource goes away (and comes back);
//! - **broadening**: network or IAM access widens: a security-group rule,
//!   a prefix-list entry or an IAM policy statement is added or changed
//!   (a change of a rule counts: the new rule is new access), or such a
//!   resource is created in a stack that exists (a new stack's rules are
//!   its creates, shown as such). Removing access is not broadening;
//! - **cloudflare**: any change at the edge, in front of every region;
//! - **capacity-down**: an Auto Scaling group's size goes down, or a
//!   scheduled action goes away, while an event is still ahead.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{DriftItem, PlanReview, RegionReview, ReviewCommand};
use crate::diff::{Action, PropertyChange, ResourceChange};
use crate::text::truncate;

/// What kind of risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskKind {
    /// A resource is replaced.
    Replace,
    /// A resource is deleted.
    Delete,
    /// Network or IAM access widens.
    Broadening,
    /// Cloudflare changes.
    Cloudflare,
    /// Capacity goes down before a scheduled event.
    CapacityDown,
    /// What runs differs from the plan (a drift review's findings).
    Drift,
}

impl RiskKind {
    /// The word used in reviews, gates and outputs.
    pub fn word(self) -> &'static str {
        match self {
            RiskKind::Replace => "replace",
            RiskKind::Delete => "delete",
            RiskKind::Broadening => "broadening",
            RiskKind::Cloudflare => "cloudflare",
            RiskKind::CapacityDown => "capacity-down",
            RiskKind::Drift => "drift",
        }
    }
}

/// One risk item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskItem {
    /// What kind.
    pub kind: RiskKind,
    /// Region (`cloudflare` for the edge).
    pub region: String,
    /// Logical id (or the Cloudflare object's name).
    pub logical_id: String,
    /// Resource type (or the Cloudflare object's kind).
    pub resource_type: String,
    /// One line saying what changes.
    pub detail: String,
}

/// The resource types whose changes define who can reach what.
const ACCESS_TYPES: &[&str] = &[
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::PrefixList",
];

/// The properties of [`ACCESS_TYPES`] (and of IAM types) that grant access.
const ACCESS_PROPERTIES: &[&str] = &[
    "SecurityGroupIngress",
    "SecurityGroupEgress",
    "Entries",
    "CidrIp",
    "CidrIpv6",
    "FromPort",
    "ToPort",
    "IpProtocol",
    "SourcePrefixListId",
    "SourceSecurityGroupId",
    "DestinationPrefixListId",
    "DestinationSecurityGroupId",
    "PolicyDocument",
    "Policies",
    "ManagedPolicyArns",
    "AssumeRolePolicyDocument",
    "Roles",
    "Groups",
    "Users",
];

fn access_type(resource_type: &str) -> bool {
    ACCESS_TYPES.contains(&resource_type) || resource_type.starts_with("AWS::IAM::")
}

/// The first segment of a property path (`SecurityGroupIngress[2].CidrIp`
/// → `SecurityGroupIngress`).
fn head(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

/// Whether a property change widens access: something is added or
/// changed; only a pure removal (nothing after, or a list that keeps a
/// subset of its items) is not.
fn widens(p: &PropertyChange) -> bool {
    if !ACCESS_PROPERTIES.contains(&head(&p.path)) {
        return false;
    }
    match (&p.before, &p.after) {
        (_, None) => false,
        (Some(Value::Array(before)), Some(Value::Array(after))) => {
            after.iter().any(|a| !before.contains(a))
        }
        _ => true,
    }
}

fn number(v: &Option<Value>) -> Option<f64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn change_line(p: &PropertyChange) -> String {
    format!("{}: {} → {}", p.path, short(&p.before), short(&p.after))
}

/// A value in one line, at most 60 characters.
pub fn short(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => truncate(&v.to_string(), 60),
    }
}

fn item(kind: RiskKind, region: &str, c: &ResourceChange, detail: String) -> RiskItem {
    RiskItem {
        kind,
        region: region.to_string(),
        logical_id: c.logical_id.clone(),
        resource_type: c.resource_type.clone(),
        detail,
    }
}

fn classify_change(
    r: &RegionReview,
    c: &ResourceChange,
    event: Option<&str>,
    out: &mut Vec<RiskItem>,
) {
    let region = r.region.as_str();
    match c.action {
        Action::Replace => {
            let why = c
                .properties
                .iter()
                .map(|p| p.path.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let detail = if why.is_empty() {
                "replaced".to_string()
            } else {
                format!("replaced (changes {})", truncate(&why, 120))
            };
            out.push(item(RiskKind::Replace, region, c, detail));
        }
        Action::Delete => out.push(item(RiskKind::Delete, region, c, "deleted".into())),
        _ => {}
    }
    if access_type(&c.resource_type) {
        if c.action == Action::Create && !r.new_stack {
            out.push(item(
                RiskKind::Broadening,
                region,
                c,
                "new access rule or policy".into(),
            ));
        } else if let Some(p) = c.properties.iter().find(|p| widens(p)) {
            out.push(item(RiskKind::Broadening, region, c, change_line(p)));
        }
    }
    if let Some(event) = event {
        capacity_down(region, c, event, out);
    }
}

fn capacity_down(region: &str, c: &ResourceChange, event: &str, out: &mut Vec<RiskItem>) {
    match c.resource_type.as_str() {
        "AWS::AutoScaling::AutoScalingGroup" => {
            for p in &c.properties {
                if !matches!(p.path.as_str(), "MinSize" | "MaxSize" | "DesiredCapacity") {
                    continue;
                }
                if let (Some(b), Some(a)) = (number(&p.before), number(&p.after))
                    && a < b
                {
                    let detail = format!("{} before event {event}", change_line(p));
                    out.push(item(RiskKind::CapacityDown, region, c, detail));
                }
            }
        }
        "AWS::AutoScaling::ScheduledAction" if c.action == Action::Delete => {
            let detail = format!("scheduled action removed before event {event}");
            out.push(item(RiskKind::CapacityDown, region, c, detail));
        }
        _ => {}
    }
}

/// A drift finding as a risk item: `broadening` when what runs grants
/// more access than the plan, else `drift` with its severity.
fn drift_risk(region: &str, d: &DriftItem) -> RiskItem {
    let p = PropertyChange {
        path: d.path.clone(),
        before: Some(d.expected.clone()),
        after: Some(d.actual.clone()),
    };
    let (kind, detail) = if access_type(&d.resource_type) && widens(&p) {
        (
            RiskKind::Broadening,
            format!("runs with {}", change_line(&p)),
        )
    } else if d.path.is_empty() {
        (
            RiskKind::Drift,
            format!(
                "{}: plan {} ≠ runs {}",
                d.severity,
                short(&p.before),
                short(&p.after)
            ),
        )
    } else {
        (
            RiskKind::Drift,
            format!(
                "{}: {}: plan {} ≠ runs {}",
                d.severity,
                d.path,
                short(&p.before),
                short(&p.after)
            ),
        )
    };
    RiskItem {
        kind,
        region: region.to_string(),
        logical_id: d.logical_id.clone(),
        resource_type: d.resource_type.clone(),
        detail,
    }
}

/// Every risk item of a review, region by region in the review's order,
/// then Cloudflare. In a drift review every finding is one (`drift`, or
/// `broadening` when what runs widens access).
pub fn classify(review: &PlanReview) -> Vec<RiskItem> {
    let mut out = Vec::new();
    let event = review
        .upcoming_event
        .as_ref()
        .map(|e| format!("{} (capacity raised at {})", e.name, e.prewarm_at));
    for r in &review.regions {
        for c in &r.changes {
            classify_change(r, c, event.as_deref(), &mut out);
        }
        if review.command == ReviewCommand::Drift {
            for d in &r.drift {
                out.push(drift_risk(&r.region, d));
            }
        }
    }
    for c in &review.cloudflare {
        let detail = match c.properties.first() {
            Some(p) if c.action != Action::Create => {
                let more = c.properties.len() - 1;
                let more = if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                };
                format!("{} {}{more}", c.action.word(), change_line(p))
            }
            _ => c.action.word().to_string(),
        };
        out.push(RiskItem {
            kind: RiskKind::Cloudflare,
            region: "cloudflare".into(),
            logical_id: c.name.clone(),
            resource_type: c.kind.clone(),
            detail,
        });
    }
    out
}

/// A gate: a kind of risk that fails a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    /// Any replacement.
    Replace,
    /// Any deletion.
    Delete,
    /// Any broadening of network or IAM access.
    Broadening,
}

impl Gate {
    /// The risk kind the gate stops.
    pub fn kind(self) -> RiskKind {
        match self {
            Gate::Replace => RiskKind::Replace,
            Gate::Delete => RiskKind::Delete,
            Gate::Broadening => RiskKind::Broadening,
        }
    }
}

/// Parse gate names (`replace`, `delete`, `broadening`), each a string or
/// a comma-separated list; an unknown name is an error naming it.
pub fn parse_gates<S: AsRef<str>>(names: &[S]) -> Result<Vec<Gate>, String> {
    let mut out = Vec::new();
    for n in names.iter().flat_map(|s| s.as_ref().split(',')) {
        let g = match n.trim() {
            "replace" => Gate::Replace,
            "delete" => Gate::Delete,
            "broadening" => Gate::Broadening,
            "" => continue,
            other => {
                return Err(format!(
                    "unknown gate `{other}` (the gates: replace, delete, broadening)"
                ));
            }
        };
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out.sort();
    Ok(out)
}

/// A gate that a review trips, with the items that trip it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateFailure {
    /// The gate.
    pub gate: Gate,
    /// The items, as `region LogicalId`.
    pub items: Vec<String>,
}

impl GateFailure {
    /// One line for a log or `failure_reason`.
    pub fn reason(&self) -> String {
        let kind = self.gate.kind().word();
        let n = self.items.len();
        let shown: Vec<&str> = self.items.iter().take(5).map(String::as_str).collect();
        let more = if n > 5 {
            format!(" and {} more", n - 5)
        } else {
            String::new()
        };
        format!(
            "{n} {kind} change{} ({}{more})",
            if n == 1 { "" } else { "s" },
            shown.join(", ")
        )
    }
}

/// The gates of `gates` that `risks` trip.
pub fn gate_failures(risks: &[RiskItem], gates: &[Gate]) -> Vec<GateFailure> {
    gates
        .iter()
        .filter_map(|&gate| {
            let items: Vec<String> = risks
                .iter()
                .filter(|r| r.kind == gate.kind())
                .map(|r| format!("{} {}", r.region, r.logical_id))
                .collect();
            (!items.is_empty()).then_some(GateFailure { gate, items })
        })
        .collect()
}
