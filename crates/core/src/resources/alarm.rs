//! `AWS::CloudWatch::Alarm`: the region's capacity and health alarms. Not
//! read: no capacity or security setting streamscale compares.

use super::{Cost, LiveRead, ResourceType};
use crate::finding::Severity;

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::CloudWatch::Alarm",
    severity: Severity::Config,
    replaced_by: &["AlarmName"],
    read: LiveRead::NotRead("alarms: no capacity or security setting streamscale reads"),
    compared: &[],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("CloudWatch alarm-months"),
};
