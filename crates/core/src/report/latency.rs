//! The latency review: for representative metros of every Cloudflare
//! load-balancing region, which of the plan's AWS regions serves them and
//! roughly how long a round trip takes.
//!
//! # Estimate
//!
//! `rtt_ms = 2 × great_circle_km × ROUTING_FACTOR / FIBRE_KM_PER_MS`
//!
//! * Light in optical fibre covers about 200 km per millisecond (refractive
//!   index ≈ 1.47): [`FIBRE_KM_PER_MS`].
//! * Fibre does not follow great circles: cables follow coasts and terrain
//!   and routes hop through exchange points, so paths run about 1.5 times
//!   the great-circle distance ([`ROUTING_FACTOR`], a common rule of thumb
//!   for long-haul internet paths). Queueing, TLS and server time are not
//!   included: the estimate is a floor for the network part, good for
//!   spotting metros a plan serves from too far away, not for an SLO.
//!
//! # Serving region
//!
//! * `geo` steering (and the default when the plan has `[cloudflare]`): the
//!   first pool of the metro's Cloudflare region, exactly as rendered into
//!   `load_balancer.json` (`region_pools`, nearest to the region's centre).
//! * `off`: every metro goes to the fallback pool (largest share).
//! * any other policy, or no `[cloudflare]`: the plan region nearest to the
//!   metro (what proximity and latency steering aim for).
//!
//! The metro list is [`METROS`]: three large metros per Cloudflare region,
//! with approximate city-centre coordinates.

use crate::catalog;
use crate::plan::Plan;
use crate::render::cloudflare::nearest_regions;

/// Kilometres light travels in fibre per millisecond.
pub const FIBRE_KM_PER_MS: f64 = 200.0;

/// Fibre path length over great-circle distance.
pub const ROUTING_FACTOR: f64 = 1.5;

/// A representative metro: name, Cloudflare region, latitude, longitude.
pub type Metro = (&'static str, &'static str, f64, f64);

/// Three metros per Cloudflare load-balancing region, in the order of
/// [`catalog::cloudflare_regions`].
pub const METROS: &[Metro] = &[
    ("Los Angeles", "WNAM", 34.05, -118.24),
    ("Seattle", "WNAM", 47.61, -122.33),
    ("Denver", "WNAM", 39.74, -104.99),
    ("New York", "ENAM", 40.71, -74.01),
    ("Chicago", "ENAM", 41.88, -87.63),
    ("Miami", "ENAM", 25.76, -80.19),
    ("London", "WEU", 51.51, -0.13),
    ("Paris", "WEU", 48.86, 2.35),
    ("Madrid", "WEU", 40.42, -3.70),
    ("Warsaw", "EEU", 52.23, 21.01),
    ("Bucharest", "EEU", 44.43, 26.10),
    ("Helsinki", "EEU", 60.17, 24.94),
    ("Bogotá", "NSAM", 4.71, -74.07),
    ("Caracas", "NSAM", 10.48, -66.90),
    ("Quito", "NSAM", -0.18, -78.47),
    ("São Paulo", "SSAM", -23.55, -46.63),
    ("Buenos Aires", "SSAM", -34.60, -58.38),
    ("Santiago", "SSAM", -33.45, -70.67),
    ("Sydney", "OC", -33.87, 151.21),
    ("Melbourne", "OC", -37.81, 144.96),
    ("Auckland", "OC", -36.85, 174.76),
    ("Dubai", "ME", 25.20, 55.27),
    ("Riyadh", "ME", 24.71, 46.68),
    ("Tel Aviv", "ME", 32.09, 34.78),
    ("Cairo", "NAF", 30.04, 31.24),
    ("Casablanca", "NAF", 33.57, -7.59),
    ("Lagos", "NAF", 6.52, 3.38),
    ("Johannesburg", "SAF", -26.20, 28.05),
    ("Cape Town", "SAF", -33.92, 18.42),
    ("Nairobi", "SAF", -1.29, 36.82),
    ("Mumbai", "SAS", 19.08, 72.88),
    ("Delhi", "SAS", 28.61, 77.21),
    ("Bengaluru", "SAS", 12.97, 77.59),
    ("Singapore", "SEAS", 1.35, 103.82),
    ("Jakarta", "SEAS", -6.21, 106.85),
    ("Manila", "SEAS", 14.60, 120.98),
    ("Tokyo", "NEAS", 35.68, 139.69),
    ("Seoul", "NEAS", 37.57, 126.98),
    ("Hong Kong", "NEAS", 22.32, 114.17),
];

