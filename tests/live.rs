//! The live engine against moto: apply, plan, saved plans, --region,
//! destroy, ROLLBACK_COMPLETE replacement, and an endpoint that dies
//! mid-apply. One moto per test binary (plus one for the kill test).

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::OnceLock;

use project::{Project, plan_text, runtime, sdk};
use serde_json::Value;

fn shared() -> &'static moto::Moto {
    static MOTO: OnceLock<moto::Moto> = OnceLock::new();
    MOTO.get_or_init(moto::Moto::start)
}

const THREE: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.5", "c7i.large"),
    ("eu-west-1", "0.3", "c7i.large"),
    ("ap-northeast-1", "0.2", "c7i.large"),
];

const TWO: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

fn stack_status(moto: &moto::Moto, region: &str, stack: &str) -> Option<String> {
    let cf = aws_sdk_cloudformation::Client::new(&sdk(moto, region));
    runtime()
        .block_on(async {
            match cf.describe_stacks().stack_name(stack).send().await {
                Ok(o) => o
                    .stacks()
                    .first()
                    .and_then(|s| s.stack_status())
                    .map(|s| s.as_str().to_string()),
                Err(_) => None,
            }
        })
        .filter(|s| s != "DELETE_COMPLETE")
}

fn region_action(plan: &Value, region: &str) -> String {
    plan["regions"][region]["action"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn apply_converges_then_updates_show_properties_and_converge_again() {
    let moto = shared();
    let p = Project::new("conv", THREE, "");

    // A fresh plan creates every resource in every region: exit 2.
    let plan = p.json(
        moto,
        &["plan", "-e", "test", "--json", "--detailed-exitcode"],
        2,
    );
    assert_eq!(plan["format_version"], 1);
    for (r, _, _) in THREE {
        assert_eq!(region_action(&plan, r), "create");
    }
    let add = plan["summary"]["add"].as_u64().unwrap();
    assert!(
        add > 3 * 30,
        "every resource of three stacks is added: {add}"
    );

    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    for (r, _, _) in THREE {
        assert_eq!(
            stack_status(moto, r, &p.stack()).as_deref(),
            Some("CREATE_COMPLETE"),
            "{r}"
        );
    }
    // Outputs resolved into the Cloudflare-free project: outputs.json per region.
    assert!(p.out().join("aws/us-east-1/outputs.json").is_file());

    // Plan again: nothing to do, exit 0.
    let (stdout, _) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");

    // Change a share and an instance type.
    p.write_plan(&plan_text(
        "conv",
        &[
            ("us-east-1", "0.6", "c7i.large"),
            ("eu-west-1", "0.2", "c7i.xlarge"),
            ("ap-northeast-1", "0.2", "c7i.large"),
        ],
        "",
    ));
    let plan = p.json(
        moto,
        &["plan", "-e", "test", "--json", "--detailed-exitcode"],
        2,
    );
    assert_eq!(region_action(&plan, "us-east-1"), "update");
    assert_eq!(region_action(&plan, "eu-west-1"), "update");
    let changes = |r: &str| {
        plan["regions"][r]["changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let prop = |r: &str, id: &str, path: &str| -> Option<(Value, Value)> {
        changes(r)
            .iter()
            .find(|c| c["logical_id"] == id)
            .and_then(|c| {
                c["properties"]
                    .as_array()?
                    .iter()
                    .find(|p| p["path"] == path)
                    .map(|p| (p["before"].clone(), p["after"].clone()))
            })
    };
    // us-east-1: share 0.5 → 0.6 raises MaxSize; eu-west-1 changes instance type.
    let (before, after) =
        prop("us-east-1", "AutoScalingGroup", "MaxSize").expect("MaxSize change in us-east-1");
    assert_ne!(before, after);
    let (before, after) = prop(
        "eu-west-1",
        "LaunchTemplate",
        "LaunchTemplateData.InstanceType",
    )
    .expect("instance type change in eu-west-1");
    assert_eq!(before, "c7i.large");
    assert_eq!(after, "c7i.xlarge");
    // Human output carries the summary line.
    let (stdout, _) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 2);
    assert!(
        stdout.contains("Plan: ") && stdout.contains("to change"),
        "{stdout}"
    );
    assert!(
        stdout.contains("LaunchTemplateData.InstanceType: \"c7i.large\" → \"c7i.xlarge\""),
        "{stdout}"
    );

    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);

    // Destroy leaves nothing.
    p.expect(moto, &["destroy", "-e", "test", "--yes"], 0);
    for (r, _, _) in THREE {
        assert_eq!(
            stack_status(moto, r, &p.stack()),
            None,
            "{r} still has a stack"
        );
    }
    let out = p.json(moto, &["outputs", "-e", "test", "--json"], 0);
    for (r, _, _) in THREE {
        assert!(out["regions"][r].is_null(), "{r}: {out}");
    }
}

#[test]
fn saved_plan_applies_exactly_and_is_refused_once_stale() {
    let moto = shared();
    let p = Project::new("saved", TWO, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);

    // Save a plan for a MaxSize change, apply it: converges.
    p.write_plan(&plan_text(
        "saved",
        &[
            ("us-east-1", "0.6", "c7i.xlarge"),
            ("eu-west-1", "0.4", "c7i.large"),
        ],
        "",
    ));
    let file = p.path().join("plan.json");
    let file = file.to_str().unwrap();
    p.expect(moto, &["plan", "-e", "test", "--out", file], 0);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(saved["kind"], "streamscale-plan");
    assert_eq!(saved["regions"]["us-east-1"]["action"], "update");
    assert!(saved["regions"]["us-east-1"]["change_set"]["id"].is_string());
    p.expect(moto, &["apply", "-e", "test", file], 0);
    p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);

    // Save another, then change the live stack out of band: refused.
    p.write_plan(&plan_text(
        "saved",
        &[
            ("us-east-1", "0.6", "c7i.large"),
            ("eu-west-1", "0.4", "c7i.large"),
        ],
        "",
    ));
    p.expect(moto, &["plan", "-e", "test", "--out", file], 0);
    let cf = aws_sdk_cloudformation::Client::new(&sdk(moto, "us-east-1"));
    runtime().block_on(async {
        // Someone updates the stack by hand: MaxSize 99.
        let body = cf
            .get_template()
            .stack_name(p.stack())
            .send()
            .await
            .expect("get template")
            .template_body()
            .unwrap()
            .to_string();
        let mut t: Value = serde_json::from_str(&body).unwrap();
        t["Resources"]["AutoScalingGroup"]["Properties"]["MaxSize"] = "99".into();
        cf.update_stack()
            .stack_name(p.stack())
            .template_body(t.to_string())
            .parameters(
                aws_sdk_cloudformation::types::Parameter::builder()
                    .parameter_key("PlanName")
                    .use_previous_value(true)
                    .build(),
            )
            .parameters(
                aws_sdk_cloudformation::types::Parameter::builder()
                    .parameter_key("EnvironmentName")
                    .use_previous_value(true)
                    .build(),
            )
            .send()
            .await
            .expect("out-of-band update")
    });
    let (_, stderr) = p.expect(moto, &["apply", "-e", "test", file], 1);
    assert!(
        stderr.contains("stale") && stderr.contains("changed since"),
        "{stderr}"
    );

    // A plan whose environment renders differently now is refused too.
    p.expect(moto, &["plan", "-e", "test", "--out", file], 0);
    p.write_plan(&plan_text(
        "saved",
        &[
            ("us-east-1", "0.5", "c7i.large"),
            ("eu-west-1", "0.5", "c7i.large"),
        ],
        "",
    ));
    let (_, stderr) = p.expect(moto, &["apply", "-e", "test", file], 1);
    assert!(stderr.contains("renders differently"), "{stderr}");
    p.expect(moto, &["destroy", "-e", "test", "--yes"], 0);
}

