//! Repair planning: how `apply` brings back what changed outside
//! CloudFormation, as a typed [`RepairPlan`] the planner hands to apply
//! (and a saved plan carries).
//!
//! CloudFormation compares a template with its previous template, not with
//! what runs: an update with an unchanged template changes nothing, and
//! with `IgnoreUnmodifiedGroupSizeProperties` it does not even re-apply an
//! auto-scaling group's sizes. So drift is repaired with **two updates**.
//! The first executes a *repair template*: the deployed template with, for
//! each resource changed outside CloudFormation,
//!
//! * **record**: the drifted property set to its live value (CloudFormation
//!   applies the value that already runs: a no-op), so that the second
//!   update modifies it back and CloudFormation applies the plan's value;
//! * **mark**: a marker inside a property CloudFormation applies as a whole
//!   (the resource type's [`Marking`](crate::resources::Marking));
//! * **drop**: a child resource deleted outside CloudFormation (a scheduled
//!   action, a scaling policy, a listener) removed from the template, so
//!   that the second update creates it again (AWS's documented remedy for a
//!   resource deleted out of band: remove it from the template, then add it
//!   back).
//!
//! The second update is the rendered template itself, so the deployed
//! template ends equal to the rendered one: no marker stays behind and the
//! next plan is clean. Then any launch template whose default version must
//! move is pointed at its latest version. What CloudFormation cannot repair
//! without replacing a resource is listed in the notes with what to do
//! instead.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diff::{Action, PropertyChange, ResourceChange};
use crate::digest::sha256_hex;
use crate::drift::compare;
use crate::finding::{ApiRepair, Finding, Repair};
use crate::observed::ObservedStack;
use crate::resources;
use crate::template::{References, set_value_at, value_at};
use crate::text::short;

/// One step of a repair, in the order apply runs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum RepairStep {
    /// Update with the repair template (the plan's change set is made from
    /// it): what runs is recorded, drifted resources marked or dropped.
    RecordLive,
    /// Update with the rendered template: the plan's values are applied.
    RestorePlan,
    /// Point a launch template's default version at its latest version
    /// (the one the restore made with the plan's launch data).
    SetDefaultVersion {
        /// The launch template's logical id.
        logical_id: String,
    },
    /// A call to the service's own API (what CloudFormation cannot see).
    CallApi {
        /// The resource's logical id.
        logical_id: String,
        /// The call.
        repair: ApiRepair,
    },
}

/// What the planner learns from the live reads of a region, and what apply
/// must do about it.
#[derive(Debug, Clone, Default)]
pub struct RepairPlan {
    /// Findings against the rendered template.
    pub findings: Vec<Finding>,
    /// The repair template of [`RepairStep::RecordLive`] (`None`: nothing
    /// to repair).
    pub repair_template: Option<Value>,
    /// The steps apply runs, in order (empty: nothing to repair).
    pub steps: Vec<RepairStep>,
    /// The repairs as the plan shows them (live value → planned value).
    pub changes: Vec<ResourceChange>,
    /// Notes for the plan.
    pub notes: Vec<String>,
}

