//! `drift` in every region at once: read what runs, run CloudFormation's
//! drift detection alongside where the endpoint has it, and hand both to
//! the core's comparison ([`streamscale_core::drift`]). Also the planner's
//! drift check of an existing stack.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde_json::Value;

use super::observe::{read_resources, read_stack};
use super::wait::{Backoff, Deadline, format_duration};
use crate::aws::Aws;
use crate::aws::AwsError;
use crate::aws::cloudformation::{StackInfo, StackResource, Stacks};
use streamscale_core::diff::diff_templates;
use streamscale_core::drift::detection::{
    CallFailure, ResourceDrift, classify_call_failure, cloudformation_findings,
};
use streamscale_core::drift::{
    CloudFormationDetection, DetectionRun, FindingSource, NotChecked, RegionDrift, Status, compare,
    empty_region, missing_stack,
};
use streamscale_core::observed::ObservedStack;
use streamscale_core::plan::Plan;
use streamscale_core::render::RegionStack;
use streamscale_core::repair::{RepairPlan, plan_repair};

/// How many times DetectStackDrift is tried when it is throttled (the
/// call is made without the SDK's retries, see [`Stacks::detect_stack_drift`]).
const DETECT_ATTEMPTS: u32 = 8;

/// A detection that ran: what CloudFormation said, and its resource drifts.
fn ran(note: String, stack_drift_status: String) -> CloudFormationDetection {
    CloudFormationDetection {
        supported: true,
        run: DetectionRun::Ran,
        note,
        stack_drift_status: Some(stack_drift_status).filter(|s| !s.is_empty()),
    }
}

/// A detection that should have run and did not: the region is incomplete.
fn failed(note: String) -> CloudFormationDetection {
    CloudFormationDetection {
        supported: true,
        run: DetectionRun::Failed,
        note,
        stack_drift_status: None,
    }
}

/// Start DetectStackDrift, retrying throttling with backoff (bounded by
/// attempts and the wait deadline). `Err` is the detection's outcome when
/// it cannot start.
async fn start_detection(
    stacks: &Stacks,
    stack: &str,
    deadline: &Deadline,
) -> Result<String, CloudFormationDetection> {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(10));
    let mut attempt = 1;
    loop {
        let e = match stacks.detect_stack_drift(stack).await {
            Ok(id) => return Ok(id),
            Err(e) => e,
        };
        match classify_call_failure(e.http_status, e.code.as_deref()) {
            CallFailure::NotImplemented => {
                return Err(CloudFormationDetection {
                    supported: false,
                    run: DetectionRun::NotImplemented,
                    note: format!(
                        "this endpoint does not implement DetectStackDrift ({e}): the findings come from streamscale's live reads only"
                    ),
                    stack_drift_status: None,
                });
            }
            CallFailure::Throttled
                if attempt < DETECT_ATTEMPTS && !deadline.would_pass(backoff.peek()) =>
            {
                attempt += 1;
                backoff.wait().await;
            }
            CallFailure::Throttled => {
                return Err(failed(format!(
                    "DetectStackDrift on stack {stack} was throttled {attempt} times ({e}): CloudFormation drift detection did not run"
                )));
            }
            CallFailure::Failed => {
                return Err(failed(format!(
                    "DetectStackDrift on stack {stack} failed ({e}): CloudFormation drift detection did not run"
                )));
            }
        }
    }
}

/// Run CloudFormation drift detection on a stack, within the wait limit.
async fn detect(
    aws: &Aws,
    region: &str,
    stack: &str,
) -> (CloudFormationDetection, Vec<ResourceDrift>) {
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let deadline = Deadline::start();
    let id = match start_detection(&stacks, stack, &deadline).await {
        Ok(id) => id,
        Err(outcome) => return (outcome, Vec::new()),
    };
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(5));
    let (detection_status, drift_status, reason) = loop {
        match stacks.drift_detection_status(&id).await {
            Ok(Some(done)) => break done,
            Ok(None) if deadline.would_pass(backoff.peek()) => {
                return (
                    failed(format!(
                        "timed out after {} waiting for drift detection {id} of stack {stack}; it goes on on AWS's side, its results are left out",
                        format_duration(deadline.limit())
                    )),
                    Vec::new(),
                );
            }
            Ok(None) => backoff.wait().await,
            Err(e) => {
                return (
                    failed(format!("drift detection {id} could not be followed: {e}")),
                    Vec::new(),
                );
            }
        }
    };
    let drifts = match stacks.resource_drifts(stack).await {
        Ok(drifts) => drifts,
        Err(e) => {
            return (
                failed(format!(
                    "drift detection ran but its results could not be read: {e}"
                )),
                Vec::new(),
            );
        }
    };
    if detection_status == "DETECTION_FAILED" {
        // Results exist for the resources it could check, not for the others.
        let mut outcome = failed(format!(
            "CloudFormation drift detection failed for some resources: {}",
            reason.as_deref().unwrap_or("no reason given")
        ));
        outcome.stack_drift_status = Some(drift_status).filter(|s| !s.is_empty());
        return (outcome, drifts);
    }
    let note = match &reason {
        Some(r) => format!("drift detection ran: {r}"),
        None => "drift detection ran".into(),
    };
    (ran(note, drift_status), drifts)
}

