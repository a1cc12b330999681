//! The plan file format as written (SPEC §3): serde types with unknown keys
//! refused. Values are checked and defaults applied in [`super::validate`].

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A whole plan file after `extends` merging.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The plan's name: `[a-z0-9-]`, 1..32 characters.
    pub name: String,
    /// The environment; defaults to the plan file's stem.
    pub environment: Option<String>,
    /// Settings every region inherits.
    #[serde(default)]
    pub defaults: RegionSettings,
    /// Users at peak and baseline.
    pub traffic: Traffic,
    /// The AWS regions and their shares, in file order.
    #[serde(default)]
    pub regions: IndexMap<String, RegionEntry>,
    /// ElastiCache per region; absent for none.
    pub cache: Option<Cache>,
    /// Live events to pre-warm for.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Cloudflare in front of the regions; absent for none.
    pub cloudflare: Option<Cloudflare>,
    /// How `apply` rolls out.
    #[serde(default)]
    pub deploy: Deploy,
    /// AWS account settings.
    #[serde(default)]
    pub aws: AwsSettings,
    /// Capacity review settings.
    #[serde(default)]
    pub report: ReportSettings,
    /// Load balancer access logs.
    #[serde(default)]
    pub access_logs: AccessLogs,
    /// DocumentDB per region (SPEC §7); absent for none.
    pub database: Option<Database>,
    /// OpenSearch Service per region (SPEC §7); absent for none.
    pub search: Option<Search>,
    /// EKS: the instances become the cluster's worker nodes (SPEC §7); absent for none.
    pub kubernetes: Option<Kubernetes>,
    /// Amazon Managed Service for Prometheus per region (SPEC §7); absent for none.
    pub monitoring: Option<Monitoring>,
}

/// Declares the per-region settings once: [`RegionSettings`] (`[defaults]`)
/// and [`RegionEntry`] (`[regions.NAME]`, a share plus the same settings as
/// overrides). Both refuse unknown keys, which `#[serde(flatten)]` cannot
/// combine with, so the fields are written out in each struct by the macro.
macro_rules! region_settings {
    ($($(#[doc = $doc:literal])* $field:ident: $ty:ty,)*) => {
        /// Per-region settings that `[defaults]` gives and a region may override.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RegionSettings {
            $($(#[doc = $doc])* pub $field: Option<$ty>,)*
        }

        /// One `[regions.NAME]` table: a share plus any overrides of `[defaults]`.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RegionEntry {
            /// Fraction of users served here.
            pub share: Decimal,
            $(
                #[doc = concat!("Overrides `[defaults].", stringify!($field), "`.")]
                pub $field: Option<$ty>,
            )*
        }
    };
}

region_settings! {
    /// EC2 instance type.
    instance_type: String,
    /// Concurrent users one instance sustains at 100% CPU.
    users_per_instance: i64,
    /// Planned fraction of that at peak, (0, 1].
    target_utilization: Decimal,
    /// Availability zones to spread over, 2..=6.
    availability_zones: i64,
    /// AMI id.
    ami: String,
    /// ACM certificate for an HTTPS listener (HTTP redirects to it).
    certificate_arn: String,
    /// The load balancer's health-check path (default: Cloudflare's, or `/healthz`).
    health_check_path: String,
    /// Root volume size in GiB (default 30).
    root_volume_gib: i64,
}

/// `[traffic]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Concurrent users at peak.
    pub peak_concurrent_users: i64,
    /// Concurrent users at baseline.
    pub baseline_concurrent_users: i64,
    /// Extra capacity above the need, 0..=4.
    #[serde(default)]
    pub headroom: Decimal,
    /// Size every region to absorb the loss of the largest other one.
    #[serde(default)]
    pub survive_region_loss: bool,
}

/// Cache engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheEngine {
    /// Redis OSS.
    Redis,
    /// Valkey.
    Valkey,
}

impl CacheEngine {
    /// The name as written in plans and as ElastiCache's `Engine`.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheEngine::Redis => "redis",
            CacheEngine::Valkey => "valkey",
        }
    }
}

