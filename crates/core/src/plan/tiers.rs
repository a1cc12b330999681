//! The data tiers of SPEC §7: the checked `[database]` (Amazon DocumentDB)
//! and `[search]` (Amazon OpenSearch Service) tables, their sizing
//! arithmetic in exact decimals, and the AWS limits validation cites.
//!
//! Every count is a ceiling of one exact ratio ([`ceil_div`]), never of a
//! rounded intermediate: the failover users `f_r = P·s_r / (1 − m)` are
//! folded into the ratio, so `f_r × reads_per_user / reads_per_instance` is
//! computed as `P·s_r·reads_per_user / ((1 − m)·reads_per_instance)`.

use rust_decimal::Decimal;
use serde::Serialize;

use super::capacity::{ceil_div, survivors};
use super::{Region, Traffic};

/// DocumentDB's instances per cluster: one writer and 15 replicas
/// (<https://docs.aws.amazon.com/documentdb/latest/developerguide/limits.html>).
pub const DOCDB_MAX_INSTANCES: u64 = 16;

/// The secondary regions one DocumentDB global cluster may have: "up to 10
/// read-only secondary clusters" (CreateGlobalCluster,
/// <https://docs.aws.amazon.com/documentdb/latest/developerguide/API_CreateGlobalCluster.html>;
/// the developer guide's global-cluster quick start said five before AWS
/// raised it).
pub const DOCDB_MAX_SECONDARY_REGIONS: usize = 10;

/// OpenSearch Service's default data-node limit per domain, 80 instances
/// ("Domains of this size exceed the default limit of 80 instances per
/// domain. To request a service limit increase of up to 200 instances per
/// domain, open a case", <https://docs.aws.amazon.com/opensearch-service/latest/developerguide/petabyte-scale.html>).
pub const OPENSEARCH_DEFAULT_MAX_DATA_NODES: u64 = 80;

/// The most a raised quota gives per domain (same page).
pub const OPENSEARCH_RAISED_MAX_DATA_NODES: u64 = 200;

/// T2 and T3 instance types: at most 10 instances per domain
/// (<https://docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html>).
pub const OPENSEARCH_BURSTABLE_MAX_DATA_NODES: u64 = 10;

/// Dedicated master nodes per domain: three, AWS's production
/// recommendation (<https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-dedicatedmasternodes.html>).
pub const OPENSEARCH_MASTER_NODES: u64 = 3;

/// The data-node limit of one domain of `instance_type`, given the
/// account's quota (`None`: AWS's default).
pub fn opensearch_max_data_nodes(instance_type: &str, quota: Option<u64>) -> u64 {
    if instance_type.starts_with("t2.") || instance_type.starts_with("t3.") {
        OPENSEARCH_BURSTABLE_MAX_DATA_NODES
    } else {
        quota.unwrap_or(OPENSEARCH_DEFAULT_MAX_DATA_NODES)
    }
}

/// `[database]`, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Database {
    /// Instance class.
    pub instance_class: String,
    /// Engine version.
    pub engine_version: String,
    /// Reads per user per second.
    pub reads_per_user_per_second: Decimal,
    /// Reads per instance per second.
    pub reads_per_instance_per_second: Decimal,
    /// Writes per user per second.
    pub writes_per_user_per_second: Decimal,
    /// Writes the primary sustains per second.
    pub writes_per_primary_per_second: Decimal,
    /// The global cluster's writer region, if one.
    pub global_primary: Option<String>,
    /// Backup retention in days.
    pub backup_retention_days: u32,
}

/// `[search]`, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Search {
    /// Engine version (`OpenSearch_2.17`).
    pub engine_version: String,
    /// Data node type.
    pub instance_type: String,
    /// Dedicated master type.
    pub master_instance_type: String,
    /// Queries per user per second.
    pub queries_per_user_per_second: Decimal,
    /// Queries per data node per second.
    pub queries_per_node_per_second: Decimal,
    /// gp3 GiB per data node.
    pub volume_gb_per_node: u32,
    /// The account's raised data-node quota, if stated.
    pub max_data_nodes: Option<u64>,
}

/// The database tier's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseCapacity {
    /// Per region, in plan order.
    pub regions: Vec<DatabaseRegion>,
    /// All writes at peak: `P × writes_per_user_per_second`.
    pub writes_per_second: Decimal,
    /// What the primary sustains.
    pub writes_per_primary_per_second: Decimal,
}

impl DatabaseCapacity {
    /// The region called `name`.
    pub fn region(&self, name: &str) -> Option<&DatabaseRegion> {
        self.regions.iter().find(|r| r.region == name)
    }

    /// The primary's spare writes per second (negative: over).
    pub fn write_margin(&self) -> Decimal {
        self.writes_per_primary_per_second - self.writes_per_second
    }
}

/// One region's DocumentDB cluster.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseRegion {
    /// Region code.
    pub region: String,
    /// Reads per second at peak: `P × s × reads_per_user`.
    pub peak_reads_per_second: Decimal,
    /// Reads per second after losing the largest other region: `f × reads_per_user`.
    pub failover_reads_per_second: Decimal,
    /// `ceil(f × reads_per_user / reads_per_instance)`.
    pub read_instances_needed: u64,
    /// `1 + max(Z − 1, read_instances_needed)`.
    pub instances: u64,
}

