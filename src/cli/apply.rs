//! `apply`, `destroy` and `outputs`: the commands that change live stacks
//! or read their outputs.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use console::style;
use serde_json::Value;

use super::apply_json::{self, Clock, in_plan_order, show_plan};
use super::plan::selected;
use super::views::report_outcomes;
use super::{EnvArg, Error, Outcome, Ui};
use crate::aws::Aws;
use crate::cloudflare::Cloudflare;
use crate::engine::EngineError;
use crate::engine::RegionPlan;
use crate::engine::apply::{apply_all, destroy_all, in_progress, outputs_all, wait_until_idle};
use crate::engine::cloudflare::{
    CloudflarePlan, SavedCloudflare, known_outputs, plan_cloudflare, resolved_bodies,
};
use crate::engine::progress::Progress;
use crate::engine::saved::{SavedPlan, plans_from_saved};
use crate::engine::wait::{parse_timeout, with_wait_limit};
use crate::project::Project;
use streamscale_core::plan::Plan;
use streamscale_core::render::Rendered;

/// `apply -e ENV [PLANFILE] [--yes] [--max-parallel N] [--region R]…`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub env: EnvArg,
    /// A plan saved by `plan --out`: apply exactly that.
    planfile: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Regions applied at the same time (default: all).
    #[arg(long, value_name = "N")]
    max_parallel: Option<usize>,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Refuse (exit 1) instead of waiting when a stack has an operation in
    /// progress (another apply's, or one an interrupted apply left running).
    #[arg(long)]
    no_wait: bool,
    /// How long to wait for any one stack operation or change set
    /// (seconds, or 90s, 10m, 1h); past it, the region fails and the
    /// operation goes on on AWS's side.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_timeout)]
    timeout: Duration,
    /// Apply changes that widen network or IAM access (security-group
    /// rules, prefix lists, IAM policies); without it apply refuses them.
    #[arg(long)]
    allow_broadening: bool,
    /// Print what changed per region (outcome, timings) as one JSON
    /// document on stdout; the plan and progress go to stderr.
    #[arg(long)]
    json: bool,
    /// Refuse (exit 1, `engine::old_plan`) a saved plan made longer ago
    /// than this (seconds, or 30m, 2h, 1d), measured on the run's clock.
    #[arg(long, value_name = "DURATION", requires = "planfile", value_parser = crate::engine::provenance::parse_max_age)]
    max_plan_age: Option<Duration>,
}

/// `destroy -e ENV [--yes] [--region R]…`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub env: EnvArg,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// How long to wait for a stack's deletion (seconds, or 90s, 10m, 1h);
    /// past it, the region fails and the deletion goes on on AWS's side.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_timeout)]
    timeout: Duration,
    /// Print each region's outcome and timings as one JSON document on
    /// stdout.
    #[arg(long)]
    json: bool,
    /// Where a stack's resources have deletion protection on (outside
    /// demo), first update the stack with it off (nothing else changes),
    /// then delete it. Without it, destroy refuses before deleting anything.
    #[arg(long)]
    disable_deletion_protection: bool,
}

impl ApplyArgs {
    /// `--json`.
    pub fn json(&self) -> bool {
        self.json
    }
}

impl DestroyArgs {
    /// `--json`.
    pub fn json(&self) -> bool {
        self.json
    }
}

impl OutputsArgs {
    /// `--json`.
    pub fn json(&self) -> bool {
        self.json
    }
}

/// `outputs -e ENV [--json]`.
#[derive(Debug, Args)]
pub struct OutputsArgs {
    #[command(flatten)]
    pub env: EnvArg,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
}

fn confirm(question: &str, yes: bool) -> Result<(), Error> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Engine(EngineError::NotConfirmed(
            "refusing to change live stacks without --yes: there is no terminal to confirm on"
                .into(),
        )));
    }
    eprint!("{question} Only 'yes' will be accepted: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    if line.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Engine(EngineError::NotConfirmed(
            "cancelled: nothing was changed".into(),
        )))
    }
}

/// Show the plan apply is about to carry out, then refuse one that
/// broadens access unless `--allow-broadening` says so.
fn show_and_check(
    plan: &Plan,
    project: &Project,
    plans: &[RegionPlan],
    cf: &CloudflarePlan,
    args: &ApplyArgs,
) -> Result<(), Error> {
    show_plan(plans, cf, args.json);
    super::ci::refuse_broadening(plan, project.now, plans, cf, args.allow_broadening)
}

