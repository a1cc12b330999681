//! CloudFormation's drift detection (DetectStackDrift), as data: the
//! resource drifts it reports, turned into findings for the resources
//! streamscale does not read itself (for the ones it reads, its own typed
//! comparison with the plan wins, so nothing is counted twice).

use serde_json::Value;

use super::{Finding, FindingSource, Repair};
use crate::resources;

/// One resource drift as CloudFormation's drift detection reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDrift {
    /// Logical id.
    pub logical_id: String,
    /// Physical id.
    pub physical_id: Option<String>,
    /// Resource type.
    pub resource_type: String,
    /// `MODIFIED`, `DELETED`, `IN_SYNC`, `NOT_CHECKED`, `UNKNOWN`.
    pub status: String,
    /// `(property path, expected, actual, ADD|REMOVE|NOT_EQUAL)`.
    pub differences: Vec<(String, Option<String>, Option<String>, String)>,
}

/// CloudFormation's findings for the resources streamscale does not read
/// (for the ones it reads, its own typed comparison with the plan wins).
pub fn cloudformation_findings(region: &str, drifts: &[ResourceDrift]) -> Vec<Finding> {
    let parse = |s: &Option<String>| -> Value {
        match s {
            None => Value::Null,
            Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
        }
    };
    let mut out = Vec::new();
    for d in drifts {
        if resources::is_read(&d.resource_type) {
            continue;
        }
        let base = |path: String, expected: Value, actual: Value, note: Option<String>| Finding {
            region: region.to_string(),
            logical_id: d.logical_id.clone(),
            physical_id: d.physical_id.clone(),
            resource_type: d.resource_type.clone(),
            key: format!("{}|{path}|cfn", d.logical_id),
            path,
            expected,
            actual,
            severity: resources::severity_of(&d.resource_type),
            source: FindingSource::Cloudformation,
            note,
            repair: Repair::No(
                "found by CloudFormation drift detection: change it back by hand".into(),
            ),
        };
        if d.status == "DELETED" {
            out.push(base(
                String::new(),
                Value::String("exists".into()),
                Value::String("deleted".into()),
                None,
            ));
            continue;
        }
        for (path, expected, actual, kind) in &d.differences {
            let path = path.trim_start_matches('/').replace('/', ".");
            out.push(base(
                path,
                parse(expected),
                parse(actual),
                Some(format!("difference {kind}")),
            ));
        }
    }
    out
}

/// What a failed drift-detection call means for the region, decided from
/// the HTTP status and AWS's error code alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFailure {
    /// The endpoint does not implement the API (HTTP 501, or a code that
    /// says the action is unknown): `drift` may degrade to its live reads.
    NotImplemented,
    /// The service is throttling: retry with backoff.
    Throttled,
    /// Anything else (access denied, internal error, validation, no
    /// response): the region's drift is incomplete, never clean.
    Failed,
}

/// Error codes that say the endpoint has no such operation.
const NOT_IMPLEMENTED_CODES: &[&str] = &[
    "NotImplemented",
    "UnknownOperation",
    "UnknownOperationException",
    "InvalidAction",
];

/// Error codes AWS services use for throttling.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "PriorRequestNotComplete",
];

/// Classify a failed drift-detection call by its HTTP status and error
/// code (`None` when no response came).
pub fn classify_call_failure(http_status: Option<u16>, code: Option<&str>) -> CallFailure {
    if http_status == Some(501) || code.is_some_and(|c| NOT_IMPLEMENTED_CODES.contains(&c)) {
        CallFailure::NotImplemented
    } else if http_status == Some(429) || code.is_some_and(|c| THROTTLING_CODES.contains(&c)) {
        CallFailure::Throttled
    } else {
        CallFailure::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_endpoint_without_the_api_degrades() {
        use CallFailure::*;
        let cases: &[(Option<u16>, Option<&str>, CallFailure)] = &[
            (Some(501), Some("NotImplemented"), NotImplemented),
            (Some(501), None, NotImplemented),
            (Some(400), Some("UnknownOperation"), NotImplemented),
            (Some(400), Some("InvalidAction"), NotImplemented),
            (Some(400), Some("UnknownOperationException"), NotImplemented),
            (Some(400), Some("Throttling"), Throttled),
            (Some(400), Some("ThrottlingException"), Throttled),
            (Some(503), Some("RequestLimitExceeded"), Throttled),
            (Some(429), None, Throttled),
            (Some(403), Some("AccessDenied"), Failed),
            (Some(403), Some("AccessDeniedException"), Failed),
            (Some(500), Some("InternalFailure"), Failed),
            (Some(500), None, Failed),
            (Some(400), Some("ValidationError"), Failed),
            (None, None, Failed),
        ];
        for (status, code, want) in cases {
            assert_eq!(
                classify_call_failure(*status, *code),
                *want,
                "{status:?} {code:?}"
            );
        }
    }
}
