//! `AWS::ElasticLoadBalancingV2::Listener`: the load balancer's listeners
//! and their default actions. Read from its load balancer's listeners
//! (DescribeListeners).

use serde_json::{Map, Value};

use super::comparison::{Comparison, Difference, ObservedResource};
use super::{Cost, ListCall, LiveRead, Property, ResourceType};
use crate::finding::{Repair, Severity};
use crate::template::{ValueType, is_unknown, text};

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: "AWS::ElasticLoadBalancingV2::Listener",
    severity: Severity::Config,
    replaced_by: &["LoadBalancerArn"],
    read: LiveRead::InParentList {
        parent: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        call: ListCall::Listeners,
        matched_by: &["ListenerArn"],
    },
    compared: &[
        Property::new("Port", ValueType::Int, Severity::Config),
        Property::new("Protocol", ValueType::Str, Severity::Config),
        Property::new("SslPolicy", ValueType::Str, Severity::Security),
        Property::new("Certificates", ValueType::Set, Severity::Security),
    ],
    compare: Some(compare),
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// The properties, then the default actions (type, target group, redirect).
fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.compared_properties(r);
    if let Some(want) = expected.get("DefaultActions")
        && !is_unknown(want)
    {
        let (w, g) = (canonical(want), canonical(&r.live["DefaultActions"]));
        if w != g {
            c.push(
                r.logical_id,
                TYPE.name,
                Difference::new(
                    "DefaultActions",
                    w,
                    g,
                    Severity::Config,
                    // Recorded as read, whole: a reduced action (a fixed
                    // response without its FixedResponseConfig) is invalid.
                    Repair::Record(r.live["DefaultActions"].clone()),
                ),
            );
        }
    }
}

/// Actions reduced to what the plan sets, every scalar as text.
fn canonical(actions: &Value) -> Value {
    Value::Array(
        actions
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|a| {
                let mut m = Map::new();
                m.insert("Type".into(), Value::String(text(&a["Type"])));
                if let Some(t) = a.get("TargetGroupArn") {
                    m.insert("TargetGroupArn".into(), Value::String(text(t)));
                }
                if let Some(r) = a.get("RedirectConfig") {
                    let mut rc = Map::new();
                    for k in ["Protocol", "Port", "StatusCode"] {
                        if let Some(x) = r.get(k) {
                            rc.insert(k.into(), Value::String(text(x)));
                        }
                    }
                    m.insert("RedirectConfig".into(), Value::Object(rc));
                }
                Value::Object(m)
            })
            .collect(),
    )
}
