//! Saved plans and Cloudflare (issue 9, point 5), against moto and the
//! stand-in Cloudflare API: a saved plan carries its Cloudflare changes and
//! a digest of the live Cloudflare objects; `apply FILE` applies exactly
//! those, or refuses as stale when the live objects changed since. Also
//! (point 6): a saved plan whose `changes` do not parse, or whose change
//! set is gone, is a clear error; `destroy` without a Cloudflare token
//! warns that the pools still point at the deleted origins.

#[path = "support/fake_cloudflare.rs"]
mod fake_cloudflare;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/openapi.rs"]
mod openapi;
#[path = "support/project.rs"]
mod project;

use fake_cloudflare::FakeCloudflare;
use moto::shared;
use project::{Project, flat, plan_text, runtime, sdk};
use serde_json::Value;

const REGIONS: &[(&str, &str, &str)] = &[("us-east-1", "1.0", "c7i.large")];

/// The Cloudflare part of a plan, with the zone the stand-in API knows.
fn cf_section(ttl: u32) -> String {
    fake_cloudflare::plan_section("saved.example.com", ttl)
}

/// Run with the stand-in Cloudflare's token (or without any), assert the
/// exit code, return (stdout, stderr).
fn run(p: &Project, cf: Option<&FakeCloudflare>, args: &[&str], code: i32) -> (String, String) {
    fake_cloudflare::run(p, shared(), cf, args, code)
}

/// Requests that change something (not GET) from index `from` on.
fn writes_since(cf: &FakeCloudflare, from: usize) -> Vec<(String, String)> {
    cf.state.lock().unwrap().requests[from..]
        .iter()
        .filter(|(m, _, _)| m != "GET")
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect()
}

fn request_count(cf: &FakeCloudflare) -> usize {
    cf.state.lock().unwrap().requests.len()
}

fn edge_ttl(cf: &FakeCloudflare) -> Value {
    cf.state
        .lock()
        .unwrap()
        .cache_rules
        .as_ref()
        .expect("cache rules")["rules"][0]["action_parameters"]["edge_ttl"]["default"]
        .clone()
}

/// A project applied with Cloudflare, and the stand-in holding its objects.
fn applied(name: &str) -> (Project, FakeCloudflare) {
    let cf = FakeCloudflare::start();
    let p = Project::new(name, REGIONS, &cf_section(86400));
    run(&p, Some(&cf), &["apply", "-e", "test", "--yes"], 0);
    assert_eq!(edge_ttl(&cf), 86400);
    (p, cf)
}

#[test]
fn a_saved_plan_applies_exactly_its_cloudflare_changes() {
    let (p, cf) = applied("sv-exact");
    p.write_plan(&plan_text("sv-exact", REGIONS, &cf_section(3600)));
    let file = p.path().join("ttl.plan.json");
    let file_arg = file.to_str().unwrap();
    let (stdout, _) = run(&p, Some(&cf), &["plan", "-e", "test", "--out", file_arg], 0);
    assert!(stdout.contains("cache_rules"), "{stdout}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 3);
    let changes = saved["cloudflare"]["changes"]
        .as_array()
        .expect("saved Cloudflare changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "cache_rules");
    assert_eq!(
        saved["cloudflare"]["live_sha256"].as_str().map(str::len),
        Some(64)
    );

    let before = request_count(&cf);
    let (stdout, stderr) = run(
        &p,
        Some(&cf),
        &["apply", "-e", "test", "--yes", file_arg],
        0,
    );
    assert!(
        stdout.contains("cache_rules"),
        "apply shows the saved change: {stdout}"
    );
    assert!(stderr.contains("cache rules"), "{stderr}");
    // Exactly that object: one PUT of the cache-rules entrypoint, no other write.
    let writes = writes_since(&cf, before);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0]
            .1
            .ends_with("/rulesets/phases/http_request_cache_settings/entrypoint")
    );
    assert_eq!(edge_ttl(&cf), 3600);
    assert!(cf.state.lock().unwrap().violations.is_empty());
}

/// Before issue 9, `apply FILE` applied the Cloudflare bodies of the
/// environment as it stood at apply time: a change made after the plan
/// was saved (and never shown by it) went live.
#[test]
fn a_saved_plan_applies_no_cloudflare_change_it_did_not_show() {
    let (p, cf) = applied("sv-unshown");
    let file = p.path().join("same.plan.json");
    let file_arg = file.to_str().unwrap();
    let (stdout, _) = run(&p, Some(&cf), &["plan", "-e", "test", "--out", file_arg], 0);
    assert!(stdout.contains("No changes."), "{stdout}");
    // Edited after the plan was saved: the stacks render the same.
    p.write_plan(&plan_text("sv-unshown", REGIONS, &cf_section(60)));
    let before = request_count(&cf);
    run(
        &p,
        Some(&cf),
        &["apply", "-e", "test", "--yes", file_arg],
        0,
    );
    assert_eq!(writes_since(&cf, before), Vec::<(String, String)>::new());
    assert_eq!(edge_ttl(&cf), 86400);
}