#[test]
fn region_flag_limits_plan_apply_and_destroy() {
    let moto = shared();
    let p = Project::new("limit", THREE, "");
    let plan = p.json(
        moto,
        &["plan", "-e", "test", "--json", "--region", "eu-west-1"],
        0,
    );
    let regions = plan["regions"].as_object().unwrap();
    assert_eq!(regions.keys().collect::<Vec<_>>(), ["eu-west-1"]);
    p.expect(
        moto,
        &["apply", "-e", "test", "--yes", "--region", "eu-west-1"],
        0,
    );
    assert!(stack_status(moto, "eu-west-1", &p.stack()).is_some());
    assert_eq!(stack_status(moto, "us-east-1", &p.stack()), None);
    assert_eq!(stack_status(moto, "ap-northeast-1", &p.stack()), None);
    let (_, stderr) = p.expect(moto, &["plan", "-e", "test", "--region", "mars-north-1"], 1);
    assert!(stderr.contains("not in the plan"), "{stderr}");
    p.expect(
        moto,
        &["destroy", "-e", "test", "--yes", "--region", "eu-west-1"],
        0,
    );
    assert_eq!(stack_status(moto, "eu-west-1", &p.stack()), None);
}

#[test]
fn a_stack_in_rollback_complete_is_replaced() {
    let moto = shared();
    let p = Project::new("rollback", TWO, "");
    // A create that fails (a subnet in a VPC that does not exist) leaves ROLLBACK_COMPLETE.
    let cf = aws_sdk_cloudformation::Client::new(&sdk(moto, "us-east-1"));
    let body = r#"{"Resources": {"S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-12345678", "CidrBlock": "10.0.0.0/24"}}}}"#;
    runtime().block_on(async {
        cf.create_stack()
            .stack_name(p.stack())
            .template_body(body)
            .send()
            .await
            .expect("create")
    });
    assert_eq!(
        stack_status(moto, "us-east-1", &p.stack()).as_deref(),
        Some("ROLLBACK_COMPLETE")
    );
    let plan = p.json(moto, &["plan", "-e", "test", "--json"], 0);
    assert_eq!(region_action(&plan, "us-east-1"), "replace-rolled-back");
    let (_, stderr) = p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    assert!(
        stderr.contains("ROLLBACK_COMPLETE") && stderr.contains("create it again"),
        "{stderr}"
    );
    assert_eq!(
        stack_status(moto, "us-east-1", &p.stack()).as_deref(),
        Some("CREATE_COMPLETE")
    );
    p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    p.expect(moto, &["destroy", "-e", "test", "--yes"], 0);
}

