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
