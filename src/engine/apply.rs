//! `apply`, `destroy` and `outputs`: stack operations in every region,
//! concurrently (with an optional canary first), waited on by polling the
//! stack's status and events with backoff.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::join_all;
use tokio::sync::Semaphore;

use super::progress::Progress;
use super::stacks::{template_source, wait_stack};
use super::{EngineError, RegionPlan, StackAction, stack_tags};
use crate::aws::Aws;
use crate::aws::cloudformation::{StackEvent, StackStatus, Stacks};
use streamscale_core::plan::Plan;
use streamscale_core::render::RegionStack;
use streamscale_core::rollout::{PendingRegion, apply_waves, destroy_waves};
use streamscale_core::stack::Outcome;

mod contention;
pub(crate) use contention::run_change_set_name;
use contention::{Attempt, MAX_REPLANS, classify};

/// Plan every selected region for `apply` (change sets kept, and tagged
/// with this run so that another apply at the same time never takes
/// them); a region whose stack another operation changes meanwhile is
/// planned again once that operation ended. The first region error fails.
pub async fn plan_for_apply(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
    progress: &Progress,
) -> Result<Vec<RegionPlan>, EngineError> {
    contention::tag_change_sets();
    join_all(
        stacks
            .iter()
            .map(|s| contention::plan_settled(aws, plan, s, progress)),
    )
    .await
    .into_iter()
    .collect()
}

/// How one region's apply ended.
#[derive(Debug, Clone)]
pub struct RegionOutcome {
    /// Region.
    pub region: String,
    /// Whether it reached the planned state.
    pub ok: bool,
    /// Not started because an earlier failure stopped the rollout.
    pub skipped: bool,
    /// One line for the summary.
    pub message: String,
    /// Failing resources and their reasons, from the stack events.
    pub failures: Vec<StackEvent>,
}

/// The message of a region another apply brought where this one's plan
/// asked (see [`contention`]): nothing was changed by this apply there.
pub const UP_TO_DATE: &str = "already up to date (another operation applied it)";

/// The events a stack already has, so that only this operation's are
/// reported (a failed read is an error: old failures would count as new).
async fn seen_events(stacks: &Stacks, id: &str) -> Result<HashSet<String>, EngineError> {
    Ok(stacks
        .events(id, 500)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect())
}

fn failure(region: &str, status: &StackStatus, failures: Vec<StackEvent>) -> RegionOutcome {
    RegionOutcome {
        region: region.to_string(),
        ok: false,
        skipped: false,
        message: format!("failed: stack is {status}"),
        failures,
    }
}

/// Apply one region's plan. When another operation got to the stack
/// first (see [`contention`]), wait for it to end, plan the region again
/// against what then runs and apply what is still needed (`replan`), or
/// refuse the plan as stale (a saved plan, reviewed against another state).
pub async fn apply_region(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    rp: &RegionPlan,
    progress: &Progress,
    replan: bool,
) -> Result<RegionOutcome, EngineError> {
    let region = &stack.region;
    let name = plan.stack_name();
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let mut current = std::borrow::Cow::Borrowed(rp);
    let mut replans = 0;
    loop {
        let (status, cause) = match apply_planned(aws, plan, stack, &current, progress).await {
            Ok(outcome) => return Ok(outcome),
            Err(Attempt::Error(e)) => return Err(e),
            Err(Attempt::Other { status, cause }) => (status, cause),
        };
        if !replan {
            return Err(EngineError::Stale(format!(
                "{region}: another operation changed stack {name} after the plan was made (it is {status} now; AWS answered: {cause}); nothing more was applied in {region}"
            )));
        }
        // Plan again once the other operation is over.
        replans += 1;
        if replans > MAX_REPLANS {
            return Err(cause);
        }
        contention::wait_for_other(&stacks, &name, progress).await?;
        current =
            std::borrow::Cow::Owned(contention::plan_settled(aws, plan, stack, progress).await?);
        if !current.has_changes() {
            progress.println(&format!(
                "[{region}] already up to date: the other operation left what this plan asks for"
            ));
            return Ok(RegionOutcome {
                region: region.clone(),
                ok: true,
                skipped: false,
                message: UP_TO_DATE.into(),
                failures: Vec::new(),
            });
        }
        progress.println(&format!(
            "[{region}] planned again against what runs now: {} resource change(s) still needed",
            current.changes.len()
        ));
    }
}