/// The drift of one region; `cloudformation` runs CloudFormation's drift
/// detection too.
pub async fn drift_region(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    cloudformation: bool,
    now: DateTime<Utc>,
) -> RegionDrift {
    let name = plan.stack_name();
    let region = stack.region.as_str();
    let mut out = empty_region(region, &name, Status::Clean);
    // CloudFormation's detection (slow on AWS) runs while streamscale reads.
    let detection = async {
        if cloudformation {
            detect(aws, region, &name).await
        } else {
            (
                CloudFormationDetection {
                    supported: false,
                    run: DetectionRun::Skipped,
                    note: "skipped: live reads only".into(),
                    stack_drift_status: None,
                },
                Vec::new(),
            )
        }
    };
    let (observed, (detection, drifts)) = futures::join!(read_stack(aws, region, &name), detection);
    let observed = match observed {
        Ok(Some(o)) => o,
        Ok(None) => {
            out.status = Status::Missing;
            out.cloudformation_drift.note = "no stack: nothing to detect".into();
            out.findings.push(missing_stack(region, &name, None));
            return out;
        }
        Err(e) => {
            out.status = Status::Error;
            out.error = Some(e.to_string());
            return out;
        }
    };
    let status = &observed.info.status;
    if status.is_busy() {
        out.status = Status::Error;
        out.error = Some(format!(
            "stack {name} is busy ({status}): run drift again when it is done"
        ));
        return out;
    }
    if status.never_created() {
        out.status = Status::Missing;
        out.cloudformation_drift.note = "the stack never finished creating".into();
        out.findings
            .push(missing_stack(region, &name, Some(status.to_string())));
        return out;
    }
    let references = observed.references(&name);
    let rendered = stack.template_value();
    let (mut findings, mut not_checked) = compare(&rendered, &references, &observed, now);
    // A partly failed detection (DETECTION_FAILED) still reports what it checked.
    let has_results = detection.run == DetectionRun::Ran
        || (detection.run == DetectionRun::Failed && !drifts.is_empty());
    if has_results {
        out.sources.push(FindingSource::Cloudformation);
        if detection.run == DetectionRun::Ran {
            for n in &mut not_checked {
                if !n.reason.starts_with("read failed") {
                    n.reason
                        .push_str("; CloudFormation drift detection compares it");
                }
            }
        }
        findings.extend(cloudformation_findings(region, &drifts));
    }
    if detection.run == DetectionRun::NotImplemented {
        out.degraded = Some(format!(
            "{}; not checked: {}",
            detection.note,
            if not_checked.is_empty() {
                "nothing".to_string()
            } else {
                not_checked
                    .iter()
                    .map(|n| format!("{} ({})", n.logical_id, n.resource_type))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    if observed.deployed != rendered {
        let pending = diff_templates(Some(&observed.deployed), &rendered);
        if !pending.is_empty() {
            out.notes.push(format!(
                "the deployed template differs from the plan in {} resource{} (a change not applied yet): findings include it; `streamscale plan` shows it",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" }
            ));
        }
    }
    let failed: Vec<&NotChecked> = not_checked
        .iter()
        .filter(|n| n.reason.starts_with("read failed"))
        .collect();
    if !failed.is_empty() {
        out.error = Some(format!(
            "{} resource{} could not be read: {}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed
                .iter()
                .map(|n| format!("{} ({})", n.logical_id, n.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    findings.sort_by(|a, b| {
        (a.severity, &a.logical_id, &a.path, &a.key).cmp(&(
            b.severity,
            &b.logical_id,
            &b.path,
            &b.key,
        ))
    });
    out.in_service = streamscale_core::resources::auto_scaling_group::in_service(&observed);
    out.status = if out.error.is_some() {
        Status::Error
    } else if detection.run == DetectionRun::Failed {
        out.error = Some(detection.note.clone());
        Status::Incomplete
    } else if findings.is_empty() {
        Status::Clean
    } else {
        Status::Drifted
    };
    out.cloudformation_drift = detection;
    out.findings = findings;
    out.not_checked = not_checked;
    out
}

/// Every selected region at once.
pub async fn drift_all(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
    cloudformation: bool,
    now: DateTime<Utc>,
) -> Vec<RegionDrift> {
    join_all(
        stacks
            .iter()
            .map(|s| drift_region(aws, plan, s, cloudformation, now)),
    )
    .await
}

/// The planner's drift check of an existing stack: live reads, findings
/// against the rendered template, and the repair. `resources` is the
/// stack's ListStackResources answer, which the planner reads alongside
/// the deployed template. Read errors become notes: a plan never fails
/// for them.
pub async fn plan_check(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    info: &StackInfo,
    deployed: &Value,
    resources: Result<Vec<StackResource>, AwsError>,
) -> RepairPlan {
    let region = stack.region.as_str();
    let resources = match resources {
        Ok(r) => r,
        Err(e) => {
            return RepairPlan {
                notes: vec![format!("drift not checked: {e}")],
                ..RepairPlan::default()
            };
        }
    };
    let states = read_resources(aws, region, &resources).await;
    let observed = ObservedStack {
        region: region.to_string(),
        info: info.clone(),
        resources,
        deployed: deployed.clone(),
        states,
    };
    let references = observed.references(&plan.stack_name());
    let mut out = plan_repair(&stack.template_value(), &observed, &references, Utc::now());
    let failed: Vec<String> = observed
        .failed_reads()
        .iter()
        .map(|(l, m)| format!("{l}: {m}"))
        .collect();
    if !failed.is_empty() {
        out.notes.push(format!(
            "drift check incomplete, these could not be read: {}",
            failed.join("; ")
        ));
    }
    out
}
