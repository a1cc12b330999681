//! SPEC §4, rule by rule: the capacity arithmetic with hand-computed numbers,
//! and every validation rule with its error code and the place it points at.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use streamscale::plan::capacity::{EventRegion, RegionCapacity};
use streamscale::plan::{self, Diagnostic, ErrorCode, Plan, PlanErrors};

#[path = "support/plans.rs"]
mod plans;

const FILE: &str = "environments/x.toml";

fn load(text: &str) -> Result<Plan, PlanErrors> {
    plan::from_str(Path::new(FILE), text)
}

fn ok(text: &str) -> Plan {
    plans::parse(FILE, text)
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn region<'a>(p: &'a Plan, name: &str) -> &'a RegionCapacity {
    p.capacity
        .region(name)
        .unwrap_or_else(|| panic!("no region {name}"))
}

fn prewarm(p: &Plan, event: &str, region: &str) -> u64 {
    let ev = p
        .capacity
        .events
        .iter()
        .find(|e| e.name == event)
        .unwrap_or_else(|| panic!("no event {event}"));
    ev.regions
        .iter()
        .find(|r: &&EventRegion| r.region == region)
        .unwrap_or_else(|| panic!("no region {region} in event {event}"))
        .prewarm_min_size
}

/// The position `^` marks in `needle`, which (without the `^`) must occur
/// exactly once in `text`: `FILE:line:column`.
fn pos(text: &str, needle: &str) -> String {
    let caret = needle.find('^').expect("needle has a ^");
    let plain = needle.replace('^', "");
    let mut hits = text.match_indices(&plain);
    let (start, _) = hits
        .next()
        .unwrap_or_else(|| panic!("{plain:?} not in the plan"));
    assert!(hits.next().is_none(), "{plain:?} occurs more than once");
    let offset = start + caret;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |i| offset - i - 1) + 1;
    format!("{FILE}:{line}:{col}")
}

