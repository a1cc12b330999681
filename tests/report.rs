//! `streamscale report`: the JSON numbers against SPEC §4 and the report's
//! own rules (hand-computed below), the Markdown's size and folding, and
//! the HTML's self-containment.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::Value;
use streamscale::report::{self, Options};

#[path = "support/local.rs"]
mod local;
#[path = "support/plans.rs"]
mod plans;

use local::assert_success;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn as_of() -> DateTime<Utc> {
    "2026-12-01T00:00:00Z".parse().unwrap()
}

fn model(p: &streamscale::plan::Plan) -> report::Report {
    report::build(p, None, &Options { as_of: as_of() })
}

fn json_of(p: &streamscale::plan::Plan) -> Value {
    report::json::value(&model(p))
}

/// A plan not sized for region loss, whose survivors overload; its third
/// region (af-south-1, c7i.xlarge) has no price in the embedded file.
const OVERLOADED: &str = r#"
name = "tight"
environment = "overloaded"

[defaults]
instance_type = "c7i.xlarge"
users_per_instance = 4000
target_utilization = 0.8
availability_zones = 2
ami = "ami-0123456789abcdef0"

[traffic]
peak_concurrent_users = 1_000_000
baseline_concurrent_users = 100_000
headroom = 0.1
survive_region_loss = false

[regions.us-east-1]
share = 0.5
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"

[regions.eu-west-1]
share = 0.3
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"

[regions.af-south-1]
share = 0.2
certificate_arn = "arn:aws:acm:af-south-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"

[[events]]
name = "cup-final"
starts_at = "2026-12-20T18:00:00Z"
duration_minutes = 120
prewarm_minutes = 60
expected_concurrent_users = 800_000
"#;

fn overloaded() -> streamscale::plan::Plan {
    streamscale::plan::from_str(Path::new("environments/overloaded.toml"), OVERLOADED)
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, found {v}"))
}

/// The capacity.json keys (SPEC §6) the JSON report must carry, with the
/// same values.
fn assert_capacity_keys(p: &streamscale::plan::Plan, j: &Value) {
    let cap = streamscale::render::capacity_json(p);
    assert_eq!(j["format_version"], 1);
    assert_eq!(j["kind"], "streamscale-report");
    for key in ["name", "environment", "stack_name", "traffic", "totals"] {
        assert_eq!(j[key], cap[key], "{key}");
    }
    for (region, want) in cap["regions"].as_object().unwrap() {
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&j["regions"][region][k], v, "regions.{region}.{k}");
        }
    }
    for (i, want) in cap["events"].as_array().unwrap().iter().enumerate() {
        for (k, v) in want.as_object().unwrap() {
            if k == "regions" {
                for (region, rv) in v.as_object().unwrap() {
                    assert_eq!(
                        j["events"][i]["regions"][region]["prewarm_min_size"],
                        rv["prewarm_min_size"]
                    );
                }
            } else {
                assert_eq!(&j["events"][i][k], v, "events[{i}].{k}");
            }
        }
    }
}

