//! `drift` against moto: clean right after apply on every example
//! environment; each change made out of band through the SDK is found,
//! exactly, with the right expected and actual values and severity; `plan`
//! shows its repair; `apply` repairs it; drift is clean again. Plus the
//! `--json` document, `--detailed-exitcode`, `--region` and `report --live`.
//!
//! One moto for this binary; each test has its own plan name, so its stacks
//! are its own. Each test is a scenario (tests/support/scenario.rs).

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use scenario::{CUP_FINAL, Scenario, TWO};
use serde_json::{Value, json};

#[test]
fn clean_right_after_apply_on_every_example_environment() {
    let mut s = Scenario::examples();
    for (env, regions) in [("demo", 2), ("staging", 3), ("prod", 7)] {
        s = s
            .environment(env)
            .apply()
            .drift()
            .exits(0)
            .check_json(|doc| {
                let rs = doc["regions"].as_object().expect("regions");
                assert_eq!(rs.len(), regions, "{env}");
                for (r, v) in rs {
                    assert_eq!(v["status"], "clean", "{env} {r}: {v:#}");
                    assert_eq!(v["findings"], json!([]), "{env} {r}");
                    // CloudFormation's drift detection ran too (the harness
                    // has it) and agrees: in sync, and both sources are named.
                    assert_eq!(v["cloudformation_drift"]["supported"], true, "{v:#}");
                    assert_eq!(v["cloudformation_drift"]["stack_drift_status"], "IN_SYNC");
                    assert_eq!(v["sources"], json!(["streamscale", "cloudformation"]));
                    // What is not compared is listed, with a reason.
                    let nc = v["not_checked"].as_array().expect("not_checked");
                    assert!(nc.iter().any(|n| n["type"] == "AWS::EC2::VPC"), "{env} {r}");
                    assert!(
                        nc.iter()
                            .all(|n| !n["reason"].as_str().unwrap_or_default().is_empty())
                    );
                    assert!(
                        !nc.iter().any(|n| n["logical_id"] == "AutoScalingGroup"
                            || n["logical_id"] == "CacheReplicationGroup"),
                        "{env} {r}: compared resources are not 'not checked'"
                    );
                }
                assert_eq!(doc["summary"]["findings"], 0);
            })
            // No perma-diff: plan has nothing to do either.
            .plans_no_changes();
    }
}

#[test]
fn max_size_lowered_is_found_and_repaired() {
    let s = Scenario::new("dr-max").regions(TWO).applied();
    let max = s.aws().asg("us-east-1").max_size();
    s.change(|aws| aws.asg("us-east-1").set_max_size(max - 10))
        .drift()
        .finds_one("AutoScalingGroup", "MaxSize", max, max - 10)
        .in_region("us-east-1")
        .naming_its_physical_id()
        .with_severity("capacity")
        // The human table says the same.
        .drift_table()
        .exits(2)
        .stdout_has("MaxSize")
        .stdout_has("Drift in 1 of 2 regions")
        .plan()
        .repairs("AutoScalingGroup", "MaxSize")
        .plan_table()
        .exits(2)
        .stdout_has(&format!("MaxSize (drift): {} → {}", max - 10, max))
        .apply()
        .stderr_has("drift repair")
        .is_clean();
}

#[test]
fn a_saved_plan_repairs_the_same_way() {
    Scenario::new("dr-saved")
        .regions(TWO)
        .event(CUP_FINAL)
        .applied()
        .change(|aws| {
            let asg = aws.asg("us-east-1");
            asg.set_max_size(30);
            asg.delete_scheduled_action("ReleaseCupFinal");
        })
        .drift()
        .finds_in(
            "us-east-1",
            &[("AutoScalingGroup", "MaxSize"), ("ReleaseCupFinal", "")],
        )
        .save_plan("repair.plan.json")
        .apply_saved("repair.plan.json")
        .is_clean();
}

