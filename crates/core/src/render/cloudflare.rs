//! Cloudflare request bodies (SPEC §6): the health monitor, one origin pool
//! per AWS region, the geo-steered load balancer and the cache-rules
//! entrypoint ruleset, exactly as Cloudflare's API takes them.
//!
//! Values only known at apply time are written as placeholders (see
//! [`placeholder`]) and resolved by [`resolve`].

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::catalog;
use crate::plan::Plan;

/// How many pools each Cloudflare region lists, nearest first.
pub const POOLS_PER_REGION: usize = 3;

/// Placeholder kinds written into bodies before apply.
///
/// - `${aws:<region>:<Output>}`: a stack output of that region, e.g.
///   `${aws:us-east-1:LoadBalancerDNSName}`.
/// - `${cloudflare:monitor:<name>}` / `${cloudflare:pool:<name>}`: the id
///   Cloudflare gives the monitor or pool of that name when it is created.
pub fn placeholder(kind: &str, scope: &str, key: &str) -> String {
    format!("${{{kind}:{scope}:{key}}}")
}

/// The pool name of `region`: `<name>-<environment>-<region>`.
pub fn pool_name(plan: &Plan, region: &str) -> String {
    format!("{}-{}-{}", plan.name, plan.environment, region)
}

/// The monitor's description, which is also how apply finds it again.
pub fn monitor_name(plan: &Plan) -> String {
    format!("{}-{}", plan.name, plan.environment)
}

/// The four bodies, keyed by file name.
pub fn bodies(plan: &Plan) -> Option<BTreeMap<&'static str, Value>> {
    let cf = plan.cloudflare.as_ref()?;
    let mut out = BTreeMap::new();
    out.insert("monitor.json", monitor(plan, cf));
    out.insert("pools.json", pools(plan, cf));
    out.insert("load_balancer.json", load_balancer(plan, cf));
    out.insert("cache_rules.json", cache_rules(plan, cf));
    Some(out)
}

fn monitor(plan: &Plan, cf: &crate::plan::Cloudflare) -> Value {
    let hc = &cf.health_check;
    let mut m = json!({
        "type": hc.kind,
        "description": monitor_name(plan),
        "interval": hc.interval_seconds,
        "timeout": hc.timeout_seconds,
        "retries": hc.retries,
        "port": if hc.kind == "https" { 443 } else { 80 },
    });
    if hc.kind != "tcp" {
        m["method"] = json!("GET");
        m["path"] = json!(hc.path);
        m["expected_codes"] = json!(hc.expected_codes);
        m["follow_redirects"] = json!(false);
        m["allow_insecure"] = json!(false);
        m["header"] = json!({ "Host": [cf.hostname] });
    } else {
        // Cloudflare requires the key; it is ignored for TCP monitors.
        m["expected_codes"] = json!(hc.expected_codes);
    }
    m
}

fn pools(plan: &Plan, _cf: &crate::plan::Cloudflare) -> Value {
    let monitor = placeholder("cloudflare", "monitor", &monitor_name(plan));
    let pools: Vec<Value> = plan
        .regions
        .iter()
        .map(|r| {
            let info = catalog::region(&r.name);
            let mut pool = json!({
                "name": pool_name(plan, &r.name),
                "description": format!("{} {} in AWS {}", plan.name, plan.environment, r.name),
                "enabled": true,
                "minimum_origins": 1,
                "monitor": monitor,
                "origins": [{
                    "name": format!("{}-alb", r.name),
                    "address": placeholder("aws", &r.name, "LoadBalancerDNSName"),
                    "enabled": true,
                    "weight": 1,
                }],
            });
            if let Some(info) = info {
                pool["latitude"] = json!(info.lat);
                pool["longitude"] = json!(info.lon);
                pool["check_regions"] = json!([info.cloudflare_region]);
            }
            pool
        })
        .collect();
    Value::Array(pools)
}

