//! Saved plans CI can trust (issue 13), against the moto harness: the plan
//! file records the AWS account, the streamscale version, the git commit
//! and its creation time; `apply --max-plan-age` refuses an old plan
//! (`engine::old_plan`), apply refuses a plan made for another account
//! (`engine::wrong_account`) and a plan file of an older format; each
//! refusal changes nothing.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::process::Command;

use moto::shared;
use project::{Project, flat, runtime, sdk};
use serde_json::Value;

const REGIONS: &[(&str, &str, &str)] = &[("us-east-1", "1.0", "c7i.large")];
/// moto's default account (the credentials `testing`/`testing`).
const MOTO_ACCOUNT: &str = "123456789012";
/// The account the other-account test assumes a role in.
const OTHER_ACCOUNT: &str = "210987654321";
const MADE_AT: &str = "2026-03-01T10:00:00Z";

/// Run `cmd`, assert the exit code, return stdout and stderr together.
fn output(mut cmd: Command, code: i32) -> String {
    let out = cmd.output().expect("run streamscale");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(code), "{cmd:?}\n{all}");
    assert!(!all.contains("panicked"), "{all}");
    all
}

/// `plan --out FILE` at `MADE_AT`; the file's text parsed.
fn saved_plan(p: &Project, file: &std::path::Path) -> Value {
    let mut c = p.cmd(shared(), &["plan", "-e", "test", "--out"]);
    c.arg(file).env("STREAMSCALE_NOW", MADE_AT);
    output(c, 0);
    serde_json::from_str(&std::fs::read_to_string(file).expect("plan file")).expect("plan JSON")
}

/// The stack's status in `us-east-1` with `config`'s credentials (None: no stack).
fn stack_status(config: &aws_types::SdkConfig, stack: &str) -> Option<String> {
    let cfn = aws_sdk_cloudformation::Client::new(config);
    runtime().block_on(async {
        match cfn.describe_stacks().stack_name(stack).send().await {
            Ok(out) => out
                .stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_string()),
            Err(e) => {
                let text = format!("{e:?}");
                assert!(text.contains("does not exist"), "DescribeStacks: {text}");
                None
            }
        }
    })
}

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git is installed (the tests use it to make a checkout)");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_saved_plan_records_account_version_commit_and_time() {
    let p = Project::new("pv-record", REGIONS, "");
    // Outside a git checkout: the commit is null, never an error.
    let file = p.path().join("plain.plan.json");
    let saved = saved_plan(&p, &file);
    assert_eq!(saved["format_version"], 3);
    assert_eq!(saved["account_id"], MOTO_ACCOUNT);
    assert_eq!(saved["streamscale_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(saved["created_at"], MADE_AT);
    assert!(
        saved.get("git_commit").is_some_and(Value::is_null),
        "{saved:#}"
    );

    // In a checkout: the commit HEAD names.
    git(p.path(), &["init", "-q", "-b", "main"]);
    git(p.path(), &["add", "environments"]);
    git(p.path(), &["commit", "-q", "-m", "plan"]);
    let head = git(p.path(), &["rev-parse", "HEAD"]);
    assert_eq!(head.len(), 40);
    let file = p.path().join("git.plan.json");
    let saved = saved_plan(&p, &file);
    assert_eq!(saved["git_commit"], head.as_str(), "{saved:#}");
}

#[test]
fn max_plan_age_refuses_an_old_plan_and_changes_nothing() {
    let p = Project::new("pv-age", REGIONS, "");
    let file = p.path().join("new.plan.json");
    saved_plan(&p, &file);
    let outputs = tempfile::NamedTempFile::new().unwrap();

    // Two and a half hours later, with a limit of two hours: refused.
    let mut c = p.cmd(
        shared(),
        &["apply", "-e", "test", "--yes", "--max-plan-age", "2h"],
    );
    c.arg(&file)
        .env("STREAMSCALE_NOW", "2026-03-01T12:30:00Z")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", outputs.path())
        .env_remove("GITHUB_STEP_SUMMARY");
    let all = flat(&output(c, 1));
    assert!(all.contains("engine::old_plan"), "{all}");
    assert!(
        all.contains("made at 2026-03-01T10:00:00Z, 2h30m ago, more than --max-plan-age 2h"),
        "{all}"
    );
    assert!(!all.contains("Apply complete"), "{all}");
    let out = std::fs::read_to_string(outputs.path()).unwrap();
    assert!(
        out.lines().any(|l| l == "failure_code=engine::old_plan"),
        "a workflow tells an old plan from a failed apply: {out}"
    );
    // `apply --json` carries the same code in its error document.
    let mut c = p.cmd(
        shared(),
        &[
            "apply",
            "-e",
            "test",
            "--yes",
            "--json",
            "--max-plan-age",
            "2h",
        ],
    );
    c.arg(&file).env("STREAMSCALE_NOW", "2026-03-01T12:30:00Z");
    let out = c.output().expect("run streamscale");
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    });
    assert_eq!(doc["error"]["code"], "engine::old_plan", "{doc:#}");
    let config = sdk(shared(), "us-east-1");
    assert_eq!(
        stack_status(&config, &p.stack()),
        None,
        "nothing was created"
    );

    // The same file at the same instant with a longer limit: applied.
    let mut c = p.cmd(
        shared(),
        &["apply", "-e", "test", "--yes", "--max-plan-age", "1d"],
    );
    c.arg(&file).env("STREAMSCALE_NOW", "2026-03-01T12:30:00Z");
    let all = output(c, 0);
    assert!(
        all.contains(&format!(
            "Saved plan made 2026-03-01T10:00:00Z by streamscale {} outside a git checkout for AWS account {MOTO_ACCOUNT}",
            env!("CARGO_PKG_VERSION")
        )),
        "{all}"
    );
    assert_eq!(
        stack_status(&config, &p.stack()).as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn max_plan_age_needs_a_plan_file_and_a_real_duration() {
    let p = Project::new("pv-args", REGIONS, "");
    for args in [
        &["apply", "-e", "test", "--yes", "--max-plan-age", "1h"][..],
        &[
            "apply",
            "-e",
            "test",
            "--yes",
            "--max-plan-age",
            "soon",
            "x.json",
        ][..],
        &[
            "apply",
            "-e",
            "test",
            "--yes",
            "--max-plan-age",
            "0s",
            "x.json",
        ][..],
    ] {
        let out = p.run(shared(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("max-plan-age"), "{args:?}: {stderr}");
    }
    let config = sdk(shared(), "us-east-1");
    assert_eq!(stack_status(&config, &p.stack()), None);
}

/// Credentials for a role in `OTHER_ACCOUNT` (moto's AssumeRole switches
/// account with the role ARN's account).
fn other_account_credentials() -> aws_sdk_sts::types::Credentials {
    let sts = aws_sdk_sts::Client::new(&sdk(shared(), "us-east-1"));
    runtime().block_on(async {
        sts.assume_role()
            .role_arn(format!(
                "arn:aws:iam::{OTHER_ACCOUNT}:role/streamscale-deploy"
            ))
            .role_session_name("other-account")
            .send()
            .await
            .expect("AssumeRole")
            .credentials()
            .cloned()
            .expect("credentials")
    })
}

#[test]
fn a_plan_made_for_another_account_is_refused_and_changes_nothing() {
    let p = Project::new("pv-account", REGIONS, "");
    let file = p.path().join("new.plan.json");
    let saved = saved_plan(&p, &file);
    assert_eq!(saved["account_id"], MOTO_ACCOUNT);

    let creds = other_account_credentials();
    let mut c = p.cmd(shared(), &["apply", "-e", "test", "--yes"]);
    c.arg(&file)
        .env("AWS_ACCESS_KEY_ID", creds.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key())
        .env("AWS_SESSION_TOKEN", creds.session_token());
    let all = flat(&output(c, 1));
    assert!(all.contains("engine::wrong_account"), "{all}");
    assert!(
        all.contains(&format!(
            "made for AWS account {MOTO_ACCOUNT}, but these credentials are for account {OTHER_ACCOUNT}"
        )),
        "{all}"
    );
    assert!(
        !all.contains("stale"),
        "refused for the account, not as stale: {all}"
    );

    // Nothing was created in either account.
    assert_eq!(stack_status(&sdk(shared(), "us-east-1"), &p.stack()), None);
    let other = runtime().block_on(async {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&shared().endpoint)
            .region(aws_types::region::Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                creds.access_key_id(),
                creds.secret_access_key(),
                Some(creds.session_token().to_string()),
                None,
                "other-account",
            ))
            .load()
            .await
    });
    assert_eq!(stack_status(&other, &p.stack()), None);
}

