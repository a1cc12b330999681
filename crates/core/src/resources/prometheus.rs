//! Amazon Managed Service for Prometheus (SPEC §7 `[monitoring]`):
//! `AWS::APS::Workspace` and `AWS::APS::RuleGroupsNamespace`.
//!
//! `replaced_by` lists the top-level `createOnlyProperties` of each type's
//! CloudFormation registry schema (cfn-lint's copy). The workspace's alias
//! and logging and the namespace's rules data change in place
//! (UpdateWorkspaceAlias, UpdateLoggingConfiguration,
//! PutRuleGroupsNamespace), so apply restores them.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::comparison::{Comparison, Difference, ObservedResource};
use super::{Cost, LiveRead, Property, ReadCall, ResourceType};
use crate::finding::{Repair, Severity};
use crate::template::{ValueType, is_unknown};

/// `AWS::APS::Workspace`: physical id = the workspace ARN.
pub const WORKSPACE: ResourceType = ResourceType {
    name: "AWS::APS::Workspace",
    severity: Severity::Config,
    replaced_by: &["KmsKeyArn"],
    read: LiveRead::ById(ReadCall::ApsWorkspace),
    compared: &[
        Property::new("Alias", ValueType::Str, Severity::Config),
        Property::new("KmsKeyArn", ValueType::Str, Severity::Security),
    ],
    compare: Some(compare_workspace),
    gone_as_expected: None,
    mark: None,
    cost: Cost::NotPriced("AMP samples ingested (estimated in the report's platform section)"),
};

/// `AWS::APS::RuleGroupsNamespace`: physical id = the namespace ARN
/// (`…:rulegroupsnamespace/<workspace id>/<name>`).
pub const RULE_GROUPS_NAMESPACE: ResourceType = ResourceType {
    name: "AWS::APS::RuleGroupsNamespace",
    severity: Severity::Config,
    replaced_by: &["Name", "Workspace"],
    read: LiveRead::ById(ReadCall::ApsRuleGroupsNamespace),
    compared: &[],
    compare: Some(compare_rules),
    gone_as_expected: None,
    mark: None,
    cost: Cost::Free,
};

/// The properties, then where the workspace logs: a log group changed by
/// hand is recorded as it is; logging turned off is recorded as an empty
/// `LoggingConfiguration` (a template never holds a null), and the plan's
/// put back (UpdateLoggingConfiguration, CreateLoggingConfiguration).
fn compare_workspace(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.compared_properties(r);
    let want = &expected["LoggingConfiguration"]["LogGroupArn"];
    if !want.is_string() || is_unknown(want) {
        return;
    }
    let got = &r.live["LoggingConfiguration"]["LogGroupArn"];
    if want == got {
        return;
    }
    let recorded = match got {
        Value::String(_) => serde_json::json!({"LogGroupArn": got}),
        _ => serde_json::json!({}),
    };
    c.push(
        r.logical_id,
        WORKSPACE.name,
        Difference::new(
            "LoggingConfiguration",
            want.clone(),
            got.clone(),
            Severity::Config,
            Repair::Record(recorded),
        )
        .note("the CloudWatch Logs log group the workspace logs to"),
    );
}

/// The rules data, by content digest (the first 16 hex digits of the
/// file's SHA-256, as `sha256sum` prints it): shown as the two digests
/// (the whole files would not fit a table) with the rule groups and alerts
/// that differ in the note. Apply records the live data and puts the
/// plan's back (PutRuleGroupsNamespace).
fn compare_rules(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let expected = c.expected(r.logical_id);
    let Some(want) = expected["Data"]
        .as_str()
        .filter(|w| !is_unknown(&expected["Data"]) && !w.is_empty())
    else {
        return;
    };
    let got = r.live["Data"].as_str();
    if got == Some(want) {
        return;
    }
    // The plain SHA-256 of the file, so that `sha256sum rules.yaml` shows it.
    let digest = |s: &str| {
        format!(
            "sha256:{}",
            &hex::encode(Sha256::digest(s.as_bytes()))[..16]
        )
    };
    let actual = got.map_or(Value::Null, |g| Value::String(digest(g)));
    let note = match got {
        None => "no rules data".to_string(),
        Some(g) => {
            let (w, l) = (names(want), names(g));
            let missing: Vec<&str> = w
                .iter()
                .filter(|n| !l.contains(n))
                .map(String::as_str)
                .collect();
            let extra: Vec<&str> = l
                .iter()
                .filter(|n| !w.contains(n))
                .map(String::as_str)
                .collect();
            match (missing.is_empty(), extra.is_empty()) {
                (true, true) => {
                    "same groups and rules, other expressions, labels or thresholds".to_string()
                }
                _ => format!(
                    "missing live: {}; not in the plan: {}",
                    list(&missing),
                    list(&extra)
                ),
            }
        }
    };
    c.push(
        r.logical_id,
        RULE_GROUPS_NAMESPACE.name,
        Difference::new(
            "Data",
            Value::String(digest(want)),
            actual,
            Severity::Config,
            Repair::Record(got.map_or(Value::Null, Value::from)),
        )
        .note(note),
    );
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// The rule groups and their alerts and records named in a rules file
/// (`group`, `group/alert`), read line by line: the file is YAML that
/// streamscale renders, or that someone uploaded, so this only looks for
/// the `name:`, `alert:` and `record:` keys.
fn names(data: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut group = String::new();
    for line in data.lines() {
        let t = line.trim_start().trim_start_matches("- ");
        let value = |key: &str| {
            t.strip_prefix(key)
                .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        };
        if let Some(g) = value("name:") {
            group = g;
            out.push(group.clone());
        } else if let Some(a) = value("alert:").or_else(|| value("record:")) {
            out.push(format!("{group}/{a}"));
        }
    }
    out
}
