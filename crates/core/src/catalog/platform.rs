//! Facts for the platform tiers of SPEC §7 (`[kubernetes]`, `[monitoring]`):
//! the Kubernetes versions Amazon EKS offers with their support dates
//! (`data/eks-versions.csv`), the EKS cluster-hour prices
//! (`data/aws-prices-eks.csv`) and the Amazon Managed Service for Prometheus
//! ingestion tiers (`data/aws-prices-prometheus.csv`). Sources and dates:
//! `data/README.md`.

use super::price_lines;
use std::sync::LazyLock;

use chrono::NaiveDate;
use rust_decimal::Decimal;

const VERSIONS_CSV: &str = include_str!("../../../../data/eks-versions.csv");
const EKS_CSV: &str = include_str!("../../../../data/aws-prices-eks.csv");
const AMP_CSV: &str = include_str!("../../../../data/aws-prices-prometheus.csv");
const PRICE_HEADER: &str = "service,region,instance_type_or_unit,usd,unit,source,source_date";

/// The day `data/eks-versions.csv` was checked against AWS's Kubernetes
/// version calendar: a version whose extended support ended before it is
/// no longer offered.
pub const EKS_VERSIONS_AS_OF: &str = "2026-12-01";

/// Where the EKS version calendar comes from.
pub const EKS_VERSIONS_SOURCE: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";

/// One Kubernetes minor version on Amazon EKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EksVersion {
    /// `1.34`.
    pub version: String,
    /// When EKS released it.
    pub released: NaiveDate,
    /// Last day of standard support (then extended support, at a surcharge).
    pub end_of_standard: NaiveDate,
    /// Last day of extended support (then EKS upgrades the cluster).
    pub end_of_extended: NaiveDate,
}

/// Where a version stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EksSupport {
    /// Standard support: the cluster-hour base price.
    Standard,
    /// Extended support: the base price plus the extended-support surcharge.
    Extended,
    /// No longer offered.
    Retired,
}

static VERSIONS: LazyLock<Vec<EksVersion>> = LazyLock::new(|| {
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("eks-versions.csv: bad date {s:?}: {e}"))
    };
    VERSIONS_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 4, "eks-versions.csv: {line:?}");
            EksVersion {
                version: f[0].to_string(),
                released: date(f[1]),
                end_of_standard: date(f[2]),
                end_of_extended: date(f[3]),
            }
        })
        .collect()
});

/// Every version in the calendar, oldest first.
pub fn eks_versions() -> &'static [EksVersion] {
    &VERSIONS
}

/// The calendar's date as a day.
pub fn eks_versions_as_of() -> NaiveDate {
    NaiveDate::parse_from_str(EKS_VERSIONS_AS_OF, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

impl EksVersion {
    /// Where this version stands on `day`.
    pub fn support_on(&self, day: NaiveDate) -> EksSupport {
        if day > self.end_of_extended {
            EksSupport::Retired
        } else if day > self.end_of_standard {
            EksSupport::Extended
        } else {
            EksSupport::Standard
        }
    }
}

/// The versions EKS offers on the calendar's date (standard or extended
/// support), oldest first.
pub fn eks_offered_versions() -> Vec<&'static EksVersion> {
    let day = eks_versions_as_of();
    VERSIONS
        .iter()
        .filter(|v| v.support_on(day) != EksSupport::Retired && v.released <= day)
        .collect()
}

/// The version called `version`, if EKS offers it on the calendar's date.
pub fn eks_version(version: &str) -> Option<&'static EksVersion> {
    eks_offered_versions()
        .into_iter()
        .find(|v| v.version == version)
}

/// One price row: the region, what it prices, USD, the unit and the day.
#[derive(Debug, Clone)]
struct PriceRow {
    region: String,
    item: String,
    usd: Decimal,
    source_date: &'static str,
}

fn parse(file: &str, text: &'static str) -> Vec<PriceRow> {
    let mut rows: Vec<PriceRow> = price_lines(file, text, PRICE_HEADER)
        .map(|p| PriceRow {
            region: p.fields[1].clone(),
            item: p.fields[2].clone(),
            usd: p.usd,
            source_date: p.source_date,
        })
        .collect();
    // A file may carry the same price from two copies: the newest first.
    rows.sort_by(|a, b| b.source_date.cmp(a.source_date));
    rows
}

static EKS: LazyLock<Vec<PriceRow>> = LazyLock::new(|| parse("aws-prices-eks.csv", EKS_CSV));
static AMP: LazyLock<Vec<PriceRow>> = LazyLock::new(|| parse("aws-prices-prometheus.csv", AMP_CSV));