/// Apply one region's plan once; [`Attempt::Other`] when another operation
/// got to the stack first.
async fn apply_planned(
    aws: &Aws,
    plan: &Plan,
    stack: &RegionStack,
    rp: &RegionPlan,
    progress: &Progress,
) -> Result<RegionOutcome, Attempt> {
    let region = &stack.region;
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let name = plan.stack_name();
    let total = rp.changes.len() as u64;
    let ok = |message: String| RegionOutcome {
        region: region.clone(),
        ok: true,
        skipped: false,
        message,
        failures: Vec::new(),
    };
    match rp.action {
        StackAction::NoChanges => Ok(ok("no changes".into())),
        StackAction::RepairOnly => {
            let mut seen = HashSet::new();
            progress.start(region, total, "repairing");
            super::repair::finish_repair(aws, plan, stack, rp, &stacks, &mut seen, progress)
                .await?;
            progress.finish(region, true, "repaired");
            Ok(ok(format!("repaired ({total} resources)")))
        }
        StackAction::Create | StackAction::ReplaceRolledBack => {
            if rp.action == StackAction::ReplaceRolledBack
                && let Some(info) = stacks.describe(&name).await?
            {
                if !info.status.never_created() || info.status.is_busy() {
                    // Not the failed create planned against any more.
                    return Err(Attempt::Other {
                        status: info.status.to_string(),
                        cause: EngineError::Busy {
                            region: region.clone(),
                            stack: name.clone(),
                            status: info.status.to_string(),
                        },
                    });
                }
                progress.println(&format!(
                    "[{region}] stack {name} is in {} after a failed create: deleting it to create it again",
                    info.status
                ));
                // No events read first: wait_stack tells this delete's own.
                let mut seen = HashSet::new();
                if let Err(e) = stacks.delete(&name).await {
                    return Err(classify(&stacks, &name, Some(&info), e.into()).await);
                }
                let (status, failures) = wait_stack(&stacks, &name, &mut seen, progress).await?;
                if !status.is_deleted() {
                    return Ok(failure(region, &status, failures));
                }
            }
            let source = template_source(aws, plan, stack, &rp.template_sha256).await?;
            // The line says the operation runs on AWS's side: after the call.
            if let Err(e) = stacks
                .create(&name, &source, &stack.parameters, &stack_tags(plan))
                .await
            {
                return Err(classify(&stacks, &name, None, e.into()).await);
            }
            progress.start(region, total, "creating");
            let mut seen = HashSet::new();
            let (status, failures) = wait_stack(&stacks, &name, &mut seen, progress).await?;
            if status.outcome() == Outcome::Succeeded {
                progress.finish(region, true, "created");
                Ok(ok(format!("created ({total} resources)")))
            } else {
                progress.finish(region, false, status.as_str());
                Ok(failure(region, &status, failures))
            }
        }
        StackAction::Update => {
            let cs = rp.change_set.as_ref().ok_or_else(|| {
                EngineError::Stale(format!("{region}: the plan kept no change set to execute"))
            })?;
            // No events read first: wait_stack tells this update's own.
            let mut seen = HashSet::new();
            if let Err(e) = stacks.execute_change_set(&name, &cs.id).await {
                return Err(classify(&stacks, &name, rp.stack.as_ref(), e.into()).await);
            }
            progress.start(region, total, "updating");
            let (status, failures) = wait_stack(&stacks, &name, &mut seen, progress).await?;
            if status.outcome() == Outcome::Succeeded {
                // A drift repair's first update recorded what runs; the
                // second restores the plan (see engine::drift).
                if let Some((status, failures)) =
                    super::repair::finish_repair(aws, plan, stack, rp, &stacks, &mut seen, progress)
                        .await?
                {
                    progress.finish(region, false, status.as_str());
                    return Ok(failure(region, &status, failures));
                }
                progress.finish(region, true, "updated");
                Ok(ok(format!("updated ({total} resources changed)")))
            } else {
                progress.finish(region, false, status.as_str());
                Ok(failure(region, &status, failures))
            }
        }
    }
}

