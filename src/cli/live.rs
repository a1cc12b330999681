//! `plan`, `apply`, `destroy` and `outputs`: the commands that talk to AWS.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use console::style;
use serde_json::{Value, json};

use super::{EnvArg, Outcome, Ui};
use crate::aws::Aws;
use crate::aws::stack::Stacks;
use crate::cloudflare::Cloudflare;
use crate::diff::{Action, ResourceChange};
use crate::engine::apply::{RegionOutcome, apply_all, destroy_all, outputs_all};
use crate::engine::cloudflare::CfChange;
use crate::engine::planner::plan_all;
use crate::engine::progress::Progress;
use crate::engine::saved::SavedPlan;
use crate::engine::{
    EngineError, RegionPlan, StackAction, fingerprint, select_regions, template_digest, totals,
};
use crate::error::Error;
use crate::plan::Plan;
use crate::project::Project;
use crate::render::{Rendered, cloudflare, to_pretty};

/// `plan -e ENV [--out FILE] [--json] [--detailed-exitcode] [--region R]…`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Save the plan (and keep its change sets) for `apply FILE`.
    #[arg(long = "out", value_name = "FILE")]
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
}

/// `apply -e ENV [PLANFILE] [--yes] [--max-parallel N] [--region R]…`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    env: EnvArg,
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
}

/// `destroy -e ENV [--yes] [--region R]…`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
}

/// `outputs -e ENV [--json]`.
#[derive(Debug, Args)]
pub struct OutputsArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
}

/// A Tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))
}

fn selected<'a>(
    rendered: &'a Rendered,
    regions: &[String],
) -> Result<Vec<&'a crate::render::RegionStack>, Error> {
    select_regions(rendered, regions).map_err(|message| Error::Usage {
        message,
        help: Some("--region takes a region of the plan; repeat it for several".into()),
    })
}

/// Plan every selected region; the first region error fails the command.
async fn plan_regions(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&crate::render::RegionStack],
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

/// `plan`.
pub fn plan(project: &Project, args: &PlanArgs, ui: Ui) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let stacks = selected(&rendered, &args.regions)?;
    let rt = runtime()?;
    let (plans, cf) = rt.block_on(async {
        let aws = Aws::load().await?;
        let plans = plan_regions(&aws, &plan, &stacks, args.out.is_some()).await?;
        let cf = plan_cloudflare(&aws, &plan, &rendered).await?;
        Ok::<_, Error>((plans, cf))
    })?;
    if let Some(out) = &args.out {
        SavedPlan::from_plans(&plan, &plans).write(out)?;
    }
    if args.json {
        print!("{}", to_pretty(&plan_json(&plan, &plans, &cf)));
    } else {
        print_plan(&plans, &cf, ui);
        if let Some(out) = &args.out {
            eprintln!(
                "\nSaved the plan to {}: apply it with `streamscale apply -e {} {}`",
                out.display(),
                args.env.env,
                out.display()
            );
        }
    }
    let changed = plans.iter().any(RegionPlan::has_changes) || !cf.changes.is_empty();
    Ok(if changed && args.detailed_exitcode {
        Outcome::Changes
    } else {
        Outcome::Ok
    })
}

/// The Cloudflare part of a plan.
#[derive(Debug, Default)]
pub struct CfPlan {
    /// Whether the live Cloudflare objects were read.
    pub checked: bool,
    /// Why not, or what to know.
    pub note: Option<String>,
    /// Objects to create or update.
    pub changes: Vec<CfChange>,
}