/// The latency review of a plan.
#[derive(Debug, Clone)]
pub struct Latency {
    /// The plan's round-trip target in ms.
    pub target_ms: u64,
    /// The steering policy the serving region follows (`geo`, `off`, …, or
    /// `none` without `[cloudflare]`).
    pub steering: String,
    /// One row per metro of [`METROS`].
    pub metros: Vec<MetroRow>,
}

/// One metro.
#[derive(Debug, Clone)]
pub struct MetroRow {
    /// Metro name.
    pub metro: String,
    /// Cloudflare region code.
    pub cloudflare_region: String,
    /// The AWS region that serves it.
    pub serving_region: String,
    /// The plan's region nearest to the metro (may differ under `geo`).
    pub nearest_region: String,
    /// Great-circle distance to the serving region, km (rounded).
    pub distance_km: u64,
    /// Estimated round trip, ms (rounded).
    pub rtt_ms: u64,
    /// Above the target.
    pub above_target: bool,
}

/// Estimated round trip in ms over `km` of great-circle distance.
pub fn rtt_ms(km: f64) -> f64 {
    2.0 * km * ROUTING_FACTOR / FIBRE_KM_PER_MS
}

/// Review `plan`'s latency for every metro of [`METROS`].
pub fn review(plan: &Plan) -> Latency {
    let steering = plan
        .cloudflare
        .as_ref()
        .map_or_else(|| "none".to_string(), |c| c.steering_policy.clone());
    let coords: Vec<(&str, (f64, f64))> = plan
        .regions
        .iter()
        .filter_map(|r| catalog::region(&r.name).map(|i| (r.name.as_str(), (i.lat, i.lon))))
        .collect();
    let pools = nearest_regions(plan);
    let fallback = plan
        .regions
        .iter()
        .max_by(|a, b| a.share.cmp(&b.share).then(b.name.cmp(&a.name)))
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let km_to = |metro: (f64, f64), region: &str| {
        coords
            .iter()
            .find(|(n, _)| *n == region)
            .map_or(f64::INFINITY, |(_, c)| catalog::great_circle_km(metro, *c))
    };
    let metros = METROS
        .iter()
        .filter(|_| !coords.is_empty())
        .map(|&(metro, cf, lat, lon)| {
            let here = (lat, lon);
            let nearest = coords
                .iter()
                .map(|(n, c)| (catalog::great_circle_km(here, *c), *n))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)))
                .map(|(_, n)| n.to_string())
                .unwrap_or_default();
            let serving = match steering.as_str() {
                "geo" => pools
                    .get(cf)
                    .and_then(|p| p.first().cloned())
                    .unwrap_or_else(|| nearest.clone()),
                "off" => fallback.clone(),
                _ => nearest.clone(),
            };
            let km = km_to(here, &serving);
            let rtt = rtt_ms(km).round() as u64;
            MetroRow {
                metro: metro.to_string(),
                cloudflare_region: cf.to_string(),
                serving_region: serving,
                nearest_region: nearest,
                distance_km: km.round() as u64,
                rtt_ms: rtt,
                above_target: rtt > plan.latency_target_ms,
            }
        })
        .collect();
    Latency {
        target_ms: plan.latency_target_ms,
        steering,
        metros,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloudflare_region_has_metros() {
        for code in catalog::cloudflare_regions() {
            assert!(
                METROS.iter().filter(|m| m.1 == *code).count() >= 2,
                "{code} needs representative metros"
            );
        }
        assert!(
            METROS
                .iter()
                .all(|m| catalog::cloudflare_regions().contains(&m.1))
        );
    }

    #[test]
    fn rtt_rule() {
        // 1,000 km: 2 × 1000 × 1.5 / 200 = 15 ms.
        assert!((rtt_ms(1000.0) - 15.0).abs() < 1e-9);
    }
}
