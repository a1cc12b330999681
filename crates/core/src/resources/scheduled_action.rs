//! `AWS::AutoScaling::ScheduledAction`: an event's pre-warm and release.
//! Read from its group's scheduled actions (DescribeScheduledActions); a
//! one-time action that already ran is gone on AWS's side, as expected.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Cost, ListCall, LiveRead, Property, ResourceType};
use crate::finding::Severity;
use crate::template::{ValueType, instant};

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: TYPE_NAME,
    severity: Severity::Capacity,
    replaced_by: &["AutoScalingGroupName"],
    read: LiveRead::InParentList {
        parent: super::auto_scaling_group::TYPE_NAME,
        call: ListCall::ScheduledActions,
        matched_by: &["ScheduledActionName"],
    },
    compared: &[
        Property::new("StartTime", ValueType::Instant, Severity::Capacity),
        Property::new("EndTime", ValueType::Instant, Severity::Capacity),
        Property::new("Recurrence", ValueType::Str, Severity::Capacity),
        Property::new("MinSize", ValueType::Int, Severity::Capacity),
        Property::new("MaxSize", ValueType::Int, Severity::Capacity),
        Property::new("DesiredCapacity", ValueType::Int, Severity::Capacity),
    ],
    compare: None,
    gone_as_expected: Some(ran_once),
    mark: None,
    cost: Cost::Free,
};

/// The type's name.
pub const TYPE_NAME: &str = "AWS::AutoScaling::ScheduledAction";

/// A one-time action whose start has passed: AWS ran it and deleted it.
fn ran_once(expected: &Value, now: DateTime<Utc>) -> bool {
    expected.get("Recurrence").is_none()
        && expected
            .get("StartTime")
            .and_then(instant)
            .is_some_and(|t| t <= now)
}
