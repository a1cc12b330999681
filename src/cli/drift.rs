//! `drift -e ENV [--json] [--detailed-exitcode] [--region R]…`: does what
//! runs in each region still match the plan, and if not, exactly where?

use std::fmt::Write as _;
use std::time::Duration;

use clap::Args;
use console::style;
use serde_json::{Value, json};

use super::runtime;
use super::views::print_cloudflare;
use super::{EnvArg, Outcome, Ui};
use crate::aws::Aws;
use crate::cli::Error;
use crate::engine::cloudflare::{CloudflarePlan, plan_cloudflare};
use crate::engine::drift::drift_all;
use crate::engine::wait::{parse_timeout, with_wait_limit};
use crate::engine::{EngineError, select_regions};
use crate::project::Project;
use streamscale_core::drift::{
    FORMAT_VERSION, FindingSource, RegionDrift, Status, by_severity, headline,
};
use streamscale_core::plan::Plan;
use streamscale_core::render::to_pretty;
use streamscale_core::text::short;

/// `drift -e ENV [--json] [--detailed-exitcode] [--region R]…`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
    /// Exit 2 when there is drift (0 none, 1 error).
    #[arg(long)]
    detailed_exitcode: bool,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Skip CloudFormation drift detection (DetectStackDrift), which can
    /// take minutes per stack: live reads only.
    #[arg(long)]
    no_cloudformation: bool,
    /// How long to wait for CloudFormation's drift detection of a stack
    /// (seconds, or 90s, 10m, 1h). Past it, the region is incomplete.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_timeout)]
    timeout: Duration,
}

/// `drift`.
pub fn run(project: &Project, args: &DriftArgs, ui: Ui) -> Result<Outcome, Error> {
    let plan = super::plan::load_current(project, &args.env.env)?;
    let rendered = project.render(&plan)?;
    let stacks = select_regions(&rendered, &args.regions).map_err(|message| Error::Usage {
        message,
        help: Some("--region takes a region of the plan; repeat it for several".into()),
    })?;
    let rt = runtime()?;
    let (regions, cf) = rt.block_on(with_wait_limit(args.timeout, async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        let regions = drift_all(&aws, &plan, &stacks, !args.no_cloudformation, project.now).await;
        // Cloudflare fronts every region: compared when the whole plan is.
        let cf = if args.regions.is_empty() {
            plan_cloudflare(&aws, &plan, &rendered).await?
        } else {
            CloudflarePlan::default()
        };
        Ok::<_, Error>((regions, cf))
    }))?;
    if args.json {
        print!("{}", to_pretty(&document(&plan, &regions, &cf)));
    } else {
        print_human(&regions, ui);
        print_cloudflare(&cf);
    }
    let errors: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| matches!(r.status, Status::Error | Status::Incomplete))
        .collect();
    if let Some(first) = errors.first() {
        return Err(Error::Usage {
            message: format!(
                "drift could not be fully checked in {} of {} region{}: {}: {}",
                errors.len(),
                regions.len(),
                if regions.len() == 1 { "" } else { "s" },
                first.region,
                first.error.as_deref().unwrap_or("error")
            ),
            help: Some(
                "check the credentials' read permissions (autoscaling, ec2, elasticloadbalancing, elasticache, cloudformation Describe*) and that no stack operation is running".into(),
            ),
        });
    }
    let drifted = regions.iter().any(|r| r.status != Status::Clean) || !cf.changes.is_empty();
    Ok(if drifted && args.detailed_exitcode {
        Outcome::Changes
    } else {
        Outcome::Ok
    })
}

