//! The capacity arithmetic of SPEC §4, in exact decimals.
//!
//! Every instance count is a ceiling of an exact ratio: numerator and
//! denominator are exact decimals and the ceiling is taken on their integer
//! mantissas, so `3,000,000 × 0.55 / (5000 × 0.6)` is 550, never 551.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Event, Region, Traffic};
use crate::catalog;

/// The numbers of SPEC §4 for a whole plan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Capacity {
    /// Per region, in plan order.
    pub regions: Vec<RegionCapacity>,
    /// Per event, in start order.
    pub events: Vec<EventCapacity>,
    /// The DocumentDB tier (SPEC §7), with `[database]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<super::tiers::DatabaseCapacity>,
    /// The OpenSearch tier (SPEC §7), with `[search]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<super::tiers::SearchCapacity>,
    /// The Kubernetes tier (SPEC §7), with `[kubernetes]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<super::platform::KubernetesCapacity>,
}

/// The numbers of one region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCapacity {
    /// Region code.
    pub region: String,
    /// Share of users.
    pub share: Decimal,
    /// Instance type.
    pub instance_type: String,
    /// vCPUs of one instance.
    pub vcpus_per_instance: u32,
    /// Planned users per instance: `users_per_instance × target_utilization`.
    pub planned_users_per_instance: Decimal,
    /// Users at baseline: `B × s`.
    pub baseline_users: Decimal,
    /// Users at peak: `P × s`.
    pub peak_users: Decimal,
    /// Users after losing the largest other region.
    pub failover_users: Decimal,
    /// `ceil(B × s / c)`.
    pub baseline_instances: u64,
    /// `ceil(P × s / c)`.
    pub peak_instances: u64,
    /// ASG MinSize: `max(AZs, baseline_instances)`.
    pub min_size: u64,
    /// ASG MaxSize: `ceil(f × (1 + H) / c)`.
    pub max_size: u64,
    /// `MaxSize × vCPUs`.
    pub vcpus_at_max: u64,
}

/// One event's pre-warm sizes.
#[derive(Debug, Clone, Serialize)]
pub struct EventCapacity {
    /// Event name.
    pub name: String,
    /// Users expected.
    pub expected_users: Decimal,
    /// Pre-warm start.
    pub prewarm_at: chrono::DateTime<chrono::Utc>,
    /// Event start.
    pub starts_at: chrono::DateTime<chrono::Utc>,
    /// Back to MinSize.
    pub release_at: chrono::DateTime<chrono::Utc>,
    /// Per region, in plan order.
    pub regions: Vec<EventRegion>,
}

/// One region's size during one event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRegion {
    /// Region code.
    pub region: String,
    /// `max(MinSize, ceil(E × s / c))`.
    pub prewarm_min_size: u64,
}

/// `ceil(num / den)` for non-negative exact decimals.
///
/// Both are brought to a common scale and divided as integers, so the
/// result is exact whenever the mantissas fit in an `i128` (always, for
/// plan-sized numbers); otherwise it falls back to decimal division.
/// Saturates at `u64::MAX` when the quotient does not fit, or when `den`
/// is not positive (a divisor that rounded to 0 in 28 decimal places).
pub fn ceil_div(num: Decimal, den: Decimal) -> u64 {
    if den <= Decimal::ZERO {
        return u64::MAX;
    }
    let scale = num.scale().max(den.scale());
    let n = rescaled_mantissa(num, scale);
    let d = rescaled_mantissa(den, scale);
    let q = match (n, d) {
        (Some(n), Some(d)) => {
            let q = n / d;
            if n % d == 0 { q } else { q + 1 }
        }
        _ => match num.checked_div(den) {
            Some(q) => {
                let q = q.ceil();
                q.mantissa() / 10i128.pow(q.scale())
            }
            None => return u64::MAX,
        },
    };
    u64::try_from(q.max(0)).unwrap_or(u64::MAX)
}

fn rescaled_mantissa(d: Decimal, scale: u32) -> Option<i128> {
    let factor = 10i128.checked_pow(scale - d.scale())?;
    d.mantissa().checked_mul(factor)
}

