//! The platform tiers in the capacity review (SPEC §7): the Kubernetes
//! numbers per region (nodes, replicas, CPU target, pod requests), the EKS
//! cluster cost, the alert thresholds next to the plan's SLO, and the
//! Amazon Managed Service for Prometheus ingestion cost.
//!
//! * **EKS** = 730 cluster-hours a month × (the standard price, plus the
//!   extended-support surcharge when the version is past standard support
//!   on the calendar's date).
//! * **AMP ingestion** = nodes × `active_series_per_node` × seconds in 30
//!   days / `scrape_interval_seconds` samples a month, priced through AMP's
//!   tiers (the first 40 M free), at MinSize (an ordinary day) and at
//!   MaxSize (a region's loss at peak). Storage and queries are not priced.

use std::fmt::Write;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};

use crate::catalog::platform::{
    EksSupport, amp_ingestion, amp_ingestion_cost, eks_price, eks_version, eks_versions_as_of,
};
use crate::plan::Plan;
use crate::plan::platform::{
    BURN_RATE_WINDOWS, burn_threshold, ceiling_threshold, samples_per_month,
};

/// Cluster-hours in a month as AWS's price pages count them.
const HOURS_PER_MONTH: u32 = 730;

/// The platform tiers of a report; both empty without the tables.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlatformTiers {
    /// Kubernetes, when the plan has `[kubernetes]`.
    pub kubernetes: Option<Value>,
    /// Monitoring, when the plan has `[monitoring]`.
    pub monitoring: Option<Value>,
}

fn money(d: Decimal) -> String {
    let mut r = d.round_dp(2);
    r.rescale(2);
    r.to_string()
}

/// The section's numbers.
pub fn build(plan: &Plan) -> PlatformTiers {
    PlatformTiers {
        kubernetes: kubernetes(plan),
        monitoring: monitoring(plan),
    }
}

fn kubernetes(plan: &Plan) -> Option<Value> {
    let k = plan.kubernetes.as_ref()?;
    let kc = plan.capacity.kubernetes.as_ref()?;
    let support = eks_version(&k.version).map(|v| v.support_on(eks_versions_as_of()));
    let regions: Vec<Value> = plan
        .capacity
        .regions
        .iter()
        .filter_map(|rc| {
            let kr = kc.region(&rc.region)?;
            let monthly = eks_price(&rc.region).map(|p| {
                let hourly = match support {
                    Some(EksSupport::Extended) => {
                        p.standard_per_hour + p.extended_surcharge_per_hour
                    }
                    _ => p.standard_per_hour,
                };
                hourly * Decimal::from(HOURS_PER_MONTH)
            });
            Some(json!({
                "region": rc.region,
                "nodes_min": rc.min_size,
                "nodes_max": rc.max_size,
                "min_replicas": kr.min_replicas,
                "max_replicas": kr.max_replicas,
                "cpu_target_percent": kr.cpu_target_percent,
                "cpu_request_millicores": kr.cpu_request_millicores,
                "memory_request_mib": kr.memory_request_mib,
                "eks_usd_per_month": monthly.map(money),
            }))
        })
        .collect();
    Some(json!({
        "version": k.version,
        "support": match support {
            Some(EksSupport::Standard) => "standard",
            Some(EksSupport::Extended) => "extended",
            _ => "unknown",
        },
        "pods_per_node": k.pods_per_node,
        "regions": regions,
    }))
}

fn monitoring(plan: &Plan) -> Option<Value> {
    let m = plan.monitoring.as_ref()?;
    let burn: Vec<Value> = BURN_RATE_WINDOWS
        .iter()
        .map(|w| {
            json!({
                "long_window": w.long,
                "short_window": w.short,
                "burn_rate": w.burn_rate.normalize().to_string(),
                "error_ratio_above": burn_threshold(m, w).to_string(),
                "budget_consumed": w.budget_consumed,
                "severity": w.severity,
            })
        })
        .collect();
    let regions: Vec<Value> = plan
        .capacity
        .regions
        .iter()
        .map(|rc| {
            let at_min = samples_per_month(m, rc.min_size);
            let at_max = samples_per_month(m, rc.max_size);
            let date = amp_ingestion(&rc.region).map(|(_, d)| d);
            json!({
                "region": rc.region,
                "ceiling_nodes_above": ceiling_threshold(m, rc.max_size).to_string(),
                "max_size": rc.max_size,
                "samples_per_month_at_min": at_min,
                "samples_per_month_at_max": at_max,
                "amp_usd_per_month_at_min": amp_ingestion_cost(&rc.region, at_min).map(money),
                "amp_usd_per_month_at_max": amp_ingestion_cost(&rc.region, at_max).map(money),
                "price_date": date,
            })
        })
        .collect();
    Some(json!({
        "availability_slo": m.availability_slo.to_string(),
        "error_budget": m.error_budget().normalize().to_string(),
        "burn_rate_alerts": burn,
        "latency_p99_ms": m.latency_p99_ms,
        "ceiling_alert_fraction": m.ceiling_alert_fraction.to_string(),
        "active_series_per_node": m.active_series_per_node,
        "scrape_interval_seconds": m.scrape_interval_seconds,
        "regions": regions,
    }))
}

