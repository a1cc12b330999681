//! AMIs a stack launches: which ones a template names, and whether the
//! region has each of them, current. An AMI is regional and can be
//! deprecated; CloudFormation only finds out when the launch template or
//! instance is created, mid-apply. `plan` asks EC2 first (DescribeImages,
//! one call per region for all its AMIs) and hands the answer here.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// One image DescribeImages returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundImage {
    /// `ami-…`.
    pub id: String,
    /// When AWS deprecates (or deprecated) it, if it is scheduled to.
    pub deprecation_time: Option<DateTime<Utc>>,
}

/// What is wrong with one AMI a stack uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmiProblem {
    /// The region has no such image (or the account may not launch it).
    Missing {
        /// The AMI id.
        id: String,
    },
    /// The image is deprecated.
    Deprecated {
        /// The AMI id.
        id: String,
        /// Since when.
        since: DateTime<Utc>,
    },
}

impl std::fmt::Display for AmiProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmiProblem::Missing { id } => write!(
                f,
                "AMI {id} does not exist in this region (or this account may not launch it)"
            ),
            AmiProblem::Deprecated { id, since } => write!(
                f,
                "AMI {id} is deprecated since {}",
                since.format("%Y-%m-%dT%H:%M:%SZ")
            ),
        }
    }
}

/// Every AMI id a template launches: each `ImageId` string property,
/// wherever it is (launch templates, instances).
pub fn amis_in_template(template: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(template, &mut out);
    out
}

fn collect(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == "ImageId" && s.starts_with("ami-") => {
                        out.insert(s.clone());
                    }
                    _ => collect(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        _ => {}
    }
}

/// The problems of the AMIs `wanted` given what DescribeImages `found` in
/// their region at `now`: a missing image, or one deprecated at or before
/// `now`. Empty when every AMI is there and current.
pub fn check_amis(
    wanted: &BTreeSet<String>,
    found: &[FoundImage],
    now: DateTime<Utc>,
) -> Vec<AmiProblem> {
    wanted
        .iter()
        .filter_map(|id| match found.iter().find(|f| &f.id == id) {
            None => Some(AmiProblem::Missing { id: id.clone() }),
            Some(FoundImage {
                deprecation_time: Some(since),
                ..
            }) if *since <= now => Some(AmiProblem::Deprecated {
                id: id.clone(),
                since: *since,
            }),
            Some(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn finds_every_image_id_of_a_template() {
        let template = json!({"Resources": {
            "LaunchTemplate": {"Properties": {"LaunchTemplateData": {"ImageId": "ami-0123456789abcdef0"}}},
            "Bastion": {"Properties": {"ImageId": "ami-0fedcba9876543210"}},
            "Other": {"Properties": {"ImageId": {"Ref": "Ami"}}}
        }});
        let ids: Vec<_> = amis_in_template(&template).into_iter().collect();
        assert_eq!(ids, ["ami-0123456789abcdef0", "ami-0fedcba9876543210"]);
    }

    #[test]
    fn missing_and_deprecated_images_are_problems_a_future_deprecation_is_not() {
        let wanted: BTreeSet<String> = [
            "ami-00000001",
            "ami-00000002",
            "ami-00000003",
            "ami-00000004",
        ]
        .map(String::from)
        .into();
        let found = [
            FoundImage {
                id: "ami-00000002".into(),
                deprecation_time: Some(t("2024-01-01T00:00:00Z")),
            },
            FoundImage {
                id: "ami-00000003".into(),
                deprecation_time: Some(t("2030-01-01T00:00:00Z")),
            },
            FoundImage {
                id: "ami-00000004".into(),
                deprecation_time: None,
            },
        ];
        assert_eq!(
            check_amis(&wanted, &found, t("2026-12-01T00:00:00Z")),
            [
                AmiProblem::Missing {
                    id: "ami-00000001".into()
                },
                AmiProblem::Deprecated {
                    id: "ami-00000002".into(),
                    since: t("2024-01-01T00:00:00Z")
                },
            ]
        );
    }
}
