//! From a checked plan (and live data) to the [`Report`] model: levels,
//! costs, region-loss scenarios, event pre-warms, quotas and the summary.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::findings::findings;
use super::latency;
use super::model::{
    CacheInfo, EventRegionRow, EventRow, EventStatus, Levels, LiveRegion, LiveSection,
    LossScenario, Money, QuotaRow, QuotaSource, RegionRow, Report, Summary, Survivor,
};
use crate::catalog;
use crate::plan::Plan;
use crate::render::capacity_json;

/// What `--live` reads from the accounts.
#[derive(Debug, Clone, Default)]
pub struct LiveData {
    /// Running (InService) instances per region; `None` when the region
    /// could not be read (no stack, no access).
    pub instances: BTreeMap<String, Option<u64>>,
    /// The On-Demand Standard vCPU quota per region, where Service Quotas
    /// answered; it replaces the plan's `[aws] vcpu_quota` for that region.
    pub vcpu_quota: BTreeMap<String, u64>,
    /// One-paragraph drift summary (`streamscale drift`'s headline), if any.
    pub drift_summary: Option<String>,
}

/// Options of [`build`].
#[derive(Debug, Clone)]
pub struct Options {
    /// "Now" for the next event and event status.
    pub as_of: DateTime<Utc>,
}

