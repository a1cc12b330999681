//! The locked-down origin against moto: the load balancer admits only
//! Cloudflare's prefix lists, and `drift` finds a rule opened by hand to
//! 0.0.0.0/0 on 443 (a security finding that `apply` revokes), a range added
//! by hand to a Cloudflare prefix list, and the listeners as planned.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use scenario::{Scenario, TWO};
use serde_json::{Value, json};

#[test]
fn https_from_the_world_opened_by_hand_is_found_and_revoked() {
    let https = json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"});
    Scenario::new("lock-443")
        .regions(TWO)
        .applied()
        .check_live(|aws| {
            // Only the two Cloudflare prefix lists, on 80 and 443.
            let rules = aws.load_balancer_security_group("us-east-1").ingress();
            assert!(!rules.is_empty());
            for r in &rules {
                assert!(
                    r.cidrs.is_empty(),
                    "a CIDR rule on the load balancer: {:?}",
                    r.cidrs
                );
            }
        })
        .change(|aws| {
            aws.load_balancer_security_group("us-east-1")
                .open("tcp", 443, "0.0.0.0/0")
        })
        .drift()
        .finds_one(
            "LoadBalancerSecurityGroup",
            "SecurityGroupIngress",
            Value::Null,
            https,
        )
        .in_region("us-east-1")
        .with_severity("security")
        .plan()
        .repairs("LoadBalancerSecurityGroup", "SecurityGroupIngress")
        .apply()
        .check_live(|aws| {
            let rules = aws.load_balancer_security_group("us-east-1").ingress();
            assert!(
                rules.iter().all(|r| r.cidrs.is_empty()),
                "a CIDR rule is left"
            );
        })
        .is_clean();
}