/// Compute SPEC §4 from a plan's checked traffic, regions and events
/// (before the [`Plan`](super::Plan) that carries the result is built).
pub fn compute(traffic: &Traffic, plan_regions: &[Region], plan_events: &[Event]) -> Capacity {
    let p = traffic.peak;
    let b = traffic.baseline;
    let h = traffic.headroom;
    let loss = traffic.survive_region_loss && plan_regions.len() >= 2;
    let regions: Vec<RegionCapacity> = plan_regions
        .iter()
        .map(|r| {
            let s = r.share;
            let c = r.users_per_instance * r.target_utilization;
            let peak_users = p * s;
            let baseline_users = b * s;
            // Failover: the largest other region is lost and its users spread
            // over the survivors in proportion to their shares.
            let survivors = if loss {
                Decimal::ONE - largest_other_share(plan_regions, &r.name)
            } else {
                Decimal::ONE
            };
            let failover_users = if loss {
                // No survivors (a share of 1 beside a share within the sum's
                // tolerance) leaves nothing to fail over to: saturate.
                peak_users
                    .checked_div(survivors)
                    .map_or(Decimal::MAX, |f| f.normalize())
            } else {
                peak_users
            };
            let baseline_instances = ceil_div(baseline_users, c);
            let peak_instances = ceil_div(peak_users, c);
            let min_size = baseline_instances.max(r.availability_zones.len() as u64);
            // MaxSize = ceil(P·s·(1+H) / ((1 − m)·c)), one exact ratio.
            let max_size = ceil_div(peak_users * (Decimal::ONE + h), survivors * c);
            let vcpus = catalog::instance_type(&r.instance_type).map_or(0, |t| t.vcpus);
            RegionCapacity {
                region: r.name.clone(),
                share: s,
                instance_type: r.instance_type.clone(),
                vcpus_per_instance: vcpus,
                planned_users_per_instance: c.normalize(),
                baseline_users: baseline_users.normalize(),
                peak_users: peak_users.normalize(),
                failover_users,
                baseline_instances,
                peak_instances,
                min_size,
                max_size,
                vcpus_at_max: max_size.saturating_mul(u64::from(vcpus)),
            }
        })
        .collect();
    let events = plan_events
        .iter()
        .map(|e| EventCapacity {
            name: e.name.clone(),
            expected_users: e.expected_users,
            prewarm_at: e.prewarm_at(),
            starts_at: e.starts_at,
            release_at: e.release_at(),
            regions: plan_regions
                .iter()
                .zip(&regions)
                .map(|(r, rc)| EventRegion {
                    region: r.name.clone(),
                    prewarm_min_size: rc.min_size.max(ceil_div(
                        e.expected_users * r.share,
                        r.users_per_instance * r.target_utilization,
                    )),
                })
                .collect(),
        })
        .collect();
    Capacity {
        regions,
        events,
        database: None,
        search: None,
        kubernetes: None,
    }
}

/// The fraction of users left when the largest region other than `region`
/// is lost (`1 − max_{q≠r} s_q`), or 1 when the plan does not size for a
/// region's loss (or has one region).
pub fn survivors(traffic: &Traffic, regions: &[Region], region: &str) -> Decimal {
    if traffic.survive_region_loss && regions.len() >= 2 {
        Decimal::ONE - largest_other_share(regions, region)
    } else {
        Decimal::ONE
    }
}

fn largest_other_share(regions: &[Region], region: &str) -> Decimal {
    regions
        .iter()
        .filter(|q| q.name != region)
        .map(|q| q.share)
        .max()
        .unwrap_or(Decimal::ZERO)
}

impl Capacity {
    /// The region called `name`.
    pub fn region(&self, name: &str) -> Option<&RegionCapacity> {
        self.regions.iter().find(|r| r.region == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn spec_example_is_exactly_550() {
        // 3,000,000 × 0.55 / (5000 × 0.6): f64 says 551.
        let f = 3_000_000f64 * 0.55 / (5000f64 * 0.6);
        assert_eq!(f.ceil(), 551.0, "the float trap this test guards against");
        assert_eq!(
            ceil_div(d("3000000") * d("0.55"), d("5000") * d("0.6")),
            550
        );
    }

    #[test]
    fn ceil_div_rounds_up_only_remainders() {
        assert_eq!(ceil_div(d("10"), d("5")), 2);
        assert_eq!(ceil_div(d("10.0001"), d("5")), 3);
        assert_eq!(ceil_div(d("0"), d("5")), 0);
        assert_eq!(ceil_div(d("1"), d("3")), 1);
        assert_eq!(ceil_div(d("4000000"), d("2600")), 1539);
        assert_eq!(ceil_div(d("0.3"), d("0.1")), 3);
    }
}
