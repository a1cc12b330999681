//! The supported AWS regions (`data/aws-regions.csv`): metro coordinates,
//! the Cloudflare load-balancing region each sits in and their
//! availability-zone names; and the Cloudflare load-balancing regions with an
//! approximate centre for each.

use std::sync::LazyLock;

use serde::Serialize;

use super::csv_rows;

/// `data/aws-regions.csv`: region code, metro, coordinates and Cloudflare region.
const REGIONS_CSV: &str = include_str!("../../../../data/aws-regions.csv");
/// Header the embedded region file must start with.
const REGIONS_HEADER: &str = "region,city,lat,lon,cloudflare_region";

/// An AWS region streamscale can deploy to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionInfo {
    /// Region code, e.g. `"eu-west-1"`.
    pub code: &'static str,
    /// Metro the region is in (AWS names only the metro), e.g. `"Dublin"`.
    pub city: &'static str,
    /// Approximate latitude of the metro, degrees north.
    pub lat: f64,
    /// Approximate longitude of the metro, degrees east.
    pub lon: f64,
    /// Cloudflare load-balancing region the AWS region sits in (one of
    /// [`cloudflare_regions`]).
    pub cloudflare_region: &'static str,
    /// Availability-zone names, in name order.
    pub availability_zones: &'static [&'static str],
}

/// Availability-zone names of each supported region, in name order.
///
/// Each list is the intersection of the zone names AWS reports for the region
/// (moto 5.2.5's recorded `DescribeInstanceTypeOfferings` data) and the zones the
/// moto 5.2.5 emulator accepts for subnets (`RegionsAndZonesBackend.zones`), because
/// rendered templates name subnets' zones explicitly. Not every region runs
/// `a`, `b`, `c`: ap-northeast-1 has `a`, `c`, `d` and ca-central-1 has `a`, `b`, `d`.
/// eu-west-2 also has `eu-west-2d` in AWS, left out because moto rejects it.
/// In most accounts `us-east-1e` is a constrained zone without newer instance
/// families (no c7i there), so prefer the first zones of each list.
fn availability_zones_of(code: &str) -> Option<&'static [&'static str]> {
    let zones: &'static [&'static str] = match code {
        "us-east-1" => &[
            "us-east-1a",
            "us-east-1b",
            "us-east-1c",
            "us-east-1d",
            "us-east-1e",
            "us-east-1f",
        ],
        "us-east-2" => &["us-east-2a", "us-east-2b", "us-east-2c"],
        "us-west-2" => &["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
        "ca-central-1" => &["ca-central-1a", "ca-central-1b", "ca-central-1d"],
        "sa-east-1" => &["sa-east-1a", "sa-east-1b", "sa-east-1c"],
        "eu-west-1" => &["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "eu-west-2" => &["eu-west-2a", "eu-west-2b", "eu-west-2c"],
        "eu-central-1" => &["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        "eu-north-1" => &["eu-north-1a", "eu-north-1b", "eu-north-1c"],
        "ap-south-1" => &["ap-south-1a", "ap-south-1b", "ap-south-1c"],
        "ap-southeast-1" => &["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"],
        "ap-southeast-2" => &["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        "ap-northeast-1" => &["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
        "ap-northeast-2" => &[
            "ap-northeast-2a",
            "ap-northeast-2b",
            "ap-northeast-2c",
            "ap-northeast-2d",
        ],
        "me-central-1" => &["me-central-1a", "me-central-1b", "me-central-1c"],
        "af-south-1" => &["af-south-1a", "af-south-1b", "af-south-1c"],
        _ => return None,
    };
    Some(zones)
}

/// The regions of `data/aws-regions.csv`, parsed on first use.
static REGIONS: LazyLock<Vec<RegionInfo>> = LazyLock::new(|| parse_regions(REGIONS_CSV));

/// Parses the embedded region file. Panics on a malformed row: the file is
/// compiled in and every row is exercised by the unit tests.
fn parse_regions(text: &'static str) -> Vec<RegionInfo> {
    csv_rows("aws-regions.csv", text, REGIONS_HEADER)
        .map(|(line, fields)| {
            let [code, city, lat, lon, cloudflare_region] = fields[..] else {
                panic!("aws-regions.csv: expected 5 fields in {line:?}");
            };
            let lat: f64 = lat
                .parse()
                .unwrap_or_else(|e| panic!("aws-regions.csv: bad lat in {line:?}: {e}"));
            let lon: f64 = lon
                .parse()
                .unwrap_or_else(|e| panic!("aws-regions.csv: bad lon in {line:?}: {e}"));
            assert!(
                (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon),
                "aws-regions.csv: coordinates out of range in {line:?}"
            );
            assert!(
                CLOUDFLARE_REGIONS.contains(&cloudflare_region),
                "aws-regions.csv: unknown Cloudflare region in {line:?}"
            );
            let availability_zones = availability_zones_of(code)
                .unwrap_or_else(|| panic!("aws-regions.csv: no availability zones for {code}"));
            RegionInfo {
                code,
                city,
                lat,
                lon,
                cloudflare_region,
                availability_zones,
            }
        })
        .collect()
}

/// Looks up a supported AWS region by its code (e.g. `"eu-west-1"`).
///
/// Returns `None` for regions streamscale does not support; use
/// [`suggest`](super::suggest) with [`regions`] codes for a "did you mean"
/// hint.
pub fn region(code: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|r| r.code == code)
}

/// All supported AWS regions, in the order of `data/aws-regions.csv`.
pub fn regions() -> &'static [RegionInfo] {
    REGIONS.as_slice()
}

// ---------------------------------------------------------------------------
// Cloudflare load-balancing regions
// ---------------------------------------------------------------------------

/// Cloudflare load-balancing region codes, in the order of Cloudflare's API schema.
static CLOUDFLARE_REGIONS: &[&str] = &[
    "WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "SAS", "SEAS", "NEAS",
];

/// The Cloudflare load-balancing region codes: WNAM (Western North America), ENAM
/// (Eastern North America), WEU (Western Europe), EEU (Eastern Europe), NSAM
/// (Northern South America), SSAM (Southern South America), OC (Oceania), ME
/// (Middle East), NAF (Northern Africa), SAF (Southern Africa), SAS (Southern
/// Asia), SEAS (South-East Asia) and NEAS (North-East Asia).
pub fn cloudflare_regions() -> &'static [&'static str] {
    CLOUDFLARE_REGIONS
}

