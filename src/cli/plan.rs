//! `plan`: what apply would change, per region and for Cloudflare.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::views::plan_json;
use super::{EnvArg, Error, Outcome};
use crate::aws::Aws;
use crate::engine::cloudflare::plan_cloudflare;
use crate::engine::planner::plan_all;
use crate::engine::provenance::Provenance;
use crate::engine::saved::SavedPlan;
use crate::engine::wait::{parse_timeout, with_wait_limit};
use crate::engine::{EngineError, RegionPlan, select_regions};
use crate::project::Project;
use streamscale_core::plan::Plan;
use streamscale_core::render::{RegionStack, Rendered};

/// `plan -e ENV [--out FILE] [--json] [--detailed-exitcode] [--region R]…`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub env: EnvArg,
    /// Save the plan (and keep its change sets) for `apply FILE`.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the plan as one JSON document on stdout.
    #[arg(long)]
    json: bool,
    /// Exit 2 when there are changes (0 none, 1 error).
    #[arg(long)]
    detailed_exitcode: bool,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// How long to wait for CloudFormation to create a region's change set
    /// (seconds, or 90s, 10m, 1h); past it, the region fails.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_timeout)]
    timeout: Duration,
    /// Review output and risk gates.
    #[command(flatten)]
    review: super::ci::ReviewArgs,
}

impl PlanArgs {
    /// `--json` or `--format json`.
    pub fn json(&self) -> bool {
        self_json(self)
    }
}

fn self_json(args: &PlanArgs) -> bool {
    args.json || args.review.format == Some(super::ci::ReviewFormat::Json)
}

/// The regions selected by `--region` (all when none is given).
pub fn selected<'a>(
    rendered: &'a Rendered,
    regions: &[String],
) -> Result<Vec<&'a RegionStack>, Error> {
    select_regions(rendered, regions).map_err(|message| Error::Usage {
        message,
        help: Some("--region takes a region of the plan; repeat it for several".into()),
    })
}

/// Plan every selected region; the first region error fails the command.
pub async fn plan_regions(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
    keep: bool,
) -> Result<Vec<RegionPlan>, Error> {
    let results = plan_all(aws, plan, stacks, keep).await;
    let mut plans = Vec::new();
    let mut errors = Vec::new();
    for (region, r) in results {
        match r {
            Ok(p) => plans.push(p),
            Err(e) => errors.push((region, e)),
        }
    }
    if let Some((_, e)) = errors.into_iter().next() {
        return Err(Error::Engine(e));
    }
    Ok(plans)
}

/// The plan of `env`, with Cloudflare's current IP ranges when
/// `CLOUDFLARE_API_TOKEN` is set (`plan`, `apply` and `drift` render the
/// load balancers' prefix lists from them; without a token, the bundled
/// copy).
pub(super) fn load_current(project: &Project, env: &str) -> Result<Plan, Error> {
    let mut plan = project.load_plan(env)?;
    if let Some(api) = crate::cloudflare::Cloudflare::from_env().map_err(EngineError::from)? {
        let rt = super::runtime()?;
        rt.block_on(crate::engine::origin::use_current_ranges(
            Some(&api),
            &mut plan,
        ))
        .map_err(EngineError::from)?;
    }
    Ok(plan)
}

/// `plan`.
pub fn run(project: &Project, args: &PlanArgs) -> Result<Outcome, Error> {
    let plan = load_current(project, &args.env.env)?;
    let gates = super::ci::gates(&plan, &args.review)?;
    let rendered = project.render(&plan)?;
    let stacks = selected(&rendered, &args.regions)?;
    let rt = super::runtime()?;
    let (plans, cf, provenance) = rt.block_on(with_wait_limit(args.timeout, async {
        let aws = Aws::load().await?;
        let plans = plan_regions(&aws, &plan, &stacks, args.out.is_some()).await?;
        let cf = plan_cloudflare(&aws, &plan, &rendered).await?;
        // A saved plan records the account, commit and time it was made.
        let provenance = match &args.out {
            Some(_) => Some(Provenance::collect(&aws, &project.root, project.now).await?),
            None => None,
        };
        Ok::<_, Error>((plans, cf, provenance))
    }))?;
    let mut saved_text = None;
    if let (Some(out), Some(provenance)) = (&args.out, provenance) {
        let text = SavedPlan::from_plans(&plan, &plans, &cf, provenance).to_text();
        std::fs::write(out, &text).map_err(|e| Error::io(out, e))?;
        saved_text = Some(text);
    }
    let saved = args.out.as_deref().zip(saved_text.as_deref());
    let review = super::ci::review_of_plan(&plan, project.now, &plans, &cf, saved);
    let json = self_json(args);
    let gates_then_critical = || {
        super::ci::finish_plan(&review, &gates, args.out.as_deref())?;
        if super::ci::critical_gate(&args.review) {
            super::report::fail_on_critical(&streamscale_core::report::build(
                &plan,
                None,
                &streamscale_core::report::Options { as_of: project.now },
            ))?;
        }
        Ok::<(), Error>(())
    };
    let mut result = Ok(());
    if json {
        // The gates first, so that the one document carries their error.
        result = gates_then_critical();
        super::json::print(&super::json::with_error(
            plan_json(&plan, &plans, &cf),
            result.as_ref().err(),
        ));
    } else if !super::ci::print_formatted(&review, &args.review) {
        super::ci::print_plan_text(&plans, &cf);
        if let Some(out) = &args.out {
            eprintln!(
                "\nSaved the plan to {}: apply it with `streamscale apply -e {} {}`",
                out.display(),
                args.env.env,
                out.display()
            );
        }
    }
    if !json {
        result = gates_then_critical();
    }
    result?;
    let changed = plans.iter().any(RegionPlan::has_changes) || !cf.changes.is_empty();
    Ok(if changed && args.detailed_exitcode {
        Outcome::Changes
    } else {
        Outcome::Ok
    })
}
