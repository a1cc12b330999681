//! Output for CI: the plan as reviewers read it (markdown, GitLab's
//! terraform report), the risk gates, and the native output of GitHub
//! Actions ([`github`]) and GitLab CI ([`gitlab`]). The review itself is
//! decided in the core (`streamscale_core::review`); this module builds its
//! input from what the engine planned and picks where it goes.

pub mod github;
pub mod gitlab;

use std::path::Path;

use clap::{Args, ValueEnum};

use super::Error;
use super::views::{render_plan_tail, render_region, stack_action_words};
use crate::engine::cloudflare::CloudflarePlan;
use crate::engine::{RegionPlan, StackAction};
use streamscale_core::plan::Plan;
use streamscale_core::render::to_pretty;
use streamscale_core::review::{
    CloudflareItem, Gate, PlanReview, RegionReview, ReviewCommand, RiskKind, Target, UpcomingEvent,
    classify, gate_failures, parse_gates, render_markdown,
};

/// How `plan` (and `drift`) print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// The terminal view.
    Text,
    /// One JSON document (as `--json`).
    Json,
    /// Markdown for a pull-request comment, step summary or merge-request note.
    Markdown,
    /// GitLab's terraform report: {"create":…,"update":…,"delete":…}.
    GitlabTerraform,
}

/// Where the markdown goes (its size limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// A GitHub comment: 65,536 characters.
    GithubComment,
    /// A GitHub step summary: 1 MiB.
    GithubSummary,
    /// A GitLab note: 1,000,000 characters.
    GitlabNote,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Target {
        match t {
            TargetArg::GithubComment => Target::GithubComment,
            TargetArg::GithubSummary => Target::GithubSummary,
            TargetArg::GitlabNote => Target::GitlabNote,
        }
    }
}

/// `--format`, `--target`, `--fail-on`.
#[derive(Debug, Clone, Args)]
pub struct ReviewArgs {
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ReviewFormat>,
    /// Where the markdown goes; it is trimmed to fit its size limit.
    #[arg(
        long,
        value_enum,
        default_value = "github-comment",
        value_name = "TARGET"
    )]
    pub target: TargetArg,
    /// Exit 1 (after printing the plan) when it has any of these risks:
    /// replace, delete, broadening (comma-separated or repeated; adds to
    /// the plan's `[deploy] fail_on`), or when the capacity review finds a
    /// critical shortfall: critical.
    #[arg(long = "fail-on", value_name = "GATES", value_delimiter = ',')]
    pub fail_on: Vec<String>,
}

/// The value of `CLOUDFLARE_API_TOKEN` (and other secrets streamscale
/// reads) replaced by `***` wherever CI output could carry it.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for var in [
        "CLOUDFLARE_API_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        if let Ok(secret) = std::env::var(var)
            && secret.len() >= 4
        {
            out = out.replace(&secret, "***");
        }
    }
    out
}

/// The review of a plan run.
pub fn review_of_plan(
    plan: &Plan,
    now: chrono::DateTime<chrono::Utc>,
    plans: &[RegionPlan],
    cf: &CloudflarePlan,
    saved: Option<(&Path, &str)>,
) -> PlanReview {
    // The plain sha256 of the file's bytes, as `sha256sum FILE` prints it:
    // a deploy job checks the file it applies against the reviewed marker.
    let plain_sha256 = |bytes: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let plan_sha256 = match saved {
        Some((_, text)) => plain_sha256(text.as_bytes()),
        None => plain_sha256(to_pretty(&super::views::plan_json(plan, plans, cf)).as_bytes()),
    };
    let full_plan_at = match saved {
        Some((path, _)) => format!("the saved plan `{}`", path.display()),
        None => format!("`streamscale plan -e {}`", plan.environment),
    };
    PlanReview {
        command: ReviewCommand::Plan,
        environment: plan.environment.clone(),
        plan_sha256,
        regions: plans
            .iter()
            .map(|p| RegionReview {
                region: p.region.clone(),
                stack_action: stack_action_words(p.action).to_string(),
                new_stack: matches!(
                    p.action,
                    StackAction::Create | StackAction::ReplaceRolledBack
                ),
                changes: p.changes.clone(),
                drift: Vec::new(),
                notes: p.notes.clone(),
            })
            .collect(),
        cloudflare: cloudflare_items(cf),
        upcoming_event: upcoming_event(plan, now),
        full_plan_at,
    }
}

/// Cloudflare's changes as the review lists them.
pub fn cloudflare_items(cf: &CloudflarePlan) -> Vec<CloudflareItem> {
    cf.changes
        .iter()
        .map(|c| CloudflareItem {
            kind: c.kind.clone(),
            name: c.name.clone(),
            action: c.action,
            properties: c.properties.clone(),
        })
        .collect()
}

