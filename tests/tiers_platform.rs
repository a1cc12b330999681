//! The platform tiers (SPEC §7) live on the moto harness: a one-region plan
//! with `[kubernetes]` and `[monitoring]` is applied (an EKS cluster, its
//! access entry, an AMP workspace and its rules in the region's stack),
//! reads clean, finds hand changes to the cluster's public endpoint CIDRs,
//! to its control-plane logs and to the alert rules with the plan's and
//! the live values, repairs each with `apply` in place, and `destroy`
//! removes the cluster and the workspace.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use project::RegionSpec;
use scenario::Scenario;
use serde_json::json;
use sha2::{Digest, Sha256};

/// One region: the platform tiers do not depend on the others.
const ONE: &[RegionSpec] = &[("eu-west-1", "1.0", "c7i.large")];

/// `[kubernetes]` and `[monitoring]` as `environments/prod.toml` has them,
/// with a version the harness's EKS offers; no deletion protection, so that
/// `destroy` can delete the stack.
const TIERS: &str = r#"
[aws]
deletion_protection = false

[kubernetes]
version = "1.34"
pods_per_node = 4
image = "registry.example.com/streamscale/edge:2026.11"
container_port = 8080
public_access_cidrs = ["203.0.113.0/24"]

[monitoring]
availability_slo = 0.999
latency_p99_ms = 200
ceiling_alert_fraction = 0.8
"#;

/// The five control-plane log types, as drift compares them (a set).
const ALL_LOGS: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// How drift shows a rules file: its content digest.
fn digest(data: &str) -> String {
    let hex: String = Sha256::digest(data.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{}", &hex[..16])
}

#[test]
fn platform_tiers_are_applied_drift_is_found_and_repaired_and_destroy_removes_them() {
    // Drift runs on the registry's own live reads (DescribeCluster,
    // DescribeRuleGroupsNamespace…), as against an endpoint without the
    // drift API.
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_DRIFT", "not-implemented")]);
    let region = "eu-west-1";
    let s = Scenario::new("platform")
        .on(&moto)
        .regions(ONE)
        .plan_extra(TIERS)
        .applied_opening_access()
        .check_live(|aws| {
            let cluster = aws.eks_cluster(region);
            assert_eq!(cluster.version(), "1.34");
            assert_eq!(cluster.public_access_cidrs(), ["203.0.113.0/24"]);
            assert_eq!(cluster.enabled_log_types(), ALL_LOGS);
            assert!(
                aws.prometheus_rules(region).data().contains("groups:"),
                "the rules namespace holds the rendered rules file"
            );
        })
        .is_clean();

    // EKS: the public endpoint opened to the world by hand.
    let s = s
        .change(|aws| {
            aws.eks_cluster(region)
                .set_public_access_cidrs(&["0.0.0.0/0"])
        })
        .drift()
        .finds_one(
            "EksCluster",
            "ResourcesVpcConfig.PublicAccessCidrs",
            json!(["203.0.113.0/24"]),
            json!(["0.0.0.0/0"]),
        )
        .in_region(region)
        .with_severity("security")
        .naming_its_physical_id()
        .plan()
        .repairs("EksCluster", "ResourcesVpcConfig.PublicAccessCidrs")
        .run(&["apply", "-e", "test", "--yes", "--allow-broadening"])
        .exits(0)
        .repaired_in_place()
        .check_live(|aws| {
            assert_eq!(
                aws.eks_cluster(region).public_access_cidrs(),
                ["203.0.113.0/24"]
            )
        })
        .is_clean();

    // EKS: audit and authenticator logs turned off by hand.
    let s = s
        .change(|aws| {
            aws.eks_cluster(region)
                .disable_logs(&["audit", "authenticator"])
        })
        .drift()
        .finds_one(
            "EksCluster",
            "Logging.ClusterLogging.EnabledTypes",
            json!(ALL_LOGS),
            json!(["api", "controllerManager", "scheduler"]),
        )
        .in_region(region)
        .with_severity("security")
        .plan()
        .repairs("EksCluster", "Logging.ClusterLogging.EnabledTypes")
        .apply()
        .repaired_in_place()
        .check_live(|aws| assert_eq!(aws.eks_cluster(region).enabled_log_types(), ALL_LOGS))
        .is_clean();

    // AMP: the alert rules replaced by hand with a group that never fires.
    let planned = s.aws().prometheus_rules(region).data();
    let by_hand =
        "groups:\n- name: by-hand\n  rules:\n  - alert: Silence\n    expr: vector(0) > 1\n";
    let s = s
        .change(|aws| aws.prometheus_rules(region).put(by_hand))
        .drift()
        .finds_one("PrometheusRules", "Data", digest(&planned), digest(by_hand))
        .in_region(region)
        .with_severity("config")
        .with_note("not in the plan: by-hand, by-hand/Silence")
        .naming_its_physical_id()
        .plan()
        .repairs("PrometheusRules", "Data")
        .apply()
        .repaired_in_place()
        .check_live(|aws| assert_eq!(aws.prometheus_rules(region).data(), planned))
        .is_clean();

    // EKS: the cluster upgraded to 1.35 by hand. EKS never downgrades, so
    // apply cannot put the plan's 1.34 back: drift reports a manual repair
    // and the plan's notes say why; a plan that takes the running version
    // is clean again.
    let s = s
        .change(|aws| aws.eks_cluster(region).upgrade_to("1.35"))
        .drift()
        .finds_one("EksCluster", "Version", "1.34", "1.35")
        .in_region(region)
        .with_severity("capacity")
        .plan()
        .notes_mention(
            region,
            "drift that apply does not repair: EksCluster Version",
        )
        .notes_mention(region, "never downgrades")
        .check_live(|aws| assert_eq!(aws.eks_cluster(region).version(), "1.35"))
        .replan(|p| p.edit_extra(|t| t.replace("version = \"1.34\"", "version = \"1.35\"")))
        .apply()
        .check_live(|aws| assert_eq!(aws.eks_cluster(region).version(), "1.35"))
        .is_clean();

    s.destroy().no_stacks().check_live(|aws| {
        assert_eq!(aws.eks_clusters(region), Vec::<String>::new());
        assert_eq!(aws.prometheus_workspaces(region), Vec::<String>::new());
    });
}
