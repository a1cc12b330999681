//! The comparison of a template with what runs: walks the template's
//! resources, asks the registry how each type is read and compared, and
//! collects the findings and what was not compared. The per-type logic is
//! the registry's ([`crate::resources`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::finding::{Finding, NotChecked, Repair, Severity};
use crate::observed::{ObservedStack, ResourceState};
use crate::resources::comparison::{Comparison, Difference, ObservedResource};
use crate::resources::{self};
use crate::template::References;

/// The whole resource is not there: expected `exists`, found `actual`.
fn absent(actual: &str, severity: Severity, repair: Repair) -> Difference {
    Difference::new(
        "",
        Value::String("exists".into()),
        Value::String(actual.into()),
        severity,
        repair,
    )
}

/// Other resources (or outputs) that refer to `logical`.
fn referenced(template: &Value, logical: &str) -> bool {
    fn refers(v: &Value, logical: &str) -> bool {
        match v {
            Value::Object(m) => m.iter().any(|(k, x)| {
                (k == "Ref" && x.as_str() == Some(logical))
                    || (k == "Fn::GetAtt"
                        && x.as_array().and_then(|a| a.first()).and_then(Value::as_str)
                            == Some(logical))
                    || (k == "DependsOn"
                        && (x.as_str() == Some(logical)
                            || x.as_array()
                                .is_some_and(|a| a.iter().any(|d| d.as_str() == Some(logical)))))
                    || refers(x, logical)
            }),
            Value::Array(a) => a.iter().any(|x| refers(x, logical)),
            _ => false,
        }
    }
    let others = template["Resources"]
        .as_object()
        .map(|m| m.iter().any(|(k, r)| k != logical && refers(r, logical)))
        .unwrap_or(false);
    others || refers(&template["Outputs"], logical)
}

/// Compare a template against what runs: the findings and what was not compared.
pub fn compare(
    template: &Value,
    references: &References,
    observed: &ObservedStack,
    now: DateTime<Utc>,
) -> (Vec<Finding>, Vec<NotChecked>) {
    let mut c = Comparison::new(template, references, observed, now);
    let mut not_checked = Vec::new();
    let empty = serde_json::Map::new();
    let declared = template["Resources"].as_object().unwrap_or(&empty);
    let in_stack: BTreeMap<&str, &str> = observed
        .resources
        .iter()
        .map(|r| (r.logical_id.as_str(), r.resource_type.as_str()))
        .collect();
    for (logical, r) in declared {
        let type_name = r["Type"].as_str().unwrap_or_default();
        let not_checked_because = |reason: String| NotChecked {
            logical_id: logical.clone(),
            resource_type: type_name.to_string(),
            reason,
        };
        if !in_stack.contains_key(logical.as_str()) {
            c.push(
                logical,
                type_name,
                absent(
                    "not in the stack",
                    resources::severity_of(type_name),
                    Repair::No(
                        "a pending change: `streamscale plan` shows it, apply creates it".into(),
                    ),
                )
                .note("the deployed template does not have it"),
            );
            continue;
        }
        let Some(rtype) = resources::lookup(type_name).filter(|_| resources::is_read(type_name))
        else {
            not_checked.push(not_checked_because(resources::not_read_reason(type_name)));
            continue;
        };
        match observed.states.get(logical) {
            None => not_checked.push(not_checked_because("no physical id in the stack".into())),
            Some(ResourceState::ReadFailed(m)) => {
                not_checked.push(not_checked_because(format!("read failed: {m}")))
            }
            Some(ResourceState::Missing) => {
                let expected = c.expected(logical);
                if rtype
                    .gone_as_expected
                    .is_some_and(|gone| gone(&expected, now))
                {
                    continue;
                }
                let repair = if rtype.gone_as_expected.is_none() && referenced(template, logical) {
                    Repair::No("other resources depend on it: destroy and apply the region, or restore it by hand".into())
                } else {
                    Repair::Drop
                };
                c.push(
                    logical,
                    type_name,
                    absent("deleted", rtype.severity, repair)
                        .note("deleted outside CloudFormation"),
                );
            }
            Some(ResourceState::Found(live)) => {
                let resource = ObservedResource {
                    logical_id: logical,
                    resource_type: rtype,
                    live,
                };
                match rtype.compare {
                    Some(compare) => compare(&mut c, &resource),
                    None => {
                        let expected = c.expected(logical);
                        c.properties(&resource, &expected, rtype.compared);
                    }
                }
            }
        }
    }
    // Resources the stack has and the template does not (a pending removal).
    for r in &observed.resources {
        if !declared.contains_key(&r.logical_id) {
            c.push(
                &r.logical_id,
                &r.resource_type,
                Difference::new(
                    "",
                    Value::String("absent".into()),
                    Value::String("exists".into()),
                    resources::severity_of(&r.resource_type),
                    Repair::No(
                        "a pending change: `streamscale plan` shows it, apply removes it".into(),
                    ),
                )
                .note("the plan no longer has it"),
            );
        }
    }
    (c.into_findings(), not_checked)
}
