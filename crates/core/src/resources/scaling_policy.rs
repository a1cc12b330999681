//! `AWS::AutoScaling::ScalingPolicy`: the target-tracking policy of a
//! region's group. Read from its group's policies (DescribePolicies).

use super::{Cost, ListCall, LiveRead, Property, ResourceType};
use crate::finding::Severity;
use crate::template::ValueType;

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::AutoScaling::ScalingPolicy",
    severity: Severity::Capacity,
    replaced_by: &["AutoScalingGroupName"],
    read: LiveRead::InParentList {
        parent: super::auto_scaling_group::TYPE_NAME,
        call: ListCall::ScalingPolicies,
        matched_by: &["PolicyARN", "PolicyName"],
    },
    compared: &[
        Property::new("PolicyType", ValueType::Str, Severity::Capacity),
        Property::new(
            "TargetTrackingConfiguration.TargetValue",
            ValueType::Num,
            Severity::Capacity,
        ),
        Property::new(
            "TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
            ValueType::Str,
            Severity::Capacity,
        ),
        Property::new(
            "TargetTrackingConfiguration.DisableScaleIn",
            ValueType::Bool,
            Severity::Capacity,
        ),
        Property::new("EstimatedInstanceWarmup", ValueType::Int, Severity::Config),
    ],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};
