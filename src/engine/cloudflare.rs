//! The Cloudflare side of plan, apply and destroy: the monitor, one pool per
//! region, the load balancer and the cache-rules entrypoint, found again by
//! name (the monitor by its description), compared key by key with the
//! rendered bodies, and created or replaced in dependency order.
//!
//! streamscale owns the zone's `http_request_cache_settings` entrypoint
//! ruleset: apply replaces its rules with the plan's.
//!
//! A saved plan carries its Cloudflare changes, the bodies they were
//! computed from and a digest of the live objects it read
//! ([`SavedCloudflare`]); `apply FILE` applies exactly those changes, or
//! refuses as stale when the live objects changed since.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::EngineError;
use crate::aws::Aws;
use crate::cloudflare::{Cloudflare, CloudflareError};
use streamscale_core::diff::{Action, PropertyChange, desired_diff};
use streamscale_core::digest::sha256_hex;
use streamscale_core::plan::Plan;
use streamscale_core::render::Rendered;
use streamscale_core::render::cloudflare::{monitor_name, substitute};

/// The phase of the cache-rules entrypoint.
pub const CACHE_PHASE: &str = "http_request_cache_settings";

/// One Cloudflare object that changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CloudflareChange {
    /// monitor, pool, load_balancer or cache_rules.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Create or update.
    pub action: Action,
    /// Changed keys (updates).
    pub properties: Vec<PropertyChange>,
    /// What the difference puts at risk, where it is more than
    /// configuration: the zone's SSL mode below strict is `security`
    /// (Cloudflare would reach the origin without checking its
    /// certificate, or over plain HTTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

/// The zone's SSL/TLS mode streamscale sets: Cloudflare connects to the
/// origin over HTTPS and checks its certificate (docs/security.md).
pub const SSL_MODE: &str = "strict";

/// What exists now, by name.
struct Live {
    zone: String,
    ssl_mode: String,
    monitor: Option<Value>,
    pools: HashMap<String, Value>,
    load_balancer: Option<Value>,
    rules: Option<Value>,
}

async fn read_live(
    api: &Cloudflare,
    plan: &Plan,
    cf: &streamscale_core::plan::Cloudflare,
) -> Result<Live, CloudflareError> {
    let zone = api.zone_id(&cf.zone).await?;
    let ssl_mode = api.ssl_mode(&zone).await?;
    let want = monitor_name(plan);
    let monitor = api
        .monitors()
        .await?
        .into_iter()
        .find(|m| m["description"] == want.as_str());
    let pools = api
        .pools()
        .await?
        .into_iter()
        .filter_map(|p| Some((p["name"].as_str()?.to_string(), p)))
        .collect();
    let load_balancer = api
        .load_balancers(&zone)
        .await?
        .into_iter()
        .find(|l| l["name"] == cf.hostname.as_str());
    let rules = api.entrypoint(&zone, CACHE_PHASE).await?;
    Ok(Live {
        zone,
        ssl_mode,
        monitor,
        pools,
        load_balancer,
        rules,
    })
}

/// A digest of the live objects streamscale manages for this plan (the
/// monitor, the plan's pools, the load balancer, the cache rules), as read:
/// any change to one of them since a plan was saved changes it.
fn live_digest(live: &Live, plan: &Plan) -> String {
    let pools: BTreeMap<String, &Value> = plan
        .regions
        .iter()
        .map(|r| streamscale_core::render::cloudflare::pool_name(plan, &r.name))
        .filter_map(|name| Some((name.clone(), live.pools.get(&name)?)))
        .collect();
    let doc = serde_json::json!({
        "zone": live.zone,
        "ssl_mode": live.ssl_mode,
        "monitor": live.monitor,
        "pools": pools,
        "load_balancer": live.load_balancer,
        "rules": live.rules,
    });
    sha256_hex(&[doc.to_string().as_bytes()])
}

fn id(v: &Value) -> Option<String> {
    v["id"].as_str().map(str::to_string)
}

/// Put live ids in place of `${cloudflare:…}` placeholders.
fn with_ids(body: &Value, monitor: Option<&str>, pools: &HashMap<String, String>) -> Value {
    let mut b = body.clone();
    substitute(&mut b, "cloudflare", &|inner| {
        let (kind, name) = inner.split_once(':')?;
        match kind {
            "monitor" => monitor.map(str::to_string),
            "pool" => pools.get(name).cloned(),
            _ => None,
        }
    });
    b
}