/// Round half away from zero to `dp` decimals, keeping exactly `dp` digits.
pub(crate) fn round_fixed(d: Decimal, dp: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

/// `num / den × 100` rounded to 2 decimals (0 when `den` is 0).
pub(crate) fn percent(num: Decimal, den: Decimal) -> Decimal {
    if den.is_zero() {
        return round_fixed(Decimal::ZERO, 2);
    }
    round_fixed(num * Decimal::ONE_HUNDRED / den, 2)
}

/// Money from a division: 6 decimals, trailing zeros dropped.
fn money_ratio(num: Decimal, den: Decimal) -> Decimal {
    (num / den)
        .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Sum of amounts; unknown if any is unknown.
fn sum_money(items: impl IntoIterator<Item = Money>) -> Money {
    items
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, m| m.map(|m| acc + m))
        .map(|d| d.normalize())
}

/// `count × price`, exact.
fn times(count: u64, price: Option<Decimal>) -> Money {
    price.map(|p| (Decimal::from(count) * p).normalize())
}

/// Build the report of `plan`, with live data if given.
pub fn build(plan: &Plan, live: Option<&LiveData>, opts: &Options) -> Report {
    let cap = &plan.capacity;
    let p = plan.traffic.peak;

    // Cache.
    let cache = plan.cache.as_ref().map(|c| CacheInfo {
        engine: c.engine.as_str().to_string(),
        node_type: c.node_type.clone(),
        nodes_per_region: c.shards * (1 + c.replicas_per_shard),
    });

    let mut unknown_prices = Vec::new();
    let mut services_used: Vec<&str> = vec!["ec2"];
    if let Some(c) = &cache {
        services_used.push(if c.engine == "valkey" {
            "elasticache-valkey"
        } else {
            "elasticache"
        });
    }

    // Regions.
    let regions: Vec<RegionRow> = plan
        .regions
        .iter()
        .zip(&cap.regions)
        .map(|(r, rc)| {
            let instances = Levels {
                baseline: rc.min_size,
                peak: rc.peak_instances,
                max: rc.max_size,
            };
            let vcpus = instances.map(|n| n.saturating_mul(u64::from(rc.vcpus_per_instance)));
            let price = catalog::ec2_price(&r.name, &r.instance_type);
            if price.is_none() {
                unknown_prices.push(("ec2".into(), r.name.clone(), r.instance_type.clone()));
            }
            let usd = price.map(|p| p.usd_per_hour);
            let cost = instances.map(|n| times(n, usd));
            let (cache_cost, cache_price) = match &cache {
                None => (None, None),
                Some(c) => {
                    let price = catalog::cache_price(&c.engine, &r.name, &c.node_type);
                    if price.is_none() {
                        unknown_prices.push((
                            services_used[1].to_string(),
                            r.name.clone(),
                            c.node_type.clone(),
                        ));
                    }
                    (
                        Some(times(
                            u64::from(c.nodes_per_region),
                            price.map(|p| p.usd_per_hour),
                        )),
                        price,
                    )
                }
            };
            RegionRow {
                region: r.name.clone(),
                city: catalog::region(&r.name)
                    .map(|i| i.city.to_string())
                    .unwrap_or_default(),
                share: r.share,
                instance_type: r.instance_type.clone(),
                vcpus_per_instance: rc.vcpus_per_instance,
                users_per_instance: r.users_per_instance.normalize(),
                target_utilization: r.target_utilization.normalize(),
                planned_users_per_instance: rc.planned_users_per_instance,
                peak_users: rc.peak_users,
                failover_users: rc.failover_users,
                instances,
                vcpus,
                price,
                cost,
                cache_cost,
                cache_price,
                utilization_at_peak: percent(
                    rc.peak_users,
                    Decimal::from(rc.peak_instances) * r.users_per_instance,
                ),
            }
        })
        .collect();

    // Summary.
    let sum_levels = |f: &dyn Fn(&RegionRow) -> Levels<u64>| Levels {
        baseline: regions.iter().map(|r| f(r).baseline).sum(),
        peak: regions.iter().map(|r| f(r).peak).sum(),
        max: regions.iter().map(|r| f(r).max).sum(),
    };
    let instances = sum_levels(&|r| r.instances);
    let vcpus = sum_levels(&|r| r.vcpus);
    let compute_cost = Levels {
        baseline: sum_money(regions.iter().map(|r| r.cost.baseline)),
        peak: sum_money(regions.iter().map(|r| r.cost.peak)),
        max: sum_money(regions.iter().map(|r| r.cost.max)),
    };
    let cache_cost = cache
        .as_ref()
        .map(|_| sum_money(regions.iter().map(|r| r.cache_cost.flatten())));
    let total_cost = compute_cost.map(|c| match cache_cost {
        None => c,
        Some(cache) => sum_money([c, cache]),
    });
    let per_1000 = |m: Money| {
        m.filter(|_| p > Decimal::ZERO)
            .map(|m| money_ratio(m, p / Decimal::from(1000)))
    };
    let capacity_ceiling = plan
        .regions
        .iter()
        .zip(&cap.regions)
        .map(|(r, rc)| (Decimal::from(rc.max_size) * r.users_per_instance / r.share).floor())
        .min()
        .unwrap_or(Decimal::ZERO)
        .normalize();

    // Region loss.
    let region_loss = if plan.regions.len() < 2 {
        Vec::new()
    } else {
        plan.regions
            .iter()
            .map(|q| {
                let remaining = Decimal::ONE - q.share;
                let survivors: Vec<Survivor> = plan
                    .regions
                    .iter()
                    .zip(&cap.regions)
                    .filter(|(r, _)| r.name != q.name)
                    .map(|(r, rc)| {
                        let need = p * r.share; // users × (1 − s_q)
                        let capacity_users = Decimal::from(rc.max_size) * r.users_per_instance;
                        let planned = capacity_users * r.target_utilization;
                        Survivor {
                            region: r.name.clone(),
                            users: round_fixed(need / remaining, 2).normalize(),
                            max_size: rc.max_size,
                            capacity_users: capacity_users.normalize(),
                            utilization: percent(need, capacity_users * remaining),
                            of_target: percent(need, planned * remaining),
                            overloaded: need > capacity_users * remaining,
                            above_target: need > planned * remaining,
                        }
                    })
                    .collect();
                let breaks_at = plan
                    .regions
                    .iter()
                    .zip(&cap.regions)
                    .filter(|(r, _)| r.name != q.name)
                    .map(|(r, rc)| {
                        (Decimal::from(rc.max_size) * r.users_per_instance * remaining / r.share)
                            .floor()
                    })
                    .min()
                    .unwrap_or(Decimal::ZERO)
                    .normalize();
                LossScenario {
                    lost: q.name.clone(),
                    lost_share: q.share,
                    survivors,
                    breaks_at,
                }
            })
            .collect()
    };

    // Events.
    let events: Vec<EventRow> = cap
        .events
        .iter()
        .zip(&plan.events)
        .map(|(ec, e)| {
            let window_minutes = e.prewarm_minutes + e.duration_minutes;
            let minutes = Decimal::from(window_minutes);
            let rows: Vec<EventRegionRow> = ec
                .regions
                .iter()
                .zip(&regions)
                .map(|(er, r)| {
                    let cost_per_hour = times(er.prewarm_min_size, r.price.map(|p| p.usd_per_hour));
                    EventRegionRow {
                        region: er.region.clone(),
                        prewarm_min_size: er.prewarm_min_size,
                        min_size: r.instances.baseline,
                        cost_per_hour,
                        window_cost: cost_per_hour
                            .map(|c| money_ratio(c * minutes, Decimal::from(60))),
                    }
                })
                .collect();
            let extra_per_hour = sum_money(rows.iter().zip(&regions).map(|(row, r)| {
                times(
                    row.prewarm_min_size - row.min_size.min(row.prewarm_min_size),
                    r.price.map(|p| p.usd_per_hour),
                )
            }));
            let per_hour = sum_money(rows.iter().map(|r| r.cost_per_hour));
            let status = if opts.as_of >= ec.release_at {
                EventStatus::Past
            } else if opts.as_of >= ec.prewarm_at {
                EventStatus::InProgress
            } else {
                EventStatus::Upcoming
            };
            EventRow {
                name: ec.name.clone(),
                expected_users: ec.expected_users.normalize(),
                prewarm_at: ec.prewarm_at,
                starts_at: ec.starts_at,
                release_at: ec.release_at,
                window_minutes,
                status,
                instances: rows.iter().map(|r| r.prewarm_min_size).sum(),
                extra_instances: rows
                    .iter()
                    .map(|r| r.prewarm_min_size.saturating_sub(r.min_size))
                    .sum(),
                prewarm_cost: per_hour.map(|c| money_ratio(c * minutes, Decimal::from(60))),
                extra_cost: extra_per_hour.map(|c| money_ratio(c * minutes, Decimal::from(60))),
                regions: rows,
            }
        })
        .collect();
    let next_event = events.iter().position(|e| e.status != EventStatus::Past);

    // Quotas.
    let quotas: Vec<QuotaRow> = regions
        .iter()
        .map(|r| {
            let live_q = live.and_then(|l| l.vcpu_quota.get(&r.region).copied());
            let plan_q = plan
                .vcpu_quota
                .iter()
                .find(|(name, _)| *name == r.region)
                .map(|(_, q)| *q);
            let (quota, source) = match (live_q, plan_q) {
                (Some(q), _) => (Some(q), Some(QuotaSource::Live)),
                (None, Some(q)) => (Some(q), Some(QuotaSource::Plan)),
                (None, None) => (None, None),
            };
            QuotaRow {
                region: r.region.clone(),
                vcpus_at_peak: r.vcpus.peak,
                vcpus_at_max: r.vcpus.max,
                quota,
                source,
                shortfall: quota.and_then(|q| r.vcpus.max.checked_sub(q).filter(|s| *s > 0)),
                use_percent: quota.map(|q| percent(Decimal::from(r.vcpus.max), Decimal::from(q))),
            }
        })
        .collect();

    // Latency.
    let latency = latency::review(plan);

    // Live.
    let live = live.map(|l| LiveSection {
        regions: regions
            .iter()
            .map(|r| {
                let instances = l.instances.get(&r.region).copied().flatten();
                let expected_min = events
                    .iter()
                    .filter(|e| e.status == EventStatus::InProgress)
                    .filter_map(|e| e.regions.iter().find(|x| x.region == r.region))
                    .map(|x| x.prewarm_min_size)
                    .max()
                    .unwrap_or(r.instances.baseline);
                LiveRegion {
                    region: r.region.clone(),
                    instances,
                    expected_min,
                    max_size: r.instances.max,
                    below_min: instances.is_some_and(|n| n < expected_min),
                }
            })
            .collect(),
        drift_summary: l.drift_summary.clone(),
    });

    let survives_region_loss = region_loss.iter().all(|s| s.overloaded().next().is_none());
    let quotas_ok = if quotas.iter().all(|q| q.quota.is_none()) {
        None
    } else {
        Some(quotas.iter().all(|q| q.shortfall.is_none()))
    };
    let carries_peak = regions.iter().zip(&plan.regions).all(|(row, r)| {
        Decimal::from(row.instances.peak) * r.users_per_instance * r.target_utilization
            >= row.peak_users
    });
    let summary = Summary {
        regions: regions.len(),
        instances,
        vcpus,
        compute_cost,
        cache_cost,
        total_cost,
        compute_per_1000_peak_users: per_1000(compute_cost.peak),
        total_per_1000_peak_users: per_1000(total_cost.peak),
        capacity_ceiling,
        carries_peak,
        survives_region_loss,
        quotas_ok,
        latency_ok: latency.metros.iter().all(|m| !m.above_target),
    };

    let price_dates = catalog::price_source_dates()
        .into_iter()
        .filter(|(s, _)| services_used.contains(s))
        .map(|(s, d)| (s.to_string(), d.to_string()))
        .collect();

    let mut report = Report {
        name: plan.name.clone(),
        environment: plan.environment.clone(),
        stack_name: plan.stack_name(),
        as_of: opts.as_of,
        peak_users: p.normalize(),
        baseline_users: plan.traffic.baseline.normalize(),
        headroom: plan.traffic.headroom.normalize(),
        survive_region_loss: plan.traffic.survive_region_loss,
        summary,
        regions,
        region_loss,
        events,
        next_event,
        quotas,
        latency,
        cache,
        price_dates,
        unknown_prices,
        live,
        findings: Vec::new(),
        capacity: capacity_json(plan),
        tiers: super::tiers::build(plan),
        platform: super::platform::build(plan),
    };
    report.findings = findings(&report);
    report
}
