//! Every Cloudflare request body streamscale renders validates against
//! Cloudflare's official OpenAPI schema (tests/fixtures/cloudflare-openapi-subset.json,
//! its source and date in tests/fixtures/SOURCES.md).

use std::path::Path;

#[path = "support/openapi.rs"]
mod openapi;

use serde_json::{Value, json};

use openapi::{body_validator, cache_rule_validator, cache_rules_validator, openapi};

fn assert_valid(v: &jsonschema::Validator, body: &Value, what: &str) {
    let errors = openapi::errors(v, body);
    assert!(
        errors.is_empty(),
        "{what} does not match Cloudflare's schema:\n{}\n{body:#}",
        errors.join("\n")
    );
}

fn bodies(env: &str) -> std::collections::BTreeMap<&'static str, Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = streamscale::project::load_plan(&root.join(format!("environments/{env}.toml")))
        .expect("plan");
    streamscale::render::cloudflare::bodies(&plan).expect("the example has [cloudflare]")
}

/// The schema lives in the project with its source and date, and is the
/// file that source describes: tests/fixtures/SOURCES.md records its
/// SHA-256. A missing fixture, a missing record or a changed file fails
/// here, loudly: nothing outside the project is read, nothing is skipped.
#[test]
fn the_fixture_is_in_the_project_with_its_recorded_source_and_digest() {
    use sha2::Digest;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let read = |name: &str| {
        std::fs::read(fixtures.join(name)).unwrap_or_else(|e| {
            panic!(
                "tests/fixtures/{name} is missing ({e}): the Cloudflare schema tests need it in the project; restore it from git"
            )
        })
    };
    let sources = String::from_utf8(read("SOURCES.md")).expect("SOURCES.md is UTF-8");
    let section = sources
        .split("\n## ")
        .find(|s| s.starts_with("cloudflare-openapi-subset.json"))
        .expect("SOURCES.md has a section on cloudflare-openapi-subset.json");
    for fact in [
        "cloudflare/api-schemas",
        "commit ",
        "2024-08-06",
        "copied: ",
    ] {
        assert!(
            section.contains(fact),
            "SOURCES.md does not record {fact:?}"
        );
    }
    let recorded = section
        .lines()
        .find_map(|l| l.strip_prefix("- sha256: "))
        .expect("SOURCES.md records the fixture's sha256");
    let actual = hex::encode(sha2::Sha256::digest(read("cloudflare-openapi-subset.json")));
    assert_eq!(
        actual,
        recorded.trim(),
        "tests/fixtures/cloudflare-openapi-subset.json is not the file SOURCES.md describes"
    );
    // And it is the document the other tests load.
    assert_eq!(openapi()["openapi"], "3.0.3");
}

#[test]
fn monitor_pools_and_load_balancer_match_the_openapi_schema() {
    let doc = openapi();
    let monitor = body_validator(
        &doc,
        "/accounts/{account_id}/load_balancers/monitors",
        "post",
    );
    let pool = body_validator(&doc, "/accounts/{account_id}/load_balancers/pools", "post");
    let lb = body_validator(&doc, "/zones/{zone_id}/load_balancers", "post");
    let region_codes: Vec<String> =
        doc["components"]["schemas"]["load-balancing_region_code"]["enum"]
            .as_array()
            .expect("region code enum")
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
    for env in ["demo", "staging", "prod"] {
        let b = bodies(env);
        assert_valid(&monitor, &b["monitor.json"], &format!("{env} monitor"));
        let pools = b["pools.json"].as_array().expect("pools array");
        assert!(!pools.is_empty());
        for p in pools {
            assert_valid(&pool, p, &format!("{env} pool {}", p["name"]));
        }
        let balancer = &b["load_balancer.json"];
        assert_valid(&lb, balancer, &format!("{env} load balancer"));
        for code in balancer["region_pools"].as_object().unwrap().keys() {
            assert!(
                region_codes.contains(code),
                "{env}: {code} is not a Cloudflare region code"
            );
        }
    }
}

#[test]
fn a_body_that_breaks_the_schema_is_caught() {
    // The validators are not vacuous: a wrong type and an unknown enum fail.
    let doc = openapi();
    let monitor = body_validator(
        &doc,
        "/accounts/{account_id}/load_balancers/monitors",
        "post",
    );
    let lb = body_validator(&doc, "/zones/{zone_id}/load_balancers", "post");
    let mut m = bodies("prod")["monitor.json"].clone();
    m["interval"] = json!("sixty");
    assert!(!monitor.is_valid(&m));
    let mut b = bodies("prod")["load_balancer.json"].clone();
    b["steering_policy"] = json!("nearest");
    assert!(!lb.is_valid(&b));
}

/// The cache-rules entrypoint: the OpenAPI body of PUT …/entrypoint is
/// written as the full ruleset (it demands `id` and `version`, and an action
/// pattern of ^[a-z]+$ that rejects `set_cache_settings`; see the reference's
/// SOURCES.md), so rules are checked against Cloudflare's cache-rules API
/// documentation: phase http_request_cache_settings, action
/// set_cache_settings, edge_ttl/browser_ttl modes. The rule fields that the
/// OpenAPI schema does describe (expression, description, enabled) are
/// checked against it too.
#[test]
fn cache_rules_match_the_documented_cache_rules_api() {
    let doc = openapi();
    let documented = cache_rules_validator();
    let rule_schema = cache_rule_validator(&doc);
    let enum_of = |name: &str| {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    for env in ["demo", "staging", "prod"] {
        let body = &bodies(env)["cache_rules.json"];
        assert_valid(&documented, body, &format!("{env} cache rules"));
        assert!(
            enum_of("rulesets_RulesetPhase").contains(&body["phase"]),
            "phase"
        );
        assert!(
            enum_of("rulesets_RulesetKind").contains(&body["kind"]),
            "kind"
        );
        let rules = body["rules"].as_array().unwrap();
        assert!(!rules.is_empty());
        for rule in rules {
            assert_valid(
                &rule_schema,
                rule,
                &format!("{env} cache rule {}", rule["description"]),
            );
        }
    }
    let mut bad = bodies("prod")["cache_rules.json"]["rules"][0].clone();
    bad["action_parameters"]["edge_ttl"]["mode"] = json!("forever");
    assert!(
        !rule_schema.is_valid(&bad),
        "the rule schema is not vacuous"
    );
}
