//! Checks of the data tiers of SPEC §7: `[database]` (DocumentDB) and
//! `[search]` (OpenSearch Service): the values as written, then the AWS
//! limits the computed sizes must stay within, each refusal citing the limit.

use rust_decimal::Decimal;

use super::Checker;
use crate::plan::Plan;
use crate::plan::diagnostic::ErrorCode;
use crate::plan::schema;
use crate::plan::tiers::{
    self, DOCDB_MAX_INSTANCES, DOCDB_MAX_SECONDARY_REGIONS, OPENSEARCH_RAISED_MAX_DATA_NODES,
};

/// DocumentDB engine versions CloudFormation accepts for a cluster.
const DOCDB_ENGINE_VERSIONS: &[&str] = &["3.6.0", "4.0.0", "5.0.0", "8.0.0"];

impl Checker<'_> {
    /// A positive rate at `at`.
    fn positive_rate(&mut self, at: &[&str], value: Decimal, hint: &str) -> bool {
        let ok = value > Decimal::ZERO;
        if !ok {
            let key = at.last().copied().unwrap_or("value");
            self.error(
                at,
                ErrorCode::InvalidValue,
                format!("{key} must be positive, found {value}"),
                hint,
            );
        }
        ok
    }

    /// `[database]` as written.
    pub(super) fn database(
        &mut self,
        d: &schema::Database,
        plan_regions: &[String],
    ) -> Option<tiers::Database> {
        let mut ok = true;
        if !is_class(&d.instance_class, "db.", "") {
            self.error(
                &["database", "instance_class"],
                ErrorCode::UnknownInstanceType,
                format!("`{}` is not a DocumentDB instance class", d.instance_class),
                "a class of the form db.<family>.<size>, e.g. db.r6g.large",
            );
            ok = false;
        }
        ok &= self.positive_rate(
            &["database", "reads_per_user_per_second"],
            d.reads_per_user_per_second,
            "the reads one viewer causes per second, e.g. 0.02",
        );
        ok &= self.positive_rate(
            &["database", "reads_per_instance_per_second"],
            d.reads_per_instance_per_second,
            "the reads one instance serves per second (from a load test), e.g. 6000",
        );
        ok &= self.positive_rate(
            &["database", "writes_per_user_per_second"],
            d.writes_per_user_per_second,
            "the writes one viewer causes per second, e.g. 0.001",
        );
        ok &= self.positive_rate(
            &["database", "writes_per_primary_per_second"],
            d.writes_per_primary_per_second,
            "the writes the primary instance sustains per second (from a load test), e.g. 4000",
        );
        let engine_version = d.engine_version.clone().unwrap_or_else(|| "5.0.0".into());
        if !DOCDB_ENGINE_VERSIONS.contains(&engine_version.as_str()) {
            self.error(
                &["database", "engine_version"],
                ErrorCode::InvalidValue,
                format!("DocumentDB has no engine version `{engine_version}`"),
                format!("one of {}", DOCDB_ENGINE_VERSIONS.join(", ")),
            );
            ok = false;
        }
        let retention = d.backup_retention_days.unwrap_or(7);
        ok &= self.in_range(
            &["database", "backup_retention_days"],
            retention,
            1..=35,
            "DocumentDB keeps automated backups 1 to 35 days",
        );
        if let Some(primary) = &d.global_primary {
            if !plan_regions.contains(primary) {
                self.error(
                    &["database", "global_primary"],
                    ErrorCode::UnknownRegion,
                    format!("global_primary `{primary}` is not one of the plan's regions"),
                    format!(
                        "the global cluster is written in one of the plan's regions: {}",
                        plan_regions.join(", ")
                    ),
                );
                ok = false;
            }
            let secondaries = plan_regions.len().saturating_sub(1);
            if secondaries > DOCDB_MAX_SECONDARY_REGIONS {
                self.error(
                    &["database", "global_primary"],
                    ErrorCode::AboveLimit,
                    format!(
                        "a DocumentDB global cluster has at most {DOCDB_MAX_SECONDARY_REGIONS} secondary regions (AWS: CreateGlobalCluster, \"up to 10 read-only secondary clusters\"); this plan's {} regions would make {secondaries}",
                        plan_regions.len()
                    ),
                    format!(
                        "plan at most {} regions with a global cluster, or leave out global_primary for one cluster per region",
                        DOCDB_MAX_SECONDARY_REGIONS + 1
                    ),
                );
                ok = false;
            }
        }
        ok.then(|| tiers::Database {
            instance_class: d.instance_class.clone(),
            engine_version,
            reads_per_user_per_second: d.reads_per_user_per_second.normalize(),
            reads_per_instance_per_second: d.reads_per_instance_per_second.normalize(),
            writes_per_user_per_second: d.writes_per_user_per_second.normalize(),
            writes_per_primary_per_second: d.writes_per_primary_per_second.normalize(),
            global_primary: d.global_primary.clone(),
            backup_retention_days: retention as u32,
        })
    }

    /// `[search]` as written.
    pub(super) fn search(&mut self, s: &schema::Search) -> Option<tiers::Search> {
        let mut ok = true;
        if !is_class(&s.instance_type, "", ".search") {
            self.error(
                &["search", "instance_type"],
                ErrorCode::UnknownInstanceType,
                format!(
                    "`{}` is not an OpenSearch Service instance type",
                    s.instance_type
                ),
                "a type of the form <family>.<size>.search, e.g. r6g.large.search",
            );
            ok = false;
        }
        let master = s
            .master_instance_type
            .clone()
            .unwrap_or_else(|| s.instance_type.clone());
        if s.master_instance_type.is_some() && !is_class(&master, "", ".search") {
            self.error(
                &["search", "master_instance_type"],
                ErrorCode::UnknownInstanceType,
                format!("`{master}` is not an OpenSearch Service instance type"),
                "a type of the form <family>.<size>.search, e.g. m6g.large.search",
            );
            ok = false;
        }
        if !is_engine_version(&s.engine_version) {
            self.error(
                &["search", "engine_version"],
                ErrorCode::InvalidValue,
                format!(
                    "`{}` is not an OpenSearch Service engine version",
                    s.engine_version
                ),
                "OpenSearch_<major>.<minor> (or Elasticsearch_<major>.<minor>), e.g. OpenSearch_2.17",
            );
            ok = false;
        }
        ok &= self.positive_rate(
            &["search", "queries_per_user_per_second"],
            s.queries_per_user_per_second,
            "the search queries one viewer makes per second, e.g. 0.005",
        );
        ok &= self.positive_rate(
            &["search", "queries_per_node_per_second"],
            s.queries_per_node_per_second,
            "the queries one data node serves per second (from a load test), e.g. 300",
        );
        ok &= self.in_range(
            &["search", "volume_gb_per_node"],
            s.volume_gb_per_node,
            10..=24576,
            "gp3 volumes of at least 10 GiB per data node",
        );
        let quota = match s.max_data_nodes {
            None => None,
            Some(q) => {
                ok &= self.in_range(
                    &["search", "max_data_nodes"],
                    q,
                    1..=OPENSEARCH_RAISED_MAX_DATA_NODES as i64,
                    "the data-node quota per domain AWS raised for the account (at most 200)",
                );
                Some(q.max(1) as u64)
            }
        };
        ok.then(|| tiers::Search {
            engine_version: s.engine_version.clone(),
            instance_type: s.instance_type.clone(),
            master_instance_type: master,
            queries_per_user_per_second: s.queries_per_user_per_second.normalize(),
            queries_per_node_per_second: s.queries_per_node_per_second.normalize(),
            volume_gb_per_node: s.volume_gb_per_node as u32,
            max_data_nodes: quota,
        })
    }

    /// The AWS limits the computed sizes of the tiers must stay within.
    pub(super) fn tier_limits(&mut self, plan: &Plan) {
        if let (Some(db), Some(cap)) = (&plan.database, &plan.capacity.database) {
            for rc in &cap.regions {
                if rc.instances > DOCDB_MAX_INSTANCES {
                    self.error(
                        &["database", "reads_per_instance_per_second"],
                        ErrorCode::AboveLimit,
                        format!(
                            "{} needs {} DocumentDB instances ({} reads/s after losing a region, {} per instance), above DocumentDB's limit of {DOCDB_MAX_INSTANCES} per cluster (1 writer + 15 replicas)",
                            rc.region,
                            rc.instances,
                            rc.failover_reads_per_second,
                            db.reads_per_instance_per_second
                        ),
                        "use a larger instance_class (raise reads_per_instance_per_second with it), or cache reads so that fewer reach the database",
                    );
                }
            }
            if cap.writes_per_second > cap.writes_per_primary_per_second {
                self.error(
                    &["database", "writes_per_user_per_second"],
                    ErrorCode::AboveLimit,
                    format!(
                        "all writes at peak, {} users × {} = {} writes/s, are above the {} writes/s one DocumentDB primary sustains (writes go to one writer instance)",
                        plan.traffic.peak,
                        db.writes_per_user_per_second,
                        cap.writes_per_second,
                        cap.writes_per_primary_per_second
                    ),
                    "use a larger instance_class (and raise writes_per_primary_per_second from its load test), or batch writes so that each viewer writes less often",
                );
            }
        }
        if let (Some(search), Some(cap)) = (&plan.search, &plan.capacity.search) {
            let limit =
                tiers::opensearch_max_data_nodes(&search.instance_type, search.max_data_nodes);
            for rc in &cap.regions {
                if rc.data_nodes > limit {
                    let quota_note = if search.max_data_nodes.is_some() {
                        "the account's raised quota"
                    } else {
                        "OpenSearch Service's default limit per domain"
                    };
                    self.error(
                        &["search", "instance_type"],
                        ErrorCode::AboveLimit,
                        format!(
                            "{} needs {} {} data nodes ({} queries/s after losing a region, {} per node), above {quota_note} of {limit} for that type (80 per domain by default, up to 200 on request; T2 and T3 types at most 10)",
                            rc.region,
                            rc.data_nodes,
                            search.instance_type,
                            rc.failover_queries_per_second,
                            search.queries_per_node_per_second
                        ),
                        "use a larger instance_type (raise queries_per_node_per_second with it), or set max_data_nodes to a quota AWS raised for the account (at most 200)",
                    );
                }
            }
        }
    }
}

/// `prefix<family>.<size>suffix` with lowercase letters and digits.
fn is_class(s: &str, prefix: &str, suffix: &str) -> bool {
    let Some(mid) = s.strip_prefix(prefix).and_then(|m| m.strip_suffix(suffix)) else {
        return false;
    };
    let parts: Vec<&str> = mid.split('.').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// `OpenSearch_X.Y` or `Elasticsearch_X.Y`.
fn is_engine_version(s: &str) -> bool {
    let Some(v) = s
        .strip_prefix("OpenSearch_")
        .or_else(|| s.strip_prefix("Elasticsearch_"))
    else {
        return false;
    };
    let mut it = v.split('.');
    let (Some(a), Some(b), None) = (it.next(), it.next(), it.next()) else {
        return false;
    };
    [a, b]
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}
