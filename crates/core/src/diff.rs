//! Structural diff of two CloudFormation templates, resource by resource
//! and property by property. Pure: the engine feeds it the deployed
//! template (GetTemplate) and the rendered one.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// `+ create`.
    Create,
    /// `~ update`.
    Update,
    /// `-/+ replace`.
    Replace,
    /// `- delete`.
    Delete,
}

impl Action {
    /// The symbol shown before the resource.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// One changed property: a dotted path into `Properties` (array indices in
/// brackets), and the values before and after (absent = `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyChange {
    /// e.g. `LaunchTemplateData.InstanceType` or `Tags[2].Value`.
    pub path: String,
    /// The deployed value.
    pub before: Option<Value>,
    /// The rendered value.
    pub after: Option<Value>,
}

/// One resource that changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// What happens.
    pub action: Action,
    /// Changed properties (updates and replacements).
    pub properties: Vec<PropertyChange>,
}

/// Whether changing `path` of a `resource_type` replaces the resource: the
/// registry's one table ([`crate::resources::replaces`]), shared with drift.
pub fn replaces(resource_type: &str, path: &str) -> bool {
    crate::resources::replaces(resource_type, path)
}

/// The changes that turn template `old` (deployed; `None` for no stack)
/// into `new` (rendered), ordered by logical id.
pub fn diff_templates(old: Option<&Value>, new: &Value) -> Vec<ResourceChange> {
    let empty = serde_json::Map::new();
    let old_res = old
        .and_then(|o| o.get("Resources"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let new_res = new
        .get("Resources")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut ids: Vec<&String> = old_res.keys().chain(new_res.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let type_of = |r: &Value| {
            r.get("Type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        match (old_res.get(id), new_res.get(id)) {
            (None, Some(n)) => out.push(ResourceChange {
                logical_id: id.clone(),
                resource_type: type_of(n),
                action: Action::Create,
                properties: Vec::new(),
            }),
            (Some(o), None) => out.push(ResourceChange {
                logical_id: id.clone(),
                resource_type: type_of(o),
                action: Action::Delete,
                properties: Vec::new(),
            }),
            (Some(o), Some(n)) => {
                if type_of(o) != type_of(n) {
                    out.push(ResourceChange {
                        logical_id: id.clone(),
                        resource_type: type_of(n),
                        action: Action::Replace,
                        properties: vec![PropertyChange {
                            path: "Type".into(),
                            before: o.get("Type").cloned(),
                            after: n.get("Type").cloned(),
                        }],
                    });
                    continue;
                }
                let mut props = Vec::new();
                let null = Value::Null;
                diff_values(
                    "",
                    o.get("Properties").unwrap_or(&null),
                    n.get("Properties").unwrap_or(&null),
                    &mut props,
                );
                // Resource attributes outside Properties matter too.
                for attr in ["DependsOn", "UpdatePolicy", "DeletionPolicy", "Condition"] {
                    if o.get(attr) != n.get(attr) {
                        props.push(PropertyChange {
                            path: format!("@{attr}"),
                            before: o.get(attr).cloned(),
                            after: n.get(attr).cloned(),
                        });
                    }
                }
                if !props.is_empty() {
                    let t = type_of(n);
                    let action = if props.iter().any(|p| replaces(&t, &p.path)) {
                        Action::Replace
                    } else {
                        Action::Update
                    };
                    out.push(ResourceChange {
                        logical_id: id.clone(),
                        resource_type: t,
                        action,
                        properties: props,
                    });
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// CloudFormation stores numbers and booleans as given but compares them
/// as strings (`"MinSize": "3"` equals `3`): normalise scalars to text.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn diff_values(path: &str, old: &Value, new: &Value, out: &mut Vec<PropertyChange>) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = join(path, k);
                match (o.get(k), n.get(k)) {
                    (Some(a), Some(b)) => diff_values(&p, a, b, out),
                    (a, b) => out.push(PropertyChange {
                        path: p,
                        before: a.cloned(),
                        after: b.cloned(),
                    }),
                }
            }
        }
        (Value::Array(o), Value::Array(n)) if o.len() == n.len() => {
            for (i, (a, b)) in o.iter().zip(n).enumerate() {
                diff_values(&format!("{path}[{i}]"), a, b, out);
            }
        }
        (a, b) => {
            let same = match (scalar_text(a), scalar_text(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            };
            if !same {
                out.push(PropertyChange {
                    path: path.to_string(),
                    before: Some(a.clone()).filter(|v| !v.is_null()),
                    after: Some(b.clone()).filter(|v| !v.is_null()),
                });
            }
        }
    }
}

/// The differences between a live object and the desired one, looking only
/// at the keys the desired object sets (APIs add defaults and read-only
/// fields of their own).
pub fn desired_diff(live: &Value, desired: &Value) -> Vec<PropertyChange> {
    let mut out = Vec::new();
    desired_walk("", live, desired, &mut out);
    out
}

fn desired_walk(path: &str, live: &Value, desired: &Value, out: &mut Vec<PropertyChange>) {
    match (live, desired) {
        (Value::Object(l), Value::Object(d)) => {
            for (k, dv) in d {
                let p = join(path, k);
                match l.get(k) {
                    Some(lv) => desired_walk(&p, lv, dv, out),
                    None => out.push(PropertyChange {
                        path: p,
                        before: None,
                        after: Some(dv.clone()),
                    }),
                }
            }
        }
        (Value::Array(l), Value::Array(d)) if l.len() == d.len() => {
            for (i, (lv, dv)) in l.iter().zip(d).enumerate() {
                desired_walk(&format!("{path}[{i}]"), lv, dv, out);
            }
        }
        (l, d) => diff_values(path, l, d, out),
    }
}

/// Counts for the plan's summary line: (add, change, destroy). A replace
/// counts as one add and one destroy, as Terraform counts it.
pub fn counts(changes: &[ResourceChange]) -> (usize, usize, usize) {
    changes
        .iter()
        .fold((0, 0, 0), |(a, c, d), ch| match ch.action {
            Action::Create => (a + 1, c, d),
            Action::Update => (a, c + 1, d),
            Action::Replace => (a + 1, c, d + 1),
            Action::Delete => (a, c, d + 1),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tpl(resources: Value) -> Value {
        json!({"Resources": resources})
    }

    #[test]
    fn identical_templates_have_no_changes() {
        let t = tpl(
            json!({"A": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}),
        );
        assert!(diff_templates(Some(&t), &t).is_empty());
    }

    #[test]
    fn missing_stack_creates_everything() {
        let t = tpl(json!({"A": {"Type": "X"}, "B": {"Type": "Y"}}));
        let d = diff_templates(None, &t);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|c| c.action == Action::Create));
        assert_eq!(counts(&d), (2, 0, 0));
    }

    #[test]
    fn property_changes_are_listed_with_paths() {
        let old = tpl(
            json!({"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"InstanceType": "c7i.large", "Tags": [1, 2]}}},
                             "ASG": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MaxSize": "10"}}}),
        );
        let new = tpl(
            json!({"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"InstanceType": "c7i.xlarge", "Tags": [1, 3]}}},
                             "ASG": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MaxSize": "12"}}}),
        );
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].logical_id, "ASG");
        assert_eq!(d[0].properties[0].path, "MaxSize");
        assert_eq!(d[0].properties[0].before, Some(json!("10")));
        assert_eq!(d[0].properties[0].after, Some(json!("12")));
        let paths: Vec<&str> = d[1].properties.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "LaunchTemplateData.InstanceType",
                "LaunchTemplateData.Tags[1]"
            ]
        );
        assert_eq!(d[1].action, Action::Update);
    }

    #[test]
    fn numbers_equal_their_text() {
        let old = tpl(json!({"A": {"Type": "T", "Properties": {"MinSize": "3", "On": "true"}}}));
        let new = tpl(json!({"A": {"Type": "T", "Properties": {"MinSize": 3, "On": true}}}));
        assert!(diff_templates(Some(&old), &new).is_empty());
    }

    #[test]
    fn replacing_properties_mark_a_replace() {
        let old = tpl(
            json!({"S": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.0.0/20"}}}),
        );
        let new = tpl(
            json!({"S": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.16.0/20"}}}),
        );
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d[0].action, Action::Replace);
        assert_eq!(counts(&d), (1, 0, 1));
    }

    #[test]
    fn removed_resources_are_deleted() {
        let old = tpl(json!({"A": {"Type": "T"}, "B": {"Type": "U"}}));
        let new = tpl(json!({"A": {"Type": "T"}}));
        let d = diff_templates(Some(&old), &new);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].action, Action::Delete);
        assert_eq!(d[0].resource_type, "U");
    }
}
