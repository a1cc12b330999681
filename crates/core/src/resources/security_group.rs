//! `AWS::EC2::SecurityGroup`: who may reach the load balancer, the
//! instances and the cache. Rules compare as sets in a canonical form.
//! CloudFormation adds and removes only the rules that differ between the
//! old and the new template: a declared rule removed by hand comes back
//! when a repair marks its description; a rule added by hand, which no
//! template has, is revoked through EC2's API.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::comparison::{Comparison, Difference, ObservedResource};
use super::{Cost, LiveRead, MARKER_KEY, Marking, ReadCall, ResourceType};
use crate::finding::{ApiRepair, Repair, Severity};
use crate::template::{ValueType, is_unknown, text, typed};

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::EC2::SecurityGroup",
    severity: Severity::Security,
    replaced_by: &["GroupDescription", "GroupName", "VpcId"],
    read: LiveRead::ById(ReadCall::SecurityGroup),
    compared: &[],
    compare: Some(compare),
    gone_as_expected: None,
    mark: Some(Marking {
        property: "SecurityGroupIngress",
        apply: mark,
    }),
    cost: Cost::Free,
};

/// A security group rule in canonical form, or `None` for a rule of no
/// known source.
pub fn canonical_rule(r: &Value, egress: bool) -> Option<Value> {
    let proto = text(&r["IpProtocol"]).to_ascii_lowercase();
    let proto = match proto.as_str() {
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "all" => "-1".to_string(),
        p => p.to_string(),
    };
    let mut m = Map::new();
    m.insert("IpProtocol".into(), Value::String(proto.clone()));
    if proto != "-1" {
        m.insert("FromPort".into(), typed(ValueType::Int, &r["FromPort"])?);
        m.insert("ToPort".into(), typed(ValueType::Int, &r["ToPort"])?);
    }
    let (group, prefix) = if egress {
        ("DestinationSecurityGroupId", "DestinationPrefixListId")
    } else {
        ("SourceSecurityGroupId", "SourcePrefixListId")
    };
    let source = ["CidrIp", "CidrIpv6", group, prefix]
        .into_iter()
        .find(|k| r[*k].is_string())?;
    m.insert(source.into(), r[source].clone());
    Some(Value::Object(m))
}

/// Ingress and egress rules: declared (inline or as standalone
/// ingress/egress resources of the group) against live.
fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let e = c.expected(r.logical_id);
    let group_id = c.references.physical.get(r.logical_id).cloned();
    for (name, egress) in [
        ("SecurityGroupIngress", false),
        ("SecurityGroupEgress", true),
    ] {
        // CloudFormation sets only a rule list the template declares.
        let repair = if e.get(name).is_some() {
            Repair::Mark(r.logical_id.to_string())
        } else {
            let (verb, what) = if egress {
                (
                    "authorize-security-group-egress or revoke-security-group-egress",
                    "egress",
                )
            } else {
                (
                    "authorize-security-group-ingress or revoke-security-group-ingress",
                    "ingress",
                )
            };
            Repair::No(format!(
                "the template declares no {name}, so CloudFormation leaves the {what} rules alone: change them back by hand (aws ec2 {verb})"
            ))
        };
        let mut declared: Vec<Value> = match e.get(name).and_then(Value::as_array) {
            Some(rules) => rules.clone(),
            None if egress => vec![json!({"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"})],
            None => Vec::new(),
        };
        let standalone = if egress {
            "AWS::EC2::SecurityGroupEgress"
        } else {
            "AWS::EC2::SecurityGroupIngress"
        };
        let empty = Map::new();
        for (id, res) in c.template["Resources"].as_object().unwrap_or(&empty) {
            if res["Type"].as_str() == Some(standalone) {
                let p = c.expected(id);
                if p["GroupId"].as_str().is_some() && p["GroupId"].as_str() == group_id.as_deref() {
                    declared.push(p);
                }
            }
        }
        if declared.iter().any(is_unknown) {
            continue;
        }
        let canonical = |rules: &[Value]| -> BTreeSet<String> {
            rules
                .iter()
                .filter_map(|r| canonical_rule(r, egress))
                .map(|r| r.to_string())
                .collect()
        };
        let want = canonical(&declared);
        let got = canonical(
            r.live[name]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
        );
        for extra in got.difference(&want) {
            let v: Value = serde_json::from_str(extra).unwrap_or(Value::Null);
            let world = ["0.0.0.0/0", "::/0"]
                .iter()
                .any(|w| v["CidrIp"].as_str() == Some(w) || v["CidrIpv6"].as_str() == Some(w));
            let note = if world && !egress {
                "a rule open to the world, added outside CloudFormation"
            } else {
                "a rule added outside CloudFormation"
            };
            // CloudFormation never sees a rule it did not make: revoke it
            // through EC2's API.
            let revoke = Repair::Api(ApiRepair::RevokeSecurityGroupRule {
                egress,
                rule: v.clone(),
            });
            c.push(
                r.logical_id,
                TYPE.name,
                Difference::new(name, Value::Null, v, Severity::Security, revoke)
                    .note(note)
                    .discriminator(extra.clone()),
            );
        }
        for lost in want.difference(&got) {
            let v: Value = serde_json::from_str(lost).unwrap_or(Value::Null);
            c.push(
                r.logical_id,
                TYPE.name,
                Difference::new(name, v, Value::Null, Severity::Security, repair.clone())
                    .note("a declared rule removed outside CloudFormation")
                    .discriminator(lost.clone()),
            );
        }
    }
}

/// The marker in the first rule's description of each declared rule list
/// (an update of a rule list re-applies it), or in a tag when the template
/// declares no rules.
fn mark(properties: &mut Value, digest: &str) {
    let marker = format!(" ({MARKER_KEY} {digest})");
    let mut marked = false;
    for name in ["SecurityGroupIngress", "SecurityGroupEgress"] {
        if let Some(rules) = properties
            .get_mut(name)
            .and_then(Value::as_array_mut)
            .filter(|r| !r.is_empty())
        {
            let d = text(&rules[0]["Description"]);
            rules[0]["Description"] = Value::String(format!("{d}{marker}").trim().to_string());
            marked = true;
        }
    }
    if !marked {
        let tag = json!({"Key": MARKER_KEY, "Value": digest});
        match properties.get_mut("Tags") {
            Some(Value::Array(tags)) => tags.push(tag),
            _ => properties["Tags"] = json!([tag]),
        }
    }
}
