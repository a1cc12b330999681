//! On-demand hourly prices, parsed once from the CSV files compiled into the
//! binary (`data/aws-prices*.csv`, see `data/README.md` for where they came
//! from).

use std::str::FromStr;
use std::sync::LazyLock;

use rust_decimal::Decimal;
use serde::Serialize;

use super::csv_rows;

/// `data/aws-prices.csv`: EC2 (`ec2`) and ElastiCache for Redis OSS (`elasticache`) prices.
const PRICES_CSV: &str = include_str!("../../../../data/aws-prices.csv");
/// `data/aws-prices-elasticache-valkey.csv`: ElastiCache for Valkey prices.
const VALKEY_PRICES_CSV: &str = include_str!("../../../../data/aws-prices-elasticache-valkey.csv");

/// Header every embedded price file must start with.
const PRICES_HEADER: &str = "service,region,instance_type,usd_per_hour,source_date";

/// Service name of EC2 rows in the price files.
const SERVICE_EC2: &str = "ec2";
/// Service name of ElastiCache for Redis OSS rows in the price files.
const SERVICE_CACHE_REDIS: &str = "elasticache";
/// Service name of ElastiCache for Valkey rows in the price files.
const SERVICE_CACHE_VALKEY: &str = "elasticache-valkey";

/// An on-demand hourly price and the date AWS published it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Price {
    /// US dollars per hour (EC2: Linux on-demand; ElastiCache: per node).
    pub usd_per_hour: Decimal,
    /// AWS's publication date of the price file, `YYYY-MM-DD`.
    pub source_date: &'static str,
}

/// One row of an embedded price file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PriceRow {
    service: &'static str,
    region: &'static str,
    instance_type: &'static str,
    price: Price,
}

/// Every row of both embedded price files, in file order.
static PRICES: LazyLock<Vec<PriceRow>> = LazyLock::new(|| {
    let mut rows = parse_prices("aws-prices.csv", PRICES_CSV);
    rows.extend(parse_prices(
        "aws-prices-elasticache-valkey.csv",
        VALKEY_PRICES_CSV,
    ));
    rows
});

/// Parses one embedded price file. Panics on a malformed row: the file is
/// compiled in and every row is exercised by the unit tests.
fn parse_prices(file: &str, text: &'static str) -> Vec<PriceRow> {
    csv_rows(file, text, PRICES_HEADER)
        .map(|(line, fields)| {
            let [service, region, instance_type, usd, source_date] = fields[..] else {
                panic!("{file}: expected 5 fields in {line:?}");
            };
            assert!(
                [SERVICE_EC2, SERVICE_CACHE_REDIS, SERVICE_CACHE_VALKEY].contains(&service),
                "{file}: unknown service in {line:?}"
            );
            assert!(
                !region.is_empty() && !instance_type.is_empty(),
                "{file}: empty region or instance type in {line:?}"
            );
            let usd_per_hour = Decimal::from_str(usd)
                .unwrap_or_else(|e| panic!("{file}: bad price in {line:?}: {e}"));
            assert!(
                usd_per_hour > Decimal::ZERO,
                "{file}: non-positive price in {line:?}"
            );
            assert!(
                is_iso_date(source_date),
                "{file}: source_date is not YYYY-MM-DD in {line:?}"
            );
            PriceRow {
                service,
                region,
                instance_type,
                price: Price {
                    usd_per_hour,
                    source_date,
                },
            }
        })
        .collect()
}

/// Whether `s` has the shape `YYYY-MM-DD` (digits and dashes only).
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Finds the price of `instance_type` in `region` for one service.
fn find_price(service: &str, region: &str, instance_type: &str) -> Option<Price> {
    PRICES
        .iter()
        .find(|r| r.service == service && r.region == region && r.instance_type == instance_type)
        .map(|r| r.price)
}

/// The Linux on-demand hourly price of an EC2 instance type in a region.
///
/// `None` means the price is unknown (not in the embedded file), not that it is
/// free; reports should say so rather than count it as zero.
pub fn ec2_price(region: &str, instance_type: &str) -> Option<Price> {
    find_price(SERVICE_EC2, region, instance_type)
}

/// The on-demand hourly price of one ElastiCache node.
///
/// `engine` is `"redis"` (Redis OSS prices, `elasticache` rows of
/// `aws-prices.csv`) or `"valkey"` (`aws-prices-elasticache-valkey.csv`); any other
/// engine gives `None`. As for [`ec2_price`], `None` means unknown, not zero.
pub fn cache_price(engine: &str, region: &str, node_type: &str) -> Option<Price> {
    let service = match engine {
        "redis" => SERVICE_CACHE_REDIS,
        "valkey" => SERVICE_CACHE_VALKEY,
        _ => return None,
    };
    find_price(service, region, node_type)
}

/// The distinct `(service, source_date)` pairs of the embedded prices, in file
/// order: `("ec2", …)`, `("elasticache", …)`, `("elasticache-valkey", …)`.
/// Reports cite these so readers know how old the prices are.
pub fn price_source_dates() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for row in PRICES.iter() {
        let pair = (row.service, row.price.source_date);
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{cache_node_type, instance_type, region};

    /// Number of data rows (lines after the header) of an embedded CSV file.
    fn data_rows(text: &str) -> usize {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    #[test]
    fn every_price_row_parses() {
        let rows = &*PRICES;
        assert_eq!(
            rows.len(),
            data_rows(PRICES_CSV) + data_rows(VALKEY_PRICES_CSV)
        );
        assert_eq!(rows.len(), 244 + 56);
        for (i, a) in rows.iter().enumerate() {
            for b in &rows[i + 1..] {
                assert!(
                    (a.service, a.region, a.instance_type)
                        != (b.service, b.region, b.instance_type),
                    "duplicate price row {a:?}"
                );
            }
        }
    }

    #[test]
    fn every_priced_type_and_region_is_in_the_catalog() {
        for row in PRICES.iter() {
            assert!(region(row.region).is_some(), "unknown region in {row:?}");
            if row.service == SERVICE_EC2 {
                assert!(instance_type(row.instance_type).is_some(), "{row:?}");
            } else {
                assert!(cache_node_type(row.instance_type).is_some(), "{row:?}");
            }
        }
    }

    #[test]
    fn prices() {
        let p = ec2_price("us-east-1", "c7i.large").unwrap();
        assert_eq!(p.usd_per_hour, Decimal::new(8925, 5));
        assert_eq!(p.source_date, "2025-04-04");
        assert!(
            !PRICES_CSV.contains("ec2,af-south-1,c7i.large,"),
            "fixture changed: pick another missing price"
        );
        assert_eq!(ec2_price("af-south-1", "c7i.large"), None);
        assert_eq!(ec2_price("us-east-1", "cache.r7g.large"), None);

        let redis = cache_price("redis", "us-east-1", "cache.r7g.large").unwrap();
        let valkey = cache_price("valkey", "us-east-1", "cache.r7g.large").unwrap();
        assert_eq!(valkey.usd_per_hour, Decimal::new(1752, 4));
        assert_eq!(valkey.source_date, "2025-03-14");
        assert!(valkey.usd_per_hour < redis.usd_per_hour);
        assert_eq!(
            cache_price("memcached", "us-east-1", "cache.r7g.large"),
            None
        );
        assert_eq!(cache_price("redis", "us-east-1", "c7i.large"), None);
    }

    #[test]
    fn source_dates() {
        assert_eq!(
            price_source_dates(),
            vec![
                ("ec2", "2025-04-04"),
                ("elasticache", "2025-03-14"),
                ("elasticache-valkey", "2025-03-14"),
            ]
        );
    }
}