/// Load `text`, expect it refused with an error of `code` at the `^` of `at`.
fn refused(text: &str, code: ErrorCode, at: &str) -> Diagnostic {
    let errs = match load(text) {
        Ok(_) => panic!("expected {code:?} at {at:?}, the plan loaded"),
        Err(e) => e,
    };
    let want = pos(text, at);
    let found: Vec<_> = errs
        .errors
        .iter()
        .map(|e| (e.code, e.position(), e.message.clone()))
        .collect();
    errs.errors
        .iter()
        .find(|e| e.code == code && e.position().as_deref() == Some(want.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("no {code:?} at {want}; errors: {found:#?}"))
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

/// Three regions, c = 1000 × 0.5 = 500 except ap-southeast-2 (100_000 × 0.5 =
/// 50_000), P = 1,000,000, B = 100,000, H = 0.5.
const THREE: &str = r#"name = "rules"

[defaults]
instance_type = "c7i.xlarge"
users_per_instance = 1000
target_utilization = 0.5
availability_zones = 3

[traffic]
peak_concurrent_users = 1_000_000
baseline_concurrent_users = 100_000
headroom = 0.5
survive_region_loss = true

[regions.us-east-1]
share = 0.6
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef0"

[regions.eu-west-1]
share = 0.2
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-12345678"
instance_type = "c7i.2xlarge"

[regions.ap-southeast-2]
share = 0.2
certificate_arn = "arn:aws:acm:ap-southeast-2:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef1"
users_per_instance = 100_000

[[events]]
name = "big-final"
starts_at = "2027-01-20T18:00:00Z"
duration_minutes = 120
prewarm_minutes = 45
expected_concurrent_users = 900_000

[[events]]
name = "small-match"
starts_at = "2027-01-10T18:00:00Z"
duration_minutes = 60
prewarm_minutes = 30
expected_concurrent_users = 50_000
"#;

#[test]
fn peak_users_is_p_times_share() {
    let p = ok(THREE);
    assert_eq!(region(&p, "us-east-1").peak_users, d("600000"));
    assert_eq!(region(&p, "eu-west-1").peak_users, d("200000"));
    assert_eq!(region(&p, "ap-southeast-2").peak_users, d("200000"));
}

#[test]
fn planned_users_per_instance_is_users_times_utilization() {
    let p = ok(THREE);
    assert_eq!(region(&p, "us-east-1").planned_users_per_instance, d("500"));
    assert_eq!(
        region(&p, "ap-southeast-2").planned_users_per_instance,
        d("50000")
    );
}

#[test]
fn failover_users_spread_the_largest_other_region() {
    let p = ok(THREE);
    // us-east-1: largest other is 0.2 → 600,000 / 0.8.
    assert_eq!(region(&p, "us-east-1").failover_users, d("750000"));
    // eu-west-1 and ap-southeast-2: largest other is 0.6 → 200,000 / 0.4.
    assert_eq!(region(&p, "eu-west-1").failover_users, d("500000"));
    assert_eq!(region(&p, "ap-southeast-2").failover_users, d("500000"));
}

#[test]
fn failover_users_are_peak_users_without_survive_region_loss() {
    let p = ok(&THREE.replace("survive_region_loss = true", "survive_region_loss = false"));
    for r in &p.capacity.regions {
        assert_eq!(r.failover_users, r.peak_users, "{}", r.region);
    }
    // MaxSize = ceil(p × 1.5 / c).
    assert_eq!(region(&p, "us-east-1").max_size, 1800); // 900,000 / 500
    assert_eq!(region(&p, "eu-west-1").max_size, 600); // 300,000 / 500
    assert_eq!(region(&p, "ap-southeast-2").max_size, 6); // 300,000 / 50,000
}

#[test]
fn failover_users_of_two_equal_loss_regions_are_the_whole_peak() {
    let text = THREE.replace("share = 0.6", "share = 0.7").replace(
        "[regions.ap-southeast-2]\nshare = 0.2",
        "[regions.ap-southeast-2]\nshare = 0.1",
    );
    let p = ok(&text);
    // us-east-1 loses eu-west-1 (0.2): 700,000 / 0.8 = 875,000.
    assert_eq!(region(&p, "us-east-1").failover_users, d("875000"));
    // eu-west-1 loses us-east-1 (0.7): 200,000 / 0.3, not a terminating decimal;
    // MaxSize is still the ceiling of the exact ratio:
    // 200,000 × 1.5 / (0.3 × 500) = 2000 exactly.
    assert_eq!(region(&p, "eu-west-1").max_size, 2000);
    // ap-southeast-2: 100,000 × 1.5 / (0.3 × 50,000) = 10 exactly.
    assert_eq!(region(&p, "ap-southeast-2").max_size, 10);
}

#[test]
fn peak_instances_is_the_ceiling_of_peak_users_over_c() {
    let p = ok(THREE);
    assert_eq!(region(&p, "us-east-1").peak_instances, 1200);
    assert_eq!(region(&p, "eu-west-1").peak_instances, 400);
    assert_eq!(region(&p, "ap-southeast-2").peak_instances, 4);
    // 200,000 / 30,000 = 6.67 → 7: a remainder rounds up.
    let p = ok(&THREE.replace(
        "users_per_instance = 100_000",
        "users_per_instance = 60_000",
    ));
    assert_eq!(region(&p, "ap-southeast-2").peak_instances, 7);
}

#[test]
fn min_size_from_baseline_when_above_the_zone_count() {
    let p = ok(THREE);
    // ceil(100,000 × 0.6 / 500) = 120 > 3 zones.
    assert_eq!(region(&p, "us-east-1").baseline_instances, 120);
    assert_eq!(region(&p, "us-east-1").min_size, 120);
    // ceil(100,000 × 0.2 / 500) = 40 > 3 zones.
    assert_eq!(region(&p, "eu-west-1").min_size, 40);
}

#[test]
fn min_size_from_the_zone_count_when_baseline_is_smaller() {
    let p = ok(THREE);
    // ceil(100,000 × 0.2 / 50,000) = 1 < 3 zones.
    assert_eq!(region(&p, "ap-southeast-2").baseline_instances, 1);
    assert_eq!(region(&p, "ap-southeast-2").min_size, 3);
    // A zero baseline: MinSize is the zone count everywhere.
    let p = ok(&THREE.replace(
        "baseline_concurrent_users = 100_000",
        "baseline_concurrent_users = 0",
    ));
    for r in &p.capacity.regions {
        assert_eq!(r.min_size, 3, "{}", r.region);
    }
    // Two zones in a region: MinSize 2.
    let p = ok(&THREE.replace(
        "users_per_instance = 100_000",
        "users_per_instance = 100_000\navailability_zones = 2",
    ));
    assert_eq!(region(&p, "ap-southeast-2").min_size, 2);
}

#[test]
fn max_size_covers_failover_with_headroom() {
    let p = ok(THREE);
    // ceil(750,000 × 1.5 / 500)
    assert_eq!(region(&p, "us-east-1").max_size, 2250);
    // ceil(500,000 × 1.5 / 500)
    assert_eq!(region(&p, "eu-west-1").max_size, 1500);
    // ceil(500,000 × 1.5 / 50,000)
    assert_eq!(region(&p, "ap-southeast-2").max_size, 15);
}

#[test]
fn max_size_without_headroom_is_the_failover_ceiling() {
    let p = ok(&THREE.replace("headroom = 0.5", "headroom = 0"));
    assert_eq!(region(&p, "us-east-1").max_size, 1500); // 750,000 / 500
    assert_eq!(region(&p, "eu-west-1").max_size, 1000); // 500,000 / 500
    assert_eq!(region(&p, "ap-southeast-2").max_size, 10); // 500,000 / 50,000
    // Headroom left out altogether means 0.
    let p = ok(&THREE.replace("headroom = 0.5\n", ""));
    assert_eq!(region(&p, "us-east-1").max_size, 1500);
}

#[test]
fn max_size_rounds_a_fractional_headroom_up() {
    // ap-southeast-2: 500,000 × 1.07 / 50,000 = 10.7 → 11.
    let p = ok(&THREE.replace("headroom = 0.5", "headroom = 0.07"));
    assert_eq!(region(&p, "ap-southeast-2").max_size, 11);
    // us-east-1: 750,000 × 1.07 / 500 = 1605 exactly.
    assert_eq!(region(&p, "us-east-1").max_size, 1605);
}

#[test]
fn prewarm_min_size_from_the_event_when_above_min_size() {
    let p = ok(THREE);
    // big-final, E = 900,000: ceil(540,000 / 500) = 1080 > 120.
    assert_eq!(prewarm(&p, "big-final", "us-east-1"), 1080);
    // ceil(180,000 / 500) = 360 > 40.
    assert_eq!(prewarm(&p, "big-final", "eu-west-1"), 360);
    // ceil(180,000 / 50,000) = ceil(3.6) = 4 > 3.
    assert_eq!(prewarm(&p, "big-final", "ap-southeast-2"), 4);
}

#[test]
fn prewarm_min_size_is_min_size_when_the_event_is_small() {
    let p = ok(THREE);
    // small-match, E = 50,000: ceil(30,000 / 500) = 60 < MinSize 120.
    assert_eq!(prewarm(&p, "small-match", "us-east-1"), 120);
    // ceil(10,000 / 500) = 20 < 40.
    assert_eq!(prewarm(&p, "small-match", "eu-west-1"), 40);
    // ceil(10,000 / 50,000) = 1 < 3 zones.
    assert_eq!(prewarm(&p, "small-match", "ap-southeast-2"), 3);
}

#[test]
fn prewarm_window_runs_from_lead_to_end_and_events_are_in_start_order() {
    let p = ok(THREE);
    let names: Vec<_> = p.capacity.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["small-match", "big-final"]);
    let big = &p.capacity.events[1];
    assert_eq!(big.prewarm_at.to_rfc3339(), "2027-01-20T17:15:00+00:00");
    assert_eq!(big.starts_at.to_rfc3339(), "2027-01-20T18:00:00+00:00");
    assert_eq!(big.release_at.to_rfc3339(), "2027-01-20T20:00:00+00:00");
}

#[test]
fn vcpus_at_max_is_max_size_times_vcpus() {
    let p = ok(THREE);
    assert_eq!(region(&p, "us-east-1").vcpus_per_instance, 4); // c7i.xlarge
    assert_eq!(region(&p, "us-east-1").vcpus_at_max, 2250 * 4);
    assert_eq!(region(&p, "eu-west-1").vcpus_per_instance, 8); // c7i.2xlarge
    assert_eq!(region(&p, "eu-west-1").vcpus_at_max, 1500 * 8);
    assert_eq!(region(&p, "ap-southeast-2").vcpus_at_max, 15 * 4);
}

#[test]
fn single_region_without_failover() {
    let text = r#"name = "solo"

[defaults]
instance_type = "c7i.large"
users_per_instance = 1500
target_utilization = 0.6
availability_zones = 2

[traffic]
peak_concurrent_users = 30_000
baseline_concurrent_users = 5_000
headroom = 0.2
survive_region_loss = false

[regions.eu-west-1]
share = 1
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef0"
"#;
    let p = ok(text);
    let r = region(&p, "eu-west-1");
    // c = 900.
    assert_eq!(r.peak_users, d("30000"));
    assert_eq!(r.failover_users, d("30000"));
    assert_eq!(r.peak_instances, 34); // 33.3
    assert_eq!(r.min_size, 6); // ceil(5,000 / 900) = 6 > 2 zones
    assert_eq!(r.max_size, 40); // 36,000 / 900
    assert_eq!(r.vcpus_at_max, 80); // c7i.large: 2 vCPUs
}

/// 3,000,000 × 0.55 / (5000 × 0.6) is exactly 550; f64 says 551.
const EXACT: &str = r#"name = "exact"

[defaults]
instance_type = "c7i.xlarge"
users_per_instance = 5000
target_utilization = 0.6
availability_zones = 3

[traffic]
peak_concurrent_users = 3_000_000
baseline_concurrent_users = 3_000_000
headroom = 0
survive_region_loss = false

[regions.us-east-1]
share = 0.55
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef0"

[regions.eu-west-1]
share = 0.45
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef1"

[[events]]
name = "sold-out"
starts_at = "2027-05-01T20:00:00Z"
duration_minutes = 90
expected_concurrent_users = 3_000_000
"#;

#[test]
fn exact_decimals_give_550_where_f64_gives_551() {
    let float = (3_000_000f64 * 0.55 / (5000f64 * 0.6)).ceil();
    assert_eq!(float, 551.0, "the float trap this plan is built on");
    let p = ok(EXACT);
    let r = region(&p, "us-east-1");
    assert_eq!(r.peak_users, d("1650000"));
    assert_eq!(r.failover_users, d("1650000"));
    assert_eq!(r.planned_users_per_instance, d("3000"));
    assert_eq!(r.peak_instances, 550);
    assert_eq!(r.baseline_instances, 550);
    assert_eq!(r.min_size, 550);
    assert_eq!(r.max_size, 550);
    assert_eq!(r.vcpus_at_max, 2200);
    assert_eq!(prewarm(&p, "sold-out", "us-east-1"), 550);
    let e = region(&p, "eu-west-1");
    assert_eq!(e.peak_instances, 450);
    assert_eq!(e.max_size, 450);
    // The default pre-warm lead is 30 minutes.
    assert_eq!(
        p.capacity.events[0].prewarm_at.to_rfc3339(),
        "2027-05-01T19:30:00+00:00"
    );
}

#[test]
fn spec_example_us_east_1_of_prod() {
    let p = streamscale::project::load_plan(Path::new("environments/prod.toml"))
        .expect("prod.toml loads");
    let r = region(&p, "us-east-1");
    assert_eq!(r.share, d("0.30"));
    assert_eq!(r.instance_type, "c7i.2xlarge");
    assert_eq!(r.peak_users.to_string(), "3000000");
    assert_eq!(r.failover_users.to_string(), "4000000");
    assert_eq!(r.peak_instances, 577);
    assert_eq!(r.min_size, 58);
    assert_eq!(r.max_size, 924);
    assert_eq!(r.vcpus_at_max, 7392);
    assert_eq!(prewarm(&p, "world-final", "us-east-1"), 577);
    let ev = &p.capacity.events[0];
    assert_eq!(ev.name, "world-final");
    assert_eq!(ev.prewarm_at.to_rfc3339(), "2026-12-18T18:15:00+00:00");
    assert_eq!(ev.release_at.to_rfc3339(), "2026-12-18T23:00:00+00:00");
    // new-year-concert, E = 6,000,000: ceil(1,800,000 / 5200) = 347 > 58.
    assert_eq!(prewarm(&p, "new-year-concert", "us-east-1"), 347);
    // ap-southeast-2 (0.05, c = 2600, 2 zones; loses us-east-1 at 0.30):
    // MinSize ceil(50,000 / 2600) = 20; MaxSize ceil(500,000 × 1.2 / (0.7 × 2600)) = 330.
    let s = region(&p, "ap-southeast-2");
    assert_eq!(s.min_size, 20);
    assert_eq!(s.max_size, 330);
    let total: Decimal = p.capacity.regions.iter().map(|r| r.share).sum();
    assert_eq!(total, Decimal::ONE);
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

#[test]
fn the_base_plans_are_valid() {
    ok(THREE);
    ok(EXACT);
}

#[test]
fn shares_must_sum_to_one() {
    let text = THREE.replace("share = 0.6", "share = 0.5");
    let e = refused(
        &text,
        ErrorCode::SharesSum,
        "[regions.us-east-1]\nshare = ^0.5",
    );
    assert!(e.message.contains("0.9"), "{}", e.message);
    let help = e.help.unwrap();
    assert!(
        help.contains("us-east-1 0.5 + eu-west-1 0.2 + ap-southeast-2 0.2"),
        "{help}"
    );
    // Above 1 as well.
    let text = THREE.replace("share = 0.6", "share = 0.61");
    refused(
        &text,
        ErrorCode::SharesSum,
        "[regions.us-east-1]\nshare = ^0.61",
    );
}

#[test]
fn shares_sum_tolerance_is_1e_9() {
    let three = |s: &str| {
        THREE
            .replace("share = 0.6", &format!("share = {s}"))
            .replace("share = 0.2", &format!("share = {s}"))
    };
    // 3 × 0.333333333 = 0.999999999: off by exactly 1e-9, accepted.
    ok(&three("0.333333333"));
    // Off by 1e-10: accepted.
    ok(&three("0.3333333333"));
    // Off by 1e-8: refused.
    refused(
        &three("0.33333333"),
        ErrorCode::SharesSum,
        "[regions.us-east-1]\nshare = ^0.33333333",
    );
}

#[test]
fn share_must_be_in_zero_one() {
    let text = THREE.replace(
        "[regions.eu-west-1]\nshare = 0.2",
        "[regions.eu-west-1]\nshare = 0",
    );
    refused(
        &text,
        ErrorCode::InvalidValue,
        "[regions.eu-west-1]\nshare = ^0\n",
    );
    let text = THREE.replace(
        "[regions.eu-west-1]\nshare = 0.2",
        "[regions.eu-west-1]\nshare = -0.2",
    );
    refused(&text, ErrorCode::InvalidValue, "share = ^-0.2");
    let text = THREE.replace(
        "[regions.eu-west-1]\nshare = 0.2",
        "[regions.eu-west-1]\nshare = 1.5",
    );
    refused(&text, ErrorCode::InvalidValue, "share = ^1.5");
}

#[test]
fn utilization_must_be_in_zero_one() {
    // In [defaults]: the error points there.
    let text = THREE.replace("target_utilization = 0.5", "target_utilization = 0");
    let e = refused(&text, ErrorCode::InvalidValue, "target_utilization = ^0\n");
    assert!(e.message.contains("(0, 1]"), "{}", e.message);
    // In a region: the error points at the override.
    let text = THREE.replace(
        "users_per_instance = 100_000",
        "users_per_instance = 100_000\ntarget_utilization = 1.2",
    );
    refused(&text, ErrorCode::InvalidValue, "target_utilization = ^1.2");
    // Exactly 1 is allowed.
    ok(&THREE.replace("target_utilization = 0.5", "target_utilization = 1"));
}

#[test]
fn users_per_instance_must_be_positive() {
    let text = THREE.replace("users_per_instance = 100_000", "users_per_instance = 0");
    refused(&text, ErrorCode::InvalidValue, "users_per_instance = ^0\n");
    let text = THREE.replace("users_per_instance = 1000", "users_per_instance = -5");
    refused(&text, ErrorCode::InvalidValue, "users_per_instance = ^-5");
}

#[test]
fn baseline_must_not_exceed_peak() {
    let text = THREE.replace(
        "baseline_concurrent_users = 100_000",
        "baseline_concurrent_users = 1_000_001",
    );
    refused(
        &text,
        ErrorCode::AbovePeak,
        "baseline_concurrent_users = ^1_000_001",
    );
    // Equal is fine (see EXACT).
}

#[test]
fn event_must_not_exceed_peak() {
    let text = THREE.replace(
        "expected_concurrent_users = 900_000",
        "expected_concurrent_users = 1_000_001",
    );
    let e = refused(
        &text,
        ErrorCode::AbovePeak,
        "expected_concurrent_users = ^1_000_001",
    );
    assert!(e.message.contains("big-final"), "{}", e.message);
    // Equal to the peak is fine.
    ok(&THREE.replace(
        "expected_concurrent_users = 900_000",
        "expected_concurrent_users = 1_000_000",
    ));
}

#[test]
fn events_must_not_overlap() {
    // small-match moved to 19:30 on the day of big-final: its pre-warm (19:00)
    // is before big-final ends (20:00).
    let text = THREE.replace("2027-01-10T18:00:00Z", "2027-01-20T19:30:00Z");
    let e = refused(
        &text,
        ErrorCode::EventsOverlap,
        "starts_at = ^\"2027-01-20T19:30:00Z\"",
    );
    assert!(e.message.contains("small-match") && e.message.contains("big-final"));
    // Only the pre-warm window overlaps: small-match at 20:20 pre-warms from 19:50.
    let text = THREE.replace("2027-01-10T18:00:00Z", "2027-01-20T20:20:00Z");
    refused(
        &text,
        ErrorCode::EventsOverlap,
        "starts_at = ^\"2027-01-20T20:20:00Z\"",
    );
    // Back to back (pre-warm starts exactly when the other ends) is fine.
    ok(&THREE.replace("2027-01-10T18:00:00Z", "2027-01-20T20:30:00Z"));
}

/// One region of c = 1000 at P = 1000: MaxSize 1, but MinSize is 2 zones.
const TINY: &str = r#"name = "tiny"

[defaults]
instance_type = "c7i.large"
users_per_instance = 1000
target_utilization = 1
availability_zones = 2

[traffic]
peak_concurrent_users = 1000
baseline_concurrent_users = 100
headroom = 0
survive_region_loss = false

[regions.eu-west-1]
share = 1
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef0"

[[events]]
name = "kickoff"
starts_at = "2027-02-01T12:00:00Z"
duration_minutes = 60
expected_concurrent_users = 500
"#;

#[test]
fn prewarm_min_size_must_not_exceed_max_size() {
    // pre-warm = max(MinSize 2, ceil(500 / 1000) = 1) = 2 > MaxSize 1.
    let e = refused(
        TINY,
        ErrorCode::PrewarmAboveMax,
        "expected_concurrent_users = ^500",
    );
    assert!(e.message.contains("kickoff"), "{}", e.message);
    // Headroom enough for a second instance: MaxSize 2, accepted.
    let p = ok(&TINY.replace("headroom = 0", "headroom = 1"));
    assert_eq!(region(&p, "eu-west-1").max_size, 2);
    assert_eq!(prewarm(&p, "kickoff", "eu-west-1"), 2);
}

#[test]
fn min_size_must_not_exceed_max_size_without_events() {
    let text = TINY.split("[[events]]").next().unwrap();
    // MinSize 2 (zones) > MaxSize 1: an Auto Scaling group CloudFormation refuses.
    let p = load(text);
    let errs = p.expect_err("MinSize 2 > MaxSize 1 was accepted");
    assert!(
        errs.errors.iter().any(|e| e.code == ErrorCode::MinAboveMax),
        "{errs}"
    );
}

#[test]
fn region_must_be_known() {
    let text = THREE.replace("[regions.eu-west-1]", "[regions.us-east1]");
    let e = refused(&text, ErrorCode::UnknownRegion, "[regions.^us-east1]");
    assert_eq!(e.help.as_deref(), Some("did you mean `us-east-1`?"));
    let text = THREE.replace("[regions.eu-west-1]", "[regions.zz-nowhere-9]");
    let e = refused(&text, ErrorCode::UnknownRegion, "[regions.^zz-nowhere-9]");
    assert!(e.help.unwrap().contains("eu-west-1"));
}

#[test]
fn instance_type_must_be_known() {
    let text = THREE.replace(
        "instance_type = \"c7i.2xlarge\"",
        "instance_type = \"c7i.2xlarg\"",
    );
    let e = refused(
        &text,
        ErrorCode::UnknownInstanceType,
        "instance_type = ^\"c7i.2xlarg\"",
    );
    assert!(e.help.unwrap().contains("c7i.2xlarge"));
    // In [defaults]: every region inheriting it points at [defaults].
    let text = THREE.replace(
        "instance_type = \"c7i.xlarge\"",
        "instance_type = \"t2.micro\"",
    );
    refused(
        &text,
        ErrorCode::UnknownInstanceType,
        "instance_type = ^\"t2.micro\"",
    );
}

#[test]
fn ami_must_be_ami_and_8_or_17_hex_digits() {
    for bad in [
        "ami-0123456789abcdef",  // 16 digits
        "ami-1234567",           // 7 digits
        "ami-0123456789ABCDEF0", // uppercase
        "0123456789abcdef0",     // no prefix
        "ami-0123456789abcdefg", // not hex
        "AMI-0123456789abcdef0", // uppercase prefix
        "ami-",                  // nothing
    ] {
        let text = THREE.replace("ami-12345678", bad);
        refused(&text, ErrorCode::BadAmi, &format!("ami = ^\"{bad}\""));
    }
    // 8 and 17 digits are both fine (THREE has both).
}

#[test]
fn plan_must_have_a_region() {
    let text = EXACT
        .split("[regions.us-east-1]")
        .next()
        .unwrap()
        .to_string();
    let errs = load(&text).unwrap_err();
    assert!(
        errs.errors.iter().any(|e| e.code == ErrorCode::NoRegion),
        "{errs:?}"
    );
    // An empty [regions] table: the error points at it.
    let text = format!("{text}[regions]\n");
    refused(&text, ErrorCode::NoRegion, "^[regions]");
}

#[test]
fn single_region_cannot_survive_region_loss() {
    let text = EXACT
        .split("[regions.eu-west-1]")
        .next()
        .unwrap()
        .replace("share = 0.55", "share = 1")
        .replace("survive_region_loss = false", "survive_region_loss = true");
    let e = refused(
        &text,
        ErrorCode::SingleRegionLoss,
        "survive_region_loss = ^true",
    );
    assert!(e.help.unwrap().contains("survive_region_loss = false"));
}

#[test]
fn event_times_must_be_rfc3339() {
    for bad in [
        "2027-01-20 18:00",
        "2027-01-20T18:00:00",
        "next friday",
        "2027-13-01T00:00:00Z",
    ] {
        let text = THREE.replace("\"2027-01-20T18:00:00Z\"", &format!("\"{bad}\""));
        refused(
            &text,
            ErrorCode::BadTime,
            &format!("starts_at = ^\"{bad}\""),
        );
    }
    // A TOML local datetime (no offset) is refused too.
    let text = THREE.replace("\"2027-01-20T18:00:00Z\"", "2027-01-20T18:00:00");
    refused(
        &text,
        ErrorCode::BadTime,
        "starts_at = ^2027-01-20T18:00:00\n",
    );
    // A TOML offset datetime is fine.
    let p = ok(&THREE.replace("\"2027-01-20T18:00:00Z\"", "2027-01-20T20:00:00+02:00"));
    assert_eq!(
        p.capacity.events[1].starts_at.to_rfc3339(),
        "2027-01-20T18:00:00+00:00"
    );
}

#[test]
fn extends_chain_must_resolve_and_end() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.toml");
    let leaf = dir.path().join("leaf.toml");
    // Missing parent.
    std::fs::write(&leaf, "extends = \"nope.toml\"\n").unwrap();
    let e = streamscale::project::load_plan(&leaf).unwrap_err();
    assert_eq!(e.errors[0].code, ErrorCode::ExtendsBroken);
    assert!(e.errors[0].position().unwrap().ends_with("leaf.toml:1:11"));
    // a → b → a.
    std::fs::write(&leaf, "extends = \"base.toml\"\n").unwrap();
    std::fs::write(&base, "# base\nextends = \"leaf.toml\"\n").unwrap();
    let e = streamscale::project::load_plan(&leaf).unwrap_err();
    assert_eq!(e.errors[0].code, ErrorCode::ExtendsCycle);
    assert!(e.errors[0].position().unwrap().ends_with("base.toml:2:11"));
    // Self.
    std::fs::write(&leaf, "\nextends = \"leaf.toml\"\n").unwrap();
    let e = streamscale::project::load_plan(&leaf).unwrap_err();
    assert_eq!(e.errors[0].code, ErrorCode::ExtendsCycle);
    assert!(e.errors[0].position().unwrap().ends_with("leaf.toml:2:11"));
    // A working chain: the child wins key by key.
    std::fs::write(&base, THREE).unwrap();
    std::fs::write(&leaf, "extends = \"base.toml\"\n[traffic]\nheadroom = 0\n").unwrap();
    let p = streamscale::project::load_plan(&leaf).unwrap();
    assert_eq!(p.environment, "leaf");
    assert_eq!(region(&p, "us-east-1").max_size, 1500);
    assert_eq!(region(&p, "us-east-1").min_size, 120);
}

#[test]
fn errors_in_a_parent_point_into_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        THREE.replace("share = 0.6", "share = 1.6"),
    )
    .unwrap();
    let leaf = dir.path().join("leaf.toml");
    std::fs::write(&leaf, "extends = \"base.toml\"\n").unwrap();
    let e = streamscale::project::load_plan(&leaf).unwrap_err();
    let share = e
        .errors
        .iter()
        .find(|e| e.code == ErrorCode::InvalidValue)
        .expect("share error");
    assert!(
        share.position().unwrap().ends_with("base.toml:16:9"),
        "{:?}",
        share.position()
    );
}

