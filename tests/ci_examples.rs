//! The example CI pipelines in `examples/` (issue 13), checked with the
//! tools people run on such files: actionlint on the GitHub workflows and
//! `check-jsonschema --builtin-schema vendor.github-workflows` /
//! `vendor.gitlab-ci` on every file; then what docs/ci.md promises of them
//! (separate plan and deploy roles, one concurrency group per environment
//! that never cancels an apply, the protected production environment,
//! `--max-plan-age`, the GitLab terraform report, `resource_group` and the
//! manual apply) as JSON Schemas checked by the same check-jsonschema; and
//! that every streamscale flag they use exists. Each check is also shown to
//! refuse a planted broken file.
//!
//! The tools come from `scripts/test` (STREAMSCALE_ACTIONLINT,
//! STREAMSCALE_CHECK_JSONSCHEMA; see docs/validators.md). A missing tool
//! fails the tests, never skips them.

#[path = "support/local.rs"]
mod local;

use std::path::{Path, PathBuf};
use std::process::Command;

use local::{repo_text, run};
use serde_json::{Value, json};

const GITHUB: &[&str] = &[
    "examples/github/plan.yml",
    "examples/github/deploy.yml",
    "examples/github/drift.yml",
];
const GITLAB: &str = "examples/gitlab/.gitlab-ci.yml";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The tool a variable names, or why it cannot be used.
fn find_tool(var: &str) -> Result<PathBuf, String> {
    check_tool(var, std::env::var_os(var))
}

/// The tool at `value` (the variable's value), or why it cannot be used.
fn check_tool(var: &str, value: Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    let bin = value.filter(|v| !v.is_empty()).ok_or_else(|| {
        format!(
            "{var} is not set: run the tests through scripts/test, or run scripts/bootstrap-validators and export {var} (docs/validators.md)"
        )
    })?;
    let bin = PathBuf::from(bin);
    if !bin.is_file() {
        return Err(format!("{var}={} does not exist", bin.display()));
    }
    Ok(bin)
}

fn tool(var: &str) -> PathBuf {
    find_tool(var).unwrap_or_else(|e| panic!("{e}"))
}

fn actionlint() -> PathBuf {
    tool("STREAMSCALE_ACTIONLINT")
}

fn check_jsonschema() -> PathBuf {
    tool("STREAMSCALE_CHECK_JSONSCHEMA")
}

/// `text` with `from` replaced by `to`, which must be there (so that a
/// planted mistake is really planted).
fn planted(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "nothing to replace: {from:?}");
    text.replacen(from, to, 1)
}

