//! `drift -e ENV [--json|--format markdown] [--detailed-exitcode] [--region R]…`: does what
//! runs in each region still match the plan, and if not, exactly where?

use std::fmt::Write as _;
use std::time::Duration;

use clap::Args;
use console::style;
use serde_json::{Value, json};

use super::ci::{ReviewFormat, TargetArg};
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
use streamscale_core::digest::sha256_hex;
use streamscale_core::drift::{
    FORMAT_VERSION, FindingSource, RegionDrift, Status, by_severity, headline,
};
use streamscale_core::plan::Plan;
use streamscale_core::render::Rendered;
use streamscale_core::review::markdown::marker;
use streamscale_core::review::{PlanReview, Target, render_drift_markdown, review_of_drift};
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
    /// Output format: text, json (as --json) or markdown (for an issue,
    /// a pull-request comment or a step summary).
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<ReviewFormat>,
    /// Where the markdown goes; it is trimmed to fit its size limit.
    #[arg(
        long,
        value_enum,
        default_value = "github-comment",
        value_name = "TARGET"
    )]
    target: TargetArg,
}

impl DriftArgs {
    /// `--json` or `--format json`.
    pub fn json(&self) -> bool {
        self.json || self.format == Some(ReviewFormat::Json)
    }
}

/// `drift`.
pub fn run(project: &Project, args: &DriftArgs, ui: Ui) -> Result<Outcome, Error> {
    if args.format == Some(ReviewFormat::GitlabTerraform) {
        return Err(Error::Usage {
            message: "drift has no gitlab-terraform format (it is the plan's report)".into(),
            help: Some("use --format text, json or markdown".into()),
        });
    }
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
    let review = drift_review(&plan, &rendered, &regions, &cf);
    let error = unchecked_error(&regions);
    if args.json() {
        super::json::print(&super::json::with_error(
            document(&plan, &regions, &cf),
            error.as_ref(),
        ));
    } else if args.format == Some(ReviewFormat::Markdown) {
        print!(
            "{}",
            super::ci::redact(&render_drift_markdown(&review, args.target.into()))
        );
    } else {
        print_human(&regions, ui);
        print_cloudflare(&cf);
    }
    finish_github(&review, &regions, &cf)?;
    if let Some(e) = error {
        return Err(e);
    }
    let drifted = regions.iter().any(|r| r.status != Status::Clean) || !cf.changes.is_empty();
    Ok(if drifted && args.detailed_exitcode {
        Outcome::Changes
    } else {
        Outcome::Ok
    })
}

/// The error of a run where some region could not be (fully) checked.
fn unchecked_error(regions: &[RegionDrift]) -> Option<Error> {
    let errors: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| matches!(r.status, Status::Error | Status::Incomplete))
        .collect();
    errors.first().map(|first| Error::Usage {
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
        })
}

/// The drift run as a review (the markdown's input): the marker carries
/// the sha256 of the rendered files drift compared against.
fn drift_review(
    plan: &Plan,
    rendered: &Rendered,
    regions: &[RegionDrift],
    cf: &CloudflarePlan,
) -> PlanReview {
    let files = rendered.files();
    let parts: Vec<&[u8]> = files
        .iter()
        .flat_map(|(path, text)| [path.as_os_str().as_encoded_bytes(), text.as_bytes()])
        .collect();
    review_of_drift(
        &plan.environment,
        sha256_hex(&parts),
        regions,
        super::ci::cloudflare_items(cf),
        format!("`streamscale drift -e {} --json`", plan.environment),
    )
}

/// In GitHub Actions: the drift markdown in the step summary and the step
/// outputs `has_drift`, `findings`, `capacity`, `security`, `config`,
/// `regions_drifted`, `regions_unchecked`, `marker` and `failure_reason`
/// (regions that could not be checked).
fn finish_github(
    review: &PlanReview,
    regions: &[RegionDrift],
    cf: &CloudflarePlan,
) -> Result<(), Error> {
    let Some(gh) = super::ci::github::Github::detect() else {
        return Ok(());
    };
    gh.append_summary(&render_drift_markdown(review, Target::GithubSummary))?;
    let by = by_severity(regions);
    let count = |k: &str| {
        by.iter()
            .find(|(s, _)| s.as_str() == k)
            .map_or(0, |(_, n)| *n)
            .to_string()
    };
    let unchecked: Vec<&RegionDrift> = regions
        .iter()
        .filter(|r| matches!(r.status, Status::Error | Status::Incomplete))
        .collect();
    let reason = unchecked
        .iter()
        .map(|r| format!("{}: {}", r.region, r.error.as_deref().unwrap_or("error")))
        .collect::<Vec<_>>()
        .join("; ");
    let has_drift = regions.iter().any(|r| r.status != Status::Clean) || !cf.changes.is_empty();
    gh.set_outputs(&[
        ("has_drift", has_drift.to_string()),
        (
            "findings",
            regions
                .iter()
                .map(|r| r.findings.len())
                .sum::<usize>()
                .to_string(),
        ),
        ("capacity", count("capacity")),
        ("security", count("security")),
        ("config", count("config")),
        ("cloudflare", cf.changes.len().to_string()),
        (
            "regions_drifted",
            regions
                .iter()
                .filter(|r| matches!(r.status, Status::Drifted | Status::Missing))
                .count()
                .to_string(),
        ),
        ("regions_unchecked", unchecked.len().to_string()),
        ("marker", marker(review)),
        ("failure_reason", reason),
    ])
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
    // Cloudflare's differences with a severity (the zone's SSL mode) count too.
    for c in &cf.changes {
        if let Some(k) = c.severity.as_deref()
            && let Some(n) = by_all.get_mut(k)
        {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
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

/// The human report; in GitHub Actions one `::group::` per region, in
/// GitLab CI one collapsed section per region.
fn print_human(regions: &[RegionDrift], _ui: Ui) {
    let github = super::ci::github::Github::detect().is_some();
    let gitlab = super::ci::gitlab::detect();
    for r in regions {
        let header = format!("{} ({})", r.region, r.status.as_str());
        let text = super::ci::redact(&render_region(r));
        if github {
            println!("{}", super::ci::github::command("group", &[], &header));
            print!("{text}");
            println!("::endgroup::");
        } else if gitlab {
            println!("{}", super::ci::gitlab::section_start(&r.region, &header));
            print!("{text}");
            println!("{}", super::ci::gitlab::section_end(&r.region));
        } else {
            print!("{text}");
        }
    }
    println!("{}", headline(regions));
}

/// The human drift report: per region its status, the findings table,
/// notes, sources and what was not checked; then the headline.
pub fn render_human(regions: &[RegionDrift]) -> String {
    let mut out: String = regions.iter().map(render_region).collect();
    let _ = writeln!(out, "{}", headline(regions));
    out
}

/// One region of the human report.
fn render_region(r: &RegionDrift) -> String {
    let mut out = String::new();
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
