//! `report`: the capacity review (Markdown, HTML or JSON).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, ValueEnum};

use super::{EnvArg, Outcome};
use crate::cli::Error;
use crate::project::Project;
use streamscale_core::plan::Plan;
use streamscale_core::report::{self, LiveData, Options};

/// The report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// GitHub-flavoured Markdown: pull-request comments, job summaries.
    Markdown,
    /// One self-contained HTML file with charts; printable.
    Html,
    /// JSON with every number (a superset of capacity.json).
    Json,
}

/// `report -e ENV [--format markdown|html|json] [-o FILE] [--live] [--as-of TIME]`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// The same as `--format json` (as on the other commands).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long = "out", alias = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 (after writing the report) when it finds a critical
    /// shortfall: `critical` (a vCPU quota below what MaxSize needs, a
    /// fleet that does not carry the peak, a region loss that overloads
    /// the others).
    #[arg(long = "fail-on", value_name = "GATES", value_delimiter = ',')]
    fail_on: Vec<String>,
    /// Add live instance counts, Service Quotas vCPU quotas and the drift
    /// summary from the AWS accounts (needs AWS credentials).
    #[arg(long)]
    live: bool,
    /// Write the report as of TIME (RFC 3339, e.g. 2026-12-01T00:00:00Z, or a
    /// date, meaning midnight UTC) instead of now: the next event and event
    /// status are relative to it. Use it for reproducible reports.
    #[arg(long, value_name = "TIME", value_parser = parse_as_of)]
    as_of: Option<DateTime<Utc>>,
}

impl ReportArgs {
    /// `--format json` to stdout.
    pub fn json(&self) -> bool {
        self.format() == Format::Json && self.output.is_none()
    }

    /// `--format`, or json for `--json`.
    fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }
}

/// Whether `--fail-on` asks for the `critical` gate; `others` are the
/// other gates the command takes (an unknown name is a usage error).
pub(super) fn critical_gate(fail_on: &[String], others: &[&str]) -> Result<bool, Error> {
    let mut critical = false;
    for name in fail_on.iter().flat_map(|s| s.split(',')).map(str::trim) {
        if name == "critical" {
            critical = true;
        } else if !name.is_empty() && !others.contains(&name) {
            let mut all: Vec<&str> = others.to_vec();
            all.push("critical");
            return Err(Error::Usage {
                message: format!("unknown gate `{name}` (the gates: {})", all.join(", ")),
                help: Some("--fail-on takes a comma-separated list of gates".into()),
            });
        }
    }
    Ok(critical)
}

/// `--fail-on critical`: an error naming the review's critical findings.
pub(super) fn fail_on_critical(model: &report::Report) -> Result<(), Error> {
    let critical: Vec<&str> = model
        .findings
        .iter()
        .filter(|f| f.severity == report::Severity::Critical)
        .map(|f| f.message.as_str())
        .collect();
    if critical.is_empty() {
        return Ok(());
    }
    Err(Error::Critical {
        count: critical.len(),
        findings: critical.join("; "),
    })
}

/// `2026-12-01T00:00:00Z`, `2026-12-01T01:00:00+01:00` or `2026-12-01`.
fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!(
                "`{s}` is not a time: use RFC 3339 (2026-12-01T00:00:00Z) or a date (2026-12-01)"
            )
        })
}

/// Live data for the report: InService instances, the Service Quotas vCPU
/// quota and the drift headline, read from every region of the plan.
fn live_data(project: &Project, plan: &Plan) -> Result<LiveData, Error> {
    let rendered = project.render(plan)?;
    let stacks: Vec<_> = rendered.stacks.iter().collect();
    super::runtime()?.block_on(async {
        let aws = crate::aws::Aws::load().await?;
        Ok(crate::engine::report::report_data_with(&aws, plan, &stacks).await?)
    })
}

/// Write the report.
pub fn run(project: &Project, args: &ReportArgs) -> Result<Outcome, Error> {
    let critical = critical_gate(&args.fail_on, &[])?;
    let plan = project.load_plan(&args.env.env)?;
    let live = if args.live {
        Some(live_data(project, &plan)?)
    } else {
        None
    };
    let opts = Options {
        as_of: args.as_of.unwrap_or(project.now),
    };
    let model = report::build(&plan, live.as_ref(), &opts);
    let text = match args.format() {
        Format::Markdown => report::markdown::render(&model),
        Format::Html => report::html::render(&model),
        Format::Json => report::json::render(&model),
    };
    match &args.output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::write(path, &text).map_err(|e| Error::io(path, e))?;
            eprintln!(
                "wrote the {} capacity review of {} to {}",
                match args.format() {
                    Format::Markdown => "Markdown",
                    Format::Html => "HTML",
                    Format::Json => "JSON",
                },
                plan.stack_name(),
                path.display()
            );
        }
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Error::io("<stdout>", e))?;
            if args.format() == Format::Json {
                super::json::mark_printed();
            }
        }
    }
    for f in model
        .findings
        .iter()
        .filter(|f| f.severity == report::Severity::Critical)
    {
        eprintln!("critical: {}", f.message);
    }
    if critical {
        fail_on_critical(&model)?;
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_forms() {
        let want = "2026-12-01T00:00:00Z";
        for s in [
            "2026-12-01T00:00:00Z",
            "2026-12-01T01:00:00+01:00",
            "2026-12-01",
        ] {
            assert_eq!(
                parse_as_of(s)
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string(),
                want
            );
        }
        assert!(parse_as_of("tomorrow").is_err());
    }
}