#[test]
fn min_size_raised_is_found_and_repaired() {
    let s = Scenario::new("dr-min").regions(TWO).applied();
    let min = s.aws().asg("eu-west-1").min_size();
    // Raising MinSize raises DesiredCapacity with it: that stays inside
    // [MinSize, MaxSize] of the plan, so it is not a second finding.
    s.change(|aws| aws.asg("eu-west-1").set_min_size(min + 5))
        .drift()
        .finds_one("AutoScalingGroup", "MinSize", min, min + 5)
        .in_region("eu-west-1")
        .with_severity("capacity")
        .plan()
        .repairs("AutoScalingGroup", "MinSize")
        .apply()
        .is_clean();
}

#[test]
fn a_deleted_prewarm_is_found_and_created_again() {
    let s = Scenario::new("dr-prewarm")
        .regions(TWO)
        .event(CUP_FINAL)
        .applied();
    let prewarm_min = s
        .aws()
        .asg("us-east-1")
        .scheduled_action("PrewarmCupFinal")
        .and_then(|a| a.min_size)
        .expect("the pre-warm action exists after apply, with a MinSize");
    s.change(|aws| {
        aws.asg("us-east-1")
            .delete_scheduled_action("PrewarmCupFinal")
    })
    .drift()
    .finds_one("PrewarmCupFinal", "", "exists", "deleted")
    .in_region("us-east-1")
    .naming_its_physical_id()
    .with_severity("capacity")
    .plan()
    .exits(2)
    .resource_action_is("us-east-1", "PrewarmCupFinal", "create")
    .apply()
    // Created again (under the stack's new physical id), with the plan's size.
    .check_live(|aws| {
        let again = aws.asg("us-east-1").scheduled_action("PrewarmCupFinal");
        assert_eq!(again.and_then(|a| a.min_size), Some(prewarm_min));
    })
    .is_clean();
}

#[test]
fn a_new_default_launch_template_version_with_another_type_is_found_and_repaired() {
    Scenario::new("dr-lt")
        .regions(TWO)
        .applied()
        .change(|aws| {
            let version = aws
                .launch_template("eu-west-1")
                .make_default_a_version_with("c7i.2xlarge");
            assert_eq!(version, 2);
        })
        .drift()
        .finds_one(
            "LaunchTemplate",
            "LaunchTemplateData.InstanceType",
            "c7i.large",
            "c7i.2xlarge",
        )
        .in_region("eu-west-1")
        .naming_its_physical_id()
        .with_severity("capacity")
        .with_note("version 2")
        .plan()
        .repairs("LaunchTemplate", "LaunchTemplateData.InstanceType")
        .apply()
        .stderr_has("default version set to")
        // The latest and the default version carry the plan's type again
        // (and keep IMDSv2), and the group launches it.
        .check_live(|aws| {
            let lt = aws.launch_template("eu-west-1");
            let (default, latest) = lt.default_and_latest_version();
            assert_eq!(default, latest);
            let data = lt.default_version();
            assert_eq!(data.instance_type.as_deref(), Some("c7i.large"));
            assert_eq!(data.http_tokens.as_deref(), Some("required"));
        })
        .is_clean();
}

#[test]
fn ssh_opened_to_the_world_is_a_security_finding_and_is_revoked() {
    let ssh = json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"});
    Scenario::new("dr-ssh")
        .regions(TWO)
        .applied()
        .change(|aws| {
            aws.instance_security_group("us-east-1")
                .open("tcp", 22, "0.0.0.0/0")
        })
        .drift()
        .finds_one(
            "InstanceSecurityGroup",
            "SecurityGroupIngress",
            Value::Null,
            ssh,
        )
        .in_region("us-east-1")
        .naming_its_physical_id()
        .with_severity("security")
        .plan()
        .repairs("InstanceSecurityGroup", "SecurityGroupIngress")
        .apply()
        // Revoked, in place: the same group, its declared rule kept.
        .repaired_in_place()
        .check_live(|aws| {
            let rules = aws.instance_security_group("us-east-1").ingress();
            assert_eq!(rules.len(), 1, "{rules:?}");
            assert_eq!(rules[0].from_port, Some(80));
        })
        .is_clean();
}