/// The `--json` document.
pub fn document(plan: &Plan, regions: &[RegionDrift], cf: &CloudflarePlan) -> Value {
    let by: serde_json::Map<String, Value> = by_severity(regions)
        .into_iter()
        .map(|(k, v)| (k.as_str().to_string(), json!(v)))
        .collect();
    let mut by_all = serde_json::Map::new();
    for k in ["capacity", "security", "config"] {
        by_all.insert(k.into(), by.get(k).cloned().unwrap_or(json!(0)));
    }
    let per_region: serde_json::Map<String, Value> = regions
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let Some(m) = v.as_object_mut() {
                m.shift_remove("region");
            }
            (r.region.clone(), v)
        })
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "command": "drift",
        "name": plan.name,
        "environment": plan.environment,
        "stack_name": plan.stack_name(),
        "drift": regions.iter().any(|r| r.status != Status::Clean) || !cf.changes.is_empty(),
        "regions": per_region,
        "cloudflare": {"checked": cf.checked, "note": cf.note, "changes": cf.changes},
        "summary": {
            "findings": regions.iter().map(|r| r.findings.len()).sum::<usize>(),
            "by_severity": by_all,
            "regions_drifted": regions.iter().filter(|r| matches!(r.status, Status::Drifted | Status::Missing)).count(),
            "regions_error": regions.iter().filter(|r| r.status == Status::Error).count(),
            "regions_incomplete": regions.iter().filter(|r| r.status == Status::Incomplete).count(),
            "regions_degraded": regions.iter().filter(|r| r.degraded.is_some()).count(),
            "regions": regions.len(),
            "headline": headline(regions),
        },
    })
}

fn status_word(s: Status) -> String {
    match s {
        Status::Clean => style("clean").green().to_string(),
        Status::Drifted => style("drifted").yellow().bold().to_string(),
        Status::Missing => style("missing").red().bold().to_string(),
        Status::Error => style("error").red().to_string(),
        Status::Incomplete => style("incomplete").red().to_string(),
    }
}

fn print_human(regions: &[RegionDrift], _ui: Ui) {
    print!("{}", render_human(regions));
}

/// The human drift report: per region its status, the findings table,
/// notes, sources and what was not checked; then the headline.
pub fn render_human(regions: &[RegionDrift]) -> String {
    let mut out = String::new();
    for r in regions {
        let _ = writeln!(
            out,
            "{} {} ({})",
            style(&r.region).bold().underlined(),
            r.stack_name,
            status_word(r.status)
        );
        if let Some(e) = &r.error {
            let _ = writeln!(out, "  {}: {e}", r.status.as_str());
        }
        if let Some(d) = &r.degraded {
            let _ = writeln!(out, "  degraded: {d}");
        }
        if !r.findings.is_empty() {
            let mut t = super::table::new(
                [
                    "severity",
                    "resource",
                    "physical id",
                    "property",
                    "expected",
                    "actual",
                    "note",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                usize::MAX,
            );
            for f in &r.findings {
                let sev = match f.severity.as_str() {
                    "security" => style("security").red().to_string(),
                    "capacity" => style("capacity").yellow().to_string(),
                    other => other.to_string(),
                };
                let mut resource = f.logical_id.clone();
                if f.source != FindingSource::Streamscale {
                    resource.push_str(" [cloudformation]");
                }
                let property = if f.path.is_empty() {
                    "(resource)".to_string()
                } else {
                    f.path.clone()
                };
                t.add_row(vec![
                    sev,
                    resource,
                    f.physical_id.as_deref().map(abbrev).unwrap_or("-".into()),
                    property,
                    short(&f.expected),
                    short(&f.actual),
                    f.note.clone().unwrap_or_default(),
                ]);
            }
            for line in t.to_string().lines() {
                let _ = writeln!(out, "  {}", line.trim_end());
            }
        }
        for n in &r.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        let mut sources = vec!["streamscale live reads".to_string()];
        if r.sources.contains(&FindingSource::Cloudformation) {
            sources.push("CloudFormation drift detection".into());
        }
        let _ = writeln!(out, "  sources: {}", sources.join(" + "));
        if !r.cloudformation_drift.note.is_empty() && r.status != Status::Missing {
            let _ = writeln!(out, "  cloudformation: {}", r.cloudformation_drift.note);
        }
        if !r.not_checked.is_empty() {
            let mut kinds: Vec<&str> = r
                .not_checked
                .iter()
                .map(|n| n.resource_type.trim_start_matches("AWS::"))
                .collect();
            kinds.sort();
            kinds.dedup();
            let _ = writeln!(
                out,
                "  not checked: {} resource{} ({}); --json lists them with reasons",
                r.not_checked.len(),
                if r.not_checked.len() == 1 { "" } else { "s" },
                kinds.join(", ")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", headline(regions));
    out
}

/// A long ARN shortened to its last part.
fn abbrev(id: &str) -> String {
    if id.len() <= 40 {
        return id.to_string();
    }
    let tail = id.rsplit(['/', ':']).next().unwrap_or(id);
    format!("…{tail}")
}
