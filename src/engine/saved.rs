//! Saved plans (`plan --out FILE`): what was seen and decided per region,
//! so that `apply FILE` applies exactly that or refuses when it is stale:
//! the stacks' changes and repairs, and the Cloudflare changes with a digest
//! of the live Cloudflare objects the plan read; and where it comes from
//! (the AWS account, the streamscale version, the git commit, the time),
//! so that apply refuses another account's plan or one too old.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use super::cloudflare::{CloudflarePlan, SavedCloudflare};
use super::provenance::Provenance;
use super::{EngineError, RegionPlan, StackAction};
use crate::aws::Aws;
use crate::aws::cloudformation::Stacks;
use streamscale_core::digest::{fingerprint, template_digest};
use streamscale_core::plan::Plan;
use streamscale_core::render::Rendered;
use streamscale_core::repair::RepairStep;

/// The version of the saved-plan format (2: typed drift repair steps and
/// the Cloudflare changes; 3: the AWS account, git commit and creation
/// time).
pub const FORMAT_VERSION: u32 = 3;

/// A saved plan file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Format version.
    pub format_version: u32,
    /// Always `streamscale-plan`.
    pub kind: String,
    /// Plan name.
    pub name: String,
    /// Environment.
    pub environment: String,
    /// Stack name.
    pub stack_name: String,
    /// The streamscale version that wrote it.
    pub streamscale_version: String,
    /// The AWS account the plan read (STS GetCallerIdentity); apply
    /// refuses to run it with another account's credentials.
    pub account_id: String,
    /// The commit of the git checkout the plan was made in (null outside
    /// a checkout).
    pub git_commit: Option<String>,
    /// When the plan was made (the run's clock, `--now`/`STREAMSCALE_NOW`).
    pub created_at: DateTime<Utc>,
    /// Per region.
    pub regions: BTreeMap<String, SavedRegion>,
    /// The Cloudflare changes the plan showed (absent: Cloudflare was not
    /// read, e.g. no token, or not every region had a stack yet; apply then
    /// changes nothing on Cloudflare).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudflare: Option<SavedCloudflare>,
}

/// The fields every format version has, read before the rest.
#[derive(Deserialize)]
struct Head {
    kind: Option<String>,
    format_version: Option<u32>,
    streamscale_version: Option<String>,
}

/// One region of a saved plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedRegion {
    /// What apply does.
    pub action: StackAction,
    /// sha256 of the rendered template and parameters.
    pub template_sha256: String,
    /// The stack as seen (absent for a create).
    pub stack: Option<SavedStack>,
    /// The change set to execute (updates).
    pub change_set: Option<SavedChangeSet>,
    /// The changes shown.
    pub changes: serde_json::Value,
    /// The drift repair apply runs after the change set (empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repair_steps: Vec<RepairStep>,
}

/// The stack as the plan saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedStack {
    /// Stack id.
    pub id: String,
    /// Status.
    pub status: String,
    /// LastUpdatedTime as seen.
    pub last_updated: Option<String>,
    /// Fingerprint (id, status, times, template, parameters, tags).
    pub fingerprint: String,
}

/// A change set kept for apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedChangeSet {
    /// Name.
    pub name: String,
    /// Id (ARN).
    pub id: String,
}

impl SavedPlan {
    /// Build from region plans.
    pub fn from_plans(
        plan: &streamscale_core::plan::Plan,
        regions: &[RegionPlan],
        cloudflare: &CloudflarePlan,
        provenance: Provenance,
    ) -> Self {
        SavedPlan {
            format_version: FORMAT_VERSION,
            kind: "streamscale-plan".into(),
            name: plan.name.clone(),
            environment: plan.environment.clone(),
            stack_name: plan.stack_name(),
            streamscale_version: env!("CARGO_PKG_VERSION").into(),
            account_id: provenance.account_id,
            git_commit: provenance.git_commit,
            created_at: provenance.created_at,
            regions: regions
                .iter()
                .map(|r| {
                    (
                        r.region.clone(),
                        SavedRegion {
                            action: r.action,
                            template_sha256: r.template_sha256.clone(),
                            stack: r.stack.as_ref().map(|s| SavedStack {
                                id: s.id.clone(),
                                status: s.status.to_string(),
                                last_updated: s.last_updated.clone(),
                                fingerprint: r.fingerprint.clone().unwrap_or_default(),
                            }),
                            change_set: r.change_set.as_ref().map(|c| SavedChangeSet {
                                name: c.name.clone(),
                                id: c.id.clone(),
                            }),
                            changes: serde_json::to_value(&r.changes).unwrap_or_default(),
                            repair_steps: r.repair_steps.clone(),
                        },
                    )
                })
                .collect(),
            cloudflare: cloudflare.saved.clone(),
        }
    }