#[test]
fn a_deleted_stack_is_missing_in_its_region_only_and_apply_creates_it() {
    // Deletion protection off: a protected load balancer cannot be deleted
    // (AWS and the harness refuse, and the stack delete ends DELETE_FAILED).
    Scenario::new("dr-gone")
        .regions(TWO)
        .plan_extra("[aws]\ndeletion_protection = false\n")
        .applied()
        .change(|aws| aws.stack("eu-west-1").delete())
        .drift()
        .region_is_clean("us-east-1")
        .finds_stack_missing_in("eu-west-1")
        // --region limits the check: us-east-1 alone is clean (exit 0).
        .drift_with(&["--region", "us-east-1"])
        .exits(0)
        .reports_only(&["us-east-1"])
        // Without --detailed-exitcode drift is still a success.
        .run(&["drift", "-e", "test"])
        .exits(0)
        .run(&["plan", "-e", "test", "--json"])
        .exits(0)
        .region_action_is("eu-west-1", "create")
        .apply()
        .is_clean();
}

#[test]
fn usage_and_endpoint_errors_exit_1() {
    let drift_json = ["drift", "-e", "test", "--json", "--detailed-exitcode"];
    Scenario::new("dr-errors")
        .regions(TWO)
        .build()
        // An unknown region: a usage error, and under --json only the
        // error document on stdout.
        .run(&[&drift_json[..], &["--region", "mars-1"]].concat())
        .exits(1)
        .check_json(|doc| {
            assert_eq!(doc["error"]["code"], "usage", "{doc}");
            assert!(doc.get("regions").is_none(), "{doc}");
        })
        // An endpoint that does not answer: exit 1 even with
        // --detailed-exitcode, after the document says which region failed.
        .run_with_env(
            &drift_json,
            &[
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
                ("AWS_MAX_ATTEMPTS", "1"),
            ],
        )
        .exits(1)
        .region_is("us-east-1", "error")
        .check_json(|doc| {
            let error = doc["regions"]["us-east-1"]["error"]
                .as_str()
                .unwrap_or_default();
            assert!(error.contains("cannot reach"), "{error}");
            assert_eq!(doc["summary"]["regions_error"], 2);
            // The one document carries the command's error too.
            assert_eq!(doc["error"]["code"], "usage", "{doc}");
        })
        // No stacks at all: missing everywhere, exit 2.
        .drift()
        .exits(2)
        .region_is("us-east-1", "missing")
        .region_is("eu-west-1", "missing");
}

#[test]
fn a_removed_cache_replica_is_found_and_the_plan_says_how_to_add_it_back() {
    Scenario::new("dr-cache")
        .regions(TWO)
        .plan_extra(
            "[cache]\nengine = \"redis\"\nnode_type = \"cache.r7g.large\"\nshards = 1\nreplicas_per_shard = 2\n",
        )
        .applied()
        .change(|aws| aws.cache("us-east-1").decrease_replicas_to(1))
        .drift()
        .finds_one("CacheReplicationGroup", "ReplicasPerNodeGroup", 2, 1)
        .in_region("us-east-1")
        // CloudFormation would replace the replication group: the plan says
        // what to do instead of planning it.
        .run(&["plan", "-e", "test", "--json"])
        .exits(0)
        .notes_mention("us-east-1", "increase-replica-count");
}

#[test]
fn report_live_reads_instances_quotas_and_the_drift_headline() {
    Scenario::new("dr-report")
        .regions(TWO)
        .applied()
        .run(&[
            "report",
            "-e",
            "test",
            "--live",
            "--format",
            "json",
            "--as-of",
            "2026-12-01",
        ])
        .exits(0)
        .check_json(|doc| {
            let live = &doc["live"];
            for r in ["us-east-1", "eu-west-1"] {
                let n = live["regions"][r]["instances"].as_u64().expect("instances");
                assert_eq!(
                    json!(n),
                    live["regions"][r]["expected_min"],
                    "{r}: moto runs MinSize instances, all InService"
                );
                assert_eq!(live["regions"][r]["below_min"], false);
            }
            let summary = live["drift_summary"].as_str().unwrap_or_default();
            assert!(summary.starts_with("No drift"), "{summary}");
            // moto's Service Quotas has no L-1216C47A: the plan's quota is
            // used, with a note.
            assert!(summary.contains("L-1216C47A"), "{summary}");
        });
}
