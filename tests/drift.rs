//! `drift` against moto: clean right after apply on every example
//! environment; each change made out of band through the SDK is found,
//! exactly, with the right expected and actual values and severity; `plan`
//! shows its repair; `apply` repairs it; drift is clean again. Plus the
//! `--json` document, `--detailed-exitcode`, `--region` and `report --live`.
//!
//! One moto for this binary; each test has its own plan name, so its stacks
//! are its own.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use project::{Project, runtime, sdk};
use serde_json::{Value, json};

fn shared() -> &'static moto::Moto {
    static MOTO: OnceLock<moto::Moto> = OnceLock::new();
    MOTO.get_or_init(moto::Moto::start)
}

const TWO: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

/// One event, so that the stacks have pre-warm/release scheduled actions.
const EVENT: &str = r#"
[[events]]
name = "cup-final"
starts_at = "2027-06-01T18:00:00Z"
duration_minutes = 120
prewarm_minutes = 30
expected_concurrent_users = 15000
"#;

/// Logical id → physical id of a stack.
fn physical_ids(moto: &moto::Moto, region: &str, stack: &str) -> BTreeMap<String, String> {
    let cf = aws_sdk_cloudformation::Client::new(&sdk(moto, region));
    runtime().block_on(async {
        let out = cf
            .list_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .expect("ListStackResources");
        out.stack_resource_summaries()
            .iter()
            .filter_map(|r| {
                Some((
                    r.logical_resource_id()?.to_string(),
                    r.physical_resource_id()?.to_string(),
                ))
            })
            .collect()
    })
}

fn drift_json(p: &Project, moto: &moto::Moto, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["drift", "-e", "test", "--json", "--detailed-exitcode"];
    args.extend_from_slice(extra);
    let doc = p.json(moto, &args, code);
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["command"], "drift");
    doc
}

fn findings(doc: &Value, region: &str) -> Vec<Value> {
    doc["regions"][region]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Assert the document has exactly one finding (in `region`, none
/// elsewhere) and return it.
fn only_finding(doc: &Value, region: &str) -> Value {
    let mut all = Vec::new();
    for (r, v) in doc["regions"].as_object().unwrap() {
        for f in v["findings"].as_array().unwrap() {
            all.push((r.clone(), f.clone()));
        }
    }
    assert_eq!(
        all.len(),
        1,
        "exactly one finding expected: {}",
        serde_json::to_string_pretty(&doc["regions"]).unwrap()
    );
    assert_eq!(all[0].0, region);
    assert_eq!(doc["regions"][region]["status"], "drifted");
    assert_eq!(doc["summary"]["findings"], 1);
    assert_eq!(doc["summary"]["regions_drifted"], 1);
    all[0].1.clone()
}

/// Everything clean: drift exit 0, every region clean, plan without changes.
fn assert_clean(p: &Project, moto: &moto::Moto) {
    let doc = drift_json(p, moto, &[], 0);
    for (r, v) in doc["regions"].as_object().unwrap() {
        assert_eq!(v["status"], "clean", "{r}: {v:#}");
        assert_eq!(v["findings"], json!([]), "{r}");
    }
    assert_eq!(doc["drift"], false);
    assert_eq!(doc["summary"]["findings"], 0);
    let (stdout, _) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");
}

/// Plan shows the repair of `logical_id` with the drifted path, live → plan.
fn assert_plan_repairs(
    p: &Project,
    moto: &moto::Moto,
    region: &str,
    logical_id: &str,
    path: &str,
    before: &Value,
    after: &Value,
) {
    let plan = p.json(
        moto,
        &["plan", "-e", "test", "--json", "--detailed-exitcode"],
        2,
    );
    // A stack update, or (for what CloudFormation cannot see) calls to
    // the service API alone.
    let action = plan["regions"][region]["action"].as_str().unwrap_or_default();
    assert!(["update", "repair-only"].contains(&action), "{plan:#}");
    let change = plan["regions"][region]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == logical_id)
        .unwrap_or_else(|| panic!("no change of {logical_id}: {plan:#}"))
        .clone();
    let prop = change["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| {
            let p = x["path"].as_str().unwrap_or_default();
            p == format!("{path} (drift)")
                || p == format!("{path} (drift, repaired through the service API)")
        })
        .unwrap_or_else(|| panic!("no drift repair of {path}: {change:#}"))
        .clone();
    assert_eq!(&prop["before"], before, "{prop:#}");
    assert_eq!(&prop["after"], after, "{prop:#}");
    let notes = plan["regions"][region]["notes"].to_string();
    assert!(notes.contains("drift repair"), "{notes}");
}

