//! The live engine against moto: apply, plan, saved plans, --region,
//! destroy, ROLLBACK_COMPLETE replacement, and an endpoint that dies
//! mid-apply. One moto per test binary (plus two for the kill test). Each
//! test is a scenario (tests/support/scenario.rs).

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use scenario::{Scenario, THREE, TWO};

#[test]
fn apply_converges_then_updates_show_properties_and_converge_again() {
    Scenario::new("conv")
        .regions(THREE)
        .build()
        // A fresh plan creates every resource in every region: exit 2.
        .plan()
        .exits(2)
        .region_actions_are("create")
        .check_json(|plan| {
            assert_eq!(plan["format_version"], 1);
            let add = plan["summary"]["add"].as_u64().unwrap_or_default();
            assert!(
                add > 3 * 30,
                "every resource of three stacks is added: {add}"
            );
        })
        .apply()
        .stacks_are("CREATE_COMPLETE")
        // Outputs resolved into the Cloudflare-free project: outputs.json per region.
        .check(|s| assert!(s.rendered("aws/us-east-1/outputs.json").is_file()))
        // Plan again: nothing to do, exit 0.
        .plans_no_changes()
        // Change a share and an instance type.
        .replan(|plan| {
            plan.regions(&[
                ("us-east-1", "0.6", "c7i.large"),
                ("eu-west-1", "0.2", "c7i.xlarge"),
                ("ap-northeast-1", "0.2", "c7i.large"),
            ])
        })
        .plan()
        .exits(2)
        .region_action_is("us-east-1", "update")
        .region_action_is("eu-west-1", "update")
        // us-east-1: share 0.5 → 0.6 raises MaxSize; eu-west-1 changes
        // instance type.
        .changes("us-east-1", "AutoScalingGroup", "MaxSize")
        .changes_from_to(
            "eu-west-1",
            "LaunchTemplate",
            "LaunchTemplateData.InstanceType",
            "c7i.large",
            "c7i.xlarge",
        )
        // Human output carries the summary line.
        .plan_table()
        .exits(2)
        .stdout_has("Plan: ")
        .stdout_has("to change")
        .stdout_has("LaunchTemplateData.InstanceType: \"c7i.large\" → \"c7i.xlarge\"")
        .apply()
        .plans_no_changes()
        // Destroy leaves nothing.
        .destroy()
        .no_stacks()
        // outputs exits 1 naming the regions without a stack, after
        // printing what it found (nothing).
        .run(&["outputs", "-e", "test", "--json"])
        .exits(1)
        .check_json(|out| {
            for (r, _, _) in THREE {
                assert!(out["regions"][r].is_null(), "{r}: {out}");
            }
            assert_eq!(out["error"]["code"], "outputs::missing_stack", "{out}");
        });
}

#[test]
fn saved_plan_applies_exactly_and_is_refused_once_stale() {
    Scenario::new("saved")
        .regions(TWO)
        .applied()
        // Save a plan for an instance type change, apply it: converges.
        .replan(|plan| {
            plan.regions(&[
                ("us-east-1", "0.6", "c7i.xlarge"),
                ("eu-west-1", "0.4", "c7i.large"),
            ])
        })
        .save_plan("plan.json")
        .check(|s| {
            let saved = s.saved_plan("plan.json");
            assert_eq!(saved["kind"], "streamscale-plan");
            assert_eq!(saved["regions"]["us-east-1"]["action"], "update");
            assert!(saved["regions"]["us-east-1"]["change_set"]["id"].is_string());
        })
        .apply_saved("plan.json")
        .plans_no_changes()
        // Save another, then someone updates the stack by hand (MaxSize 99):
        // refused.
        .replan(|plan| plan.regions(TWO))
        .save_plan("plan.json")
        .change(|aws| {
            aws.stack("us-east-1").update_template_by_hand(|t| {
                t["Resources"]["AutoScalingGroup"]["Properties"]["MaxSize"] = "99".into();
            })
        })
        .try_apply_saved("plan.json")
        .exits(1)
        .stderr_has("stale")
        .stderr_has("changed since")
        // A plan whose environment renders differently now is refused too.
        .save_plan("plan.json")
        .replan(|plan| {
            plan.regions(&[
                ("us-east-1", "0.5", "c7i.large"),
                ("eu-west-1", "0.5", "c7i.large"),
            ])
        })
        .try_apply_saved("plan.json")
        .exits(1)
        .stderr_has("renders differently")
        .destroy();
}

#[test]
fn region_flag_limits_plan_apply_and_destroy() {
    Scenario::new("limit")
        .regions(THREE)
        .build()
        .run(&["plan", "-e", "test", "--json", "--region", "eu-west-1"])
        .exits(0)
        .reports_only(&["eu-west-1"])
        .run(&["apply", "-e", "test", "--yes", "--region", "eu-west-1"])
        .exits(0)
        .stack_is("eu-west-1", "CREATE_COMPLETE")
        .no_stack_in("us-east-1")
        .no_stack_in("ap-northeast-1")
        .run(&["plan", "-e", "test", "--region", "mars-north-1"])
        .exits(1)
        .stderr_has("not in the plan")
        .run(&[
            "destroy",
            "-e",
            "test",
            "--yes",
            "--region",
            "eu-west-1",
            "--disable-deletion-protection",
        ])
        .exits(0)
        .no_stack_in("eu-west-1");
}

