//! The review markdown of a 16-region plan with many changes, for each
//! target: within the target's size limit, every risk item kept, every code
//! fence and `<details>` block closed, a line saying what was left out. The
//! snapshots show the outline (property lines inside fences are counted, not
//! shown: the documents are up to 1 MiB); a small plan is snapshotted whole.

use serde_json::{Value, json};
use streamscale_core::diff::{Action, PropertyChange, ResourceChange};
use streamscale_core::review::{
    CloudflareItem, PlanReview, RegionReview, ReviewCommand, RiskKind, Target, UpcomingEvent,
    classify, gate_failures, parse_gates, render_markdown,
};

mod support;
use support::markdown::{REGIONS, check_trimmed, outline};

fn prop(path: &str, before: Option<Value>, after: Option<Value>) -> PropertyChange {
    PropertyChange {
        path: path.into(),
        before,
        after,
    }
}

fn change(id: &str, ty: &str, action: Action, properties: Vec<PropertyChange>) -> ResourceChange {
    ResourceChange {
        logical_id: id.into(),
        resource_type: ty.into(),
        action,
        properties,
    }
}

/// A region with `filler` updated alarms (long values, to cross the
/// limits), then the risky changes last, where trimming cuts first.
fn region(name: &str, filler: usize) -> RegionReview {
    let mut changes: Vec<ResourceChange> = (0..filler)
        .map(|i| {
            change(
                &format!("Alarm{i:04}"),
                "AWS::CloudWatch::Alarm",
                Action::Update,
                vec![
                    prop(
                        "AlarmDescription",
                        Some(json!(format!("{name} alarm {i} ").repeat(6))),
                        Some(json!(format!("{name} alarm {i} (```fenced```) ").repeat(5))),
                    ),
                    prop("Threshold", Some(json!(80)), Some(json!(75))),
                ],
            )
        })
        .collect();
    changes.push(change(
        "LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        Action::Replace,
        vec![prop(
            "Scheme",
            Some(json!("internet-facing")),
            Some(json!("internal")),
        )],
    ));
    changes.push(change(
        "OldQueue",
        "AWS::SQS::Queue",
        Action::Delete,
        vec![],
    ));
    changes.push(change(
        "LoadBalancerSecurityGroup",
        "AWS::EC2::SecurityGroup",
        Action::Update,
        vec![prop(
            "SecurityGroupIngress",
            Some(json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}])),
            Some(json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}, {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}])),
        )],
    ));
    changes.push(change(
        "InstanceRole",
        "AWS::IAM::Role",
        Action::Update,
        vec![prop(
            "Policies[0].PolicyDocument.Statement[0].Action",
            Some(json!("s3:GetObject")),
            Some(json!("s3:*")),
        )],
    ));
    changes.push(change(
        "AppGroup",
        "AWS::AutoScaling::AutoScalingGroup",
        Action::Update,
        vec![prop("MaxSize", Some(json!("120")), Some(json!("90")))],
    ));
    RegionReview {
        region: name.into(),
        stack_action: "update stack".into(),
        new_stack: false,
        changes,
        drift: vec![],
        notes: vec![],
    }
}

fn big_review(filler: usize) -> PlanReview {
    PlanReview {
        command: ReviewCommand::Plan,
        environment: "prod".into(),
        plan_sha256: "0".repeat(64),
        regions: REGIONS.iter().map(|r| region(r, filler)).collect(),
        cloudflare: vec![CloudflareItem {
            kind: "pool".into(),
            name: "prod-us-east-1".into(),
            action: Action::Update,
            properties: vec![prop("origins[0].weight", Some(json!(1)), Some(json!(0)))],
        }],
        upcoming_event: Some(UpcomingEvent {
            name: "world-final".into(),
            prewarm_at: "2026-12-18T18:30:00Z".into(),
        }),
        full_plan_at: "the `plan` artifact of this run (prod.plan)".into(),
    }
}

fn check(md: &str, target: Target, review: &PlanReview) {
    assert!(md.starts_with("<!-- streamscale env=prod plan=sha256:"));
    check_trimmed(md, target, &classify(review), "plan");
    assert!(md.contains("Full plan: the `plan` artifact"));
}

#[test]
fn sixteen_regions_cross_each_limit_and_keep_every_risk_item() {
    let review = big_review(1100);
    let risks = classify(&review);
    // 16 × (replace, delete, broadening ×2, capacity-down) + 1 Cloudflare.
    assert_eq!(risks.len(), 16 * 5 + 1);
    for kind in [
        RiskKind::Replace,
        RiskKind::Delete,
        RiskKind::Broadening,
        RiskKind::Cloudflare,
        RiskKind::CapacityDown,
    ] {
        assert!(risks.iter().any(|r| r.kind == kind), "{kind:?}");
    }
    for (target, name) in [
        (Target::GithubComment, "github_comment"),
        (Target::GithubSummary, "github_summary"),
        (Target::GitlabNote, "gitlab_note"),
    ] {
        let md = render_markdown(&review, target);
        check(&md, target, &review);
        // Close to the limit: trimming keeps what fits.
        assert!(
            target.size_of(&md) > target.limit().0 - 2_000,
            "{name}: {}",
            target.size_of(&md)
        );
        insta::assert_snapshot!(format!("sixteen_regions_{name}"), outline(&md));
    }
}

#[test]
fn the_plan_crosses_every_limit_before_trimming() {
    let review = big_review(1100);
    let whole: usize = review
        .regions
        .iter()
        .flat_map(|r| &r.changes)
        .flat_map(|c| &c.properties)
        .map(|p| format!("{:?}{:?}", p.before, p.after).len())
        .sum();
    assert!(whole > 1024 * 1024 + 100_000, "{whole}");
}

#[test]
fn a_small_plan_is_whole() {
    let mut review = big_review(1);
    review.regions.truncate(2);
    review.cloudflare.clear();
    let md = render_markdown(&review, Target::GithubComment);
    assert!(!md.contains("Trimmed"));
    insta::assert_snapshot!("two_regions_whole", md);
}

#[test]
fn gates_name_what_trips_them() {
    let review = big_review(0);
    let risks = classify(&review);
    let gates = parse_gates(&["replace,broadening"]).unwrap();
    let failed = gate_failures(&risks, &gates);
    assert_eq!(failed.len(), 2);
    assert_eq!(
        failed[0].reason(),
        "16 replace changes (us-east-1 LoadBalancer, us-east-2 LoadBalancer, us-west-1 LoadBalancer, us-west-2 LoadBalancer, ca-central-1 LoadBalancer and 11 more)"
    );
    assert!(
        parse_gates(&["replace,nope"])
            .unwrap_err()
            .contains("`nope`")
    );
    assert!(gate_failures(&risks, &parse_gates::<&str>(&[]).unwrap()).is_empty());
}

#[test]
fn removing_access_is_not_broadening() {
    let mut r = region("us-east-1", 0);
    r.changes = vec![change(
        "Sg",
        "AWS::EC2::SecurityGroup",
        Action::Update,
        vec![prop(
            "SecurityGroupIngress",
            Some(json!([{"FromPort": 443}, {"FromPort": 80}])),
            Some(json!([{"FromPort": 443}])),
        )],
    )];
    let mut review = big_review(0);
    review.regions = vec![r];
    review.cloudflare.clear();
    assert!(classify(&review).is_empty());
    review.regions[0].changes[0].properties[0].after =
        Some(json!([{"FromPort": 443}, {"FromPort": 8080}]));
    assert_eq!(classify(&review)[0].kind, RiskKind::Broadening);
}
