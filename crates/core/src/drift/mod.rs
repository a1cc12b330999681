//! Drift: what runs in each region against the plan, property by property.
//!
//! This module owns the model (findings, their severity and source, a
//! region's status) and the headline; [`compare`] compares a template with
//! an [`ObservedStack`](crate::observed::ObservedStack) through the
//! resource registry, and [`detection`] folds in CloudFormation's own drift
//! detection. The engine reads; nothing here does I/O.
//!
//! Two sources, combined and labelled:
//!
//! 1. **streamscale's own live reads**, the main source, compared with the
//!    rendered template as typed values (sizes as integers, target values
//!    as numbers, times as instants, rule sets as sets).
//! 2. **CloudFormation drift detection** (DetectStackDrift), where the
//!    endpoint has it. Its findings are kept for the resources streamscale
//!    does not read itself.
//!
//! Expected values come from a template: the rendered one for `drift` and
//! the planner (what the plan wants), the deployed one to tell what
//! CloudFormation does not know about (what changed outside it, see
//! [`crate::repair`]).

pub mod compare;
pub mod detection;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::template::text;

pub use crate::finding::{Finding, FindingSource, NotChecked, Repair, Severity};
pub use compare::compare;

/// The version of the `drift --json` document.
pub const FORMAT_VERSION: u32 = 1;

/// A region's drift status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Live matches the plan.
    Clean,
    /// Findings.
    Drifted,
    /// No stack (or only a failed create).
    Missing,
    /// The region could not be read (fully).
    Error,
}

/// CloudFormation's drift detection in a region.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CloudFormationDetection {
    /// Whether the endpoint ran it.
    pub supported: bool,
    /// What happened.
    pub note: String,
    /// The stack drift status it gave (`DRIFTED`, `IN_SYNC`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_drift_status: Option<String>,
}

/// The drift of one region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionDrift {
    /// Region.
    pub region: String,
    /// Stack name.
    pub stack_name: String,
    /// Status.
    pub status: Status,
    /// The sources that ran.
    pub sources: Vec<FindingSource>,
    /// CloudFormation drift detection.
    pub cloudformation_drift: CloudFormationDetection,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Resources not compared.
    pub not_checked: Vec<NotChecked>,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// Why the region is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// InService instances (for `report --live`).
    #[serde(skip)]
    pub in_service: Option<u64>,
}

/// A region with nothing found yet.
pub fn empty_region(region: &str, stack_name: &str, status: Status) -> RegionDrift {
    RegionDrift {
        region: region.to_string(),
        stack_name: stack_name.to_string(),
        status,
        sources: vec![FindingSource::Streamscale],
        cloudformation_drift: CloudFormationDetection::default(),
        findings: Vec::new(),
        not_checked: Vec::new(),
        notes: Vec::new(),
        error: None,
        in_service: None,
    }
}

/// The finding of a region with no stack (or only a create that never
/// finished).
pub fn missing_stack(region: &str, name: &str, status: Option<String>) -> Finding {
    Finding {
        region: region.to_string(),
        logical_id: name.to_string(),
        physical_id: None,
        resource_type: "AWS::CloudFormation::Stack".into(),
        path: String::new(),
        expected: Value::String("exists".into()),
        actual: Value::String(match &status {
            Some(s) => format!("{s} (a create that never finished)"),
            None => "missing".into(),
        }),
        severity: Severity::Capacity,
        source: FindingSource::Streamscale,
        note: Some("apply creates the stack".into()),
        repair: Repair::No("apply creates it".into()),
        key: format!("{name}||stack"),
    }
}

/// Counts by severity, in severity order.
pub fn by_severity(regions: &[RegionDrift]) -> BTreeMap<Severity, usize> {
    let mut m = BTreeMap::new();
    for f in regions.iter().flat_map(|r| &r.findings) {
        *m.entry(f.severity).or_default() += 1;
    }
    m
}

/// One sentence: "no drift in 2 regions" or "drift in 1 of 2 regions: …".
pub fn headline(regions: &[RegionDrift]) -> String {
    let drifted: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| r.status != Status::Clean)
        .collect();
    let n = regions.len();
    let s = |k: usize| if k == 1 { "" } else { "s" };
    if drifted.is_empty() {
        return format!("No drift: live matches the plan in {n} region{}.", s(n));
    }
    let findings: usize = regions.iter().map(|r| r.findings.len()).sum();
    let by: Vec<String> = by_severity(regions)
        .iter()
        .map(|(k, v)| format!("{v} {}", k.as_str()))
        .collect();
    let names: Vec<String> = drifted
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                r.region,
                serde_json::to_value(r.status)
                    .ok()
                    .map(|v| text(&v))
                    .unwrap_or_default()
            )
        })
        .collect();
    format!(
        "Drift in {} of {n} region{}: {findings} finding{}{}: {}.",
        drifted.len(),
        s(n),
        s(findings),
        if by.is_empty() {
            String::new()
        } else {
            format!(" ({})", by.join(", "))
        },
        names.join(", ")
    )
}