fn apply(p: &Project, moto: &moto::Moto) -> String {
    let (_, stderr) = p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    stderr
}

#[test]
fn clean_right_after_apply_on_every_example_environment() {
    let moto = shared();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("environments");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("environments")).unwrap();
    for f in std::fs::read_dir(&root).unwrap().flatten() {
        std::fs::copy(
            f.path(),
            dir.path().join("environments").join(f.file_name()),
        )
        .unwrap();
    }
    let run = |args: &[&str], code: i32| -> String {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_streamscale"));
        moto.apply_env(&mut c);
        let out = c
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    for (env, regions) in [("demo", 2), ("staging", 3), ("prod", 7)] {
        run(&["apply", "-e", env, "--yes"], 0);
        let doc: Value = serde_json::from_str(&run(
            &["drift", "-e", env, "--json", "--detailed-exitcode"],
            0,
        ))
        .unwrap();
        let rs = doc["regions"].as_object().unwrap();
        assert_eq!(rs.len(), regions, "{env}");
        for (r, v) in rs {
            assert_eq!(v["status"], "clean", "{env} {r}: {v:#}");
            assert_eq!(v["findings"], json!([]), "{env} {r}");
            // CloudFormation's drift detection ran too (the harness has it)
            // and agrees: in sync, and both sources are named.
            assert_eq!(v["cloudformation_drift"]["supported"], true, "{v:#}");
            assert_eq!(v["cloudformation_drift"]["stack_drift_status"], "IN_SYNC");
            assert_eq!(v["sources"], json!(["streamscale", "cloudformation"]));
            // What is not compared is listed, with a reason.
            let nc = v["not_checked"].as_array().unwrap();
            assert!(nc.iter().any(|n| n["type"] == "AWS::EC2::VPC"), "{env} {r}");
            assert!(nc.iter().all(|n| !n["reason"].as_str().unwrap().is_empty()));
            assert!(
                !nc.iter().any(|n| n["logical_id"] == "AutoScalingGroup"
                    || n["logical_id"] == "CacheReplicationGroup"),
                "{env} {r}: compared resources are not 'not checked'"
            );
        }
        assert_eq!(doc["summary"]["findings"], 0);
        // No perma-diff: plan has nothing to do either.
        let stdout = run(&["plan", "-e", env, "--detailed-exitcode"], 0);
        assert!(stdout.contains("No changes."), "{env}: {stdout}");
    }
}

#[test]
fn max_size_lowered_is_found_and_repaired() {
    let moto = shared();
    let p = Project::new("dr-max", TWO, "");
    apply(&p, moto);
    let ids = physical_ids(moto, "us-east-1", &p.stack());
    let asg = aws_sdk_autoscaling::Client::new(&sdk(moto, "us-east-1"));
    let name = ids["AutoScalingGroup"].clone();
    let max = runtime().block_on(async {
        let g = asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(&name)
            .send()
            .await
            .unwrap();
        let max = g.auto_scaling_groups()[0].max_size().unwrap();
        asg.update_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .max_size(max - 10)
            .send()
            .await
            .unwrap();
        max
    });

    let doc = drift_json(&p, moto, &[], 2);
    let f = only_finding(&doc, "us-east-1");
    assert_eq!(f["logical_id"], "AutoScalingGroup");
    assert_eq!(f["physical_id"], name.as_str());
    assert_eq!(f["path"], "MaxSize");
    assert_eq!(f["expected"], json!(max));
    assert_eq!(f["actual"], json!(max - 10));
    assert_eq!(f["severity"], "capacity");
    assert_eq!(f["region"], "us-east-1");
    assert_eq!(doc["summary"]["by_severity"]["capacity"], 1);

    // The human table says the same.
    let (stdout, _) = p.expect(moto, &["drift", "-e", "test", "--detailed-exitcode"], 2);
    assert!(stdout.contains("MaxSize"), "{stdout}");
    assert!(stdout.contains("Drift in 1 of 2 regions"), "{stdout}");

    assert_plan_repairs(
        &p,
        moto,
        "us-east-1",
        "AutoScalingGroup",
        "MaxSize",
        &json!(max - 10),
        &json!(max),
    );
    let (stdout, _) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 2);
    assert!(
        stdout.contains(&format!("MaxSize (drift): {} → {}", max - 10, max)),
        "{stdout}"
    );
    let stderr = apply(&p, moto);
    assert!(stderr.contains("drift repair"), "{stderr}");
    assert_clean(&p, moto);
}

