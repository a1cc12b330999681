//! Clear errors, never an empty default (issue 9, point 6): an unreadable
//! `streamscale.toml`, and a deployed template that does not parse (a stack
//! of the same name made by hand, in YAML), each fail the command (exit 1)
//! with what is wrong, instead of running with defaults or an empty template.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use project::{ONE, Project, flat, runtime, sdk};

/// Before issue 9 a `streamscale.toml` that could not be read counted as
/// "no file": the command ran with the default settings.
#[test]
fn an_unreadable_settings_file_is_an_error_not_the_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("environments")).expect("mkdir");
    std::fs::write(
        dir.path().join("environments/test.toml"),
        project::plan_text("errs", ONE, ""),
    )
    .expect("write plan");
    // A directory where the file should be: it exists, and cannot be read.
    std::fs::create_dir(dir.path().join("streamscale.toml")).expect("mkdir settings");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_streamscale"))
        .arg("-C")
        .arg(dir.path())
        .args(["render", "-e", "test"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run streamscale");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(flat(&stderr).contains("streamscale.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Before issue 9 a deployed template that did not parse was read as
/// `null`, and the plan compared the rendered template with nothing.
#[test]
fn a_deployed_template_that_does_not_parse_is_the_regions_error() {
    let moto = moto::Moto::start();
    let p = Project::new("errs-yaml", ONE, "");
    let cf = aws_sdk_cloudformation::Client::new(&sdk(&moto, "us-east-1"));
    runtime().block_on(async {
        cf.create_stack()
            .stack_name(p.stack())
            .template_body(
                "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: by-hand\n",
            )
            .send()
            .await
            .expect("CreateStack")
    });
    let (stdout, stderr) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 1);
    let all = flat(&format!("{stdout}{stderr}"));
    assert!(all.contains("us-east-1"), "{all}");
    assert!(all.contains("deployed template"), "{all}");
    assert!(!all.contains("No changes"), "{all}");
    assert!(!all.contains("Plan:"), "{all}");
}
