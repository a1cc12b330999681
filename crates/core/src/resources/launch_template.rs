//! `AWS::EC2::LaunchTemplate`: what the region's instances launch with.
//!
//! Every version CloudFormation makes becomes the latest; it leaves the
//! default at version 1 (cloudformation-coverage-roadmap#1518), so the
//! latest and any non-1 default must carry the plan's launch data. A repair
//! marks the launch data (a tag), which makes CloudFormation create a new
//! version with the plan's data.

use serde_json::{Value, json};

use super::comparison::{Comparison, Difference, ObservedResource, differs};
use super::{Cost, LiveRead, MARKER_KEY, Marking, ReadCall, ResourceType};
use crate::finding::{Repair, Severity};
use crate::template::{ValueType, same, selected, typed};

/// The registry entry.
pub const TYPE: ResourceType = ResourceType {
    name: TYPE_NAME,
    severity: Severity::Capacity,
    replaced_by: &["LaunchTemplateName"],
    read: LiveRead::ById(ReadCall::LaunchTemplate),
    compared: &[],
    compare: Some(compare),
    gone_as_expected: None,
    mark: Some(Marking {
        property: "LaunchTemplateData",
        apply: mark,
    }),
    cost: Cost::Ec2Instances,
};

/// The type's name.
pub const TYPE_NAME: &str = "AWS::EC2::LaunchTemplate";

/// The launch data compared: path, value type, severity.
const LAUNCH_DATA: &[(&str, ValueType, Severity)] = &[
    ("ImageId", ValueType::Str, Severity::Config),
    ("InstanceType", ValueType::Str, Severity::Capacity),
    (
        "MetadataOptions.HttpTokens",
        ValueType::Str,
        Severity::Security,
    ),
    (
        "MetadataOptions.HttpEndpoint",
        ValueType::Str,
        Severity::Security,
    ),
    (
        "MetadataOptions.HttpPutResponseHopLimit",
        ValueType::Int,
        Severity::Security,
    ),
    ("SecurityGroupIds", ValueType::Set, Severity::Security),
    ("Monitoring.Enabled", ValueType::Bool, Severity::Config),
];

/// One difference in launch data: path, expected, actual, severity.
pub type LaunchDataDifference = (String, Value, Value, Severity);

/// Differences between the planned launch data and a live version's.
pub fn launch_data_differences(want: &Value, got: &Value) -> Vec<LaunchDataDifference> {
    let mut out = Vec::new();
    for (path, value_type, severity) in LAUNCH_DATA {
        if let Some((w, g)) = differs(want, got, path, *value_type) {
            out.push((path.to_string(), w, g, *severity));
        }
    }
    for bdm in want["BlockDeviceMappings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let Some(device) = bdm["DeviceName"].as_str() else {
            continue;
        };
        let live = selected(&got["BlockDeviceMappings"], device);
        for (field, value_type, severity) in [
            ("Encrypted", ValueType::Bool, Severity::Security),
            ("VolumeSize", ValueType::Int, Severity::Config),
            ("VolumeType", ValueType::Str, Severity::Config),
        ] {
            let Some(w) = bdm["Ebs"].get(field).and_then(|v| typed(value_type, v)) else {
                continue;
            };
            let g = live
                .and_then(|l| l["Ebs"].get(field))
                .and_then(|v| typed(value_type, v))
                .unwrap_or(Value::Null);
            if !same(&w, &g) {
                out.push((
                    format!("BlockDeviceMappings[{device}].Ebs.{field}"),
                    w,
                    g,
                    severity,
                ));
            }
        }
    }
    out
}

/// The latest version, and the default where it is another one than 1.
fn compare(c: &mut Comparison<'_>, r: &ObservedResource<'_>) {
    let want = c.expected(r.logical_id)["LaunchTemplateData"].clone();
    let latest = r.live["LatestVersionNumber"].as_i64();
    let default = r.live["DefaultVersionNumber"].as_i64();
    let check = |c: &mut Comparison<'_>, n: Option<i64>, which: &str, repair: Repair| {
        let Some(n) = n else {
            return;
        };
        let Some(data) = r.live["Versions"].get(n.to_string()) else {
            return;
        };
        for (path, w, g, severity) in launch_data_differences(&want, data) {
            c.push(
                r.logical_id,
                TYPE_NAME,
                Difference::new(
                    format!("LaunchTemplateData.{path}"),
                    w,
                    g,
                    severity,
                    repair.clone(),
                )
                .note(format!("version {n} ({which})"))
                .discriminator(n.to_string()),
            );
        }
    };
    let both = latest == default;
    check(
        c,
        latest,
        if both { "latest and default" } else { "latest" },
        if both && default != Some(1) {
            Repair::DefaultVersion(r.logical_id.to_string())
        } else {
            Repair::Mark(r.logical_id.to_string())
        },
    );
    if !both && default.is_some_and(|d| d != 1) {
        check(
            c,
            default,
            "default",
            Repair::DefaultVersion(r.logical_id.to_string()),
        );
    }
}

/// A tag in the instances' tag specification: a new version with the
/// plan's launch data.
fn mark(properties: &mut Value, digest: &str) {
    let data = &mut properties["LaunchTemplateData"];
    let tag = json!({"Key": MARKER_KEY, "Value": digest});
    let specs = data
        .as_object_mut()
        .map(|d| d.entry("TagSpecifications").or_insert_with(|| json!([])));
    let Some(Value::Array(specs)) = specs else {
        return;
    };
    match specs
        .iter_mut()
        .find(|s| s["ResourceType"].as_str() == Some("instance"))
    {
        Some(s) => match s.get_mut("Tags") {
            Some(Value::Array(tags)) => tags.push(tag),
            _ => s["Tags"] = json!([tag]),
        },
        None => specs.push(json!({"ResourceType": "instance", "Tags": [tag]})),
    }
}