#[test]
fn a_saved_plan_repairs_the_same_way() {
    let moto = shared();
    let p = Project::new("dr-saved", TWO, EVENT);
    apply(&p, moto);
    let ids = physical_ids(moto, "us-east-1", &p.stack());
    let asg = aws_sdk_autoscaling::Client::new(&sdk(moto, "us-east-1"));
    runtime().block_on(async {
        asg.update_auto_scaling_group()
            .auto_scaling_group_name(&ids["AutoScalingGroup"])
            .max_size(30)
            .send()
            .await
            .unwrap();
        asg.delete_scheduled_action()
            .auto_scaling_group_name(&ids["AutoScalingGroup"])
            .scheduled_action_name(&ids["ReleaseCupFinal"])
            .send()
            .await
            .unwrap();
    });
    let doc = drift_json(&p, moto, &[], 2);
    let paths: Vec<(String, String)> = findings(&doc, "us-east-1")
        .iter()
        .map(|f| {
            (
                f["logical_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            ("AutoScalingGroup".to_string(), "MaxSize".to_string()),
            ("ReleaseCupFinal".to_string(), String::new())
        ]
    );
    let file = p.path().join("repair.plan.json");
    p.expect(
        moto,
        &["plan", "-e", "test", "--out", file.to_str().unwrap()],
        0,
    );
    p.expect(
        moto,
        &["apply", "-e", "test", file.to_str().unwrap(), "--yes"],
        0,
    );
    assert_clean(&p, moto);
}

#[test]
fn min_size_raised_is_found_and_repaired() {
    let moto = shared();
    let p = Project::new("dr-min", TWO, "");
    apply(&p, moto);
    let ids = physical_ids(moto, "eu-west-1", &p.stack());
    let asg = aws_sdk_autoscaling::Client::new(&sdk(moto, "eu-west-1"));
    let name = ids["AutoScalingGroup"].clone();
    let min = runtime().block_on(async {
        let g = asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(&name)
            .send()
            .await
            .unwrap();
        let min = g.auto_scaling_groups()[0].min_size().unwrap();
        asg.update_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .min_size(min + 5)
            .send()
            .await
            .unwrap();
        min
    });
    // Raising MinSize raises DesiredCapacity with it: that stays inside
    // [MinSize, MaxSize] of the plan, so it is not a second finding.
    let f = only_finding(&drift_json(&p, moto, &[], 2), "eu-west-1");
    assert_eq!(
        (&f["path"], &f["expected"], &f["actual"], &f["severity"]),
        (
            &json!("MinSize"),
            &json!(min),
            &json!(min + 5),
            &json!("capacity")
        )
    );
    assert_plan_repairs(
        &p,
        moto,
        "eu-west-1",
        "AutoScalingGroup",
        "MinSize",
        &json!(min + 5),
        &json!(min),
    );
    apply(&p, moto);
    assert_clean(&p, moto);
}

#[test]
fn a_deleted_prewarm_is_found_and_created_again() {
    let moto = shared();
    let p = Project::new("dr-prewarm", TWO, EVENT);
    apply(&p, moto);
    let ids = physical_ids(moto, "us-east-1", &p.stack());
    let action = ids["PrewarmCupFinal"].clone();
    let asg = aws_sdk_autoscaling::Client::new(&sdk(moto, "us-east-1"));
    let list_actions = || {
        runtime().block_on(async {
            asg.describe_scheduled_actions()
                .auto_scaling_group_name(&ids["AutoScalingGroup"])
                .send()
                .await
                .unwrap()
                .scheduled_update_group_actions()
                .iter()
                .map(|a| {
                    (
                        a.scheduled_action_name().unwrap_or_default().to_string(),
                        a.min_size(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let prewarm_min = list_actions()
        .iter()
        .find(|(n, _)| n == &action)
        .and_then(|(_, m)| *m)
        .expect("the pre-warm action exists after apply");
    runtime().block_on(async {
        asg.delete_scheduled_action()
            .auto_scaling_group_name(&ids["AutoScalingGroup"])
            .scheduled_action_name(&action)
            .send()
            .await
            .unwrap();
    });
    let f = only_finding(&drift_json(&p, moto, &[], 2), "us-east-1");
    assert_eq!(f["logical_id"], "PrewarmCupFinal");
    assert_eq!(f["physical_id"], action.as_str());
    assert_eq!(f["path"], "");
    assert_eq!(f["expected"], "exists");
    assert_eq!(f["actual"], "deleted");
    assert_eq!(f["severity"], "capacity");

    let plan = p.json(
        moto,
        &["plan", "-e", "test", "--json", "--detailed-exitcode"],
        2,
    );
    let change = plan["regions"]["us-east-1"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == "PrewarmCupFinal")
        .cloned()
        .expect("the pre-warm is planned");
    assert_eq!(change["action"], "create");
    apply(&p, moto);
    // Created again (a new physical id), with the plan's size.
    let after = list_actions();
    let new_id = physical_ids(moto, "us-east-1", &p.stack())["PrewarmCupFinal"].clone();
    assert!(
        after
            .iter()
            .any(|(n, m)| n == &new_id && *m == Some(prewarm_min)),
        "{after:?}"
    );
    assert_clean(&p, moto);
}

#[test]
fn a_new_default_launch_template_version_with_another_type_is_found_and_repaired() {
    let moto = shared();
    let p = Project::new("dr-lt", TWO, "");
    apply(&p, moto);
    let ids = physical_ids(moto, "eu-west-1", &p.stack());
    let lt = ids["LaunchTemplate"].clone();
    let ec2 = aws_sdk_ec2::Client::new(&sdk(moto, "eu-west-1"));
    runtime().block_on(async {
        let v = ec2
            .create_launch_template_version()
            .launch_template_id(&lt)
            .source_version("1")
            .launch_template_data(
                aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                    .instance_type(aws_sdk_ec2::types::InstanceType::from("c7i.2xlarge"))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let n = v
            .launch_template_version()
            .unwrap()
            .version_number()
            .unwrap();
        ec2.modify_launch_template()
            .launch_template_id(&lt)
            .default_version(n.to_string())
            .send()
            .await
            .unwrap();
    });
    let f = only_finding(&drift_json(&p, moto, &[], 2), "eu-west-1");
    assert_eq!(f["logical_id"], "LaunchTemplate");
    assert_eq!(f["physical_id"], lt.as_str());
    assert_eq!(f["path"], "LaunchTemplateData.InstanceType");
    assert_eq!(f["expected"], "c7i.large");
    assert_eq!(f["actual"], "c7i.2xlarge");
    assert_eq!(f["severity"], "capacity");
    assert!(f["note"].as_str().unwrap().contains("version 2"), "{f}");

    assert_plan_repairs(
        &p,
        moto,
        "eu-west-1",
        "LaunchTemplate",
        "LaunchTemplateData.InstanceType",
        &json!("c7i.2xlarge"),
        &json!("c7i.large"),
    );
    let stderr = apply(&p, moto);
    assert!(stderr.contains("default version set to"), "{stderr}");
    // The latest and the default version carry the plan's type again, and
    // the group launches it.
    runtime().block_on(async {
        let t = ec2
            .describe_launch_templates()
            .launch_template_ids(&lt)
            .send()
            .await
            .unwrap();
        let t = &t.launch_templates()[0];
        assert_eq!(t.default_version_number(), t.latest_version_number());
        let v = ec2
            .describe_launch_template_versions()
            .launch_template_id(&lt)
            .versions("$Default")
            .send()
            .await
            .unwrap();
        let data = v.launch_template_versions()[0]
            .launch_template_data()
            .unwrap();
        assert_eq!(data.instance_type().map(|t| t.as_str()), Some("c7i.large"));
        assert_eq!(
            data.metadata_options()
                .and_then(|m| m.http_tokens())
                .map(|t| t.as_str()),
            Some("required")
        );
    });
    assert_clean(&p, moto);
}

#[test]
fn ssh_opened_to_the_world_is_a_security_finding_and_is_revoked() {
    let moto = shared();
    let p = Project::new("dr-ssh", TWO, "");
    apply(&p, moto);
    let ids = physical_ids(moto, "us-east-1", &p.stack());
    let sg = ids["InstanceSecurityGroup"].clone();
    let ec2 = aws_sdk_ec2::Client::new(&sdk(moto, "us-east-1"));
    let ssh = aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(
            aws_sdk_ec2::types::IpRange::builder()
                .cidr_ip("0.0.0.0/0")
                .build(),
        )
        .build();
    runtime().block_on(async {
        ec2.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(ssh)
            .send()
            .await
            .unwrap();
    });
    let f = only_finding(&drift_json(&p, moto, &[], 2), "us-east-1");
    assert_eq!(f["logical_id"], "InstanceSecurityGroup");
    assert_eq!(f["physical_id"], sg.as_str());
    assert_eq!(f["path"], "SecurityGroupIngress");
    assert_eq!(f["expected"], Value::Null);
    assert_eq!(
        f["actual"],
        json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"})
    );
    assert_eq!(f["severity"], "security");
    assert_plan_repairs(
        &p,
        moto,
        "us-east-1",
        "InstanceSecurityGroup",
        "SecurityGroupIngress",
        &json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}),
        &Value::Null,
    );
    apply(&p, moto);
    // Revoked, in place: the same group, its declared rule kept.
    let after = physical_ids(moto, "us-east-1", &p.stack());
    assert_eq!(after["InstanceSecurityGroup"], sg);
    runtime().block_on(async {
        let g = ec2
            .describe_security_groups()
            .group_ids(&sg)
            .send()
            .await
            .unwrap();
        let perms = g.security_groups()[0].ip_permissions();
        assert_eq!(perms.len(), 1, "{perms:?}");
        assert_eq!(perms[0].from_port(), Some(80));
    });
    assert_clean(&p, moto);
}

#[test]
fn a_deleted_stack_is_missing_in_its_region_only_and_apply_creates_it() {
    let moto = shared();
    let p = Project::new("dr-gone", TWO, "");
    apply(&p, moto);
    let cf = aws_sdk_cloudformation::Client::new(&sdk(moto, "eu-west-1"));
    runtime().block_on(async {
        cf.delete_stack()
            .stack_name(p.stack())
            .send()
            .await
            .unwrap();
    });
    let doc = drift_json(&p, moto, &[], 2);
    assert_eq!(doc["regions"]["us-east-1"]["status"], "clean");
    assert_eq!(doc["regions"]["eu-west-1"]["status"], "missing");
    assert_eq!(findings(&doc, "us-east-1"), Vec::<Value>::new());
    assert_eq!(findings(&doc, "eu-west-1").len(), 1);
    let f = &findings(&doc, "eu-west-1")[0];
    assert_eq!(f["logical_id"], p.stack());
    assert_eq!(f["resource_type"], "AWS::CloudFormation::Stack");
    assert_eq!(f["expected"], "exists");
    assert_eq!(f["actual"], "missing");
    assert_eq!(f["severity"], "capacity");
    assert_eq!(doc["summary"]["regions_drifted"], 1);

    // --region limits the check: us-east-1 alone is clean (exit 0).
    let only = drift_json(&p, moto, &["--region", "us-east-1"], 0);
    assert_eq!(
        only["regions"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["us-east-1"]
    );
    // Without --detailed-exitcode drift is still a success.
    p.expect(moto, &["drift", "-e", "test"], 0);

    let plan = p.json(moto, &["plan", "-e", "test", "--json"], 0);
    assert_eq!(plan["regions"]["eu-west-1"]["action"], "create");
    apply(&p, moto);
    assert_clean(&p, moto);
}

#[test]
fn usage_and_endpoint_errors_exit_1() {
    let moto = shared();
    let p = Project::new("dr-errors", TWO, "");
    // An unknown region: a usage error, nothing on stdout.
    let out = p.run(
        moto,
        &[
            "drift",
            "-e",
            "test",
            "--json",
            "--detailed-exitcode",
            "--region",
            "mars-1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // An endpoint that does not answer: exit 1 even with --detailed-exitcode,
    // after the document says which region failed.
    let mut c = p.cmd(
        moto,
        &["drift", "-e", "test", "--json", "--detailed-exitcode"],
    );
    c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("the document is still printed");
    assert_eq!(doc["regions"]["us-east-1"]["status"], "error");
    assert!(
        doc["regions"]["us-east-1"]["error"]
            .as_str()
            .unwrap()
            .contains("cannot reach")
    );
    assert_eq!(doc["summary"]["regions_error"], 2);
    // No stacks at all: missing everywhere, exit 2.
    let doc = drift_json(&p, moto, &[], 2);
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(doc["regions"][r]["status"], "missing");
    }
}

#[test]
fn a_removed_cache_replica_is_found_if_moto_can_remove_one() {
    let moto = shared();
    let p = Project::new(
        "dr-cache",
        TWO,
        "[cache]\nengine = \"redis\"\nnode_type = \"cache.r7g.large\"\nshards = 1\nreplicas_per_shard = 2\n",
    );
    apply(&p, moto);
    let ids = physical_ids(moto, "us-east-1", &p.stack());
    let ec = aws_sdk_elasticache::Client::new(&sdk(moto, "us-east-1"));
    let once = aws_sdk_elasticache::config::Builder::default()
        .retry_config(aws_smithy_types::retry::RetryConfig::disabled());
    let removed = runtime().block_on(async {
        ec.decrease_replica_count()
            .replication_group_id(&ids["CacheReplicationGroup"])
            .new_replica_count(1)
            .apply_immediately(true)
            .customize()
            .config_override(once)
            .send()
            .await
    });
    if let Err(e) = removed {
        // moto 5.2.5 answers DecreaseReplicaCount with an HTTP 500 (not
        // implemented); anything else is a real failure. The comparison is
        // unit-tested in engine::drift (cache_replicas_are_counted_per_node_group).
        let status = e.raw_response().map(|r| r.status().as_u16());
        assert_eq!(status, Some(500), "DecreaseReplicaCount failed: {e:?}");
        eprintln!("moto has no DecreaseReplicaCount: the live part of this test is skipped");
        assert_clean(&p, moto);
        return;
    }
    let f = only_finding(&drift_json(&p, moto, &[], 2), "us-east-1");
    assert_eq!(
        (&f["path"], &f["expected"], &f["actual"]),
        (&json!("ReplicasPerNodeGroup"), &json!(2), &json!(1))
    );
    // CloudFormation would replace the replication group: the plan says
    // what to do instead of planning it.
    let plan = p.json(moto, &["plan", "-e", "test", "--json"], 0);
    assert!(
        plan["regions"]["us-east-1"]["notes"]
            .to_string()
            .contains("increase-replica-count")
    );
}

#[test]
fn report_live_reads_instances_quotas_and_the_drift_headline() {
    let moto = shared();
    let p = Project::new("dr-report", TWO, "");
    apply(&p, moto);
    let doc = p.json(
        moto,
        &[
            "report",
            "-e",
            "test",
            "--live",
            "--format",
            "json",
            "--as-of",
            "2026-12-01",
        ],
        0,
    );
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
    let summary = live["drift_summary"].as_str().unwrap();
    assert!(summary.starts_with("No drift"), "{summary}");
    // moto's Service Quotas has no L-1216C47A: the plan's quota is used, with a note.
    assert!(summary.contains("L-1216C47A"), "{summary}");
}