/// The JSON report's `platform` object.
pub fn json(p: &PlatformTiers) -> Value {
    let mut o = serde_json::Map::new();
    if let Some(k) = &p.kubernetes {
        o.insert("kubernetes".into(), k.clone());
    }
    if let Some(m) = &p.monitoring {
        o.insert("monitoring".into(), m.clone());
    }
    Value::Object(o)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "unknown".into(),
        other => other.to_string(),
    }
}

/// The Markdown sections (nothing without the tables).
pub fn markdown(p: &PlatformTiers, o: &mut String) {
    if let Some(k) = &p.kubernetes {
        let _ = writeln!(
            o,
            "## Kubernetes (EKS {}, {} support)\n\n{} app pods per node; the HPA's CPU target is the plan's target utilization.\n",
            text(&k["version"]),
            text(&k["support"]),
            text(&k["pods_per_node"])
        );
        o.push_str("| region | nodes | replicas | CPU target | pod requests | EKS USD/month |\n|---|---:|---:|---:|---:|---:|\n");
        for r in k["regions"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "| {} | {}–{} | {}–{} | {}% | {}m, {} MiB | {} |",
                text(&r["region"]),
                r["nodes_min"],
                r["nodes_max"],
                r["min_replicas"],
                r["max_replicas"],
                r["cpu_target_percent"],
                r["cpu_request_millicores"],
                r["memory_request_mib"],
                text(&r["eks_usd_per_month"])
            );
        }
        o.push('\n');
    }
    if let Some(m) = &p.monitoring {
        let _ = writeln!(
            o,
            "## Alerts (availability SLO {}, error budget {})\n\n| alert | windows | burn rate | fires above error ratio | budget used | severity |\n|---|---|---:|---:|---:|---|",
            text(&m["availability_slo"]),
            text(&m["error_budget"])
        );
        for b in m["burn_rate_alerts"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "| ErrorBudgetBurn{} | {} and {} | {}x | {} | {} | {} |",
                text(&b["long_window"]),
                text(&b["long_window"]),
                text(&b["short_window"]),
                text(&b["burn_rate"]),
                text(&b["error_ratio_above"]),
                text(&b["budget_consumed"]),
                text(&b["severity"])
            );
        }
        let _ = writeln!(
            o,
            "| LatencyP99High | 5m, for 10m | | p99 above {} ms | | page |\n",
            m["latency_p99_ms"]
        );
        let _ = writeln!(
            o,
            "Capacity ceiling at {} of MaxSize; AMP ingestion from {} active series per node every {} s (30-day month, first 40 M samples free).\n",
            text(&m["ceiling_alert_fraction"]),
            m["active_series_per_node"],
            m["scrape_interval_seconds"]
        );
        o.push_str("| region | ceiling alert above | AMP samples/month (MinSize–MaxSize) | AMP USD/month | prices of |\n|---|---:|---:|---:|---|\n");
        for r in m["regions"].as_array().into_iter().flatten() {
            let _ = writeln!(
                o,
                "| {} | {} of {} nodes | {}–{} | {}–{} | {} |",
                text(&r["region"]),
                text(&r["ceiling_nodes_above"]),
                r["max_size"],
                r["samples_per_month_at_min"],
                r["samples_per_month_at_max"],
                text(&r["amp_usd_per_month_at_min"]),
                text(&r["amp_usd_per_month_at_max"]),
                text(&r["price_date"])
            );
        }
        o.push('\n');
    }
}