/// Write `text` to `name` in a fresh folder.
fn scratch(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

fn run_actionlint(file: &Path) -> (i32, String) {
    // -config-file: only actionlint's defaults, whatever a parent folder holds.
    let (_cfg_dir, cfg) = scratch("actionlint.yaml", "self-hosted-runner:\n  labels: []\n");
    run(Command::new(actionlint())
        .arg("-oneline")
        .arg("-config-file")
        .arg(&cfg)
        .arg(file))
}

fn run_builtin_schema(schema: &str, file: &Path) -> (i32, String) {
    run(Command::new(check_jsonschema())
        .args(["--builtin-schema", schema])
        .arg(file))
}

fn run_schema_file(schema: &Value, file: &Path) -> (i32, String) {
    let (_dir, path) = scratch("policy.json", &schema.to_string());
    run(Command::new(check_jsonschema())
        .arg("--schemafile")
        .arg(&path)
        .arg(file))
}

#[test]
fn a_missing_tool_fails_instead_of_skipping() {
    let err = check_tool("STREAMSCALE_ACTIONLINT", None).unwrap_err();
    assert!(err.contains("STREAMSCALE_ACTIONLINT is not set"), "{err}");
    let missing = std::env::temp_dir().join("streamscale-no-such-tool");
    let err = check_tool("STREAMSCALE_ACTIONLINT", Some(missing.into_os_string())).unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
    let panicked = std::panic::catch_unwind(|| tool("STREAMSCALE_TOOL_THAT_IS_NEVER_SET"));
    assert!(panicked.is_err(), "a missing tool must fail the test");
}

#[test]
fn github_workflows_pass_actionlint() {
    for rel in GITHUB {
        let (code, out) = run_actionlint(&repo().join(rel));
        assert_eq!(code, 0, "actionlint {rel}:\n{out}");
        assert!(out.trim().is_empty(), "actionlint {rel} said:\n{out}");
    }
}

#[test]
fn actionlint_refuses_broken_workflows() {
    let plan = repo_text("examples/github/plan.yml");
    let deploy = repo_text("examples/github/deploy.yml");
    for (what, text, expect) in [
        (
            "a misspelt input of configure-aws-credentials",
            planted(&plan, "role-to-assume:", "role-to-asume:"),
            "role-to-asume",
        ),
        (
            "an output of a step that does not exist",
            planted(
                &plan,
                "steps.plan.outputs.marker != ''",
                "steps.plann.outputs.marker != ''",
            ),
            "plann",
        ),
        (
            "pull-request text in a shell script (script injection)",
            planted(
                &deploy,
                "run: streamscale apply",
                "run: echo ${{ github.event.head_commit.message }}; streamscale apply",
            ),
            "github.event.head_commit.message",
        ),
        (
            "an action version still on Node 20",
            planted(
                &deploy,
                "actions/download-artifact@v7",
                "actions/download-artifact@v4",
            ),
            "node20",
        ),
    ] {
        let (_dir, file) = scratch("broken.yml", &text);
        let (code, out) = run_actionlint(&file);
        assert_eq!(code, 1, "actionlint passed {what}:\n{out}");
        assert!(out.contains(expect), "{what}: {out}");
    }
}

#[test]
fn github_workflows_match_the_github_workflow_schema() {
    for rel in GITHUB {
        let (code, out) = run_builtin_schema("vendor.github-workflows", &repo().join(rel));
        assert_eq!(code, 0, "check-jsonschema {rel}:\n{out}");
        assert!(out.contains("ok -- validation done"), "{out}");
    }
}

#[test]
fn gitlab_pipeline_matches_the_gitlab_ci_schema() {
    let (code, out) = run_builtin_schema("vendor.gitlab-ci", &repo().join(GITLAB));
    assert_eq!(code, 0, "check-jsonschema {GITLAB}:\n{out}");
    assert!(out.contains("ok -- validation done"), "{out}");
}

#[test]
fn the_schemas_refuse_broken_files() {
    let deploy = repo_text("examples/github/deploy.yml");
    let (_d1, file) = scratch(
        "deploy.yml",
        &planted(
            &deploy,
            "cancel-in-progress: false",
            "cancel-in-progress: sometimes",
        ),
    );
    let (code, out) = run_builtin_schema("vendor.github-workflows", &file);
    assert_eq!(
        code, 1,
        "the workflow schema passed a bad concurrency:\n{out}"
    );
    assert!(out.contains("Schema validation errors"), "{out}");

    let gitlab = repo_text(GITLAB);
    let (_d2, file) = scratch(
        ".gitlab-ci.yml",
        &planted(
            &gitlab,
            "resource_group: streamscale-production",
            "resource_group: [streamscale-production]",
        ),
    );
    let (code, out) = run_builtin_schema("vendor.gitlab-ci", &file);
    assert_eq!(
        code, 1,
        "the GitLab schema passed a list as resource_group:\n{out}"
    );
    assert!(out.contains("resource_group"), "{out}");
    assert!(out.contains("Schema validation errors"), "{out}");
}

// ---- what docs/ci.md says of the examples, as JSON Schemas ----

/// A step list that has a step matching `step`.
fn has_step(step: Value) -> Value {
    json!({ "contains": step })
}

/// A step running a command matching `pattern`.
fn run_step(pattern: &str) -> Value {
    has_step(json!({ "required": ["run"], "properties": { "run": { "pattern": pattern } } }))
}

/// A step using the action `action` with these inputs matching patterns.
fn uses_step(action: &str, with: Value) -> Value {
    let required: Vec<&String> = with
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    has_step(json!({
        "required": ["uses", "with"],
        "properties": {
            "uses": { "pattern": format!("^{action}@v[0-9]+$") },
            "with": { "required": required, "properties": with }
        }
    }))
}

/// No step runs `streamscale apply` (plan and drift never change anything).
fn never_applies() -> Value {
    json!({ "items": { "not": { "required": ["run"], "properties": { "run": { "pattern": "streamscale (apply|destroy)" } } } } })
}

fn schema(body: Value) -> Value {
    let mut s = body;
    s["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    s
}

fn deploy_policy() -> Value {
    let deploy_job = |environment: &str, group: &str| {
        json!({
            "required": ["environment", "concurrency", "permissions", "steps", "needs"],
            "properties": {
                "environment": { "const": environment },
                "concurrency": {
                    "required": ["group", "cancel-in-progress"],
                    "properties": {
                        "group": { "const": group },
                        "cancel-in-progress": { "const": false }
                    }
                },
                "permissions": {
                    "required": ["id-token", "contents"],
                    "properties": { "id-token": { "const": "write" }, "contents": { "const": "read" } }
                },
                "steps": { "allOf": [
                    uses_step("aws-actions/configure-aws-credentials", json!({
                        "role-to-assume": { "pattern": "^arn:aws:iam::[0-9]{12}:role/streamscale-deploy-" }
                    })),
                    uses_step("actions/download-artifact", json!({
                        "run-id": { "pattern": "needs\\.reviewed-plan\\.outputs\\.run_id" },
                        "name": { "pattern": "^plan-" }
                    })),
                    // The file applied is the file whose hash the review shows.
                    run_step("sha256sum[\\s\\S]*plan=sha256:|plan=sha256:[\\s\\S]*sha256sum"),
                    run_step("^streamscale apply -e \"\\$ENV_NAME\" --yes --max-plan-age \"\\$MAX_PLAN_AGE\" \"\\$\\{ENV_NAME\\}\\.plan\\.json\"$")
                ] }
            }
        })
    };
    schema(json!({
        "required": ["on", "permissions", "jobs", "env"],
        "properties": {
            "on": { "required": ["push"], "properties": { "push": {
                "required": ["branches"], "properties": { "branches": { "const": ["main"] } }
            } } },
            // Nothing workflow-wide beyond reading the repository.
            "permissions": { "const": { "contents": "read" } },
            "env": { "required": ["MAX_PLAN_AGE"] },
            "jobs": {
                "required": ["reviewed-plan", "staging", "production"],
                "properties": {
                    "staging": deploy_job("staging", "streamscale-deploy-staging"),
                    "production": {
                        "allOf": [
                            deploy_job("production", "streamscale-deploy-production"),
                            { "properties": { "needs": { "contains": { "const": "staging" } } } }
                        ]
                    }
                }
            }
        }
    }))
}

fn plan_policy() -> Value {
    schema(json!({
        "required": ["on", "permissions", "jobs"],
        "properties": {
            "on": { "required": ["pull_request"] },
            "permissions": { "const": { "contents": "read" } },
            "jobs": { "required": ["plan"], "properties": { "plan": {
                "not": { "required": ["environment"] },
                "required": ["permissions", "strategy", "steps"],
                "properties": {
                    "permissions": { "const": { "contents": "read", "id-token": "write", "pull-requests": "write" } },
                    "strategy": { "properties": { "matrix": { "properties": { "include": {
                        "minItems": 2,
                        "items": {
                            "required": ["env", "plan_role"],
                            "properties": { "plan_role": { "pattern": "^arn:aws:iam::[0-9]{12}:role/streamscale-plan-" } }
                        }
                    } } } } },
                    "steps": { "allOf": [
                        uses_step("aws-actions/configure-aws-credentials", json!({
                            "role-to-assume": { "const": "${{ matrix.plan_role }}" }
                        })),
                        run_step("streamscale plan -e \"\\$ENV_NAME\"[\\s\\S]*--out \"\\$ENV_NAME\\.plan\\.json\"[\\s\\S]*--format markdown --target github-comment[\\s\\S]*--fail-on replace,delete,broadening"),
                        uses_step("actions/upload-artifact", json!({
                            "name": { "const": "plan-${{ matrix.env }}" },
                            "path": { "pattern": "\\.plan\\.json" }
                        })),
                        // One comment per environment, found by its marker and edited.
                        run_step("<!-- streamscale env=\\$\\{ENV_NAME\\} plan=[\\s\\S]*--method PATCH"),
                        never_applies()
                    ] }
                }
            } } }
        }
    }))
}

fn drift_policy() -> Value {
    schema(json!({
        "required": ["on", "permissions", "jobs"],
        "properties": {
            "on": { "required": ["schedule"] },
            "permissions": { "const": { "contents": "read" } },
            "jobs": { "required": ["drift"], "properties": { "drift": {
                "required": ["permissions", "strategy", "steps"],
                "properties": {
                    "permissions": { "const": { "contents": "read", "id-token": "write", "issues": "write" } },
                    "strategy": { "properties": { "matrix": { "properties": { "include": {
                        "items": { "properties": { "role": { "pattern": ":role/streamscale-plan-" } } }
                    } } } } },
                    "steps": { "allOf": [
                        run_step("streamscale drift -e \"\\$ENV_NAME\" --format markdown --target github-comment[\\s\\S]*--detailed-exitcode"),
                        run_step("<!-- streamscale drift env=[\\s\\S]*gh issue edit[\\s\\S]*gh issue create[\\s\\S]*gh issue close"),
                        never_applies()
                    ] }
                }
            } } }
        }
    }))
}

fn gitlab_policy() -> Value {
    let apply_job = |plan_job: &str, environment: &str, group: &str| {
        json!({
            "required": ["extends", "needs", "resource_group", "environment", "variables"],
            "properties": {
                "extends": { "const": ".apply" },
                "needs": { "contains": { "const": { "job": plan_job, "artifacts": true } } },
                "resource_group": { "const": group },
                "environment": { "const": { "name": environment } },
                "variables": {
                    "required": ["AWS_ROLE_ARN"],
                    "properties": { "AWS_ROLE_ARN": { "pattern": ":role/streamscale-deploy-" } }
                }
            }
        })
    };
    let plan_job = |group: &str| {
        json!({
        "required": ["extends", "variables", "resource_group"],
        "properties": {
            "extends": { "const": ".plan" },
            // The apply's group: no plan while that environment changes.
            "resource_group": { "const": group },
            "variables": { "properties": { "AWS_ROLE_ARN": { "pattern": ":role/streamscale-plan-" } } }
        }
        })
    };
    schema(json!({
        "required": [".plan", ".apply", "plan:staging", "plan:prod", "apply:staging", "apply:prod"],
        "properties": {
            ".plan": {
                "required": ["script", "artifacts", "id_tokens"],
                "properties": {
                    "id_tokens": { "const": { "AWS_ID_TOKEN": { "aud": "streamscale-plan" } } },
                    "script": { "contains": { "pattern": "streamscale plan -e \"\\$ENV_NAME\" --out \"\\$ENV_NAME\\.plan\\.json\"\\s+--format gitlab-terraform --fail-on replace,delete,broadening" } },
                    "artifacts": {
                        "required": ["paths", "reports", "when"],
                        "properties": {
                            "when": { "const": "always" },
                            "paths": { "contains": { "const": "$ENV_NAME.plan.json" } },
                            "reports": { "required": ["terraform"] }
                        }
                    }
                }
            },
            ".apply": {
                "required": ["script", "rules", "id_tokens"],
                "properties": {
                    "id_tokens": { "const": { "AWS_ID_TOKEN": { "aud": "streamscale-deploy" } } },
                    "rules": { "const": [ { "if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "manual" } ] },
                    "script": { "contains": { "pattern": "^streamscale apply -e \"\\$ENV_NAME\" --yes --max-plan-age \"\\$MAX_PLAN_AGE\" \"\\$ENV_NAME\\.plan\\.json\"$" } }
                }
            },
            "plan:staging": plan_job("streamscale-staging"),
            "plan:prod": plan_job("streamscale-production"),
            "apply:staging": apply_job("plan:staging", "staging", "streamscale-staging"),
            "apply:prod": {
                "allOf": [
                    apply_job("plan:prod", "production", "streamscale-production"),
                    { "properties": { "needs": { "contains": { "properties": { "job": { "const": "apply:staging" } } } } } }
                ]
            }
        }
    }))
}

#[test]
fn the_examples_do_what_docs_ci_says() {
    for (rel, policy) in [
        ("examples/github/plan.yml", plan_policy()),
        ("examples/github/deploy.yml", deploy_policy()),
        ("examples/github/drift.yml", drift_policy()),
        (GITLAB, gitlab_policy()),
    ] {
        let (code, out) = run_schema_file(&policy, &repo().join(rel));
        assert_eq!(code, 0, "{rel} against its policy:\n{out}");
    }
}

#[test]
fn the_policies_refuse_what_docs_ci_forbids() {
    let plan = repo_text("examples/github/plan.yml");
    let deploy = repo_text("examples/github/deploy.yml");
    let drift = repo_text("examples/github/drift.yml");
    let gitlab = repo_text(GITLAB);
    let cases = [
        (
            "an apply that a newer push cancels",
            deploy_policy(),
            "deploy.yml",
            planted(
                &deploy,
                "group: streamscale-deploy-production\n      cancel-in-progress: false",
                "group: streamscale-deploy-production\n      cancel-in-progress: true",
            ),
        ),
        (
            "production without its protected environment",
            deploy_policy(),
            "deploy.yml",
            planted(
                &deploy,
                "environment: production",
                "environment: prod-unprotected",
            ),
        ),
        (
            "one concurrency group for every environment",
            deploy_policy(),
            "deploy.yml",
            planted(
                &deploy,
                "group: streamscale-deploy-staging",
                "group: streamscale-deploy-production",
            ),
        ),
        (
            "an apply without --max-plan-age",
            deploy_policy(),
            "deploy.yml",
            planted(&deploy, " --max-plan-age \"$MAX_PLAN_AGE\"", "").replacen(
                " --max-plan-age \"$MAX_PLAN_AGE\"",
                "",
                1,
            ),
        ),
        (
            "the plan job assuming the deploy role",
            plan_policy(),
            "plan.yml",
            planted(
                &plan,
                "role/streamscale-plan-prod",
                "role/streamscale-deploy-prod",
            ),
        ),
        (
            "a plan job that applies",
            plan_policy(),
            "plan.yml",
            planted(
                &plan,
                "          code=$?\n",
                "          code=$?\n          streamscale apply -e \"$ENV_NAME\" --yes \"$ENV_NAME.plan.json\"\n",
            ),
        ),
        (
            "a drift check that never updates the issue",
            drift_policy(),
            "drift.yml",
            planted(&drift, "gh issue edit", "echo skip"),
        ),
        (
            "a GitLab apply that is not manual",
            gitlab_policy(),
            ".gitlab-ci.yml",
            planted(&gitlab, "when: manual", "when: on_success"),
        ),
        (
            "a GitLab apply outside its resource group",
            gitlab_policy(),
            ".gitlab-ci.yml",
            planted(
                &gitlab,
                "  resource_group: streamscale-production\n  environment:\n    name: production",
                "  environment:\n    name: production",
            ),
        ),
        (
            "a GitLab plan without the terraform report",
            gitlab_policy(),
            ".gitlab-ci.yml",
            planted(
                &gitlab,
                "    reports:\n      terraform: $ENV_NAME.tfreport.json\n",
                "",
            ),
        ),
    ];
    for (what, policy, name, text) in cases {
        let (_dir, file) = scratch(name, &text);
        let (code, out) = run_schema_file(&policy, &file);
        assert_eq!(code, 1, "the policy passed {what}:\n{out}");
    }
}

// ---- the streamscale flags the examples use ----

/// Each `streamscale COMMAND …` in `text` (a shell line continued with `\`
/// or a YAML folded line starting with `--`): (command, its flags).
fn streamscale_commands(text: &str) -> Vec<(String, Vec<String>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // A line that runs it: `streamscale …` alone, after `run:` or a
        // YAML list dash (comments and names only mention it).
        let body = line.trim_start();
        let body = body.strip_prefix("- ").unwrap_or(body);
        let body = body.strip_prefix("run: ").unwrap_or(body);
        if !body.starts_with("streamscale ") {
            i += 1;
            continue;
        }
        let mut words: Vec<String> = body.split_whitespace().map(str::to_string).collect();
        let command = words.get(1).cloned().unwrap_or_default();
        let mut continued = line.trim_end().ends_with('\\');
        while i + 1 < lines.len() && (continued || lines[i + 1].trim_start().starts_with("--")) {
            i += 1;
            words.extend(lines[i].split_whitespace().map(str::to_string));
            continued = lines[i].trim_end().ends_with('\\');
        }
        let flags = words
            .iter()
            .filter(|w| w.starts_with('-') && w.len() > 1 && !w.starts_with("-)"))
            .map(|w| w.split('=').next().unwrap_or(w).to_string())
            .collect();
        found.push((command, flags));
        i += 1;
    }
    found
}

/// The flags `streamscale COMMAND --help` lists.
fn help_flags(command: &str) -> Result<Vec<String>, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_streamscale"))
        .args([command, "--help"])
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "`streamscale {command}` is not a command: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
        .filter(|w| w.starts_with('-') && w.len() > 1)
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_string()
        })
        .collect())
}