/// For every Cloudflare region, the plan's regions nearest to it (by
/// great-circle distance from the Cloudflare region's centre), up to
/// [`POOLS_PER_REGION`], nearest first.
pub fn nearest_regions(plan: &Plan) -> BTreeMap<&'static str, Vec<String>> {
    let mut out = BTreeMap::new();
    for code in catalog::cloudflare_regions() {
        let Some(centre) = catalog::cloudflare_region_centroid(code) else {
            continue;
        };
        let mut by_distance: Vec<(f64, &str)> = plan
            .regions
            .iter()
            .filter_map(|r| {
                let info = catalog::region(&r.name)?;
                Some((
                    catalog::great_circle_km(centre, (info.lat, info.lon)),
                    r.name.as_str(),
                ))
            })
            .collect();
        by_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        out.insert(
            *code,
            by_distance
                .into_iter()
                .take(POOLS_PER_REGION)
                .map(|(_, r)| r.to_string())
                .collect(),
        );
    }
    out
}

/// Regions by share, largest first (ties by name): the default failover order.
fn by_share(plan: &Plan) -> Vec<&str> {
    let mut regions: Vec<&crate::plan::Region> = plan.regions.iter().collect();
    regions.sort_by(|a, b| b.share.cmp(&a.share).then(a.name.cmp(&b.name)));
    regions.into_iter().map(|r| r.name.as_str()).collect()
}

fn load_balancer(plan: &Plan, cf: &crate::plan::Cloudflare) -> Value {
    let pool = |r: &str| placeholder("cloudflare", "pool", &pool_name(plan, r));
    let order = by_share(plan);
    let region_pools: serde_json::Map<String, Value> = nearest_regions(plan)
        .into_iter()
        .map(|(code, regions)| {
            (
                code.to_string(),
                Value::Array(regions.iter().map(|r| json!(pool(r))).collect()),
            )
        })
        .collect();
    json!({
        "name": cf.hostname,
        "description": format!("{} {}: {} AWS regions, managed by streamscale", plan.name, plan.environment, plan.regions.len()),
        "enabled": true,
        "proxied": cf.proxied,
        "steering_policy": cf.steering_policy,
        "session_affinity": cf.session_affinity,
        "default_pools": order.iter().map(|r| pool(r)).collect::<Vec<_>>(),
        "fallback_pool": pool(order[0]),
        "region_pools": region_pools,
    })
}

fn cache_rules(plan: &Plan, cf: &crate::plan::Cloudflare) -> Value {
    let rules: Vec<Value> = cf
        .cache_rules
        .iter()
        .map(|r| {
            let mut params = json!({ "cache": r.cache });
            if r.cache {
                if let Some(ttl) = r.edge_ttl_seconds {
                    // Origin errors are never stored at the edge: a cached
                    // 5xx on a live manifest would outlast the incident.
                    params["edge_ttl"] = json!({
                        "mode": "override_origin",
                        "default": ttl,
                        "status_code_ttl": [{"status_code_range": {"from": 500, "to": 599}, "value": -1}],
                    });
                }
                if let Some(ttl) = r.browser_ttl_seconds {
                    params["browser_ttl"] = json!({ "mode": "override_origin", "default": ttl });
                }
            }
            json!({
                "description": r.name,
                "expression": r.expression,
                "action": "set_cache_settings",
                "action_parameters": params,
                "enabled": true,
            })
        })
        .collect();
    json!({
        "name": "default",
        "description": format!("Cache rules of {} {}, managed by streamscale", plan.name, plan.environment),
        "kind": "zone",
        "phase": "http_request_cache_settings",
        "rules": rules,
    })
}

/// Replace every `${aws:<region>:<Output>}` in `body` with that region's
/// stack output. Returns the placeholders that had no value.
pub fn resolve(
    body: &mut Value,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> Vec<String> {
    substitute(body, "aws", &|inner| {
        let (region, key) = inner.split_once(':')?;
        outputs.get(region)?.get(key).cloned()
    })
}

/// Replace every `${<kind>:…}` placeholder string in `body` with
/// `lookup(…)` where it has a value. Returns the placeholders left.
pub fn substitute(
    body: &mut Value,
    kind: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let prefix = format!("${{{kind}:");
    let mut missing = Vec::new();
    walk_strings(body, &mut |s: &mut String| {
        if let Some(inner) = s
            .strip_prefix(prefix.as_str())
            .and_then(|r| r.strip_suffix('}'))
        {
            match lookup(inner) {
                Some(v) => *s = v,
                None => missing.push(s.clone()),
            }
        }
    });
    missing
}

fn walk_strings(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| walk_strings(x, f)),
        Value::Object(o) => o.values_mut().for_each(|x| walk_strings(x, f)),
        _ => {}
    }
}
