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
    /// A source that should have run could not (CloudFormation drift
    /// detection was refused, failed or timed out): what was found is
    /// listed, but the region is never reported clean.
    Incomplete,
}

impl Status {
    /// The word used in `--json` and the human output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Clean => "clean",
            Status::Drifted => "drifted",
            Status::Missing => "missing",
            Status::Error => "error",
            Status::Incomplete => "incomplete",
        }
    }
}

/// Whether CloudFormation's drift detection ran in a region, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DetectionRun {
    /// It ran and its results were read.
    Ran,
    /// Not asked for (`--no-cloudformation`, `report --live`), or no stack.
    #[default]
    Skipped,
    /// The endpoint does not implement the API: live reads only.
    NotImplemented,
    /// It should have run but was refused, failed or timed out: the
    /// region is incomplete.
    Failed,
}

/// CloudFormation's drift detection in a region.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CloudFormationDetection {
    /// Whether the endpoint ran it.
    pub supported: bool,
    /// Whether it ran, and if not, why.
    pub run: DetectionRun,
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
    /// Why the region is `error` or `incomplete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why only some sources ran (an endpoint without CloudFormation drift
    /// detection), and what that leaves unchecked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degraded: Option<String>,
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
        degraded: None,
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

/// One sentence, never "No drift" unless every region is clean and every
/// source that should have run did: "No drift: live matches the plan in 2
/// regions.", "Live reads match the plan in 2 regions; not checked: …",
/// "Drift in 1 of 2 regions: …", "Drift could not be fully checked in …".
pub fn headline(regions: &[RegionDrift]) -> String {
    let n = regions.len();
    let s = |k: usize| if k == 1 { "" } else { "s" };
    let drifted: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| matches!(r.status, Status::Drifted | Status::Missing))
        .collect();
    let unchecked: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| matches!(r.status, Status::Error | Status::Incomplete))
        .collect();
    let degraded: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| {
            r.status == Status::Clean && r.cloudformation_drift.run == DetectionRun::NotImplemented
        })
        .collect();
    let not_checked = |rs: &[&RegionDrift]| -> String {
        let count: usize = rs.iter().map(|r| r.not_checked.len()).sum();
        let mut kinds: Vec<&str> = rs
            .iter()
            .flat_map(|r| &r.not_checked)
            .map(|c| c.resource_type.trim_start_matches("AWS::"))
            .collect();
        kinds.sort();
        kinds.dedup();
        if count == 0 {
            "nothing else".to_string()
        } else {
            format!("{count} resource{} ({})", s(count), kinds.join(", "))
        }
    };
    if drifted.is_empty() && unchecked.is_empty() {
        if degraded.is_empty() {
            let skipped: Vec<&RegionDrift> = regions
                .iter()
                .filter(|r| r.cloudformation_drift.run == DetectionRun::Skipped)
                .collect();
            let unread: usize = skipped.iter().map(|r| r.not_checked.len()).sum();
            return if unread == 0 {
                format!("No drift: live matches the plan in {n} region{}.", s(n))
            } else {
                format!(
                    "No drift: live matches the plan in {n} region{} (live reads only, CloudFormation drift detection skipped: {} not compared).",
                    s(n),
                    not_checked(&skipped)
                )
            };
        }
        let names: Vec<&str> = degraded.iter().map(|r| r.region.as_str()).collect();
        return format!(
            "Live reads match the plan in {n} region{}, but CloudFormation drift detection is not available in {} (the endpoint does not implement it): sources were streamscale's live reads only, and {} {} not checked.",
            s(n),
            names.join(", "),
            not_checked(&degraded),
            if degraded.iter().map(|r| r.not_checked.len()).sum::<usize>() == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    let mut parts = Vec::new();
    if !drifted.is_empty() {
        let findings: usize = regions.iter().map(|r| r.findings.len()).sum();
        let by: Vec<String> = by_severity(regions)
            .iter()
            .map(|(k, v)| format!("{v} {}", k.as_str()))
            .collect();
        let names: Vec<String> = drifted
            .iter()
            .map(|r| format!("{} ({})", r.region, r.status.as_str()))
            .collect();
        parts.push(format!(
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
        ));
    }
    if !unchecked.is_empty() {
        let names: Vec<String> = unchecked
            .iter()
            .map(|r| {
                let found = if r.findings.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} finding{} so far",
                        r.findings.len(),
                        s(r.findings.len())
                    )
                };
                format!(
                    "{} ({}{found}: {})",
                    r.region,
                    r.status.as_str(),
                    r.error.as_deref().unwrap_or("not every source ran")
                )
            })
            .collect();
        parts.push(format!(
            "Drift could not be fully checked in {} of {n} region{}: {}.",
            unchecked.len(),
            s(n),
            names.join("; ")
        ));
    }
    if !degraded.is_empty() {
        let names: Vec<&str> = degraded.iter().map(|r| r.region.as_str()).collect();
        parts.push(format!(
            "CloudFormation drift detection is not available in {}: live reads only there, {} not checked.",
            names.join(", "),
            not_checked(&degraded)
        ));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str, status: Status, run: DetectionRun) -> RegionDrift {
        let mut r = empty_region(name, "s-test", status);
        r.cloudformation_drift.run = run;
        r
    }

    fn unchecked_vpc() -> NotChecked {
        NotChecked {
            logical_id: "VPC".into(),
            resource_type: "AWS::EC2::VPC".into(),
            reason: "network plumbing".into(),
        }
    }

    #[test]
    fn no_drift_only_when_every_source_that_should_have_run_did() {
        let clean = region("us-east-1", Status::Clean, DetectionRun::Ran);
        assert_eq!(
            headline(std::slice::from_ref(&clean)),
            "No drift: live matches the plan in 1 region."
        );

        let mut degraded = region("eu-west-1", Status::Clean, DetectionRun::NotImplemented);
        degraded.not_checked.push(unchecked_vpc());
        let h = headline(&[clean.clone(), degraded.clone()]);
        assert!(!h.contains("No drift"), "{h}");
        assert!(h.contains("not available in eu-west-1"), "{h}");
        assert!(h.contains("1 resource (EC2::VPC) was not checked"), "{h}");

        let mut incomplete = region("eu-west-1", Status::Incomplete, DetectionRun::Failed);
        incomplete.error = Some("DetectStackDrift failed (AccessDenied)".into());
        let h = headline(&[clean.clone(), incomplete]);
        assert!(!h.contains("No drift"), "{h}");
        assert!(
            h.contains("eu-west-1 (incomplete: DetectStackDrift failed (AccessDenied))"),
            "{h}"
        );

        let mut errored = region("eu-west-1", Status::Error, DetectionRun::Ran);
        errored.error = Some("read failed".into());
        assert!(!headline(&[clean.clone(), errored]).contains("No drift"));

        // Skipped on purpose (--no-cloudformation, report --live): live reads
        // only, and the headline says what they did not compare.
        let mut skipped = region("us-east-1", Status::Clean, DetectionRun::Skipped);
        skipped.not_checked.push(unchecked_vpc());
        let h = headline(&[skipped]);
        assert!(h.contains("live reads only"), "{h}");
        assert!(h.contains("1 resource (EC2::VPC) not compared"), "{h}");
    }

    #[test]
    fn drift_and_incomplete_regions_are_both_named() {
        let mut drifted = region("us-east-1", Status::Drifted, DetectionRun::Ran);
        drifted
            .findings
            .push(missing_stack("us-east-1", "s-test", None));
        let mut incomplete = region("eu-west-1", Status::Incomplete, DetectionRun::Failed);
        incomplete.error = Some("timed out".into());
        let h = headline(&[drifted, incomplete]);
        assert!(h.starts_with("Drift in 1 of 2 regions: 1 finding"), "{h}");
        assert!(
            h.contains(
                "could not be fully checked in 1 of 2 regions: eu-west-1 (incomplete: timed out)"
            ),
            "{h}"
        );
    }
}
