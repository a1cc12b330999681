//! Every human printer takes arbitrary Unicode without panicking (issue 9,
//! point 6): the plan view, the Cloudflare section, the drift report and
//! the apply outcomes are rendered from values made of any characters
//! (multi-byte, combining, right-to-left, control), of any length, and
//! each long value is cut at a character boundary.

use proptest::prelude::*;
use serde_json::{Value, json};

use streamscale::cli::drift::render_human;
use streamscale::cli::views::{one_line, render_cloudflare, render_outcomes, render_plan};
use streamscale::engine::apply::RegionOutcome;
use streamscale::engine::cloudflare::{CloudflareChange, CloudflarePlan};
use streamscale::engine::{RegionPlan, StackAction};
use streamscale_core::diff::{Action, PropertyChange, ResourceChange};
use streamscale_core::drift::{Status, empty_region, missing_stack};
use streamscale_core::stack::StackEvent;

/// Any text: mostly multi-byte, often longer than a printer's cut.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[é日本語🎥\u{301}\u{202e}\u{0}a-z ]{0,200}",
        proptest::collection::vec(any::<char>(), 70..120).prop_map(|c| c.into_iter().collect()),
    ]
}

fn value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        text().prop_map(|s| Some(Value::String(s))),
        (text(), text()).prop_map(|(k, v)| Some(json!({ k: [v] }))),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Create),
        Just(Action::Update),
        Just(Action::Replace),
        Just(Action::Delete),
    ]
}

fn properties() -> impl Strategy<Value = Vec<PropertyChange>> {
    proptest::collection::vec(
        (text(), value(), value()).prop_map(|(path, before, after)| PropertyChange {
            path,
            before,
            after,
        }),
        0..4,
    )
}

fn region_plan() -> impl Strategy<Value = RegionPlan> {
    (
        text(),
        text(),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec((text(), text(), action(), properties()), 0..4),
        0usize..5,
    )
        .prop_map(|(region, stack_name, notes, changes, act)| RegionPlan {
            region,
            stack_name,
            action: [
                StackAction::Create,
                StackAction::Update,
                StackAction::ReplaceRolledBack,
                StackAction::RepairOnly,
                StackAction::NoChanges,
            ][act],
            stack: None,
            fingerprint: None,
            template_sha256: String::new(),
            change_set: None,
            changes: changes
                .into_iter()
                .map(
                    |(logical_id, resource_type, action, properties)| ResourceChange {
                        logical_id,
                        resource_type,
                        action,
                        properties,
                    },
                )
                .collect(),
            notes,
            drift: Vec::new(),
            repair_steps: Vec::new(),
        })
}

fn cloudflare() -> impl Strategy<Value = CloudflarePlan> {
    (
        any::<bool>(),
        proptest::option::of(text()),
        proptest::collection::vec((text(), text(), action(), properties()), 0..4),
    )
        .prop_map(|(checked, note, changes)| CloudflarePlan {
            checked,
            note,
            changes: changes
                .into_iter()
                .map(|(kind, name, action, properties)| CloudflareChange {
                    kind,
                    name,
                    action,
                    properties,
                    severity: None,
                })
                .collect(),
            saved: None,
        })
}

fn outcome() -> impl Strategy<Value = RegionOutcome> {
    (
        text(),
        any::<bool>(),
        any::<bool>(),
        text(),
        proptest::collection::vec((text(), text(), text(), proptest::option::of(text())), 0..3),
    )
        .prop_map(|(region, ok, skipped, message, failures)| RegionOutcome {
            region,
            ok,
            skipped,
            message,
            failures: failures
                .into_iter()
                .map(|(logical_id, resource_type, status, reason)| StackEvent {
                    id: String::new(),
                    timestamp: String::new(),
                    logical_id,
                    resource_type,
                    status,
                    reason,
                })
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_plan_view_and_cloudflare_section_take_any_text(
        plans in proptest::collection::vec(region_plan(), 0..4),
        cf in cloudflare(),
    ) {
        let out = render_plan(&plans, &cf);
        for p in &plans {
            prop_assert!(out.contains(p.region.as_str()));
        }
        let section = render_cloudflare(&cf);
        prop_assert!(out.contains(section.as_str()));
    }

    #[test]
    fn a_value_is_one_line_of_at_most_80_characters(v in value()) {
        let line = one_line(&v);
        prop_assert!(line.chars().count() <= 80, "{} characters", line.chars().count());
    }

    #[test]
    fn the_outcomes_take_any_text(outcomes in proptest::collection::vec(outcome(), 0..4)) {
        let out = render_outcomes(&outcomes);
        for o in &outcomes {
            prop_assert!(out.contains(o.message.as_str()));
        }
    }

    #[test]
    fn the_drift_report_takes_any_text(
        regions in proptest::collection::vec(
            (text(), text(), proptest::collection::vec((text(), text(), value(), value(), proptest::option::of(text())), 0..4),
             proptest::collection::vec(text(), 0..3), proptest::option::of(text()), proptest::option::of(text()), 0usize..5),
            0..4,
        ),
    ) {
        let regions: Vec<_> = regions
            .into_iter()
            .map(|(region, stack, findings, notes, error, degraded, status)| {
                let status = [Status::Clean, Status::Drifted, Status::Missing, Status::Error][status % 4];
                let mut r = empty_region(&region, &stack, status);
                r.findings = findings
                    .into_iter()
                    .map(|(logical_id, physical_id, expected, actual, note)| {
                        let mut f = missing_stack(&region, &stack, None);
                        f.logical_id = logical_id;
                        f.physical_id = Some(physical_id);
                        f.path = note.clone().unwrap_or_default();
                        f.expected = expected.unwrap_or(Value::Null);
                        f.actual = actual.unwrap_or(Value::Null);
                        f.note = note;
                        f
                    })
                    .collect();
                r.notes = notes;
                r.error = error;
                r.notes.extend(degraded);
                r
            })
            .collect();
        let out = render_human(&regions);
        for r in &regions {
            prop_assert!(out.contains(r.region.as_str()));
        }
    }
}
