//! Two applies of one environment started at the same instant (two CI
//! jobs, or a person and a job; issue 9, point 8), against a moto whose
//! CloudFormation operations stay in progress for several polls
//! (`STREAMSCALE_MOTO_CFN_ASYNC`). Both plan against the same live state;
//! whichever sends its operation second finds the stack taken (CreateStack:
//! it exists; ExecuteChangeSet: it is mid-operation or its change set is
//! gone), waits for the other operation, plans the region again and applies
//! only what is still needed, or says the region is already up to date.
//! Both exit 0, nothing is lost, and the next plan finds nothing to change.
//! A saved plan caught the same way is refused as stale, never re-planned.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::process::{Child, Output, Stdio};

use project::{Project, runtime, sdk};

const TWO: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

/// What a plan with `peak` concurrent users asks for.
fn plan_with_peak(p: &Project, peak: u32) {
    let text = project::plan_text(&p.name, TWO, "").replace(
        "peak_concurrent_users = 20000",
        &format!("peak_concurrent_users = {peak}"),
    );
    assert!(text.contains(&format!("peak_concurrent_users = {peak}")));
    p.write_plan(&text);
}

fn spawn(p: &Project, moto: &moto::Moto, args: &[&str]) -> Child {
    p.cmd(moto, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start streamscale")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Each region's stack status and its Auto Scaling group's sizes
/// (`min/max/desired`).
fn live(moto: &moto::Moto, p: &Project) -> Vec<(String, String, String)> {
    TWO.iter()
        .map(|(region, _, _)| {
            let conf = sdk(moto, region);
            let cf = aws_sdk_cloudformation::Client::new(&conf);
            let asg = aws_sdk_autoscaling::Client::new(&conf);
            runtime().block_on(async {
                let stack = cf
                    .describe_stacks()
                    .stack_name(p.stack())
                    .send()
                    .await
                    .expect("describe stack");
                let status = stack.stacks()[0]
                    .stack_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default();
                let resources = cf
                    .describe_stack_resources()
                    .stack_name(p.stack())
                    .send()
                    .await
                    .expect("stack resources");
                let group = resources
                    .stack_resources()
                    .iter()
                    .find(|r| r.resource_type() == Some("AWS::AutoScaling::AutoScalingGroup"))
                    .and_then(|r| r.physical_resource_id())
                    .expect("the stack has an auto-scaling group")
                    .to_string();
                let groups = asg
                    .describe_auto_scaling_groups()
                    .auto_scaling_group_names(&group)
                    .send()
                    .await
                    .expect("describe group");
                let g = &groups.auto_scaling_groups()[0];
                let sizes = format!(
                    "{}/{}/{}",
                    g.min_size().unwrap_or(-1),
                    g.max_size().unwrap_or(-1),
                    g.desired_capacity().unwrap_or(-1)
                );
                (region.to_string(), status, sizes)
            })
        })
        .collect()
}

/// Whether an apply's output shows it found another operation on a stack
/// (when it sent its own, or before it planned).
fn met_the_other(out: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.contains("by another operation") || stderr.contains("(another operation)")
}

/// How many regions an apply says it changed ("Apply complete: N of M").
fn changed(out: &Output) -> usize {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Apply complete: "))
        .unwrap_or_else(|| panic!("no summary line:\n{stderr}"));
    line.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a count: {line}"))
}

/// Start two applies at once and wait for both; both must exit 0, and
/// between them each region was changed once (the one that came second
/// found it up to date, and says it changed nothing there).
fn two_applies(p: &Project, moto: &moto::Moto) -> (Output, Output) {
    let args = ["apply", "-e", "test", "--yes", "--timeout", "5m"];
    let (a, b) = (spawn(p, moto, &args), spawn(p, moto, &args));
    let (a, b) = (
        a.wait_with_output().expect("first apply"),
        b.wait_with_output().expect("second apply"),
    );
    for out in [&a, &b] {
        assert_eq!(out.status.code(), Some(0), "{}", text(out));
        assert!(!text(out).contains("panicked"), "{}", text(out));
    }
    assert_eq!(
        changed(&a) + changed(&b),
        TWO.len(),
        "{}\n{}",
        text(&a),
        text(&b)
    );
    (a, b)
}

#[test]
fn two_applies_at_once_both_succeed_lose_nothing_and_converge() {
    // Every stack operation stays in progress for 8 DescribeStacks polls.
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_CFN_ASYNC", "8")]);
    let p = Project::new("conc", TWO, "");

    // From nothing: both plan a create in each region; one CreateStack per
    // region wins, the other apply waits for it and finds nothing left.
    let (a, b) = two_applies(&p, &moto);
    let created = live(&moto, &p);
    for (region, status, _) in &created {
        assert_eq!(
            status,
            "CREATE_COMPLETE",
            "{region}\n{}\n{}",
            text(&a),
            text(&b)
        );
    }
    let mut met = met_the_other(&a) || met_the_other(&b);
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");

    // An update: both plan the same change set; one executes it, the other
    // finds the stack mid-update (or its change set gone), waits, and plans
    // again against the updated stack.
    plan_with_peak(&p, 40000);
    let (a, b) = two_applies(&p, &moto);
    let updated = live(&moto, &p);
    for ((region, status, sizes), (_, _, before)) in updated.iter().zip(&created) {
        assert_eq!(
            status,
            "UPDATE_COMPLETE",
            "{region}\n{}\n{}",
            text(&a),
            text(&b)
        );
        assert_ne!(
            sizes,
            before,
            "{region}: the group's sizes did not change\n{}\n{}",
            text(&a),
            text(&b)
        );
    }
    met |= met_the_other(&a) || met_the_other(&b);
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");

    // Started at the same instant, the second apply always meets the first's
    // operation (as a refusal, or a stack in progress when it plans).
    assert!(met, "neither apply met the other's operation");
}

#[test]
fn a_saved_plan_overtaken_by_another_apply_is_refused_as_stale() {
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_CFN_ASYNC", "8")]);
    let p = Project::new("concsaved", TWO, "");
    p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);
    plan_with_peak(&p, 40000);
    let saved = p.path().join("reviewed.json");
    let saved = saved.to_str().expect("utf-8 path");
    p.expect(&moto, &["plan", "-e", "test", "--out", saved], 0);

    // Another apply of the same change and the reviewed plan, at once.
    let other = spawn(&p, &moto, &["apply", "-e", "test", "--yes"]);
    let reviewed = spawn(&p, &moto, &["apply", "-e", "test", "--yes", saved]);
    let (other, reviewed) = (
        other.wait_with_output().expect("other apply"),
        reviewed.wait_with_output().expect("saved apply"),
    );
    assert_eq!(other.status.code(), Some(0), "{}", text(&other));
    // The saved plan either went first (the other apply then found nothing
    // left to do) or is refused as stale; it is never planned again.
    match reviewed.status.code() {
        Some(0) => assert!(
            met_the_other(&other),
            "{}\n{}",
            text(&other),
            text(&reviewed)
        ),
        Some(1) => {
            let out = text(&reviewed);
            assert!(out.contains("stale"), "{out}");
            assert!(!out.contains("planning us-east-1 again"), "{out}");
            assert!(!out.contains("planning eu-west-1 again"), "{out}");
        }
        code => panic!("saved apply exited {code:?}\n{}", text(&reviewed)),
    }
    for (region, status, _) in live(&moto, &p) {
        assert_eq!(status, "UPDATE_COMPLETE", "{region}");
    }
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");
}