#[test]
fn apply_without_yes_and_without_a_terminal_refuses() {
    let moto = shared();
    let p = Project::new("refuse", TWO, "");
    let (_, stderr) = p.expect(moto, &["apply", "-e", "test"], 1);
    assert!(stderr.contains("without --yes"), "{stderr}");
    assert_eq!(
        stack_status(moto, "us-east-1", &p.stack()),
        None,
        "nothing was created"
    );
}

#[test]
fn an_endpoint_that_dies_mid_apply_fails_cleanly_and_the_next_apply_converges() {
    let mut dying = moto::Moto::start();
    let p = Project::new("dies", THREE, "");
    let mut child = p
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
    let stderr = child.stderr.take().unwrap();
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
    let fresh = moto::Moto::start();
    p.expect(&fresh, &["apply", "-e", "test", "--yes"], 0);
    p.expect(&fresh, &["plan", "-e", "test", "--detailed-exitcode"], 0);
}

#[test]
fn templates_above_the_inline_limit_go_through_s3() {
    let moto = shared();
    // Sixty daily events: 120 scheduled actions push the template past
    // CloudFormation's 51,200-byte inline limit (moto itself would accept it
    // inline; the tool must not rely on that).
    let mut events = String::new();
    for day in 0..60 {
        events.push_str(&format!(
            "[[events]]\nname = \"match-{day}\"\nstarts_at = \"2027-0{}-{:02}T18:00:00Z\"\nduration_minutes = 120\nexpected_concurrent_users = 15000\n\n",
            3 + day / 28,
            1 + day % 28
        ));
    }
    let extra = format!("[aws]\ntemplate_bucket = \"streamscale-big-templates\"\n\n{events}");
    let p = Project::new("big", TWO, &extra);
    p.expect(moto, &["render", "-e", "test"], 0);
    let size = std::fs::metadata(p.out().join("aws/us-east-1/template.json"))
        .unwrap()
        .len();
    assert!(
        size > 51_200,
        "the test template must exceed the inline limit: {size} bytes"
    );
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk(moto, "us-east-1"))
            .force_path_style(true)
            .build(),
    );
    let keys: Vec<String> = runtime().block_on(async {
        s3.list_objects_v2()
            .bucket("streamscale-big-templates")
            .send()
            .await
            .expect("the template bucket exists")
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    });
    assert!(
        keys.iter().any(|k| k.starts_with("big-test/us-east-1/")),
        "{keys:?}"
    );
    assert!(
        keys.iter().any(|k| k.starts_with("big-test/eu-west-1/")),
        "{keys:?}"
    );
    p.expect(moto, &["destroy", "-e", "test", "--yes"], 0);
}

#[test]
fn a_failing_canary_stops_the_rollout_and_names_the_failing_resource() {
    let moto = shared();
    // eu-west-1 is the canary, and its HTTPS listener names a certificate
    // that does not exist: its create fails and rolls back.
    let bad_cert =
        "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    let text = plan_text("canary", THREE, "[deploy]\ncanary = [\"eu-west-1\"]\n").replace(
        "[regions.eu-west-1]\n",
        &format!("[regions.eu-west-1]\ncertificate_arn = \"{bad_cert}\"\n"),
    );
    let p = Project::new("canary", THREE, "");
    p.write_plan(&text);
    let (_, stderr) = p.expect(moto, &["apply", "-e", "test", "--yes"], 1);
    assert!(stderr.contains("eu-west-1  FAILED"), "{stderr}");
    assert!(
        stderr.contains("HttpsListener"),
        "the failing resource is named: {stderr}"
    );
    for r in ["us-east-1", "ap-northeast-1"] {
        assert!(
            stderr.contains(&format!("{r}  skipped")),
            "{r} not started: {stderr}"
        );
        assert_eq!(stack_status(moto, r, &p.stack()), None, "{r} was started");
    }
    assert_eq!(
        stack_status(moto, "eu-west-1", &p.stack()).as_deref(),
        Some("ROLLBACK_COMPLETE")
    );
    // Without the bad certificate, the next apply replaces the rolled-back
    // stack and creates the others.
    p.write_plan(&plan_text(
        "canary",
        THREE,
        "[deploy]\ncanary = [\"eu-west-1\"]\n",
    ));
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    for (r, _, _) in THREE {
        assert_eq!(
            stack_status(moto, r, &p.stack()).as_deref(),
            Some("CREATE_COMPLETE"),
            "{r}"
        );
    }
    p.expect(moto, &["destroy", "-e", "test", "--yes"], 0);
}
