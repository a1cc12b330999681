//! Capacity review reports: will this plan carry the event, what does it
//! cost, what happens when a region fails, and where are we short?
//!
//! [`build()`] turns a checked [`Plan`](crate::plan::Plan) (and, with
//! `--live`, [`LiveData`] read from the accounts) into a [`Report`]: a plain
//! model with every number the rendered documents show. [`markdown`], [`html`] and [`json`] render that
//! model; [`charts`] draws the HTML's charts with plotters. Everything here
//! is pure and deterministic: no network, no clock (times are relative to
//! the `as_of` instant the caller passes in), and the same plan gives the
//! same bytes.
//!
//! The model's types live in `model`, its computation in `build` and the
//! findings in `findings`; all three are re-exported here.
//!
//! # The numbers
//!
//! Capacity numbers are SPEC §4's, from [`crate::plan::capacity`]. On top of them:
//!
//! * **Levels.** *baseline* is the ASG `MinSize` (what runs between events,
//!   including the one-instance-per-AZ floor), *peak* is `ceil(p / c)` (what
//!   target tracking runs at peak), *max* is the ASG `MaxSize`.
//! * **Hourly cost** of a region at a level = instances × the EC2 Linux
//!   on-demand price of its instance type in that region
//!   ([`catalog::ec2_price`](crate::catalog::ec2_price)), exact. The cache
//!   costs nodes × node price, nodes = shards × (1 + replicas per shard), at
//!   every level. A missing
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

mod build;
pub mod charts;
mod findings;
pub mod format;
pub mod html;
pub mod json;
pub mod latency;
pub mod markdown;
mod model;
pub mod platform;
pub mod tiers;

pub(crate) use build::round_fixed;
pub use build::{LiveData, Options, build};
pub use model::{
    CacheInfo, EventRegionRow, EventRow, EventStatus, Finding, Levels, LiveRegion, LiveSection,
    LossScenario, Money, QuotaRow, QuotaSource, RegionRow, Report, Severity, Summary, Survivor,
};

/// The version of the JSON report's layout (the `format_version` key).
pub const FORMAT_VERSION: u32 = 1;

/// The Service Quotas code of "Running On-Demand Standard (A, C, D, H, I, M,
/// R, T, Z) instances", the vCPU quota the compute fleets count against.
pub const VCPU_QUOTA_CODE: &str = "L-1216C47A";

/// Where the embedded prices come from, as named in reports.
pub const PRICE_SOURCE: &str = "data/aws-prices.csv (AWS public on-demand price files)";
