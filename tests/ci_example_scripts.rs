//! The example workflows' scripts (examples/github/*.yml) run with bash
//! as GitHub's runner does, with a stand-in `gh` that logs its arguments
//! and prints a canned answer: the deploy job applies only the plan file
//! whose sha256 the reviewed comment's marker names, and the plan job edits
//! its one comment in place or creates it. (The jq filters `gh` runs are
//! not exercised here.) The workflows themselves are checked in
//! tests/ci_examples.rs.

#[path = "support/local.rs"]
mod local;

use std::path::Path;
use std::process::Command;

use local::{repo_text, run};

/// The `run: |` script of the step named `step` in the workflow `rel`.
fn step_script(rel: &str, step: &str) -> String {
    let text = repo_text(rel);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start() == format!("- name: {step}"))
        .unwrap_or_else(|| panic!("no step {step:?}"));
    let run = (at + 1..lines.len())
        .find(|&i| lines[i].trim_start() == "run: |")
        .unwrap_or_else(|| panic!("step {step:?} has no `run: |`"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let body_indent = indent(lines[run + 1]);
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) >= body_indent)
        .map(|l| l.get(body_indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Run `script` with bash as GitHub's runner does (`-eo pipefail`) in
/// `dir`, with a `gh` that logs its arguments to `gh.log` and prints
/// `gh.out`, for [`PULL_REQUEST`].
fn run_with_fake_gh(dir: &Path, script: &str) -> (i32, String) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> \"$FAKE_GH_DIR/gh.log\"\ncat \"$FAKE_GH_DIR/gh.out\" 2>/dev/null || true\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    run(Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("FAKE_GH_DIR", dir)
        .env("GITHUB_REPOSITORY", "org/repo")
        .envs(PULL_REQUEST.iter().copied()))
}

/// The pull request the scripts run for: #7, environment `prod`.
const PULL_REQUEST: &[(&str, &str)] = &[("GH_TOKEN", "t"), ("PR", "7"), ("ENV_NAME", "prod")];

fn sha256_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn deploy_applies_only_the_file_the_review_shows() {
    let script = step_script(
        "examples/github/deploy.yml",
        "Check it is the file the pull request comment shows",
    );
    let dir = tempfile::tempdir().unwrap();
    let plan = b"{\"kind\": \"streamscale-plan\"}\n";
    std::fs::write(dir.path().join("prod.plan.json"), plan).unwrap();
    let comment = |sha: &str| {
        format!("<!-- streamscale env=prod plan=sha256:{sha} -->\n## streamscale plan: `prod`\n")
    };

    // The reviewed comment names this file: passes.
    std::fs::write(dir.path().join("gh.out"), comment(&sha256_of(plan))).unwrap();
    let (code, out) = run_with_fake_gh(dir.path(), &script);
    assert_eq!(code, 0, "{out}");
    let log = std::fs::read_to_string(dir.path().join("gh.log")).unwrap();
    assert!(log.contains("repos/org/repo/issues/7/comments"), "{log}");

    // Another file than the reviewed one: refused, naming both.
    std::fs::write(dir.path().join("gh.out"), comment(&"ab".repeat(32))).unwrap();
    let (code, out) = run_with_fake_gh(dir.path(), &script);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not the plan reviewed on #7"), "{out}");
    assert!(out.contains(&sha256_of(plan)), "{out}");

    // No reviewed comment at all: refused.
    std::fs::write(dir.path().join("gh.out"), "").unwrap();
    let (code, out) = run_with_fake_gh(dir.path(), &script);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("(no comment)"), "{out}");
}

#[test]
fn the_plan_comment_is_edited_in_place_or_created_once() {
    let script = step_script(
        "examples/github/plan.yml",
        "Comment the plan (one comment per environment, edited in place)",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prod.plan.md"),
        "<!-- streamscale env=prod plan=sha256:00 -->\n",
    )
    .unwrap();

    // The listing finds the earlier comment 4242: PATCH it.
    std::fs::write(dir.path().join("gh.out"), "4242\n").unwrap();
    let (code, out) = run_with_fake_gh(dir.path(), &script);
    assert_eq!(code, 0, "{out}");
    let log = std::fs::read_to_string(dir.path().join("gh.log")).unwrap();
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(calls.len(), 2, "{log}");
    assert!(
        calls[0].contains("--paginate repos/org/repo/issues/7/comments"),
        "{log}"
    );
    assert!(
        calls[0].contains("env.PREFIX"),
        "the comment is found by its marker: {log}"
    );
    assert!(
        calls[1].starts_with(
            "api --method PATCH repos/org/repo/issues/comments/4242 -F body=@prod.plan.md"
        ),
        "{log}"
    );

    // None yet: POST one.
    std::fs::remove_file(dir.path().join("gh.log")).unwrap();
    std::fs::write(dir.path().join("gh.out"), "").unwrap();
    let (code, out) = run_with_fake_gh(dir.path(), &script);
    assert_eq!(code, 0, "{out}");
    let log = std::fs::read_to_string(dir.path().join("gh.log")).unwrap();
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(calls.len(), 2, "{log}");
    assert!(
        calls[1].starts_with(
            "api --method POST repos/org/repo/issues/7/comments -F body=@prod.plan.md"
        ),
        "{log}"
    );
}
