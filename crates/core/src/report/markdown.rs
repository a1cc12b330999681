//! The Markdown report: GitHub-flavoured, short enough for a pull-request
//! comment (GitHub's limit is 65,536 characters) and a job summary, with
//! the long tables folded in `<details>`.

use std::fmt::Write as _;

use super::format::{
    clock, duration, int, minutes, money, money_fine, pct, price, share, thousands, time, users,
};
use super::{EventStatus, LossScenario, Report, Severity, Survivor};

/// GitHub's limit on a comment body.
pub const COMMENT_LIMIT: usize = 65_536;

fn yes_no(ok: bool) -> &'static str {
    if ok { "✅" } else { "❌" }
}

/// A short verdict per check, shared with the HTML report.
pub(crate) fn verdicts(r: &Report) -> Vec<(String, bool, String)> {
    let s = &r.summary;
    let mut out = Vec::new();
    out.push((
        format!("carries the peak ({} users)", users(r.peak_users)),
        s.carries_peak,
        format!(
            "{} instances at peak, at most {} of CPU in any region",
            int(s.instances.peak),
            r.regions
                .iter()
                .map(|x| x.utilization_at_peak)
                .max()
                .map_or_else(|| "0%".into(), pct)
        ),
    ));
    let loss_detail = if r.regions.len() < 2 {
        "one region: its loss is a full outage".to_string()
    } else if s.survives_region_loss {
        let worst = r
            .region_loss
            .iter()
            .flat_map(|l| l.survivors.iter())
            .map(|v| v.utilization)
            .max()
            .unwrap_or_default();
        format!(
            "worst survivor runs at {} of its MaxSize capacity",
            pct(worst)
        )
    } else {
        let bad: Vec<String> = r
            .region_loss
            .iter()
            .filter(|l| l.overloaded().next().is_some())
            .map(|l| {
                format!(
                    "losing {} overloads {}",
                    l.lost,
                    l.overloaded()
                        .map(|v| format!("{} ({})", v.region, pct(v.utilization)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        bad.join("; ")
    };
    out.push((
        "survives the loss of any one region".into(),
        s.survives_region_loss && r.regions.len() >= 2,
        loss_detail,
    ));
    let short: Vec<String> = r
        .quotas
        .iter()
        .filter_map(|q| {
            q.shortfall
                .map(|n| format!("{} short {} vCPUs", q.region, int(n)))
        })
        .collect();
    out.push((
        "vCPUs at max fit the quotas".into(),
        s.quotas_ok == Some(true),
        match s.quotas_ok {
            None => "no quota known: add `[aws] vcpu_quota` or use `--live`".into(),
            Some(true) => {
                let known = r.quotas.iter().filter(|q| q.quota.is_some()).count();
                format!("{known} of {} regions checked, all fit", r.quotas.len())
            }
            Some(false) => short.join(", "),
        },
    ));
    let slow = r.latency.metros.iter().filter(|m| m.above_target).count();
    out.push((
        format!("round trips within {} ms", r.latency.target_ms),
        s.latency_ok,
        if slow == 0 {
            format!("all {} representative metros", r.latency.metros.len())
        } else {
            format!(
                "{slow} of {} metros above the target",
                r.latency.metros.len()
            )
        },
    ));
    out
}

/// The price line: source file and dates.
/// "N × node type at $price" for a region's cache, or "—" without one.
pub(crate) fn cache_nodes(r: &Report, x: &super::RegionRow) -> String {
    r.cache.as_ref().map_or("—".to_string(), |c| {
        format!(
            "{} × {} at {}",
            c.nodes_per_region,
            c.node_type,
            price(x.cache_price.map(|p| p.usd_per_hour))
        )
    })
}

pub(crate) fn price_line(r: &Report) -> String {
    let dates: Vec<String> = r
        .price_dates
        .iter()
        .map(|(s, d)| {
            let name = match s.as_str() {
                "ec2" => "EC2 Linux on-demand",
                "elasticache" => "ElastiCache (Redis OSS)",
                "elasticache-valkey" => "ElastiCache (Valkey)",
                other => other,
            };
            format!("{name} {d}")
        })
        .collect();
    format!(
        "Prices: {} from {}, in USD; a missing price is shown as unknown, never as zero.",
        dates.join(", "),
        super::PRICE_SOURCE
    )
}

/// The next-event sentence, if any.
pub(crate) fn next_event_line(r: &Report) -> Option<String> {
    let e = &r.events[r.next_event?];
    let when = match e.status {
        EventStatus::InProgress => "in progress now (pre-warmed)".to_string(),
        _ => format!(
            "pre-warm starts in {}",
            duration((e.prewarm_at - r.as_of).num_minutes())
        ),
    };
    Some(format!(
        "{} starts {}: {}; pre-warm {} → release {} UTC ({} window), {} instances, pre-warm cost {}",
        e.name,
        time(e.starts_at),
        when,
        clock(e.prewarm_at),
        clock(e.release_at),
        minutes(e.window_minutes),
        int(e.instances),
        money(e.prewarm_cost)
    ))
}

/// The Markdown report.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let s = &r.summary;
    let _ = writeln!(o, "# Capacity review: {} · {}\n", r.name, r.environment);
    let _ = writeln!(
        o,
        "Stack `{}` · as of {} · {} regions · generated by `streamscale report`\n",
        r.stack_name,
        time(r.as_of),
        s.regions
    );

    // Verdict.
    o.push_str("| check | | detail |\n|---|:-:|---|\n");
    for (check, ok, detail) in verdicts(r) {
        let _ = writeln!(o, "| {check} | {} | {detail} |", yes_no(ok));
    }
    o.push('\n');

    // Summary.
    o.push_str("## Summary\n\n");
    o.push_str("| | baseline | peak | max |\n|---|--:|--:|--:|\n");
    let row = |o: &mut String, name: &str, cells: [String; 3]| {
        let _ = writeln!(o, "| {name} | {} | {} | {} |", cells[0], cells[1], cells[2]);
    };
    row(
        &mut o,
        "users",
        [users(r.baseline_users), users(r.peak_users), "—".into()],
    );
    row(
        &mut o,
        "instances",
        s.instances.named().map(|(_, n)| int(n)),
    );
    row(&mut o, "vCPUs", s.vcpus.named().map(|(_, n)| int(n)));
    row(
        &mut o,
        "compute per hour",
        s.compute_cost.named().map(|(_, m)| money(m)),
    );
    if let Some(cache) = s.cache_cost {
        row(
            &mut o,
            "cache per hour",
            [money(cache), money(cache), money(cache)],
        );
    }
    row(
        &mut o,
        "**total per hour**",
        s.total_cost
            .named()
            .map(|(_, m)| format!("**{}**", money(m))),
    );
    o.push('\n');
    let _ = writeln!(
        o,
        "- **Cost per 1,000 peak users per hour:** {} ({} compute only).",
        money_fine(s.total_per_1000_peak_users),
        money_fine(s.compute_per_1000_peak_users)
    );
    let _ = writeln!(
        o,
        "- **Capacity ceiling:** {} concurrent users with every region at MaxSize and 100% CPU ({} headroom, {}).",
        users(s.capacity_ceiling),
        share(r.headroom),
        if r.survive_region_loss {
            "sized to survive the loss of any one region"
        } else {
            "**not** sized for region loss"
        }
    );
    match next_event_line(r) {
        Some(line) => {
            let _ = writeln!(o, "- **Next event:** {line}.");
        }
        None => o.push_str("- **Next event:** none after the as-of time.\n"),
    }
    let _ = writeln!(o, "- {}\n", price_line(r));

    // Findings.
    o.push_str("## Where we are short\n\n");
    if r.findings.is_empty() {
        o.push_str("Nothing: every check passes.\n\n");
    } else {
        for f in &r.findings {
            let mark = match f.severity {
                Severity::Critical => "🔴 **critical**",
                Severity::Warning => "🟠 warning",
                Severity::Info => "ℹ️ note",
            };
            let _ = writeln!(
                o,
                "- {mark} ({}): {}",
                f.section.replace('_', " "),
                f.message
            );
        }
        o.push('\n');
    }

    // Regions.
    o.push_str("## Regions\n\n");
    o.push_str("| region | share | type | peak users | failover users | instances base / peak / max | vCPUs at max | per hour base / peak / max | CPU at peak |\n");
    o.push_str("|---|--:|---|--:|--:|--:|--:|--:|--:|\n");
    for x in &r.regions {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} / {} / {} | {} | {} / {} / {} | {} |",
            x.region,
            share(x.share),
            x.instance_type,
            users(x.peak_users),
            users(x.failover_users),
            int(x.instances.baseline),
            int(x.instances.peak),
            int(x.instances.max),
            int(x.vcpus.max),
            money(x.cost.baseline),
            money(x.cost.peak),
            money(x.cost.max),
            pct(x.utilization_at_peak)
        );
    }
    o.push_str("\n<details><summary>Unit prices, users per instance and cache</summary>\n\n");
    o.push_str("| region | metro | users / instance | target CPU | planned users / instance | EC2 per hour | cache nodes | cache per hour |\n");
    o.push_str("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for x in &r.regions {
        let cache = cache_nodes(r, x);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            x.region,
            x.city,
            thousands(&x.users_per_instance.to_string()),
            share(x.target_utilization),
            thousands(&x.planned_users_per_instance.to_string()),
            price(x.price.map(|p| p.usd_per_hour)),
            cache,
            x.cache_cost.map_or("—".to_string(), money)
        );
    }
    o.push_str("\n</details>\n\n");

    // Region loss.
    o.push_str("## Region loss (N+1)\n\n");
    if r.region_loss.is_empty() {
        o.push_str("One region: there is no survivor. Losing it is a full outage.\n\n");
    } else {
        o.push_str("Each row loses one region; its users spread over the survivors in proportion to their shares. Cells: survivor's users as a share of its MaxSize × users per instance (100% CPU). 🔴 above 100%: users turned away. *Breaks at*: the peak at which the first survivor reaches 100%.\n\n");
        loss_head(&mut o, r, Some("breaks at"));
        for l in &r.region_loss {
            let _ = write!(o, "| **{}** ({}) |", l.lost, share(l.lost_share));
            loss_cells(&mut o, r, l, |v| {
                if v.overloaded {
                    format!("🔴 **{}**", pct(v.utilization))
                } else {
                    pct(v.utilization)
                }
            });
            let _ = writeln!(o, " {} |", users(l.breaks_at));
        }
        o.push_str(
            "\n<details><summary>Against the target utilization (planned capacity)</summary>\n\n",
        );
        o.push_str("Survivor's users as a share of MaxSize × users per instance × target utilization; above 100% the survivor runs hotter than planned (🟠), above 100% CPU it is overloaded (🔴).\n\n");
        loss_head(&mut o, r, None);
        for l in &r.region_loss {
            let _ = write!(o, "| **{}** |", l.lost);
            loss_cells(&mut o, r, l, |v| {
                let mark = if v.overloaded {
                    "🔴 "
                } else if v.above_target {
                    "🟠 "
                } else {
                    ""
                };
                format!("{mark}{}", pct(v.of_target))
            });
            o.push('\n');
        }
        o.push_str("\n</details>\n\n");
    }

    // Events.
    o.push_str("## Events\n\n");
    if r.events.is_empty() {
        o.push_str("No events in the plan.\n\n");
    } else {
        o.push_str("| event | status | pre-warm | start | release | window | expected users | instances | pre-warm cost | above MinSize |\n");
        o.push_str("|---|---|---|---|---|--:|--:|--:|--:|--:|\n");
        for e in &r.events {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} (+{}) |",
                e.name,
                e.status.as_str().replace('_', " "),
                time(e.prewarm_at),
                time(e.starts_at),
                time(e.release_at),
                minutes(e.window_minutes),
                users(e.expected_users),
                int(e.instances),
                money(e.prewarm_cost),
                money(e.extra_cost),
                int(e.extra_instances)
            );
        }
        o.push_str("\n<details><summary>Pre-warm MinSize per region (normal MinSize → pre-warm)</summary>\n\n| region |");
        for e in &r.events {
            let _ = write!(o, " {} |", e.name);
        }
        o.push_str("\n|---|");
        for _ in &r.events {
            o.push_str("--:|");
        }
        o.push('\n');
        for (i, x) in r.regions.iter().enumerate() {
            let _ = write!(o, "| {} |", x.region);
            for e in &r.events {
                let er = &e.regions[i];
                let _ = write!(
                    o,
                    " {} → {} ({}) |",
                    int(er.min_size),
                    int(er.prewarm_min_size),
                    money(er.window_cost)
                );
            }
            o.push('\n');
        }
        o.push_str("\nCells: MinSize → pre-warm MinSize (cost of the pre-warmed fleet over the window).\n\n</details>\n\n");
    }

    // Quotas.
    o.push_str("## vCPU quotas\n\n");
    let _ = writeln!(
        o,
        "On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, Service Quotas code `{}`. Other workloads in the account count against the same quota.\n",
        super::VCPU_QUOTA_CODE
    );
    o.push_str("| region | vCPUs at peak | vCPUs at max | quota | source | use at max | |\n|---|--:|--:|--:|---|--:|---|\n");
    for q in &r.quotas {
        let status = match (q.quota, q.shortfall) {
            (None, _) => "unknown".to_string(),
            (Some(_), Some(n)) => format!("🔴 short {} vCPUs", int(n)),
            (Some(_), None) => "✅".into(),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            q.region,
            int(q.vcpus_at_peak),
            int(q.vcpus_at_max),
            q.quota.map_or_else(|| "—".into(), int),
            q.source.map_or("—", |s| s.as_str()),
            q.use_percent.map_or_else(|| "—".into(), pct),
            status
        );
    }
    o.push('\n');

    super::tiers::markdown(&r.tiers, &mut o);
    super::platform::markdown(&r.platform, &mut o);

    // Latency.
    o.push_str("## Latency\n\n");
    let l = &r.latency;
    let slow: Vec<&super::latency::MetroRow> = l.metros.iter().filter(|m| m.above_target).collect();
    let _ = writeln!(
        o,
        "Estimated round trip = 2 × great-circle distance × {} (routing factor) ÷ {} km/ms (light in fibre), to the region that serves the metro under `{}` steering. Target: {} ms.\n",
        super::latency::ROUTING_FACTOR,
        super::latency::FIBRE_KM_PER_MS,
        l.steering,
        l.target_ms
    );
    if slow.is_empty() {
        let worst = l.metros.iter().max_by_key(|m| m.rtt_ms);
        let _ = writeln!(
            o,
            "All {} metros within the target{}.\n",
            l.metros.len(),
            worst.map_or(String::new(), |m| format!(
                "; slowest: {} at {} ms from {}",
                m.metro, m.rtt_ms, m.serving_region
            ))
        );
    } else {
        let _ = writeln!(
            o,
            "🟠 {} of {} metros above the target: {}.\n",
            slow.len(),
            l.metros.len(),
            slow.iter()
                .map(|m| format!("{} ({} ms from {})", m.metro, m.rtt_ms, m.serving_region))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(
        o,
        "<details><summary>All {} metros</summary>\n\n| metro | Cloudflare region | served by | distance | est. RTT | nearest region |\n|---|---|---|--:|--:|---|",
        l.metros.len()
    );
    for m in &l.metros {
        let rtt = if m.above_target {
            format!("🟠 **{} ms**", m.rtt_ms)
        } else {
            format!("{} ms", m.rtt_ms)
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} km | {} | {} |",
            m.metro,
            m.cloudflare_region,
            m.serving_region,
            int(m.distance_km),
            rtt,
            m.nearest_region
        );
    }
    o.push_str("\n</details>\n\n");

    // Live.
    if let Some(live) = &r.live {
        o.push_str(
            "## Live\n\n| region | running | MinSize now | MaxSize | |\n|---|--:|--:|--:|---|\n",
        );
        for x in &live.regions {
            let status = match x.instances {
                None => "unknown",
                Some(_) if x.below_min => "🟠 below MinSize",
                Some(_) => "✅",
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                x.region,
                x.instances.map_or_else(|| "—".into(), int),
                int(x.expected_min),
                int(x.max_size),
                status
            );
        }
        let _ = writeln!(
            o,
            "\n**Drift:** {}\n",
            live.drift_summary.as_deref().unwrap_or("not checked")
        );
    }

    // Method.
    o.push_str("<details><summary>How these numbers are computed</summary>\n\n");
    o.push_str(METHOD);
    o.push_str("\n</details>\n");
    o
}

