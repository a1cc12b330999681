//! The JSON report: `capacity.json` (SPEC §6) extended with every number
//! of the Markdown and HTML reports.
//!
//! Layout (`format_version` 1, `kind` `"streamscale-report"`): the keys of
//! capacity.json (`format_version`, `name`, `environment`, `stack_name`,
//! `traffic`, `regions`, `totals`, `events`) with more keys per region and
//! per event, and `kind`, `as_of`, `summary`, `region_loss`, `quotas`,
//! `latency`, `prices`, `live`, `findings`. User counts and money are exact
//! decimal strings (US dollars); instance and vCPU counts are integers;
//! percentages are strings with two decimals; an unknown price or a cost
//! that needs one is `null`.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::format::rfc3339;
use super::{Levels, Money, Report};
use crate::render::{share_text, to_pretty};

fn dec(d: Decimal) -> Value {
    json!(d.to_string())
}

fn money(m: Money) -> Value {
    m.map_or(Value::Null, dec)
}

fn levels_u64(l: Levels<u64>) -> Value {
    json!({"baseline": l.baseline, "peak": l.peak, "max": l.max})
}

fn levels_money(l: Levels<Money>) -> Value {
    json!({"baseline": money(l.baseline), "peak": money(l.peak), "max": money(l.max)})
}

