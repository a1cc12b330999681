//! Capacity review reports: will this plan carry the event, what does it
//! cost, what happens when a region fails, and where are we short?
//!
//! [`build`] turns a checked [`Plan`] (and, with `--live`, [`LiveData`] read
//! from the accounts) into a [`Report`]: a plain model with every number the
//! rendered documents show. [`markdown`], [`html`] and [`json`] render that
//! model; [`charts`] draws the HTML's charts with plotters. Everything here
//! is pure and deterministic: no network, no clock (times are relative to
//! the `as_of` instant the caller passes in), and the same plan gives the
//! same bytes.
//!
//! # The numbers
//!
//! Capacity numbers are SPEC §4's, from [`crate::capacity`]. On top of them:
//!
//! * **Levels.** *baseline* is the ASG `MinSize` (what runs between events,
//!   including the one-instance-per-AZ floor), *peak* is `ceil(p / c)` (what
//!   target tracking runs at peak), *max* is the ASG `MaxSize`.
//! * **Hourly cost** of a region at a level = instances × the EC2 Linux
//!   on-demand price of its instance type in that region
//!   ([`catalog::ec2_price`]), exact. The cache costs nodes × node price,
//!   nodes = shards × (1 + replicas per shard), at every level. A missing
//!   price is *unknown*: it is never counted as zero, and a total that
//!   depends on it is unknown too.
//! * **Cost per 1,000 peak users per hour** = cost at peak / (P / 1000),
//!   for compute alone and for compute + cache.
//! * **Utilization at peak** = p / (peak instances × users per instance):
//!   the CPU the peak fleet runs at (at most the target utilization).
//! * **Region loss.** When region q is lost, survivor r carries
//!   `P × s_r / (1 − s_q)` users. Its utilization is those users over its
//!   `MaxSize × users_per_instance` (the most its fleet can carry at 100%
//!   CPU); above 100% it is *overloaded* (users are turned away). Also shown
//!   against the planned capacity `MaxSize × users_per_instance ×
//!   target_utilization` (above 100%: runs hotter than planned). The
//!   *breaking point* of a loss is the peak P at which the first survivor
//!   reaches 100%: `min_r MaxSize_r × users_per_instance_r × (1 − s_q) / s_r`.
//! * **Event pre-warm cost** = Σ regions pre-warm MinSize × price × the
//!   window (`prewarm_minutes + duration_minutes`) in hours; the *extra*
//!   cost counts only the instances above the normal MinSize.
//! * **Quotas**: vCPUs at max against the region's *Running On-Demand
//!   Standard (A, C, D, H, I, M, R, T, Z) instances* quota (Service Quotas
//!   code `L-1216C47A`), from the plan's `[aws] vcpu_quota` or, with
//!   `--live`, from Service Quotas.
//! * **Latency**: see [`latency`].
//!
//! Ratios that do not divide exactly are rounded half away from zero:
//! percentages to 2 decimals, money from a division to 6 decimals, users
//! after a failover to 2 decimals, breaking points down to whole users.

pub mod charts;
pub mod format;
pub mod html;
pub mod json;
pub mod latency;
pub mod markdown;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use crate::catalog;
use crate::plan::Plan;
use crate::render::capacity_json;

/// The version of the JSON report's layout (the `format_version` key).
pub const FORMAT_VERSION: u32 = 1;

/// The Service Quotas code of "Running On-Demand Standard (A, C, D, H, I, M,
/// R, T, Z) instances", the vCPU quota the compute fleets count against.
pub const VCPU_QUOTA_CODE: &str = "L-1216C47A";

/// Where the embedded prices come from, as named in reports.
pub const PRICE_SOURCE: &str = "data/aws-prices.csv (AWS public on-demand price files)";

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

/// An hourly (or other) amount in US dollars; `None` when a price is unknown.
pub type Money = Option<Decimal>;

/// One value at each capacity level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Levels<T> {
    /// Baseline (ASG MinSize).
    pub baseline: T,
    /// Peak (`ceil(p / c)`).
    pub peak: T,
    /// Max (ASG MaxSize).
    pub max: T,
}

impl<T: Copy> Levels<T> {
    /// Apply `f` to every level.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Levels<U> {
        Levels {
            baseline: f(self.baseline),
            peak: f(self.peak),
            max: f(self.max),
        }
    }

    /// The levels in order, with their names.
    pub fn named(self) -> [(&'static str, T); 3] {
        [
            ("baseline", self.baseline),
            ("peak", self.peak),
            ("max", self.max),
        ]
    }
}

