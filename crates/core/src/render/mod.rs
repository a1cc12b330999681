//! Rendering: from a checked plan to the files of SPEC §6, byte for byte
//! deterministic. Pure: no network, no clock: the instant the stacks are
//! rendered for (`now`) is an input, and decides which event actions are
//! still ahead (see [`crate::plan::timeline`]).

pub mod canonical;
pub mod cloudflare;
pub mod kubernetes;
pub mod parallel;
pub mod prometheus;
pub mod security;
pub mod templates;
pub mod tiers;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use chrono::{DateTime, Utc};

use crate::plan::capacity::RegionCapacity;
use crate::plan::timeline::EventPhase;
use crate::plan::{Plan, Region};
pub use templates::{TemplateOverride, Templates};

/// Errors while rendering.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to compile or render (strict mode: a missing value is an error).
    #[error("template {template}: {message}")]
    Template {
        /// The template's name or path.
        template: String,
        /// What handlebars said.
        message: String,
    },
    /// A template rendered something that is not JSON.
    #[error(
        "template {template} rendered invalid JSON for {region}: {message} (line {line}, column {column} of the rendered text)"
    )]
    NotJson {
        /// The template.
        template: String,
        /// The region being rendered.
        region: String,
        /// serde_json's message.
        message: String,
        /// Line in the rendered text.
        line: usize,
        /// Column in the rendered text.
        column: usize,
    },
}

/// One region's CloudFormation stack.
#[derive(Debug, Clone)]
pub struct RegionStack {
    /// Region code.
    pub region: String,
    /// The template, pretty JSON with a final newline.
    pub template: String,
    /// The parameters as `[{"ParameterKey", "ParameterValue"}]` pairs.
    pub parameters: Vec<(String, String)>,
}

impl RegionStack {
    /// The template as a JSON value.
    pub fn template_value(&self) -> Value {
        serde_json::from_str(&self.template).unwrap_or(Value::Null)
    }
}

/// Everything `render` writes, before it is written.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Per region, in plan order.
    pub stacks: Vec<RegionStack>,
    /// Cloudflare bodies by file name (empty without `[cloudflare]`).
    pub cloudflare: BTreeMap<&'static str, Value>,
    /// `capacity.json`.
    pub capacity: Value,
    /// Kubernetes manifests and Prometheus rules (SPEC §7), paths relative
    /// to `<env>/` (empty without those tiers).
    pub platform: Vec<(PathBuf, String)>,
}

/// The JSON text of a value as streamscale writes it: two-space indent and
/// a final newline.
pub fn to_pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

impl Rendered {
    /// The files relative to the output directory's `<env>/`, in a fixed order.
    pub fn files(&self) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        for s in &self.stacks {
            let dir = PathBuf::from("aws").join(&s.region);
            out.push((dir.join("template.json"), s.template.clone()));
            out.push((
                dir.join("parameters.json"),
                to_pretty(&parameters_json(&s.parameters)),
            ));
        }
        for (name, body) in &self.cloudflare {
            out.push((PathBuf::from("cloudflare").join(name), to_pretty(body)));
        }
        out.push((PathBuf::from("capacity.json"), to_pretty(&self.capacity)));
        out.extend(self.platform.iter().cloned());
        out
    }
}

/// `[{"ParameterKey": …, "ParameterValue": …}]`.
pub fn parameters_json(params: &[(String, String)]) -> Value {
    Value::Array(
        params
            .iter()
            .map(|(k, v)| json!({"ParameterKey": k, "ParameterValue": v}))
            .collect(),
    )
}

/// Render every region's stack, the Cloudflare bodies and `capacity.json`,
/// as they stand at `now`: events that are over are left out of the stacks,
/// and only the scheduled actions still ahead of `now` are rendered.
pub fn render(
    plan: &Plan,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Rendered, RenderError> {
    let stacks = parallel::map_in_order(&plan.regions, |r| render_region(plan, r, templates, now))?;
    Ok(Rendered {
        stacks,
        cloudflare: cloudflare::bodies(plan).unwrap_or_default(),
        capacity: capacity_json(plan),
        platform: platform_files(plan, now),
    })
}

/// The manifests and rules files of every region (SPEC §7), in plan order.
fn platform_files(plan: &Plan, now: DateTime<Utc>) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for r in &plan.regions {
        for (name, text) in kubernetes::manifests(plan, r, now) {
            out.push((PathBuf::from("kubernetes").join(&r.name).join(name), text));
        }
        if let Some(rules) = prometheus::rules(plan, &r.name) {
            out.push((
                PathBuf::from("prometheus").join(&r.name).join("rules.yaml"),
                rules,
            ));
        }
    }
    out
}