#[test]
fn prod_numbers() {
    let p = plans::example("prod");
    let j = json_of(&p);
    assert_capacity_keys(&p, &j);
    assert_eq!(j["as_of"], "2026-12-01T00:00:00Z");

    // SPEC §4 by hand: c = 8000 × 0.65 = 5200 (c7i.2xlarge regions),
    // 4000 × 0.65 = 2600 (the others); P = 10M, B = 1M, H = 0.2.
    // (region, min, peak, max, vCPUs at max, failover users)
    let want = [
        ("us-east-1", 58, 577, 924, 7392, "4000000"), // max: 3M×1.2/(0.75×5200) = 923.08
        (
            "eu-west-1",
            49,
            481,
            825,
            6600,
            "3571428.5714285714285714285714",
        ), // 3M/(0.7×5200) = 824.18
        (
            "us-west-2",
            39,
            385,
            660,
            2640,
            "1428571.4285714285714285714286",
        ),
        (
            "ap-northeast-1",
            47,
            462,
            792,
            3168,
            "1714285.7142857142857142857143",
        ),
        (
            "ap-south-1",
            39,
            385,
            660,
            2640,
            "1428571.4285714285714285714286",
        ),
        (
            "sa-east-1",
            31,
            308,
            528,
            2112,
            "1142857.1428571428571428571429",
        ),
        (
            "ap-southeast-2",
            20,
            193,
            330,
            1320,
            "714285.71428571428571428571429",
        ),
    ];
    for (region, min, peak, max, vcpus, failover) in want {
        let r = &j["regions"][region];
        assert_eq!(r["instances"]["baseline"], min, "{region}");
        assert_eq!(r["min_size"], min, "{region}");
        assert_eq!(r["instances"]["peak"], peak, "{region}");
        assert_eq!(r["peak_instances"], peak, "{region}");
        assert_eq!(r["instances"]["max"], max, "{region}");
        assert_eq!(r["max_size"], max, "{region}");
        assert_eq!(r["vcpus_at_max"], vcpus, "{region}");
        assert_eq!(r["vcpus"]["max"], vcpus, "{region}");
        assert_eq!(s(&r["failover_users"]), failover, "{region}");
    }
    let sum = &j["summary"];
    assert_eq!(sum["instances"]["baseline"], 283);
    assert_eq!(sum["instances"]["peak"], 2791);
    assert_eq!(sum["instances"]["max"], 4719);
    assert_eq!(sum["vcpus"]["max"], 25872);
    assert_eq!(
        sum["vcpus"]["peak"],
        577 * 8 + 481 * 8 + (385 + 462 + 385 + 308 + 193) * 4
    );
    assert_eq!(sum["regions"], 7);

    // Cost at peak: 577×0.357 + 481×0.38304 + 385×0.1785 + 462×0.2247
    // + 385×0.1785 + 308×0.2751 + 193×0.2331 = 761.20674.
    assert_eq!(
        s(&j["regions"]["us-east-1"]["cost_per_hour"]["peak"]),
        "205.989"
    );
    assert_eq!(
        s(&j["regions"]["eu-west-1"]["cost_per_hour"]["peak"]),
        "184.24224"
    );
    assert_eq!(
        s(&j["regions"]["us-east-1"]["cost_per_hour"]["baseline"]),
        "20.706"
    ); // 58 × 0.357
    assert_eq!(
        s(&j["regions"]["us-east-1"]["cost_per_hour"]["max"]),
        "329.868"
    ); // 924 × 0.357
    assert_eq!(s(&sum["cost_per_hour"]["compute"]["peak"]), "761.20674");
    // Cache: 2 shards × (1 + 1) = 4 cache.r7g.large nodes per region:
    // 4 × (0.219 + 0.243 + 0.219 + 0.263 + 0.224 + 0.436 + 0.263) = 7.468.
    assert_eq!(s(&sum["cost_per_hour"]["cache"]), "7.468");
    assert_eq!(s(&sum["cost_per_hour"]["total"]["peak"]), "768.67474");
    // Per 1,000 peak users: 768.67474 / 10,000 and 761.20674 / 10,000, 6 decimals.
    assert_eq!(
        s(&sum["cost_per_1000_peak_users_per_hour"]["total"]),
        "0.076867"
    );
    assert_eq!(
        s(&sum["cost_per_1000_peak_users_per_hour"]["compute"]),
        "0.076121"
    );
    assert_eq!(
        s(&j["regions"]["us-east-1"]["price"]["usd_per_hour"]),
        "0.357"
    );
    assert_eq!(j["prices"]["source_dates"]["ec2"], "2025-04-04");
    assert_eq!(j["prices"]["source_dates"]["elasticache"], "2025-03-14");
    assert_eq!(j["prices"]["unknown"], serde_json::json!([]));

    // Utilization at peak: 3,000,000 / (577 × 8000) = 64.99%.
    assert_eq!(
        s(&j["regions"]["us-east-1"]["utilization_at_peak_percent"]),
        "64.99"
    );
    // 500,000 / (193 × 4000) = 64.77%.
    assert_eq!(
        s(&j["regions"]["ap-southeast-2"]["utilization_at_peak_percent"]),
        "64.77"
    );
    // Ceiling: min MaxSize × upi / s = 924 × 8000 / 0.3 = 24,640,000.
    assert_eq!(s(&sum["capacity_ceiling_users"]), "24640000");

    // Region loss: us-east-1 lost, eu-west-1 carries 2.5M / 0.7 users on
    // 825 × 8000 = 6.6M: 54.11%; against 0.65 of it: 83.25%.
    let loss = j["region_loss"].as_array().unwrap();
    assert_eq!(loss.len(), 7);
    assert_eq!(loss[0]["lost"], "us-east-1");
    let eu = &loss[0]["survivors"]["eu-west-1"];
    assert_eq!(s(&eu["users"]), "3571428.57");
    assert_eq!(s(&eu["capacity_users"]), "6600000");
    assert_eq!(s(&eu["utilization_percent"]), "54.11");
    assert_eq!(s(&eu["of_target_percent"]), "83.25");
    assert_eq!(eu["overloaded"], false);
    assert!(loss[0]["survivors"].get("us-east-1").is_none());
    // Breaks at: every survivor reaches 100% at 18,480,000 (6.6M × 0.7 / 0.25).
    assert_eq!(s(&loss[0]["breaks_at_users"]), "18480000");
    for l in loss {
        assert_eq!(l["overloaded"], serde_json::json!([]), "{}", l["lost"]);
    }
    assert_eq!(sum["verdict"]["survives_region_loss"], true);
    assert_eq!(sum["verdict"]["carries_peak"], true);

    // Events: world-final pre-warms to the peak fleet (E = P), 285-minute
    // window: 761.20674 × 4.75 = 3615.732015; above MinSize
    // 684.05778 × 4.75 = 3249.274455.
    let wf = &j["events"][0];
    assert_eq!(wf["name"], "world-final");
    assert_eq!(wf["status"], "upcoming");
    assert_eq!(wf["window_minutes"], 285);
    assert_eq!(wf["prewarm_instances"], 2791);
    assert_eq!(wf["extra_instances"], 2791 - 283);
    assert_eq!(s(&wf["prewarm_cost"]), "3615.732015");
    assert_eq!(s(&wf["extra_cost"]), "3249.274455");
    assert_eq!(wf["regions"]["us-east-1"]["prewarm_min_size"], 577);
    assert_eq!(wf["regions"]["us-east-1"]["min_size"], 58);
    // 577 × 0.357 × 4.75 = 205.989 × 4.75 = 978.44775.
    assert_eq!(s(&wf["regions"]["us-east-1"]["window_cost"]), "978.44775");
    // new-year-concert: E = 6M: ceil(1.8M/5200) = 347, ceil(1.5M/5200) = 289, …
    let ny = &j["events"][1];
    assert_eq!(ny["regions"]["us-east-1"]["prewarm_min_size"], 347);
    assert_eq!(ny["regions"]["eu-west-1"]["prewarm_min_size"], 289);
    assert_eq!(ny["regions"]["ap-southeast-2"]["prewarm_min_size"], 116);
    assert_eq!(ny["prewarm_instances"], 1676);
    assert_eq!(ny["window_minutes"], 240);
    let next = &sum["next_event"];
    assert_eq!(next["name"], "world-final");
    assert_eq!(next["prewarm_at"], "2026-12-18T18:15:00Z");
    assert_eq!(next["minutes_until_prewarm"], 17 * 1440 + 18 * 60 + 15);

    // Quotas: vCPUs at max against [aws] vcpu_quota.
    let q = &j["quotas"]["regions"];
    assert_eq!(q["us-east-1"]["quota"], 8000);
    assert_eq!(q["us-east-1"]["shortfall"], Value::Null);
    assert_eq!(q["us-east-1"]["source"], "plan");
    assert_eq!(q["eu-west-1"]["shortfall"], 600); // 6600 − 6000
    assert_eq!(q["us-west-2"]["shortfall"], 140); // 2640 − 2500
    assert_eq!(q["ap-northeast-1"]["shortfall"], 168); // 3168 − 3000
    assert_eq!(q["sa-east-1"]["shortfall"], 112); // 2112 − 2000
    assert_eq!(q["ap-southeast-2"]["shortfall"], Value::Null);
    assert_eq!(s(&q["eu-west-1"]["use_percent"]), "110.00");
    assert_eq!(
        j["quotas"]["shortfalls"],
        serde_json::json!([
            "eu-west-1",
            "us-west-2",
            "ap-northeast-1",
            "ap-south-1",
            "sa-east-1"
        ])
    );
    assert_eq!(j["quotas"]["quota_code"], "L-1216C47A");
    assert_eq!(sum["verdict"]["quotas_ok"], false);
    let findings = j["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["severity"] == "critical" && s(&f["message"]).starts_with("eu-west-1:"))
    );

    // Latency: every metro is served, estimates follow the documented rule.
    assert_eq!(j["latency"]["target_ms"], 200);
    assert_eq!(j["latency"]["steering"], "geo");
    let metros = j["latency"]["metros"].as_array().unwrap();
    assert_eq!(metros.len(), report::latency::METROS.len());
    for m in metros {
        let km = m["distance_km"].as_u64().unwrap() as f64;
        let rtt = m["rtt_ms"].as_u64().unwrap() as f64;
        assert!((rtt - km * 2.0 * 1.5 / 200.0).abs() <= 1.0, "{m}");
    }
    let tokyo = metros.iter().find(|m| m["metro"] == "Tokyo").unwrap();
    assert_eq!(tokyo["serving_region"], "ap-northeast-1");
    assert_eq!(sum["verdict"]["latency_ok"], true);
    assert_eq!(j["live"], Value::Null);
}

