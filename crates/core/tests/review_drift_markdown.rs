//! The drift review as markdown (`drift --format markdown`): a 16-region
//! drift whose detail crosses each target's size limit keeps every finding
//! as a risk item (a rule opened by hand as broadening, the rest as drift
//! with its severity), a missing stack included, closes every fence and
//! `<details>` block, and says what was left out. The snapshot shows the
//! outline (fence bodies counted); a small drift is snapshotted whole.

use serde_json::{Value, json};
use streamscale_core::drift::{
    FindingSource, NotChecked, RegionDrift, Repair, Severity, Status, empty_region, missing_stack,
};
use streamscale_core::finding::Finding;
use streamscale_core::review::{
    PlanReview, RiskKind, Target, classify, render_drift_markdown, review_of_drift,
};

mod support;
use support::markdown::{REGIONS, check_trimmed, outline};

fn finding(
    region: &str,
    id: &str,
    ty: &str,
    path: &str,
    expected: Value,
    actual: Value,
    severity: Severity,
) -> Finding {
    Finding {
        region: region.into(),
        logical_id: id.into(),
        physical_id: None,
        resource_type: ty.into(),
        path: path.into(),
        expected,
        actual,
        severity,
        source: FindingSource::Streamscale,
        note: None,
        repair: Repair::No("test".into()),
        key: format!("{id}|{path}"),
    }
}

/// A drifted region: a port opened by hand, MaxSize lowered, a long
/// description changed, and `unchecked` resources not compared (long
/// reasons: the detail that trimming cuts).
fn drifted(region: &str, unchecked: usize) -> RegionDrift {
    let mut r = empty_region(region, "shop-prod", Status::Drifted);
    r.findings = vec![
        finding(
            region,
            "LoadBalancerSecurityGroup",
            "AWS::EC2::SecurityGroup",
            "SecurityGroupIngress",
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}]),
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}, {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]),
            Severity::Security,
        ),
        finding(
            region,
            "AppGroup",
            "AWS::AutoScaling::AutoScalingGroup",
            "MaxSize",
            json!("120"),
            json!("90"),
            Severity::Capacity,
        ),
        finding(
            region,
            "HighCpuAlarm",
            "AWS::CloudWatch::Alarm",
            "AlarmDescription",
            json!(format!("{region} high CPU (```fenced```) ").repeat(8)),
            json!(format!("{region} edited by hand ").repeat(10)),
            Severity::Config,
        ),
    ];
    r.not_checked = (0..unchecked)
        .map(|i| NotChecked {
            logical_id: format!("Dashboard{i:04}"),
            resource_type: "AWS::CloudWatch::Dashboard".into(),
            reason: format!("{region}: no live read for this type yet; ").repeat(4),
        })
        .collect();
    r
}

fn review(unchecked: usize) -> PlanReview {
    let mut regions: Vec<RegionDrift> = REGIONS.iter().map(|r| drifted(r, unchecked)).collect();
    // One region without its stack, one clean.
    let mut missing = empty_region("eu-north-1", "shop-prod", Status::Missing);
    missing.findings = vec![missing_stack("eu-north-1", "shop-prod", None)];
    regions[10] = missing;
    regions[15] = empty_region("ap-southeast-2", "shop-prod", Status::Clean);
    review_of_drift(
        "prod",
        "f".repeat(64),
        &regions,
        Vec::new(),
        "the `drift` artifact of this run (drift.json)".into(),
    )
}

#[test]
fn sixteen_regions_of_drift_cross_each_limit_and_keep_every_finding() {
    let review = review(2600);
    let risks = classify(&review);
    // 14 drifted regions × 3 findings + the missing stack.
    assert_eq!(risks.len(), 14 * 3 + 1);
    assert_eq!(
        risks
            .iter()
            .filter(|r| r.kind == RiskKind::Broadening)
            .count(),
        14
    );
    assert!(risks.iter().any(|r| r.kind == RiskKind::Drift
        && r.region == "eu-north-1"
        && r.detail.contains("missing")));
    for (target, name) in [
        (Target::GithubComment, "github_comment"),
        (Target::GithubSummary, "github_summary"),
        (Target::GitlabNote, "gitlab_note"),
    ] {
        let md = render_drift_markdown(&review, target);
        check_trimmed(&md, target, &risks, name);
        assert!(
            target.size_of(&md) > target.limit().0 - 2_000,
            "{name}: {} is far below the limit",
            target.size_of(&md)
        );
        assert!(md.starts_with("<!-- streamscale drift env=prod plan=sha256:ffff"));
        assert!(md.contains("## streamscale drift: `prod`"));
        assert!(!md.chars().any(|c| c.is_control() && c != '\n'));
        assert!(md.contains("Full drift report: the `drift` artifact"));
        insta::assert_snapshot!(format!("drift_sixteen_regions_{name}"), outline(&md));
    }
}

#[test]
fn a_small_drift_is_whole() {
    let mut review = review(1);
    review.regions.truncate(2);
    let md = render_drift_markdown(&review, Target::GithubComment);
    assert!(!md.contains("Trimmed"));
    let _ = outline(&md);
    insta::assert_snapshot!("drift_two_regions_whole", md);
}