#[test]
fn a_stack_in_rollback_complete_is_replaced() {
    // A create that fails (a subnet in a VPC that does not exist) leaves
    // ROLLBACK_COMPLETE.
    let failing = r#"{"Resources": {"S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-12345678", "CidrBlock": "10.0.0.0/24"}}}}"#;
    Scenario::new("rollback")
        .regions(TWO)
        .build()
        .change(|aws| aws.stack("us-east-1").create_from_template(failing))
        .stack_is("us-east-1", "ROLLBACK_COMPLETE")
        .run(&["plan", "-e", "test", "--json"])
        .exits(0)
        .region_action_is("us-east-1", "replace-rolled-back")
        .apply()
        .stderr_has("ROLLBACK_COMPLETE")
        .stderr_has("create it again")
        .stack_is("us-east-1", "CREATE_COMPLETE")
        .plans_no_changes()
        .destroy();
}

#[test]
fn apply_without_yes_and_without_a_terminal_refuses() {
    Scenario::new("refuse")
        .regions(TWO)
        .build()
        .run(&["apply", "-e", "test"])
        .exits(1)
        .stderr_has("without --yes")
        // Nothing was created.
        .no_stack_in("us-east-1");
}

#[test]
fn an_endpoint_that_dies_mid_apply_fails_cleanly_and_the_next_apply_converges() {
    let mut dying = moto::Moto::start();
    let fresh = moto::Moto::start();
    let s = Scenario::new("dies").regions(THREE).on(&fresh).build();
    let mut child = s
        .project()
        .cmd(
            &dying,
            &["apply", "-e", "test", "--yes", "--max-parallel", "1"],
        )
        .env("AWS_MAX_ATTEMPTS", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn apply");
    // Wait until the apply has started changing stacks, then stop moto.
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        let started = line.contains("creating");
        seen.push(line);
        if started {
            break;
        }
    }
    dying.stop();
    let rest: Vec<String> = lines.map(|l| l.unwrap_or_default()).collect();
    let status = child.wait().expect("wait apply");
    let all = [seen, rest].concat().join("\n");
    assert_eq!(status.code(), Some(1), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    assert!(
        all.contains("cannot reach the AWS endpoint") || all.contains("FAILED"),
        "a clear message: {all}"
    );
    assert!(all.contains("apply failed in"), "a summary: {all}");

    // A new endpoint: the next apply converges.
    s.apply().plans_no_changes();
}

#[test]
fn templates_above_the_inline_limit_go_through_s3() {
    // Sixty daily events: 120 scheduled actions push the template past
    // CloudFormation's 51,200-byte inline limit (moto itself would accept it
    // inline; the tool must not rely on that).
    let events: String = (0..60)
        .map(|day| {
            format!(
                "[[events]]\nname = \"match-{day}\"\nstarts_at = \"2027-0{}-{:02}T18:00:00Z\"\nduration_minutes = 120\nexpected_concurrent_users = 15000\n\n",
                3 + day / 28,
                1 + day % 28
            )
        })
        .collect();
    Scenario::new("big")
        .regions(TWO)
        .plan_extra("[aws]\ntemplate_bucket = \"streamscale-big-templates\"\n")
        .plan_extra(&events)
        .build()
        .render()
        .check(|s| {
            let template = s.rendered("aws/us-east-1/template.json");
            let size = std::fs::metadata(&template)
                .unwrap_or_else(|e| panic!("{}: {e}", template.display()))
                .len();
            assert!(
                size > 51_200,
                "the test template must exceed the inline limit: {size} bytes"
            );
        })
        .apply()
        .plans_no_changes()
        .check_live(|aws| {
            let keys = aws.bucket_keys("us-east-1", "streamscale-big-templates");
            for region in ["us-east-1", "eu-west-1"] {
                assert!(
                    keys.iter()
                        .any(|k| k.starts_with(&format!("big-test/{region}/"))),
                    "{keys:?}"
                );
            }
        })
        .destroy();
}

#[test]
fn a_failing_canary_stops_the_rollout_and_names_the_failing_resource() {
    // eu-west-1 is the canary, and its HTTPS listener names a certificate
    // that does not exist: its create fails and rolls back.
    let bad_cert =
        "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    // Deletion protection off: with it on, AWS's rollback cannot delete the
    // protected load balancer and the stack ends ROLLBACK_FAILED (the
    // harness refuses the same way, docs/moto.md); this test is about the
    // canary.
    Scenario::new("canary")
        .regions(THREE)
        .plan_extra("[deploy]\ncanary = [\"eu-west-1\"]\n\n[aws]\ndeletion_protection = false\n")
        .region_setting("eu-west-1", &format!("certificate_arn = \"{bad_cert}\""))
        .build()
        .try_apply()
        .exits(1)
        .stderr_has("eu-west-1  FAILED")
        // The failing resource is named.
        .stderr_has("HttpsListener")
        // The other regions were not started.
        .stderr_has("us-east-1  skipped")
        .stderr_has("ap-northeast-1  skipped")
        .no_stack_in("us-east-1")
        .no_stack_in("ap-northeast-1")
        .stack_is("eu-west-1", "ROLLBACK_COMPLETE")
        // Without the bad certificate, the next apply replaces the
        // rolled-back stack and creates the others.
        .replan(|plan| plan.without_region_settings())
        .apply()
        .stacks_are("CREATE_COMPLETE")
        .destroy();
}