#[test]
fn staging_numbers() {
    let p = plans::example("staging");
    let j = json_of(&p);
    assert_capacity_keys(&p, &j);
    // base.toml: c7g.xlarge (4 vCPUs), 4500 × 0.6 = 2700 per instance, 2 AZs;
    // P = 200k, B = 20k, H = 0.25.
    // us-east-1 (0.5): peak ceil(100k/2700) = 38, min max(2, ceil(10k/2700)) = 4,
    //   max ceil(125k / (0.7 × 2700)) = ceil(66.14) = 67.
    // eu-west-1 (0.3): 23, 3, ceil(75k / 1350) = 56.
    // ap-northeast-1 (0.2): 15, 2, ceil(50k / 1350) = 38.
    for (region, min, peak, max) in [
        ("us-east-1", 4, 38, 67),
        ("eu-west-1", 3, 23, 56),
        ("ap-northeast-1", 2, 15, 38),
    ] {
        let r = &j["regions"][region];
        assert_eq!(r["instances"]["baseline"], min, "{region}");
        assert_eq!(r["instances"]["peak"], peak, "{region}");
        assert_eq!(r["instances"]["max"], max, "{region}");
        assert_eq!(r["vcpus"]["max"], max * 4, "{region}");
    }
    let sum = &j["summary"];
    assert_eq!(sum["instances"]["max"], 161);
    assert_eq!(sum["vcpus"]["max"], 644);
    // 38 × 0.145 + 23 × 0.155 + 15 × 0.1819 = 11.8035.
    assert_eq!(s(&sum["cost_per_hour"]["compute"]["peak"]), "11.8035");
    // Valkey cache.m7g.large, 1 shard × 2 nodes: 2 × (0.1264 + 0.1392 + 0.1616).
    assert_eq!(s(&sum["cost_per_hour"]["cache"]), "0.8544");
    assert_eq!(s(&sum["cost_per_hour"]["total"]["peak"]), "12.6579");
    // 12.6579 / 200 = 0.0632895 → 0.063290 (half away from zero).
    assert_eq!(
        s(&sum["cost_per_1000_peak_users_per_hour"]["total"]),
        "0.06329"
    );
    assert_eq!(
        j["prices"]["source_dates"]["elasticache-valkey"],
        "2025-03-14"
    );
    assert!(j["prices"]["source_dates"].get("elasticache").is_none());

    // Loss of us-east-1 (0.5): eu-west-1 carries 60k / 0.5 = 120k on
    // 56 × 4500 = 252k: 47.62%; ap-northeast-1 80k on 171k: 46.78%.
    let l = &j["region_loss"][0];
    assert_eq!(l["lost"], "us-east-1");
    assert_eq!(
        s(&l["survivors"]["eu-west-1"]["utilization_percent"]),
        "47.62"
    );
    assert_eq!(
        s(&l["survivors"]["ap-northeast-1"]["utilization_percent"]),
        "46.78"
    );
    // min(252k × 0.5 / 0.3, 171k × 0.5 / 0.2) = min(420,000, 427,500).
    assert_eq!(s(&l["breaks_at_users"]), "420000");
    assert_eq!(sum["verdict"]["survives_region_loss"], true);

    // final-rehearsal: E = 150k → 28, 17, 12; 150-minute window;
    // (28 × 0.145 + 17 × 0.155 + 12 × 0.1819) × 2.5 = 22.1945.
    let e = &j["events"][0];
    assert_eq!(e["regions"]["us-east-1"]["prewarm_min_size"], 28);
    assert_eq!(e["regions"]["eu-west-1"]["prewarm_min_size"], 17);
    assert_eq!(e["regions"]["ap-northeast-1"]["prewarm_min_size"], 12);
    assert_eq!(s(&e["prewarm_cost"]), "22.1945");
    // No [aws] vcpu_quota in staging: unknown, not failed.
    assert_eq!(sum["verdict"]["quotas_ok"], Value::Null);
    assert_eq!(j["quotas"]["regions"]["us-east-1"]["quota"], Value::Null);
}

