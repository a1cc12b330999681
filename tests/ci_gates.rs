//! Risk gates and GitHub Actions output against moto (issue 13): a plan
//! that opens a port (a project template override adds SSH from anywhere
//! to the load balancer's security group) and one that replaces the load
//! balancer (its Scheme, a create-only property, changes). `plan
//! --fail-on` prints the plan, then exits 1 naming the gate; `apply`
//! refuses the broadening change without `--allow-broadening`. With
//! `GITHUB_ACTIONS=true`, plan and apply write groups, annotations, the
//! step summary and the step outputs; the Cloudflare token planted in the
//! environment appears nowhere, and nothing carries a colour code.

#[path = "support/fake_cloudflare.rs"]
mod fake_cloudflare;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/openapi.rs"]
mod openapi;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use fake_cloudflare::{FakeCloudflare, TOKEN};
use project::ONE;
use scenario::Scenario;

/// The built-in template `path` with `from` replaced by `to`, written as
/// the project's own override.
fn override_template(s: &Scenario, path: &str, from: &str, to: &str) {
    let built_in = std::fs::read_to_string(format!("templates/{path}")).expect("built-in template");
    assert!(built_in.contains(from), "{path} has no `{from}`");
    let target = s.file(&format!("templates/{path}"));
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(target, built_in.replacen(from, to, 1)).unwrap();
}

