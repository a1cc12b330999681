//! `AWS::AutoScaling::AutoScalingGroup`: the region's instances (or EKS
//! worker nodes), sized by SPEC §4.
//!
//! Sizes compare with what is in force now: the template's, or those of
//! the group's latest one-time scheduled action that already ran (an
//! event's pre-warm holds until its release). DesiredCapacity moves with
//! autoscaling, so only a value outside [MinSize, MaxSize] is drift. The
//! launch template version the group uses, and the types of the instances
//! that run, compare with the plan's launch data.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::comparison::{Comparison, Difference, ObservedResource};
use super::launch_template::launch_data_differences;
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::{Repair, Severity};
use crate::observed::{ObservedStack, ResourceState};
use crate::template::{ValueType, instant, is_unknown, same, text, typed};

/// The type's name.
pub const TYPE_NAME: &str = "AWS::AutoScaling::AutoScalingGroup";

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: TYPE_NAME,
    severity: Severity::Capacity,
    replaced_by: &["InstanceId", "AutoScalingGroupName"],
    read: LiveRead::ById(ReadCall::AutoScalingGroup),
    compared: &[
        Property::new("MaxSize", ValueType::Int, Severity::Capacity),
        Property::new(
            "LaunchTemplate.LaunchTemplateId",
            ValueType::Str,
            Severity::Config,
        )
        .manual("point the group back at the stack's launch template by hand"),
        Property::new("VPCZoneIdentifier", ValueType::Set, Severity::Config),
        Property::new("TargetGroupARNs", ValueType::Set, Severity::Config),
        Property::new("HealthCheckType", ValueType::Str, Severity::Config),
        Property::new("HealthCheckGracePeriod", ValueType::Int, Severity::Config),
    ],
    compare: Some(compare),
    gone_as_expected: None,
    mark: None,
    cost: Cost::Ec2Instances,
};

/// A size in force because a scheduled action ran: the size and the action.
type InForce = (Value, String);

/// The MinSize and MaxSize in force now from the group's latest one-time
/// scheduled action that already ran, if any.
fn sizes_in_force(
    template: &Value,
    group: &str,
    now: DateTime<Utc>,
) -> (Option<InForce>, Option<InForce>) {
    let mut latest: Option<(DateTime<Utc>, &str, &Value)> = None;
    let empty = Map::new();
    for (id, r) in template["Resources"].as_object().unwrap_or(&empty) {
        if r["Type"].as_str() != Some(super::scheduled_action::TYPE_NAME) {
            continue;
        }
        let p = &r["Properties"];
        if p["AutoScalingGroupName"].get("Ref").and_then(Value::as_str) != Some(group)
            || p.get("Recurrence").is_some()
        {
            continue;
        }
        let Some(t) = instant(&p["StartTime"]) else {
            continue;
        };
        if t <= now && latest.is_none_or(|(l, _, _)| t > l) {
            latest = Some((t, id, p));
        }
    }
    let from = |key: &str| {
        latest.and_then(|(_, id, p)| typed(ValueType::Int, &p[key]).map(|v| (v, id.to_string())))
    };
    (from("MinSize"), from("MaxSize"))
}

fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let live = r.live;
    let e = c.expected(r.logical_id);
    let (min_now, max_now) = sizes_in_force(c.template, r.logical_id, c.now);
    let int = |key: &str| e.get(key).and_then(|v| typed(ValueType::Int, v));
    let min = min_now.clone().map(|(v, _)| v).or_else(|| int("MinSize"));
    let max = max_now.clone().map(|(v, _)| v).or_else(|| int("MaxSize"));
    if let Some(want) = &min {
        let got = typed(ValueType::Int, &live["MinSize"]).unwrap_or(Value::Null);
        if !same(want, &got) {
            let d = match &min_now {
                Some((_, action)) => Difference::new(
                    "MinSize",
                    want.clone(),
                    got,
                    Severity::Capacity,
                    Repair::No(format!(
                        "the scheduled action {action} is in effect: CloudFormation would set the plan's baseline; set MinSize {want} by hand (aws autoscaling update-auto-scaling-group --min-size {want})"
                    )),
                )
                .note(format!("in force since scheduled action {action}")),
                None => Difference::new(
                    "MinSize",
                    want.clone(),
                    got,
                    Severity::Capacity,
                    Repair::Record(live["MinSize"].clone()),
                ),
            };
            c.push(r.logical_id, TYPE_NAME, d);
        }
    }
    if let Some((_, action)) = &max_now {
        let mut without_max = e.clone();
        if let Some(m) = without_max.as_object_mut() {
            m.remove("MaxSize");
        }
        c.properties(r, &without_max, TYPE.compared);
        if let Some(want) = &max {
            let got = typed(ValueType::Int, &live["MaxSize"]).unwrap_or(Value::Null);
            if !same(want, &got) {
                c.push(
                    r.logical_id,
                    TYPE_NAME,
                    Difference::new(
                        "MaxSize",
                        want.clone(),
                        got,
                        Severity::Capacity,
                        Repair::No(format!(
                            "the scheduled action {action} is in effect: set MaxSize {want} by hand"
                        )),
                    )
                    .note(format!("in force since scheduled action {action}")),
                );
            }
        }
    } else {
        c.properties(r, &e, TYPE.compared);
    }
    if let (Some(lo), Some(hi), Some(d)) = (
        min.as_ref().and_then(Value::as_i64),
        max.as_ref().and_then(Value::as_i64),
        live["DesiredCapacity"].as_i64(),
    ) && (d < lo || d > hi)
    {
        c.push(
            r.logical_id,
            TYPE_NAME,
            Difference::new(
                "DesiredCapacity",
                json!({"min": lo, "max": hi}),
                Value::from(d),
                Severity::Capacity,
                Repair::No(
                    "follows MinSize and MaxSize once they are repaired, or set it by hand".into(),
                ),
            )
            .note("outside [MinSize, MaxSize]"),
        );
    }
    launch_template_in_use(c, r);
}

