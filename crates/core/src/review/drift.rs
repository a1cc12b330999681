//! A drift run as a review: each region's findings become its drift items
//! (and, in [`super::classify`], risk items that are never cut), its status
//! and notes the block's head. The markdown is the plan's
//! ([`super::render_markdown`]) with the drift marker and headline.

use super::{CloudflareItem, DriftItem, PlanReview, RegionReview, ReviewCommand, Target};
use crate::drift::{RegionDrift, Status};
use crate::finding::Finding;

/// One finding as a drift item.
pub fn drift_item(f: &Finding) -> DriftItem {
    DriftItem {
        logical_id: f.logical_id.clone(),
        resource_type: f.resource_type.clone(),
        path: f.path.clone(),
        expected: f.expected.clone(),
        actual: f.actual.clone(),
        severity: f.severity.as_str().to_string(),
    }
}

/// The review of a drift run: `regions` in the plan's order, the
/// Cloudflare objects that differ, the sha256 of what was compared
/// against and where the full report is.
pub fn review_of_drift(
    environment: &str,
    plan_sha256: String,
    regions: &[RegionDrift],
    cloudflare: Vec<CloudflareItem>,
    full_report_at: String,
) -> PlanReview {
    PlanReview {
        command: ReviewCommand::Drift,
        environment: environment.to_string(),
        plan_sha256,
        regions: regions
            .iter()
            .map(|r| {
                let mut notes = Vec::new();
                if let Some(e) = &r.error {
                    notes.push(format!("{}: {e}", r.status.as_str()));
                }
                if let Some(d) = &r.degraded {
                    notes.push(format!("degraded: {d}"));
                }
                if r.status != Status::Clean {
                    notes.extend(r.notes.iter().cloned());
                    notes.extend(r.not_checked.iter().map(|n| {
                        format!(
                            "not checked: {} ({}): {}",
                            n.logical_id, n.resource_type, n.reason
                        )
                    }));
                }
                RegionReview {
                    region: r.region.clone(),
                    stack_action: r.status.as_str().to_string(),
                    new_stack: false,
                    changes: Vec::new(),
                    drift: r.findings.iter().map(drift_item).collect(),
                    notes,
                }
            })
            .collect(),
        cloudflare,
        upcoming_event: None,
        full_plan_at: full_report_at,
    }
}

/// The drift markdown within `target`'s size limit.
pub fn render_drift_markdown(review: &PlanReview, target: Target) -> String {
    super::render_markdown(review, target)
}
