//! `plan` tells the truth about change sets (issue 9, point 1): only
//! CloudFormation's empty-change-set failure means "no changes"; a change
//! set CloudFormation refuses for any other reason is that region's error,
//! with AWS's reason and exit 1; a region with drift to repair is never
//! "No changes".
//!
//! The refusal is the harness's pre-deployment property validation
//! (tests/moto/ext_validation.py, as AWS's): a project template override
//! with a property its resource type does not declare.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/out_of_band.rs"]
mod out_of_band;
#[path = "support/project.rs"]
mod project;

use moto::shared;
use out_of_band::Aws;
use project::{ONE, Project};

/// AWS's reason for a change set that fails property validation.
const AWS_REASON: &str = "AWS::EarlyValidation::PropertyValidation";

/// Write `templates/aws/alarms.json.hbs`: the built-in alarms with one
/// property the `AWS::CloudWatch::Alarm` schema does not declare.
fn override_alarms_with_unknown_property(p: &Project) {
    let built_in = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/aws/alarms.json.hbs"),
    )
    .expect("built-in alarms template");
    let needle = r#""TreatMissingData": "notBreaching","#;
    assert!(
        built_in.contains(needle),
        "the built-in alarms template changed"
    );
    let text = built_in.replacen(
        needle,
        r#""TreatMissingData": "notBreaching", "TreatMissingDatum": "notBreaching","#,
        1,
    );
    std::fs::create_dir_all(p.path().join("templates/aws")).expect("mkdir templates");
    std::fs::write(p.path().join("templates/aws/alarms.json.hbs"), text).expect("write override");
}

/// Lower the group's MaxSize by hand (drift CloudFormation's update repairs).
fn lower_max_size(moto: &moto::Moto, p: &Project) {
    let asg = Aws::new(moto, &p.stack()).asg("us-east-1");
    asg.set_max_size((asg.max_size() - 1).max(asg.min_size()));
}

#[test]
fn a_change_set_cloudformation_refuses_is_the_regions_error_with_aws_reason() {
    let moto = shared();
    let p = Project::new("tp-refused", ONE, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    override_alarms_with_unknown_property(&p);

    for args in [
        &["plan", "-e", "test"][..],
        &["plan", "-e", "test", "--detailed-exitcode"][..],
    ] {
        let (stdout, stderr) = p.expect(moto, args, 1);
        let all = format!("{stdout}{stderr}");
        assert!(all.contains(AWS_REASON), "AWS's reason is shown: {all}");
        assert!(all.contains("us-east-1"), "the region is named: {all}");
        assert!(!all.contains("No changes"), "never 'No changes': {all}");
    }
    // apply plans first: the same error, nothing executed.
    let (stdout, stderr) = p.expect(moto, &["apply", "-e", "test", "--yes"], 1);
    assert!(
        format!("{stdout}{stderr}").contains(AWS_REASON),
        "{stdout}{stderr}"
    );
    assert_eq!(
        Aws::new(moto, &p.stack())
            .stack("us-east-1")
            .status()
            .as_deref(),
        Some("CREATE_COMPLETE")
    );
}

/// On the code before issue 9 this region was "No changes", exit 0: the
/// deployed template equals the rendered one (empty diff), the repair's
/// change set FAILED with no change rows, and any failed change set with
/// no rows and an empty diff counted as "no changes".
#[test]
fn drift_whose_repair_cloudformation_refuses_is_an_error_never_no_changes() {
    let moto = shared();
    let p = Project::new("tp-repair-refused", ONE, "");
    // Deployed with the property (CreateStack: the harness, like AWS before
    // its pre-deployment validation, lets it through).
    override_alarms_with_unknown_property(&p);
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    let (stdout, _) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(
        stdout.contains("No changes."),
        "nothing to do before the drift: {stdout}"
    );

    lower_max_size(moto, &p);
    let (stdout, stderr) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 1);
    let all = format!("{stdout}{stderr}");
    assert!(all.contains(AWS_REASON), "AWS's reason is shown: {all}");
    assert!(!all.contains("No changes"), "never 'No changes': {all}");
}

#[test]
fn repairable_drift_plans_as_a_change() {
    let moto = shared();
    let p = Project::new("tp-repair", ONE, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    lower_max_size(moto, &p);
    let (stdout, _) = p.expect(moto, &["plan", "-e", "test", "--detailed-exitcode"], 2);
    assert!(!stdout.contains("No changes"), "{stdout}");
    assert!(stdout.contains("MaxSize (drift)"), "{stdout}");
    let plan = p.json(
        moto,
        &["plan", "-e", "test", "--json", "--detailed-exitcode"],
        2,
    );
    assert_eq!(plan["regions"]["us-east-1"]["action"], "update", "{plan:#}");
}