/// The next event not over yet.
pub fn upcoming_event(plan: &Plan, now: chrono::DateTime<chrono::Utc>) -> Option<UpcomingEvent> {
    plan.events
        .iter()
        .filter(|e| e.release_at() > now)
        .min_by_key(|e| e.prewarm_at())
        .map(|e| UpcomingEvent {
            name: e.name.clone(),
            prewarm_at: e.prewarm_at().to_rfc3339(),
        })
}

/// Print the terminal plan; in GitHub Actions one `::group::` per region,
/// in GitLab CI one collapsed section per region.
pub fn print_plan_text(plans: &[RegionPlan], cf: &CloudflarePlan) {
    let github = github::Github::detect().is_some();
    let gitlab = gitlab::detect();
    for p in plans {
        let header = format!("{} ({})", p.region, stack_action_words(p.action));
        if github {
            println!("{}", github::command("group", &[], &header));
            print!("{}", redact(&render_region(p)));
            println!("::endgroup::");
        } else if gitlab {
            println!("{}", gitlab::section_start(&p.region, &header));
            print!("{}", redact(&render_region(p)));
            println!("{}", gitlab::section_end(&p.region));
        } else {
            print!("{}", render_region(p));
        }
    }
    print!("{}", render_plan_tail(plans, cf));
}

/// The gates of a run: `--fail-on` and the plan's `[deploy] fail_on`.
pub fn gates(plan: &Plan, args: &ReviewArgs) -> Result<Vec<Gate>, Error> {
    let risk_gates: Vec<&str> = args
        .fail_on
        .iter()
        .flat_map(|s| s.split(','))
        .filter(|g| g.trim() != "critical")
        .collect();
    let mut gates = parse_gates(&risk_gates).map_err(|message| Error::Usage {
        message,
        help: Some("--fail-on takes replace, delete, broadening, critical".into()),
    })?;
    gates.extend(plan.fail_on.iter().copied());
    gates.sort();
    gates.dedup();
    Ok(gates)
}

/// Whether `--fail-on` asks for the `critical` gate (the capacity
/// review's critical findings).
pub fn critical_gate(args: &ReviewArgs) -> bool {
    args.fail_on
        .iter()
        .flat_map(|s| s.split(','))
        .any(|g| g.trim() == "critical")
}

/// Print the review in the chosen format (true), or nothing for the
/// terminal view (false).
pub fn print_formatted(review: &PlanReview, args: &ReviewArgs) -> bool {
    match args.format {
        Some(ReviewFormat::Markdown) => {
            print!("{}", redact(&render_markdown(review, args.target.into())));
            true
        }
        Some(ReviewFormat::GitlabTerraform) => {
            print!("{}", to_pretty(&gitlab::terraform_report(review)));
            true
        }
        _ => false,
    }
}

/// After a plan is printed: the GitHub annotations, summary and outputs,
/// then the gates (an error naming what tripped them).
pub fn finish_plan(
    review: &PlanReview,
    gates: &[Gate],
    plan_path: Option<&Path>,
) -> Result<(), Error> {
    let risks = classify(review);
    let failures = gate_failures(&risks, gates);
    let reason = failures
        .iter()
        .map(|f| format!("--fail-on {}: {}", gate_word(f.gate), f.reason()))
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(gh) = github::Github::detect() {
        for r in risks.iter().filter(|r| r.kind == RiskKind::Replace) {
            eprintln!(
                "{}",
                github::command(
                    "warning",
                    &[("title", "replacement".to_string())],
                    &format!(
                        "{} {} ({}) {}",
                        r.region, r.logical_id, r.resource_type, r.detail
                    ),
                )
            );
        }
        gh.append_summary(&render_markdown(review, Target::GithubSummary))?;
        let t = review.totals();
        let has = |k: RiskKind| risks.iter().any(|r| r.kind == k).to_string();
        gh.set_outputs(&[
            ("has_changes", t.any().to_string()),
            ("create", t.create.to_string()),
            ("update", t.update.to_string()),
            ("replace", t.replace.to_string()),
            ("delete", t.delete.to_string()),
            ("drift", t.drift.to_string()),
            (
                "plan_path",
                plan_path
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
            ("plan_sha256", review.plan_sha256.clone()),
            ("marker", streamscale_core::review::markdown::marker(review)),
            ("risk_replace", has(RiskKind::Replace)),
            ("risk_delete", has(RiskKind::Delete)),
            ("risk_broadening", has(RiskKind::Broadening)),
            ("risk_cloudflare", has(RiskKind::Cloudflare)),
            ("risk_capacity_down", has(RiskKind::CapacityDown)),
            ("failure_reason", reason.clone()),
        ])?;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::RiskGate { reason })
    }
}

fn gate_word(g: Gate) -> &'static str {
    g.kind().word()
}