/// The search tier's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct SearchCapacity {
    /// Per region, in plan order.
    pub regions: Vec<SearchRegion>,
}

impl SearchCapacity {
    /// The region called `name`.
    pub fn region(&self, name: &str) -> Option<&SearchRegion> {
        self.regions.iter().find(|r| r.region == name)
    }
}

/// One region's OpenSearch domain.
#[derive(Debug, Clone, Serialize)]
pub struct SearchRegion {
    /// Region code.
    pub region: String,
    /// Queries per second at peak: `P × s × queries_per_user`.
    pub peak_queries_per_second: Decimal,
    /// Queries per second after losing the largest other region.
    pub failover_queries_per_second: Decimal,
    /// `ceil(f × queries_per_user / queries_per_node)`.
    pub nodes_for_load: u64,
    /// `Z × ceil(max(Z, nodes_for_load) / Z)`.
    pub data_nodes: u64,
    /// Dedicated masters: 3.
    pub master_nodes: u64,
    /// Zones the domain spreads over.
    pub zones: u64,
}

/// `a × b`, `None` when it does not fit a decimal.
fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b)
}

/// `ceil(peak_users × per_user / (survivors × per_unit))`, saturating.
fn units(peak_users: Decimal, per_user: Decimal, survivors: Decimal, per_unit: Decimal) -> u64 {
    match (mul(peak_users, per_user), mul(survivors, per_unit)) {
        (Some(n), Some(d)) => ceil_div(n, d),
        _ => u64::MAX,
    }
}

/// A load after losing the largest other region, for reports (rounded to
/// 28 places where the division does not end).
fn failover(load: Decimal, survivors: Decimal) -> Decimal {
    load.checked_div(survivors)
        .map_or(Decimal::MAX, |d| d.round_dp(6).normalize())
}

/// One region's load on a tier: at peak, after losing the largest other
/// region, and the units that serve it.
struct RegionLoad {
    /// `P × s × per_user`, normalized.
    peak: Decimal,
    /// The peak load after failover, for reports.
    failover: Decimal,
    /// `ceil(P × s × per_user / (survivors × per_unit))`.
    units: u64,
}

impl RegionLoad {
    fn of(
        traffic: &Traffic,
        regions: &[Region],
        r: &Region,
        per_user: Decimal,
        per_unit: Decimal,
    ) -> Self {
        let peak_users = traffic.peak * r.share;
        let left = survivors(traffic, regions, &r.name);
        let peak = mul(peak_users, per_user).unwrap_or(Decimal::MAX);
        RegionLoad {
            peak: peak.normalize(),
            failover: failover(peak, left),
            units: units(peak_users, per_user, left, per_unit),
        }
    }
}

/// Size the database tier.
pub fn database_capacity(traffic: &Traffic, regions: &[Region], db: &Database) -> DatabaseCapacity {
    let rows = regions
        .iter()
        .map(|r| {
            let reads = RegionLoad::of(
                traffic,
                regions,
                r,
                db.reads_per_user_per_second,
                db.reads_per_instance_per_second,
            );
            let needed = reads.units;
            let zones = r.availability_zones.len() as u64;
            DatabaseRegion {
                region: r.name.clone(),
                peak_reads_per_second: reads.peak,
                failover_reads_per_second: reads.failover,
                read_instances_needed: needed,
                instances: 1u64.saturating_add(zones.saturating_sub(1).max(needed)),
            }
        })
        .collect();
    DatabaseCapacity {
        regions: rows,
        writes_per_second: mul(traffic.peak, db.writes_per_user_per_second)
            .unwrap_or(Decimal::MAX)
            .normalize(),
        writes_per_primary_per_second: db.writes_per_primary_per_second.normalize(),
    }
}

/// Size the search tier.
pub fn search_capacity(traffic: &Traffic, regions: &[Region], search: &Search) -> SearchCapacity {
    let rows = regions
        .iter()
        .map(|r| {
            let queries = RegionLoad::of(
                traffic,
                regions,
                r,
                search.queries_per_user_per_second,
                search.queries_per_node_per_second,
            );
            let for_load = queries.units;
            let zones = (r.availability_zones.len() as u64).max(1);
            let wanted = zones.max(for_load);
            let per_zone = wanted.div_ceil(zones);
            SearchRegion {
                region: r.name.clone(),
                peak_queries_per_second: queries.peak,
                failover_queries_per_second: queries.failover,
                nodes_for_load: for_load,
                data_nodes: per_zone.saturating_mul(zones),
                master_nodes: OPENSEARCH_MASTER_NODES,
                zones,
            }
        })
        .collect();
    SearchCapacity { regions: rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burstable_types_have_their_own_limit() {
        assert_eq!(opensearch_max_data_nodes("t3.medium.search", Some(200)), 10);
        assert_eq!(opensearch_max_data_nodes("r6g.large.search", None), 80);
        assert_eq!(
            opensearch_max_data_nodes("r6g.large.search", Some(200)),
            200
        );
    }
}
