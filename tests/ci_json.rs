//! Every command speaks JSON, and CI can rely on the rest of issue 13's
//! command-line contract:
//! - `validate --json` on a bad plan prints each error (file, line,
//!   column, message, hint, code) and exits 1; in GitHub Actions each is an
//!   `::error file=…,line=…,col=…::` annotation, escaped;
//! - any `--json` command that fails prints `{"error":{"code":…}}`;
//! - `--fail-on critical` on validate, report and plan exits 1 on a vCPU
//!   quota below what MaxSize needs;
//! - commands run from a subfolder find the project root; `-o/--out`
//!   everywhere (old spellings kept);
//! - against moto: `apply`, `destroy` and `outputs --json` (per region, in
//!   the plan's order, with outcome and timings), `outputs` exiting 1 on a
//!   missing stack while printing the others, a stale saved plan's
//!   `engine::stale_plan` code, and `drift --format markdown` with the step
//!   summary and outputs in GitHub Actions.
//!
//! No output carries a colour code (`\x1b[`).

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;
#[path = "support/scenario.rs"]
mod scenario;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use project::ONE;
use scenario::{Scenario, TWO};
use serde_json::Value;

/// A project folder (streamscale.toml and environments/test.toml) with no
/// AWS behind it.
fn offline_project(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("streamscale-ci-json-")
        .tempdir()
        .unwrap();
    std::fs::create_dir_all(dir.path().join("environments")).unwrap();
    std::fs::write(dir.path().join("streamscale.toml"), "").unwrap();
    std::fs::write(
        dir.path().join("environments/test.toml"),
        project::plan_text("ci", ONE, extra),
    )
    .unwrap();
    dir
}

/// `streamscale ARGS…` in `cwd` (no -C), no AWS credentials, no colour
/// asked for, GitHub and GitLab variables cleared.
fn bin(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("streamscale").unwrap();
    c.current_dir(cwd);
    for v in [
        "GITHUB_ACTIONS",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "GITLAB_CI",
        "STREAMSCALE_ENV",
        "NO_COLOR",
        "CLOUDFLARE_API_TOKEN",
    ] {
        c.env_remove(v);
    }
    c.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        // Nothing listens here: a command that reaches AWS fails fast.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1");
    c
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    bin(cwd).args(args).output().unwrap()
}

/// Run; it must succeed (exit 0), its stderr shown when it does not.
fn run_ok(cwd: &Path, args: &[&str]) -> Output {
    let out = run(cwd, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        text(&out.stderr)
    );
    out
}