#[test]
fn unknown_keys_wrong_types_and_missing_keys() {
    let text = THREE.replace("share = 0.6", "sahre = 0.6");
    let e = refused(&text, ErrorCode::UnknownKey, "^sahre = 0.6");
    assert!(e.help.unwrap().starts_with("did you mean `share`?"));
    let text = THREE.replace("users_per_instance = 1000", "users_per_instance = \"1000\"");
    refused(
        &text,
        ErrorCode::WrongType,
        "users_per_instance = ^\"1000\"",
    );
    let text = THREE.replace("name = \"rules\"\n", "");
    let e = load(&text).unwrap_err();
    assert_eq!(e.errors[0].code, ErrorCode::MissingKey);
}

#[test]
fn semantic_errors_are_all_reported_in_file_order() {
    let text = THREE
        .replace("target_utilization = 0.5", "target_utilization = 2")
        .replace("ami-12345678", "ami-XYZ")
        .replace(
            "expected_concurrent_users = 50_000",
            "expected_concurrent_users = 2_000_000",
        );
    let e = load(&text).unwrap_err();
    let codes: Vec<_> = e.errors.iter().map(|e| e.code).collect();
    assert!(codes.contains(&ErrorCode::InvalidValue), "{codes:?}");
    assert!(codes.contains(&ErrorCode::BadAmi), "{codes:?}");
    assert!(codes.contains(&ErrorCode::AbovePeak), "{codes:?}");
    let lines: Vec<_> = e.errors.iter().map(|e| e.line_col.unwrap()).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}