/// The whole capacity review.
#[derive(Debug, Clone)]
pub struct Report {
    /// Plan name.
    pub name: String,
    /// Environment.
    pub environment: String,
    /// `<name>-<environment>`.
    pub stack_name: String,
    /// The instant "next event" and event status are relative to.
    pub as_of: DateTime<Utc>,
    /// `traffic.peak_concurrent_users`.
    pub peak_users: Decimal,
    /// `traffic.baseline_concurrent_users`.
    pub baseline_users: Decimal,
    /// `traffic.headroom`.
    pub headroom: Decimal,
    /// `traffic.survive_region_loss`.
    pub survive_region_loss: bool,
    /// Headline numbers.
    pub summary: Summary,
    /// Per region, in plan order.
    pub regions: Vec<RegionRow>,
    /// One scenario per lost region, in plan order (empty for one region).
    pub region_loss: Vec<LossScenario>,
    /// Events in start order.
    pub events: Vec<EventRow>,
    /// Index in `events` of the next event (the first not yet released).
    pub next_event: Option<usize>,
    /// vCPU quotas per region, in plan order.
    pub quotas: Vec<QuotaRow>,
    /// The latency review.
    pub latency: latency::Latency,
    /// The cache, if the plan has one.
    pub cache: Option<CacheInfo>,
    /// `(service, source_date)` of the prices used.
    pub price_dates: Vec<(String, String)>,
    /// Prices not in the embedded files: `(service, region, type)`.
    pub unknown_prices: Vec<(String, String, String)>,
    /// Live data, with `--live`.
    pub live: Option<LiveSection>,
    /// Where we are short, most severe first.
    pub findings: Vec<Finding>,
    /// `capacity.json` of the plan (SPEC §6), which the JSON report extends.
    pub capacity: Value,
}

/// Headline numbers.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Number of regions.
    pub regions: usize,
    /// Instances over all regions at each level.
    pub instances: Levels<u64>,
    /// vCPUs over all regions at each level.
    pub vcpus: Levels<u64>,
    /// EC2 cost per hour at each level.
    pub compute_cost: Levels<Money>,
    /// Cache cost per hour (the same at every level); `None` without a cache.
    pub cache_cost: Option<Money>,
    /// Compute + cache per hour at each level.
    pub total_cost: Levels<Money>,
    /// Compute cost at peak / (P / 1000).
    pub compute_per_1000_peak_users: Money,
    /// Total cost at peak / (P / 1000).
    pub total_per_1000_peak_users: Money,
    /// The most concurrent users the fleets carry at MaxSize and 100% CPU
    /// with every region up: `min_r MaxSize_r × users_per_instance_r / s_r`.
    pub capacity_ceiling: Decimal,
    /// Every region at peak is within its target utilization (always true
    /// for a valid plan; kept as an explicit check).
    pub carries_peak: bool,
    /// No loss of a single region overloads a survivor.
    pub survives_region_loss: bool,
    /// `Some(true)` when every region with a known quota fits it; `None`
    /// when no quota is known.
    pub quotas_ok: Option<bool>,
    /// No metro above the latency target.
    pub latency_ok: bool,
}

/// One region's numbers.
#[derive(Debug, Clone)]
pub struct RegionRow {
    /// Region code.
    pub region: String,
    /// The region's metro (from the catalogue).
    pub city: String,
    /// Share of users.
    pub share: Decimal,
    /// Instance type.
    pub instance_type: String,
    /// vCPUs per instance.
    pub vcpus_per_instance: u32,
    /// Users per instance at 100% CPU.
    pub users_per_instance: Decimal,
    /// Target utilization.
    pub target_utilization: Decimal,
    /// `users_per_instance × target_utilization`.
    pub planned_users_per_instance: Decimal,
    /// `P × s`.
    pub peak_users: Decimal,
    /// Users after the largest other region is lost (SPEC §4).
    pub failover_users: Decimal,
    /// Instances at baseline (MinSize), peak, max (MaxSize).
    pub instances: Levels<u64>,
    /// vCPUs at each level.
    pub vcpus: Levels<u64>,
    /// EC2 price per instance-hour.
    pub price: Option<catalog::Price>,
    /// Hourly EC2 cost at each level.
    pub cost: Levels<Money>,
    /// Cache cost per hour in this region; `None` without a cache.
    pub cache_cost: Option<Money>,
    /// Cache node price, if known.
    pub cache_price: Option<catalog::Price>,
    /// `p / (peak instances × users_per_instance)`, percent.
    pub utilization_at_peak: Decimal,
}

