//! `AWS::ElasticLoadBalancingV2::TargetGroup`: where the load balancer
//! sends traffic, with its health check and attributes.

use super::comparison::{Comparison, ObservedResource};
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::Severity;
use crate::template::ValueType;

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::ElasticLoadBalancingV2::TargetGroup",
    severity: Severity::Config,
    replaced_by: &[
        "TargetType",
        "ProtocolVersion",
        "Port",
        "Name",
        "VpcId",
        "Protocol",
        "IpAddressType",
    ],
    read: LiveRead::ById(ReadCall::TargetGroup),
    compared: &[
        Property::new("Protocol", ValueType::Str, Severity::Config),
        Property::new("Port", ValueType::Int, Severity::Config),
        Property::new("TargetType", ValueType::Str, Severity::Config),
        Property::new("VpcId", ValueType::Str, Severity::Config),
        Property::new("HealthCheckEnabled", ValueType::Bool, Severity::Config),
        Property::new("HealthCheckProtocol", ValueType::Str, Severity::Config),
        Property::new("HealthCheckPath", ValueType::Str, Severity::Config),
        Property::new(
            "HealthCheckIntervalSeconds",
            ValueType::Int,
            Severity::Config,
        ),
        Property::new(
            "HealthCheckTimeoutSeconds",
            ValueType::Int,
            Severity::Config,
        ),
        Property::new("HealthyThresholdCount", ValueType::Int, Severity::Config),
        Property::new("UnhealthyThresholdCount", ValueType::Int, Severity::Config),
        Property::new("Matcher.HttpCode", ValueType::Str, Severity::Config),
    ],
    compare: Some(compare),
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// The properties, then the attributes the template sets.
fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.compared_properties(r);
    c.attributes(r, &expected, "TargetGroupAttributes");
}
