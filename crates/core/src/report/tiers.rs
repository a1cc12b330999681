//! The data tiers in the capacity review (SPEC §7): DocumentDB and
//! OpenSearch sizes per region, the read and query load they were sized
//! for, their headroom after losing a region, their hourly cost, and the
//! writes-per-second margin of the DocumentDB primary.
//!
//! * **Read capacity** of a cluster = replicas × reads per instance (the
//!   writer takes the writes: `instances − 1` replicas serve reads).
//! * **Query capacity** of a domain = data nodes × queries per node.
//! * **Headroom after losing a region** = capacity / failover load − 1,
//!   as a percentage (negative: short).
//! * **Hourly cost** = instances × the DocumentDB instance price, and
//!   (data nodes + dedicated masters) × their OpenSearch node prices; a
//!   missing price is unknown, never zero (storage, I/O and backups are not
//!   priced).

use std::fmt::Write;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};

use super::build::{percent, round_fixed};
use super::model::Money;
use crate::catalog;
use crate::plan::Plan;

/// The data tiers of a report; both empty without `[database]` and `[search]`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DataTiers {
    /// DocumentDB, per region.
    pub database: Option<DatabaseSection>,
    /// OpenSearch, per region.
    pub search: Option<SearchSection>,
}

/// DocumentDB in the review.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseSection {
    /// Instance class.
    pub instance_class: String,
    /// The global cluster's writer region, if one.
    pub global_primary: Option<String>,
    /// Per region.
    pub regions: Vec<DatabaseRow>,
    /// All writes at peak, per second.
    pub writes_per_second: Decimal,
    /// What the primary sustains.
    pub writes_per_primary_per_second: Decimal,
    /// Spare writes per second on the primary.
    pub write_margin: Decimal,
    /// The margin as a percentage of the primary's capacity.
    pub write_margin_percent: Decimal,
    /// Σ hourly cost.
    pub cost_per_hour: Money,
}

/// One region's DocumentDB cluster.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseRow {
    /// Region.
    pub region: String,
    /// Instances (1 writer + replicas).
    pub instances: u64,
    /// Reads per second at peak.
    pub peak_reads_per_second: Decimal,
    /// Reads per second after losing the largest other region.
    pub failover_reads_per_second: Decimal,
    /// Replicas × reads per instance.
    pub read_capacity_per_second: Decimal,
    /// Headroom after losing a region, percent.
    pub headroom_after_loss_percent: Decimal,
    /// Price of one instance.
    pub price: Option<catalog::Price>,
    /// Hourly cost.
    pub cost_per_hour: Money,
}

/// OpenSearch in the review.
#[derive(Debug, Clone, Serialize)]
pub struct SearchSection {
    /// Data node type.
    pub instance_type: String,
    /// Dedicated master type.
    pub master_instance_type: String,
    /// Per region.
    pub regions: Vec<SearchRow>,
    /// Σ hourly cost.
    pub cost_per_hour: Money,
}

/// One region's OpenSearch domain.
#[derive(Debug, Clone, Serialize)]
pub struct SearchRow {
    /// Region.
    pub region: String,
    /// Data nodes.
    pub data_nodes: u64,
    /// Dedicated masters.
    pub master_nodes: u64,
    /// Queries per second at peak.
    pub peak_queries_per_second: Decimal,
    /// Queries per second after losing the largest other region.
    pub failover_queries_per_second: Decimal,
    /// Data nodes × queries per node.
    pub query_capacity_per_second: Decimal,
    /// Headroom after losing a region, percent.
    pub headroom_after_loss_percent: Decimal,
    /// Hourly cost (data nodes and masters).
    pub cost_per_hour: Money,
}

fn headroom(capacity: Decimal, load: Decimal) -> Decimal {
    if load.is_zero() {
        return round_fixed(Decimal::ZERO, 2);
    }
    percent(capacity - load, load)
}

fn sum(mut costs: impl Iterator<Item = Money>) -> Money {
    costs.try_fold(Decimal::ZERO, |acc, c| Some(acc + c?))
}

