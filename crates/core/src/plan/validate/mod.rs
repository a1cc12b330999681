//! From a merged plan file to a checked [`Plan`]: typed parsing with
//! located errors, `[defaults]` inheritance and every rule of SPEC §4.
//!
//! This module owns the [`Checker`] that collects located diagnostics, the
//! top-level walk ([`build`]), the plan-wide checks (name, environment,
//! `[traffic]`, `[cache]`, `[deploy]`, `[aws]`, `[report]`) and the checks
//! that need the computed capacity. Each larger section has its own module:
//! [`serde_errors`] (the file's shape), [`regions`], [`events`] and
//! [`cloudflare`].

mod cloudflare;
mod events;
mod platform;
mod regions;
mod serde_errors;
mod tiers;

use rust_decimal::Decimal;

use super::capacity;
use super::diagnostic::{Diagnostic, ErrorCode, PlanErrors};
use super::schema::{self, PlanFile};
use super::source::{KeyPath, MergedSource, SourceMap};
use super::{Cache, Plan, Traffic};
use crate::catalog;

/// The key path of `parts`.
fn path(parts: &[&str]) -> KeyPath {
    parts.iter().map(|s| s.to_string()).collect()
}

/// Check and resolve a merged plan.
pub(super) fn build(merged: MergedSource) -> Result<Plan, PlanErrors> {
    let MergedSource {
        table,
        sources,
        stem,
    } = merged;
    // Every shape error of the file at once (unknown keys, wrong types…).
    let file: PlanFile = serde_errors::deserialize_all(&sources, table)?;
    let mut ck = Checker {
        sources: &sources,
        errors: Vec::new(),
    };
    // The capacity checks below need traffic, regions and events only: when
    // those resolved they run even if another section has errors, so one
    // run reports every problem found.
    let Some(mut plan) = ck.resolve(file, stem) else {
        return Err(ck.finish());
    };
    ck.tier_limits(&plan);
    ck.platform_limits(&plan);
    for rc in &plan.capacity.regions {
        if rc.min_size > rc.max_size {
            let own = path(&["regions", &rc.region, "availability_zones"]);
            let at = if sources.is_set(&own) {
                own
            } else {
                path(&["defaults", "availability_zones"])
            };
            ck.error_at(
                &at,
                ErrorCode::MinAboveMax,
                format!(
                    "{} needs MinSize {} (one instance per availability zone, or the baseline) but its MaxSize is only {}",
                    rc.region, rc.min_size, rc.max_size
                ),
                "the region's share of the peak fits on fewer instances than it has zones: use fewer availability_zones, a smaller instance type (lower users_per_instance), or a larger share",
            );
        }
    }
    for (ei, ev) in plan.capacity.events.iter().enumerate() {
        for (rc, pre) in plan.capacity.regions.iter().zip(&ev.regions) {
            if pre.prewarm_min_size > rc.max_size {
                // ceil(E·s/c) ≤ ceil(P·s/c) ≤ MaxSize, so the excess comes
                // from MinSize: one instance per availability zone.
                let (why, help) = if pre.prewarm_min_size == rc.min_size {
                    (
                        format!(
                            " (its MinSize: one instance in each of {} availability zones)",
                            rc.min_size
                        ),
                        format!(
                            "MaxSize is below the zone count: lower availability_zones for {}, or raise traffic.peak_concurrent_users or headroom (or lower users_per_instance) so MaxSize reaches {}",
                            rc.region, rc.min_size
                        ),
                    )
                } else {
                    (
                        String::new(),
                        "lower expected_concurrent_users, or raise traffic.peak_concurrent_users or headroom so MaxSize covers the event".to_string(),
                    )
                };
                ck.error(
                    &["events", &ei.to_string(), "expected_concurrent_users"],
                    ErrorCode::PrewarmAboveMax,
                    format!(
                        "event `{}` needs {} instances in {} before it starts{why}, above that region's MaxSize of {}",
                        ev.name, pre.prewarm_min_size, rc.region, rc.max_size
                    ),
                    help,
                );
            }
        }
    }
    if ck.errors.is_empty() {
        plan.sources = sources.clone();
        Ok(plan)
    } else {
        Err(ck.finish())
    }
}