/// `apply`.
pub fn run(project: &Project, args: &ApplyArgs, ui: Ui) -> Result<Outcome, Error> {
    let clock = Clock::start();
    let plan = super::plan::load_current(project, &args.env.env)?;
    let rendered = project.render(&plan)?;
    let stacks = selected(&rendered, &args.regions)?;
    let out_dir = project.out_dir(&plan);
    let rt = super::runtime()?;
    let regions: Vec<String> = stacks.iter().map(|s| s.region.clone()).collect();
    // A saved plan is read and checked for age before anything is asked of AWS.
    let saved = match &args.planfile {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
            let saved = SavedPlan::from_text(file, &text)?;
            if let Some(max) = args.max_plan_age {
                crate::engine::provenance::check_age(saved.created_at, project.now, max)?;
            }
            Some(saved)
        }
        None => None,
    };
    let work = with_wait_limit(args.timeout, async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        if let Some(saved) = &saved {
            let account = aws.account_id().await.map_err(EngineError::from)?;
            crate::engine::provenance::check_account(&saved.account_id, &account)?;
            eprintln!("{}", saved.provenance_line());
        }
        // Stacks another apply (or an interrupted one) is still changing:
        // wait for them, so that the plan starts from what runs.
        let waiting = Progress::new(false);
        wait_until_idle(&aws, &plan, &regions, args.no_wait, &waiting).await?;
        drop(waiting);
        // A saved plan's Cloudflare part (None: no plan file).
        let mut cloudflare_from_file: Option<Option<SavedCloudflare>> = None;
        let plans = match saved {
            Some(saved) => {
                let plans = plans_from_saved(&aws, &plan, &rendered, &saved, &args.regions).await?;
                let plans = apply_json::plans_in_plan_order(plans, &regions);
                if let Some(cf) = &saved.cloudflare {
                    // Before any stack changes: a token, and fresh objects.
                    match Cloudflare::from_env()? {
                        Some(api) => {
                            crate::engine::cloudflare::check_saved(&api, &plan, cf).await?
                        }
                        None if !cf.changes.is_empty() => {
                            return Err(Error::Usage {
                                message: format!(
                                    "the saved plan has {} Cloudflare change(s) but CLOUDFLARE_API_TOKEN is not set: nothing was applied",
                                    cf.changes.len()
                                ),
                                help: Some("set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) as when the plan was made".into()),
                            });
                        }
                        None => {}
                    }
                }
                let cf_view = saved_cloudflare_view(&plan, &saved);
                show_and_check(&plan, project, &plans, &cf_view, args)?;
                cloudflare_from_file = Some(saved.cloudflare);
                plans
            }
            None => {
                // Planned again where another apply gets there meanwhile.
                let plans = crate::engine::apply::plan_for_apply(
                    &aws,
                    &plan,
                    &stacks,
                    &Progress::new(false),
                )
                .await?;
                let cf = plan_cloudflare(&aws, &plan, &rendered).await?;
                show_and_check(&plan, project, &plans, &cf, args)?;
                if plans.iter().any(RegionPlan::has_changes) || !cf.changes.is_empty() {
                    confirm(
                        &format!(
                            "\nApply these changes to {} {}?",
                            plan.name, plan.environment
                        ),
                        args.yes,
                    )?;
                }
                plans
            }
        };
        crate::project::write_rendered(&rendered, &out_dir)?;
        let progress = Progress::new(ui.color && std::io::stderr().is_terminal());
        let todo: Vec<RegionPlan> = plans.iter().filter(|p| p.has_changes()).cloned().collect();
        let outcomes = apply_all(
            &aws,
            &plan,
            &stacks,
            &todo,
            args.max_parallel.unwrap_or(todo.len().max(1)),
            // Another apply got there first: plan again, unless the plan
            // was saved (then it is stale).
            args.planfile.is_none(),
            &progress,
        )
        .await;
        let times = apply_json::times(&progress, &regions);
        drop(progress);
        let outcomes = in_plan_order(outcomes, &regions);
        super::ci::finish_apply(&plan.environment, &outcomes)?;
        let mut result = report_outcomes(&outcomes);
        if result.is_ok() {
            result = async {
                let bodies = write_outputs(&aws, &plan, &rendered, &regions, &out_dir).await?;
                match cloudflare_from_file {
                    Some(saved) => apply_saved_cloudflare(&plan, saved.as_ref()).await,
                    None => apply_cloudflare(&plan, bodies).await,
                }
            }
            .await;
        }
        if args.json {
            super::json::print(&apply_json::apply_doc(
                &plan,
                &plans,
                &outcomes,
                &times,
                &clock,
                result.as_ref().err(),
            ));
        }
        result?;
        // A region another apply brought there first was not changed by this one.
        let changed = outcomes
            .iter()
            .filter(|o| o.message != crate::engine::apply::UP_TO_DATE)
            .count();
        eprintln!(
            "Apply complete: {changed} of {} regions changed.",
            stacks.len()
        );
        Ok(Outcome::Ok)
    });
    rt.block_on(async {
        // Ctrl-C: the apply future is dropped, so no further region starts;
        // operations already sent go on on AWS's side and are listed.
        tokio::select! {
            result = work => result,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("\nInterrupted: starting no further region; checking what is still in progress on AWS's side…");
                let in_progress = match Aws::load().await {
                    Ok(aws) => in_progress(&aws, &plan, &regions).await,
                    Err(e) => vec![format!("unknown ({e})")],
                };
                Err(Error::Interrupted { in_progress })
            }
        }
    })
}