/// `doc`'s error has `code` and a message that says `says`.
fn assert_error(doc: &Value, code: &str, says: &str) {
    assert_eq!(doc["error"]["code"], code, "{doc}");
    assert!(
        doc["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(says)),
        "{doc}"
    );
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn no_colour(out: &Output) {
    for s in [text(&out.stdout), text(&out.stderr)] {
        assert!(!s.contains("\x1b["), "a colour code: {s:?}");
    }
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\n--- stderr\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

const BAD: &str = "\n[frobnicate]\nx = 1\n";

#[test]
fn validate_json_on_a_bad_plan_prints_each_error_with_its_place() {
    let p = offline_project(BAD);
    let lines = std::fs::read_to_string(p.path().join("environments/test.toml"))
        .unwrap()
        .lines()
        .count();
    let out = run(p.path(), &["validate", "-e", "test", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    no_colour(&out);
    let doc = stdout_json(&out);
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["error"]["code"], "plan::unknown-key");
    let e = &doc["error"]["errors"][0];
    assert_eq!(e["file"], "environments/test.toml");
    // `[frobnicate]` is the second line from the end.
    assert_eq!(e["line"], lines - 1, "{doc}");
    assert_eq!(e["column"], 2, "{doc}");
    assert_eq!(e["code"], "plan::unknown-key");
    assert!(
        e["message"].as_str().unwrap().contains("frobnicate"),
        "{doc}"
    );
    assert!(e["hint"].as_str().is_some(), "{doc}");
    // The human diagnostic stays on stderr.
    assert!(text(&out.stderr).contains("frobnicate"));
}

#[test]
fn validation_errors_are_github_annotations_escaped_as_github_requires() {
    let p = offline_project(BAD);
    let outputs = p.path().join("github_output");
    let out = bin(p.path())
        .args(["validate", "-e", "test"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    no_colour(&out);
    let stderr = text(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("no annotation:\n{stderr}"));
    // `:` and `,` escaped in properties, the hint's line break in the message.
    assert!(
        line.starts_with("::error file=environments/test.toml,line="),
        "{line}"
    );
    assert!(
        line.contains(",col=2,title=plan%3A%3Aunknown-key::"),
        "{line}"
    );
    assert!(line.contains("%0Ahint: "), "{line}");
    assert!(!line.contains('\r'));
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert!(
        written.contains("failure_code=plan::unknown-key\n"),
        "{written}"
    );
}

#[test]
fn every_json_command_prints_its_error_as_json() {
    let p = offline_project("");
    for args in [
        &["validate", "-e", "nope", "--json"][..],
        &["plan", "-e", "nope", "--json"],
        &["plan", "-e", "nope", "--format", "json"],
        &["apply", "-e", "nope", "--json", "--yes"],
        &["destroy", "-e", "nope", "--json", "--yes"],
        &["outputs", "-e", "nope", "--json"],
        &["drift", "-e", "nope", "--json"],
        &["report", "-e", "nope", "--format", "json"],
        &["report", "-e", "nope", "--json"],
    ] {
        let out = run(p.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        no_colour(&out);
        let doc = stdout_json(&out);
        let code = doc["error"]["code"].as_str().unwrap_or_default();
        assert!(!code.is_empty(), "{args:?}: {doc}");
        assert!(
            doc["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("nope")),
            "{args:?}: {doc}"
        );
    }
    // Human output for the same failure: nothing on stdout.
    let out = run(p.path(), &["outputs", "-e", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

/// MaxSize in us-east-1 needs far more than 4 vCPUs.
const LOW_QUOTA: &str = "\n[aws.vcpu_quota]\nus-east-1 = 4\n";

#[test]
fn fail_on_critical_stops_validate_and_report_on_a_vcpu_quota_shortfall() {
    let p = offline_project(LOW_QUOTA);
    let out = run(
        p.path(),
        &["validate", "-e", "test", "--fail-on", "critical"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("review::critical"), "{stderr}");
    assert!(stderr.contains("vCPUs at MaxSize"), "{stderr}");
    // The table was printed first.
    assert!(text(&out.stdout).contains("us-east-1"));
    // Without the gate it is only reported.
    let out = run(p.path(), &["validate", "-e", "test"]);
    assert_eq!(out.status.code(), Some(0));
    // --json: one document, carrying the error.
    let out = run(
        p.path(),
        &["validate", "-e", "test", "--json", "--fail-on", "critical"],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc = stdout_json(&out);
    assert_error(
        &doc,
        "review::critical",
        "vCPUs at MaxSize against a quota of 4",
    );
    assert!(
        doc["regions"].is_object() || doc["regions"].is_array(),
        "{doc}"
    );
    // report: the file is written, then the gate fails.
    let out = run(
        p.path(),
        &[
            "report",
            "-e",
            "test",
            "--fail-on",
            "critical",
            "-o",
            "r.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(p.path().join("r.md").is_file());
    assert!(text(&out.stderr).contains("review::critical"));
    let out = run(p.path(), &["report", "-e", "test", "--fail-on", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown gate `nope`"));
    // A quota that fits: the gate lets it through.
    let ok = offline_project("\n[aws.vcpu_quota]\nus-east-1 = 100000\n");
    for args in [
        &["validate", "-e", "test", "--fail-on", "critical"][..],
        &["report", "-e", "test", "--fail-on", "critical"],
    ] {
        let out = run_ok(ok.path(), args);
        no_colour(&out);
    }
}

#[test]
fn commands_find_the_project_root_from_a_subfolder() {
    let p = offline_project("");
    let deep = p.path().join("services/api");
    std::fs::create_dir_all(&deep).unwrap();
    let out = run(&deep, &["validate", "-e", "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A plan path is relative to where the command runs.
    let out = run(&deep, &["validate", "-e", "../../environments/test.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // render writes under the root's out/.
    let out = run(&deep, &["render", "-e", "test"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(p.path().join("out/test/capacity.json").is_file());
    assert!(!deep.join("out").exists());
    // Outside any project: the current folder, as before.
    let outside = tempfile::tempdir().unwrap();
    let out = run(outside.path(), &["validate", "-e", "test"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("environments/test.toml"));
}

#[test]
fn output_paths_are_o_or_out_everywhere() {
    let p = offline_project("");
    for (args, file) in [
        (&["report", "-e", "test", "-o", "a.md"][..], "a.md"),
        (&["report", "-e", "test", "--out", "b.md"], "b.md"),
        // The old spelling still works.
        (&["report", "-e", "test", "--output", "c.md"], "c.md"),
        (
            &["render", "-e", "test", "--out", "rendered"],
            "rendered/test",
        ),
        (
            &["render", "-e", "test", "-o", "rendered2"],
            "rendered2/test",
        ),
    ] {
        run_ok(p.path(), args);
        assert!(p.path().join(file).exists(), "{args:?}");
    }
    for cmd in ["plan", "report", "render"] {
        let help = text(&run(p.path(), &[cmd, "--help"]).stdout);
        assert!(help.contains("-o, --out"), "{cmd}: {help}");
    }
}

fn ran_json(s: &Scenario) -> Value {
    s.last().json()
}

fn region_keys(doc: &Value) -> Vec<String> {
    doc["regions"]
        .as_object()
        .unwrap_or_else(|| panic!("no regions: {doc}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn apply_destroy_and_outputs_speak_json_in_the_plans_order() {
    let s = Scenario::new("json").regions(TWO).build();
    let order: Vec<String> = TWO.iter().map(|r| r.0.to_string()).collect();
    let saved = s.file("reviewed.plan").display().to_string();
    let s = s.run(&["apply", "-e", "test", "--yes", "--json"]).exits(0);
    let ran = s.last().clone();
    assert!(!ran.stdout.contains("\x1b[") && !ran.stderr.contains("\x1b["));
    // The plan went to stderr; stdout is the document.
    assert!(ran.stderr.contains("create"), "{}", ran.describe());
    let doc = ran_json(&s);
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["command"], "apply");
    assert_eq!(doc["applied"], true);
    assert_eq!(doc["error"], Value::Null);
    assert_eq!(region_keys(&doc), order);
    for r in &order {
        let region = &doc["regions"][r];
        assert_eq!(region["outcome"], "ok", "{doc}");
        assert_eq!(region["action"], "create stack", "{doc}");
        assert!(region["changes"]["create"].as_u64().unwrap() > 0, "{doc}");
        assert!(region["seconds"].as_f64().is_some(), "{doc}");
        assert!(region["started_at"].as_str().is_some(), "{doc}");
    }
    assert_eq!(doc["summary"]["regions_changed"], 2);
    assert!(doc["summary"]["seconds"].as_f64().is_some());
    // outputs: every region, in the plan's order.
    let s = s.run(&["outputs", "-e", "test", "--json"]).exits(0);
    let doc = ran_json(&s);
    assert_eq!(region_keys(&doc), order);
    assert!(doc["regions"]["eu-west-1"].is_object(), "{doc}");
    assert_eq!(doc["missing"], serde_json::json!([]));
    // A saved plan (its file keeps regions by name) is shown in the
    // plan's order too.
    let again = s.file("again.plan").display().to_string();
    let s = s
        .run(&["plan", "-e", "test", "-o", &again])
        .exits(0)
        .run(&["apply", "-e", "test", "--yes", &again])
        .exits(0);
    let shown = s.last().stdout.clone();
    let at = |r: &str| {
        shown
            .find(r)
            .unwrap_or_else(|| panic!("{r} not shown:\n{shown}"))
    };
    assert!(at("us-east-1") < at("eu-west-1"), "{shown}");
    // One stack gone: outputs prints the other and exits 1 naming it.
    let s = s
        .run(&["plan", "-e", "test", "-o", &saved])
        .exits(0)
        .run(&[
            "destroy",
            "-e",
            "test",
            "--yes",
            "--json",
            "--region",
            "us-east-1",
            "--disable-deletion-protection",
        ])
        .exits(0);
    let doc = ran_json(&s);
    assert_eq!(doc["command"], "destroy");
    assert_eq!(doc["regions"]["us-east-1"]["outcome"], "ok", "{doc}");
    assert!(doc["regions"]["us-east-1"]["seconds"].as_f64().is_some());
    let s = s
        .run(&["outputs", "-e", "test"])
        .exits(1)
        .stdout_has("eu-west-1")
        .stdout_has("(no stack json-test)")
        .stderr_has("outputs::missing_stack")
        .stderr_has("no stack json-test in region: us-east-1");
    let s = s.run(&["outputs", "-e", "test", "--json"]).exits(1);
    let doc = ran_json(&s);
    assert_eq!(doc["regions"]["us-east-1"], Value::Null);
    assert!(doc["regions"]["eu-west-1"].is_object(), "{doc}");
    assert_eq!(doc["missing"], serde_json::json!(["us-east-1"]));
    assert_eq!(doc["error"]["code"], "outputs::missing_stack");
    // The plan saved before the stack went is stale now: its code says so.
    let s = s
        .run(&["apply", "-e", "test", "--yes", "--json", &saved])
        .exits(1);
    let doc = ran_json(&s);
    assert_error(&doc, "engine::stale_plan", "deleted since");
    // The rest goes.
    let s = s
        .run(&[
            "destroy",
            "-e",
            "test",
            "--yes",
            "--json",
            "--disable-deletion-protection",
        ])
        .exits(0);
    let doc = ran_json(&s);
    assert_eq!(region_keys(&doc), order);
    assert_eq!(doc["destroyed"], true);
}

#[test]
fn drift_markdown_reaches_the_step_summary_and_outputs_in_github_actions() {
    let s = Scenario::new("driftmd")
        .regions(TWO)
        .applied()
        .change(|aws| {
            let asg = aws.asg("eu-west-1");
            asg.set_max_size(asg.max_size() + 5)
        });
    let summary = s.file("summary.md");
    let output = s.file("output.txt");
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ("GITHUB_OUTPUT", output.to_str().unwrap()),
    ];
    let s = s
        .run_with_env(
            &[
                "drift",
                "-e",
                "test",
                "--no-cloudformation",
                "--format",
                "markdown",
                "--target",
                "gitlab-note",
            ],
            &env,
        )
        .exits(0);
    let md = s.last().stdout.clone();
    assert!(
        md.starts_with("<!-- streamscale drift env=test plan=sha256:"),
        "{md}"
    );
    assert!(md.contains("| eu-west-1 | 0 | 0 | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("| us-east-1 | 0 | 0 | 0 | 0 | 0 |"), "{md}");
    assert!(
        md.contains("- **drift** eu-west-1 `AutoScalingGroup`"),
        "{md}"
    );
    assert!(md.contains("capacity: MaxSize"), "{md}");
    assert!(md.contains("<details><summary>eu-west-1: drifted"), "{md}");
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.contains("## streamscale drift: `test`"),
        "{written}"
    );
    let outputs = std::fs::read_to_string(&output).unwrap();
    for line in [
        "has_drift=true\n",
        "findings=1\n",
        "capacity=1\n",
        "regions_drifted=1\n",
        "failure_reason=\n",
    ] {
        assert!(outputs.contains(line), "{line:?} not in {outputs}");
    }
    assert!(outputs.contains("marker=<!-- streamscale drift env=test"));
    for t in [&md, &written, &outputs, &s.last().stderr] {
        assert!(!t.contains("\x1b["), "a colour code: {t:?}");
    }
    // The terminal report: one group per region.
    let s = s
        .run_with_env(&["drift", "-e", "test", "--no-cloudformation"], &env)
        .exits(0)
        .stdout_has("::group::us-east-1 (clean)")
        .stdout_has("::group::eu-west-1 (drifted)")
        .stdout_has("::endgroup::");
    assert!(!s.last().stdout.contains("\x1b["));
    // gitlab-terraform is the plan's report only.
    s.run(&["drift", "-e", "test", "--format", "gitlab-terraform"])
        .exits(1)
        .stderr_has("no gitlab-terraform format");
}

#[test]
fn plan_fail_on_critical_prints_the_plan_then_fails_next_to_the_risk_gates() {
    let s = Scenario::new("crit")
        .regions(ONE)
        .plan_extra(LOW_QUOTA)
        .build();
    let s = s
        .run(&["plan", "-e", "test", "--fail-on", "replace,critical"])
        .exits(1)
        .stdout_has("create")
        .stderr_has("review::critical");
    let s = s
        .run(&["plan", "-e", "test", "--json", "--fail-on", "critical"])
        .exits(1);
    let doc = ran_json(&s);
    assert_eq!(doc["command"], "plan");
    assert_eq!(doc["error"]["code"], "review::critical", "{doc}");
    // The risk gates alone let it through; an unknown gate is named.
    s.run(&["plan", "-e", "test", "--fail-on", "replace,delete"])
        .exits(0)
        .run(&["plan", "-e", "test", "--fail-on", "critcal"])
        .exits(1)
        .stderr_has("unknown gate `critcal`");
}
