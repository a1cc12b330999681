//! The zone's SSL/TLS mode (docs/security.md: Cloudflare reaches the origin
//! over HTTPS and checks its certificate, mode "strict"): `drift` reads it
//! (GET /zones/{zone}/settings/ssl) and reports any other mode as a
//! security difference; `apply` sets it back with PATCH. Against the
//! Cloudflare stand-in (tests/support/fake_cloudflare.rs), which answers
//! 400 and records a violation for any body but `{"value": off|flexible|
//! full|strict}` (the settings path is not in the OpenAPI subset the
//! project carries: docs/moto.md).

#[path = "support/fake_cloudflare.rs"]
mod fake_cloudflare;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/openapi.rs"]
mod openapi;
#[path = "support/project.rs"]
mod project;

use fake_cloudflare::FakeCloudflare;
use project::Project;
use serde_json::{Value, json};

const CF: &str = r#"
[cloudflare]
zone = "example.com"
hostname = "ssl.example.com"

[aws]
deletion_protection = false
"#;

fn run(p: &Project, moto: &moto::Moto, cf: &FakeCloudflare, args: &[&str], code: i32) -> String {
    fake_cloudflare::run(p, moto, Some(cf), args, code).0
}

fn ssl_requests(cf: &FakeCloudflare) -> Vec<(String, Option<Value>)> {
    cf.state
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|(_, path, _)| path.contains("/settings/ssl"))
        .map(|(m, _, b)| (m.clone(), b.clone()))
        .collect()
}

#[test]
fn a_weaker_ssl_mode_is_a_security_drift_that_apply_restores() {
    let moto = moto::Moto::start();
    let cf = FakeCloudflare::start();
    let p = Project::new("sslmode", &[("us-east-1", "1.0", "c7i.large")], CF);
    run(&p, &moto, &cf, &["apply", "-e", "test", "--yes"], 0);
    // Drift of the Cloudflare objects alone, with `extra` arguments.
    let drift = |extra: &[&str], code: i32| {
        let mut args = vec!["drift", "-e", "test", "--no-cloudformation"];
        args.extend_from_slice(extra);
        run(&p, &moto, &cf, &args, code)
    };
    assert_eq!(cf.state.lock().unwrap().ssl_mode.as_deref(), Some("strict"));
    drift(&["--detailed-exitcode"], 0);

    // Someone sets the zone to "flexible" (Cloudflare to the origin over
    // plain HTTP) in the dashboard.
    cf.state.lock().unwrap().ssl_mode = Some("flexible".into());
    let stdout = drift(&["--json", "--detailed-exitcode"], 2);
    let doc: Value = serde_json::from_str(&stdout).expect("drift JSON");
    assert_eq!(doc["drift"], true);
    let changes = doc["cloudflare"]["changes"].as_array().expect("changes");
    let ssl: Vec<&Value> = changes.iter().filter(|c| c["kind"] == "ssl_mode").collect();
    assert_eq!(ssl.len(), 1, "{changes:?}");
    assert_eq!(ssl[0]["name"], "example.com");
    assert_eq!(ssl[0]["severity"], "security");
    assert_eq!(
        ssl[0]["properties"][0],
        json!({"path": "value", "before": "flexible", "after": "strict"})
    );
    // Counted once: the zone's SSL mode is the only security difference.
    assert_eq!(
        doc["summary"]["by_severity"]["security"].as_u64(),
        Some(1),
        "{doc}"
    );
    // Nothing else differs.
    assert_eq!(changes.len(), 1, "{changes:?}");
    // The human report names it.
    let human = drift(&[], 0);
    assert!(
        human.contains("ssl_mode") && human.contains("flexible"),
        "{human}"
    );

    // apply restores it with one PATCH whose body Cloudflare accepts.
    let before = ssl_requests(&cf).len();
    run(&p, &moto, &cf, &["apply", "-e", "test", "--yes"], 0);
    let patches: Vec<_> = ssl_requests(&cf)[before..]
        .iter()
        .filter(|(m, _)| m == "PATCH")
        .cloned()
        .collect();
    assert_eq!(
        patches,
        vec![("PATCH".to_string(), Some(json!({"value": "strict"})))]
    );
    assert_eq!(cf.state.lock().unwrap().ssl_mode.as_deref(), Some("strict"));
    assert!(
        cf.state.lock().unwrap().violations.is_empty(),
        "{:?}",
        cf.state.lock().unwrap().violations
    );
    drift(&["--detailed-exitcode"], 0);
}
