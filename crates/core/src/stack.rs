//! A CloudFormation stack as streamscale sees it: its status (typed, and
//! classified in one place), its description, resources, events and change
//! sets. The AWS adapter fills these from the SDK's types.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A stack's status, as CloudFormation names it (`UPDATE_COMPLETE`, …).
///
/// Every decision about a status (busy, failed, finished, never created)
/// is one of its methods, so no caller matches status strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StackStatus(String);

/// What a finished stack operation came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operation did what was asked (`CREATE_COMPLETE`, `UPDATE_COMPLETE`, …).
    Succeeded,
    /// It failed or rolled back.
    Failed,
    /// It is still running.
    Running,
    /// The stack is gone (`DELETE_COMPLETE`).
    Deleted,
}

impl StackStatus {
    /// The status of that name.
    pub fn new(name: impl Into<String>) -> Self {
        StackStatus(name.into())
    }

    /// CloudFormation's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An operation is running: nothing else may start on the stack.
    /// (`REVIEW_IN_PROGRESS` is a stack that only has a change set.)
    pub fn is_busy(&self) -> bool {
        self.0.ends_with("_IN_PROGRESS") && self.0 != "REVIEW_IN_PROGRESS"
    }

    /// The stack was never created: a failed first create
    /// (`ROLLBACK_COMPLETE`, to delete before creating again) or a stack
    /// that only holds a change set (`REVIEW_IN_PROGRESS`).
    pub fn never_created(&self) -> bool {
        matches!(self.0.as_str(), "ROLLBACK_COMPLETE" | "REVIEW_IN_PROGRESS")
    }

    /// A failed create that must be deleted before a new create.
    pub fn is_rolled_back_create(&self) -> bool {
        self.0 == "ROLLBACK_COMPLETE"
    }

    /// The stack is gone.
    pub fn is_deleted(&self) -> bool {
        self.0 == "DELETE_COMPLETE"
    }

    /// What the last operation came to.
    pub fn outcome(&self) -> Outcome {
        if self.is_busy() {
            Outcome::Running
        } else if self.is_deleted() {
            Outcome::Deleted
        } else if self.0.ends_with("_FAILED")
            || matches!(
                self.0.as_str(),
                "ROLLBACK_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_ROLLBACK_COMPLETE"
            )
        {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        }
    }
}

impl fmt::Display for StackStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for StackStatus {
    fn from(s: &str) -> Self {
        StackStatus::new(s)
    }
}

/// A stack as DescribeStacks gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackInfo {
    /// Stack id (ARN).
    pub id: String,
    /// Status.
    pub status: StackStatus,
    /// Why it is in that status.
    pub status_reason: Option<String>,
    /// LastUpdatedTime (RFC 3339), if CloudFormation gives one.
    pub last_updated: Option<String>,
    /// CreationTime (RFC 3339).
    pub created: Option<String>,
    /// Parameters.
    pub parameters: BTreeMap<String, String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Outputs.
    pub outputs: BTreeMap<String, String>,
}

/// One resource of a stack (ListStackResources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    /// Logical id.
    pub logical_id: String,
    /// Physical id, once created.
    pub physical_id: Option<String>,
    /// Resource type.
    pub resource_type: String,
    /// Resource status (`CREATE_COMPLETE`, …).
    pub status: String,
}

/// A stack event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    /// Event id.
    pub id: String,
    /// RFC 3339 timestamp.
    pub timestamp: String,
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource status.
    pub status: String,
    /// Reason.
    pub reason: Option<String>,
}

impl StackEvent {
    /// A resource operation failed (the event names the cause).
    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

/// One row of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// Add, Modify, Remove, Import, Dynamic.
    pub action: String,
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// True, False, Conditional (Modify only).
    pub replacement: Option<String>,
    /// Properties CloudFormation says change (when it says).
    pub properties: Vec<String>,
}

/// A change set as DescribeChangeSet gives it.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// Its name.
    pub name: String,
    /// Its id (ARN).
    pub id: String,
    /// Status (`CREATE_COMPLETE`, `FAILED`, …).
    pub status: String,
    /// Status reason.
    pub reason: Option<String>,
    /// The changes.
    pub changes: Vec<ChangeRow>,
}

/// What a finished change set says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeSetState {
    /// Still being created.
    Pending,
    /// Ready to execute.
    Ready,
    /// CloudFormation found nothing to change: the only failure that means
    /// "no changes" ("The submitted information didn't contain changes…").
    NoChanges,
    /// Failed for another reason: AWS's reason.
    Failed(String),
}

impl ChangeSet {
    /// What the change set says, from its status and reason.
    pub fn state(&self) -> ChangeSetState {
        match self.status.as_str() {
            "CREATE_PENDING" | "CREATE_IN_PROGRESS" => ChangeSetState::Pending,
            "FAILED" => {
                let reason = self.reason.clone().unwrap_or_default();
                if reason.contains("didn't contain changes")
                    || reason.contains("No updates are to be performed")
                {
                    ChangeSetState::NoChanges
                } else if reason.is_empty() {
                    ChangeSetState::Failed("the change set failed (no reason given)".into())
                } else {
                    ChangeSetState::Failed(reason)
                }
            }
            _ => ChangeSetState::Ready,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_once() {
        let s = |x: &str| StackStatus::new(x);
        assert!(s("UPDATE_IN_PROGRESS").is_busy());
        assert!(s("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS").is_busy());
        assert!(!s("REVIEW_IN_PROGRESS").is_busy());
        assert!(s("REVIEW_IN_PROGRESS").never_created());
        assert!(s("ROLLBACK_COMPLETE").never_created());
        assert_eq!(s("UPDATE_ROLLBACK_COMPLETE").outcome(), Outcome::Failed);
        assert_eq!(s("CREATE_FAILED").outcome(), Outcome::Failed);
        assert_eq!(s("UPDATE_COMPLETE").outcome(), Outcome::Succeeded);
        assert_eq!(s("DELETE_IN_PROGRESS").outcome(), Outcome::Running);
    }

    #[test]
    fn only_the_empty_change_set_failure_means_no_changes() {
        let cs = |reason: &str| ChangeSet {
            name: "n".into(),
            id: "i".into(),
            status: "FAILED".into(),
            reason: Some(reason.into()),
            changes: Vec::new(),
        };
        assert_eq!(
            cs("The submitted information didn't contain changes. Submit different information to create a change set.").state(),
            ChangeSetState::NoChanges
        );
        assert_eq!(
            cs("Template format error: Unresolved resource dependencies [X]").state(),
            ChangeSetState::Failed(
                "Template format error: Unresolved resource dependencies [X]".into()
            )
        );
    }
}
