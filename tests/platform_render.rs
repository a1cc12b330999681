//! The Kubernetes and Prometheus tiers (SPEC §7) as rendered, checked with
//! the real tools: every manifest with the pinned kubernetes-validate
//! against the schemas of the plan's Kubernetes version (`--strict`, and a
//! "Couldn't find schema" warning fails too), every rules file with
//! `promtool check rules`, and each alert with `promtool test rules` firing
//! on a failing series and silent on a healthy one. Also §7's arithmetic on
//! a small plan, and the stack's EKS and AMP resources.
//!
//! The tools come from `scripts/test` (STREAMSCALE_KUBE_VALIDATE,
//! STREAMSCALE_PROMTOOL; see docs/validators.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;
use streamscale::plan::Plan;
use streamscale::render::{Templates, prometheus, render};

#[path = "support/plans.rs"]
mod plans;

fn tool(var: &str, script: &str) -> PathBuf {
    let bin = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        panic!(
            "{var} is not set: run the tests through scripts/test, or run {script} and export {var}"
        )
    });
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

fn kube_validate() -> PathBuf {
    tool("STREAMSCALE_KUBE_VALIDATE", "scripts/bootstrap-validators")
}

fn promtool() -> PathBuf {
    tool("STREAMSCALE_PROMTOOL", "scripts/install-promtool")
}

/// Before the example events, so their pre-warm CronJobs are rendered.
fn now() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().expect("a time")
}

fn prod() -> Plan {
    plans::example("prod")
}

const SMALL: &str = r#"
name = "small"
[defaults]
instance_type = "c7i.xlarge"
users_per_instance = 4000
target_utilization = 0.65
ami = "ami-0123456789abcdef0"
[traffic]
peak_concurrent_users = 1_000_000
baseline_concurrent_users = 100_000
survive_region_loss = true
[regions.us-east-1]
share = 0.5
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"
[regions.eu-west-1]
share = 0.5
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"
[[events]]
name = "final"
starts_at = "2026-12-18T19:00:00Z"
duration_minutes = 120
prewarm_minutes = 45
expected_concurrent_users = 800_000
[kubernetes]
version = "1.34"
pods_per_node = 3
image = "registry.example.com/small/app:1"
container_port = 8080
[monitoring]
availability_slo = 0.999
latency_p99_ms = 250
ceiling_alert_fraction = 0.75
"#;

fn small() -> Plan {
    plans::parse("small.toml", SMALL)
}

/// Write the plan's rendered files under a fresh folder.
fn rendered(plan: &Plan) -> (tempfile::TempDir, Vec<PathBuf>) {
    let out = render(plan, &Templates::builtin().expect("templates"), now()).expect("render");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paths = Vec::new();
    for (rel, text) in out.files() {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        paths.push(p);
    }
    (dir, paths)
}

fn under<'a>(paths: &'a [PathBuf], tier: &str) -> Vec<&'a PathBuf> {
    paths
        .iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == tier))
        .collect()
}

/// Runs kubernetes-validate; the failure text when it refuses anything,
/// including a kind it has no schema for in `version`.
fn kube_check(version: &str, files: &[&PathBuf]) -> Result<String, String> {
    let out = Command::new(kube_validate())
        .args(["-k", version, "--strict"])
        .args(files)
        .output()
        .expect("kubernetes-validate runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = text.lines().any(|l| {
        l.contains("Couldn't find schema") || l.starts_with("WARN") || l.starts_with("ERROR")
    });
    if out.status.success() && !bad {
        Ok(text)
    } else {
        Err(text)
    }
}

#[test]
fn section_7_arithmetic_on_a_small_plan() {
    let plan = small();
    let c = streamscale::render::capacity_json(&plan);
    for region in ["us-east-1", "eu-west-1"] {
        let r = &c["regions"][region];
        // c = 4000 × 0.65 = 2600; MinSize = max(3, ceil(50,000 / 2600) = 20);
        // MaxSize = ceil(500,000 / 0.5 / 2600) = 385; 3 pods per node.
        assert_eq!(r["min_size"], 20, "{r}");
        assert_eq!(r["max_size"], 385, "{r}");
        assert_eq!(r["kubernetes"]["min_replicas"], 60, "{r}");
        assert_eq!(r["kubernetes"]["max_replicas"], 1155, "{r}");
        assert_eq!(r["kubernetes"]["cpu_target_percent"], 65, "{r}");
        // Pre-warm: ceil(400,000 / 2600) = 154 nodes × 3.
        assert_eq!(r["kubernetes"]["prewarm_min_replicas"]["final"], 462, "{r}");
    }
}