#[test]
fn demo_numbers() {
    let p = plans::example("demo");
    let j = json_of(&p);
    assert_capacity_keys(&p, &j);
    // c7i.large (2 vCPUs), 1500 × 0.6 = 900; P = 30k, B = 5k, H = 0.2.
    // us-east-1 (0.6): peak 18000/900 = 20 exactly, min ceil(3000/900) = 4,
    //   max 18000 × 1.2 / (0.6 × 900) = 40 exactly.
    // eu-west-1 (0.4): peak ceil(13.33) = 14, min 3, max 14400 / 360 = 40.
    for (region, min, peak, max, util) in [
        ("us-east-1", 4, 20, 40, "60.00"),
        ("eu-west-1", 3, 14, 40, "57.14"),
    ] {
        let r = &j["regions"][region];
        assert_eq!(r["instances"]["baseline"], min, "{region}");
        assert_eq!(r["instances"]["peak"], peak, "{region}");
        assert_eq!(r["instances"]["max"], max, "{region}");
        assert_eq!(s(&r["utilization_at_peak_percent"]), util, "{region}");
    }
    let sum = &j["summary"];
    // 20 × 0.08925 + 14 × 0.09576 = 3.12564; cache 2 × (0.219 + 0.243).
    assert_eq!(s(&sum["cost_per_hour"]["compute"]["peak"]), "3.12564");
    assert_eq!(s(&sum["cost_per_hour"]["total"]["peak"]), "4.04964");
    assert_eq!(
        s(&sum["cost_per_1000_peak_users_per_hour"]["total"]),
        "0.134988"
    );
    assert_eq!(
        s(&sum["cost_per_1000_peak_users_per_hour"]["compute"]),
        "0.104188"
    );
    // Either loss leaves 30,000 users on 40 × 1500 = 60,000: 50%, and
    // 30,000 / 36,000 = 83.33% of the planned capacity.
    for (i, survivor) in [(0, "eu-west-1"), (1, "us-east-1")] {
        let v = &j["region_loss"][i]["survivors"][survivor];
        assert_eq!(s(&v["users"]), "30000");
        assert_eq!(s(&v["utilization_percent"]), "50.00");
        assert_eq!(s(&v["of_target_percent"]), "83.33");
        assert_eq!(s(&j["region_loss"][i]["breaks_at_users"]), "60000");
    }
    // Two regions in the US east and Ireland: Oceania is far.
    let metros = j["latency"]["metros"].as_array().unwrap();
    let sydney = metros.iter().find(|m| m["metro"] == "Sydney").unwrap();
    assert_eq!(sydney["above_target"], true, "{sydney}");
    assert_eq!(sum["verdict"]["latency_ok"], false);
    assert!(
        j["latency"]["above_target"]
            .as_array()
            .unwrap()
            .contains(&Value::from("Sydney"))
    );
}

