//! The network plumbing of a region (VPC, subnets, routes, gateways, NAT,
//! elastic IPs). Not read: no capacity or security setting streamscale
//! compares; CloudFormation's drift detection covers them where it runs.

use super::{Cost, LiveRead, ResourceType};
use crate::finding::Severity;

const PLUMBING: LiveRead =
    LiveRead::NotRead("network plumbing: no capacity or security setting streamscale reads");

const fn plumbing(
    name: &'static str,
    replaced_by: &'static [&'static str],
    cost: Cost,
) -> ResourceType {
    ResourceType {
        name,
        severity: Severity::Config,
        replaced_by,
        read: PLUMBING,
        compared: &[],
        compare: None,
        gone_as_expected: None,
        mark: None,
        cost,
    }
}

/// `AWS::EC2::VPC`.
pub const VPC: ResourceType = plumbing(
    "AWS::EC2::VPC",
    &[
        "CidrBlock",
        "Ipv4IpamPoolId",
        "Ipv4NetmaskLength",
        "VpcEncryptionControl",
    ],
    Cost::Free,
);

/// `AWS::EC2::Subnet`.
pub const SUBNET: ResourceType = plumbing(
    "AWS::EC2::Subnet",
    &[
        "VpcId",
        "AvailabilityZone",
        "AvailabilityZoneId",
        "CidrBlock",
        "OutpostArn",
        "Ipv6Native",
        "Ipv4IpamPoolId",
        "Ipv4NetmaskLength",
        "Ipv6IpamPoolId",
        "Ipv6NetmaskLength",
    ],
    Cost::Free,
);

/// `AWS::EC2::RouteTable`.
pub const ROUTE_TABLE: ResourceType = plumbing("AWS::EC2::RouteTable", &["VpcId"], Cost::Free);

/// `AWS::EC2::Route`.
pub const ROUTE: ResourceType = plumbing(
    "AWS::EC2::Route",
    &[
        "RouteTableId",
        "DestinationCidrBlock",
        "DestinationIpv6CidrBlock",
        "DestinationPrefixListId",
    ],
    Cost::Free,
);

/// `AWS::EC2::SubnetRouteTableAssociation`.
pub const SUBNET_ROUTE_TABLE_ASSOCIATION: ResourceType = plumbing(
    "AWS::EC2::SubnetRouteTableAssociation",
    &["SubnetId", "RouteTableId"],
    Cost::Free,
);

/// `AWS::EC2::InternetGateway`.
pub const INTERNET_GATEWAY: ResourceType = plumbing("AWS::EC2::InternetGateway", &[], Cost::Free);

/// `AWS::EC2::VPCGatewayAttachment`.
pub const GATEWAY_ATTACHMENT: ResourceType =
    plumbing("AWS::EC2::VPCGatewayAttachment", &["VpcId"], Cost::Free);

/// `AWS::EC2::NatGateway`.
pub const NAT_GATEWAY: ResourceType = plumbing(
    "AWS::EC2::NatGateway",
    &[
        "VpcId",
        "SubnetId",
        "ConnectivityType",
        "AllocationId",
        "PrivateIpAddress",
        "AvailabilityMode",
    ],
    Cost::NotPriced("NAT gateway hours and data processed"),
);

/// `AWS::EC2::EIP`.
pub const EIP: ResourceType = plumbing(
    "AWS::EC2::EIP",
    &[
        "NetworkBorderGroup",
        "TransferAddress",
        "IpamPoolId",
        "Address",
    ],
    Cost::NotPriced("public IPv4 address hours"),
);