/// Write each region's outputs and the Cloudflare bodies with the stack
/// outputs resolved, next to the rendered files.
async fn write_outputs(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
    regions: &[String],
    out_dir: &std::path::Path,
) -> Result<Option<BTreeMap<&'static str, Value>>, Error> {
    let known = known_outputs(aws, plan, rendered).await?;
    crate::project::write_outputs(out_dir, regions, &known)?;
    if rendered.cloudflare.is_empty() {
        return Ok(None);
    }
    let (bodies, missing) = resolved_bodies(rendered, &known);
    let dir = crate::project::write_resolved_cloudflare(out_dir, &bodies)?;
    if missing.is_empty() {
        eprintln!(
            "Cloudflare bodies with stack outputs resolved: {}",
            dir.display()
        );
        Ok(Some(bodies))
    } else {
        eprintln!(
            "Cloudflare bodies written to {}; still unresolved (regions not applied yet): {}",
            dir.display(),
            missing.join(", ")
        );
        Ok(None)
    }
}

/// Create or update the Cloudflare objects once every region's load
/// balancer is known, when a token is set.
async fn apply_cloudflare(
    plan: &Plan,
    bodies: Option<BTreeMap<&'static str, Value>>,
) -> Result<(), Error> {
    if plan.cloudflare.is_none() {
        return Ok(());
    }
    let Some(bodies) = bodies else {
        eprintln!("Cloudflare: not applied until every region of the plan has a stack.");
        return Ok(());
    };
    let Some(api) = Cloudflare::from_env()? else {
        eprintln!(
            "Cloudflare: not applied (CLOUDFLARE_API_TOKEN is not set); the request bodies are in out/{}/cloudflare/resolved/",
            plan.environment
        );
        return Ok(());
    };
    for line in crate::engine::cloudflare::apply(&api, plan, &bodies).await? {
        eprintln!("Cloudflare: {line}");
    }
    Ok(())
}

/// The Cloudflare part of a saved plan, as `print_plan` shows it.
fn saved_cloudflare_view(plan: &Plan, saved: &SavedPlan) -> CloudflarePlan {
    match &saved.cloudflare {
        Some(cf) => CloudflarePlan {
            checked: true,
            note: None,
            changes: cf.changes.clone(),
            saved: Some(cf.clone()),
        },
        None if plan.cloudflare.is_some() => CloudflarePlan {
            checked: false,
            note: Some(
                "not in the saved plan (it was made without a token, or before every region had a stack): apply changes nothing on Cloudflare".into(),
            ),
            changes: Vec::new(),
            saved: None,
        },
        None => CloudflarePlan::default(),
    }
}

/// Apply exactly a saved plan's Cloudflare changes, or refuse when the
/// live objects changed since it was saved.
async fn apply_saved_cloudflare(plan: &Plan, saved: Option<&SavedCloudflare>) -> Result<(), Error> {
    let Some(saved) = saved else {
        if plan.cloudflare.is_some() {
            eprintln!("Cloudflare: not applied (not in the saved plan)");
        }
        return Ok(());
    };
    let Some(api) = Cloudflare::from_env()? else {
        // Checked before the stacks were applied: nothing to change here.
        return Ok(());
    };
    for line in crate::engine::cloudflare::apply_saved(&api, plan, saved).await? {
        eprintln!("Cloudflare: {line}");
    }
    Ok(())
}