#[test]
fn overloaded_plan_shows_where_it_breaks() {
    let p = overloaded();
    let j = json_of(&p);
    assert_capacity_keys(&p, &j);
    // c = 4000 × 0.8 = 3200; no region-loss sizing, so f = p:
    // us-east-1: peak ceil(500k/3200) = 157, max ceil(550k/3200) = 172.
    // eu-west-1: 94, ceil(330k/3200) = 104. af-south-1: 63, ceil(220k/3200) = 69.
    for (region, peak, max) in [
        ("us-east-1", 157, 172),
        ("eu-west-1", 94, 104),
        ("af-south-1", 63, 69),
    ] {
        assert_eq!(j["regions"][region]["instances"]["peak"], peak, "{region}");
        assert_eq!(j["regions"][region]["max_size"], max, "{region}");
    }
    let loss = j["region_loss"].as_array().unwrap();
    // us-east-1 lost: eu-west-1 carries 300k/0.5 = 600k on 104 × 4000 = 416k
    // (144.23%), af-south-1 400k on 276k (144.93%).
    assert_eq!(loss[0]["lost"], "us-east-1");
    let eu = &loss[0]["survivors"]["eu-west-1"];
    assert_eq!(s(&eu["users"]), "600000");
    assert_eq!(s(&eu["utilization_percent"]), "144.23");
    assert_eq!(eu["overloaded"], true);
    assert_eq!(
        s(&loss[0]["survivors"]["af-south-1"]["utilization_percent"]),
        "144.93"
    );
    assert_eq!(
        loss[0]["overloaded"],
        serde_json::json!(["eu-west-1", "af-south-1"])
    );
    // Breaks at min(416k × 0.5 / 0.3, 276k × 0.5 / 0.2) = min(693,333, 690,000).
    assert_eq!(s(&loss[0]["breaks_at_users"]), "690000");
    // eu-west-1 lost: us-east-1 carries 500k / 0.7 = 714,285.71 on 688k
    // (103.82%), af-south-1 285,714.29 on 276k (103.52%).
    let us = &loss[1]["survivors"]["us-east-1"];
    assert_eq!(s(&us["users"]), "714285.71");
    assert_eq!(s(&us["utilization_percent"]), "103.82");
    assert_eq!(us["overloaded"], true);
    assert_eq!(
        s(&loss[1]["survivors"]["af-south-1"]["utilization_percent"]),
        "103.52"
    );
    assert_eq!(s(&loss[1]["breaks_at_users"]), "963200"); // 688k × 0.7 / 0.5
    // af-south-1 lost: us-east-1 625k on 688k = 90.84%: not overloaded, but
    // 625k / (688k × 0.8) = 113.55% of plan: above target.
    let us = &loss[2]["survivors"]["us-east-1"];
    assert_eq!(s(&us["utilization_percent"]), "90.84");
    assert_eq!(us["overloaded"], false);
    assert_eq!(us["above_target"], true);
    assert_eq!(s(&us["of_target_percent"]), "113.55");
    assert_eq!(loss[2]["overloaded"], serde_json::json!([]));
    assert_eq!(s(&loss[2]["breaks_at_users"]), "1100800"); // 688k × 0.8 / 0.5

    let sum = &j["summary"];
    assert_eq!(sum["verdict"]["survives_region_loss"], false);
    assert_eq!(sum["verdict"]["carries_peak"], true);
    let findings = j["findings"].as_array().unwrap();
    assert_eq!(findings[0]["severity"], "critical");
    assert_eq!(findings[0]["section"], "region_loss");

    // af-south-1 has no c7i.xlarge price: unknown, never zero, and so is
    // every total that needs it.
    let af = &j["regions"]["af-south-1"];
    assert_eq!(af["price"], Value::Null);
    assert_eq!(af["cost_per_hour"]["peak"], Value::Null);
    assert_eq!(sum["cost_per_hour"]["compute"]["peak"], Value::Null);
    assert_eq!(sum["cost_per_hour"]["total"]["peak"], Value::Null);
    assert_eq!(
        sum["cost_per_1000_peak_users_per_hour"]["total"],
        Value::Null
    );
    assert_eq!(j["events"][0]["prewarm_cost"], Value::Null);
    assert_eq!(
        s(&j["regions"]["us-east-1"]["cost_per_hour"]["peak"]),
        "28.0245"
    ); // 157 × 0.1785
    assert_eq!(
        j["prices"]["unknown"],
        serde_json::json!([{"service": "ec2", "region": "af-south-1", "type": "c7i.xlarge"}])
    );
    // No [cache]: no cache cost, and the total is the compute cost.
    assert_eq!(sum["cost_per_hour"]["cache"], Value::Null);

    // The Markdown shows where it breaks, marks the overload red and says
    // "unknown" for the missing price.
    let md = report::markdown::render(&model(&p));
    assert!(md.contains("🔴 **144.2%**"), "{md}");
    assert!(
        md.contains("| survives the loss of any one region | ❌ |"),
        "{md}"
    );
    assert!(md.contains("losing us-east-1 overloads eu-west-1 (144.2%), af-south-1 (144.9%)"));
    assert!(md.contains("unknown"));
    assert!(
        !md.contains("$0.00 /"),
        "a missing price must not read as zero"
    );
    let html = report::html::render(&model(&p));
    assert!(
        html.contains("class=\"n bad\""),
        "overloaded cells are marked red"
    );
}

