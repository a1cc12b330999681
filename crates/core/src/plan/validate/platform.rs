//! Checks of the platform tiers of SPEC §7: `[kubernetes]` (the EKS version
//! against AWS's dated calendar, pods per node, image, ports, the API
//! endpoint's allowed CIDRs) and `[monitoring]` (SLO, latency, ceiling
//! fraction, metric names), then what the computed sizes must allow (each
//! pod's CPU request).

use rust_decimal::Decimal;

use super::Checker;
use crate::catalog::platform as eks;
use crate::plan::Plan;
use crate::plan::diagnostic::ErrorCode;
use crate::plan::platform::{
    self, DEFAULT_NODE_PORT, MIN_POD_MILLICORES, MetricNames, pod_requests,
};
use crate::plan::schema;

impl Checker<'_> {
    /// `[kubernetes]` as written.
    pub(super) fn kubernetes(
        &mut self,
        k: &schema::Kubernetes,
        plan_name: &str,
    ) -> Option<platform::Kubernetes> {
        let mut ok = true;
        if eks::eks_version(&k.version).is_none() {
            let offered: Vec<&str> = eks::eks_offered_versions()
                .iter()
                .map(|v| v.version.as_str())
                .collect();
            let why = match eks::eks_versions().iter().find(|v| v.version == k.version) {
                Some(v) => format!(
                    "EKS no longer offers Kubernetes {}: its extended support ended on {}",
                    k.version, v.end_of_extended
                ),
                None => format!("EKS does not offer Kubernetes version `{}`", k.version),
            };
            self.error(
                &["kubernetes", "version"],
                ErrorCode::InvalidValue,
                why,
                format!(
                    "one of {} (AWS's calendar as of {}: {})",
                    offered.join(", "),
                    eks::EKS_VERSIONS_AS_OF,
                    eks::EKS_VERSIONS_SOURCE
                ),
            );
            ok = false;
        }
        ok &= self.in_range(
            &["kubernetes", "pods_per_node"],
            k.pods_per_node,
            1..=110,
            "the app replicas one node runs at target utilization (Kubernetes runs at most 110 pods per node)",
        );
        if k.image.trim().is_empty() || k.image.chars().any(char::is_whitespace) {
            self.error(
                &["kubernetes", "image"],
                ErrorCode::InvalidValue,
                format!("`{}` is not a container image reference", k.image),
                "a registry path and tag, e.g. registry.example.com/team/app:2026.11",
            );
            ok = false;
        }
        ok &= self.in_range(
            &["kubernetes", "container_port"],
            k.container_port,
            1..=65535,
            "the port the app's container listens on, e.g. 8080",
        );
        let node_port = k.node_port.unwrap_or(i64::from(DEFAULT_NODE_PORT));
        ok &= self.in_range(
            &["kubernetes", "node_port"],
            node_port,
            30000..=32767,
            "Kubernetes' default NodePort range is 30000-32767",
        );
        let namespace = k.namespace.clone().unwrap_or_else(|| plan_name.to_string());
        let label_ok = !namespace.is_empty()
            && namespace.len() <= 63
            && namespace
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !namespace.starts_with('-')
            && !namespace.ends_with('-');
        if !label_ok {
            self.error(
                &["kubernetes", "namespace"],
                ErrorCode::InvalidValue,
                format!("namespace `{namespace}` is not a DNS label"),
                "1 to 63 characters of a-z, 0-9 and -, starting and ending with a letter or digit",
            );
            ok = false;
        }
        let cidrs = k
            .public_access_cidrs
            .clone()
            .unwrap_or_else(|| vec!["0.0.0.0/0".to_string()]);
        if cidrs.is_empty() {
            self.error(
                &["kubernetes", "public_access_cidrs"],
                ErrorCode::InvalidValue,
                "public_access_cidrs is empty: EKS needs at least one block while the public endpoint is on".into(),
                "the addresses of your operators and CI, e.g. [\"203.0.113.0/24\"]",
            );
            ok = false;
        }
        for (i, c) in cidrs.iter().enumerate() {
            if !is_ipv4_cidr(c) {
                self.error(
                    &["kubernetes", "public_access_cidrs", &i.to_string()],
                    ErrorCode::InvalidValue,
                    format!("`{c}` is not an IPv4 CIDR block"),
                    "a block such as 203.0.113.0/24",
                );
                ok = false;
            }
        }
        ok.then(|| platform::Kubernetes {
            version: k.version.clone(),
            pods_per_node: k.pods_per_node as u32,
            image: k.image.clone(),
            container_port: k.container_port as u16,
            namespace,
            node_port: node_port as u16,
            public_access_cidrs: cidrs,
        })
    }

    /// `[monitoring]` as written.
    pub(super) fn monitoring(&mut self, m: &schema::Monitoring) -> Option<platform::Monitoring> {
        let mut ok = true;
        if m.availability_slo <= Decimal::ZERO || m.availability_slo >= Decimal::ONE {
            self.error(
                &["monitoring", "availability_slo"],
                ErrorCode::InvalidValue,
                format!(
                    "availability_slo must be between 0 and 1 (both excluded), found {}",
                    m.availability_slo
                ),
                "the fraction of good requests, e.g. 0.9999 for four nines (1 leaves no error budget to alert on)",
            );
            ok = false;
        }
        if m.latency_p99_ms <= 0 {
            self.error(
                &["monitoring", "latency_p99_ms"],
                ErrorCode::InvalidValue,
                format!(
                    "latency_p99_ms must be positive, found {}",
                    m.latency_p99_ms
                ),
                "the p99 latency to alert above, in milliseconds, e.g. 200",
            );
            ok = false;
        }
        if m.ceiling_alert_fraction <= Decimal::ZERO || m.ceiling_alert_fraction > Decimal::ONE {
            self.error(
                &["monitoring", "ceiling_alert_fraction"],
                ErrorCode::InvalidValue,
                format!(
                    "ceiling_alert_fraction must be above 0 and at most 1, found {}",
                    m.ceiling_alert_fraction
                ),
                "the fraction of MaxSize in-service nodes may reach before the alert, e.g. 0.8",
            );
            ok = false;
        }
        let series = m.active_series_per_node.unwrap_or(1500);
        ok &= self.in_range(
            &["monitoring", "active_series_per_node"],
            series,
            1..=10_000_000,
            "the active series one node sends (node exporter, kubelet, cAdvisor, the app's pods), e.g. 1500",
        );
        let scrape = m.scrape_interval_seconds.unwrap_or(30);
        ok &= self.in_range(
            &["monitoring", "scrape_interval_seconds"],
            scrape,
            1..=3600,
            "seconds between scrapes, e.g. 30",
        );
        let mut name = |key: &str, value: &Option<String>, default: &str, label: bool| {
            let v = value.clone().unwrap_or_else(|| default.to_string());
            if !is_prometheus_name(&v, label) {
                let what = if label { "label" } else { "metric" };
                self.error(
                    &["monitoring", "metrics", key],
                    ErrorCode::InvalidValue,
                    format!("`{v}` is not a Prometheus {what} name"),
                    format!(
                        "letters, digits and _ (not first){}, e.g. {default}",
                        if label { "" } else { " and :" }
                    ),
                );
                None
            } else {
                Some(v)
            }
        };
        let metrics = (
            name(
                "requests_total",
                &m.metrics.requests_total,
                "http_requests_total",
                false,
            ),
            name("status_label", &m.metrics.status_label, "code", true),
            name(
                "latency_histogram",
                &m.metrics.latency_histogram,
                "http_request_duration_seconds",
                false,
            ),
            name(
                "node_ready",
                &m.metrics.node_ready,
                "kube_node_status_condition",
                false,
            ),
        );
        let (Some(requests_total), Some(status_label), Some(latency_histogram), Some(node_ready)) =
            metrics
        else {
            return None;
        };
        ok.then(|| platform::Monitoring {
            availability_slo: m.availability_slo.normalize(),
            latency_p99_ms: m.latency_p99_ms as u64,
            ceiling_alert_fraction: m.ceiling_alert_fraction.normalize(),
            active_series_per_node: series as u64,
            scrape_interval_seconds: scrape as u64,
            metrics: MetricNames {
                requests_total,
                status_label,
                latency_histogram,
                node_ready,
            },
        })
    }

    /// What the computed sizes must allow: every pod gets a usable CPU request.
    pub(super) fn platform_limits(&mut self, plan: &Plan) {
        let Some(k) = &plan.kubernetes else {
            return;
        };
        for r in &plan.regions {
            let Some((cpu, _)) = pod_requests(&r.instance_type, k.pods_per_node) else {
                continue;
            };
            if cpu < MIN_POD_MILLICORES {
                self.error(
                    &["kubernetes", "pods_per_node"],
                    ErrorCode::AboveLimit,
                    format!(
                        "{} pods per node leave each pod {cpu} millicores on a {} in {} (at least {MIN_POD_MILLICORES} needed, after the kubelet's and the daemon sets' share)",
                        k.pods_per_node, r.instance_type, r.name
                    ),
                    "run fewer pods per node, or a larger instance type",
                );
            }
        }
    }
}

/// `a.b.c.d/n` with every part in range.
fn is_ipv4_cidr(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    let parts: Vec<&str> = addr.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
        && len.parse::<u8>().is_ok_and(|n| n <= 32)
}

/// A Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or label name
/// (`[a-zA-Z_][a-zA-Z0-9_]*`).
fn is_prometheus_name(s: &str, label: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic()
            || c == '_'
            || (!label && c == ':')
            || (!first && c.is_ascii_digit())
    };
    let mut chars = s.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_names() {
        assert!(is_ipv4_cidr("203.0.113.0/24"));
        assert!(is_ipv4_cidr("0.0.0.0/0"));
        assert!(!is_ipv4_cidr("203.0.113.0"));
        assert!(!is_ipv4_cidr("300.0.113.0/24"));
        assert!(!is_ipv4_cidr("203.0.113.0/33"));
        assert!(is_prometheus_name("http_requests_total", false));
        assert!(is_prometheus_name("job:rate5m", false));
        assert!(!is_prometheus_name("job:rate5m", true));
        assert!(!is_prometheus_name("9lives", false));
        assert!(!is_prometheus_name("", true));
    }
}
