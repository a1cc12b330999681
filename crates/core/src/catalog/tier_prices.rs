//! On-demand prices of the data tiers (SPEC §7): DocumentDB instances and
//! OpenSearch Service nodes per hour, from `data/aws-prices-documentdb.csv`
//! and `data/aws-prices-opensearch.csv` (AWS's public price files, with
//! their source and date in each row; see `data/README.md`).
//!
//! The files keep their own columns
//! (`service,region,instance_type_or_unit,usd,unit,source,source_date`, with
//! quoted fields); only the per-instance-hour rows are prices of a node.

use super::price_lines;
use std::sync::LazyLock;

use super::Price;

const DOCDB_CSV: &str = include_str!("../../../../data/aws-prices-documentdb.csv");
const OPENSEARCH_CSV: &str = include_str!("../../../../data/aws-prices-opensearch.csv");
const HEADER: &str = "service,region,instance_type_or_unit,usd,unit,source,source_date";
const PER_INSTANCE_HOUR: &str = "USD per instance-hour";

/// One node price row.
#[derive(Debug, Clone)]
struct NodePrice {
    region: String,
    node_type: String,
    price: Price,
}

/// The node rows of one file. Panics on a malformed row: the files are
/// compiled in and every row is parsed by the unit tests.
fn parse(file: &str, text: &'static str) -> Vec<NodePrice> {
    price_lines(file, text, HEADER)
        .filter(|p| p.fields[4] == PER_INSTANCE_HOUR)
        .map(|p| NodePrice {
            region: p.fields[1].clone(),
            node_type: p.fields[2]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
            price: Price {
                usd_per_hour: p.usd,
                source_date: p.source_date,
            },
        })
        .collect()
}

static DOCDB: LazyLock<Vec<NodePrice>> =
    LazyLock::new(|| parse("aws-prices-documentdb.csv", DOCDB_CSV));
static OPENSEARCH: LazyLock<Vec<NodePrice>> =
    LazyLock::new(|| parse("aws-prices-opensearch.csv", OPENSEARCH_CSV));

fn find(rows: &[NodePrice], region: &str, node_type: &str) -> Option<Price> {
    rows.iter()
        .find(|r| r.region == region && r.node_type == node_type)
        .map(|r| r.price)
}

/// The on-demand hourly price of one DocumentDB instance (standard storage
/// configuration); `None` is unknown, not free.
pub fn docdb_price(region: &str, instance_class: &str) -> Option<Price> {
    find(&DOCDB, region, instance_class)
}

/// The on-demand hourly price of one OpenSearch Service node; `None` is
/// unknown, not free.
pub fn opensearch_price(region: &str, instance_type: &str) -> Option<Price> {
    find(&OPENSEARCH, region, instance_type)
}

/// `("documentdb", date)` and `("opensearch", date)`: the dates of the
/// tier price files, for reports.
pub fn tier_price_dates() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for (name, rows) in [("documentdb", &*DOCDB), ("opensearch", &*OPENSEARCH)] {
        for r in rows.iter() {
            if !out.contains(&(name, r.price.source_date)) {
                out.push((name, r.price.source_date));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn every_row_parses_and_prices_are_found() {
        assert_eq!(DOCDB.len(), 45);
        assert_eq!(OPENSEARCH.len(), 45);
        let p = docdb_price("us-east-1", "db.r6g.large").unwrap();
        assert_eq!(p.usd_per_hour, Decimal::from_str("0.26315").unwrap());
        assert_eq!(p.source_date, "2025-05-08");
        let p = opensearch_price("eu-west-1", "r6g.large.search").unwrap();
        assert_eq!(p.usd_per_hour, Decimal::from_str("0.187").unwrap());
        assert_eq!(p.source_date, "2025-06-17");
        assert!(docdb_price("af-south-1", "db.r6g.large").is_none());
        for r in DOCDB.iter().chain(OPENSEARCH.iter()) {
            assert!(super::super::region(&r.region).is_some(), "{r:?}");
            assert!(r.price.usd_per_hour > Decimal::ZERO, "{r:?}");
        }
    }
}