/// Render the stack of one region at `now`.
pub fn render_region(
    plan: &Plan,
    region: &Region,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<RegionStack, RenderError> {
    let ctx = stack_context(plan, region, now);
    let text = templates.render(templates::STACK, &ctx)?;
    // The canonical text in one pass; parsing into a Value and printing it
    // again (same bytes, three times the work) only where that pass declines.
    let template = match canonical::pretty(&text) {
        Some(t) => t,
        None => {
            let value: Value = serde_json::from_str(&text).map_err(|e| RenderError::NotJson {
                template: templates::STACK.to_string(),
                region: region.name.clone(),
                message: e.to_string(),
                line: e.line(),
                column: e.column(),
            })?;
            to_pretty(&value)
        }
    };
    Ok(RegionStack {
        region: region.name.clone(),
        template,
        parameters: vec![
            ("EnvironmentName".into(), plan.environment.clone()),
            ("PlanName".into(), plan.name.clone()),
        ],
    })
}

/// The stack name's tags on every taggable resource.
pub fn common_tags(plan: &Plan, region: &str) -> Vec<(String, String)> {
    vec![
        ("streamscale:plan".into(), plan.name.clone()),
        ("streamscale:environment".into(), plan.environment.clone()),
        ("streamscale:region".into(), region.to_string()),
    ]
}

/// `world-final` → `WorldFinal`: the logical-id stem of an event.
pub fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The data the stack templates see at `now` (documented in docs/templates.md).
pub fn stack_context(plan: &Plan, region: &Region, now: DateTime<Utc>) -> Value {
    let cap = plan
        .capacity
        .region(&region.name)
        .cloned()
        .unwrap_or_else(|| empty_capacity(region));
    // Tags carry the plan and environment through the stack's parameters.
    let tags: Vec<Value> = common_tags(plan, &region.name)
        .into_iter()
        .map(|(k, v)| {
            let value = match k.as_str() {
                "streamscale:plan" => json!({"Ref": "PlanName"}),
                "streamscale:environment" => json!({"Ref": "EnvironmentName"}),
                _ => json!(v),
            };
            json!({"Key": k, "Value": value})
        })
        .collect();
    let common_tags = tags
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let azs: Vec<Value> = region
        .availability_zones
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "n": i + 1,
                "name": name,
                "public_cidr": format!("10.0.{}.0/20", i * 16),
                "private_cidr": format!("10.0.{}.0/20", 128 + i * 16),
            })
        })
        .collect();
    // Only what is still ahead of `now`: an event that is over is left
    // out; one whose window is open keeps its release and holds the group's
    // MinSize at its pre-warm size.
    let mut min_size_now = cap.min_size;
    let events: Vec<Value> = plan
        .capacity
        .events
        .iter()
        .filter_map(|e| {
            let phase = EventPhase::of(e, now);
            if !phase.schedules_release() {
                return None;
            }
            let size = e
                .regions
                .iter()
                .find(|x| x.region == region.name)
                .map_or(cap.min_size, |x| x.prewarm_min_size);
            if phase.holds_prewarm() {
                min_size_now = min_size_now.max(size);
            }
            Some(json!({
                "id": pascal_case(&e.name),
                "name": e.name,
                "prewarm": phase.schedules_prewarm(),
                "prewarm_at": e.prewarm_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "release_at": e.release_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "prewarm_min_size": size,
                "min_size": cap.min_size,
            }))
        })
        .collect();
    let cache = plan.cache.as_ref().map(|c| {
        let major = c.engine_version.split('.').next().unwrap_or("7");
        json!({
            "engine": c.engine.as_str(),
            "engine_version": c.engine_version,
            "node_type": c.node_type,
            "shards": c.shards,
            "replicas_per_shard": c.replicas_per_shard,
            "multi_az": c.replicas_per_shard > 0,
            "parameter_group": format!("default.{}{}.cluster.on", c.engine.as_str(), major),
            "port": 6379,
        })
    });
    let cpu_target = (region.target_utilization * Decimal::from(100)).normalize();
    json!({
        "stack_name": plan.stack_name(),
        "plan": {"name": plan.name, "environment": plan.environment},
        "region": region.name,
        "share": region.share.normalize().to_string(),
        "vpc_cidr": "10.0.0.0/16",
        "azs": azs,
        "common_tags": common_tags,
        "tags": tags,
        "compute": {
            "ami": region.ami,
            "instance_type": region.instance_type,
            "min_size": min_size_now,
            "max_size": cap.max_size,
            "cpu_target": number(cpu_target),
            "root_volume_gib": region.root_volume_gib,
            "health_check_path": region.health_check_path,
            // With [kubernetes] the target group reaches the app's NodePort,
            // and one metadata hop keeps pods away from node credentials.
            "port": plan.kubernetes.as_ref().map_or(80, |k| k.node_port),
            "metadata_hop_limit": if plan.kubernetes.is_some() { 1 } else { 2 },
        },
        "security": security::context(plan, region),
        "events": events,
        "cache": cache,
        "database": tiers::database_context(plan, region),
        "search": tiers::search_context(plan, region),
        "kubernetes": kubernetes::context(plan, region),
        "monitoring": prometheus::context(plan, &region.name),
        "alarms": {
            "response_time_ms": 120,
            "response_time_seconds": 0.12,
            "error_rate_percent": 1,
        },
    })
}