/// `[cache]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    /// redis | valkey.
    #[serde(default = "default_engine")]
    pub engine: CacheEngine,
    /// ElastiCache node type.
    pub node_type: String,
    /// Node groups (shards), 1..=500.
    #[serde(default = "one")]
    pub shards: i64,
    /// Replicas per shard, 0..=5.
    #[serde(default = "one")]
    pub replicas_per_shard: i64,
    /// Engine version (default: 7.1 for redis, 8.0 for valkey).
    pub engine_version: Option<String>,
}

fn default_engine() -> CacheEngine {
    CacheEngine::Redis
}

fn one() -> i64 {
    1
}

/// One `[[events]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// `[a-z0-9-]`.
    pub name: String,
    /// RFC 3339 start time.
    pub starts_at: String,
    /// Length of the event.
    pub duration_minutes: i64,
    /// How long before the start capacity is raised (default 30).
    #[serde(default = "default_prewarm")]
    pub prewarm_minutes: i64,
    /// Users expected at the event's peak.
    pub expected_concurrent_users: i64,
}

fn default_prewarm() -> i64 {
    30
}

/// `[cloudflare]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloudflare {
    /// The zone (domain) the hostname lives in.
    pub zone: String,
    /// The global hostname.
    pub hostname: String,
    /// Load-balancer steering policy.
    #[serde(default = "default_steering")]
    pub steering_policy: String,
    /// Session affinity.
    #[serde(default = "default_affinity")]
    pub session_affinity: String,
    /// Whether traffic is proxied through Cloudflare (default true).
    #[serde(default = "yes")]
    pub proxied: bool,
    /// Health monitor settings.
    #[serde(default)]
    pub health_check: HealthCheck,
    /// Cache rules.
    #[serde(default)]
    pub cache_rules: Vec<CacheRule>,
}

fn default_steering() -> String {
    "geo".into()
}
fn default_affinity() -> String {
    "none".into()
}
fn yes() -> bool {
    true
}

/// `[cloudflare.health_check]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// http | https | tcp.
    #[serde(rename = "type", default = "default_check_type")]
    pub kind: String,
    /// Path probed.
    #[serde(default = "default_path")]
    pub path: String,
    /// Seconds between probes.
    #[serde(default = "default_interval")]
    pub interval_seconds: i64,
    /// Seconds before a probe times out.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: i64,
    /// Retries before an origin is marked unhealthy.
    #[serde(default = "default_retries")]
    pub retries: i64,
    /// Expected HTTP codes, e.g. "200" or "2xx".
    #[serde(default = "default_codes")]
    pub expected_codes: String,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            kind: default_check_type(),
            path: default_path(),
            interval_seconds: default_interval(),
            timeout_seconds: default_timeout(),
            retries: default_retries(),
            expected_codes: default_codes(),
        }
    }
}

fn default_check_type() -> String {
    "https".into()
}
fn default_path() -> String {
    "/healthz".into()
}
fn default_interval() -> i64 {
    60
}
fn default_timeout() -> i64 {
    5
}
fn default_retries() -> i64 {
    2
}
fn default_codes() -> String {
    "200".into()
}

/// One `[[cloudflare.cache_rules]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheRule {
    /// A short name (becomes the rule's description).
    pub name: String,
    /// A Cloudflare rules-language expression.
    pub expression: String,
    /// Edge cache TTL in seconds.
    pub edge_ttl_seconds: Option<i64>,
    /// Browser cache TTL in seconds.
    pub browser_ttl_seconds: Option<i64>,
    /// Cache eligible (default true); false bypasses the cache.
    #[serde(default = "yes")]
    pub cache: bool,
}

/// `[deploy]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    /// Regions applied first; apply stops if they fail.
    #[serde(default)]
    pub canary: Vec<String>,
    /// Risk gates `plan` applies by default in this environment
    /// (`replace`, `delete`, `broadening`), as `--fail-on` does.
    #[serde(default)]
    pub fail_on: Vec<crate::review::Gate>,
}

/// `[aws]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    /// S3 bucket for templates above CloudFormation's inline limit.
    pub template_bucket: Option<String>,
    /// On-Demand Standard instance vCPU quota per region.
    #[serde(default)]
    pub vcpu_quota: IndexMap<String, i64>,
    /// Deletion protection of the load balancer and the access-log bucket
    /// (default: on, except in the `demo` environment).
    pub deletion_protection: Option<bool>,
}