/// The commands and flags in `text` that streamscale does not have.
fn unknown_flags(text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for (command, flags) in streamscale_commands(text) {
        match help_flags(&command) {
            Err(e) => bad.push(e),
            Ok(known) => bad.extend(
                flags
                    .into_iter()
                    .filter(|f| !known.contains(f))
                    .map(|f| format!("streamscale {command} {f}")),
            ),
        }
    }
    bad
}

#[test]
fn the_examples_use_real_streamscale_flags() {
    let mut seen = Vec::new();
    for rel in GITHUB.iter().copied().chain([GITLAB]) {
        let text = repo_text(rel);
        let commands = streamscale_commands(&text);
        assert!(!commands.is_empty(), "{rel} runs no streamscale command");
        seen.extend(commands.into_iter().map(|(c, _)| c));
        let bad = unknown_flags(&text);
        assert!(
            bad.is_empty(),
            "{rel} uses flags streamscale does not have: {bad:?}"
        );
    }
    for command in ["plan", "apply", "drift"] {
        assert!(
            seen.iter().any(|c| c == command),
            "no example runs {command}: {seen:?}"
        );
    }
}

#[test]
fn a_flag_streamscale_does_not_have_is_caught() {
    let text = "run: |\n  streamscale plan -e \"$ENV_NAME\" \\\n    --out-file plan.json --format markdown\n  streamscale aply -e prod\n  - >\n    streamscale apply -e prod\n    --max-age 1h plan.json\n";
    let bad = unknown_flags(text);
    assert_eq!(bad.len(), 3, "{bad:?}");
    assert_eq!(bad[0], "streamscale plan --out-file");
    assert!(
        bad[1].contains("`streamscale aply` is not a command"),
        "{bad:?}"
    );
    assert_eq!(bad[2], "streamscale apply --max-age");
}
