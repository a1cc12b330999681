//! `validate` and `render`: the pure commands.

use std::path::PathBuf;

use clap::Args;

use super::{EnvArg, Outcome, Ui, table};
use crate::cli::Error;
use crate::project::Project;
use chrono::{DateTime, Utc};
use streamscale_core::plan::Plan;
use streamscale_core::plan::timeline::EventPhase;
use streamscale_core::render::capacity_json;

/// `validate -e ENV [--json]`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Print capacity.json on stdout instead of the table (on an invalid
    /// plan, its errors as JSON: file, line, column, message, hint, code).
    #[arg(long)]
    json: bool,
    /// Exit 1 (after printing) when the capacity review finds a critical
    /// shortfall: `critical` (e.g. a vCPU quota below what MaxSize needs).
    #[arg(long = "fail-on", value_name = "GATES", value_delimiter = ',')]
    fail_on: Vec<String>,
}

impl ValidateArgs {
    /// `--json`.
    pub fn json(&self) -> bool {
        self.json
    }
}

/// `render -e ENV [-o DIR]`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Write under DIR/<env>/ instead of the project's output folder (default out/).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Check the plan and print its capacity.
pub fn validate(project: &Project, args: &ValidateArgs, _ui: Ui) -> Result<Outcome, Error> {
    let critical = super::report::critical_gate(&args.fail_on, &[])?;
    let plan = project.load_plan(&args.env.env)?;
    for note in event_notes(&plan, project.now) {
        eprintln!("note: {note}");
    }
    let critical = if critical {
        super::report::fail_on_critical(&streamscale_core::report::build(
            &plan,
            None,
            &streamscale_core::report::Options { as_of: project.now },
        ))
    } else {
        Ok(())
    };
    if args.json {
        // A tripped gate: the one document carries the error.
        let doc = capacity_json(&plan);
        super::json::print(&match &critical {
            Ok(()) => doc,
            Err(e) => super::json::with_error(doc, Some(e)),
        });
    } else {
        eprintln!(
            "{} {}: valid, {} regions, {} peak users{}",
            plan.name,
            plan.environment,
            plan.regions.len(),
            table::thousands(&plan.traffic.peak.to_string()),
            if plan.traffic.survive_region_loss {
                ", sized to survive the loss of any one region"
            } else {
                ""
            }
        );
        println!("{}", table::capacity(&plan));
    }
    critical?;
    Ok(Outcome::Ok)
}

/// What the stacks keep of each event that is no longer ahead at `now`
/// (see `streamscale_core::plan::timeline`).
fn event_notes(plan: &Plan, now: DateTime<Utc>) -> Vec<String> {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    plan.capacity
        .events
        .iter()
        .filter_map(|e| {
            let what = match EventPhase::of(e, now) {
                EventPhase::Ahead => return None,
                EventPhase::Warming => format!(
                    "its pre-warm time {} is past: the stacks hold the pre-warm MinSize now and schedule only the release at {}",
                    at(e.prewarm_at),
                    at(e.release_at)
                ),
                EventPhase::UnderWay => format!(
                    "it started at {}: the stacks hold the pre-warm MinSize and schedule only the release at {}",
                    at(e.starts_at),
                    at(e.release_at)
                ),
                EventPhase::Over => format!(
                    "it ended at {}: it is left out of the stacks",
                    at(e.release_at)
                ),
            };
            Some(format!(
                "event {} is {} as of {}; {what}",
                e.name,
                EventPhase::of(e, now).describe(),
                at(now)
            ))
        })
        .collect()
}

/// Render the plan's files.
pub fn render(project: &Project, args: &RenderArgs) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let dir = match &args.out {
        Some(o) => o.join(&plan.environment),
        None => project.out_dir(&plan),
    };
    let written = crate::project::write_rendered(&rendered, &dir)?;
    eprintln!(
        "rendered {} files for {} regions under {}",
        written.len(),
        rendered.stacks.len(),
        dir.display()
    );
    Ok(Outcome::Ok)
}