#[test]
fn manifests_are_valid_for_the_plan_version() {
    for plan in [prod(), small()] {
        let version = plan
            .kubernetes
            .as_ref()
            .expect("[kubernetes]")
            .version
            .clone();
        let (_dir, paths) = rendered(&plan);
        let files = under(&paths, "kubernetes");
        assert_eq!(
            files.len(),
            6 * plan.regions.len(),
            "namespace, deployment, service, hpa, pdb and prewarm per region"
        );
        let text = kube_check(&version, &files).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            text.contains("passed for resource horizontalpodautoscaler/app"),
            "{text}"
        );
        assert!(
            text.contains("passed for resource cronjob/prewarm-"),
            "{text}"
        );
    }
}

#[test]
fn a_removed_api_fails_the_manifest_check() {
    // policy/v1beta1 PodDisruptionBudget is gone in 1.25+: kubernetes-validate
    // only warns ("Couldn't find schema") and exits 0; the check must fail.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pdb.yaml");
    std::fs::write(
        &p,
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: app\nspec:\n  maxUnavailable: 1\n",
    )
    .expect("write");
    assert!(kube_check("1.35", &[&p]).is_err());
}

#[test]
fn the_manifests_carry_the_plan() {
    let plan = small();
    let (_dir, paths) = rendered(&plan);
    let read = |name: &str| {
        std::fs::read_to_string(
            paths
                .iter()
                .find(|p| p.ends_with(format!("kubernetes/us-east-1/{name}")))
                .expect(name),
        )
        .expect("read")
    };
    let deployment = read("deployment.yaml");
    assert!(
        deployment.contains("image: \"registry.example.com/small/app:1\""),
        "{deployment}"
    );
    assert!(deployment.contains("containerPort: 8080"), "{deployment}");
    assert!(deployment.contains("path: \"/healthz\""), "{deployment}");
    assert!(
        deployment.contains("topologyKey: \"topology.kubernetes.io/zone\""),
        "{deployment}"
    );
    // c7i.xlarge: (4000 − 80 reserved − 250 daemon sets) / 3 pods.
    assert!(deployment.contains("cpu: \"1223m\""), "{deployment}");
    let hpa = read("hpa.yaml");
    assert!(
        hpa.contains("minReplicas: 60\n") && hpa.contains("maxReplicas: 1155\n"),
        "{hpa}"
    );
    assert!(hpa.contains("averageUtilization: 65\n"), "{hpa}");
    let service = read("service.yaml");
    assert!(service.contains("nodePort: 30080"), "{service}");
    let prewarm = read("prewarm.yaml");
    assert!(prewarm.contains("schedule: \"15 18 18 12 *\""), "{prewarm}");
    assert!(
        prewarm.contains("{\\\"spec\\\":{\\\"minReplicas\\\":462}}"),
        "{prewarm}"
    );
    assert!(
        prewarm.contains("{\\\"spec\\\":{\\\"minReplicas\\\":60}}"),
        "{prewarm}"
    );
}

#[test]
fn rules_pass_promtool_check() {
    for plan in [prod(), small()] {
        let (_dir, paths) = rendered(&plan);
        let files = under(&paths, "prometheus");
        assert_eq!(files.len(), plan.regions.len());
        let out = Command::new(promtool())
            .arg("check")
            .arg("rules")
            .args(&files)
            .output()
            .expect("promtool runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert_eq!(
            text.matches("SUCCESS: 12 rules found").count(),
            files.len(),
            "{text}"
        );
    }
}