/// The repair of a region: which findings of the rendered comparison
/// changed outside CloudFormation (they show against the deployed
/// template too) and are not already changed by the plan, and the first
/// update's template.
pub fn plan_repair(
    rendered: &Value,
    observed: &ObservedStack,
    references: &References,
    now: DateTime<Utc>,
) -> RepairPlan {
    let (findings, _) = compare(rendered, references, observed, now);
    let deployed = &observed.deployed;
    let (against_deployed, _) = compare(deployed, references, observed, now);
    let outside: HashSet<&str> = against_deployed.iter().map(|f| f.key.as_str()).collect();
    let mut out = RepairPlan {
        findings: findings.clone(),
        ..RepairPlan::default()
    };
    let props = |t: &Value, l: &str| t["Resources"][l]["Properties"].clone();
    let mut todo: Vec<&Finding> = Vec::new();
    for f in &findings {
        if !outside.contains(f.key.as_str()) {
            continue; // the plan changes it: the normal update applies it
        }
        let unchanged = |path: &str| {
            let (d, r) = (
                props(deployed, &f.logical_id),
                props(rendered, &f.logical_id),
            );
            value_at(&d, path) == value_at(&r, path)
        };
        match &f.repair {
            Repair::No(why) => out.notes.push(format!(
                "drift that apply does not repair: {} {}{}: {} (expected {}, actual {}): {why}",
                f.logical_id,
                f.path,
                f.note
                    .as_ref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default(),
                f.severity.as_str(),
                short(&f.expected),
                short(&f.actual),
            )),
            Repair::Record(_) if !unchanged(&f.path) => {}
            Repair::Mark(target) | Repair::DefaultVersion(target) => {
                // The plan changes the marked property anyway: its update
                // re-applies it as a whole.
                let prop = marked_property(rendered, target);
                let (d, r) = (props(deployed, target), props(rendered, target));
                if prop.is_some_and(|p| d.get(p) == r.get(p)) {
                    todo.push(f);
                }
            }
            _ => todo.push(f),
        }
    }
    if todo.is_empty() {
        return out;
    }
    let digest_text: Vec<String> = todo
        .iter()
        .map(|f| format!("{}={}", f.key, f.actual))
        .collect();
    let digest = &sha256_hex(&[digest_text.join("\n").as_bytes()])[..12];
    let mut template = deployed.clone();
    let mut marked: BTreeSet<String> = BTreeSet::new();
    let mut changes: BTreeMap<String, ResourceChange> = BTreeMap::new();
    let mut default_moves: Vec<RepairStep> = Vec::new();
    let mut api_calls: Vec<RepairStep> = Vec::new();
    for f in &todo {
        let change = changes
            .entry(f.logical_id.clone())
            .or_insert_with(|| ResourceChange {
                logical_id: f.logical_id.clone(),
                resource_type: f.resource_type.clone(),
                action: Action::Update,
                properties: Vec::new(),
            });
        let shown = |f: &Finding| PropertyChange {
            path: if f.path.is_empty() {
                "(drift repair)".into()
            } else {
                format!("{} (drift)", f.path)
            },
            before: (!f.actual.is_null()).then(|| f.actual.clone()),
            after: (!f.expected.is_null()).then(|| f.expected.clone()),
        };
        match &f.repair {
            Repair::Record(value) => {
                let path = &f.path;
                if !set_value_at(
                    &mut template["Resources"][&f.logical_id]["Properties"],
                    path,
                    value.clone(),
                ) {
                    continue;
                }
                change.properties.push(shown(f));
            }
            Repair::Mark(target) => {
                marked.insert(target.clone());
                change.properties.push(shown(f));
            }
            Repair::DefaultVersion(target) => {
                marked.insert(target.clone());
                change.properties.push(shown(f));
                let step = RepairStep::SetDefaultVersion {
                    logical_id: target.clone(),
                };
                if !default_moves.contains(&step) {
                    default_moves.push(step);
                    change.properties.push(PropertyChange {
                        path: "DefaultVersionNumber".into(),
                        before: None,
                        after: Some(Value::String(
                            "the latest version, made by this apply".into(),
                        )),
                    });
                }
            }
            Repair::Drop => {
                if let Some(m) = template["Resources"].as_object_mut() {
                    m.remove(&f.logical_id);
                }
                change.action = Action::Create;
                change.properties.push(shown(f));
            }
            Repair::Api(call) => {
                api_calls.push(RepairStep::CallApi {
                    logical_id: f.logical_id.clone(),
                    repair: call.clone(),
                });
                change.properties.push(PropertyChange {
                    path: format!("{} (drift, repaired through the service API)", f.path),
                    before: (!f.actual.is_null()).then(|| f.actual.clone()),
                    after: (!f.expected.is_null()).then(|| f.expected.clone()),
                });
            }
            Repair::No(_) => {}
        }
    }
    for target in &marked {
        mark(&mut template, target, digest);
        if !changes.contains_key(target)
            && let Some(rtype) = template["Resources"][target]["Type"].as_str()
        {
            changes.insert(
                target.clone(),
                ResourceChange {
                    logical_id: target.clone(),
                    resource_type: rtype.to_string(),
                    action: Action::Update,
                    properties: Vec::new(),
                },
            );
        }
    }
    let shown = |changes: BTreeMap<String, ResourceChange>| -> Vec<ResourceChange> {
        changes
            .into_values()
            .filter(|c| {
                !c.properties.is_empty()
                    || c.action != Action::Update
                    || marked.contains(&c.logical_id)
            })
            .collect()
    };
    if &template == deployed {
        if !api_calls.is_empty() {
            let n = api_calls.len();
            out.notes.push(format!(
                "drift repair: {n} change{} outside CloudFormation that it cannot see; apply repairs {} through the service API",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            ));
            out.steps = api_calls;
            out.changes = shown(changes);
        }
        return out;
    }
    let n = todo.len();
    out.notes.push(format!(
        "drift repair: {n} propert{} changed outside CloudFormation; apply runs two updates: the first records what runs (or marks or removes the drifted resources), the second restores the plan",
        if n == 1 { "y" } else { "ies" }
    ));
    out.repair_template = Some(template);
    out.steps = [RepairStep::RecordLive, RepairStep::RestorePlan]
        .into_iter()
        .chain(default_moves)
        .chain(api_calls)
        .collect();
    out.changes = shown(changes);
    out
}

/// The plan's changes with the repairs merged in, by logical id.
pub fn with_repairs(
    mut changes: Vec<ResourceChange>,
    repairs: &[ResourceChange],
) -> Vec<ResourceChange> {
    for r in repairs {
        match changes.iter_mut().find(|c| c.logical_id == r.logical_id) {
            Some(c) => {
                c.action = c.action.max(r.action);
                c.properties.extend(r.properties.iter().cloned());
            }
            None => changes.push(r.clone()),
        }
    }
    changes.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    changes
}

/// The property a mark goes into: the one CloudFormation applies as a
/// whole, from the resource type's registry entry.
fn marked_property(template: &Value, logical: &str) -> Option<&'static str> {
    let name = template["Resources"][logical]["Type"].as_str()?;
    resources::lookup(name)?.mark.map(|m| m.property)
}

/// Put the repair marker into resource `logical` of `template`.
fn mark(template: &mut Value, logical: &str, digest: &str) {
    let Some(marking) = template["Resources"][logical]["Type"]
        .as_str()
        .and_then(resources::lookup)
        .and_then(|t| t.mark)
    else {
        return;
    };
    (marking.apply)(&mut template["Resources"][logical]["Properties"], digest);
}