/// `destroy`.
pub fn destroy(project: &Project, args: &DestroyArgs, ui: Ui) -> Result<Outcome, Error> {
    let clock = Clock::start();
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let regions: Vec<String> = selected(&rendered, &args.regions)?
        .iter()
        .map(|s| s.region.clone())
        .collect();
    eprintln!(
        "This deletes stack {} in {} region{}: {}",
        plan.stack_name(),
        regions.len(),
        if regions.len() == 1 { "" } else { "s" },
        regions.join(", ")
    );
    confirm("Destroy?", args.yes)?;
    let rt = super::runtime()?;
    rt.block_on(with_wait_limit(args.timeout, async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        // Deletion protection before anything is deleted (docs/security.md).
        super::protection::before_destroy(&aws, &plan, &regions, args.disable_deletion_protection, ui)
            .await?;
        // Cloudflare first, so traffic stops before the origins go; only
        // when the whole plan is destroyed.
        if plan.cloudflare.is_some() {
            let pools: Vec<String> = regions
                .iter()
                .map(|r| streamscale_core::render::cloudflare::pool_name(&plan, r))
                .collect();
            match Cloudflare::from_env()? {
                Some(api) if args.regions.is_empty() => {
                    for line in crate::engine::cloudflare::destroy(&api, &plan).await? {
                        eprintln!("Cloudflare: {line}");
                    }
                }
                Some(_) => eprintln!(
                    "warning: Cloudflare is left as it is (only some regions are destroyed): pool{} {} still point{} at the origins this deletes; remove the region from the plan and apply to take it out of the load balancer",
                    if pools.len() == 1 { "" } else { "s" },
                    pools.join(", "),
                    if pools.len() == 1 { "s" } else { "" },
                ),
                None => eprintln!(
                    "warning: CLOUDFLARE_API_TOKEN is not set, so Cloudflare is left as it is: pool{} {} still point{} at the origins this deletes (traffic sent there fails); set the token and run destroy again, or delete them in Cloudflare",
                    if pools.len() == 1 { "" } else { "s" },
                    pools.join(", "),
                    if pools.len() == 1 { "s" } else { "" },
                ),
            }
        }
        let progress = Progress::new(ui.color && std::io::stderr().is_terminal());
        let outcomes = destroy_all(&aws, &plan, &regions, &progress).await;
        let times = apply_json::times(&progress, &regions);
        drop(progress);
        let outcomes = in_plan_order(outcomes, &regions);
        let result = report_outcomes(&outcomes);
        if args.json {
            super::json::print(&apply_json::destroy_doc(
                &plan,
                &regions,
                &outcomes,
                &times,
                &clock,
                result.as_ref().err(),
            ));
        }
        result?;
        eprintln!("Destroy complete.");
        Ok(Outcome::Ok)
    }))
}

/// `outputs`.
pub fn outputs(project: &Project, args: &OutputsArgs) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let regions: Vec<String> = selected(&rendered, &args.regions)?
        .iter()
        .map(|s| s.region.clone())
        .collect();
    let rt = super::runtime()?;
    let outputs = rt.block_on(async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        outputs_all(&aws, &plan, &regions)
            .await
            .map_err(Error::Engine)
    })?;
    let missing: Vec<String> = regions
        .iter()
        .filter(|r| outputs.get(*r).is_none_or(Option::is_none))
        .cloned()
        .collect();
    let error = (!missing.is_empty()).then(|| Error::MissingStacks {
        stack: plan.stack_name(),
        regions: missing,
    });
    if args.json {
        super::json::print(&apply_json::outputs_doc(
            &plan,
            &regions,
            &outputs,
            error.as_ref(),
        ));
    } else {
        // In the plan's order.
        for region in &regions {
            println!("{}", style(region).bold().underlined());
            match outputs.get(region).and_then(Option::as_ref) {
                None => println!("  (no stack {})", plan.stack_name()),
                Some(o) => {
                    for (k, v) in o {
                        println!("  {k:<22} {v}");
                    }
                }
            }
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(Outcome::Ok),
    }
}
