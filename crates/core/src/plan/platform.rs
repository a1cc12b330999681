//! The platform tiers of SPEC §7: the checked `[kubernetes]` (EKS, with the
//! §4 auto-scaling group as its worker nodes) and `[monitoring]` (Amazon
//! Managed Service for Prometheus) tables, and their arithmetic in exact
//! decimals: replicas from the node counts, the autoscaler's CPU target,
//! each pod's resource requests, the alert thresholds and the samples AMP
//! ingests.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::Region;
use super::capacity::Capacity;
use crate::catalog;

/// The NodePort the app's Service opens on every node when the plan names none.
pub const DEFAULT_NODE_PORT: u16 = 30080;

/// Millicores the kubelet, the container runtime and the node's daemon sets
/// (VPC CNI, kube-proxy, a metrics agent) keep on every node, above EKS's
/// kube-reserved CPU (see [`kube_reserved_millicores`]).
pub const DAEMONSET_MILLICORES: u64 = 250;

/// The share of a node's memory pods may request: the rest is kubelet and
/// system reservation, the eviction threshold and the daemon sets.
pub const POD_MEMORY_PERCENT: u64 = 80;

/// The smallest CPU request a pod may get (below it, the app cannot run).
pub const MIN_POD_MILLICORES: u64 = 100;

/// `[kubernetes]`, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Kubernetes {
    /// EKS Kubernetes version (`1.34`).
    pub version: String,
    /// App replicas one node runs at target utilization.
    pub pods_per_node: u32,
    /// Container image.
    pub image: String,
    /// Container port.
    pub container_port: u16,
    /// The app's namespace.
    pub namespace: String,
    /// The Service's NodePort (the target group's port).
    pub node_port: u16,
    /// CIDR blocks allowed to reach the public API endpoint.
    pub public_access_cidrs: Vec<String>,
}

/// The series the alert rules read (`[monitoring.metrics]`).
#[derive(Debug, Clone, Serialize)]
pub struct MetricNames {
    /// Request counter with a status-code label.
    pub requests_total: String,
    /// The status-code label.
    pub status_label: String,
    /// Latency histogram (seconds), without `_bucket`.
    pub latency_histogram: String,
    /// Per-node readiness gauge.
    pub node_ready: String,
}

/// `[monitoring]`, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Monitoring {
    /// Availability SLO in (0, 1).
    pub availability_slo: Decimal,
    /// p99 latency threshold in ms.
    pub latency_p99_ms: u64,
    /// Ceiling alert fraction of MaxSize in (0, 1].
    pub ceiling_alert_fraction: Decimal,
    /// Active series per node (AMP cost estimate).
    pub active_series_per_node: u64,
    /// Scrape interval in seconds (AMP cost estimate).
    pub scrape_interval_seconds: u64,
    /// Metric names the rules use.
    pub metrics: MetricNames,
}

impl Monitoring {
    /// The error budget: `1 − availability_slo`.
    pub fn error_budget(&self) -> Decimal {
        Decimal::ONE - self.availability_slo
    }
}

/// The Kubernetes numbers of one region.
#[derive(Debug, Clone, Serialize)]
pub struct KubernetesRegion {
    /// Region code.
    pub region: String,
    /// `MinSize × pods_per_node`.
    pub min_replicas: u64,
    /// `MaxSize × pods_per_node`.
    pub max_replicas: u64,
    /// The autoscaler's CPU target: `target_utilization` as a whole percent.
    pub cpu_target_percent: u32,
    /// CPU each pod requests, in millicores.
    pub cpu_request_millicores: u64,
    /// Memory each pod requests (and is limited to), in MiB.
    pub memory_request_mib: u64,
    /// Per event, in start order: the replicas floor during its pre-warm
    /// (`pre-warm MinSize × pods_per_node`).
    pub prewarm_min_replicas: Vec<(String, u64)>,
}

/// The Kubernetes tier's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct KubernetesCapacity {
    /// Per region, in plan order.
    pub regions: Vec<KubernetesRegion>,
}