/// Apply region plans in the waves of [`apply_waves`] (canaries, the
/// DocumentDB global cluster's writer, the rest), one wave after another,
/// at most `max_parallel` regions at a time. After the first failure
/// nothing more is started.
pub async fn apply_all(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
    plans: &[RegionPlan],
    max_parallel: usize,
    replan: bool,
    progress: &Progress,
) -> Vec<RegionOutcome> {
    let failed = Arc::new(AtomicBool::new(false));
    let sem = Arc::new(Semaphore::new(max_parallel.max(1)));
    let pending: Vec<PendingRegion> = plans
        .iter()
        .map(|p| PendingRegion {
            region: &p.region,
            creates_stack: matches!(
                p.action,
                StackAction::Create | StackAction::ReplaceRolledBack
            ),
        })
        .collect();
    let mut outcomes = Vec::new();
    for wave in apply_waves(plan, &pending) {
        let wave_plans = wave
            .regions
            .iter()
            .filter_map(|region| plans.iter().find(|p| &p.region == region));
        let runs = wave_plans.map(|rp| {
            let failed = failed.clone();
            let sem = sem.clone();
            async move {
                let Ok(_permit) = sem.acquire().await else {
                    return skipped(&rp.region);
                };
                if failed.load(Ordering::SeqCst) {
                    return skipped(&rp.region);
                }
                let Some(stack) = stacks.iter().find(|s| s.region == rp.region) else {
                    return skipped(&rp.region);
                };
                let outcome = match apply_region(aws, plan, stack, rp, progress, replan).await {
                    Ok(o) => o,
                    Err(e) => {
                        progress.finish(&rp.region, false, "error");
                        RegionOutcome {
                            region: rp.region.clone(),
                            ok: false,
                            skipped: false,
                            message: format!("error: {e}"),
                            failures: Vec::new(),
                        }
                    }
                };
                if !outcome.ok {
                    failed.store(true, Ordering::SeqCst);
                }
                outcome
            }
        });
        outcomes.extend(join_all(runs).await);
    }
    outcomes
}

fn skipped(region: &str) -> RegionOutcome {
    RegionOutcome {
        region: region.to_string(),
        ok: false,
        skipped: true,
        message: "not started: an earlier region failed".into(),
        failures: Vec::new(),
    }
}

/// Delete the stack in each region and wait until it is gone, in the waves
/// of [`destroy_waves`] (the DocumentDB global cluster's writer last, and
/// not at all when a region before it failed to delete).
pub async fn destroy_all(
    aws: &Aws,
    plan: &Plan,
    regions: &[String],
    progress: &Progress,
) -> Vec<RegionOutcome> {
    let mut outcomes: Vec<RegionOutcome> = Vec::new();
    for wave in destroy_waves(plan, regions) {
        if outcomes.iter().any(|o| !o.ok) {
            outcomes.extend(wave.regions.iter().map(|r| skipped(r)));
            continue;
        }
        let runs = wave.regions.iter().map(|region| async move {
            destroy_region(aws, plan, region, progress)
                .await
                .unwrap_or_else(|e| RegionOutcome {
                    region: region.clone(),
                    ok: false,
                    skipped: false,
                    message: format!("error: {e}"),
                    failures: Vec::new(),
                })
        });
        outcomes.extend(join_all(runs).await);
    }
    outcomes
}