/// The method notes (Markdown), shared with the HTML report.
pub(crate) const METHOD: &str = "\
- *baseline* = ASG MinSize = max(AZs, ceil(B × s / c)); *peak* = ceil(P × s / c); *max* = ASG MaxSize = ceil(f × (1 + H) / c), with c = users per instance × target utilization (SPEC §4). Arithmetic is exact decimal.
- Hourly cost = instances × the EC2 Linux on-demand price of the region's instance type; cache = shards × (1 + replicas) nodes × node price per region. Cost per 1,000 peak users = cost at peak ÷ (P ÷ 1000).
- CPU at peak = P × s ÷ (peak instances × users per instance).
- Region loss: with region q lost, survivor r carries P × s_r ÷ (1 − s_q) users; utilization = that ÷ (MaxSize_r × users per instance_r). Breaks at = min over survivors of MaxSize_r × users per instance_r × (1 − s_q) ÷ s_r.
- Event pre-warm cost = Σ pre-warm MinSize × price × (pre-warm + duration minutes) ÷ 60; *above MinSize* counts only the extra instances.
- Percentages are rounded to one decimal here (two in the JSON report); money to cents here (exact in the JSON report).
";

/// The head of a region-loss table: a column per survivor region, then
/// `last` if given.
fn loss_head(o: &mut String, r: &Report, last: Option<&str>) {
    o.push_str("| lost ↓ · survivor → |");
    for x in &r.regions {
        let _ = write!(o, " {} |", x.region);
    }
    if let Some(last) = last {
        let _ = write!(o, " {last} |");
    }
    o.push_str("\n|---|");
    let columns = r.regions.len() + usize::from(last.is_some());
    o.push_str(&"--:|".repeat(columns));
    o.push('\n');
}

/// The cells of lost region `l`'s row: `cell` of each survivor, in region
/// order, and a dash under the lost region itself.
fn loss_cells(o: &mut String, r: &Report, l: &LossScenario, cell: impl Fn(&Survivor) -> String) {
    for x in &r.regions {
        match l.survivors.iter().find(|v| v.region == x.region) {
            None => o.push_str(" — |"),
            Some(v) => {
                let _ = write!(o, " {} |", cell(v));
            }
        }
    }
}
