//! `AWS::EC2::PrefixList`: Cloudflare's ranges, the only sources the load
//! balancer's security group admits. Read with GetManagedPrefixListEntries;
//! its entries compare as a set (a range added by hand, such as
//! 0.0.0.0/0, is found, and apply restores the plan's entries).

use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::Severity;
use crate::template::ValueType;

/// The registry entry (the registry schema lists no createOnlyProperties).
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::EC2::PrefixList",
    severity: Severity::Security,
    replaced_by: &[],
    read: LiveRead::ById(ReadCall::PrefixList),
    compared: &[
        Property::new("Entries", ValueType::Set, Severity::Security),
        Property::new("MaxEntries", ValueType::Int, Severity::Config),
        Property::new("AddressFamily", ValueType::Str, Severity::Security),
    ],
    compare: None,
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};
