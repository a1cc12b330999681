//! The comparison of a template with what runs: walks the template's
//! resources, asks the registry how each type is read and compared, and
//! collects the findings and what was not compared.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Finding, FindingSource, NotChecked, Repair, Severity};
use crate::observed::{ObservedStack, ResourceState};
use crate::resources::{self, Property, ResourceType};
use crate::template::{
    References, ValueType, is_unknown, resolve, same, selected, text, typed, value_at,
};

/// One resource that was read, with its live state.
#[derive(Debug, Clone, Copy)]
pub struct ObservedResource<'a> {
    /// Logical id.
    pub logical_id: &'a str,
    /// Its type in the registry.
    pub resource_type: &'static ResourceType,
    /// Its live properties, under CloudFormation's names.
    pub live: &'a Value,
}

/// One difference, before it becomes a [`Finding`].
#[derive(Debug, Clone)]
pub struct Difference {
    /// Property path (`MaxSize`); empty for the whole resource.
    pub path: String,
    /// What the plan wants.
    pub expected: Value,
    /// What runs.
    pub actual: Value,
    /// What it puts at risk.
    pub severity: Severity,
    /// How apply repairs it.
    pub repair: Repair,
    /// Context for the reader.
    pub note: Option<String>,
    /// Tells apart differences at one path (a rule, a version).
    pub discriminator: String,
}

impl Difference {
    /// A difference at `path`.
    pub fn new(
        path: impl Into<String>,
        expected: Value,
        actual: Value,
        severity: Severity,
        repair: Repair,
    ) -> Self {
        Difference {
            path: path.into(),
            expected,
            actual,
            severity,
            repair,
            note: None,
            discriminator: String::new(),
        }
    }

    /// With a note for the reader.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// With a discriminator (the rule or version it is about).
    pub fn discriminator(mut self, d: impl Into<String>) -> Self {
        self.discriminator = d.into();
        self
    }
}

/// The comparison of one region: what it compares and what it found.
pub struct Comparison<'a> {
    /// Region.
    pub region: &'a str,
    /// What `Ref` resolves to.
    pub references: &'a References,
    /// The template that says what is expected.
    pub template: &'a Value,
    /// What runs.
    pub observed: &'a ObservedStack,
    /// The time (scheduled actions in force).
    pub now: DateTime<Utc>,
    findings: Vec<Finding>,
}

impl Comparison<'_> {
    /// The resolved properties the template gives `logical`.
    pub fn expected(&self, logical: &str) -> Value {
        resolve(
            &self.template["Resources"][logical]["Properties"],
            self.references,
        )
    }

    /// Record a difference of resource `logical` of type `resource_type`.
    pub fn push(&mut self, logical: &str, resource_type: &str, d: Difference) {
        self.findings.push(Finding {
            region: self.region.to_string(),
            logical_id: logical.to_string(),
            physical_id: self.references.physical.get(logical).cloned(),
            resource_type: resource_type.to_string(),
            key: format!("{logical}|{}|{}", d.path, d.discriminator),
            path: d.path,
            expected: d.expected,
            actual: d.actual,
            severity: d.severity,
            source: FindingSource::Streamscale,
            note: d.note,
            repair: d.repair,
        });
    }

    /// Compare the listed properties that `expected` declares.
    pub fn properties(&mut self, r: &ObservedResource<'_>, expected: &Value, props: &[Property]) {
        for p in props {
            if let Some((want, got)) = differs(expected, r.live, p.path, p.value_type) {
                let repair = property_repair(r.resource_type, p, r.live);
                self.push(
                    r.logical_id,
                    r.resource_type.name,
                    Difference::new(p.path, want, got, p.severity, repair),
                );
            }
        }
    }

    /// Attribute lists (`[{Key, Value}]`): the keys `expected` declares.
    pub fn attributes(&mut self, r: &ObservedResource<'_>, expected: &Value, name: &str) {
        for a in expected[name].as_array().cloned().unwrap_or_default() {
            let Some(key) = a["Key"].as_str() else {
                continue;
            };
            let want = text(&a["Value"]);
            let got = selected(&r.live[name], key).map(|e| text(&e["Value"]));
            if got.as_deref() != Some(want.as_str()) {
                let actual = got.map_or(Value::Null, Value::String);
                self.push(
                    r.logical_id,
                    r.resource_type.name,
                    Difference::new(
                        format!("{name}[{key}]"),
                        Value::String(want),
                        actual.clone(),
                        Severity::Config,
                        Repair::Record(actual),
                    ),
                );
            }
        }
    }
}

/// How apply repairs a difference in property `p`: by replacing (not at
/// all), by hand, or by recording the live value and restoring the plan's.
fn property_repair(t: &ResourceType, p: &Property, live: &Value) -> Repair {
    if resources::replaces(t.name, p.path) {
        Repair::No(resources::REPLACES.to_string())
    } else if let Some(why) = p.manual {
        Repair::No(why.to_string())
    } else {
        Repair::Record(record_value(p.value_type, live, p.path))
    }
}

/// The typed expected and live values at `path` when they differ; `None`
/// when they agree, or when the plan sets nothing comparable there.
pub fn differs(
    expected: &Value,
    live: &Value,
    path: &str,
    value_type: ValueType,
) -> Option<(Value, Value)> {
    let want = value_at(expected, path).filter(|w| !is_unknown(w))?;
    let want = typed(value_type, want)?;
    let got = value_at(live, path)
        .and_then(|v| typed(value_type, v))
        .unwrap_or(Value::Null);
    (!same(&want, &got)).then_some((want, got))
}

/// The live value to record in a template for a property.
fn record_value(value_type: ValueType, live: &Value, path: &str) -> Value {
    match value_at(live, path) {
        None => Value::Null,
        Some(v) if value_type == ValueType::Set => {
            Value::Array(v.as_array().cloned().unwrap_or_default())
        }
        Some(v) => v.clone(),
    }
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
    let mut c = Comparison {
        region: &observed.region,
        references,
        template,
        observed,
        now,
        findings: Vec::new(),
    };
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
                Difference::new(
                    "",
                    Value::String("exists".into()),
                    Value::String("not in the stack".into()),
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
                    Difference::new(
                        "",
                        Value::String("exists".into()),
                        Value::String("deleted".into()),
                        rtype.severity,
                        repair,
                    )
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
    (c.findings, not_checked)
}