const SSH_RULE: &str = r#"{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "Description": "SSH"},
          {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourcePrefixListId": {"Ref": "CloudflareIpv4PrefixList"}"#;
const HTTPS_RULE: &str = r#"{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourcePrefixListId": {"Ref": "CloudflareIpv4PrefixList"}"#;

#[test]
fn a_plan_that_opens_a_port_trips_the_broadening_gate_and_apply_needs_allow_broadening() {
    let s = Scenario::new("gate-port").regions(ONE).applied();
    override_template(&s, "aws/network.json.hbs", HTTPS_RULE, SSH_RULE);
    s.run(&["plan", "-e", "test", "--fail-on", "broadening"])
        .exits(1)
        .stdout_has("LoadBalancerSecurityGroup")
        .stderr_has("review::risk_gate")
        .stderr_has("--fail-on broadening: 1 broadening change")
        // Other gates let it through.
        .run(&["plan", "-e", "test", "--fail-on", "replace,delete"])
        .exits(0)
        .run(&["plan", "-e", "test", "--format", "markdown"])
        .exits(0)
        .stdout_has("- **broadening** us-east-1 `LoadBalancerSecurityGroup`")
        .stdout_has("\"FromPort\":22")
        // apply refuses it, and changes nothing.
        .run(&["apply", "-e", "test", "--yes"])
        .exits(1)
        .stderr_has("review::broadening")
        .stderr_has("--allow-broadening")
        .run(&["plan", "-e", "test", "--fail-on", "broadening"])
        .exits(1)
        .run(&["apply", "-e", "test", "--yes", "--allow-broadening"])
        .exits(0)
        .plans_no_changes();
}

#[test]
fn a_plan_that_replaces_the_load_balancer_trips_the_replace_gate_also_from_the_plan_file() {
    let s = Scenario::new("gate-lb").regions(ONE).applied();
    override_template(
        &s,
        "aws/compute.json.hbs",
        r#""Scheme": "internet-facing""#,
        r#""Scheme": "internal""#,
    );
    s.run(&["plan", "-e", "test", "--fail-on", "replace"])
        .exits(1)
        .stdout_has("-/+ replace")
        .stderr_has("--fail-on replace: 1 replace change (us-east-1 LoadBalancer)")
        .run(&["plan", "-e", "test", "--fail-on", "broadening"])
        .exits(0)
        .run(&["plan", "-e", "test"])
        .exits(0)
        // The same gate as the environment's default, in [deploy].
        .replan(|p| p.extra("\n[deploy]\nfail_on = [\"replace\"]\n"))
        .run(&["plan", "-e", "test"])
        .exits(1)
        .stderr_has("review::risk_gate")
        .run(&["plan", "-e", "test", "--fail-on", "nope"])
        .exits(1)
        .stderr_has("unknown gate `nope`");
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn github_actions_get_groups_annotations_a_summary_and_outputs_without_secrets() {
    let cf = FakeCloudflare::start();
    let s = Scenario::new("gha").regions(ONE).applied();
    override_template(
        &s,
        "aws/compute.json.hbs",
        r#""Scheme": "internet-facing""#,
        r#""Scheme": "internal""#,
    );
    let summary = s.file("summary.md");
    let output = s.file("output.txt");
    let plan_file = s.file("reviewed.plan");
    let mut env: Vec<(&str, String)> = cf.env();
    env.push(("GITHUB_ACTIONS", "true".into()));
    env.push(("GITHUB_STEP_SUMMARY", summary.display().to_string()));
    env.push(("GITHUB_OUTPUT", output.display().to_string()));
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let plan_path = plan_file.display().to_string();
    let s = s
        .run_with_env(&["plan", "-e", "test", "--out", &plan_path], &env_refs)
        .exits(0);
    let ran = s.last();
    let (stdout, stderr) = (ran.stdout.clone(), ran.stderr.clone());
    assert!(
        stdout.contains("::group::us-east-1 (update stack)"),
        "{stdout}"
    );
    assert!(stdout.contains("::endgroup::"), "{stdout}");
    assert!(
        stderr.contains("::warning title=replacement::us-east-1 LoadBalancer"),
        "{stderr}"
    );
    let md = read(&summary);
    assert!(
        md.starts_with("<!-- streamscale env=test plan=sha256:"),
        "{md}"
    );
    assert!(
        md.contains("- **replace** us-east-1 `LoadBalancer`"),
        "{md}"
    );
    let outputs = read(&output);
    for line in [
        "has_changes=true\n",
        "replace=1\n",
        "risk_replace=true\n",
        "risk_broadening=false\n",
        "failure_reason=\n",
        &format!("plan_path={plan_path}\n"),
    ] {
        assert!(outputs.contains(line), "{line:?} not in {outputs}");
    }
    // A gate trips, and the plan it makes over the saved one's change set
    // leaves the saved plan stale: each failure's code reaches the outputs.
    let s = s
        .run_with_env(&["plan", "-e", "test", "--fail-on", "replace"], &env_refs)
        .exits(1);
    assert!(read(&output).contains("failure_code=review::risk_gate\n"));
    let s = s
        .run_with_env(&["apply", "-e", "test", "--yes", &plan_path], &env_refs)
        .exits(1);
    assert!(read(&output).contains("failure_code=engine::stale_plan\n"));
    // The harness cannot replace a load balancer: a plan that opens a port
    // instead, saved, reviewed and applied exactly.
    std::fs::remove_file(s.file("templates/aws/compute.json.hbs")).unwrap();
    override_template(&s, "aws/network.json.hbs", HTTPS_RULE, SSH_RULE);
    let s = s
        .run_with_env(&["plan", "-e", "test", "--out", &plan_path], &env_refs)
        .exits(0);
    assert!(read(&output).contains("risk_broadening=true\n"));
    let s = s
        .run_with_env(
            &[
                "apply",
                "-e",
                "test",
                "--yes",
                "--allow-broadening",
                &plan_path,
            ],
            &env_refs,
        )
        .exits(0);
    assert!(read(&summary).contains("## streamscale apply: `test`\n"));
    assert!(read(&summary).contains("| us-east-1 | ok |"));
    assert!(read(&output).contains("applied=true\nregions_changed=1\nregions_failed=0\n"));
    let apply_out = s.last().stdout.clone() + &s.last().stderr;
    let outputs = read(&output);
    for text in [
        &stdout,
        &stderr,
        &md,
        &outputs,
        &apply_out,
        &read(&plan_file),
    ] {
        assert!(!text.contains(TOKEN), "the Cloudflare token leaked: {text}");
        assert!(!text.contains("\x1b["), "a colour code: {text:?}");
    }
}
