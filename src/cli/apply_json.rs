//! The `--json` documents of `apply`, `destroy` and `outputs`: what
//! changed per region (in the plan's order), with its outcome and timings,
//! and the error the command ended with, if any. Human text goes to
//! stderr meanwhile.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::Error;
use super::views::{render_plan, stack_action_words};
use crate::engine::RegionPlan;
use crate::engine::apply::RegionOutcome;
use crate::engine::cloudflare::CloudflarePlan;
use crate::engine::progress::{Progress, RegionTime};
use streamscale_core::diff::Action;
use streamscale_core::plan::Plan;

/// Print the plan: on stdout, or on stderr under `--json` (stdout then
/// carries only the document).
pub fn show_plan(plans: &[RegionPlan], cf: &CloudflarePlan, json: bool) {
    if json {
        eprint!("{}", render_plan(plans, cf));
    } else {
        super::views::print_plan(plans, cf);
    }
}

/// Outcomes in the order of `regions` (the plan's), whatever order the
/// rollout's waves finished them in.
pub fn in_plan_order(mut outcomes: Vec<RegionOutcome>, regions: &[String]) -> Vec<RegionOutcome> {
    outcomes.sort_by_key(|o| {
        regions
            .iter()
            .position(|r| r == &o.region)
            .unwrap_or(usize::MAX)
    });
    outcomes
}

/// Region plans in the order of `regions` (a saved plan keeps its
/// regions sorted by name; every printer shows the plan's order).
pub fn plans_in_plan_order(mut plans: Vec<RegionPlan>, regions: &[String]) -> Vec<RegionPlan> {
    plans.sort_by_key(|p| {
        regions
            .iter()
            .position(|r| r == &p.region)
            .unwrap_or(usize::MAX)
    });
    plans
}

/// Each region's start and duration, as `progress` saw them.
pub fn times(progress: &Progress, regions: &[String]) -> BTreeMap<String, RegionTime> {
    regions
        .iter()
        .filter_map(|r| progress.time(r).map(|t| (r.clone(), t)))
        .collect()
}

/// The clock of a whole command, for `seconds`.
pub struct Clock(Instant);

impl Clock {
    /// Starts now.
    pub fn start() -> Self {
        Clock(Instant::now())
    }

    fn seconds(&self) -> f64 {
        round_ms(self.0.elapsed().as_secs_f64())
    }
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

fn outcome_word(o: &RegionOutcome) -> &'static str {
    if o.ok {
        "ok"
    } else if o.skipped {
        "skipped"
    } else {
        "failed"
    }
}

/// One region's outcome: `outcome`, `message`, `started_at`, `seconds`,
/// and the failing resources.
fn outcome_value(o: Option<&RegionOutcome>, t: Option<&RegionTime>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("outcome".into(), json!(o.map_or("unchanged", outcome_word)));
    m.insert(
        "message".into(),
        json!(o.map_or("no changes", |o| o.message.as_str())),
    );
    m.insert(
        "started_at".into(),
        json!(t.map(|t| {
            t.started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })),
    );
    m.insert(
        "seconds".into(),
        json!(t.and_then(|t| t.elapsed).map(|d| round_ms(d.as_secs_f64()))),
    );
    let failures: Vec<Value> = o
        .map(|o| {
            o.failures
                .iter()
                .map(|f| {
                    json!({
                        "logical_id": f.logical_id,
                        "resource_type": f.resource_type,
                        "status": f.status,
                        "reason": f.reason,
                        "timestamp": f.timestamp,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    m.insert("failures".into(), Value::Array(failures));
    m
}

fn head(command: &str, plan: &Plan) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("format_version".into(), json!(super::json::FORMAT_VERSION));
    m.insert("command".into(), json!(command));
    m.insert("name".into(), json!(plan.name));
    m.insert("environment".into(), json!(plan.environment));
    m.insert("stack_name".into(), json!(plan.stack_name()));
    m
}

fn with_error(mut m: Map<String, Value>, error: Option<&Error>) -> Value {
    m.insert(
        "error".into(),
        error.map_or(Value::Null, super::json::error_value),
    );
    Value::Object(m)
}

/// `apply --json`: each planned region (in the plan's order) with its
/// stack action, resource counts, outcome and timings.
pub fn apply_doc(
    plan: &Plan,
    plans: &[RegionPlan],
    outcomes: &[RegionOutcome],
    times: &BTreeMap<String, RegionTime>,
    clock: &Clock,
    error: Option<&Error>,
) -> Value {
    let mut regions = Map::new();
    for p in plans {
        let o = outcomes.iter().find(|o| o.region == p.region);
        let mut m = outcome_value(o, times.get(&p.region));
        let count = |a: Action| p.changes.iter().filter(|c| c.action == a).count();
        m.insert("action".into(), json!(stack_action_words(p.action)));
        m.insert(
            "changes".into(),
            json!({
                "create": count(Action::Create),
                "update": count(Action::Update),
                "replace": count(Action::Replace),
                "delete": count(Action::Delete),
            }),
        );
        regions.insert(p.region.clone(), Value::Object(m));
    }
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    let mut m = head("apply", plan);
    m.insert("applied".into(), json!(error.is_none()));
    m.insert("regions".into(), Value::Object(regions));
    m.insert(
        "summary".into(),
        json!({
            "regions": plans.len(),
            "regions_changed": outcomes.iter().filter(|o| o.ok).count(),
            "regions_failed": outcomes.iter().filter(|o| !o.ok && !o.skipped).count(),
            "regions_skipped": outcomes.iter().filter(|o| o.skipped).count(),
            "regions_unchanged": plans.len().saturating_sub(outcomes.len()),
            "failed": failed,
            "seconds": clock.seconds(),
        }),
    );
    with_error(m, error)
}

/// `destroy --json`: each region (in the plan's order) with its outcome
/// and timings.
pub fn destroy_doc(
    plan: &Plan,
    regions: &[String],
    outcomes: &[RegionOutcome],
    times: &BTreeMap<String, RegionTime>,
    clock: &Clock,
    error: Option<&Error>,
) -> Value {
    let mut per = Map::new();
    for r in regions {
        let o = outcomes.iter().find(|o| &o.region == r);
        per.insert(r.clone(), Value::Object(outcome_value(o, times.get(r))));
    }
    let mut m = head("destroy", plan);
    m.insert("destroyed".into(), json!(error.is_none()));
    m.insert("regions".into(), Value::Object(per));
    m.insert(
        "summary".into(),
        json!({
            "regions": regions.len(),
            "regions_deleted": outcomes.iter().filter(|o| o.ok).count(),
            "regions_failed": outcomes.iter().filter(|o| !o.ok && !o.skipped).count(),
            "regions_skipped": outcomes.iter().filter(|o| o.skipped).count(),
            "seconds": clock.seconds(),
        }),
    );
    with_error(m, error)
}

/// `outputs --json`: each region's outputs (null where it has no stack),
/// in the plan's order.
pub fn outputs_doc(
    plan: &Plan,
    regions: &[String],
    outputs: &BTreeMap<String, Option<BTreeMap<String, String>>>,
    error: Option<&Error>,
) -> Value {
    let per: Map<String, Value> = regions
        .iter()
        .map(|r| (r.clone(), json!(outputs.get(r).cloned().flatten())))
        .collect();
    let mut m = head("outputs", plan);
    m.insert("regions".into(), Value::Object(per));
    m.insert(
        "missing".into(),
        json!(
            regions
                .iter()
                .filter(|r| outputs.get(*r).is_none_or(Option::is_none))
                .collect::<Vec<_>>()
        ),
    );
    with_error(m, error)
}
