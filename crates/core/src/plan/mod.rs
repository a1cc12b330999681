//! The capacity plan: loading (TOML, `extends`), the checked model every
//! other module works from, and its diagnostics.
//!
//! [`load`] is the one way in: it reads the file and its parents, refuses
//! unknown keys and wrong types, applies `[defaults]`, checks every rule of
//! SPEC §4 and computes the capacity numbers. It never touches the network.

pub mod capacity;
pub mod diagnostic;
pub mod platform;
pub mod schema;
pub mod source;
pub mod tiers;
pub mod timeline;

pub use source::PlanFiles;
mod validate;

use std::path::Path;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

pub use diagnostic::{Diagnostic, ErrorCode, PlanErrors};
pub use schema::{CacheEngine, Cloudflare};
pub use source::SourceMap;

use capacity::Capacity;

/// A checked capacity plan with `[defaults]` applied to every region.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan's name.
    pub name: String,
    /// The environment (default: the plan file's stem).
    pub environment: String,
    /// Users at peak and baseline.
    pub traffic: Traffic,
    /// Regions in file order.
    pub regions: Vec<Region>,
    /// ElastiCache, if any.
    pub cache: Option<Cache>,
    /// Events in start order.
    pub events: Vec<Event>,
    /// Cloudflare, if any.
    pub cloudflare: Option<Cloudflare>,
    /// Regions applied first.
    pub canary: Vec<String>,
    /// `[deploy] fail_on`: the risk gates `plan` applies by default.
    pub fail_on: Vec<crate::review::Gate>,
    /// S3 bucket for large templates.
    pub template_bucket: Option<String>,
    /// vCPU quota per region, where the plan states one.
    pub vcpu_quota: Vec<(String, u64)>,
    /// Round-trip target for the latency review, in ms.
    pub latency_target_ms: u64,
    /// Days the load balancer's access logs are kept.
    pub access_log_expiry_days: u32,
    /// Deletion protection of the load balancer and the access-log bucket.
    pub deletion_protection: bool,
    /// The addresses allowed to reach the load balancers (Cloudflare's
    /// published ranges: the bundled copy, or the list `plan` fetched).
    pub origin_ranges: crate::origin::OriginRanges,
    /// DocumentDB (`[database]`, SPEC §7), if any.
    pub database: Option<tiers::Database>,
    /// OpenSearch Service (`[search]`, SPEC §7), if any.
    pub search: Option<tiers::Search>,
    /// EKS (`[kubernetes]`, SPEC §7), if any.
    pub kubernetes: Option<platform::Kubernetes>,
    /// Amazon Managed Service for Prometheus (`[monitoring]`, SPEC §7), if any.
    pub monitoring: Option<platform::Monitoring>,
    /// The computed numbers of SPEC §4 (and §7 for the data tiers).
    pub capacity: Capacity,
    /// Where every value came from.
    pub sources: SourceMap,
}

impl Plan {
    /// The CloudFormation stack name: `<name>-<environment>`.
    pub fn stack_name(&self) -> String {
        format!("{}-{}", self.name, self.environment)
    }

    /// The region called `name`.
    pub fn region(&self, name: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.name == name)
    }
}

/// `[traffic]`, checked.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Concurrent users at peak.
    pub peak: Decimal,
    /// Concurrent users at baseline.
    pub baseline: Decimal,
    /// Extra capacity above the need.
    pub headroom: Decimal,
    /// Size for the loss of the largest other region.
    pub survive_region_loss: bool,
}

/// One region with `[defaults]` applied.
#[derive(Debug, Clone)]
pub struct Region {
    /// AWS region code.
    pub name: String,
    /// Fraction of users served here.
    pub share: Decimal,
    /// EC2 instance type.
    pub instance_type: String,
    /// Users per instance at 100% CPU.
    pub users_per_instance: Decimal,
    /// Planned utilization at peak.
    pub target_utilization: Decimal,
    /// The AZ names used, in order.
    pub availability_zones: Vec<String>,
    /// AMI id.
    pub ami: String,
    /// The ACM certificate of the HTTPS listener (in this region).
    pub certificate_arn: String,
    /// Load-balancer health-check path.
    pub health_check_path: String,
    /// Root volume size in GiB.
    pub root_volume_gib: u32,
}

/// `[cache]`, checked.
#[derive(Debug, Clone)]
pub struct Cache {
    /// Engine.
    pub engine: CacheEngine,
    /// Node type.
    pub node_type: String,
    /// Shards.
    pub shards: u32,
    /// Replicas per shard.
    pub replicas_per_shard: u32,
    /// Engine version.
    pub engine_version: String,
}

/// One live event, checked.
#[derive(Debug, Clone)]
pub struct Event {
    /// Name.
    pub name: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// Pre-warm lead in minutes.
    pub prewarm_minutes: u32,
    /// Users expected.
    pub expected_users: Decimal,
}

impl Event {
    /// When capacity is raised: `starts_at − prewarm_minutes`.
    pub fn prewarm_at(&self) -> DateTime<Utc> {
        self.starts_at - chrono::Duration::minutes(i64::from(self.prewarm_minutes))
    }

    /// When capacity goes back: `starts_at + duration_minutes`.
    pub fn release_at(&self) -> DateTime<Utc> {
        self.starts_at + chrono::Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// Load, merge, check and size the plan at `path`, reading it and its
/// `extends` chain through `files`.
pub fn load(path: &Path, files: &dyn PlanFiles) -> Result<Plan, PlanErrors> {
    let merged = source::load_with(path, None, files)?;
    validate::build(merged)
}

/// Load a plan from text, as if read from the file `path`; its `extends`
/// (if any) are read through `files`.
pub fn from_text(path: &Path, text: &str, files: &dyn PlanFiles) -> Result<Plan, PlanErrors> {
    let merged = source::load_with(path, Some(text.to_string()), files)?;
    validate::build(merged)
}

/// Plan text alone, with no files behind it: an `extends` is an error.
pub fn from_str(path: &Path, text: &str) -> Result<Plan, PlanErrors> {
    from_text(path, text, &NoFiles)
}

/// No files at all: every read fails (plans given as text, with no `extends`).
pub struct NoFiles;

impl PlanFiles for NoFiles {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no file {} (the plan was given as text)", path.display()),
        ))
    }
}
