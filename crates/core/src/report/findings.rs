//! Where the plan is short: the findings a capacity review should discuss,
//! most severe first.

use super::VCPU_QUOTA_CODE;
use super::format;
use super::model::{Finding, Report, Severity};

/// Where we are short, most severe first (stable within a severity).
pub(super) fn findings(r: &Report) -> Vec<Finding> {
    use format::{int, pct, users};
    let mut out = Vec::new();
    let mut push = |severity, section, message: String| {
        out.push(Finding {
            severity,
            section,
            message,
        })
    };
    if !r.summary.carries_peak {
        push(
            Severity::Critical,
            "capacity",
            "the peak fleet does not carry the peak at the target utilization".into(),
        );
    }
    for s in &r.region_loss {
        let over: Vec<String> = s
            .overloaded()
            .map(|v| format!("{} ({})", v.region, pct(v.utilization)))
            .collect();
        if !over.is_empty() {
            push(
                Severity::Critical,
                "region_loss",
                format!(
                    "losing {} overloads {} beyond MaxSize at 100% CPU; with {} lost the plan carries at most {} concurrent users",
                    s.lost,
                    over.join(", "),
                    s.lost,
                    users(s.breaks_at)
                ),
            );
        }
    }
    if r.regions.len() >= 2 && !r.survive_region_loss {
        push(
            Severity::Warning,
            "region_loss",
            "survive_region_loss is off: MaxSize is sized for each region's own peak only".into(),
        );
    }
    if r.regions.len() == 1 {
        push(
            Severity::Warning,
            "region_loss",
            "a single region: losing it is a full outage".into(),
        );
    }
    for q in &r.quotas {
        if let (Some(short), Some(quota)) = (q.shortfall, q.quota) {
            push(
                Severity::Critical,
                "quotas",
                format!(
                    "{}: {} vCPUs at MaxSize against a quota of {} ({}), {} short; raise {}",
                    q.region,
                    int(q.vcpus_at_max),
                    int(quota),
                    q.source.map_or("", |s| s.as_str()),
                    int(short),
                    VCPU_QUOTA_CODE
                ),
            );
        }
    }
    let missing: Vec<&str> = r
        .quotas
        .iter()
        .filter(|q| q.quota.is_none())
        .map(|q| q.region.as_str())
        .collect();
    if !missing.is_empty() {
        push(
            Severity::Info,
            "quotas",
            format!(
                "no vCPU quota known for {}: add it to [aws] vcpu_quota or run with --live",
                missing.join(", ")
            ),
        );
    }
    let slow: Vec<String> = r
        .latency
        .metros
        .iter()
        .filter(|m| m.above_target)
        .map(|m| format!("{} ({} ms from {})", m.metro, m.rtt_ms, m.serving_region))
        .collect();
    if !slow.is_empty() {
        push(
            Severity::Warning,
            "latency",
            format!(
                "estimated round trip above the {} ms target for {}",
                r.latency.target_ms,
                slow.join(", ")
            ),
        );
    }
    for (service, region, kind) in &r.unknown_prices {
        push(
            Severity::Info,
            "prices",
            format!(
                "no {service} price for {kind} in {region}: its costs show as unknown, totals that need it too"
            ),
        );
    }
    if let Some(l) = &r.live {
        for x in &l.regions {
            match x.instances {
                None => push(
                    Severity::Warning,
                    "live",
                    format!("{}: live instance count unknown", x.region),
                ),
                Some(n) if x.below_min => push(
                    Severity::Warning,
                    "live",
                    format!(
                        "{} runs {} instances, below the {} the plan sets now",
                        x.region,
                        int(n),
                        int(x.expected_min)
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    out.sort_by_key(|f| f.severity);
    out
}
