//! Static facts about AWS that streamscale needs without calling any API.
//!
//! This module owns:
//!
//! * the EC2 instance-type table (vCPUs, memory, architecture, CPU vendor) used to
//!   validate plans and to compute `vcpus_at_max`;
//! * the ElastiCache node-type table;
//! * the supported AWS regions, with approximate metro coordinates, the Cloudflare
//!   load-balancing region each sits in, and their availability-zone names;
//! * the Cloudflare load-balancing region codes and an approximate centre for each;
//! * on-demand hourly prices, parsed once from CSV files compiled into the binary
//!   (`data/*.csv`, see `data/README.md` for where they came from);
//! * small helpers: great-circle distance and "did you mean" suggestions.
//!
//! Each table has its module: [`instances`] (EC2 instance and ElastiCache
//! node types), [`regions`] (AWS regions, their zones, Cloudflare regions) and
//! [`prices`]; everything is re-exported here, so callers name
//! `catalog::region`, `catalog::ec2_price` and so on. This file keeps the
//! helpers: reading the embedded CSV files, great-circle distance and "did
//! you mean" suggestions.
//!
//! Everything here is pure: no network, no file system, no environment. The
//! embedded CSV files are parsed lazily on first use; because they are compiled in,
//! a malformed row is a build defect caught by this module's unit tests, not a
//! user-facing error.

use std::str::FromStr;

use rust_decimal::Decimal;

mod instances;
pub mod platform;
mod prices;
mod regions;
mod tier_prices;

pub use instances::{
    Arch, CacheNodeType, CpuVendor, InstanceType, aws_offers_instance_type, cache_node_type,
    cache_node_types, instance_type, instance_types,
};
pub use prices::{Price, cache_price, ec2_price, price_source_dates};
pub use regions::{RegionInfo, cloudflare_region_centroid, cloudflare_regions, region, regions};
pub use tier_prices::{docdb_price, opensearch_price, tier_price_dates};

/// Mean Earth radius in kilometres (IUGG mean radius R1), used by [`great_circle_km`].
const EARTH_MEAN_RADIUS_KM: f64 = 6371.0088;

/// The data rows of an embedded CSV file `file`, trimmed and split on commas,
/// each with its line. Panics when the first line is not `header`: the files
/// are compiled in and every row is exercised by the unit tests.
fn csv_rows(
    file: &str,
    text: &'static str,
    header: &str,
) -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some(header),
        "{file}: unexpected header"
    );
    lines
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| (line, line.split(',').map(str::trim).collect()))
}

/// One row of a price file in AWS's Price List layout: its seven quoted
/// fields, its price in USD and its source day.
struct PriceLine {
    /// The fields, unquoted: region in `[1]`, what it prices in `[2]`, the
    /// unit in `[4]`.
    fields: Vec<String>,
    /// The price (`[3]`).
    usd: Decimal,
    /// `2025-05-08T17:05:43Z (AWS publication); …` → `2025-05-08`, as a
    /// slice of the embedded text (the date's first occurrence).
    source_date: &'static str,
}

/// The rows of an embedded price file `file` whose first line is `header`.
/// Panics on a malformed row: the files are compiled in and every row is
/// parsed by the unit tests.
fn price_lines(file: &str, text: &'static str, header: &str) -> impl Iterator<Item = PriceLine> {
    let mut lines = text.lines();
    assert_eq!(lines.next().map(str::trim), Some(header), "{file}: header");
    lines.filter(|l| !l.trim().is_empty()).map(move |line| {
        let fields = quoted_fields(line);
        assert_eq!(fields.len(), 7, "{file}: expected 7 fields in {line:?}");
        let usd = Decimal::from_str(&fields[3])
            .unwrap_or_else(|e| panic!("{file}: bad price in {line:?}: {e}"));
        let date = fields[6].get(..10).unwrap_or("");
        let source_date: &'static str = text
            .match_indices(date)
            .next()
            .map(|(i, s)| &text[i..i + s.len()])
            .unwrap_or("");
        PriceLine {
            fields,
            usd,
            source_date,
        }
    })
}

/// The fields of one CSV line (the price files of the tiers), with `"…"` quoting and `""` escapes.
fn quoted_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Great-circle distance in kilometres between two `(lat, lon)` points in degrees,
/// by the haversine formula on a sphere of mean Earth radius 6371.0088 km.
/// Accurate to about 0.5% against the ellipsoid; enough to rank regions by distance.
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_MEAN_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The closest candidate to `input` for a "did you mean" hint on an unknown region
/// or instance type, or `None` when nothing is close.
///
/// Closeness is the Levenshtein edit distance, compared case-insensitively; a
/// candidate qualifies when the distance is at most a third of the input's length
/// (minimum 2). Ties go to the earliest candidate, so the result is deterministic.
/// An exact match is returned as is.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input: Vec<char> = input.trim().to_lowercase().chars().collect();
    if input.is_empty() {
        return None;
    }
    let limit = (input.len() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lowered: Vec<char> = candidate.to_lowercase().chars().collect();
        let distance = levenshtein(&input, &lowered);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein edit distance (insertions, deletions, substitutions) between two
/// character sequences.
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn great_circle_london_frankfurt() {
        let london = region("eu-west-2").unwrap();
        let frankfurt = region("eu-central-1").unwrap();
        let d = great_circle_km((london.lat, london.lon), (frankfurt.lat, frankfurt.lon));
        assert!((636.0..=640.0).contains(&d), "{d}");
        assert_eq!(great_circle_km((10.0, 20.0), (10.0, 20.0)), 0.0);
        let antipodes = great_circle_km((0.0, 0.0), (0.0, 180.0));
        assert!((antipodes - std::f64::consts::PI * EARTH_MEAN_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn suggestions() {
        let codes = || regions().iter().map(|r| r.code);
        assert_eq!(suggest("us-east1", codes()), Some("us-east-1"));
        assert_eq!(suggest("EU-WEST-1", codes()), Some("eu-west-1"));
        assert_eq!(suggest("eu-wset-2", codes()), Some("eu-west-2"));
        assert_eq!(suggest("mars-north-9", codes()), None);
        assert_eq!(suggest("", codes()), None);
        let types = || instance_types().iter().map(|t| t.name);
        assert_eq!(suggest("c7i.2xlarg", types()), Some("c7i.2xlarge"));
        assert_eq!(suggest("c7i.xlarge", types()), Some("c7i.xlarge"));
        assert_eq!(levenshtein(&['a', 'b', 'c'], &['y', 'a', 'b']), 2);
    }
}