/// The data tiers of `plan`.
pub fn build(plan: &Plan) -> DataTiers {
    let database = plan
        .database
        .as_ref()
        .zip(plan.capacity.database.as_ref())
        .map(|(db, cap)| {
            let regions: Vec<DatabaseRow> = cap
                .regions
                .iter()
                .map(|r| {
                    let price = catalog::docdb_price(&r.region, &db.instance_class);
                    let capacity = Decimal::from(r.instances.saturating_sub(1))
                        * db.reads_per_instance_per_second;
                    DatabaseRow {
                        region: r.region.clone(),
                        instances: r.instances,
                        peak_reads_per_second: r.peak_reads_per_second,
                        failover_reads_per_second: r.failover_reads_per_second,
                        read_capacity_per_second: capacity.normalize(),
                        headroom_after_loss_percent: headroom(
                            capacity,
                            r.failover_reads_per_second,
                        ),
                        price,
                        cost_per_hour: price.map(|p| p.usd_per_hour * Decimal::from(r.instances)),
                    }
                })
                .collect();
            DatabaseSection {
                instance_class: db.instance_class.clone(),
                global_primary: db.global_primary.clone(),
                cost_per_hour: sum(regions.iter().map(|r| r.cost_per_hour)),
                regions,
                writes_per_second: cap.writes_per_second,
                writes_per_primary_per_second: cap.writes_per_primary_per_second,
                write_margin: cap.write_margin().normalize(),
                write_margin_percent: percent(
                    cap.write_margin(),
                    cap.writes_per_primary_per_second,
                ),
            }
        });
    let search = plan
        .search
        .as_ref()
        .zip(plan.capacity.search.as_ref())
        .map(|(s, cap)| {
            let regions: Vec<SearchRow> = cap
                .regions
                .iter()
                .map(|r| {
                    let data = catalog::opensearch_price(&r.region, &s.instance_type);
                    let master = catalog::opensearch_price(&r.region, &s.master_instance_type);
                    let capacity = Decimal::from(r.data_nodes) * s.queries_per_node_per_second;
                    SearchRow {
                        region: r.region.clone(),
                        data_nodes: r.data_nodes,
                        master_nodes: r.master_nodes,
                        peak_queries_per_second: r.peak_queries_per_second,
                        failover_queries_per_second: r.failover_queries_per_second,
                        query_capacity_per_second: capacity.normalize(),
                        headroom_after_loss_percent: headroom(
                            capacity,
                            r.failover_queries_per_second,
                        ),
                        cost_per_hour: data.zip(master).map(|(d, m)| {
                            d.usd_per_hour * Decimal::from(r.data_nodes)
                                + m.usd_per_hour * Decimal::from(r.master_nodes)
                        }),
                    }
                })
                .collect();
            SearchSection {
                instance_type: s.instance_type.clone(),
                master_instance_type: s.master_instance_type.clone(),
                cost_per_hour: sum(regions.iter().map(|r| r.cost_per_hour)),
                regions,
            }
        });
    DataTiers { database, search }
}

fn money_text(m: Money) -> String {
    m.map_or_else(
        || "unknown".to_string(),
        |d| format!("${}", round_fixed(d, 2)),
    )
}

/// A tier's markdown table: the header (the first column left-aligned,
/// the others right-aligned), a row of cells per region, and a total row
/// that carries only the last column, the cost per hour.
fn table(o: &mut String, header: &[&str], rows: impl Iterator<Item = Vec<String>>, total: Money) {
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let _ = writeln!(o, "|---|{}", "--:|".repeat(header.len() - 1));
    for cells in rows {
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    let blanks = " |".repeat(header.len().saturating_sub(2));
    let _ = writeln!(o, "| total |{blanks} {} |\n", money_text(total));
}

/// The markdown section (empty without data tiers).
pub fn markdown(t: &DataTiers, o: &mut String) {
    if let Some(db) = &t.database {
        o.push_str("## Database (DocumentDB)\n\n");
        let _ = writeln!(
            o,
            "{} instances{}. All writes at peak: {} /s on one primary that sustains {} /s: margin {} /s ({}%).\n",
            db.instance_class,
            db.global_primary
                .as_ref()
                .map_or(String::new(), |p| format!(
                    ", one global cluster written in {p}"
                )),
            db.writes_per_second,
            db.writes_per_primary_per_second,
            db.write_margin,
            db.write_margin_percent
        );
        table(
            o,
            &[
                "region",
                "instances",
                "reads/s at peak",
                "reads/s after a region loss",
                "read capacity/s",
                "headroom after loss",
                "$/hour",
            ],
            db.regions.iter().map(|r| {
                vec![
                    r.region.to_string(),
                    r.instances.to_string(),
                    round_fixed(r.peak_reads_per_second, 2).to_string(),
                    round_fixed(r.failover_reads_per_second, 2).to_string(),
                    r.read_capacity_per_second.to_string(),
                    format!("{}%", r.headroom_after_loss_percent),
                    money_text(r.cost_per_hour),
                ]
            }),
            db.cost_per_hour,
        );
    }
    if let Some(s) = &t.search {
        o.push_str("## Search (OpenSearch Service)\n\n");
        let _ = writeln!(
            o,
            "{} data nodes, three dedicated {} masters per domain.\n",
            s.instance_type, s.master_instance_type
        );
        table(
            o,
            &[
                "region",
                "data nodes",
                "masters",
                "queries/s at peak",
                "queries/s after a region loss",
                "query capacity/s",
                "headroom after loss",
                "$/hour",
            ],
            s.regions.iter().map(|r| {
                vec![
                    r.region.to_string(),
                    r.data_nodes.to_string(),
                    r.master_nodes.to_string(),
                    round_fixed(r.peak_queries_per_second, 2).to_string(),
                    round_fixed(r.failover_queries_per_second, 2).to_string(),
                    r.query_capacity_per_second.to_string(),
                    format!("{}%", r.headroom_after_loss_percent),
                    money_text(r.cost_per_hour),
                ]
            }),
            s.cost_per_hour,
        );
    }
}

/// The JSON report's `tiers` key (`null` members without the tables).
pub fn json(t: &DataTiers) -> Value {
    serde_json::to_value(t).unwrap_or(json!(null))
}
