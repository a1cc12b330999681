//! The toolkit a resource type's comparison uses: the comparison of one
//! region (what is expected, what runs, what was found so far), one
//! difference before it becomes a finding, and typed property checks.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Property, ResourceType};
use crate::finding::{Finding, FindingSource, Repair, Severity};
use crate::observed::ObservedStack;
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

impl<'a> Comparison<'a> {
    /// A comparison of `template` with what runs, with nothing found yet.
    pub fn new(
        template: &'a Value,
        references: &'a References,
        observed: &'a ObservedStack,
        now: DateTime<Utc>,
    ) -> Self {
        Comparison {
            region: &observed.region,
            references,
            template,
            observed,
            now,
            findings: Vec::new(),
        }
    }

    /// What was found.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The resolved properties the template gives `logical`.
    pub fn expected(&self, logical: &str) -> Value {
        resolve(
            &self.template["Resources"][logical]["Properties"],
            self.references,
        )
    }

    /// The physical id of `logical` (empty when the stack gave none).
    pub fn physical_id(&self, logical: &str) -> String {
        self.references
            .physical
            .get(logical)
            .cloned()
            .unwrap_or_default()
    }

    /// The template's resolved properties of `r`, after comparing the
    /// properties its type lists in `compared`.
    pub fn compared_properties(&mut self, r: &ObservedResource<'_>) -> Value {
        let expected = self.expected(r.logical_id);
        self.properties(r, &expected, r.resource_type.compared);
        expected
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
    if super::replaces(t.name, p.path) {
        Repair::No(super::REPLACES.to_string())
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