/// Delete the plan's stack in `region` and wait until it is gone.
async fn destroy_region(
    aws: &Aws,
    plan: &Plan,
    region: &str,
    progress: &Progress,
) -> Result<RegionOutcome, EngineError> {
    let name = plan.stack_name();
    let stacks = Stacks::new(region, aws.cloudformation(region));
    let Some(info) = stacks.describe(&name).await? else {
        return Ok(RegionOutcome {
            region: region.to_string(),
            ok: true,
            skipped: false,
            message: "no stack: nothing to delete".into(),
            failures: Vec::new(),
        });
    };
    // No events read first: wait_stack tells this delete's own.
    let mut seen = HashSet::new();
    let total = stacks
        .resources(&info.id)
        .await
        .map_or(0, |r| r.len() as u64);
    progress.start(region, total, "deleting");
    stacks.delete(&name).await?;
    let (status, failures) = wait_stack(&stacks, &name, &mut seen, progress).await?;
    let ok = status.is_deleted();
    progress.finish(region, ok, if ok { "deleted" } else { status.as_str() });
    Ok(RegionOutcome {
        region: region.to_string(),
        ok,
        skipped: false,
        message: if ok {
            "deleted".into()
        } else {
            format!("failed: {status}")
        },
        failures,
    })
}

/// Each region's stack outputs (`None` where there is no stack).
pub async fn outputs_all(
    aws: &Aws,
    plan: &Plan,
    regions: &[String],
) -> Result<BTreeMap<String, Option<BTreeMap<String, String>>>, EngineError> {
    let name = plan.stack_name();
    let results = join_all(regions.iter().map(|region| {
        let name = name.clone();
        async move {
            let stacks = Stacks::new(region, aws.cloudformation(region));
            (region.clone(), stacks.describe(&name).await)
        }
    }))
    .await;
    let mut out = BTreeMap::new();
    for (region, r) in results {
        out.insert(region, r?.map(|i| i.outputs));
    }
    Ok(out)
}

/// Wait until no operation runs on the plan's stack in any of `regions`
/// (another apply's, or one an interrupted apply left running), reporting
/// its events; with `no_wait`, a busy stack is an error instead.
pub async fn wait_until_idle(
    aws: &Aws,
    plan: &Plan,
    regions: &[String],
    no_wait: bool,
    progress: &Progress,
) -> Result<(), EngineError> {
    let name = plan.stack_name();
    let waits = regions.iter().map(|region| {
        let name = name.clone();
        async move {
            let stacks = Stacks::new(region, aws.cloudformation(region));
            let Some(info) = stacks.describe(&name).await? else {
                return Ok(());
            };
            if !info.status.is_busy() {
                return Ok(());
            }
            if no_wait {
                return Err(EngineError::Busy {
                    region: region.clone(),
                    stack: name,
                    status: info.status.to_string(),
                });
            }
            progress.println(&format!(
                "[{region}] stack {name} is in {} (another operation): waiting for it to end before planning",
                info.status
            ));
            let mut seen = seen_events(&stacks, &info.id).await?;
            let (status, _) = wait_stack(&stacks, &name, &mut seen, progress).await?;
            progress.println(&format!("[{region}] stack {name} is now {status}"));
            Ok(())
        }
    });
    join_all(waits).await.into_iter().collect()
}

/// `region: stack (STATUS)` for each region whose stack has an operation
/// in progress on AWS's side (what an interrupted apply leaves running).
pub async fn in_progress(aws: &Aws, plan: &Plan, regions: &[String]) -> Vec<String> {
    let name = plan.stack_name();
    let reads = regions.iter().map(|region| {
        let name = name.clone();
        async move {
            let stacks = Stacks::new(region, aws.cloudformation(region));
            match stacks.describe(&name).await {
                Ok(Some(info)) if info.status.is_busy() => {
                    Some(format!("{region}: {name} ({})", info.status))
                }
                Ok(_) => None,
                Err(e) => Some(format!("{region}: {name} (status unknown: {e})")),
            }
        }
    });
    join_all(reads).await.into_iter().flatten().collect()
}