/// The launch template version the group uses, and the instance types
/// that run.
fn launch_template_in_use(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let live = r.live;
    let Some(lt_logical) = c.template["Resources"][r.logical_id]["Properties"]["LaunchTemplate"]
        ["LaunchTemplateId"]["Ref"]
        .as_str()
        .map(str::to_string)
    else {
        return;
    };
    let want_data = c.expected(&lt_logical)["LaunchTemplateData"].clone();
    if let Some(ResourceState::Found(lt)) = c.observed.states.get(&lt_logical)
        && let Some(version) = live
            .pointer("/LaunchTemplate/Version")
            .and_then(Value::as_str)
    {
        let number = match version {
            "$Latest" => lt["LatestVersionNumber"].as_i64(),
            "$Default" => lt["DefaultVersionNumber"].as_i64(),
            n => n.parse::<i64>().ok(),
        };
        let data = number.and_then(|n| lt["Versions"].get(n.to_string()));
        let differences = data.map(|d| launch_data_differences(&want_data, d));
        if differences.as_ref().is_none_or(|d| !d.is_empty()) {
            let latest = lt["LatestVersionNumber"].as_i64();
            let latest_ok = latest
                .and_then(|n| lt["Versions"].get(n.to_string()))
                .is_some_and(|d| launch_data_differences(&want_data, d).is_empty());
            let described = differences
                .map(|d| {
                    d.into_iter()
                        .map(|(p, w, g, _)| format!("{p} {} instead of {}", text(&g), text(&w)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "the version does not exist".into());
            let expected = if latest_ok {
                Value::String(latest.unwrap_or_default().to_string())
            } else {
                Value::String("a version with the plan's launch data".into())
            };
            c.push(
                r.logical_id,
                TYPE_NAME,
                Difference::new(
                    "LaunchTemplate.Version",
                    expected,
                    Value::String(version.to_string()),
                    Severity::Capacity,
                    Repair::Mark(lt_logical.clone()),
                )
                .note(format!("version {version} launches {described}")),
            );
        }
    }
    if let Some(want) = want_data
        .get("InstanceType")
        .and_then(|v| typed(ValueType::Str, v))
        && !is_unknown(&want)
    {
        let mut running: BTreeMap<String, u64> = BTreeMap::new();
        for i in live["Instances"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let state = i["LifecycleState"].as_str().unwrap_or_default();
            if state == "InService" || state.starts_with("Pending") {
                *running.entry(text(&i["InstanceType"])).or_default() += 1;
            }
        }
        if running.keys().any(|t| Some(t.as_str()) != want.as_str()) {
            c.push(
                r.logical_id,
                TYPE_NAME,
                Difference::new(
                    "Instances.InstanceType",
                    want,
                    json!(running),
                    Severity::Capacity,
                    Repair::No("running instances keep their type until they are replaced: start an instance refresh (aws autoscaling start-instance-refresh)".into()),
                )
                .note("instance types running (InService and Pending), with counts"),
            );
        }
    }
}

/// Running (InService) instances of a stack's auto-scaling groups; `None`
/// when no group was read.
pub fn in_service(observed: &ObservedStack) -> Option<u64> {
    let groups: Vec<&Value> = observed
        .resources
        .iter()
        .filter(|r| r.resource_type == TYPE_NAME)
        .filter_map(|r| match observed.states.get(&r.logical_id) {
            Some(ResourceState::Found(v)) => Some(v),
            _ => None,
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    Some(
        groups
            .iter()
            .flat_map(|g| {
                g["Instances"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
            })
            .filter(|i| i["LifecycleState"].as_str() == Some("InService"))
            .count() as u64,
    )
}