#[test]
fn markdown_fits_a_pull_request_comment() {
    for env in ["prod", "staging", "demo"] {
        let md = report::markdown::render(&model(&plans::example(env)));
        assert!(
            md.chars().count() < report::markdown::COMMENT_LIMIT,
            "{env}: {} characters",
            md.chars().count()
        );
        assert!(
            md.contains("<details>") && md.contains("</details>"),
            "{env}"
        );
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count(),
            "{env}"
        );
        assert!(md.starts_with("# Capacity review: "), "{env}");
    }
    let md = report::markdown::render(&model(&plans::example("prod")));
    for want in [
        "## Summary",
        "## Where we are short",
        "## Regions",
        "## Region loss (N+1)",
        "## Events",
        "## vCPU quotas",
        "## Latency",
        "| instances | 283 | 2,791 | 4,719 |",
        "2025-04-04",
        "world-final starts 2026-12-18 19:00 UTC",
        "🔴 short 600 vCPUs",
    ] {
        assert!(md.contains(want), "missing {want:?}");
    }
}

#[test]
fn the_committed_sample_is_current() {
    // docs/report-prod.md is `streamscale report -e prod --as-of 2026-12-01T00:00:00Z`.
    let md = report::markdown::render(&model(&plans::example("prod")));
    let committed =
        std::fs::read_to_string(root().join("docs/report-prod.md")).expect("docs/report-prod.md");
    assert_eq!(
        committed, md,
        "regenerate: streamscale report -e prod --as-of 2026-12-01T00:00:00Z -o docs/report-prod.md"
    );
}

