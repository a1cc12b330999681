//! Plans AWS would refuse at apply time (issue 9, point 10), against the
//! moto harness, which refuses a past scheduled-action StartTime and knows
//! only the AMIs registered with it, as AWS does.
//!
//! - an event whose pre-warm time is past but whose start is ahead
//!   validates, plans and applies (exit 0): its pre-warm size holds through
//!   the group's MinSize, only the release is scheduled, and the report
//!   still counts its pre-warm cost;
//! - an event that is over is left out of the stack: `plan` shows its
//!   actions going away;
//! - an AMI the region does not have, or has deprecated, is a per-region
//!   error of `plan` (DescribeImages), before any change set.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use chrono::{DateTime, Duration, Utc};
use scenario::{Scenario, TWO};

/// One region, so sizes are easy to follow: MinSize 4, pre-warm 20.
const ONE: &[project::RegionSpec] = &[("us-east-1", "1", "c7i.large")];

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An event named `name` starting at `starts_at` (45 minutes of pre-warm,
/// an hour long, 10,000 users: a pre-warm MinSize of 20 at 500 users per
/// instance).
fn event(name: &str, starts_at: DateTime<Utc>) -> String {
    format!(
        "[[events]]\nname = \"{name}\"\nstarts_at = \"{}\"\nduration_minutes = 60\nprewarm_minutes = 45\nexpected_concurrent_users = 10000\n",
        rfc3339(starts_at)
    )
}

#[test]
fn an_event_whose_prewarm_is_past_plans_applies_and_holds_its_prewarm_size() {
    // The pre-warm was 25 minutes ago; the start is 20 minutes ahead.
    let starts_at = Utc::now() + Duration::minutes(20);
    let s = Scenario::new("warming")
        .regions(ONE)
        .event(&event("late-final", starts_at))
        .build()
        .run(&["validate", "-e", "test"])
        .exits(0)
        .stderr_has("event late-final is warming up")
        .plan()
        .exits(2)
        .apply()
        .check_live(|aws| {
            let asg = aws.asg("us-east-1");
            assert_eq!(asg.min_size(), 20, "the pre-warm size holds now");
            let actions = asg.scheduled_actions();
            assert_eq!(
                actions.len(),
                1,
                "only the release is scheduled: {actions:?}"
            );
            assert_eq!(
                actions[0].min_size,
                Some(4),
                "the release brings MinSize back"
            );
        })
        .plans_no_changes()
        .run(&["report", "-e", "test", "--format", "json"])
        .exits(0);
    let report = s.json();
    let e = &report["events"][0];
    assert_eq!(e["name"], "late-final", "{report:#}");
    let cost = e["prewarm_cost"].as_str().unwrap_or_default();
    assert!(
        cost.parse::<f64>().is_ok_and(|c| c > 0.0),
        "the report counts the pre-warm cost of an event already warming: {e:#}"
    );
}

#[test]
fn an_event_that_is_over_is_left_out_and_plan_shows_its_actions_going_away() {
    let starts_at = Utc::now() + Duration::hours(3);
    let after_it = rfc3339(starts_at + Duration::hours(2));
    Scenario::new("over")
        .regions(ONE)
        .event(&event("gone-final", starts_at))
        .applied()
        .check_live(|aws| assert_eq!(aws.asg("us-east-1").scheduled_actions().len(), 2))
        .run(&["validate", "-e", "test", "--now", &after_it])
        .exits(0)
        .stderr_has("event gone-final is over")
        .run(&[
            "plan",
            "-e",
            "test",
            "--json",
            "--detailed-exitcode",
            "--now",
            &after_it,
        ])
        .exits(2)
        .resource_action_is("us-east-1", "PrewarmGoneFinal", "delete")
        .resource_action_is("us-east-1", "ReleaseGoneFinal", "delete");
}

#[test]
fn an_ami_the_region_does_not_have_is_a_plan_error_before_any_change_set() {
    // us-east-1's AMI is registered; eu-west-1's was never registered.
    Scenario::new("noami")
        .regions(TWO)
        .region_setting("eu-west-1", "ami = \"ami-0eeeeeeeeeeeeeee9\"")
        .build()
        .run(&["plan", "-e", "test"])
        .exits(1)
        .stderr_has("eu-west-1: AMI ami-0eeeeeeeeeeeeeee9 does not exist in this region")
        .stderr_has("copy-image")
        .check(|s| {
            let stderr = &s.last().stderr;
            assert!(
                !stderr.contains("us-east-1: AMI"),
                "us-east-1's AMI is there: {stderr}"
            );
        })
        .check_live(|aws| {
            assert_eq!(aws.stack("eu-west-1").status(), None, "nothing was created");
        });
}

#[test]
fn a_deprecated_ami_is_a_plan_error_naming_its_region() {
    let moto = moto::Moto::start_with(&[(
        "STREAMSCALE_MOTO_AMIS",
        "eu-west-1=ami-0ddddddddddddddd4:deprecated",
    )]);
    Scenario::new("oldami")
        .on(&moto)
        .regions(TWO)
        .region_setting("eu-west-1", "ami = \"ami-0ddddddddddddddd4\"")
        .build()
        .run(&["plan", "-e", "test"])
        .exits(1)
        .stderr_has(
            "eu-west-1: AMI ami-0ddddddddddddddd4 is deprecated since 2024-01-01T00:00:00Z",
        );
}