#[test]
fn a_saved_plan_is_stale_when_the_live_cloudflare_objects_changed() {
    let (p, cf) = applied("sv-stale");
    p.write_plan(&plan_text("sv-stale", REGIONS, &cf_section(3600)));
    let file = p.path().join("ttl.plan.json");
    let file_arg = file.to_str().unwrap();
    run(&p, Some(&cf), &["plan", "-e", "test", "--out", file_arg], 0);
    // Someone changes a pool by hand after the plan was saved.
    {
        let mut s = cf.state.lock().unwrap();
        let pool = s.pools.values_mut().next().expect("a pool");
        pool["origins"][0]["address"] = "203.0.113.9".into();
    }
    let before = request_count(&cf);
    let (stdout, stderr) = run(
        &p,
        Some(&cf),
        &["apply", "-e", "test", "--yes", file_arg],
        1,
    );
    let all = format!("{stdout}{stderr}");
    assert!(
        flat(&all).contains("Cloudflare objects changed since the plan was saved"),
        "{all}"
    );
    assert_eq!(writes_since(&cf, before), Vec::<(String, String)>::new());
    assert_eq!(edge_ttl(&cf), 86400);
}

#[test]
fn saved_cloudflare_changes_without_a_token_are_an_error() {
    let (p, cf) = applied("sv-notoken");
    p.write_plan(&plan_text("sv-notoken", REGIONS, &cf_section(3600)));
    let file = p.path().join("ttl.plan.json");
    let file_arg = file.to_str().unwrap();
    run(&p, Some(&cf), &["plan", "-e", "test", "--out", file_arg], 0);
    let (_, stderr) = run(&p, None, &["apply", "-e", "test", "--yes", file_arg], 1);
    assert!(
        flat(&stderr).contains("CLOUDFLARE_API_TOKEN is not set: nothing was applied"),
        "{stderr}"
    );
    assert_eq!(edge_ttl(&cf), 86400);
}

#[test]
fn a_saved_plan_whose_changes_do_not_parse_is_an_error() {
    let p = Project::new("sv-corrupt", REGIONS, "");
    let file = p.path().join("new.plan.json");
    let file_arg = file.to_str().unwrap();
    run(&p, None, &["plan", "-e", "test", "--out", file_arg], 0);
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    saved["regions"]["us-east-1"]["changes"] = serde_json::json!([{"logical_id": 7}]);
    std::fs::write(&file, saved.to_string()).unwrap();
    let (stdout, stderr) = run(&p, None, &["apply", "-e", "test", "--yes", file_arg], 1);
    let all = format!("{stdout}{stderr}");
    assert!(flat(&all).contains("changes do not parse"), "{all}");
    assert!(!all.contains("Apply complete"), "{all}");
}

#[test]
fn a_saved_plan_whose_change_set_is_gone_is_stale() {
    let p = Project::new("sv-gone", REGIONS, "");
    run(&p, None, &["apply", "-e", "test", "--yes"], 0);
    // More instances per region: a stack update with a change set.
    p.write_plan(
        &plan_text("sv-gone", REGIONS, "")
            .replace("users_per_instance = 1000", "users_per_instance = 800"),
    );
    let file = p.path().join("upd.plan.json");
    let file_arg = file.to_str().unwrap();
    run(&p, None, &["plan", "-e", "test", "--out", file_arg], 0);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let id = saved["regions"]["us-east-1"]["change_set"]["id"]
        .as_str()
        .expect("a kept change set")
        .to_string();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(shared(), "us-east-1"));
    runtime().block_on(async {
        cfn.delete_change_set()
            .change_set_name(&id)
            .send()
            .await
            .expect("DeleteChangeSet")
    });
    let (stdout, stderr) = run(&p, None, &["apply", "-e", "test", "--yes", file_arg], 1);
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("no longer exists"), "{all}");
}

/// Before issue 9, `destroy` without a token said nothing about Cloudflare.
#[test]
fn destroy_without_a_cloudflare_token_warns_that_pools_point_at_deleted_origins() {
    let p = Project::new("sv-destroy", REGIONS, &cf_section(86400));
    run(&p, None, &["apply", "-e", "test", "--yes"], 0);
    let (_, stderr) = run(
        &p,
        None,
        &[
            "destroy",
            "-e",
            "test",
            "--yes",
            "--disable-deletion-protection",
        ],
        0,
    );
    assert!(
        stderr.contains("warning: CLOUDFLARE_API_TOKEN is not set"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sv-destroy-test-us-east-1"),
        "the pool is named: {stderr}"
    );
    assert!(stderr.contains("still points at the origins"), "{stderr}");
}
