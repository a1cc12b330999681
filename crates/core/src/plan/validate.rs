//! From a merged plan file to a checked [`Plan`]: typed parsing with
//! located errors, `[defaults]` inheritance and every rule of SPEC §4.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::diagnostic::{Diagnostic, ErrorCode, PlanErrors};
use super::schema::{self, PlanFile};
use super::source::{KeyPath, MergedSource, SourceMap};
use super::{Cache, Event, Plan, Region, Traffic};
use crate::{capacity, catalog};

/// Steering policies Cloudflare accepts.
pub const STEERING_POLICIES: &[&str] = &[
    "off",
    "geo",
    "random",
    "dynamic_latency",
    "proximity",
    "least_outstanding_requests",
    "least_connections",
];
/// Session affinities Cloudflare accepts.
pub const SESSION_AFFINITIES: &[&str] = &["none", "cookie", "ip_cookie", "header"];
/// Health-check types streamscale renders.
pub const CHECK_TYPES: &[&str] = &["http", "https", "tcp"];

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
    let file: PlanFile = match serde_path_to_error::deserialize(toml::Value::Table(table)) {
        Ok(f) => f,
        Err(e) => return Err(serde_error(&sources, e).into()),
    };
    let mut ck = Checker {
        sources: &sources,
        errors: Vec::new(),
    };
    let plan = ck.resolve(file, stem);
    let Some(mut plan) = plan.filter(|_| ck.errors.is_empty()) else {
        return Err(ck.finish());
    };
    plan.capacity = capacity::compute(&plan);
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

fn serde_error(sources: &SourceMap, e: serde_path_to_error::Error<toml::de::Error>) -> Diagnostic {
    let mut at: KeyPath = e
        .path()
        .iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect();
    let raw = e.inner().message().to_string();
    let where_ = |p: &[String]| match p {
        [] => "the top level".to_string(),
        // An element of an array of tables: `[[events]] #1`.
        [table @ .., i] if i.parse::<usize>().is_ok() => {
            format!(
                "[[{}]] #{}",
                table.join("."),
                i.parse::<usize>().unwrap_or(0) + 1
            )
        }
        _ => format!("[{}]", p.join(".")),
    };
    if let Some(field) = backticked_after(&raw, "unknown field ") {
        if at.last() != Some(&field) {
            at.push(field.clone());
        }
        let expected = backticked_list(&raw);
        let help = match catalog::suggest(&field, expected.iter().map(String::as_str)) {
            Some(s) => format!(
                "did you mean `{s}`? keys allowed here: {}",
                expected.join(", ")
            ),
            None => format!("keys allowed here: {}", expected.join(", ")),
        };
        let parent = where_(&at[..at.len() - 1]);
        return sources
            .diagnostic_at_key(
                &at,
                ErrorCode::UnknownKey,
                format!("unknown key `{field}` in {parent}"),
            )
            .with_label("not a key of the plan format")
            .with_help(help);
    }
    if let Some(field) = backticked_after(&raw, "missing field ") {
        let table = where_(&at);
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::MissingKey,
                format!("missing key `{field}` in {table}"),
            )
            .with_label("this table")
            .with_help(format!("add `{field} = …` here (see SPEC §3)"));
    }
    // An array where a table belongs: serde sees a sequence for a struct.
    if raw.starts_with("invalid length") && raw.contains("expected struct") {
        let key = at.last().cloned().unwrap_or_default();
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::WrongType,
                format!("`{key}` must be a table, found an array"),
            )
            .with_label("expected a table")
            .with_help(format!(
                "write `{key}` as a [{}] table with its keys (see SPEC §3)",
                at.join(".")
            ));
    }
    if raw.starts_with("invalid type") {
        let (found, expected) = split_invalid_type(&raw);
        let key = at.last().cloned().unwrap_or_default();
        if expected == "a table" {
            return sources
                .diagnostic_at(
                    &at,
                    ErrorCode::WrongType,
                    format!("`{key}` must be a table, found {found}"),
                )
                .with_label("expected a table")
                .with_help(format!(
                    "write `{key}` as a [{}] table with its keys (see SPEC §3)",
                    at.join(".")
                ));
        }
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::WrongType,
                format!("`{key}` must be {expected}, found {found}"),
            )
            .with_label(format!("expected {expected}"))
            .with_help(format!("write `{key}` as {expected}"));
    }
    if let Some(variant) = backticked_after(&raw, "unknown variant ") {
        let expected = backticked_list(&raw);
        let key = at.last().cloned().unwrap_or_default();
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::InvalidValue,
                format!("`{variant}` is not a valid {key}"),
            )
            .with_help(format!("use one of: {}", expected.join(", ")));
    }
    let key = at.last().cloned().unwrap_or_default();
    sources
        .diagnostic_at(
            &at,
            ErrorCode::InvalidValue,
            format!("invalid `{key}`: {raw}"),
        )
        .with_help("see the plan format in SPEC §3")
}