/// The cache as the report shows it.
#[derive(Debug, Clone)]
pub struct CacheInfo {
    /// `redis` or `valkey`.
    pub engine: String,
    /// Node type.
    pub node_type: String,
    /// Nodes per region: shards × (1 + replicas).
    pub nodes_per_region: u32,
}

/// The loss of one region.
#[derive(Debug, Clone)]
pub struct LossScenario {
    /// The region lost.
    pub lost: String,
    /// Its share.
    pub lost_share: Decimal,
    /// Every other region, in plan order.
    pub survivors: Vec<Survivor>,
    /// The peak P at which the first survivor reaches 100% of its MaxSize
    /// capacity, whole users (rounded down).
    pub breaks_at: Decimal,
}

impl LossScenario {
    /// The survivors above 100% of their MaxSize capacity.
    pub fn overloaded(&self) -> impl Iterator<Item = &Survivor> {
        self.survivors.iter().filter(|s| s.overloaded)
    }
}

/// One survivor of a region loss.
#[derive(Debug, Clone)]
pub struct Survivor {
    /// Region code.
    pub region: String,
    /// `P × s_r / (1 − s_q)`, rounded to 2 decimals.
    pub users: Decimal,
    /// ASG MaxSize.
    pub max_size: u64,
    /// `MaxSize × users_per_instance`: users at 100% CPU.
    pub capacity_users: Decimal,
    /// users / capacity, percent.
    pub utilization: Decimal,
    /// users / (capacity × target utilization), percent.
    pub of_target: Decimal,
    /// Above 100% of the MaxSize capacity (exact comparison).
    pub overloaded: bool,
    /// Above the planned (target) capacity, exact comparison.
    pub above_target: bool,
}

/// Where an event stands at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Pre-warm not started.
    Upcoming,
    /// Between pre-warm and release.
    InProgress,
    /// Released.
    Past,
}

impl EventStatus {
    /// `upcoming`, `in_progress`, `past`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Upcoming => "upcoming",
            EventStatus::InProgress => "in_progress",
            EventStatus::Past => "past",
        }
    }
}

/// One event's pre-warm.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// Name.
    pub name: String,
    /// Users expected.
    pub expected_users: Decimal,
    /// `starts_at − prewarm_minutes`.
    pub prewarm_at: DateTime<Utc>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// `starts_at + duration_minutes`.
    pub release_at: DateTime<Utc>,
    /// Minutes from pre-warm to release.
    pub window_minutes: u32,
    /// Relative to `as_of`.
    pub status: EventStatus,
    /// Per region, in plan order.
    pub regions: Vec<EventRegionRow>,
    /// Σ pre-warm MinSize.
    pub instances: u64,
    /// Σ (pre-warm MinSize − MinSize).
    pub extra_instances: u64,
    /// Cost of the pre-warmed fleets over the window.
    pub prewarm_cost: Money,
    /// Cost of the instances above MinSize over the window.
    pub extra_cost: Money,
}

/// One region during one event.
#[derive(Debug, Clone)]
pub struct EventRegionRow {
    /// Region code.
    pub region: String,
    /// Pre-warm MinSize.
    pub prewarm_min_size: u64,
    /// The normal MinSize.
    pub min_size: u64,
    /// Pre-warm fleet cost per hour.
    pub cost_per_hour: Money,
    /// Pre-warm fleet cost over the window.
    pub window_cost: Money,
}

/// Where a quota figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaSource {
    /// The plan's `[aws] vcpu_quota`.
    Plan,
    /// Service Quotas (`--live`).
    Live,
}

impl QuotaSource {
    /// `plan` or `live`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaSource::Plan => "plan",
            QuotaSource::Live => "live",
        }
    }
}

/// One region's vCPU quota check.
#[derive(Debug, Clone)]
pub struct QuotaRow {
    /// Region code.
    pub region: String,
    /// vCPUs at peak.
    pub vcpus_at_peak: u64,
    /// vCPUs at MaxSize.
    pub vcpus_at_max: u64,
    /// The quota, if known.
    pub quota: Option<u64>,
    /// Where it came from.
    pub source: Option<QuotaSource>,
    /// `vcpus_at_max − quota` when positive.
    pub shortfall: Option<u64>,
    /// vCPUs at max as a percentage of the quota.
    pub use_percent: Option<Decimal>,
}