/// Collects located diagnostics while the plan is checked.
struct Checker<'a> {
    sources: &'a SourceMap,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, at: &[&str], code: ErrorCode, message: String, help: impl Into<String>) {
        self.error_at(&path(at), code, message, help);
    }

    fn error_at(
        &mut self,
        at: &[String],
        code: ErrorCode,
        message: String,
        help: impl Into<String>,
    ) {
        self.errors.push(
            self.sources
                .diagnostic_at(at, code, message)
                .with_help(help),
        );
    }

    /// Refuse `value` outside `range`, at `at`, naming the key.
    fn in_range(
        &mut self,
        at: &[&str],
        value: i64,
        range: std::ops::RangeInclusive<i64>,
        hint: &str,
    ) -> bool {
        let ok = range.contains(&value);
        if !ok {
            let key = at.last().copied().unwrap_or("value");
            self.error(
                at,
                ErrorCode::InvalidValue,
                format!(
                    "{key} must be {} to {}, found {value}",
                    range.start(),
                    range.end()
                ),
                hint,
            );
        }
        ok
    }

    fn finish(mut self) -> PlanErrors {
        // File order: the leaf file first, then by position.
        self.errors.sort_by_key(|d| (d.file.clone(), d.line_col));
        self.errors
            .dedup_by(|a, b| a.message == b.message && a.line_col == b.line_col);
        PlanErrors {
            errors: self.errors,
        }
    }

    fn check_slug(&mut self, at: &[&str], value: &str, what: &str, max: usize) {
        let ok = !value.is_empty()
            && value.len() <= max
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            self.error(
                at,
                ErrorCode::InvalidValue,
                format!("{what} `{value}` must be 1..{max} characters of a-z, 0-9 and -"),
                format!("for example `{}`", slugify(value, max)),
            );
        }
    }

    fn resolve(&mut self, f: PlanFile, stem: String) -> Option<Plan> {
        self.check_slug(&["name"], &f.name, "name", 32);
        let environment = f.environment.clone().unwrap_or(stem);
        self.check_slug(&["environment"], &environment, "environment", 32);

        let traffic = self.traffic(&f.traffic, f.regions.len());
        let regions = self.regions(&f);
        let cache = f.cache.as_ref().and_then(|c| self.cache(c));
        let plan_regions: Vec<String> = f.regions.keys().cloned().collect();
        let database = f.database.as_ref().map(|d| self.database(d, &plan_regions));
        let search = f.search.as_ref().map(|s| self.search(s));
        let kubernetes = f.kubernetes.as_ref().map(|k| self.kubernetes(k, &f.name));
        let monitoring = f.monitoring.as_ref().map(|m| self.monitoring(m));
        let events = self.events(&f.events, traffic.as_ref());
        if let Some(cf) = &f.cloudflare {
            self.cloudflare(cf);
        }
        for (i, c) in f.deploy.canary.iter().enumerate() {
            if !f.regions.contains_key(c) {
                self.error_at(
                    &path(&["deploy", "canary", &i.to_string()]),
                    ErrorCode::UnknownRegion,
                    format!("canary region `{c}` is not one of the plan's regions"),
                    format!(
                        "the plan's regions are: {}",
                        f.regions.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
        let mut vcpu_quota = Vec::new();
        for (r, q) in &f.aws.vcpu_quota {
            let at = path(&["aws", "vcpu_quota", r]);
            if catalog::region(r).is_none() {
                self.unknown_region(&at, r);
            }
            match u64::try_from(*q) {
                Ok(q) if q > 0 => vcpu_quota.push((r.clone(), q)),
                _ => self.error_at(
                    &at,
                    ErrorCode::InvalidValue,
                    format!("vCPU quota {q} for {r} must be a positive integer"),
                    "the On-Demand Standard instances quota from Service Quotas (code L-1216C47A)",
                ),
            }
        }
        let latency_target_ms = match f.report.latency_target_ms {
            None => 200,
            Some(v) if v > 0 => v as u64,
            Some(v) => {
                self.error(
                    &["report", "latency_target_ms"],
                    ErrorCode::InvalidValue,
                    format!("latency_target_ms must be positive, found {v}"),
                    "a round-trip goal in milliseconds, e.g. 200",
                );
                200
            }
        };
        let access_log_expiry_days = match f.access_logs.expiry_days {
            None => 90,
            Some(v) => {
                self.in_range(
                    &["access_logs", "expiry_days"],
                    v,
                    1..=3650,
                    "days S3 keeps a load balancer log object, e.g. 90",
                );
                v.clamp(1, 3650) as u32
            }
        };
        let deletion_protection = f.aws.deletion_protection.unwrap_or(environment != "demo");
        let (traffic, regions, events) = (traffic?, regions?, events?);
        // A tier table that is present but failed its checks stops here.
        if matches!(database, Some(None)) || matches!(search, Some(None)) {
            return None;
        }
        if matches!(kubernetes, Some(None)) || matches!(monitoring, Some(None)) {
            return None;
        }
        let (kubernetes, monitoring) = (kubernetes.flatten(), monitoring.flatten());
        let (database, search) = (database.flatten(), search.flatten());
        let mut capacity = capacity::compute(&traffic, &regions, &events);
        capacity.database = database
            .as_ref()
            .map(|d| crate::plan::tiers::database_capacity(&traffic, &regions, d));
        capacity.search = search
            .as_ref()
            .map(|s| crate::plan::tiers::search_capacity(&traffic, &regions, s));
        capacity.kubernetes = kubernetes
            .as_ref()
            .map(|k| crate::plan::platform::kubernetes_capacity(&regions, &capacity, k));
        Some(Plan {
            name: f.name,
            environment,
            traffic,
            regions,
            cache,
            events,
            cloudflare: f.cloudflare,
            canary: f.deploy.canary,
            fail_on: f.deploy.fail_on,
            template_bucket: f.aws.template_bucket,
            vcpu_quota,
            latency_target_ms,
            access_log_expiry_days,
            deletion_protection,
            origin_ranges: crate::origin::OriginRanges::bundled(),
            database,
            search,
            kubernetes,
            monitoring,
            capacity,
            sources: SourceMap::default(),
        })
    }

    fn traffic(&mut self, t: &schema::Traffic, n_regions: usize) -> Option<Traffic> {
        let mut ok = true;
        if t.peak_concurrent_users <= 0 {
            self.error(
                &["traffic", "peak_concurrent_users"],
                ErrorCode::InvalidValue,
                format!(
                    "peak_concurrent_users must be positive, found {}",
                    t.peak_concurrent_users
                ),
                "the number of concurrent users at the busiest moment, e.g. 10_000_000",
            );
            ok = false;
        }
        if t.baseline_concurrent_users < 0 {
            self.error(
                &["traffic", "baseline_concurrent_users"],
                ErrorCode::InvalidValue,
                format!(
                    "baseline_concurrent_users must not be negative, found {}",
                    t.baseline_concurrent_users
                ),
                "the concurrent users on an ordinary day",
            );
            ok = false;
        } else if t.baseline_concurrent_users > t.peak_concurrent_users
            && t.peak_concurrent_users > 0
        {
            self.error(
                &["traffic", "baseline_concurrent_users"],
                ErrorCode::AbovePeak,
                format!(
                    "baseline_concurrent_users ({}) is above peak_concurrent_users ({})",
                    t.baseline_concurrent_users, t.peak_concurrent_users
                ),
                "the baseline is the ordinary load: it must be at most the peak",
            );
            ok = false;
        }
        if t.headroom < Decimal::ZERO || t.headroom > Decimal::from(4) {
            self.error(
                &["traffic", "headroom"],
                ErrorCode::InvalidValue,
                format!("headroom must be between 0 and 4, found {}", t.headroom),
                "a fraction of extra capacity: 0.20 is 20% above the need",
            );
            ok = false;
        }
        if t.survive_region_loss && n_regions == 1 {
            self.error(
                &["traffic", "survive_region_loss"],
                ErrorCode::SingleRegionLoss,
                "a plan with one region cannot survive the loss of a region".into(),
                "add a second region, or set survive_region_loss = false",
            );
            ok = false;
        }
        ok.then(|| Traffic {
            peak: Decimal::from(t.peak_concurrent_users),
            baseline: Decimal::from(t.baseline_concurrent_users),
            headroom: t.headroom,
            survive_region_loss: t.survive_region_loss,
        })
    }

    fn cache(&mut self, c: &schema::Cache) -> Option<Cache> {
        let mut ok = true;
        if catalog::cache_node_type(&c.node_type).is_none() {
            let names = catalog::cache_node_types().iter().map(|n| n.name);
            let help = match catalog::suggest(&c.node_type, names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "for example cache.r7g.large".into(),
            };
            self.error(
                &["cache", "node_type"],
                ErrorCode::UnknownInstanceType,
                format!("unknown cache node type `{}`", c.node_type),
                help,
            );
            ok = false;
        }
        ok &= self.in_range(
            &["cache", "shards"],
            c.shards,
            1..=500,
            "1 for a single node group",
        );
        ok &= self.in_range(
            &["cache", "replicas_per_shard"],
            c.replicas_per_shard,
            0..=5,
            "1 replica gives Multi-AZ failover",
        );
        let engine_version = c.engine_version.clone().unwrap_or_else(|| match c.engine {
            schema::CacheEngine::Redis => "7.1".into(),
            schema::CacheEngine::Valkey => "8.0".into(),
        });
        ok.then(|| Cache {
            engine: c.engine,
            node_type: c.node_type.clone(),
            shards: c.shards as u32,
            replicas_per_shard: c.replicas_per_shard as u32,
            engine_version,
        })
    }
}

fn slugify(s: &str, max: usize) -> String {
    let mut out: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    out.truncate(max);
    if out.is_empty() {
        "my-plan".into()
    } else {
        out
    }
}