fn backticked_after(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    rest.split('`').next().map(str::to_string)
}

/// The backticked names after "expected" in a serde message.
fn backticked_list(msg: &str) -> Vec<String> {
    let Some(i) = msg.find("expected") else {
        return Vec::new();
    };
    msg[i..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn split_invalid_type(msg: &str) -> (String, String) {
    // "invalid type: string \"x\", expected i64"
    let body = msg.trim_start_matches("invalid type: ");
    let (found, expected) = body
        .rsplit_once(", expected ")
        .unwrap_or((body, "another type"));
    let expected = match expected {
        "i64" | "u64" | "i32" | "u32" => "an integer".to_string(),
        "a Decimal type representing a fixed-point number" | "f64" => "a number".to_string(),
        "a boolean" | "bool" => "true or false".to_string(),
        "a string" => "a string (in quotes)".to_string(),
        "a sequence" => "an array".to_string(),
        s if s.starts_with("struct ") || s == "a map" => "a table".to_string(),
        other => other.to_string(),
    };
    let found = match found {
        "map" => "a table",
        "sequence" => "an array",
        other => other,
    };
    (found.to_string(), expected)
}

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

    fn error_key(
        &mut self,
        at: &[String],
        code: ErrorCode,
        message: String,
        help: impl Into<String>,
    ) {
        self.errors.push(
            self.sources
                .diagnostic_at_key(at, code, message)
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
        Some(Plan {
            name: f.name,
            environment,
            traffic: traffic?,
            regions: regions?,
            cache,
            events: events?,
            cloudflare: f.cloudflare,
            canary: f.deploy.canary,
            template_bucket: f.aws.template_bucket,
            vcpu_quota,
            latency_target_ms,
            capacity: capacity::Capacity::default(),
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

    fn unknown_region(&mut self, at: &[String], name: &str) {
        let known = catalog::regions().iter().map(|r| r.code);
        let help = match catalog::suggest(name, known.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "regions streamscale knows: {}",
                known.collect::<Vec<_>>().join(", ")
            ),
        };
        self.error_key(
            at,
            ErrorCode::UnknownRegion,
            format!("unknown AWS region `{name}`"),
            help,
        );
    }

    fn regions(&mut self, f: &PlanFile) -> Option<Vec<Region>> {
        if f.regions.is_empty() {
            self.error(
                &["regions"],
                ErrorCode::NoRegion,
                "the plan has no region".into(),
                "add at least one region: [regions.us-east-1] with share = 1.0",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        let mut sum = Decimal::ZERO;
        for (name, entry) in &f.regions {
            let base = path(&["regions", name]);
            let info = catalog::region(name);
            if info.is_none() {
                self.unknown_region(&base, name);
                ok = false;
            }
            let share_at = path(&["regions", name, "share"]);
            if entry.share <= Decimal::ZERO || entry.share > Decimal::ONE {
                self.error_at(
                    &share_at,
                    ErrorCode::InvalidValue,
                    format!("share of {name} must be in (0, 1], found {}", entry.share),
                    "a share is the fraction of all users served by this region",
                );
                ok = false;
            }
            sum += entry.share;
            match self.region(f, name, entry, info) {
                Some(r) => out.push(r),
                None => ok = false,
            }
        }
        let tolerance = Decimal::new(1, 9);
        if (sum - Decimal::ONE).abs() > tolerance {
            let first = f.regions.keys().next().cloned().unwrap_or_default();
            let list = f
                .regions
                .iter()
                .map(|(n, e)| format!("{n} {}", e.share))
                .collect::<Vec<_>>()
                .join(" + ");
            self.error_at(
                &path(&["regions", &first, "share"]),
                ErrorCode::SharesSum,
                format!("region shares sum to {}, not 1", sum.normalize()),
                format!(
                    "{list} = {}; adjust them so they add up to 1",
                    sum.normalize()
                ),
            );
            ok = false;
        }
        ok.then_some(out)
    }

    /// The effective value of a region setting and where it was written.
    fn inherited<T: Clone>(
        name: &str,
        field: &str,
        own: &Option<T>,
        default: &Option<T>,
    ) -> (Option<T>, KeyPath) {
        match own {
            Some(v) => (Some(v.clone()), path(&["regions", name, field])),
            None => (default.clone(), path(&["defaults", field])),
        }
    }

    fn region(
        &mut self,
        f: &PlanFile,
        name: &str,
        e: &schema::RegionEntry,
        info: Option<&'static catalog::RegionInfo>,
    ) -> Option<Region> {
        let d = &f.defaults;
        let mut ok = true;
        let missing = |field: &str| format!("set `{field}` under [defaults] or [regions.{name}]");

        let (it, it_at) =
            Self::inherited(name, "instance_type", &e.instance_type, &d.instance_type);
        let instance_type = match it {
            None => {
                self.error(
                    &["regions", name],
                    ErrorCode::MissingKey,
                    format!("no instance_type for region {name}"),
                    missing("instance_type"),
                );
                ok = false;
                String::new()
            }
            Some(t) => {
                if catalog::instance_type(&t).is_none() {
                    let names = catalog::instance_types().iter().map(|i| i.name);
                    let help = match catalog::suggest(&t, names) {
                        Some(s) => format!("did you mean `{s}`? streamscale knows the c, m and r families of generations 6 to 8"),
                        None => "streamscale knows the c, m and r families of generations 6 to 8 (Intel, AMD, Graviton)".to_string(),
                    };
                    self.error_at(
                        &it_at,
                        ErrorCode::UnknownInstanceType,
                        format!("unknown instance type `{t}`"),
                        help,
                    );
                    ok = false;
                }
                t
            }
        };

        let (upi, upi_at) = Self::inherited(
            name,
            "users_per_instance",
            &e.users_per_instance,
            &d.users_per_instance,
        );
        let users_per_instance = match upi {
            None => {
                self.error(
                    &["regions", name],
                    ErrorCode::MissingKey,
                    format!("no users_per_instance for region {name}"),
                    missing("users_per_instance"),
                );
                ok = false;
                Decimal::ONE
            }
            Some(v) if v <= 0 => {
                self.error_at(
                    &upi_at,
                    ErrorCode::InvalidValue,
                    format!("users_per_instance must be positive, found {v}"),
                    "the concurrent users one instance sustains at 100% CPU, from load tests",
                );
                ok = false;
                Decimal::ONE
            }
            Some(v) => Decimal::from(v),
        };

        let (tu, tu_at) = Self::inherited(
            name,
            "target_utilization",
            &e.target_utilization,
            &d.target_utilization,
        );
        let target_utilization = match tu {
            None => {
                self.error(
                    &["regions", name],
                    ErrorCode::MissingKey,
                    format!("no target_utilization for region {name}"),
                    missing("target_utilization"),
                );
                ok = false;
                Decimal::ONE
            }
            Some(v) if v <= Decimal::ZERO || v > Decimal::ONE => {
                self.error_at(
                    &tu_at,
                    ErrorCode::InvalidValue,
                    format!("target_utilization must be in (0, 1], found {v}"),
                    "the fraction of an instance's capacity used at peak, e.g. 0.65",
                );
                ok = false;
                Decimal::ONE
            }
            Some(v) => v,
        };

        let (az, az_at) = Self::inherited(
            name,
            "availability_zones",
            &e.availability_zones,
            &d.availability_zones,
        );
        let az = az.unwrap_or(3);
        let mut availability_zones = Vec::new();
        if !(2..=6).contains(&az) {
            self.error_at(
                &az_at,
                ErrorCode::InvalidValue,
                format!("availability_zones must be 2 to 6, found {az}"),
                "spread over at least two zones; 3 is usual",
            );
            ok = false;
        } else if let Some(info) = info {
            if az as usize > info.availability_zones.len() {
                self.error_at(
                    &az_at,
                    ErrorCode::TooManyZones,
                    format!(
                        "{name} has {} availability zones, the plan asks for {az}",
                        info.availability_zones.len()
                    ),
                    format!("{name}'s zones: {}", info.availability_zones.join(", ")),
                );
                ok = false;
            } else {
                availability_zones = info.availability_zones[..az as usize]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            }
        }

        let (ami, ami_at) = Self::inherited(name, "ami", &e.ami, &d.ami);
        let ami = match ami {
            None => {
                self.error(
                    &["regions", name],
                    ErrorCode::MissingKey,
                    format!("no ami for region {name}"),
                    format!("AMIs are regional: set `ami = \"ami-…\"` under [regions.{name}]"),
                );
                ok = false;
                String::new()
            }
            Some(a) => {
                if !is_ami(&a) {
                    self.error_at(&ami_at, ErrorCode::BadAmi,
                        format!("`{a}` is not an AMI id"),
                        "an AMI id is `ami-` followed by 8 or 17 hexadecimal digits, e.g. ami-0123456789abcdef0");
                    ok = false;
                }
                a
            }
        };

        let (cert, cert_at) = Self::inherited(
            name,
            "certificate_arn",
            &e.certificate_arn,
            &d.certificate_arn,
        );
        if let Some(c) = &cert
            && !c.starts_with("arn:aws:acm:")
        {
            self.error_at(
                &cert_at,
                ErrorCode::InvalidValue,
                format!("`{c}` is not an ACM certificate ARN"),
                format!("arn:aws:acm:{name}:ACCOUNT:certificate/ID"),
            );
            ok = false;
        }

        let cf_path = f.cloudflare.as_ref().map(|c| c.health_check.path.clone());
        let (hp, hp_at) = Self::inherited(
            name,
            "health_check_path",
            &e.health_check_path,
            &d.health_check_path,
        );
        let health_check_path = hp.or(cf_path).unwrap_or_else(|| "/healthz".into());
        if !health_check_path.starts_with('/') {
            self.error_at(
                &hp_at,
                ErrorCode::InvalidValue,
                format!("health_check_path `{health_check_path}` must start with /"),
                "for example /healthz",
            );
            ok = false;
        }

        let (rv, rv_at) = Self::inherited(
            name,
            "root_volume_gib",
            &e.root_volume_gib,
            &d.root_volume_gib,
        );
        let root_volume_gib = rv.unwrap_or(30);
        if !(8..=16384).contains(&root_volume_gib) {
            self.error_at(
                &rv_at,
                ErrorCode::InvalidValue,
                format!("root_volume_gib must be 8 to 16384, found {root_volume_gib}"),
                "30 is a usual size",
            );
            ok = false;
        }

        ok.then(|| Region {
            name: name.to_string(),
            share: e.share,
            instance_type,
            users_per_instance,
            target_utilization,
            availability_zones,
            ami,
            certificate_arn: cert,
            health_check_path,
            root_volume_gib: root_volume_gib as u32,
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

    fn events(
        &mut self,
        events: &[schema::Event],
        traffic: Option<&Traffic>,
    ) -> Option<Vec<Event>> {
        let mut out: Vec<(usize, Event)> = Vec::new();
        let mut ok = true;
        for (i, e) in events.iter().enumerate() {
            let idx = i.to_string();
            let at = |k: &str| path(&["events", &idx, k]);
            let before = self.errors.len();
            self.check_slug(&["events", &idx, "name"], &e.name, "event name", 64);
            if events[..i].iter().any(|o| o.name == e.name) {
                self.error_at(
                    &at("name"),
                    ErrorCode::InvalidValue,
                    format!("two events are called `{}`", e.name),
                    "give every event its own name",
                );
            }
            let starts_at = match DateTime::parse_from_rfc3339(&e.starts_at) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_)
                    if chrono::NaiveDateTime::parse_from_str(
                        &e.starts_at,
                        "%Y-%m-%dT%H:%M:%S%.f",
                    )
                    .is_ok() =>
                {
                    self.error_at(
                        &at("starts_at"),
                        ErrorCode::BadTime,
                        format!("starts_at `{}` has no time zone", e.starts_at),
                        format!(
                            "add Z for UTC or an offset such as +01:00: \"{}Z\"",
                            e.starts_at
                        ),
                    );
                    None
                }
                Err(err) => {
                    self.error_at(
                        &at("starts_at"),
                        ErrorCode::BadTime,
                        format!("starts_at `{}` is not an RFC 3339 time: {err}", e.starts_at),
                        "write a UTC time such as \"2026-12-18T19:00:00Z\"",
                    );
                    None
                }
            };
            if !(1..=10080).contains(&e.duration_minutes) {
                self.error_at(
                    &at("duration_minutes"),
                    ErrorCode::InvalidValue,
                    format!(
                        "duration_minutes must be 1 to 10080 (a week), found {}",
                        e.duration_minutes
                    ),
                    "the event's length in minutes",
                );
            }
            if !(0..=1440).contains(&e.prewarm_minutes) {
                self.error_at(
                    &at("prewarm_minutes"),
                    ErrorCode::InvalidValue,
                    format!(
                        "prewarm_minutes must be 0 to 1440, found {}",
                        e.prewarm_minutes
                    ),
                    "how long before the start capacity is raised; 30 to 60 is usual",
                );
            }
            if e.expected_concurrent_users <= 0 {
                self.error_at(
                    &at("expected_concurrent_users"),
                    ErrorCode::InvalidValue,
                    format!(
                        "expected_concurrent_users must be positive, found {}",
                        e.expected_concurrent_users
                    ),
                    "the concurrent users expected at the event's peak",
                );
            } else if let Some(t) = traffic
                && Decimal::from(e.expected_concurrent_users) > t.peak
            {
                self.error_at(
                    &at("expected_concurrent_users"),
                    ErrorCode::AbovePeak,
                    format!(
                        "event `{}` expects {} users, above traffic.peak_concurrent_users ({})",
                        e.name, e.expected_concurrent_users, t.peak
                    ),
                    "raise traffic.peak_concurrent_users, or lower the event's expectation",
                );
            }
            if self.errors.len() > before {
                ok = false;
                continue;
            }
            if let Some(starts_at) = starts_at {
                out.push((
                    i,
                    Event {
                        name: e.name.clone(),
                        starts_at,
                        duration_minutes: e.duration_minutes as u32,
                        prewarm_minutes: e.prewarm_minutes as u32,
                        expected_users: Decimal::from(e.expected_concurrent_users),
                    },
                ));
            }
        }
        out.sort_by_key(|(_, e)| e.starts_at);
        for pair in out.windows(2) {
            let ((_, a), (j, b)) = (&pair[0], &pair[1]);
            if b.prewarm_at() < a.release_at() {
                self.error_at(&path(&["events", &j.to_string(), "starts_at"]), ErrorCode::EventsOverlap,
                    format!("event `{}` (pre-warm from {}) overlaps event `{}` (until {})",
                        b.name, b.prewarm_at().format("%Y-%m-%dT%H:%MZ"), a.name, a.release_at().format("%Y-%m-%dT%H:%MZ")),
                    "their scheduled capacity windows would fight: move one, or merge them into one event");
                ok = false;
            }
        }
        ok.then(|| out.into_iter().map(|(_, e)| e).collect())
    }

    fn cloudflare(&mut self, cf: &schema::Cloudflare) {
        if !STEERING_POLICIES.contains(&cf.steering_policy.as_str()) {
            self.error(
                &["cloudflare", "steering_policy"],
                ErrorCode::InvalidValue,
                format!("unknown steering_policy `{}`", cf.steering_policy),
                format!("use one of: {}", STEERING_POLICIES.join(", ")),
            );
        }
        if !SESSION_AFFINITIES.contains(&cf.session_affinity.as_str()) {
            self.error(
                &["cloudflare", "session_affinity"],
                ErrorCode::InvalidValue,
                format!("unknown session_affinity `{}`", cf.session_affinity),
                format!("use one of: {}", SESSION_AFFINITIES.join(", ")),
            );
        }
        let host = cf.hostname.trim_end_matches('.');
        let zone = cf.zone.trim_end_matches('.');
        if zone.is_empty() || !(host == zone || host.ends_with(&format!(".{zone}"))) {
            self.error(
                &["cloudflare", "hostname"],
                ErrorCode::InvalidValue,
                format!("hostname `{}` is not in zone `{}`", cf.hostname, cf.zone),
                format!("a name such as live.{zone}"),
            );
        }
        let hc = &cf.health_check;
        if !CHECK_TYPES.contains(&hc.kind.as_str()) {
            self.error(
                &["cloudflare", "health_check", "type"],
                ErrorCode::InvalidValue,
                format!("unknown health check type `{}`", hc.kind),
                format!("use one of: {}", CHECK_TYPES.join(", ")),
            );
        }
        if !hc.path.starts_with('/') {
            self.error(
                &["cloudflare", "health_check", "path"],
                ErrorCode::InvalidValue,
                format!("health check path `{}` must start with /", hc.path),
                "for example /healthz",
            );
        }
        self.in_range(
            &["cloudflare", "health_check", "interval_seconds"],
            hc.interval_seconds,
            5..=3600,
            "60 is usual",
        );
        self.in_range(
            &["cloudflare", "health_check", "timeout_seconds"],
            hc.timeout_seconds,
            1..=10,
            "5 is usual",
        );
        self.in_range(
            &["cloudflare", "health_check", "retries"],
            hc.retries,
            0..=5,
            "2 is usual",
        );
        for (i, r) in cf.cache_rules.iter().enumerate() {
            let idx = i.to_string();
            if r.expression.trim().is_empty() {
                self.error(&["cloudflare", "cache_rules", &idx, "expression"], ErrorCode::InvalidValue,
                    format!("cache rule `{}` has an empty expression", r.name),
                    "a rules-language expression, e.g. (http.request.uri.path.extension eq \"m4s\")");
            }
            for (k, v) in [
                ("edge_ttl_seconds", r.edge_ttl_seconds),
                ("browser_ttl_seconds", r.browser_ttl_seconds),
            ] {
                if let Some(v) = v
                    && !(0..=31_536_000).contains(&v)
                {
                    self.error(
                        &["cloudflare", "cache_rules", &idx, k],
                        ErrorCode::InvalidValue,
                        format!("{k} must be 0 to 31536000 (a year), found {v}"),
                        "86400 is a day",
                    );
                }
            }
            if cf.cache_rules[..i].iter().any(|o| o.name == r.name) {
                self.error(
                    &["cloudflare", "cache_rules", &idx, "name"],
                    ErrorCode::InvalidValue,
                    format!("two cache rules are called `{}`", r.name),
                    "give every rule its own name",
                );
            }
        }
    }
}

/// `ami-` followed by 8 or 17 lowercase hex digits.
pub fn is_ami(s: &str) -> bool {
    s.strip_prefix("ami-").is_some_and(|h| {
        (h.len() == 8 || h.len() == 17)
            && h.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
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
