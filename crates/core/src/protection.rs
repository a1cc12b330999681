//! Deletion protection in a deployed template: which resources have it on
//! (a load balancer's `deletion_protection.enabled` attribute, a DocumentDB
//! cluster's or global cluster's `DeletionProtection`), and the same
//! template with it off, for `destroy --disable-deletion-protection`.
//! AWS refuses to delete such a resource (DeleteLoadBalancer:
//! OperationNotPermitted; DeleteDBCluster: InvalidParameterCombination),
//! so CloudFormation's stack delete ends DELETE_FAILED half-way.

use serde_json::Value;

/// A resource whose deletion protection is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
}

const LB: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const DOCDB: &[&str] = &["AWS::DocDB::DBCluster", "AWS::DocDB::GlobalCluster"];
const LB_KEY: &str = "deletion_protection.enabled";

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Whether a load balancer's properties (as a template or a live read has
/// them) turn deletion protection on.
pub fn load_balancer_protected(properties: &Value) -> bool {
    properties["LoadBalancerAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|a| a["Key"] == LB_KEY && truthy(&a["Value"]))
}

/// The resources of `template` with deletion protection on, in template order.
pub fn protected(template: &Value) -> Vec<Protected> {
    let Some(resources) = template["Resources"].as_object() else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| {
            let ty = r["Type"].as_str().unwrap_or("");
            let props = &r["Properties"];
            (ty == LB && load_balancer_protected(props))
                || (DOCDB.contains(&ty) && truthy(&props["DeletionProtection"]))
        })
        .map(|(id, r)| Protected {
            logical_id: id.clone(),
            resource_type: r["Type"].as_str().unwrap_or("").to_string(),
        })
        .collect()
}

/// `template` with deletion protection off on every resource that has it;
/// `None` when none has it.
pub fn unprotected(template: &Value) -> Option<Value> {
    if protected(template).is_empty() {
        return None;
    }
    let mut t = template.clone();
    if let Some(resources) = t["Resources"].as_object_mut() {
        for r in resources.values_mut() {
            let ty = r["Type"].as_str().unwrap_or("").to_string();
            if ty == LB {
                if let Some(attrs) = r["Properties"]["LoadBalancerAttributes"].as_array_mut() {
                    for a in attrs.iter_mut().filter(|a| a["Key"] == LB_KEY) {
                        a["Value"] = Value::String("false".into());
                    }
                }
            } else if DOCDB.contains(&ty.as_str()) && truthy(&r["Properties"]["DeletionProtection"])
            {
                r["Properties"]["DeletionProtection"] = Value::Bool(false);
            }
        }
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(lb: &str, docdb: Value) -> Value {
        json!({"Resources": {
            "LoadBalancer": {"Type": LB, "Properties": {"LoadBalancerAttributes": [
                {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
                {"Key": LB_KEY, "Value": lb}
            ]}},
            "Database": {"Type": "AWS::DocDB::DBCluster", "Properties": {"DeletionProtection": docdb}},
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}}
        }})
    }

    #[test]
    fn protection_is_found_and_turned_off() {
        let t = template("true", json!(true));
        let found: Vec<String> = protected(&t).into_iter().map(|p| p.logical_id).collect();
        assert_eq!(found, ["LoadBalancer", "Database"], "in template order");
        let off = unprotected(&t).expect("something to turn off");
        assert!(protected(&off).is_empty());
        assert_eq!(
            off["Resources"]["LoadBalancer"]["Properties"]["LoadBalancerAttributes"][0]["Value"],
            "60",
            "other attributes are kept"
        );
        assert_eq!(off["Resources"]["Vpc"], t["Resources"]["Vpc"]);
    }

    #[test]
    fn nothing_protected_nothing_to_change() {
        let t = template("false", json!(false));
        assert!(protected(&t).is_empty());
        assert_eq!(unprotected(&t), None);
        assert!(protected(&json!({})).is_empty());
        // CloudFormation accepts "true" as a string for a boolean too.
        assert_eq!(protected(&template("false", json!("true"))).len(), 1);
    }
}