#[test]
fn every_alert_fires_on_a_failing_series_and_is_silent_on_a_healthy_one() {
    for plan in [small(), prod()] {
        let m = plan.monitoring.as_ref().expect("[monitoring]");
        let (dir, paths) = rendered(&plan);
        // MaxSize is the only per-region input (the ceiling): the first
        // region of each plan.
        for rc in plan.capacity.regions.iter().take(1) {
            let rules = paths
                .iter()
                .find(|p| p.ends_with(format!("prometheus/{}/rules.yaml", rc.region)))
                .expect("rules.yaml");
            let test = dir.path().join(format!("{}.test.yaml", rc.region));
            std::fs::write(
                &test,
                prometheus::unit_tests(m, rc.max_size, &rules.display().to_string()),
            )
            .expect("write");
            let out = Command::new(promtool())
                .arg("test")
                .arg("rules")
                .arg(&test)
                .output()
                .expect("promtool runs");
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{}: {text}", rc.region);
            assert!(text.contains("SUCCESS"), "{text}");
        }
    }
}

#[test]
fn a_wrong_expectation_fails_the_rule_tests() {
    // The unit tests can fail: expecting the fast-burn page on a healthy
    // series is refused by promtool.
    let plan = small();
    let m = plan.monitoring.as_ref().expect("[monitoring]");
    let (dir, paths) = rendered(&plan);
    let rules = under(&paths, "prometheus")[0].display().to_string();
    let tests = prometheus::unit_tests(m, 385, &rules);
    // The second test is the fast burn's silent one: expect it to fire.
    let marker = "exp_alerts: []";
    let at = tests.find(marker).expect("a silent test");
    let broken = format!(
        "{}exp_alerts:\n      - exp_labels:\n          severity: \"page\"{}",
        &tests[..at],
        &tests[at + marker.len()..]
    );
    let test = dir.path().join("broken.test.yaml");
    std::fs::write(&test, broken).expect("write");
    let out = Command::new(promtool())
        .args(["test", "rules"])
        .arg(&test)
        .output()
        .expect("promtool runs");
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_stack_has_the_cluster_the_nodes_and_the_workspace() {
    let plan = small();
    let out = render(&plan, &Templates::builtin().expect("templates"), now()).expect("render");
    let stack = &out.stacks[0];
    let t: Value = stack.template_value();
    let res = &t["Resources"];
    let cluster = &res["EksCluster"]["Properties"];
    assert_eq!(cluster["Version"], "1.34");
    assert_eq!(cluster["EncryptionConfig"][0]["Resources"][0], "secrets");
    assert_eq!(
        cluster["Logging"]["ClusterLogging"]["EnabledTypes"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    assert_eq!(cluster["ResourcesVpcConfig"]["EndpointPrivateAccess"], true);
    assert_eq!(res["NodeAccessEntry"]["Properties"]["Type"], "EC2_LINUX");
    let lt = &res["LaunchTemplate"]["Properties"]["LaunchTemplateData"];
    assert_eq!(lt["MetadataOptions"]["HttpPutResponseHopLimit"], 1);
    assert_eq!(lt["MetadataOptions"]["HttpTokens"], "required");
    assert!(
        lt["UserData"].to_string().contains("node.eks.aws"),
        "{}",
        lt["UserData"]
    );
    assert_eq!(res["TargetGroup"]["Properties"]["Port"], 30080);
    // The pre-warm actions still act on the group (self-managed nodes).
    assert!(
        res["PrewarmFinal"]["Properties"]["MinSize"] == 154,
        "{}",
        res["PrewarmFinal"]
    );
    let rules = prometheus::rules(&plan, &stack.region).expect("rules");
    assert_eq!(
        res["PrometheusRules"]["Properties"]["Data"],
        Value::String(rules)
    );
    assert_eq!(res["PrometheusWorkspace"]["Type"], "AWS::APS::Workspace");
    for output in [
        "EksClusterName",
        "EksClusterEndpoint",
        "TargetGroupArn",
        "PrometheusEndpoint",
    ] {
        assert!(t["Outputs"][output].is_object(), "no output {output}");
    }
}

#[test]
fn without_the_tables_nothing_of_the_tiers_is_rendered() {
    let text = SMALL.split("[kubernetes]").next().expect("the plan");
    let plan = streamscale::plan::from_str(Path::new("plain.toml"), text).expect("a plan");
    let out = render(&plan, &Templates::builtin().expect("templates"), now()).expect("render");
    assert!(out.platform.is_empty());
    let t = out.stacks[0].template_value();
    assert!(t["Resources"]["EksCluster"].is_null());
    assert_eq!(
        t["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpPutResponseHopLimit"],
        2
    );
}
