//! GitLab CI, natively: collapsible log sections when `GITLAB_CI=true`,
//! and the `{"create":…,"update":…,"delete":…}` report GitLab's
//! merge-request widget reads (`artifacts:reports:terraform`).

use serde_json::{Value, json};
use streamscale_core::review::PlanReview;

/// Whether this runs in GitLab CI.
pub fn detect() -> bool {
    std::env::var("GITLAB_CI").ok().as_deref() == Some("true")
}

/// Section names: `[a-z0-9_]` only.
fn section_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The line that opens a collapsed section (GitLab's documented markers,
/// which carry an erase-line control sequence the job log hides).
pub fn section_start(name: &str, header: &str) -> String {
    format!(
        "\x1b[0Ksection_start:{}:{}[collapsed=true]\r\x1b[0K{header}",
        now(),
        section_name(name)
    )
}

/// The line that closes it.
pub fn section_end(name: &str) -> String {
    format!(
        "\x1b[0Ksection_end:{}:{}\r\x1b[0K",
        now(),
        section_name(name)
    )
}

/// GitLab's terraform report: a replacement counts as one create and one
/// delete, as Terraform's plan counts it.
pub fn terraform_report(review: &PlanReview) -> Value {
    let t = review.totals();
    json!({
        "create": t.create + t.replace,
        "update": t.update,
        "delete": t.delete + t.replace,
    })
}
