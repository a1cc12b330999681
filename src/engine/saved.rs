//! Saved plans (`plan --out FILE`): what was seen and decided per region,
//! so that `apply FILE` applies exactly that or refuses when it is stale.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{EngineError, RegionPlan, StackAction};

/// The version of the saved-plan format.
pub const FORMAT_VERSION: u32 = 1;

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
    /// Per region.
    pub regions: BTreeMap<String, SavedRegion>,
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
    pub fn from_plans(plan: &crate::plan::Plan, regions: &[RegionPlan]) -> Self {
        SavedPlan {
            format_version: FORMAT_VERSION,
            kind: "streamscale-plan".into(),
            name: plan.name.clone(),
            environment: plan.environment.clone(),
            stack_name: plan.stack_name(),
            streamscale_version: env!("CARGO_PKG_VERSION").into(),
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
                                status: s.status.clone(),
                                last_updated: s.last_updated.clone(),
                                fingerprint: r.fingerprint.clone().unwrap_or_default(),
                            }),
                            change_set: r.change_set.as_ref().map(|c| SavedChangeSet {
                                name: c.name.clone(),
                                id: c.id.clone(),
                            }),
                            changes: serde_json::to_value(&r.changes).unwrap_or_default(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// Write as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), EngineError> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        std::fs::write(path, text).map_err(|e| EngineError::PlanFile {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Read and check the format.
    pub fn read(path: &Path) -> Result<Self, EngineError> {
        let err = |message: String| EngineError::PlanFile {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let saved: SavedPlan = serde_json::from_str(&text)
            .map_err(|e| err(format!("not a streamscale plan file: {e}")))?;
        if saved.kind != "streamscale-plan" || saved.format_version != FORMAT_VERSION {
            return Err(err(format!(
                "not a streamscale plan file of format {FORMAT_VERSION} (kind {}, format {})",
                saved.kind, saved.format_version
            )));
        }
        Ok(saved)
    }
}