#[test]
fn html_is_self_contained() {
    for env in ["prod", "staging", "demo"] {
        let html = report::html::render(&model(&plans::example(env)));
        let lower = html.to_lowercase();
        for bad in [
            "http://",
            "https://",
            "<script src",
            "<link",
            "<img",
            "@import",
            "url(",
            "<iframe",
        ] {
            assert!(
                !lower.contains(bad),
                "{env}: the page must not fetch anything ({bad})"
            );
        }
        assert!(lower.starts_with("<!doctype html>"));
        assert_eq!(html.matches("<svg ").count(), 5, "{env}: five charts");
        for id in ["instances", "cost", "region-loss", "timeline", "quotas"] {
            assert!(
                html.contains(&format!("id=\"chart-{id}\"")),
                "{env}: chart {id}"
            );
        }
        assert!(html.contains("@media print"));
    }
    let a = report::html::render(&model(&plans::example("prod")));
    let b = report::html::render(&model(&plans::example("prod")));
    assert_eq!(a, b, "deterministic");
}

#[test]
fn live_data_is_shown() {
    let p = plans::example("demo");
    let live = report::LiveData {
        instances: [
            ("us-east-1".to_string(), Some(3)),
            ("eu-west-1".to_string(), None),
        ]
        .into_iter()
        .collect(),
        vcpu_quota: [("us-east-1".to_string(), 64)].into_iter().collect(),
        drift_summary: Some("no drift in 2 regions".into()),
    };
    let r = report::build(&p, Some(&live), &Options { as_of: as_of() });
    let j = report::json::value(&r);
    assert_eq!(j["live"]["regions"]["us-east-1"]["instances"], 3);
    assert_eq!(j["live"]["regions"]["us-east-1"]["below_min"], true); // MinSize 4
    assert_eq!(j["live"]["regions"]["eu-west-1"]["instances"], Value::Null);
    assert_eq!(j["live"]["drift_summary"], "no drift in 2 regions");
    // The live quota wins over (absent) plan quotas: 80 vCPUs at max > 64.
    assert_eq!(j["quotas"]["regions"]["us-east-1"]["source"], "live");
    assert_eq!(j["quotas"]["regions"]["us-east-1"]["shortfall"], 16);
    let md = report::markdown::render(&r);
    assert!(md.contains("## Live") && md.contains("no drift in 2 regions"));
}

