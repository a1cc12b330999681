//! The command line without AWS: exit codes, help, JSON documents, colour,
//! init, validate and render.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn bin() -> Command {
    let mut c = Command::cargo_bin("streamscale").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn help_and_version_exit_0() {
    bin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("capacity plan"));
    bin().arg("--version").assert().success();
    for cmd in [
        "init", "validate", "render", "plan", "apply", "destroy", "outputs", "report",
    ] {
        bin().args([cmd, "--help"]).assert().success();
    }
}

#[test]
fn usage_errors_exit_1_not_2() {
    bin().arg("frobnicate").assert().code(1);
    bin()
        .args(["validate"])
        .env_remove("STREAMSCALE_ENV")
        .assert()
        .code(1);
    bin()
        .args(["plan", "-e", "demo", "--no-such-flag"])
        .assert()
        .code(1);
}

#[test]
fn a_missing_environment_is_a_clear_error() {
    bin()
        .args(["validate", "-e", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("environments/nope.toml"));
}

#[test]
fn validate_prints_the_capacity_table() {
    bin()
        .args(["validate", "-e", "prod"])
        .assert()
        .success()
        .stdout(predicate::str::contains("us-east-1").and(predicate::str::contains("924")))
        .stderr(predicate::str::contains("valid, 7 regions"));
}

#[test]
fn validate_json_is_one_versioned_document() {
    let out = bin()
        .args(["validate", "-e", "staging", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["environment"], "staging");
    assert_eq!(v["regions"].as_object().unwrap().len(), 3);
}

#[test]
fn no_color_and_non_terminal_output_carry_no_escape_codes() {
    for env in [Some("1"), None] {
        let mut c = bin();
        c.args(["validate", "-e", "tests/corpus/invalid/27-shares-sum.toml"]);
        if let Some(v) = env {
            c.env("NO_COLOR", v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let all = [out.stdout, out.stderr].concat();
        assert!(
            !all.contains(&0x1b),
            "escape codes in: {}",
            String::from_utf8_lossy(&all)
        );
    }
}

#[test]
fn a_bad_plan_names_file_line_and_column_and_calls_nothing() {
    // No AWS endpoint is configured: a bad plan fails before any call.
    bin()
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .args(["plan", "-e", "tests/corpus/invalid/27-shares-sum.toml"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("27-shares-sum.toml:").and(predicate::str::contains("help")),
        );
}

#[test]
fn init_writes_a_project_that_validates_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    bin().arg("init").arg(&project).assert().success();
    for env in ["demo", "staging", "prod"] {
        bin()
            .arg("-C")
            .arg(&project)
            .args(["validate", "-e", env])
            .assert()
            .success();
    }
    bin()
        .arg("-C")
        .arg(&project)
        .args(["render", "-e", "demo"])
        .assert()
        .success();
    assert!(
        project
            .join("out/demo/aws/us-east-1/template.json")
            .is_file()
    );
    assert!(project.join("templates/aws/stack.json.hbs").is_file());
    // A second init refuses to overwrite.
    bin()
        .arg("init")
        .arg(&project)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn render_writes_spec_layout() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args(["render", "-e", "demo", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    let base = dir.path().join("demo");
    for f in [
        "aws/us-east-1/template.json",
        "aws/us-east-1/parameters.json",
        "aws/eu-west-1/template.json",
        "cloudflare/monitor.json",
        "cloudflare/pools.json",
        "cloudflare/load_balancer.json",
        "cloudflare/cache_rules.json",
        "capacity.json",
    ] {
        assert!(Path::new(&base.join(f)).is_file(), "{f} missing");
    }
    let params: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(base.join("aws/us-east-1/parameters.json")).unwrap(),
    )
    .unwrap();
    assert!(
        params
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["ParameterKey"].is_string() && p["ParameterValue"].is_string())
    );
}

#[test]
fn no_credentials_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = bin();
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        c.env_remove(v);
    }
    c.env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .args(["plan", "-e", "demo"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no AWS credentials found")
                .and(predicate::str::contains("AWS_PROFILE")),
        );
}
