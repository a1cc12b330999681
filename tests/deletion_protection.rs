//! Deletion protection and `destroy` on the harness (which refuses to
//! delete a protected load balancer, as AWS does: docs/moto.md): a
//! non-demo environment's destroy refuses before deleting anything and
//! says how to go on; `--disable-deletion-protection` updates the stack
//! with the protection off, then deletes it.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use project::Project;

const REGIONS: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

/// miette's message with its line wrapping undone.
fn unwrapped(s: &str) -> String {
    s.split('\n')
        .map(|l| l.trim_start().trim_start_matches('|').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn destroy_refuses_protected_stacks_and_turns_protection_off_on_request() {
    let moto = moto::Moto::start();
    // A staging environment: deletion protection is on by default outside demo.
    let p = Project::new("protect", REGIONS, "");
    p.write_plan(
        &project::plan_text("protect", REGIONS, "")
            .replace("environment = \"test\"", "environment = \"staging\""),
    );
    std::fs::rename(
        p.path().join("environments/test.toml"),
        p.path().join("environments/staging.toml"),
    )
    .unwrap();
    p.expect(&moto, &["apply", "-e", "staging", "--yes"], 0);

    let (_, stderr) = p.expect(&moto, &["destroy", "-e", "staging", "--yes"], 1);
    let stderr = unwrapped(&stderr);
    assert!(
        stderr.contains("deletion protection is on")
            && stderr
                .contains("us-east-1: LoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer)")
            && stderr.contains("eu-west-1: LoadBalancer")
            && stderr.contains("nothing was deleted")
            && stderr.contains("--disable-deletion-protection"),
        "{stderr}"
    );
    // Nothing was deleted: the stacks are as they were.
    let (stdout, _) = p.expect(&moto, &["outputs", "-e", "staging", "--json"], 0);
    assert!(stdout.contains("LoadBalancerDNSName"), "{stdout}");

    let (_, stderr) = p.expect(
        &moto,
        &[
            "destroy",
            "-e",
            "staging",
            "--yes",
            "--disable-deletion-protection",
        ],
        0,
    );
    assert!(
        stderr.contains("Turning deletion protection off first")
            && stderr.contains("us-east-1: deletion protection turned off"),
        "{stderr}"
    );
    // Gone: a second destroy finds no stack to delete.
    let (_, stderr) = p.expect(&moto, &["destroy", "-e", "staging", "--yes"], 0);
    assert!(stderr.contains("no stack"), "{stderr}");
}
