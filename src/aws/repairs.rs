//! Thin writes that repair drift CloudFormation cannot repair itself:
//! moving a launch template's default version, revoking a security group
//! rule opened by hand. Calls only: what to repair is decided in the core.

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use serde_json::Value;

use super::{AwsError, call_error};

/// ModifyLaunchTemplate: make `version` the default version.
pub async fn set_default_launch_template_version(
    client: &aws_sdk_ec2::Client,
    region: &str,
    id: &str,
    version: &str,
) -> Result<(), AwsError> {
    client
        .modify_launch_template()
        .launch_template_id(id)
        .default_version(version)
        .send()
        .await
        .map_err(|e| call_error(region, "ModifyLaunchTemplate", e))?;
    Ok(())
}

/// The EC2 permission of a rule in the core's canonical form
/// (`IpProtocol`, `FromPort`, `ToPort`, and one of `CidrIp`, `CidrIpv6`,
/// a security group or a prefix list).
fn permission(rule: &Value) -> IpPermission {
    let text = |k: &str| rule[k].as_str().map(str::to_string);
    let port = |k: &str| rule[k].as_i64().and_then(|p| i32::try_from(p).ok());
    let mut p = IpPermission::builder()
        .set_ip_protocol(text("IpProtocol"))
        .set_from_port(port("FromPort"))
        .set_to_port(port("ToPort"));
    if let Some(c) = text("CidrIp") {
        p = p.ip_ranges(IpRange::builder().cidr_ip(c).build());
    }
    if let Some(c) = text("CidrIpv6") {
        p = p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).build());
    }
    if let Some(g) = text("SourceSecurityGroupId").or_else(|| text("DestinationSecurityGroupId")) {
        p = p.user_id_group_pairs(UserIdGroupPair::builder().group_id(g).build());
    }
    if let Some(l) = text("SourcePrefixListId").or_else(|| text("DestinationPrefixListId")) {
        p = p.prefix_list_ids(PrefixListId::builder().prefix_list_id(l).build());
    }
    p.build()
}

/// RevokeSecurityGroupIngress (or Egress) of one rule of group `group_id`.
pub async fn revoke_security_group_rule(
    client: &aws_sdk_ec2::Client,
    region: &str,
    group_id: &str,
    egress: bool,
    rule: &Value,
) -> Result<(), AwsError> {
    if egress {
        client
            .revoke_security_group_egress()
            .group_id(group_id)
            .ip_permissions(permission(rule))
            .send()
            .await
            .map_err(|e| call_error(region, "RevokeSecurityGroupEgress", e))?;
    } else {
        client
            .revoke_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission(rule))
            .send()
            .await
            .map_err(|e| call_error(region, "RevokeSecurityGroupIngress", e))?;
    }
    Ok(())
}