/// The stack outputs of every region of the plan, where a stack exists.
async fn known_outputs(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, Error> {
    let all: Vec<String> = rendered.stacks.iter().map(|s| s.region.clone()).collect();
    Ok(outputs_all(aws, plan, &all)
        .await?
        .into_iter()
        .filter_map(|(r, o)| o.map(|o| (r, o)))
        .collect())
}

/// The Cloudflare bodies with stack outputs resolved, and the placeholders
/// still open (regions without a stack yet).
fn resolved_bodies(
    rendered: &Rendered,
    known: &BTreeMap<String, BTreeMap<String, String>>,
) -> (BTreeMap<&'static str, Value>, Vec<String>) {
    let mut missing = Vec::new();
    let bodies = rendered
        .cloudflare
        .iter()
        .map(|(name, body)| {
            let mut body = body.clone();
            missing.extend(cloudflare::resolve(&mut body, known));
            (*name, body)
        })
        .collect();
    missing.sort();
    missing.dedup();
    (bodies, missing)
}

/// Compare the Cloudflare objects with the plan, when a token is set.
pub(crate) async fn plan_cloudflare(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
) -> Result<CfPlan, Error> {
    if rendered.cloudflare.is_empty() {
        return Ok(CfPlan::default());
    }
    let Some(api) = Cloudflare::from_env()? else {
        return Ok(CfPlan {
            checked: false,
            note: Some("not checked: CLOUDFLARE_API_TOKEN is not set".into()),
            changes: Vec::new(),
        });
    };
    let known = known_outputs(aws, plan, rendered).await?;
    let (bodies, _) = resolved_bodies(rendered, &known);
    Ok(CfPlan {
        checked: true,
        note: None,
        changes: crate::engine::cloudflare::plan(&api, plan, &bodies).await?,
    })
}

/// The plan as one versioned JSON document.
pub fn plan_json(plan: &Plan, plans: &[RegionPlan], cf: &CfPlan) -> Value {
    let (add, change, destroy, n) = all_totals(plans, cf);
    let regions: serde_json::Map<String, Value> = plans
        .iter()
        .map(|p| {
            (
                p.region.clone(),
                json!({
                    "stack_name": p.stack_name,
                    "action": p.action,
                    "stack_status": p.stack.as_ref().map(|s| s.status.clone()),
                    "changes": p.changes,
                    "notes": p.notes,
                }),
            )
        })
        .collect();
    json!({
        "format_version": 1,
        "command": "plan",
        "name": plan.name,
        "environment": plan.environment,
        "stack_name": plan.stack_name(),
        "changes": plans.iter().any(RegionPlan::has_changes) || !cf.changes.is_empty(),
        "regions": regions,
        "cloudflare": {"checked": cf.checked, "note": cf.note, "changes": cf.changes},
        "summary": {"add": add, "change": change, "destroy": destroy, "regions_with_changes": n},
    })
}

fn styled(action: Action) -> String {
    let text = format!("{:>3} {}", action.symbol(), action.word());
    match action {
        Action::Create => style(text).green().to_string(),
        Action::Update => style(text).yellow().to_string(),
        Action::Replace => style(text).magenta().to_string(),
        Action::Delete => style(text).red().to_string(),
    }
}

fn short(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.len() > 80 {
                format!("{}…", &s[..77])
            } else {
                s
            }
        }
    }
}

fn print_properties(properties: &[crate::diff::PropertyChange]) {
    for p in properties {
        println!(
            "          {}: {} → {}",
            p.path,
            short(&p.before),
            short(&p.after)
        );
    }
}

fn print_changes(changes: &[ResourceChange]) {
    for c in changes {
        println!(
            "  {}  {}  ({})",
            styled(c.action),
            style(&c.logical_id).bold(),
            c.resource_type
        );
        print_properties(&c.properties);
    }
}

/// The human plan: per region, then the summary line.
pub fn print_plan(plans: &[RegionPlan], cf: &CfPlan, _ui: Ui) {
    for p in plans {
        let what = match p.action {
            StackAction::Create => "create stack".to_string(),
            StackAction::Update => "update stack".to_string(),
            StackAction::ReplaceRolledBack => "replace stack (failed create)".to_string(),
            StackAction::NoChanges => "no changes".to_string(),
        };
        println!(
            "{} {} ({})",
            style(&p.region).bold().underlined(),
            p.stack_name,
            what
        );
        for n in &p.notes {
            println!("  note: {n}");
        }
        print_changes(&p.changes);
        println!();
    }
    print_cloudflare(cf);
    let (add, change, destroy, n) = all_totals(plans, cf);
    let regions = format!("{n} region{}", if n == 1 { "" } else { "s" });
    let place = match (n, cf.changes.is_empty()) {
        (0, true) => {
            println!(
                "No changes. Live stacks match the plan in {} regions.",
                plans.len()
            );
            return;
        }
        (0, false) => "Cloudflare".to_string(),
        (_, false) => format!("{regions} and Cloudflare"),
        (_, true) => regions,
    };
    println!("Plan: {add} to add, {change} to change, {destroy} to destroy in {place}.");
}

/// The Cloudflare section of plan and drift output (nothing when the plan
/// has no Cloudflare and none was checked).
pub(crate) fn print_cloudflare(cf: &CfPlan) {
    if !cf.checked && cf.note.is_none() {
        return;
    }
    let what = if !cf.checked {
        "not checked"
    } else if cf.changes.is_empty() {
        "no changes"
    } else {
        "changes"
    };
    println!("{} ({what})", style("cloudflare").bold().underlined());
    if let Some(n) = &cf.note {
        println!("  note: {n}");
    }
    for c in &cf.changes {
        println!(
            "  {}  {} {}",
            styled(c.action),
            c.kind,
            style(&c.name).bold()
        );
        print_properties(&c.properties);
    }
    println!();
}