fn change(
    kind: &'static str,
    name: &str,
    live: Option<&Value>,
    desired: &Value,
) -> Option<CloudflareChange> {
    let kind = kind.to_string();
    match live {
        None => Some(CloudflareChange {
            kind,
            name: name.to_string(),
            action: Action::Create,
            properties: Vec::new(),
            severity: None,
        }),
        Some(l) => {
            let properties = desired_diff(l, desired);
            (!properties.is_empty()).then(|| CloudflareChange {
                kind,
                name: name.to_string(),
                action: Action::Update,
                properties,
                severity: None,
            })
        }
    }
}

/// The rules as compared: only what streamscale sets of each rule.
fn rule_view(rules: &Value) -> Value {
    let keep = [
        "description",
        "expression",
        "action",
        "action_parameters",
        "enabled",
    ];
    Value::Array(
        rules
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        Value::Object(
                            keep.iter()
                                .filter_map(|k| Some((k.to_string(), r.get(*k)?.clone())))
                                .collect(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// What apply would change on Cloudflare, given the bodies with stack
/// outputs resolved as far as they can be, and the digest of the live
/// objects read.
pub async fn plan_changes(
    api: &Cloudflare,
    plan: &Plan,
    bodies: &BTreeMap<&'static str, Value>,
) -> Result<(Vec<CloudflareChange>, String), CloudflareError> {
    let Some(cf) = &plan.cloudflare else {
        return Ok((Vec::new(), String::new()));
    };
    let live = read_live(api, plan, cf).await?;
    let digest = live_digest(&live, plan);
    let monitor_id = live.monitor.as_ref().and_then(id);
    let pool_ids: HashMap<String, String> = live
        .pools
        .iter()
        .filter_map(|(n, p)| Some((n.clone(), id(p)?)))
        .collect();
    let mut out = Vec::new();
    if live.ssl_mode != SSL_MODE {
        out.push(CloudflareChange {
            kind: "ssl_mode".into(),
            name: cf.zone.clone(),
            action: Action::Update,
            properties: vec![streamscale_core::diff::PropertyChange {
                path: "value".into(),
                before: Some(Value::String(live.ssl_mode.clone())),
                after: Some(Value::String(SSL_MODE.into())),
            }],
            severity: Some("security".into()),
        });
    }
    out.extend(change(
        "monitor",
        &monitor_name(plan),
        live.monitor.as_ref(),
        &bodies["monitor.json"],
    ));
    for pool in bodies["pools.json"].as_array().into_iter().flatten() {
        let name = pool["name"].as_str().unwrap_or_default();
        let desired = with_ids(pool, monitor_id.as_deref(), &pool_ids);
        out.extend(change("pool", name, live.pools.get(name), &desired));
    }
    let lb = &bodies["load_balancer.json"];
    let desired = with_ids(lb, monitor_id.as_deref(), &pool_ids);
    out.extend(change(
        "load_balancer",
        lb["name"].as_str().unwrap_or_default(),
        live.load_balancer.as_ref(),
        &desired,
    ));
    let rules = &bodies["cache_rules.json"];
    let live_rules = live.rules.as_ref().map(|r| rule_view(&r["rules"]));
    out.extend(change(
        "cache_rules",
        CACHE_PHASE,
        live_rules.as_ref(),
        &rule_view(&rules["rules"]),
    ));
    Ok((out, digest))
}

/// Create or replace every object, in dependency order: the monitor, the
/// pools (pointing at it), the load balancer (pointing at them), the cache
/// rules. Returns one line per object.
pub async fn apply(
    api: &Cloudflare,
    plan: &Plan,
    bodies: &BTreeMap<&'static str, Value>,
) -> Result<Vec<String>, CloudflareError> {
    let Some(cf) = &plan.cloudflare else {
        return Ok(Vec::new());
    };
    let live = read_live(api, plan, cf).await?;
    apply_to(api, plan, &live, bodies, None).await
}

/// Apply a saved plan's Cloudflare changes: exactly those objects, with
/// the bodies the plan showed; stale (nothing changed) when the live
/// objects are not what the plan read.
pub async fn apply_saved(
    api: &Cloudflare,
    plan: &Plan,
    saved: &SavedCloudflare,
) -> Result<Vec<String>, EngineError> {
    let Some(cf) = &plan.cloudflare else {
        return Ok(Vec::new());
    };
    let live = read_live(api, plan, cf).await?;
    fresh(&live, plan, saved)?;
    if saved.changes.is_empty() {
        return Ok(Vec::new());
    }
    let bodies: BTreeMap<&'static str, Value> = BODY_FILES
        .iter()
        .map(|f| {
            saved
                .bodies
                .get(*f)
                .map(|b| (*f, b.clone()))
                .ok_or_else(|| {
                    EngineError::Stale(format!("the plan file has no Cloudflare body {f}"))
                })
        })
        .collect::<Result<_, _>>()?;
    let only: BTreeSet<(String, String)> = saved
        .changes
        .iter()
        .map(|c| (c.kind.clone(), c.name.clone()))
        .collect();
    Ok(apply_to(api, plan, &live, &bodies, Some(&only)).await?)
}

/// Refuse a saved plan whose Cloudflare objects changed since it was
/// saved (checked before apply changes anything).
pub async fn check_saved(
    api: &Cloudflare,
    plan: &Plan,
    saved: &SavedCloudflare,
) -> Result<(), EngineError> {
    let Some(cf) = &plan.cloudflare else {
        return Ok(());
    };
    fresh(&read_live(api, plan, cf).await?, plan, saved)
}

fn fresh(live: &Live, plan: &Plan, saved: &SavedCloudflare) -> Result<(), EngineError> {
    if live_digest(live, plan) == saved.live_sha256 {
        Ok(())
    } else {
        Err(EngineError::Stale(
            "the live Cloudflare objects changed since the plan was saved".into(),
        ))
    }
}

/// The rendered Cloudflare bodies, by file name.
const BODY_FILES: [&str; 4] = [
    "monitor.json",
    "pools.json",
    "load_balancer.json",
    "cache_rules.json",
];

/// Create or replace the objects (all, or only those in `only`: kind and
/// name), in dependency order, over the live objects read.
async fn apply_to(
    api: &Cloudflare,
    plan: &Plan,
    live: &Live,
    bodies: &BTreeMap<&'static str, Value>,
    only: Option<&BTreeSet<(String, String)>>,
) -> Result<Vec<String>, CloudflareError> {
    let chosen = |kind: &str, name: &str| {
        only.is_none_or(|o| o.contains(&(kind.to_string(), name.to_string())))
    };
    let account = format!("/accounts/{}/load_balancers", api.account);
    let mut done = Vec::new();
    let verb = |existing: bool| if existing { "updated" } else { "created" };

    if let Some(cf) = &plan.cloudflare
        && live.ssl_mode != SSL_MODE
        && chosen("ssl_mode", &cf.zone)
    {
        api.set_ssl_mode(&live.zone, SSL_MODE).await?;
        done.push(format!(
            "ssl mode of zone {} set to {SSL_MODE} (was {})",
            cf.zone, live.ssl_mode
        ));
    }

    let existing = live.monitor.as_ref().and_then(id);
    let mut monitor_id = existing.clone();
    if chosen("monitor", &monitor_name(plan)) {
        let monitor = api
            .upsert(
                &format!("{account}/monitors"),
                existing.as_deref(),
                &bodies["monitor.json"],
            )
            .await?;
        monitor_id = id(&monitor);
        done.push(format!(
            "monitor {} {}",
            monitor_name(plan),
            verb(existing.is_some())
        ));
    }

    let mut pool_ids: HashMap<String, String> = live
        .pools
        .iter()
        .filter_map(|(n, p)| Some((n.clone(), id(p)?)))
        .collect();
    for pool in bodies["pools.json"].as_array().into_iter().flatten() {
        let name = pool["name"].as_str().unwrap_or_default().to_string();
        if !chosen("pool", &name) {
            continue;
        }
        let existing = live.pools.get(&name).and_then(id);
        let body = with_ids(pool, monitor_id.as_deref(), &pool_ids);
        let made = api
            .upsert(&format!("{account}/pools"), existing.as_deref(), &body)
            .await?;
        if let Some(i) = id(&made) {
            pool_ids.insert(name.clone(), i);
        }
        done.push(format!("pool {name} {}", verb(existing.is_some())));
    }

    let lb = with_ids(
        &bodies["load_balancer.json"],
        monitor_id.as_deref(),
        &pool_ids,
    );
    let lb_name = lb["name"].as_str().unwrap_or_default().to_string();
    if chosen("load_balancer", &lb_name) {
        let existing = live.load_balancer.as_ref().and_then(id);
        api.upsert(
            &format!("/zones/{}/load_balancers", live.zone),
            existing.as_deref(),
            &lb,
        )
        .await?;
        done.push(format!(
            "load balancer {lb_name} {}",
            verb(existing.is_some())
        ));
    }

    if chosen("cache_rules", CACHE_PHASE) {
        api.call(
            reqwest::Method::PUT,
            &format!(
                "/zones/{}/rulesets/phases/{CACHE_PHASE}/entrypoint",
                live.zone
            ),
            Some(&bodies["cache_rules.json"]),
        )
        .await?;
        done.push(format!(
            "cache rules ({}) set",
            bodies["cache_rules.json"]["rules"]
                .as_array()
                .map_or(0, Vec::len)
        ));
    }
    Ok(done)
}

/// Delete the load balancer, the pools and the monitor, and empty the cache
/// rules. Returns one line per object deleted.
pub async fn destroy(api: &Cloudflare, plan: &Plan) -> Result<Vec<String>, CloudflareError> {
    let Some(cf) = &plan.cloudflare else {
        return Ok(Vec::new());
    };
    let live = read_live(api, plan, cf).await?;
    let account = format!("/accounts/{}/load_balancers", api.account);
    let mut done = Vec::new();
    if let Some(lb) = live.load_balancer.as_ref().and_then(id) {
        api.delete(&format!("/zones/{}/load_balancers/{lb}", live.zone))
            .await?;
        done.push("load balancer deleted".to_string());
    }
    for region in &plan.regions {
        let name = streamscale_core::render::cloudflare::pool_name(plan, &region.name);
        if let Some(p) = live.pools.get(&name).and_then(id) {
            api.delete(&format!("{account}/pools/{p}")).await?;
            done.push(format!("pool {name} deleted"));
        }
    }
    if let Some(m) = live.monitor.as_ref().and_then(id) {
        api.delete(&format!("{account}/monitors/{m}")).await?;
        done.push(format!("monitor {} deleted", monitor_name(plan)));
    }
    if live.rules.is_some() {
        let empty = serde_json::json!({
            "name": "default",
            "kind": "zone",
            "phase": CACHE_PHASE,
            "rules": [],
        });
        api.call(
            reqwest::Method::PUT,
            &format!(
                "/zones/{}/rulesets/phases/{CACHE_PHASE}/entrypoint",
                live.zone
            ),
            Some(&empty),
        )
        .await?;
        done.push("cache rules emptied".to_string());
    }
    Ok(done)
}

/// The Cloudflare part of a plan.
#[derive(Debug, Default)]
pub struct CloudflarePlan {
    /// Whether the live Cloudflare objects were read.
    pub checked: bool,
    /// Why not, or what to know.
    pub note: Option<String>,
    /// Objects to create or update.
    pub changes: Vec<CloudflareChange>,
    /// What a saved plan keeps to apply exactly these changes: only when
    /// the live objects were read and every body is resolved.
    pub saved: Option<SavedCloudflare>,
}

/// The Cloudflare part of a saved plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedCloudflare {
    /// The changes the plan showed: apply makes exactly these.
    pub changes: Vec<CloudflareChange>,
    /// The bodies they were computed from (stack outputs resolved), by file.
    pub bodies: BTreeMap<String, Value>,
    /// The digest of the live objects the plan read.
    pub live_sha256: String,
}

/// The stack outputs of every region of the plan, where a stack exists.
pub async fn known_outputs(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, EngineError> {
    let all: Vec<String> = rendered.stacks.iter().map(|s| s.region.clone()).collect();
    Ok(super::apply::outputs_all(aws, plan, &all)
        .await?
        .into_iter()
        .filter_map(|(r, o)| o.map(|o| (r, o)))
        .collect())
}

/// The Cloudflare bodies with stack outputs resolved, and the placeholders
/// still open (regions without a stack yet).
pub fn resolved_bodies(
    rendered: &Rendered,
    known: &BTreeMap<String, BTreeMap<String, String>>,
) -> (BTreeMap<&'static str, Value>, Vec<String>) {
    let mut missing = Vec::new();
    let bodies = rendered
        .cloudflare
        .iter()
        .map(|(name, body)| {
            let mut body = body.clone();
            missing.extend(streamscale_core::render::cloudflare::resolve(
                &mut body, known,
            ));
            (*name, body)
        })
        .collect();
    missing.sort();
    missing.dedup();
    (bodies, missing)
}

/// Compare the Cloudflare objects with the plan, when a token is set.
pub async fn plan_cloudflare(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
) -> Result<CloudflarePlan, EngineError> {
    if rendered.cloudflare.is_empty() {
        return Ok(CloudflarePlan::default());
    }
    let Some(api) = Cloudflare::from_env()? else {
        return Ok(CloudflarePlan {
            checked: false,
            note: Some("not checked: CLOUDFLARE_API_TOKEN is not set".into()),
            changes: Vec::new(),
            saved: None,
        });
    };
    let known = known_outputs(aws, plan, rendered).await?;
    let (bodies, missing) = resolved_bodies(rendered, &known);
    let (changes, live_sha256) = plan_changes(&api, plan, &bodies).await?;
    let (saved, note) = if missing.is_empty() {
        let saved = SavedCloudflare {
            changes: changes.clone(),
            bodies: bodies
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            live_sha256,
        };
        (Some(saved), None)
    } else {
        (
            None,
            Some(format!(
                "compared with outputs still unknown ({}): a saved plan applies no Cloudflare change; plan again once every region has a stack",
                missing.join(", ")
            )),
        )
    };
    Ok(CloudflarePlan {
        checked: true,
        note,
        changes,
        saved,
    })
}