#[test]
fn an_edited_account_is_refused_for_the_account() {
    let p = Project::new("pv-tamper", REGIONS, "");
    let file = p.path().join("new.plan.json");
    let mut saved = saved_plan(&p, &file);
    saved["account_id"] = "999999999999".into();
    std::fs::write(&file, saved.to_string()).unwrap();
    let mut c = p.cmd(shared(), &["apply", "-e", "test", "--yes"]);
    c.arg(&file);
    let all = flat(&output(c, 1));
    assert!(all.contains("engine::wrong_account"), "{all}");
    assert!(
        all.contains("account 999999999999") && all.contains(&format!("account {MOTO_ACCOUNT}")),
        "{all}"
    );
    assert_eq!(stack_status(&sdk(shared(), "us-east-1"), &p.stack()), None);
}

#[test]
fn a_plan_file_of_an_older_format_is_refused_clearly() {
    let p = Project::new("pv-format", REGIONS, "");
    let file = p.path().join("new.plan.json");
    let mut saved = saved_plan(&p, &file);
    // What format 2 looked like: no account, commit or time.
    saved["format_version"] = 2.into();
    saved["streamscale_version"] = "0.0.9".into();
    for key in ["account_id", "git_commit", "created_at"] {
        saved.as_object_mut().unwrap().remove(key);
    }
    std::fs::write(&file, saved.to_string()).unwrap();
    let mut c = p.cmd(shared(), &["apply", "-e", "test", "--yes"]);
    c.arg(&file);
    let all = flat(&output(c, 1));
    assert!(all.contains("engine::plan_file"), "{all}");
    assert!(
        all.contains("this plan file is format 2, written by streamscale 0.0.9;"),
        "{all}"
    );
    assert!(all.contains("reads format 3 only"), "{all}");
    assert!(!all.contains("missing field"), "{all}");
    assert_eq!(stack_status(&sdk(shared(), "us-east-1"), &p.stack()), None);
}

/// The deploy workflow (examples/github/deploy.yml) applies a plan file
/// only when its sha256 is the one in the reviewed comment's marker.
#[test]
fn the_review_marker_names_the_saved_files_sha256() {
    use sha2::{Digest, Sha256};
    let p = Project::new("pv-marker", REGIONS, "");
    let file = p.path().join("new.plan.json");
    let mut c = p.cmd(
        shared(),
        &["plan", "-e", "test", "--format", "markdown", "--out"],
    );
    c.arg(&file);
    let out = c.output().expect("run streamscale");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let markdown = String::from_utf8_lossy(&out.stdout);
    let bytes = std::fs::read(&file).expect("plan file");
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let marker = format!("<!-- streamscale env=test plan=sha256:{sha} -->");
    assert!(
        markdown.lines().next() == Some(marker.as_str()),
        "{marker}\n{markdown}"
    );
}