/// An approximate centre `(lat, lon)` in degrees of a Cloudflare load-balancing
/// region, or `None` for an unknown code.
///
/// These are hand-picked points near the middle of each region's land mass and
/// population, not official Cloudflare data; they are only good for choosing the
/// nearest AWS region (e.g. with [`great_circle_km`](super::great_circle_km)),
/// never for exact distances:
///
/// | code | point | near |
/// |---|---|---|
/// | WNAM | 40.0, −114.0 | Nevada/Utah border |
/// | ENAM | 39.0, −82.0 | southern Ohio |
/// | WEU | 48.5, 4.0 | north-eastern France |
/// | EEU | 51.0, 25.0 | western Ukraine |
/// | NSAM | 5.0, −68.0 | Colombia/Venezuela |
/// | SSAM | −25.0, −57.0 | Paraguay |
/// | OC | −27.0, 140.0 | central Australia |
/// | ME | 27.0, 45.0 | Saudi Arabia |
/// | NAF | 25.0, 12.0 | Libya/Algeria |
/// | SAF | −20.0, 25.0 | Botswana |
/// | SAS | 22.0, 79.0 | central India |
/// | SEAS | 5.0, 110.0 | South China Sea, between Malaysia and Indonesia |
/// | NEAS | 36.0, 125.0 | Yellow Sea, between China, Korea and Japan |
pub fn cloudflare_region_centroid(code: &str) -> Option<(f64, f64)> {
    let centre = match code {
        "WNAM" => (40.0, -114.0),
        "ENAM" => (39.0, -82.0),
        "WEU" => (48.5, 4.0),
        "EEU" => (51.0, 25.0),
        "NSAM" => (5.0, -68.0),
        "SSAM" => (-25.0, -57.0),
        "OC" => (-27.0, 140.0),
        "ME" => (27.0, 45.0),
        "NAF" => (25.0, 12.0),
        "SAF" => (-20.0, 25.0),
        "SAS" => (22.0, 79.0),
        "SEAS" => (5.0, 110.0),
        "NEAS" => (36.0, 125.0),
        _ => return None,
    };
    Some(centre)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::great_circle_km;

    #[test]
    fn every_region_row_parses_with_zones_and_cloudflare_region() {
        let codes: Vec<&str> = REGIONS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(codes.len(), 16);
        let listed: Vec<&str> = regions().iter().map(|r| r.code).collect();
        assert_eq!(listed, codes, "regions() must follow the file's order");
        for code in codes {
            let r = region(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(r.availability_zones.len() >= 2, "{code}: fewer than 2 AZs");
            assert!(
                cloudflare_regions().contains(&r.cloudflare_region),
                "{code}: {} is not a Cloudflare region",
                r.cloudflare_region
            );
            let mut sorted = r.availability_zones.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                sorted, r.availability_zones,
                "{code}: AZs not in name order"
            );
            for az in r.availability_zones {
                let suffix = az.strip_prefix(code).unwrap_or_else(|| panic!("{az}"));
                assert!(
                    suffix.len() == 1 && suffix.as_bytes()[0].is_ascii_lowercase(),
                    "{az}"
                );
            }
        }
        assert!(region("us-west-1").is_none());
    }

    #[test]
    fn ap_northeast_1_has_no_zone_b() {
        let zones = region("ap-northeast-1").unwrap().availability_zones;
        assert!(!zones.contains(&"ap-northeast-1b"));
        assert_eq!(
            zones,
            ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
        );
    }

    #[test]
    fn cloudflare_centroids() {
        assert_eq!(cloudflare_regions().len(), 13);
        for code in cloudflare_regions() {
            let (lat, lon) = cloudflare_region_centroid(code).unwrap();
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        }
        assert_eq!(cloudflare_region_centroid("XX"), None);
        // Each AWS region lies reasonably near the centre of its Cloudflare region.
        for r in regions() {
            let c = cloudflare_region_centroid(r.cloudflare_region).unwrap();
            let d = great_circle_km((r.lat, r.lon), c);
            assert!(
                d < 2500.0,
                "{} is {d} km from {}",
                r.code,
                r.cloudflare_region
            );
        }
    }
}