/// One EKS cluster's price per hour in a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EksPrice {
    /// Standard support, USD per cluster-hour.
    pub standard_per_hour: Decimal,
    /// The extended-support surcharge added to it, USD per cluster-hour.
    pub extended_surcharge_per_hour: Decimal,
    /// AWS's publication date of the price file.
    pub source_date: &'static str,
}

/// The EKS cluster-hour prices of `region`; `None` is unknown, not free.
pub fn eks_price(region: &str) -> Option<EksPrice> {
    let find = |what: &str| {
        EKS.iter()
            .find(|r| r.region == region && r.item.starts_with(what))
    };
    let standard = find("EKS cluster, standard support")?;
    let extended = find("EKS extended support")?;
    Some(EksPrice {
        standard_per_hour: standard.usd,
        extended_surcharge_per_hour: extended.usd,
        source_date: standard.source_date,
    })
}

/// One ingestion tier of Amazon Managed Service for Prometheus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestionTier {
    /// Samples per month up to which this tier's rate applies (`None`: no end).
    pub up_to_samples: Option<u64>,
    /// USD per 10 million samples.
    pub usd_per_10m: Decimal,
}

/// AMP's ingestion tiers in `region` (monthly, per account and region),
/// lowest first, and the price file's date; `None` when the region is not
/// in the file.
pub fn amp_ingestion(region: &str) -> Option<(Vec<IngestionTier>, &'static str)> {
    let tiers = [
        ("Metric samples ingested, first 40M", Some(40_000_000)),
        ("Metric samples ingested, up to 2B", Some(2_000_000_000)),
        ("Metric samples ingested, next 250B", Some(252_000_000_000)),
        ("Metric samples ingested, over 252B", None),
    ];
    let mut out = Vec::new();
    let mut date = "";
    for (what, up_to) in tiers {
        let row = AMP
            .iter()
            .find(|r| r.region == region && r.item.starts_with(what))?;
        date = row.source_date;
        out.push(IngestionTier {
            up_to_samples: up_to,
            usd_per_10m: row.usd,
        });
    }
    Some((out, date))
}

/// The monthly ingestion cost of `samples` in `region` through the tiers.
pub fn amp_ingestion_cost(region: &str, samples: u64) -> Option<Decimal> {
    let (tiers, _) = amp_ingestion(region)?;
    let mut cost = Decimal::ZERO;
    let mut below = 0u64;
    for t in tiers {
        let top = t.up_to_samples.unwrap_or(u64::MAX);
        if samples <= below {
            break;
        }
        let in_tier = samples.min(top) - below;
        cost += Decimal::from(in_tier) * t.usd_per_10m / Decimal::from(10_000_000u64);
        below = top;
    }
    Some(cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_calendar_parses_and_retires_versions_past_extended_support() {
        assert_eq!(eks_versions().len(), 7);
        // 1.31's extended support ended on 2026-11-26, before the calendar's date.
        assert!(eks_version("1.31").is_none());
        assert!(eks_version("1.30").is_none());
        let v = eks_version("1.34").unwrap();
        assert_eq!(v.support_on(eks_versions_as_of()), EksSupport::Standard);
        let v = eks_version("1.32").unwrap();
        assert_eq!(v.support_on(eks_versions_as_of()), EksSupport::Extended);
        assert!(eks_version("1.99").is_none());
    }

    #[test]
    fn eks_prices_take_the_newest_copy() {
        let p = eks_price("us-east-1").unwrap();
        assert_eq!(p.standard_per_hour, d("0.1"));
        assert_eq!(p.extended_surcharge_per_hour, d("0.5"));
        assert_eq!(p.source_date, "2025-10-28");
        assert!(eks_price("af-south-1").is_none());
    }

    #[test]
    fn amp_ingestion_walks_the_tiers() {
        // 40M free, then 0.90 per 10M: 140M samples = 100M billed = 9 USD.
        assert_eq!(amp_ingestion_cost("us-east-1", 140_000_000), Some(d("9")));
        assert_eq!(amp_ingestion_cost("us-east-1", 40_000_000), Some(d("0")));
        // 2B at the second tier (1.96B × 0.09 / 1M), then 1B at 0.35 per 10M.
        let c = amp_ingestion_cost("us-east-1", 3_000_000_000).unwrap();
        assert_eq!(c, d("176.4") + d("35"));
    }
}
