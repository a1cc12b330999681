//! `AWS::ElasticLoadBalancingV2::LoadBalancer`: the region's application
//! load balancer, with its attributes.

use super::comparison::{Comparison, ObservedResource};
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::Severity;
use crate::template::ValueType;

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    severity: Severity::Config,
    replaced_by: &["Name", "Type", "Scheme"],
    read: LiveRead::ById(ReadCall::LoadBalancer),
    compared: &[
        Property::new("Type", ValueType::Str, Severity::Config),
        Property::new("Scheme", ValueType::Str, Severity::Config),
        Property::new("IpAddressType", ValueType::Str, Severity::Config),
        Property::new("Subnets", ValueType::Set, Severity::Config),
        Property::new("SecurityGroups", ValueType::Set, Severity::Security),
    ],
    compare: Some(compare),
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("load balancer hours and LCUs"),
};

/// The properties, then the attributes the template sets.
fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.compared_properties(r);
    c.attributes(r, &expected, "LoadBalancerAttributes");
}