/// Totals over regions and Cloudflare: (add, change, destroy, regions with changes).
fn all_totals(plans: &[RegionPlan], cf: &CfPlan) -> (usize, usize, usize, usize) {
    let (mut add, mut change, destroy, n) = totals(plans);
    for c in &cf.changes {
        match c.action {
            Action::Create => add += 1,
            _ => change += 1,
        }
    }
    (add, change, destroy, n)
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

/// Rebuild region plans from a saved plan, refusing when it is stale.
async fn plans_from_saved(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
    saved: &SavedPlan,
    only: &[String],
) -> Result<Vec<RegionPlan>, Error> {
    let stale = |m: String| Error::Engine(EngineError::Stale(m));
    if saved.name != plan.name || saved.environment != plan.environment {
        return Err(stale(format!(
            "it was made for {} {}, not {} {}",
            saved.name, saved.environment, plan.name, plan.environment
        )));
    }
    let mut plans = Vec::new();
    for (region, sr) in &saved.regions {
        if !only.is_empty() && !only.contains(region) {
            continue;
        }
        let stack = rendered
            .stacks
            .iter()
            .find(|s| &s.region == region)
            .ok_or_else(|| stale(format!("{region} is no longer in the plan")))?;
        if template_digest(stack) != sr.template_sha256 {
            return Err(stale(format!(
                "{region}: the environment renders differently now than when the plan was saved"
            )));
        }
        let stacks = Stacks::new(region, aws.cloudformation(region));
        let info = stacks
            .describe(&saved.stack_name)
            .await
            .map_err(EngineError::from)?;
        match (&sr.stack, &info) {
            (None, None) => {}
            (None, Some(i)) => {
                return Err(stale(format!(
                    "{region}: stack {} was created since ({})",
                    saved.stack_name, i.status
                )));
            }
            (Some(_), None) => {
                return Err(stale(format!(
                    "{region}: stack {} was deleted since",
                    saved.stack_name
                )));
            }
            (Some(s), Some(i)) => {
                let deployed = stacks
                    .template(&saved.stack_name)
                    .await
                    .map_err(EngineError::from)?;
                if fingerprint(i, &deployed) != s.fingerprint {
                    return Err(stale(format!(
                        "{region}: stack {} changed since the plan (status {} → {}, last updated {} → {})",
                        saved.stack_name,
                        s.status,
                        i.status,
                        s.last_updated.as_deref().unwrap_or("never"),
                        i.last_updated.as_deref().unwrap_or("never"),
                    )));
                }
            }
        }
        let change_set = match (&sr.change_set, &info) {
            (Some(cs), Some(_)) => {
                let got = stacks
                    .describe_change_set(&saved.stack_name, &cs.id, &cs.name)
                    .await
                    .map_err(|_| {
                        stale(format!("{region}: change set {} no longer exists", cs.name))
                    })?;
                Some(got)
            }
            _ => None,
        };
        plans.push(RegionPlan {
            region: region.clone(),
            stack_name: saved.stack_name.clone(),
            action: sr.action,
            stack: info,
            fingerprint: sr.stack.as_ref().map(|s| s.fingerprint.clone()),
            template_sha256: sr.template_sha256.clone(),
            change_set,
            changes: serde_json::from_value(sr.changes.clone()).unwrap_or_default(),
            notes: Vec::new(),
            drift: Vec::new(),
        });
    }
    Ok(plans)
}

/// `apply`.
pub fn apply(project: &Project, args: &ApplyArgs, ui: Ui) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let stacks = selected(&rendered, &args.regions)?;
    let out_dir = project.out_dir(&plan);
    let rt = runtime()?;
    rt.block_on(async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        let plans = match &args.planfile {
            Some(file) => {
                let saved = SavedPlan::read(file)?;
                let plans = plans_from_saved(&aws, &plan, &rendered, &saved, &args.regions).await?;
                print_plan(&plans, &CfPlan::default(), ui);
                plans
            }
            None => {
                let plans = plan_regions(&aws, &plan, &stacks, true).await?;
                let cf = plan_cloudflare(&aws, &plan, &rendered).await?;
                print_plan(&plans, &cf, ui);
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
        rendered.write(&out_dir)?;
        let progress = Progress::new(ui.color && std::io::stderr().is_terminal());
        let todo: Vec<RegionPlan> = plans.iter().filter(|p| p.has_changes()).cloned().collect();
        let outcomes = apply_all(
            &aws,
            &plan,
            &stacks,
            &todo,
            args.max_parallel.unwrap_or(todo.len().max(1)),
            &progress,
        )
        .await;
        drop(progress);
        report_outcomes(&outcomes)?;
        let regions: Vec<String> = stacks.iter().map(|s| s.region.clone()).collect();
        let bodies = write_outputs(&aws, &plan, &rendered, &regions, &out_dir).await?;
        apply_cloudflare(&plan, bodies).await?;
        eprintln!(
            "Apply complete: {} of {} regions changed.",
            outcomes.len(),
            stacks.len()
        );
        Ok(Outcome::Ok)
    })
}

/// Print each region's outcome; an error when any region failed.
fn report_outcomes(outcomes: &[RegionOutcome]) -> Result<(), Error> {
    print_outcomes(outcomes);
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    if failed > 0 {
        return Err(Error::Engine(EngineError::ApplyFailed {
            failed,
            total: outcomes.len(),
        }));
    }
    Ok(())
}

fn print_outcomes(outcomes: &[RegionOutcome]) {
    if outcomes.is_empty() {
        return;
    }
    eprintln!();
    for o in outcomes {
        let mark = if o.ok {
            style("ok").green().to_string()
        } else if o.skipped {
            style("skipped").yellow().to_string()
        } else {
            style("FAILED").red().bold().to_string()
        };
        eprintln!("{:>15}  {mark}  {}", o.region, o.message);
        for f in &o.failures {
            eprintln!(
                "{:>15}    {} {} ({}): {}",
                "",
                f.status,
                f.logical_id,
                f.resource_type,
                f.reason.as_deref().unwrap_or("no reason given")
            );
        }
    }
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
    for r in regions {
        if let Some(o) = known.get(r) {
            let path = out_dir.join("aws").join(r).join("outputs.json");
            std::fs::write(&path, to_pretty(&json!(o))).map_err(|e| Error::io(&path, e))?;
        }
    }
    if rendered.cloudflare.is_empty() {
        return Ok(None);
    }
    let dir = out_dir.join("cloudflare").join("resolved");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let (bodies, missing) = resolved_bodies(rendered, &known);
    for (name, body) in &bodies {
        let path = dir.join(name);
        std::fs::write(&path, to_pretty(body)).map_err(|e| Error::io(&path, e))?;
    }
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

/// `destroy`.
pub fn destroy(project: &Project, args: &DestroyArgs, ui: Ui) -> Result<Outcome, Error> {
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
    let rt = runtime()?;
    rt.block_on(async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        // Cloudflare first, so traffic stops before the origins go; only
        // when the whole plan is destroyed.
        if args.regions.is_empty()
            && plan.cloudflare.is_some()
            && let Some(api) = Cloudflare::from_env()?
        {
            for line in crate::engine::cloudflare::destroy(&api, &plan).await? {
                eprintln!("Cloudflare: {line}");
            }
        }
        let progress = Progress::new(ui.color && std::io::stderr().is_terminal());
        let outcomes = destroy_all(&aws, &plan, &regions, &progress).await;
        drop(progress);
        report_outcomes(&outcomes)?;
        eprintln!("Destroy complete.");
        Ok(Outcome::Ok)
    })
}

/// `outputs`.
pub fn outputs(project: &Project, args: &OutputsArgs) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let regions: Vec<String> = selected(&rendered, &args.regions)?
        .iter()
        .map(|s| s.region.clone())
        .collect();
    let rt = runtime()?;
    let outputs = rt.block_on(async {
        let aws = Aws::load().await.map_err(EngineError::from)?;
        outputs_all(&aws, &plan, &regions)
            .await
            .map_err(Error::Engine)
    })?;
    if args.json {
        let doc = json!({
            "format_version": 1,
            "name": plan.name,
            "environment": plan.environment,
            "stack_name": plan.stack_name(),
            "regions": outputs,
        });
        print!("{}", to_pretty(&doc));
        return Ok(Outcome::Ok);
    }
    for (region, o) in &outputs {
        println!("{}", style(region).bold().underlined());
        match o {
            None => println!("  (no stack {})", plan.stack_name()),
            Some(o) => {
                for (k, v) in o {
                    println!("  {k:<22} {v}");
                }
            }
        }
    }
    Ok(Outcome::Ok)
}