/// The report as a JSON value.
pub fn value(r: &Report) -> Value {
    let mut doc = match r.capacity.clone() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    doc.insert("format_version".into(), json!(super::FORMAT_VERSION));
    doc.insert("kind".into(), json!("streamscale-report"));
    doc.insert("as_of".into(), json!(rfc3339(r.as_of)));
    if r.tiers.database.is_some() || r.tiers.search.is_some() {
        doc.insert("tiers".into(), super::tiers::json(&r.tiers));
    }
    if r.platform.kubernetes.is_some() || r.platform.monitoring.is_some() {
        doc.insert("platform".into(), super::platform::json(&r.platform));
    }

    // Regions: capacity.json's keys plus the report's.
    if let Some(Value::Object(regions)) = doc.get_mut("regions") {
        for row in &r.regions {
            let Some(Value::Object(o)) = regions.get_mut(&row.region) else {
                continue;
            };
            o.insert("city".into(), json!(row.city));
            o.insert("users_per_instance".into(), dec(row.users_per_instance));
            o.insert("target_utilization".into(), dec(row.target_utilization));
            o.insert("instances".into(), levels_u64(row.instances));
            o.insert("vcpus".into(), levels_u64(row.vcpus));
            o.insert(
                "price".into(),
                row.price.map_or(Value::Null, |p| {
                    json!({"usd_per_hour": dec(p.usd_per_hour.normalize()), "source_date": p.source_date})
                }),
            );
            o.insert("cost_per_hour".into(), levels_money(row.cost));
            o.insert(
                "cache".into(),
                match (&r.cache, row.cache_cost) {
                    (Some(c), Some(cost)) => json!({
                        "engine": c.engine,
                        "node_type": c.node_type,
                        "nodes": c.nodes_per_region,
                        "usd_per_node_hour": row.cache_price.map_or(Value::Null, |p| dec(p.usd_per_hour.normalize())),
                        "cost_per_hour": money(cost),
                    }),
                    _ => Value::Null,
                },
            );
            o.insert(
                "utilization_at_peak_percent".into(),
                dec(row.utilization_at_peak),
            );
        }
    }

    // Events: capacity.json's keys plus the report's.
    if let Some(Value::Array(events)) = doc.get_mut("events") {
        for (ev, row) in events.iter_mut().zip(&r.events) {
            let Value::Object(o) = ev else { continue };
            o.insert("window_minutes".into(), json!(row.window_minutes));
            o.insert("status".into(), json!(row.status.as_str()));
            o.insert("prewarm_instances".into(), json!(row.instances));
            o.insert("extra_instances".into(), json!(row.extra_instances));
            o.insert("prewarm_cost".into(), money(row.prewarm_cost));
            o.insert("extra_cost".into(), money(row.extra_cost));
            if let Some(Value::Object(regions)) = o.get_mut("regions") {
                for er in &row.regions {
                    if let Some(Value::Object(x)) = regions.get_mut(&er.region) {
                        x.insert("min_size".into(), json!(er.min_size));
                        x.insert("cost_per_hour".into(), money(er.cost_per_hour));
                        x.insert("window_cost".into(), money(er.window_cost));
                    }
                }
            }
        }
    }

    let s = &r.summary;
    let next = r.next_event.map(|i| &r.events[i]);
    doc.insert(
        "summary".into(),
        json!({
            "peak_users": dec(r.peak_users),
            "baseline_users": dec(r.baseline_users),
            "regions": s.regions,
            "instances": levels_u64(s.instances),
            "vcpus": levels_u64(s.vcpus),
            "cost_per_hour": {
                "compute": levels_money(s.compute_cost),
                "cache": s.cache_cost.map_or(Value::Null, money),
                "total": levels_money(s.total_cost),
            },
            "cost_per_1000_peak_users_per_hour": {
                "compute": money(s.compute_per_1000_peak_users),
                "total": money(s.total_per_1000_peak_users),
            },
            "capacity_ceiling_users": dec(s.capacity_ceiling),
            "next_event": next.map_or(Value::Null, |e| json!({
                "name": e.name,
                "status": e.status.as_str(),
                "prewarm_at": rfc3339(e.prewarm_at),
                "starts_at": rfc3339(e.starts_at),
                "release_at": rfc3339(e.release_at),
                "minutes_until_prewarm": (e.prewarm_at - r.as_of).num_minutes(),
            })),
            "verdict": {
                "carries_peak": s.carries_peak,
                "survives_region_loss": s.survives_region_loss,
                "quotas_ok": s.quotas_ok,
                "latency_ok": s.latency_ok,
            },
        }),
    );

    doc.insert(
        "region_loss".into(),
        Value::Array(
            r.region_loss
                .iter()
                .map(|l| {
                    let survivors: Map<String, Value> = l
                        .survivors
                        .iter()
                        .map(|v| {
                            (
                                v.region.clone(),
                                json!({
                                    "users": dec(v.users),
                                    "max_size": v.max_size,
                                    "capacity_users": dec(v.capacity_users),
                                    "utilization_percent": dec(v.utilization),
                                    "of_target_percent": dec(v.of_target),
                                    "above_target": v.above_target,
                                    "overloaded": v.overloaded,
                                }),
                            )
                        })
                        .collect();
                    json!({
                        "lost": l.lost,
                        "lost_share": share_text(l.lost_share),
                        "survivors": survivors,
                        "overloaded": l.overloaded().map(|v| v.region.clone()).collect::<Vec<_>>(),
                        "breaks_at_users": dec(l.breaks_at),
                    })
                })
                .collect(),
        ),
    );

    let quota_regions: Map<String, Value> = r
        .quotas
        .iter()
        .map(|q| {
            (
                q.region.clone(),
                json!({
                    "vcpus_at_peak": q.vcpus_at_peak,
                    "vcpus_at_max": q.vcpus_at_max,
                    "quota": q.quota,
                    "source": q.source.map(|s| s.as_str()),
                    "shortfall": q.shortfall,
                    "use_percent": q.use_percent.map(dec),
                }),
            )
        })
        .collect();
    doc.insert(
        "quotas".into(),
        json!({
            "quota_code": super::VCPU_QUOTA_CODE,
            "regions": quota_regions,
            "shortfalls": r.quotas.iter().filter(|q| q.shortfall.is_some()).map(|q| q.region.clone()).collect::<Vec<_>>(),
        }),
    );

    let l = &r.latency;
    doc.insert(
        "latency".into(),
        json!({
            "target_ms": l.target_ms,
            "steering": l.steering,
            "fibre_km_per_ms": super::latency::FIBRE_KM_PER_MS,
            "routing_factor": super::latency::ROUTING_FACTOR,
            "metros": l.metros.iter().map(|m| json!({
                "metro": m.metro,
                "cloudflare_region": m.cloudflare_region,
                "serving_region": m.serving_region,
                "nearest_region": m.nearest_region,
                "distance_km": m.distance_km,
                "rtt_ms": m.rtt_ms,
                "above_target": m.above_target,
            })).collect::<Vec<_>>(),
            "above_target": l.metros.iter().filter(|m| m.above_target).map(|m| m.metro.clone()).collect::<Vec<_>>(),
        }),
    );

    let dates: Map<String, Value> = r
        .price_dates
        .iter()
        .map(|(s, d)| (s.clone(), json!(d)))
        .collect();
    doc.insert(
        "prices".into(),
        json!({
            "source": super::PRICE_SOURCE,
            "currency": "USD",
            "source_dates": dates,
            "unknown": r.unknown_prices.iter().map(|(s, reg, t)| json!({"service": s, "region": reg, "type": t})).collect::<Vec<_>>(),
        }),
    );

    doc.insert(
        "live".into(),
        r.live.as_ref().map_or(Value::Null, |l| {
            let regions: Map<String, Value> = l
                .regions
                .iter()
                .map(|x| {
                    (
                        x.region.clone(),
                        json!({
                            "instances": x.instances,
                            "expected_min": x.expected_min,
                            "max_size": x.max_size,
                            "below_min": x.below_min,
                        }),
                    )
                })
                .collect();
            json!({"regions": regions, "drift_summary": l.drift_summary})
        }),
    );

    doc.insert(
        "findings".into(),
        Value::Array(
            r.findings
                .iter()
                .map(|f| json!({"severity": f.severity.as_str(), "section": f.section, "message": f.message}))
                .collect(),
        ),
    );
    Value::Object(doc)
}

/// The report as pretty JSON text with a final newline.
pub fn render(r: &Report) -> String {
    to_pretty(&value(r))
}
