//! Cloudflare through apply, plan and destroy, against moto for AWS and a
//! stand-in Cloudflare API that validates every request body against
//! Cloudflare's OpenAPI schema.

#[path = "support/fake_cloudflare.rs"]
mod fake_cloudflare;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/openapi.rs"]
mod openapi;
#[path = "support/project.rs"]
mod project;

use fake_cloudflare::{FakeCloudflare, plan_section, run};
use project::Project;
use serde_json::Value;

/// The Cloudflare part of the plan, its cache rule kept `ttl` seconds.
fn cf_plan(ttl: u32) -> String {
    plan_section("cfapi.example.com", ttl)
}

const REGIONS: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

#[test]
fn apply_creates_the_cloudflare_objects_plan_converges_destroy_removes_them() {
    let moto = moto::Moto::start();
    let cf = FakeCloudflare::start();
    let p = Project::new("cfapi", REGIONS, &cf_plan(86400));

    // Before apply: every Cloudflare object is a create.
    let mut c = p.cmd(&moto, &["plan", "-e", "test", "--json"]);
    c.envs(cf.env());
    let plan: Value = serde_json::from_slice(&c.output().unwrap().stdout).expect("plan JSON");
    let changes = plan["cloudflare"]["changes"]
        .as_array()
        .expect("cloudflare changes");
    // The zone's SSL mode goes to "strict" (docs/security.md); every object
    // is a create.
    assert_eq!(
        changes.len(),
        1 + 1 + 2 + 1 + 1,
        "SSL mode, monitor, two pools, load balancer, cache rules: {changes:?}"
    );
    assert_eq!(changes[0]["kind"], "ssl_mode", "{changes:?}");
    assert_eq!(changes[0]["properties"][0]["after"], "strict");
    assert!(changes[1..].iter().all(|c| c["action"] == "create"));

    run(&p, &moto, Some(&cf), &["apply", "-e", "test", "--yes"], 0);
    {
        let s = cf.state.lock().unwrap();
        assert!(
            s.violations.is_empty(),
            "schema violations: {:#?}",
            s.violations
        );
        assert_eq!(s.monitors.len(), 1);
        assert_eq!(s.pools.len(), 2);
        assert_eq!(s.load_balancers.len(), 1);
        let monitor_id = s.monitors.keys().next().unwrap().clone();
        // Pools point at the monitor and at each region's load balancer.
        let outputs: Value = serde_json::from_str(
            &std::fs::read_to_string(p.out().join("aws/us-east-1/outputs.json")).unwrap(),
        )
        .unwrap();
        let pool = s
            .pools
            .values()
            .find(|p| p["name"] == "cfapi-test-us-east-1")
            .expect("us-east-1 pool");
        assert_eq!(pool["monitor"], monitor_id.as_str());
        assert_eq!(
            pool["origins"][0]["address"],
            outputs["LoadBalancerDNSName"]
        );
        // The load balancer lists pool ids, no placeholders.
        let lb = s.load_balancers.values().next().unwrap();
        let text = lb.to_string();
        assert!(!text.contains("${"), "unresolved placeholder in {text}");
        for id in lb["default_pools"].as_array().unwrap() {
            assert!(
                s.pools.contains_key(id.as_str().unwrap()),
                "{id} is not a pool"
            );
        }
        assert_eq!(
            s.cache_rules.as_ref().unwrap()["rules"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    // Plan again: nothing to change anywhere.
    run(
        &p,
        &moto,
        Some(&cf),
        &["plan", "-e", "test", "--detailed-exitcode"],
        0,
    );

    // Drift compares the Cloudflare objects too: clean right after apply.
    let drift = |code: i32| -> Value {
        let (stdout, _) = run(
            &p,
            &moto,
            Some(&cf),
            &["drift", "-e", "test", "--json", "--detailed-exitcode"],
            code,
        );
        serde_json::from_str(&stdout).expect("drift JSON")
    };
    let d = drift(0);
    assert_eq!(d["cloudflare"]["checked"], true);
    assert_eq!(d["cloudflare"]["changes"], serde_json::json!([]));
    // Someone repoints the us-east-1 pool by hand: drift names it exactly.
    {
        let mut s = cf.state.lock().unwrap();
        let pool = s
            .pools
            .values_mut()
            .find(|p| p["name"] == "cfapi-test-us-east-1")
            .unwrap();
        pool["origins"][0]["address"] = "203.0.113.9".into();
    }
    let d = drift(2);
    assert_eq!(d["drift"], true);
    let changes = d["cloudflare"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "pool");
    assert_eq!(changes[0]["name"], "cfapi-test-us-east-1");
    assert_eq!(changes[0]["properties"][0]["path"], "origins[0].address");
    assert_eq!(changes[0]["properties"][0]["before"], "203.0.113.9");
    // apply puts it back; drift is clean again.
    run(&p, &moto, Some(&cf), &["apply", "-e", "test", "--yes"], 0);
    drift(0);

    // A cache TTL change is a Cloudflare update only.
    p.write_plan(&project::plan_text("cfapi", REGIONS, &cf_plan(3600)));
    let (stdout, _) = run(
        &p,
        &moto,
        Some(&cf),
        &["plan", "-e", "test", "--detailed-exitcode"],
        2,
    );
    assert!(stdout.contains("cache_rules"), "{stdout}");
    assert!(
        stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy"),
        "{stdout}"
    );
    run(&p, &moto, Some(&cf), &["apply", "-e", "test", "--yes"], 0);
    run(
        &p,
        &moto,
        Some(&cf),
        &["plan", "-e", "test", "--detailed-exitcode"],
        0,
    );

    run(
        &p,
        &moto,
        Some(&cf),
        &[
            "destroy",
            "-e",
            "test",
            "--yes",
            "--disable-deletion-protection",
        ],
        0,
    );
    let s = cf.state.lock().unwrap();
    assert!(s.monitors.is_empty() && s.pools.is_empty() && s.load_balancers.is_empty());
    assert!(
        s.violations.is_empty(),
        "schema violations: {:#?}",
        s.violations
    );
}

#[test]
fn without_a_token_cloudflare_is_skipped_with_a_note() {
    let moto = moto::Moto::start();
    let p = Project::new("cfnone", REGIONS, &cf_plan(86400));
    let (_, stderr) = p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);
    assert!(stderr.contains("CLOUDFLARE_API_TOKEN"), "{stderr}");
    assert!(p.out().join("cloudflare/resolved/pools.json").is_file());
}