impl KubernetesCapacity {
    /// The region called `name`.
    pub fn region(&self, name: &str) -> Option<&KubernetesRegion> {
        self.regions.iter().find(|r| r.region == name)
    }
}

/// The CPU target as a whole percent: `target_utilization × 100`, rounded
/// half away from zero (0.65 → 65, 0.655 → 66).
pub fn cpu_target_percent(target_utilization: Decimal) -> u32 {
    let p = (target_utilization * Decimal::from(100))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    u32::try_from(p.mantissa() / 10i128.pow(p.scale())).unwrap_or(u32::MAX)
}

/// EKS's kube-reserved CPU for a node of `vcpus` (the EKS-optimised AMI's
/// bootstrap: 6% of the first core, 1% of the second, 0.5% of the next
/// two, 0.25% of every core above four), in millicores, rounded up.
pub fn kube_reserved_millicores(vcpus: u32) -> u64 {
    let v = u64::from(vcpus);
    // In hundredths of a millicore, to stay in integers.
    let mut r = 0u64;
    r += 6000 * v.min(1);
    r += 1000 * v.saturating_sub(1).min(1);
    r += 500 * v.saturating_sub(2).min(2);
    r += 250 * v.saturating_sub(4);
    r.div_ceil(100)
}

/// The CPU (millicores) and memory (MiB) one pod of a node of
/// `instance_type` requests when `pods_per_node` share it; `None` for an
/// unknown type.
pub fn pod_requests(instance_type: &str, pods_per_node: u32) -> Option<(u64, u64)> {
    let t = catalog::instance_type(instance_type)?;
    let pods = u64::from(pods_per_node.max(1));
    let cpu = (u64::from(t.vcpus) * 1000)
        .saturating_sub(kube_reserved_millicores(t.vcpus))
        .saturating_sub(DAEMONSET_MILLICORES)
        / pods;
    // Floors: requests must fit on the node.
    let memory = u64::from(t.memory_gib) * 1024 * POD_MEMORY_PERCENT / 100 / pods;
    Some((cpu, memory))
}