#[test]
fn event_status_follows_as_of() {
    let p = plans::example("prod");
    let during: DateTime<Utc> = "2026-12-18T20:00:00Z".parse().unwrap();
    let r = report::build(&p, None, &Options { as_of: during });
    assert_eq!(r.events[0].status, report::EventStatus::InProgress);
    assert_eq!(r.next_event, Some(0));
    let after: DateTime<Utc> = "2027-02-01T00:00:00Z".parse().unwrap();
    let r = report::build(&p, None, &Options { as_of: after });
    assert_eq!(r.next_event, None);
    assert!(report::markdown::render(&r).contains("none after the as-of time"));
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("streamscale").unwrap();
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

#[test]
fn cli_writes_each_format() {
    let out = cli()
        .args([
            "report",
            "-e",
            "prod",
            "--format",
            "json",
            "--as-of",
            "2026-12-01",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let j: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert_eq!(j, json_of(&plans::example("prod")));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub/report.html");
    let out = cli()
        .args([
            "report",
            "-e",
            "demo",
            "--format",
            "html",
            "--as-of",
            "2026-12-01T00:00:00Z",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(out.stdout.is_empty(), "with -o nothing goes to stdout");
    assert!(std::fs::read_to_string(&file).unwrap().contains("<svg "));

    let out = cli()
        .args(["report", "-e", "staging", "--as-of", "2026-12-01T00:00:00Z"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("# Capacity review: streamglobal · staging")
    );
}

#[test]
fn cli_errors_exit_1() {
    for args in [
        vec!["report", "-e", "prod", "--format", "pdf"],
        vec!["report", "-e", "prod", "--as-of", "soon"],
        vec!["report", "-e", "no-such-env"],
    ] {
        let out = cli().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn live_without_a_reachable_aws_endpoint_fails_cleanly() {
    // `report --live` reads the accounts (tests/drift.rs checks it against
    // moto); with nothing to read it is an error, exit 1, nothing on stdout.
    let dir = tempfile::tempdir().unwrap();
    let out = cli()
        .args(["report", "-e", "demo", "--live"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--live"), "{stderr}");
    assert!(stderr.contains("Connection refused"), "{stderr}");
}

#[test]
fn html_has_the_tier_sections_of_the_markdown() {
    // prod has [database], [search], [kubernetes] and [monitoring]: the
    // HTML carries each Markdown section, heading and every table cell.
    let r = model(&plans::example("prod"));
    let html = report::html::render(&r);
    let mut md = String::new();
    report::tiers::markdown(&r.tiers, &mut md);
    report::platform::markdown(&r.platform, &mut md);
    for (id, heading) in [
        ("database", "## Database (DocumentDB)"),
        ("search", "## Search (OpenSearch Service)"),
        ("kubernetes", "## Kubernetes (EKS"),
        ("alerts", "## Alerts (availability SLO"),
    ] {
        let line = md
            .lines()
            .find(|l| l.starts_with(heading))
            .unwrap_or_else(|| panic!("the Markdown has no {heading}"));
        let title = report::html::esc(line.trim_start_matches("## "));
        assert!(
            html.contains(&format!("<h2 id=\"{id}\">{title}</h2>")),
            "no {id} section"
        );
    }
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .collect();
    assert!(rows.len() > 20, "{md}");
    for row in rows {
        for cell in row.trim_matches('|').split('|').map(str::trim) {
            let cell = report::html::esc(cell).replace('`', "");
            assert!(
                html.contains(&format!(">{cell}<")) || cell.is_empty(),
                "cell {cell:?} of {row:?} is not in the HTML"
            );
        }
    }
    // demo has none of the tiers: no such section.
    let demo = report::html::render(&model(&plans::example("demo")));
    for id in ["database", "search", "kubernetes", "alerts"] {
        assert!(!demo.contains(&format!("<h2 id=\"{id}\">")), "demo: {id}");
    }
}
