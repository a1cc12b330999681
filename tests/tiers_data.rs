//! The data tiers (SPEC §7) live on the moto harness: a two-region plan
//! with a DocumentDB global cluster written in us-east-1 and an OpenSearch
//! domain per region is applied (the writer's stack first: the secondary
//! joins its global cluster), reads clean, finds hand changes to the
//! cluster and the domain with the plan's and the live values, repairs
//! them with `apply`, and `destroy` removes it all (the writer last).

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use scenario::{Scenario, TWO};

/// `[database]` with a global cluster written in us-east-1 and `[search]`,
/// small enough for the harness; no deletion protection, so that
/// `destroy` can delete the clusters.
const TIERS: &str = r#"
[aws]
deletion_protection = false

[database]
instance_class = "db.r6g.large"
reads_per_user_per_second = 0.02
reads_per_instance_per_second = 6000
writes_per_user_per_second = 0.0003
writes_per_primary_per_second = 4000
global_primary = "us-east-1"
backup_retention_days = 7

[search]
engine_version = "OpenSearch_2.17"
instance_type = "r6g.large.search"
master_instance_type = "m6g.large.search"
queries_per_user_per_second = 0.005
queries_per_node_per_second = 300
volume_gb_per_node = 100
"#;

#[test]
fn data_tiers_are_applied_drift_is_found_and_repaired_and_destroy_removes_them() {
    // The harness's DetectStackDrift cannot read the tiers' types (it
    // answers DETECTION_FAILED for them, as AWS does for a resource it
    // cannot check): drift runs on the registry's own live reads, as
    // against an endpoint without the drift API.
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_DRIFT", "not-implemented")]);
    let s = Scenario::new("tiers")
        .on(&moto)
        .regions(TWO)
        .plan_extra(TIERS)
        .applied_opening_access()
        .check_live(|aws| {
            // One global cluster, in the writer's region, and a cluster and
            // a domain in each region.
            assert_eq!(
                aws.docdb_global_clusters("us-east-1"),
                ["tiers-test-global"]
            );
            for region in ["us-east-1", "eu-west-1"] {
                assert_eq!(aws.docdb_cluster(region).backup_retention(), 7, "{region}");
                assert!(aws.search_domain(region).instance_count() >= 1, "{region}");
            }
        })
        .is_clean();

    // DocumentDB: backups kept 1 day instead of 7, on the writer.
    let s = s
        .change(|aws| aws.docdb_cluster("us-east-1").set_backup_retention(1))
        .drift()
        .finds_one("DatabaseCluster", "BackupRetentionPeriod", 7, 1)
        .in_region("us-east-1")
        .with_severity("config")
        .naming_its_physical_id()
        .plan()
        .repairs("DatabaseCluster", "BackupRetentionPeriod")
        .apply()
        .repaired_in_place()
        .check_live(|aws| assert_eq!(aws.docdb_cluster("us-east-1").backup_retention(), 7))
        .is_clean();

    // OpenSearch: two data nodes more than planned, on the secondary's
    // domain (UpdateDomainConfig with the whole ClusterConfig).
    let planned = s.aws().search_domain("eu-west-1").instance_count();
    let s = s
        .change(|aws| {
            aws.search_domain("eu-west-1")
                .set_instance_count(planned + 2)
        })
        .drift()
        .finds_one(
            "SearchDomain",
            "ClusterConfig.InstanceCount",
            planned,
            planned + 2,
        )
        .in_region("eu-west-1")
        .with_severity("capacity")
        .naming_its_physical_id()
        .plan()
        .repairs("SearchDomain", "ClusterConfig.InstanceCount")
        .apply()
        .repaired_in_place()
        .check_live(|aws| assert_eq!(aws.search_domain("eu-west-1").instance_count(), planned))
        .is_clean();

    s.destroy().no_stacks().check_live(|aws| {
        assert_eq!(aws.docdb_global_clusters("us-east-1"), Vec::<String>::new());
        for region in ["us-east-1", "eu-west-1"] {
            assert_eq!(aws.docdb_clusters(region), Vec::<String>::new(), "{region}");
            assert_eq!(aws.search_domains(region), Vec::<String>::new(), "{region}");
        }
    });
}