/// `[access_logs]`: the load balancer's access logs, one private encrypted
/// S3 bucket per region.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLogs {
    /// Days a log object is kept before S3 expires it, 1..=3650 (default 90).
    pub expiry_days: Option<i64>,
}

/// `[report]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Round-trip target for the latency section (default 200 ms).
    pub latency_target_ms: Option<i64>,
}

/// `[database]`: a MongoDB-compatible Amazon DocumentDB cluster per region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// DocumentDB instance class (`db.r6g.large`).
    pub instance_class: String,
    /// Reads one user makes per second.
    pub reads_per_user_per_second: Decimal,
    /// Reads one instance serves per second.
    pub reads_per_instance_per_second: Decimal,
    /// Writes one user makes per second.
    pub writes_per_user_per_second: Decimal,
    /// Writes the primary (writer) instance sustains per second.
    pub writes_per_primary_per_second: Decimal,
    /// One global cluster written in this region; absent: one cluster per region.
    pub global_primary: Option<String>,
    /// DocumentDB engine version (default 5.0.0).
    pub engine_version: Option<String>,
    /// Days automated backups are kept, 1..=35 (default 7).
    pub backup_retention_days: Option<i64>,
}

/// `[search]`: an Amazon OpenSearch Service domain per region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// `OpenSearch_X.Y` (or `Elasticsearch_X.Y`).
    pub engine_version: String,
    /// Data node instance type (`r6g.large.search`).
    pub instance_type: String,
    /// Queries one user makes per second.
    pub queries_per_user_per_second: Decimal,
    /// Queries one data node serves per second.
    pub queries_per_node_per_second: Decimal,
    /// gp3 volume per data node, in GiB.
    pub volume_gb_per_node: i64,
    /// Dedicated master instance type (default: the data nodes' type).
    pub master_instance_type: Option<String>,
    /// The account's data-node quota per domain when AWS raised it (default: AWS's default limit).
    pub max_data_nodes: Option<i64>,
}

/// `[kubernetes]`: an EKS cluster per region whose worker nodes are the
/// auto-scaling group of SPEC §4.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    /// EKS Kubernetes version (`1.34`).
    pub version: String,
    /// App replicas one node runs at target utilization.
    pub pods_per_node: i64,
    /// The app's container image.
    pub image: String,
    /// The port the container listens on.
    pub container_port: i64,
    /// The namespace of the app (default: the plan's name).
    pub namespace: Option<String>,
    /// The Service's NodePort the load balancer's target group reaches,
    /// 30000..=32767 (default 30080).
    pub node_port: Option<i64>,
    /// CIDR blocks allowed to reach the public API endpoint (default:
    /// `0.0.0.0/0`, EKS's own default; see docs/kubernetes.md).
    pub public_access_cidrs: Option<Vec<String>>,
}

/// `[monitoring]`: an Amazon Managed Service for Prometheus workspace per
/// region with SLO, latency and capacity alerts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// Availability SLO, in (0, 1).
    pub availability_slo: Decimal,
    /// Alert when p99 latency stays above this.
    pub latency_p99_ms: i64,
    /// Alert when in-service nodes pass this fraction of MaxSize, in (0, 1].
    pub ceiling_alert_fraction: Decimal,
    /// Active series one node sends (cost estimate; default 1500).
    pub active_series_per_node: Option<i64>,
    /// Seconds between scrapes (cost estimate; default 30).
    pub scrape_interval_seconds: Option<i64>,
    /// The metric names the rules use.
    #[serde(default)]
    pub metrics: MonitoringMetrics,
}

/// `[monitoring.metrics]`: the series the rules read (defaults in
/// docs/monitoring.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringMetrics {
    /// Request counter with a status-code label (default `http_requests_total`).
    pub requests_total: Option<String>,
    /// The label holding the HTTP status code (default `code`).
    pub status_label: Option<String>,
    /// Latency histogram in seconds, without `_bucket` (default
    /// `http_request_duration_seconds`).
    pub latency_histogram: Option<String>,
    /// A gauge per node that is 1 when the node is ready (default
    /// `kube_node_status_condition` from kube-state-metrics).
    pub node_ready: Option<String>,
}
