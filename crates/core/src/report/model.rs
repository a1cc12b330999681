//! The capacity review as a plain model: every number the rendered
//! documents show, per region, per lost region, per event and per quota,
//! and the findings.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::latency;
use crate::catalog;

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
    /// DocumentDB and OpenSearch (SPEC §7), when the plan has them.
    pub tiers: super::tiers::DataTiers,
    /// Kubernetes and monitoring (SPEC §7), when the plan has them.
    pub platform: super::platform::PlatformTiers,
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
