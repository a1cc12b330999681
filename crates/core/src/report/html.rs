//! The HTML report: one self-contained file (inline CSS, inline SVG charts,
//! a few lines of inline script; nothing fetched from the network),
//! readable on a laptop and printable.
//!
//! The inline script only checks that every chart rendered and then sets
//! `data-ok="1"` on `<body>` (the browser test looks for it); the page reads
//! the same without JavaScript.

use std::fmt::Write as _;

use super::charts;
use super::format::{int, minutes, money, money_fine, pct, price, share, thousands, time, users};
use super::markdown::{METHOD, cache_nodes, next_event_line, price_line, verdicts};
use super::{Report, Severity};

/// HTML-escape text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Inline Markdown of our own sentences: `code` and *emphasis*, escaped.
fn inline(s: &str) -> String {
    let e = esc(s);
    let mut out = String::new();
    let mut code = false;
    let mut em = false;
    for c in e.chars() {
        match c {
            '`' => {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
            }
            '*' if !code => {
                out.push_str(if em { "</em>" } else { "<em>" });
                em = !em;
            }
            c => out.push(c),
        }
    }
    out.replace("<em></em>", "")
}

const CSS: &str = r#"
:root{--bad:#b42318;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4d6;--ok:#067647;--ok-bg:#ecfdf3;--muted:#5d6679;--line:#e4e7ec}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#101828;margin:0;background:#f2f4f7}
main{max-width:1200px;margin:0 auto;padding:28px 36px 48px;background:#fff;min-height:100vh}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}
p{margin:6px 0}
.muted{color:var(--muted);font-size:13px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-variant-numeric:tabular-nums;font-size:14px}
table.wide{font-size:13px}
td:first-child{white-space:nowrap}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f8f9fb;font-weight:600;white-space:nowrap}
.n{text-align:right;white-space:nowrap}
td.bad{background:var(--bad-bg);color:var(--bad);font-weight:700}
td.warn{background:var(--warn-bg);color:var(--warn)}
td.ok{color:var(--ok)}
td.off{color:#98a2b3;text-align:center}
.verdict td:first-child{font-weight:600}
.pill{display:inline-block;min-width:3.2em;text-align:center;border-radius:999px;padding:0 8px;font-weight:700;font-size:13px}
.pill.yes{background:var(--ok-bg);color:var(--ok)}
.pill.no{background:var(--bad-bg);color:var(--bad)}
ul.findings{padding-left:0;list-style:none}
ul.findings li{margin:3px 0;padding:4px 10px;font-size:14px;border-left:4px solid var(--line);background:#fafbfc}
ul.findings li.critical{border-color:var(--bad);background:var(--bad-bg)}
ul.findings li.warning{border-color:#f0a83c;background:var(--warn-bg)}
.sev{font-weight:700;text-transform:uppercase;font-size:12px;margin-right:6px}
figure{margin:12px 0 20px;border:1px solid var(--line);border-radius:6px;padding:6px}
figure svg.chart{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:var(--muted);padding:4px 6px 0}
code{font-size:13px;background:#f2f4f7;padding:0 3px;border-radius:3px}
footer{margin-top:32px}
@media print{
 body{background:#fff;font-size:11px}
 main{max-width:none;padding:0;min-height:0}
 h2{break-after:avoid}
 figure,table,tr{break-inside:avoid}
 table{font-size:10px}
}
@page{size:A4 landscape;margin:12mm}
"#;

const SCRIPT: &str = r#"(function(){var b=document.body;var c=document.querySelectorAll("figure svg.chart");var want=Number(b.getAttribute("data-charts"));var ok=c.length===want&&want>0;for(var i=0;i<c.length;i++){var r=c[i].getBoundingClientRect();if(!c[i].querySelector("rect")||r.width<200||r.height<80){ok=false}}b.setAttribute("data-rendered-charts",String(c.length));if(ok){b.dataset.ok="1"}})();"#;

fn chart(o: &mut String, svg: Result<String, String>, caption: &str) {
    match svg {
        Ok(svg) => {
            let _ = writeln!(
                o,
                "<figure>{svg}<figcaption>{}</figcaption></figure>",
                inline(caption)
            );
        }
        Err(e) => {
            let _ = writeln!(
                o,
                "<p class=\"muted\">chart could not be drawn: {}</p>",
                esc(&e)
            );
        }
    }
}

fn th(o: &mut String, cells: &[(&str, bool)]) {
    o.push_str("<thead><tr>");
    for (c, num) in cells {
        let _ = write!(
            o,
            "<th{}>{}</th>",
            if *num { " class=\"n\"" } else { "" },
            inline(c)
        );
    }
    o.push_str("</tr></thead>\n");
}

/// Markdown sections of our own (`## ` headings, paragraphs and pipe
/// tables, as the tier modules write them) as HTML: a heading gets the id
/// of its first word, a `--:` column is numeric, the first column of a
/// `total` row is bold.
fn sections(o: &mut String, md: &str) {
    let mut table: Vec<Vec<String>> = Vec::new();
    let flush = |o: &mut String, table: &mut Vec<Vec<String>>| {
        if table.len() < 2 {
            table.clear();
            return;
        }
        let numeric: Vec<bool> = table[1].iter().map(|c| c.trim().ends_with(':')).collect();
        o.push_str("<div class=\"scroll\"><table>\n");
        let head: Vec<(&str, bool)> = table[0]
            .iter()
            .zip(&numeric)
            .map(|(c, n)| (c.as_str(), *n))
            .collect();
        th(o, &head);
        for row in &table[2..] {
            let total = row.first().is_some_and(|c| c == "total");
            o.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let class = if numeric.get(i) == Some(&true) {
                    " class=\"n\""
                } else {
                    ""
                };
                let (a, b) = if total {
                    ("<strong>", "</strong>")
                } else {
                    ("", "")
                };
                let _ = write!(o, "<td{class}>{a}{}{b}</td>", inline(cell));
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</table></div>\n");
        table.clear();
    };
    for line in md.lines() {
        let line = line.trim_end();
        if let Some(row) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) {
            table.push(row.split('|').map(|c| c.trim().to_string()).collect());
            continue;
        }
        flush(o, &mut table);
        if let Some(h) = line.strip_prefix("## ") {
            let id: String = h
                .split([' ', '('])
                .next()
                .unwrap_or_default()
                .to_lowercase();
            let _ = writeln!(o, "<h2 id=\"{}\">{}</h2>", esc(&id), inline(h));
        } else if !line.is_empty() {
            let _ = writeln!(o, "<p>{}</p>", inline(line));
        }
    }
    flush(o, &mut table);
}

/// Number of charts the page carries (the script checks them all rendered).
const CHARTS: usize = 5;

/// The HTML report.
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let title = format!("Capacity review: {} · {}", r.name, r.environment);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body data-charts=\"{CHARTS}\">\n<main>\n",
        esc(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        o,
        "<p class=\"muted\">Stack <code>{}</code> · as of {} · {} regions · generated by <code>streamscale report</code></p>",
        esc(&r.stack_name),
        esc(&time(r.as_of)),
        s.regions
    );

    // Verdict.
    o.push_str("<table class=\"verdict\">\n");
    for (check, ok, detail) in verdicts(r) {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td><span class=\"pill {}\">{}</span></td><td>{}</td></tr>",
            inline(&check),
            if ok { "yes" } else { "no" },
            if ok { "yes" } else { "no" },
            inline(&detail)
        );
    }
    o.push_str("</table>\n");

    // Summary.
    o.push_str("<h2 id=\"summary\">Summary</h2>\n<div class=\"scroll\"><table>\n");
    th(
        &mut o,
        &[
            ("", false),
            ("baseline", true),
            ("peak", true),
            ("max", true),
        ],
    );
    let row = |o: &mut String, name: &str, cells: [String; 3], strong: bool| {
        let (a, b) = if strong {
            ("<strong>", "</strong>")
        } else {
            ("", "")
        };
        let _ = writeln!(
            o,
            "<tr><td>{a}{}{b}</td><td class=\"n\">{a}{}{b}</td><td class=\"n\">{a}{}{b}</td><td class=\"n\">{a}{}{b}</td></tr>",
            esc(name),
            esc(&cells[0]),
            esc(&cells[1]),
            esc(&cells[2])
        );
    };
    row(
        &mut o,
        "users",
        [users(r.baseline_users), users(r.peak_users), "—".into()],
        false,
    );
    row(
        &mut o,
        "instances",
        s.instances.named().map(|(_, n)| int(n)),
        false,
    );
    row(&mut o, "vCPUs", s.vcpus.named().map(|(_, n)| int(n)), false);
    row(
        &mut o,
        "compute per hour",
        s.compute_cost.named().map(|(_, m)| money(m)),
        false,
    );
    if let Some(c) = s.cache_cost {
        row(
            &mut o,
            "cache per hour",
            [money(c), money(c), money(c)],
            false,
        );
    }
    row(
        &mut o,
        "total per hour",
        s.total_cost.named().map(|(_, m)| money(m)),
        true,
    );
    o.push_str("</table></div>\n<ul>\n");
    let _ = writeln!(
        o,
        "<li><strong>Cost per 1,000 peak users per hour:</strong> {} ({} compute only)</li>",
        esc(&money_fine(s.total_per_1000_peak_users)),
        esc(&money_fine(s.compute_per_1000_peak_users))
    );
    let _ = writeln!(
        o,
        "<li><strong>Capacity ceiling:</strong> {} concurrent users with every region at MaxSize and 100% CPU ({} headroom, {})</li>",
        esc(&users(s.capacity_ceiling)),
        esc(&share(r.headroom)),
        if r.survive_region_loss {
            "sized to survive the loss of any one region"
        } else {
            "<strong>not</strong> sized for region loss"
        }
    );
    let _ = writeln!(
        o,
        "<li><strong>Next event:</strong> {}</li>",
        esc(&next_event_line(r).unwrap_or_else(|| "none after the as-of time".into()))
    );
    let _ = writeln!(o, "<li class=\"muted\">{}</li>\n</ul>", esc(&price_line(r)));

    // Findings.
    o.push_str("<h2 id=\"findings\">Where we are short</h2>\n");
    if r.findings.is_empty() {
        o.push_str("<p>Nothing: every check passes.</p>\n");
    } else {
        o.push_str("<ul class=\"findings\">\n");
        for f in &r.findings {
            let _ = writeln!(
                o,
                "<li class=\"{}\"><span class=\"sev\">{}</span>{}: {}</li>",
                f.severity.as_str(),
                match f.severity {
                    Severity::Critical => "critical",
                    Severity::Warning => "warning",
                    Severity::Info => "note",
                },
                esc(&f.section.replace('_', " ")),
                esc(&f.message)
            );
        }
        o.push_str("</ul>\n");
    }

    // Regions.
    o.push_str("<h2 id=\"regions\">Regions</h2>\n<div class=\"scroll\"><table class=\"wide\">\n");
    th(
        &mut o,
        &[
            ("region", false),
            ("share", true),
            ("type", false),
            ("peak users", true),
            ("failover users", true),
            ("baseline", true),
            ("peak", true),
            ("max", true),
            ("vCPUs at max", true),
            ("$/h baseline", true),
            ("$/h peak", true),
            ("$/h max", true),
            ("CPU at peak", true),
        ],
    );
    for x in &r.regions {
        let money_td = |m: super::Money| match m {
            Some(_) => format!("<td class=\"n\">{}</td>", esc(&money(m))),
            None => "<td class=\"n warn\">unknown</td>".to_string(),
        };
        let _ = writeln!(
            o,
            "<tr><td title=\"{}\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}{}{}<td class=\"n\">{}</td></tr>",
            esc(&x.city),
            esc(&x.region),
            esc(&share(x.share)),
            esc(&x.instance_type),
            esc(&users(x.peak_users)),
            esc(&users(x.failover_users)),
            esc(&int(x.instances.baseline)),
            esc(&int(x.instances.peak)),
            esc(&int(x.instances.max)),
            esc(&int(x.vcpus.max)),
            money_td(x.cost.baseline),
            money_td(x.cost.peak),
            money_td(x.cost.max),
            esc(&pct(x.utilization_at_peak))
        );
    }
    o.push_str("</table></div>\n");
    chart(
        &mut o,
        charts::instances(r),
        "Instances per region. *baseline* is the ASG MinSize, *peak* what target tracking runs at peak, *max* the ASG MaxSize.",
    );
    chart(
        &mut o,
        charts::cost(r),
        "EC2 on-demand cost per hour per region at each level (cache not included).",
    );

    o.push_str(
        "<h3>Unit prices, users per instance and cache</h3>\n<div class=\"scroll\"><table>\n",
    );
    th(
        &mut o,
        &[
            ("region", false),
            ("metro", false),
            ("users / instance", true),
            ("target CPU", true),
            ("planned users / instance", true),
            ("EC2 per hour", true),
            ("cache nodes", false),
            ("cache per hour", true),
        ],
    );
    for x in &r.regions {
        let cache = cache_nodes(r, x);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&x.region),
            esc(&x.city),
            esc(&thousands(&x.users_per_instance.to_string())),
            esc(&share(x.target_utilization)),
            esc(&thousands(&x.planned_users_per_instance.to_string())),
            esc(&price(x.price.map(|p| p.usd_per_hour))),
            esc(&cache),
            esc(&x.cache_cost.map_or("—".to_string(), money))
        );
    }
    o.push_str("</table></div>\n");
    // Region loss.
    o.push_str("<h2 id=\"region-loss\">Region loss (N+1)</h2>\n");
    if r.region_loss.is_empty() {
        o.push_str("<p>One region: there is no survivor. Losing it is a full outage.</p>\n");
    } else {
        o.push_str("<p>Each row loses one region; its users spread over the survivors in proportion to their shares. Cells: the survivor's users as a share of its MaxSize × users per instance (100% CPU), and in brackets against the planned capacity at the target utilization. <strong>Red</strong>: above 100% of MaxSize capacity, users are turned away. <em>Breaks at</em>: the peak at which the first survivor reaches 100%.</p>\n<div class=\"scroll\"><table>\n");
        let mut head: Vec<(&str, bool)> = vec![("lost ↓ · survivor →", false)];
        for x in &r.regions {
            head.push((x.region.as_str(), true));
        }
        head.push(("breaks at", true));
        th(&mut o, &head);
        for l in &r.region_loss {
            let _ = write!(
                o,
                "<tr><td><strong>{}</strong> ({})</td>",
                esc(&l.lost),
                esc(&share(l.lost_share))
            );
            for x in &r.regions {
                match l.survivors.iter().find(|v| v.region == x.region) {
                    None => o.push_str("<td class=\"off\">—</td>"),
                    Some(v) => {
                        let class = if v.overloaded {
                            "n bad"
                        } else if v.above_target {
                            "n warn"
                        } else {
                            "n"
                        };
                        let _ = write!(
                            o,
                            "<td class=\"{class}\" title=\"{} users on {} instances\">{}<br><span class=\"muted\">({} of target)</span></td>",
                            esc(&users(v.users)),
                            esc(&int(v.max_size)),
                            esc(&pct(v.utilization)),
                            esc(&pct(v.of_target))
                        );
                    }
                }
            }
            let _ = writeln!(o, "<td class=\"n\">{}</td></tr>", esc(&users(l.breaks_at)));
        }
        o.push_str("</table></div>\n");
    }
    chart(
        &mut o,
        charts::region_loss(r),
        "Each group loses one region; bars are the survivors' use of their MaxSize capacity at 100% CPU. Above the red line users are turned away.",
    );

    // Events.
    o.push_str("<h2 id=\"events\">Events</h2>\n");
    if r.events.is_empty() {
        o.push_str("<p>No events in the plan.</p>\n");
    } else {
        o.push_str("<div class=\"scroll\"><table>\n");
        th(
            &mut o,
            &[
                ("event", false),
                ("status", false),
                ("pre-warm", false),
                ("start", false),
                ("release", false),
                ("window", true),
                ("expected users", true),
                ("instances", true),
                ("pre-warm cost", true),
                ("above MinSize", true),
            ],
        );
        for e in &r.events {
            let _ = writeln!(
                o,
                "<tr><td><strong>{}</strong></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} (+{})</td></tr>",
                esc(&e.name),
                esc(&e.status.as_str().replace('_', " ")),
                esc(&time(e.prewarm_at)),
                esc(&time(e.starts_at)),
                esc(&time(e.release_at)),
                esc(&minutes(e.window_minutes)),
                esc(&users(e.expected_users)),
                esc(&int(e.instances)),
                esc(&money(e.prewarm_cost)),
                esc(&money(e.extra_cost)),
                esc(&int(e.extra_instances))
            );
        }
        o.push_str("</table></div>\n<h3>Pre-warm MinSize per region</h3>\n<p class=\"muted\">Cells: normal MinSize → pre-warm MinSize, and the pre-warmed fleet's cost over the window.</p>\n<div class=\"scroll\"><table>\n");
        let mut head: Vec<(&str, bool)> = vec![("region", false)];
        for e in &r.events {
            head.push((e.name.as_str(), true));
        }
        th(&mut o, &head);
        for (i, x) in r.regions.iter().enumerate() {
            let _ = write!(o, "<tr><td>{}</td>", esc(&x.region));
            for e in &r.events {
                let er = &e.regions[i];
                let _ = write!(
                    o,
                    "<td class=\"n\">{} → <strong>{}</strong><br><span class=\"muted\">{}</span></td>",
                    esc(&int(er.min_size)),
                    esc(&int(er.prewarm_min_size)),
                    esc(&money(er.window_cost))
                );
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</table></div>\n");
    }
    chart(
        &mut o,
        charts::timeline(r),
        "Every event on the calendar: pre-warm from `starts_at − prewarm_minutes`, back to MinSize at the end. Windows of a few hours are drawn at a minimum width; the labels carry the exact times.",
    );

    // Quotas.
    o.push_str("<h2 id=\"quotas\">vCPU quotas</h2>\n");
    let _ = writeln!(
        o,
        "<p>On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, Service Quotas code <code>{}</code>. Other workloads in the account count against the same quota.</p>\n<div class=\"scroll\"><table>",
        super::VCPU_QUOTA_CODE
    );
    th(
        &mut o,
        &[
            ("region", false),
            ("vCPUs at peak", true),
            ("vCPUs at max", true),
            ("quota", true),
            ("source", false),
            ("use at max", true),
            ("", false),
        ],
    );
    for q in &r.quotas {
        let (class, status) = match (q.quota, q.shortfall) {
            (None, _) => ("warn", "unknown".to_string()),
            (Some(_), Some(n)) => ("bad", format!("short {} vCPUs", int(n))),
            (Some(_), None) => ("ok", "fits".to_string()),
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"{class}\">{}</td></tr>",
            esc(&q.region),
            esc(&int(q.vcpus_at_peak)),
            esc(&int(q.vcpus_at_max)),
            esc(&q.quota.map_or_else(|| "—".into(), int)),
            q.source.map_or("—", |s| s.as_str()),
            esc(&q.use_percent.map_or_else(|| "—".into(), pct)),
            esc(&status)
        );
    }
    o.push_str("</table></div>\n");
    chart(
        &mut o,
        charts::quotas(r),
        "vCPUs at peak and at MaxSize per region; the black tick is the quota.",
    );

    // The data and platform tiers: the Markdown sections, as HTML.
    let mut tiers = String::new();
    super::tiers::markdown(&r.tiers, &mut tiers);
    super::platform::markdown(&r.platform, &mut tiers);
    sections(&mut o, &tiers);

    // Latency.
    let l = &r.latency;
    o.push_str("<h2 id=\"latency\">Latency</h2>\n");
    let _ = writeln!(
        o,
        "<p>Estimated round trip = 2 × great-circle distance × {} (routing factor) ÷ {} km/ms (light in fibre), to the region that serves the metro under <code>{}</code> steering. Target: {} ms; above it in <strong>amber</strong>.</p>\n<div class=\"scroll\"><table>",
        super::latency::ROUTING_FACTOR,
        super::latency::FIBRE_KM_PER_MS,
        esc(&l.steering),
        l.target_ms
    );
    th(
        &mut o,
        &[
            ("metro", false),
            ("Cloudflare region", false),
            ("served by", false),
            ("distance", true),
            ("est. RTT", true),
            ("nearest region", false),
        ],
    );
    for m in &l.metros {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{} km</td><td class=\"n{}\">{} ms</td><td>{}</td></tr>",
            esc(&m.metro),
            esc(&m.cloudflare_region),
            esc(&m.serving_region),
            esc(&int(m.distance_km)),
            if m.above_target { " warn" } else { "" },
            m.rtt_ms,
            esc(&m.nearest_region)
        );
    }
    o.push_str("</table></div>\n");

    // Live.
    if let Some(live) = &r.live {
        o.push_str("<h2 id=\"live\">Live</h2>\n<table>\n");
        th(
            &mut o,
            &[
                ("region", false),
                ("running", true),
                ("MinSize now", true),
                ("MaxSize", true),
                ("", false),
            ],
        );
        for x in &live.regions {
            let (class, status) = match x.instances {
                None => ("warn", "unknown"),
                Some(_) if x.below_min => ("warn", "below MinSize"),
                Some(_) => ("ok", "ok"),
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{class}\">{status}</td></tr>",
                esc(&x.region),
                esc(&x.instances.map_or_else(|| "—".into(), int)),
                esc(&int(x.expected_min)),
                esc(&int(x.max_size))
            );
        }
        let _ = writeln!(
            o,
            "</table>\n<p><strong>Drift:</strong> {}</p>",
            esc(live.drift_summary.as_deref().unwrap_or("not checked"))
        );
    }

    // Method.
    o.push_str("<h2 id=\"method\">How these numbers are computed</h2>\n<ul class=\"muted\">\n");
    for line in METHOD.lines() {
        if let Some(item) = line.strip_prefix("- ") {
            let _ = writeln!(o, "<li>{}</li>", inline(item));
        }
    }
    o.push_str("</ul>\n");
    let _ = writeln!(
        o,
        "<footer class=\"muted\">streamscale report · {} · as of {}</footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>",
        esc(&r.stack_name),
        esc(&time(r.as_of))
    );
    o
}