/// Live state, with `--live`.
#[derive(Debug, Clone)]
pub struct LiveSection {
    /// Per region, in plan order.
    pub regions: Vec<LiveRegion>,
    /// The drift headline.
    pub drift_summary: Option<String>,
}

/// One region's live instance count against the plan.
#[derive(Debug, Clone)]
pub struct LiveRegion {
    /// Region code.
    pub region: String,
    /// Running instances; `None` if unknown.
    pub instances: Option<u64>,
    /// The MinSize in force at `as_of` (pre-warm size during an event window).
    pub expected_min: u64,
    /// MaxSize.
    pub max_size: u64,
    /// Below `expected_min`.
    pub below_min: bool,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Will hurt: overload, quota shortfall.
    Critical,
    /// Should be looked at.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `critical`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing the review should discuss.
#[derive(Debug, Clone)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The report section: `capacity`, `region_loss`, `quotas`, `latency`,
    /// `prices`, `live`.
    pub section: &'static str,
    /// One sentence.
    pub message: String,
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
    };
    report.findings = findings(&report);
    report
}

/// Where we are short, most severe first (stable within a severity).
fn findings(r: &Report) -> Vec<Finding> {
    use format::{int, pct, users};
    let mut out = Vec::new();
    let mut push = |severity, section, message: String| {
        out.push(Finding {
            severity,
            section,
            message,
        })
    };
    if !r.summary.carries_peak {
        push(
            Severity::Critical,
            "capacity",
            "the peak fleet does not carry the peak at the target utilization".into(),
        );
    }
    for s in &r.region_loss {
        let over: Vec<String> = s
            .overloaded()
            .map(|v| format!("{} ({})", v.region, pct(v.utilization)))
            .collect();
        if !over.is_empty() {
            push(
                Severity::Critical,
                "region_loss",
                format!(
                    "losing {} overloads {} beyond MaxSize at 100% CPU; with {} lost the plan carries at most {} concurrent users",
                    s.lost,
                    over.join(", "),
                    s.lost,
                    users(s.breaks_at)
                ),
            );
        }
    }
    if r.regions.len() >= 2 && !r.survive_region_loss {
        push(
            Severity::Warning,
            "region_loss",
            "survive_region_loss is off: MaxSize is sized for each region's own peak only".into(),
        );
    }
    if r.regions.len() == 1 {
        push(
            Severity::Warning,
            "region_loss",
            "a single region: losing it is a full outage".into(),
        );
    }
    for q in &r.quotas {
        if let (Some(short), Some(quota)) = (q.shortfall, q.quota) {
            push(
                Severity::Critical,
                "quotas",
                format!(
                    "{}: {} vCPUs at MaxSize against a quota of {} ({}), {} short; raise {}",
                    q.region,
                    int(q.vcpus_at_max),
                    int(quota),
                    q.source.map_or("", |s| s.as_str()),
                    int(short),
                    VCPU_QUOTA_CODE
                ),
            );
        }
    }
    let missing: Vec<&str> = r
        .quotas
        .iter()
        .filter(|q| q.quota.is_none())
        .map(|q| q.region.as_str())
        .collect();
    if !missing.is_empty() {
        push(
            Severity::Info,
            "quotas",
            format!(
                "no vCPU quota known for {}: add it to [aws] vcpu_quota or run with --live",
                missing.join(", ")
            ),
        );
    }
    let slow: Vec<String> = r
        .latency
        .metros
        .iter()
        .filter(|m| m.above_target)
        .map(|m| format!("{} ({} ms from {})", m.metro, m.rtt_ms, m.serving_region))
        .collect();
    if !slow.is_empty() {
        push(
            Severity::Warning,
            "latency",
            format!(
                "estimated round trip above the {} ms target for {}",
                r.latency.target_ms,
                slow.join(", ")
            ),
        );
    }
    for (service, region, kind) in &r.unknown_prices {
        push(
            Severity::Info,
            "prices",
            format!(
                "no {service} price for {kind} in {region}: its costs show as unknown, totals that need it too"
            ),
        );
    }
    if let Some(l) = &r.live {
        for x in &l.regions {
            match x.instances {
                None => push(
                    Severity::Warning,
                    "live",
                    format!("{}: live instance count unknown", x.region),
                ),
                Some(n) if x.below_min => push(
                    Severity::Warning,
                    "live",
                    format!(
                        "{} runs {} instances, below the {} the plan sets now",
                        x.region,
                        int(n),
                        int(x.expected_min)
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    out.sort_by_key(|f| f.severity);
    out
}
