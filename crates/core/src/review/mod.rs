//! The plan as people review it in CI: the risk items a reviewer must see
//! ([`risk`]), the gates that fail a job on them, and the markdown a
//! pull-request comment, a step summary or a merge-request note shows
//! ([`markdown`]). Pure: the CLI builds a [`PlanReview`] from what the
//! engine planned (or from a drift run) and picks the output.

pub mod drift;
pub mod markdown;
pub mod risk;

use serde::Serialize;
use serde_json::Value;

use crate::diff::{Action, PropertyChange, ResourceChange};

pub use drift::{render_drift_markdown, review_of_drift};
pub use markdown::render_markdown;
pub use risk::{Gate, GateFailure, RiskItem, RiskKind, classify, gate_failures, parse_gates};

/// Which command produced the review (it names the headline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewCommand {
    /// `plan`: what apply would change.
    Plan,
    /// `drift`: what runs against the plan.
    Drift,
}

/// A plan (or a drift run) in the form a review reads.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReview {
    /// `plan` or `drift`.
    pub command: ReviewCommand,
    /// The environment (`prod`).
    pub environment: String,
    /// sha256 (hex) of the plan as planned: the hidden marker carries it.
    pub plan_sha256: String,
    /// Regions, in the plan's order.
    pub regions: Vec<RegionReview>,
    /// Cloudflare objects that change.
    pub cloudflare: Vec<CloudflareItem>,
    /// The next scheduled event still ahead, when the plan has one: capacity
    /// going down before it is a risk item.
    pub upcoming_event: Option<UpcomingEvent>,
    /// Where the full plan is (an artifact, a command), for the line that
    /// says what a size limit left out.
    pub full_plan_at: String,
}

/// One region of a review.
#[derive(Debug, Clone, Serialize)]
pub struct RegionReview {
    /// Region code.
    pub region: String,
    /// What happens to its stack, in words (`create stack`, `no changes`).
    pub stack_action: String,
    /// The stack is created (or created again): the access its new
    /// resources grant is not counted as broadening, since nothing ran there.
    pub new_stack: bool,
    /// Resource changes, property by property.
    pub changes: Vec<ResourceChange>,
    /// Drift: what runs differs from the plan here.
    pub drift: Vec<DriftItem>,
    /// Notes for the reader.
    pub notes: Vec<String>,
}

/// One property where what runs differs from the plan.
#[derive(Debug, Clone, Serialize)]
pub struct DriftItem {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Property path (empty for a missing resource).
    pub path: String,
    /// What the plan wants.
    pub expected: Value,
    /// What runs.
    pub actual: Value,
    /// What it puts at risk: `capacity`, `security` or `config`.
    pub severity: String,
}

/// One Cloudflare object that changes.
#[derive(Debug, Clone, Serialize)]
pub struct CloudflareItem {
    /// monitor, pool, load_balancer or cache_rules.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Create or update.
    pub action: Action,
    /// Changed keys.
    pub properties: Vec<PropertyChange>,
}

/// A scheduled event still ahead.
#[derive(Debug, Clone, Serialize)]
pub struct UpcomingEvent {
    /// Its name.
    pub name: String,
    /// When capacity is raised for it (RFC 3339).
    pub prewarm_at: String,
}

/// Counts of one region (or of all): the headline table's row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Resources created.
    pub create: usize,
    /// Resources updated in place.
    pub update: usize,
    /// Resources replaced.
    pub replace: usize,
    /// Resources deleted.
    pub delete: usize,
    /// Drifted properties.
    pub drift: usize,
}

impl Counts {
    /// The counts of one region.
    pub fn of(region: &RegionReview) -> Self {
        let mut c = Counts {
            drift: region.drift.len(),
            ..Counts::default()
        };
        for ch in &region.changes {
            match ch.action {
                Action::Create => c.create += 1,
                Action::Update => c.update += 1,
                Action::Replace => c.replace += 1,
                Action::Delete => c.delete += 1,
            }
        }
        c
    }

    /// Whether anything changes or drifted.
    pub fn any(&self) -> bool {
        *self != Counts::default()
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;

    /// Sum of two rows.
    fn add(self, o: Counts) -> Counts {
        Counts {
            create: self.create + o.create,
            update: self.update + o.update,
            replace: self.replace + o.replace,
            delete: self.delete + o.delete,
            drift: self.drift + o.drift,
        }
    }
}

impl PlanReview {
    /// The counts over every region, Cloudflare changes counted as creates
    /// and updates.
    pub fn totals(&self) -> Counts {
        let mut t = self
            .regions
            .iter()
            .map(Counts::of)
            .fold(Counts::default(), |a, b| a + b);
        for c in &self.cloudflare {
            match c.action {
                Action::Create => t.create += 1,
                Action::Delete => t.delete += 1,
                Action::Replace => t.replace += 1,
                Action::Update => t.update += 1,
            }
        }
        t
    }
}

/// Where the markdown goes, and so its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A GitHub issue or pull-request comment: 65,536 characters.
    GithubComment,
    /// A GitHub Actions step summary: 1 MiB (bytes).
    GithubSummary,
    /// A GitLab merge-request note: 1,000,000 characters.
    GitlabNote,
}

/// How a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeUnit {
    /// Unicode scalar values.
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

impl Target {
    /// Parse `github-comment`, `github-summary` or `gitlab-note`.
    pub fn parse(s: &str) -> Option<Target> {
        match s {
            "github-comment" => Some(Target::GithubComment),
            "github-summary" => Some(Target::GithubSummary),
            "gitlab-note" => Some(Target::GitlabNote),
            _ => None,
        }
    }

    /// The largest document the target takes, and how it counts.
    pub fn limit(self) -> (usize, SizeUnit) {
        match self {
            Target::GithubComment => (65_536, SizeUnit::Chars),
            Target::GithubSummary => (1024 * 1024, SizeUnit::Bytes),
            Target::GitlabNote => (1_000_000, SizeUnit::Chars),
        }
    }

    /// The size of `text` as the target counts it.
    pub fn size_of(self, text: &str) -> usize {
        match self.limit().1 {
            SizeUnit::Chars => text.chars().count(),
            SizeUnit::Bytes => text.len(),
        }
    }
}
