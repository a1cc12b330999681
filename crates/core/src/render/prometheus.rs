//! The `[monitoring]` tier rendered: the Prometheus rules of one region
//! (recording rules, the SRE workbook's multiwindow multi-burn-rate alerts on
//! the availability SLO, a p99 latency alert and a capacity-ceiling alert),
//! written to `out/<env>/prometheus/<region>/rules.yaml` and uploaded to the
//! region's Amazon Managed Service for Prometheus workspace; the context of
//! the monitoring partial; and `promtool test rules` unit tests that show
//! every alert firing on a failing series and silent on a healthy one.
//! Metric names and thresholds: docs/monitoring.md.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::yaml;
use crate::plan::Plan;
use crate::plan::platform::{
    BURN_RATE_WINDOWS, BurnRateWindow, Monitoring, burn_threshold, ceiling_threshold,
};

/// The windows the error ratio is recorded over.
const RATIO_WINDOWS: [&str; 5] = ["5m", "30m", "1h", "6h", "3d"];

/// The recorded error ratio over `window`.
fn error_ratio(window: &str) -> String {
    format!("streamscale:error_ratio:rate{window}")
}

/// The recorded p99 latency (seconds).
pub const LATENCY_P99: &str = "streamscale:latency_seconds:p99_rate5m";

/// The recorded count of ready nodes.
pub const NODES_READY: &str = "streamscale:nodes_ready:sum";

/// One alert as rendered: its name, expression, `for`, labels and annotations.
#[derive(Debug, Clone)]
pub struct Alert {
    /// `alert:` name.
    pub name: String,
    /// PromQL.
    pub expr: String,
    /// `for:` duration, if any.
    pub for_duration: Option<&'static str>,
    /// `severity` label.
    pub severity: &'static str,
    /// `summary` annotation.
    pub summary: String,
    /// The threshold compared, as written in the expression.
    pub threshold: Decimal,
}

/// The name of the burn-rate alert of one window pair.
fn burn_alert_name(w: &BurnRateWindow) -> String {
    format!("ErrorBudgetBurn{}", w.long)
}

/// The alerts of one region, in file order.
pub fn alerts(m: &Monitoring, max_size: u64) -> Vec<Alert> {
    let slo_percent = (m.availability_slo * Decimal::from(100)).normalize();
    let mut out: Vec<Alert> = BURN_RATE_WINDOWS
        .iter()
        .map(|w| {
            let t = burn_threshold(m, w);
            Alert {
                name: burn_alert_name(w),
                expr: format!(
                    "{} > {t} and {} > {t}",
                    error_ratio(w.long),
                    error_ratio(w.short)
                ),
                for_duration: None,
                severity: w.severity,
                summary: format!(
                    "Error budget of the {slo_percent}% availability SLO burning at {}x over {} and {} ({} of a 30-day budget)",
                    w.burn_rate.normalize(),
                    w.long,
                    w.short,
                    w.budget_consumed
                ),
                threshold: t,
            }
        })
        .collect();
    let latency = (Decimal::from(m.latency_p99_ms) / Decimal::from(1000)).normalize();
    out.push(Alert {
        name: "LatencyP99High".into(),
        expr: format!("{LATENCY_P99} > {latency}"),
        for_duration: Some("10m"),
        severity: "page",
        summary: format!("p99 latency above {} ms for 10 minutes", m.latency_p99_ms),
        threshold: latency,
    });
    let ceiling = ceiling_threshold(m, max_size);
    out.push(Alert {
        name: "NodeCapacityCeiling".into(),
        expr: format!("{NODES_READY} > {ceiling}"),
        for_duration: Some("5m"),
        severity: "ticket",
        summary: format!(
            "In-service nodes above {} of MaxSize {max_size} ({ceiling} nodes)",
            m.ceiling_alert_fraction
        ),
        threshold: ceiling,
    });
    out
}

/// The rules file of one region as a value (the groups of a Prometheus
/// rules file).
pub fn rules_value(m: &Monitoring, max_size: u64) -> Value {
    let r = &m.metrics.requests_total;
    let code = &m.metrics.status_label;
    let mut recording: Vec<Value> = RATIO_WINDOWS
        .iter()
        .map(|w| {
            json!({
                "record": error_ratio(w),
                "expr": format!(
                    "sum(rate({r}{{{code}=~\"5..\"}}[{w}])) / sum(rate({r}[{w}]))"
                ),
            })
        })
        .collect();
    recording.push(json!({
        "record": LATENCY_P99,
        "expr": format!(
            "histogram_quantile(0.99, sum by (le) (rate({}_bucket[5m])))",
            m.metrics.latency_histogram
        ),
    }));
    recording.push(json!({
        "record": NODES_READY,
        "expr": format!(
            "sum({}{{condition=\"Ready\",status=\"true\"}})",
            m.metrics.node_ready
        ),
    }));
    let alerting: Vec<Value> = alerts(m, max_size)
        .into_iter()
        .map(|a| {
            let mut rule = serde_json::Map::new();
            rule.insert("alert".into(), json!(a.name));
            rule.insert("expr".into(), json!(a.expr));
            if let Some(f) = a.for_duration {
                rule.insert("for".into(), json!(f));
            }
            rule.insert("labels".into(), json!({"severity": a.severity}));
            rule.insert("annotations".into(), json!({"summary": a.summary}));
            Value::Object(rule)
        })
        .collect();
    json!({"groups": [
        {"name": "streamscale-recording", "rules": recording},
        {"name": "streamscale-alerts", "rules": alerting},
    ]})
}

