//! How the live commands read in a terminal: the plan per region and its
//! summary, the Cloudflare section, apply outcomes, and the plan as JSON.
//! Views render to text (so that tests can read them) and print; they
//! decide nothing.

use std::fmt::Write as _;

use console::style;
use serde_json::{Value, json};

use crate::cli::Error;
use crate::engine::apply::RegionOutcome;
use crate::engine::cloudflare::CloudflarePlan;
use crate::engine::{EngineError, RegionPlan, StackAction, totals};
use streamscale_core::diff::{Action, ResourceChange};
use streamscale_core::plan::Plan;
use streamscale_core::text::truncate;

/// The plan as one versioned JSON document.
pub fn plan_json(plan: &Plan, plans: &[RegionPlan], cf: &CloudflarePlan) -> Value {
    let (add, change, destroy, n) = all_totals(plans, cf);
    let regions: serde_json::Map<String, Value> = plans
        .iter()
        .map(|p| {
            (
                p.region.clone(),
                json!({
                    "stack_name": p.stack_name,
                    "action": p.action,
                    "stack_status": p.stack.as_ref().map(|s| s.status.to_string()),
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

/// A property value in one line: at most 80 characters, cut at a
/// character boundary (any Unicode is safe).
pub fn one_line(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => truncate(&v.to_string(), 78),
    }
}

fn render_properties(out: &mut String, properties: &[streamscale_core::diff::PropertyChange]) {
    for p in properties {
        let _ = writeln!(
            out,
            "          {}: {} → {}",
            p.path,
            one_line(&p.before),
            one_line(&p.after)
        );
    }
}

fn render_changes(out: &mut String, changes: &[ResourceChange]) {
    for c in changes {
        let _ = writeln!(
            out,
            "  {}  {}  ({})",
            styled(c.action),
            style(&c.logical_id).bold(),
            c.resource_type
        );
        render_properties(out, &c.properties);
    }
}

/// The human plan: per region, then the Cloudflare section and the
/// summary line.
pub fn render_plan(plans: &[RegionPlan], cf: &CloudflarePlan) -> String {
    let mut out: String = plans.iter().map(render_region).collect();
    out.push_str(&render_plan_tail(plans, cf));
    out
}

/// What happens to a region's stack, in words.
pub fn stack_action_words(action: StackAction) -> &'static str {
    match action {
        StackAction::Create => "create stack",
        StackAction::Update => "update stack",
        StackAction::ReplaceRolledBack => "replace stack (failed create)",
        StackAction::RepairOnly => "repair through service APIs",
        StackAction::NoChanges => "no changes",
    }
}

/// One region of the human plan: its header, notes and changes.
pub fn render_region(p: &RegionPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({})",
        style(&p.region).bold().underlined(),
        p.stack_name,
        stack_action_words(p.action)
    );
    for n in &p.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    render_changes(&mut out, &p.changes);
    out.push('\n');
    out
}

/// The human plan after its regions: the Cloudflare section and the
/// summary line.
pub fn render_plan_tail(plans: &[RegionPlan], cf: &CloudflarePlan) -> String {
    let mut out = render_cloudflare(cf);
    let (add, change, destroy, n) = all_totals(plans, cf);
    let regions = format!("{n} region{}", if n == 1 { "" } else { "s" });
    let place = match (n, cf.changes.is_empty()) {
        (0, true) => {
            let _ = writeln!(
                out,
                "No changes. Live stacks match the plan in {} regions.",
                plans.len()
            );
            return out;
        }
        (0, false) => "Cloudflare".to_string(),
        (_, false) => format!("{regions} and Cloudflare"),
        (_, true) => regions,
    };
    let _ = writeln!(
        out,
        "Plan: {add} to add, {change} to change, {destroy} to destroy in {place}."
    );
    out
}

/// Print [`render_plan`] on stdout.
pub fn print_plan(plans: &[RegionPlan], cf: &CloudflarePlan) {
    print!("{}", render_plan(plans, cf));
}

/// The Cloudflare section of plan and drift output (empty when the plan
/// has no Cloudflare and none was checked).
pub fn render_cloudflare(cf: &CloudflarePlan) -> String {
    let mut out = String::new();
    if !cf.checked && cf.note.is_none() {
        return out;
    }
    let what = if !cf.checked {
        "not checked"
    } else if cf.changes.is_empty() {
        "no changes"
    } else {
        "changes"
    };
    let _ = writeln!(out, "{} ({what})", style("cloudflare").bold().underlined());
    if let Some(n) = &cf.note {
        let _ = writeln!(out, "  note: {n}");
    }
    for c in &cf.changes {
        let _ = writeln!(
            out,
            "  {}  {} {}",
            styled(c.action),
            c.kind,
            style(&c.name).bold()
        );
        render_properties(&mut out, &c.properties);
    }
    out.push('\n');
    out
}

/// Print [`render_cloudflare`] on stdout.
pub fn print_cloudflare(cf: &CloudflarePlan) {
    print!("{}", render_cloudflare(cf));
}

/// Totals over regions and Cloudflare: (add, change, destroy, regions with changes).
fn all_totals(plans: &[RegionPlan], cf: &CloudflarePlan) -> (usize, usize, usize, usize) {
    let (mut add, mut change, destroy, n) = totals(plans);
    for c in &cf.changes {
        match c.action {
            Action::Create => add += 1,
            _ => change += 1,
        }
    }
    (add, change, destroy, n)
}

/// Print each region's outcome; an error when any region failed.
pub fn report_outcomes(outcomes: &[RegionOutcome]) -> Result<(), Error> {
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

/// Each region's outcome, one line each, with its failing resources.
pub fn render_outcomes(outcomes: &[RegionOutcome]) -> String {
    let mut out = String::new();
    if outcomes.is_empty() {
        return out;
    }
    out.push('\n');
    for o in outcomes {
        let mark = if o.ok {
            style("ok").green().to_string()
        } else if o.skipped {
            style("skipped").yellow().to_string()
        } else {
            style("FAILED").red().bold().to_string()
        };
        let _ = writeln!(out, "{:>15}  {mark}  {}", o.region, o.message);
        for f in &o.failures {
            let _ = writeln!(
                out,
                "{:>15}    {} {} ({}): {}",
                "",
                f.status,
                f.logical_id,
                f.resource_type,
                f.reason.as_deref().unwrap_or("no reason given")
            );
        }
    }
    out
}

/// Print [`render_outcomes`] on stderr.
pub fn print_outcomes(outcomes: &[RegionOutcome]) {
    eprint!("{}", render_outcomes(outcomes));
}