/// §7's Kubernetes arithmetic for every region.
pub fn kubernetes_capacity(
    regions: &[Region],
    capacity: &Capacity,
    k: &Kubernetes,
) -> KubernetesCapacity {
    let pods = u64::from(k.pods_per_node);
    KubernetesCapacity {
        regions: regions
            .iter()
            .zip(&capacity.regions)
            .map(|(r, rc)| {
                let (cpu, memory) =
                    pod_requests(&r.instance_type, k.pods_per_node).unwrap_or((0, 0));
                KubernetesRegion {
                    region: r.name.clone(),
                    min_replicas: rc.min_size.saturating_mul(pods),
                    max_replicas: rc.max_size.saturating_mul(pods),
                    cpu_target_percent: cpu_target_percent(r.target_utilization),
                    cpu_request_millicores: cpu,
                    memory_request_mib: memory,
                    prewarm_min_replicas: capacity
                        .events
                        .iter()
                        .map(|e| {
                            let size = e
                                .regions
                                .iter()
                                .find(|x| x.region == r.name)
                                .map_or(rc.min_size, |x| x.prewarm_min_size);
                            (e.name.clone(), size.saturating_mul(pods))
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// One burn-rate alert of the SRE workbook's multiwindow, multi-burn-rate
/// table (<https://sre.google/workbook/alerting-on-slos/>, "Multiwindow,
/// Multi-Burn-Rate Alerts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurnRateWindow {
    /// The long window (`1h`).
    pub long: &'static str,
    /// The short window, 1/12 of the long one (`5m`).
    pub short: &'static str,
    /// How many times the sustainable rate the budget burns.
    pub burn_rate: Decimal,
    /// Share of a 30-day budget consumed when the alert fires.
    pub budget_consumed: &'static str,
    /// `page` or `ticket`.
    pub severity: &'static str,
}

/// The workbook's recommended table: 2% of the budget in 1 h and 5% in 6 h
/// page, 10% in 3 days opens a ticket.
pub const BURN_RATE_WINDOWS: [BurnRateWindow; 3] = [
    BurnRateWindow {
        long: "1h",
        short: "5m",
        burn_rate: Decimal::from_parts(144, 0, 0, false, 1),
        budget_consumed: "2%",
        severity: "page",
    },
    BurnRateWindow {
        long: "6h",
        short: "30m",
        burn_rate: Decimal::from_parts(6, 0, 0, false, 0),
        budget_consumed: "5%",
        severity: "page",
    },
    BurnRateWindow {
        long: "3d",
        short: "6h",
        burn_rate: Decimal::from_parts(1, 0, 0, false, 0),
        budget_consumed: "10%",
        severity: "ticket",
    },
];

/// The error-ratio threshold of one burn-rate alert: `burn_rate × (1 − SLO)`.
pub fn burn_threshold(m: &Monitoring, w: &BurnRateWindow) -> Decimal {
    (w.burn_rate * m.error_budget()).normalize()
}

/// In-service nodes above which the capacity-ceiling alert fires:
/// `ceiling_alert_fraction × MaxSize` (exact; the alert compares `>`).
pub fn ceiling_threshold(m: &Monitoring, max_size: u64) -> Decimal {
    (m.ceiling_alert_fraction * Decimal::from(max_size)).normalize()
}

/// Seconds in the 30-day month the estimates use.
pub const SECONDS_PER_MONTH: u64 = 30 * 24 * 3600;

/// Samples AMP ingests per month from `nodes` nodes:
/// `nodes × active_series_per_node × seconds per month / scrape interval`.
pub fn samples_per_month(m: &Monitoring, nodes: u64) -> u64 {
    let per_node = m.active_series_per_node.saturating_mul(SECONDS_PER_MONTH)
        / m.scrape_interval_seconds.max(1);
    nodes.saturating_mul(per_node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn cpu_target_is_a_whole_percent() {
        assert_eq!(cpu_target_percent(d("0.65")), 65);
        assert_eq!(cpu_target_percent(d("0.655")), 66);
        assert_eq!(cpu_target_percent(d("1")), 100);
        assert_eq!(cpu_target_percent(d("0.7")), 70);
    }

    #[test]
    fn kube_reserved_follows_the_eks_formula() {
        // 4 vCPUs: 60 + 10 + 5 + 5 = 80 millicores; 8 vCPUs: 80 + 4 × 2.5 = 90.
        assert_eq!(kube_reserved_millicores(4), 80);
        assert_eq!(kube_reserved_millicores(8), 90);
        assert_eq!(kube_reserved_millicores(2), 70);
    }

    #[test]
    fn pod_requests_fit_on_the_node() {
        // c7i.xlarge: 4 vCPUs, 8 GiB; 4 pods: (4000 − 80 − 250) / 4 = 917 m.
        let (cpu, mem) = pod_requests("c7i.xlarge", 4).unwrap();
        assert_eq!(cpu, 917);
        assert_eq!(mem, 1638); // floor(8192 × 0.8 / 4) = 1638.4 → 1638
        assert!(pod_requests("x9.nothing", 4).is_none());
    }

    #[test]
    fn burn_thresholds_are_exact() {
        let m = Monitoring {
            availability_slo: d("0.9999"),
            latency_p99_ms: 200,
            ceiling_alert_fraction: d("0.8"),
            active_series_per_node: 1500,
            scrape_interval_seconds: 30,
            metrics: MetricNames {
                requests_total: "r".into(),
                status_label: "code".into(),
                latency_histogram: "h".into(),
                node_ready: "n".into(),
            },
        };
        let t: Vec<String> = BURN_RATE_WINDOWS
            .iter()
            .map(|w| burn_threshold(&m, w).to_string())
            .collect();
        assert_eq!(t, ["0.00144", "0.0006", "0.0001"]);
        assert_eq!(ceiling_threshold(&m, 924).to_string(), "739.2");
        // 1500 series every 30 s for 30 days: 129.6M samples per node.
        assert_eq!(samples_per_month(&m, 1), 129_600_000);
    }
}