    /// Where the plan comes from, in one line for the log of the job that
    /// applies it.
    pub fn provenance_line(&self) -> String {
        format!(
            "Saved plan made {} by streamscale {}{} for AWS account {}",
            self.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.streamscale_version,
            self.git_commit.as_deref().map_or_else(
                || " outside a git checkout".to_string(),
                |c| format!(" at commit {c}")
            ),
            self.account_id
        )
    }

    /// The file's text: pretty JSON with a final newline.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Parse a plan file's text (read from `path`) and check its format.
    pub fn from_text(path: &Path, text: &str) -> Result<Self, EngineError> {
        let err = |message: String| EngineError::PlanFile {
            path: path.display().to_string(),
            message,
        };
        // The head first, so that another format is named as such rather
        // than as a missing field.
        let head: Head = serde_json::from_str(text)
            .map_err(|e| err(format!("not a streamscale plan file: {e}")))?;
        if head.kind.as_deref() != Some("streamscale-plan") {
            return Err(err(format!(
                "not a streamscale plan file (kind {})",
                head.kind.as_deref().unwrap_or("missing")
            )));
        }
        if head.format_version != Some(FORMAT_VERSION) {
            let format = head.format_version.map_or_else(
                || "no format version".to_string(),
                |v| format!("format {v}"),
            );
            let writer = head
                .streamscale_version
                .map_or_else(String::new, |v| format!(", written by streamscale {v}"));
            return Err(err(format!(
                "this plan file is {format}{writer}; streamscale {} reads format {FORMAT_VERSION} only: make the plan again with `streamscale plan --out FILE`",
                env!("CARGO_PKG_VERSION")
            )));
        }
        serde_json::from_str(text).map_err(|e| err(format!("not a streamscale plan file: {e}")))
    }
}

/// Rebuild region plans from a saved plan, refusing when it is stale.
pub async fn plans_from_saved(
    aws: &Aws,
    plan: &Plan,
    rendered: &Rendered,
    saved: &SavedPlan,
    only: &[String],
) -> Result<Vec<RegionPlan>, EngineError> {
    let stale = EngineError::Stale;
    if saved.name != plan.name || saved.environment != plan.environment {
        return Err(stale(format!(
            "it was made for {} {}, not {} {}",
            saved.name, saved.environment, plan.name, plan.environment
        )));
    }
    let mut plans = Vec::new();
    for (region, sr) in &saved.regions {
        if !only.is_empty() && !only.contains(region) {
            continue;
        }
        let stack = rendered
            .stacks
            .iter()
            .find(|s| &s.region == region)
            .ok_or_else(|| stale(format!("{region} is no longer in the plan")))?;
        if template_digest(stack) != sr.template_sha256 {
            return Err(stale(format!(
                "{region}: the environment renders differently now than when the plan was saved"
            )));
        }
        let stacks = Stacks::new(region, aws.cloudformation(region));
        let info = stacks.describe(&saved.stack_name).await?;
        match (&sr.stack, &info) {
            (None, None) => {}
            (None, Some(i)) => {
                return Err(stale(format!(
                    "{region}: stack {} was created since ({})",
                    saved.stack_name, i.status
                )));
            }
            (Some(_), None) => {
                return Err(stale(format!(
                    "{region}: stack {} was deleted since",
                    saved.stack_name
                )));
            }
            (Some(s), Some(i)) => {
                let deployed = stacks.template(&saved.stack_name).await?;
                if fingerprint(i, &deployed) != s.fingerprint {
                    return Err(stale(format!(
                        "{region}: stack {} changed since the plan (status {} → {}, last updated {} → {})",
                        saved.stack_name,
                        s.status,
                        i.status,
                        s.last_updated.as_deref().unwrap_or("never"),
                        i.last_updated.as_deref().unwrap_or("never"),
                    )));
                }
            }
        }
        let change_set = match (&sr.change_set, &info) {
            (Some(cs), Some(_)) => {
                let got = stacks
                    .describe_change_set(&saved.stack_name, &cs.id, &cs.name)
                    .await
                    .map_err(|e| match &e {
                        // CloudFormation no longer has it: the plan is stale.
                        crate::aws::AwsError::Call { message, .. }
                            if message.starts_with("ChangeSetNotFound") =>
                        {
                            stale(format!("{region}: change set {} no longer exists", cs.name))
                        }
                        // Anything else (access, throttling, the network)
                        // is an error of its own, never read as "stale".
                        _ => EngineError::from(e),
                    })?;
                Some(got)
            }
            _ => None,
        };
        plans.push(RegionPlan {
            region: region.clone(),
            stack_name: saved.stack_name.clone(),
            action: sr.action,
            stack: info,
            fingerprint: sr.stack.as_ref().map(|s| s.fingerprint.clone()),
            template_sha256: sr.template_sha256.clone(),
            change_set,
            changes: serde_json::from_value(sr.changes.clone()).map_err(|e| {
                stale(format!(
                    "{region}: the plan file's changes do not parse ({e}): make the plan again"
                ))
            })?,
            notes: Vec::new(),
            drift: Vec::new(),
            repair_steps: sr.repair_steps.clone(),
        });
    }
    Ok(plans)
}