/// The rules file of `region`, or `None` without `[monitoring]`.
pub fn rules(plan: &Plan, region: &str) -> Option<String> {
    let m = plan.monitoring.as_ref()?;
    let max_size = plan.capacity.region(region)?.max_size;
    Some(yaml::to_yaml(&rules_value(m, max_size)))
}

/// The context of the monitoring partial, or `null` without `[monitoring]`.
pub fn context(plan: &Plan, region: &str) -> Value {
    match rules(plan, region) {
        Some(data) => json!({"rules": data, "namespace": "streamscale-slo"}),
        None => Value::Null,
    }
}

/// A `promtool test rules` file for `rules_file`: per alert, one test where
/// it fires on a failing series and one where it stays silent on a healthy
/// one. Series are built from the alert's own threshold, so the tests hold
/// for any plan.
pub fn unit_tests(m: &Monitoring, max_size: u64, rules_file: &str) -> String {
    let r = &m.metrics.requests_total;
    let code = &m.metrics.status_label;
    let mut tests = Vec::new();
    let alerts = alerts(m, max_size);
    // Error ratios: 1000 requests a minute, errors at twice or half the
    // alert's threshold, for a little longer than the long window (the
    // 3-day window's series every 10 minutes: its alert reads no 5-minute rate).
    for (w, a) in BURN_RATE_WINDOWS.iter().zip(&alerts) {
        let (interval, minutes, points, eval) = match w.long {
            "1h" => (1, "1m", 80, "70m"),
            "6h" => (1, "1m", 440, "7h"),
            _ => (10, "10m", 450, "3d1h"),
        };
        for (factor, fires) in [(Decimal::TWO, true), (Decimal::new(5, 1), false)] {
            let per_step = Decimal::from(1000 * interval);
            let errors = (a.threshold * factor * per_step).normalize();
            let series = json!([
                {"series": format!("{r}{{{code}=\"500\"}}"), "values": format!("0+{errors}x{points}")},
                {"series": format!("{r}{{{code}=\"200\"}}"), "values": format!("0+{}x{points}", (per_step - errors).normalize())},
            ]);
            tests.push(alert_test(series, minutes, eval, a, fires));
        }
    }
    // Latency: every request in the bucket above 2× the threshold, or below half of it.
    let latency = &alerts[3];
    let t = latency.threshold;
    let h = &m.metrics.latency_histogram;
    let buckets = [t / Decimal::TWO, t * Decimal::TWO, t * Decimal::from(4)];
    for fires in [true, false] {
        let mut series: Vec<Value> = buckets
            .iter()
            .enumerate()
            .map(|(i, le)| {
                // Slow: all requests land above 2t (third bucket); fast: all in the first.
                let counts = if fires { i == 2 } else { true };
                json!({
                    "series": format!("{h}_bucket{{le=\"{}\"}}", le.normalize()),
                    "values": format!("0+{}x60", if counts { 100 } else { 0 }),
                })
            })
            .collect();
        series.push(json!({"series": format!("{h}_bucket{{le=\"+Inf\"}}"), "values": "0+100x60"}));
        tests.push(alert_test(
            Value::Array(series),
            "1m",
            "30m",
            latency,
            fires,
        ));
    }
    // Capacity: ready nodes just above, or at most, the ceiling.
    let ceiling = &alerts[4];
    let at_most = ceiling.threshold.floor();
    for (nodes, fires) in [(at_most + Decimal::ONE, true), (at_most, false)] {
        let series = json!([{
            "series": format!("{}{{condition=\"Ready\",status=\"true\"}}", m.metrics.node_ready),
            "values": format!("{}x30", nodes.normalize()),
        }]);
        tests.push(alert_test(series, "1m", "20m", ceiling, fires));
    }
    yaml::to_yaml(&json!({
        "rule_files": [rules_file],
        "evaluation_interval": "1m",
        "tests": tests,
    }))
}

fn alert_test(series: Value, interval: &str, eval: &str, a: &Alert, fires: bool) -> Value {
    let expected = if fires {
        json!([{
            "exp_labels": {"severity": a.severity},
            "exp_annotations": {"summary": a.summary},
        }])
    } else {
        json!([])
    };
    json!({
        "interval": interval,
        "input_series": series,
        "alert_rule_test": [{"eval_time": eval, "alertname": a.name, "exp_alerts": expected}],
    })
}