fn empty_capacity(region: &Region) -> RegionCapacity {
    RegionCapacity {
        region: region.name.clone(),
        share: region.share,
        instance_type: region.instance_type.clone(),
        vcpus_per_instance: 0,
        planned_users_per_instance: Decimal::ZERO,
        baseline_users: Decimal::ZERO,
        peak_users: Decimal::ZERO,
        failover_users: Decimal::ZERO,
        baseline_instances: 0,
        peak_instances: 0,
        min_size: 0,
        max_size: 0,
        vcpus_at_max: 0,
    }
}

/// A decimal as a JSON number, exactly as written (integers stay integers).
fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// A share as written in reports: at least two decimals (`0.30`).
pub fn share_text(s: Decimal) -> String {
    let s = s.normalize();
    if s.scale() < 2 {
        let mut t = s;
        t.rescale(2);
        t.to_string()
    } else {
        s.to_string()
    }
}

/// `capacity.json` (SPEC §6): the numbers of §4 per region and per event.
pub fn capacity_json(plan: &Plan) -> Value {
    let mut regions = serde_json::Map::new();
    for r in &plan.capacity.regions {
        regions.insert(
            r.region.clone(),
            json!({
                "share": share_text(r.share),
                "instance_type": r.instance_type,
                "vcpus_per_instance": r.vcpus_per_instance,
                "planned_users_per_instance": r.planned_users_per_instance.to_string(),
                "baseline_users": r.baseline_users.to_string(),
                "peak_users": r.peak_users.to_string(),
                "failover_users": r.failover_users.to_string(),
                "baseline_instances": r.baseline_instances,
                "peak_instances": r.peak_instances,
                "min_size": r.min_size,
                "max_size": r.max_size,
                "vcpus_at_max": r.vcpus_at_max,
            }),
        );
        tier_sizes(plan, &r.region, regions.get_mut(&r.region));
        kubernetes::capacity_entry(plan, &r.region, regions.get_mut(&r.region));
    }
    let events: Vec<Value> = plan
        .capacity
        .events
        .iter()
        .map(|e| {
            let regions: serde_json::Map<String, Value> = e
                .regions
                .iter()
                .map(|r| {
                    (
                        r.region.clone(),
                        json!({"prewarm_min_size": r.prewarm_min_size}),
                    )
                })
                .collect();
            json!({
                "name": e.name,
                "expected_users": e.expected_users.to_string(),
                "prewarm_at": e.prewarm_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "starts_at": e.starts_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "release_at": e.release_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "regions": regions,
            })
        })
        .collect();
    let totals = json!({
        "peak_instances": plan.capacity.regions.iter().map(|r| r.peak_instances).sum::<u64>(),
        "min_size": plan.capacity.regions.iter().map(|r| r.min_size).sum::<u64>(),
        "max_size": plan.capacity.regions.iter().map(|r| r.max_size).sum::<u64>(),
        "vcpus_at_max": plan.capacity.regions.iter().map(|r| r.vcpus_at_max).sum::<u64>(),
    });
    json!({
        "format_version": 1,
        "name": plan.name,
        "environment": plan.environment,
        "stack_name": plan.stack_name(),
        "traffic": {
            "peak_concurrent_users": plan.traffic.peak.to_string(),
            "baseline_concurrent_users": plan.traffic.baseline.to_string(),
            "headroom": plan.traffic.headroom.normalize().to_string(),
            "survive_region_loss": plan.traffic.survive_region_loss,
        },
        "regions": regions,
        "totals": totals,
        "events": events,
    })
}

/// `database.instances`, `search.data_nodes` and `search.master_nodes` of
/// one region of `capacity.json` (SPEC §7), when the tier is present.
fn tier_sizes(plan: &Plan, region: &str, entry: Option<&mut Value>) {
    let Some(Value::Object(entry)) = entry else {
        return;
    };
    if let Some(db) = plan
        .capacity
        .database
        .as_ref()
        .and_then(|c| c.region(region))
    {
        entry.insert("database".into(), json!({"instances": db.instances}));
    }
    if let Some(s) = plan.capacity.search.as_ref().and_then(|c| c.region(region)) {
        entry.insert(
            "search".into(),
            json!({"data_nodes": s.data_nodes, "master_nodes": s.master_nodes}),
        );
    }
}