/// When a command fails in GitHub Actions: an `::error::` annotation (one
/// `::error file=…,line=…,col=…::` per error of an invalid plan) and
/// `failure_reason` (with the error's code) in the step outputs.
pub fn report_failure(
    code: Option<String>,
    message: &str,
    plan_errors: Option<&streamscale_core::plan::PlanErrors>,
) {
    let Some(gh) = github::Github::detect() else {
        return;
    };
    let reason = match &code {
        Some(c) => format!("{c}: {message}"),
        None => message.to_string(),
    };
    match plan_errors {
        Some(errs) if !errs.errors.is_empty() => {
            for line in plan_error_annotations(errs) {
                eprintln!("{line}");
            }
        }
        _ => eprintln!(
            "{}",
            github::command("error", &[("title", "streamscale".into())], &reason)
        ),
    }
    let _ = gh.set_outputs(&[
        ("failure_reason", reason),
        ("failure_code", code.unwrap_or_default()),
    ]);
}

/// One `::error file=…,line=…,col=…,title=CODE::message` per plan error
/// (without `file=` when the error has no place in a file); the hint
/// follows the message on its own line.
pub fn plan_error_annotations(errs: &streamscale_core::plan::PlanErrors) -> Vec<String> {
    errs.errors
        .iter()
        .map(|d| {
            let message = match &d.help {
                Some(h) => format!("{}\nhint: {h}", d.message),
                None => d.message.clone(),
            };
            match (&d.file, d.line_col) {
                (Some(f), Some((line, col))) => {
                    github::error_at(f, line, col, d.code.as_str(), &message)
                }
                (Some(f), None) => github::command(
                    "error",
                    &[("file", f.clone()), ("title", d.code.as_str().into())],
                    &message,
                ),
                _ => github::command("error", &[("title", d.code.as_str().into())], &message),
            }
        })
        .collect()
}

/// `apply` refuses a change that widens network or IAM access unless
/// `--allow-broadening` is given (checked before anything changes).
pub fn refuse_broadening(
    plan: &Plan,
    now: chrono::DateTime<chrono::Utc>,
    plans: &[RegionPlan],
    cf: &CloudflarePlan,
    allow: bool,
) -> Result<(), Error> {
    let review = review_of_plan(plan, now, plans, cf, None);
    let items: Vec<String> = classify(&review)
        .into_iter()
        .filter(|r| r.kind == RiskKind::Broadening)
        .map(|r| format!("{} {}: {}", r.region, r.logical_id, r.detail))
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    if allow {
        eprintln!(
            "Applying changes that widen access (--allow-broadening): {}",
            items.join("; ")
        );
        return Ok(());
    }
    Err(Error::Broadening {
        items: items.join("; "),
    })
}

/// After `apply`: in GitHub Actions, each region's outcome in the step
/// summary and `applied`, `regions_changed`, `regions_failed` outputs.
pub fn finish_apply(
    environment: &str,
    outcomes: &[crate::engine::apply::RegionOutcome],
) -> Result<(), Error> {
    let Some(gh) = github::Github::detect() else {
        return Ok(());
    };
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    let mut md = format!(
        "## streamscale apply: `{environment}`\n\n| region | outcome | what |\n|---|---|---|\n"
    );
    for o in outcomes {
        let outcome = if o.ok {
            "ok"
        } else if o.skipped {
            "skipped"
        } else {
            "failed"
        };
        let what = o.message.replace('|', "\\|").replace(['\n', '\r'], " ");
        md.push_str(&format!("| {} | {outcome} | {what} |\n", o.region));
    }
    md.push('\n');
    gh.append_summary(&md)?;
    gh.set_outputs(&[
        ("applied", (failed == 0).to_string()),
        ("regions_changed", (outcomes.len() - failed).to_string()),
        ("regions_failed", failed.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscale_core::plan::PlanErrors;
    use streamscale_core::plan::diagnostic::{Diagnostic, ErrorCode};

    #[test]
    fn plan_errors_become_escaped_file_annotations() {
        let text = "a = 1\nshare = 150%\n";
        let errs = PlanErrors {
            errors: vec![
                Diagnostic::new(
                    ErrorCode::InvalidValue,
                    "share is 150%,\r\nabove 1".into(),
                    "envs/a:b,c.toml",
                    text,
                    14..18,
                )
                .with_help("use 0.5"),
                Diagnostic::bare(ErrorCode::ExtendsBroken, "no file".into()),
            ],
        };
        assert_eq!(
            plan_error_annotations(&errs),
            [
                "::error file=envs/a%3Ab%2Cc.toml,line=2,col=9,title=plan%3A%3Ainvalid-value::share is 150%25,%0D%0Aabove 1%0Ahint: use 0.5",
                "::error title=plan%3A%3Aextends-broken::no file",
            ]
        );
    }
}
