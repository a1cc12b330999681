//! The locked-down origin's part of the stack context (`security` in
//! docs/templates.md): the HTTPS listener's certificate and TLS policy,
//! Cloudflare's ranges for the prefix lists, the access-log bucket, deletion
//! protection, and the checkov checks each resource skips with the reason
//! (docs/security.md lists them all).

use serde::Serialize;
use serde_json::{Value, json};

use crate::origin;
use crate::plan::{Plan, Region};

/// The TLS policy of every HTTPS listener: TLS 1.3 and 1.2 only, forward
/// secrecy (AWS's recommended policy).
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// The key prefix the load balancer writes its access logs under.
pub const ACCESS_LOG_PREFIX: &str = "alb";

/// A checkov check a resource does not pass by design, and why.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckovSkip {
    /// The check id (`CKV_AWS_18`).
    pub id: &'static str,
    /// Why it does not apply (shown by checkov and in docs/security.md).
    pub comment: &'static str,
}

/// Checks the access-log bucket skips.
pub const ACCESS_LOG_BUCKET_SKIPS: &[CheckovSkip] = &[CheckovSkip {
    id: "CKV_AWS_18",
    comment: "This bucket is the access-log destination itself: logging its own access into another bucket would need a log bucket for every log bucket. Who reads it is recorded by CloudTrail data events where the account enables them.",
}];

/// Checks the cache's AUTH secret skips.
pub const CACHE_SECRET_SKIPS: &[CheckovSkip] = &[CheckovSkip {
    id: "CKV_AWS_149",
    comment: "Encrypted with the account's AWS managed key for Secrets Manager (aws/secretsmanager): only principals of this account with secretsmanager:GetSecretValue can read it; a customer managed key adds a per-region key to manage without narrowing who reads it.",
}];

/// Checks the DocumentDB master user's secret skips (the same reason as the
/// cache's secret).
pub const DATABASE_SECRET_SKIPS: &[CheckovSkip] = CACHE_SECRET_SKIPS;

/// Every skip streamscale may render, for docs/security.md and its test.
pub fn all_skips() -> Vec<(&'static str, CheckovSkip)> {
    let mut out = Vec::new();
    for s in ACCESS_LOG_BUCKET_SKIPS {
        out.push(("AccessLogBucket", *s));
    }
    for s in CACHE_SECRET_SKIPS {
        out.push(("CacheAuthSecret", *s));
    }
    for s in DATABASE_SECRET_SKIPS {
        out.push(("DatabaseSecret", *s));
    }
    out
}

/// The account ELB delivers access logs from, in the regions opened
/// before August 2022; newer regions use the log-delivery service
/// principal (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>).
pub fn elb_log_account(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "127311923021",
        "us-east-2" => "033677994240",
        "us-west-1" => "027434742980",
        "us-west-2" => "797873946194",
        "af-south-1" => "098369216593",
        "ap-east-1" => "754344448648",
        "ap-south-1" => "718504428378",
        "ap-northeast-1" => "582318560864",
        "ap-northeast-2" => "600734575887",
        "ap-northeast-3" => "383597477331",
        "ap-southeast-1" => "114774131450",
        "ap-southeast-2" => "783225319266",
        "ap-southeast-3" => "589379963580",
        "ca-central-1" => "985666609251",
        "eu-central-1" => "054676820928",
        "eu-west-1" => "156460612806",
        "eu-west-2" => "652711504416",
        "eu-west-3" => "009996457667",
        "eu-south-1" => "635631232127",
        "eu-north-1" => "897822967062",
        "me-south-1" => "076674570225",
        "sa-east-1" => "507241528517",
        _ => return None,
    })
}

/// The bucket policy's principal for ELB log delivery in `region`, as the
/// JSON text the template embeds.
fn delivery_principal(region: &str) -> Value {
    match elb_log_account(region) {
        Some(account) => {
            json!({"AWS": {"Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{account}:root")}})
        }
        None => json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
    }
}

/// The `security` object of the stack context.
pub fn context(plan: &Plan, region: &Region) -> Value {
    let ranges = &plan.origin_ranges;
    json!({
        "https": {
            "certificate_arn": region.certificate_arn,
            "ssl_policy": SSL_POLICY,
        },
        "origin": {
            "source": ranges.source,
            "ipv4": ranges.ipv4,
            "ipv6": ranges.ipv6,
            "ipv4_max_entries": origin::max_entries(ranges.ipv4.len()),
            "ipv6_max_entries": origin::max_entries(ranges.ipv6.len()),
        },
        "access_logs": {
            "expiry_days": plan.access_log_expiry_days,
            "prefix": ACCESS_LOG_PREFIX,
            "delivery_principal": delivery_principal(&region.name).to_string(),
            "bucket_skips": ACCESS_LOG_BUCKET_SKIPS,
        },
        "deletion_protection": plan.deletion_protection,
        "cache_secret_skips": CACHE_SECRET_SKIPS,
        "database_secret_skips": DATABASE_SECRET_SKIPS,
    })
}
