//! Rendering: snapshots of every file of every example environment, and
//! byte-identical output on every run.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;
use streamscale::render::{Templates, render};

#[path = "support/local.rs"]
mod local;
#[path = "support/plans.rs"]
mod plans;

use local::{assert_success, files_under};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The instant the snapshots are rendered for: before every example event
/// (they are in December 2026 and later), so every action is still ahead.
const RENDER_AT: &str = "2026-11-01T00:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

#[test]
fn rendered_files_of_the_examples_match_their_snapshots() {
    let templates = Templates::builtin().unwrap();
    for env in ["demo", "staging", "prod"] {
        let plan = plans::example(env);
        let rendered = render(&plan, &templates, at(RENDER_AT)).unwrap();
        for (path, text) in rendered.files() {
            let name = format!("{env}__{}", path.display().to_string().replace('/', "__"));
            insta::assert_snapshot!(name, text);
        }
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [a.path(), b.path()] {
        let out = assert_cmd::Command::cargo_bin("streamscale")
            .unwrap()
            .current_dir(root())
            .args(["render", "--now", RENDER_AT, "-e", "prod", "-o"])
            .arg(dir)
            .output()
            .unwrap();
        assert_success(&out);
    }
    let files = |d: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = files_under(d)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(d).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(
        fa.len(),
        7 * 2 + 4 + 1 + 7 * 6 + 7,
        "7 regions × 2 stack files, 4 Cloudflare bodies, capacity.json, \
         7 regions × 6 Kubernetes manifests, 7 Prometheus rules files"
    );
    assert_eq!(fa, fb);
}

#[test]
fn capacity_json_carries_the_spec_keys_and_numbers() {
    let plan = plans::example("prod");
    let c = streamscale::render::capacity_json(&plan);
    assert_eq!(c["format_version"], 1);
    assert_eq!(c["name"], "streamglobal");
    assert_eq!(c["environment"], "prod");
    let r = &c["regions"]["us-east-1"];
    assert_eq!(r["share"], "0.30");
    assert_eq!(r["instance_type"], "c7i.2xlarge");
    assert_eq!(r["peak_users"], "3000000");
    assert_eq!(r["failover_users"], "4000000");
    assert_eq!(r["peak_instances"], 577);
    assert_eq!(r["min_size"], 58);
    assert_eq!(r["max_size"], 924);
    assert_eq!(r["vcpus_at_max"], 7392);
    let e = &c["events"][0];
    assert_eq!(e["name"], "world-final");
    assert_eq!(e["prewarm_at"], "2026-12-18T18:15:00Z");
    assert_eq!(e["release_at"], "2026-12-18T23:00:00Z");
    assert_eq!(e["regions"]["us-east-1"]["prewarm_min_size"], 577);
}

#[test]
fn a_project_template_overrides_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let alarms = dir.path().join("aws/alarms.json.hbs");
    std::fs::create_dir_all(alarms.parent().unwrap()).unwrap();
    let builtin = streamscale::render::templates::BUILT_IN
        .iter()
        .find(|t| t.path == "aws/alarms.json.hbs")
        .unwrap();
    std::fs::write(
        &alarms,
        builtin.text.replace(
            "\"Period\": 60,\n        \"EvaluationPeriods\": 3",
            "\"Period\": 300,\n        \"EvaluationPeriods\": 3",
        ),
    )
    .unwrap();
    let templates = streamscale::project::templates_in(dir.path()).unwrap();
    assert_eq!(templates.overridden.len(), 1);
    let plan = plans::example("demo");
    let t = render(&plan, &templates, at(RENDER_AT)).unwrap().stacks[0].template_value();
    assert_eq!(
        t["Resources"]["AlarmUnhealthyHosts"]["Properties"]["Period"],
        300
    );
    // A broken override is a located error, not a panic.
    std::fs::write(&alarms, "{{#if}}").unwrap();
    let err = streamscale::project::templates_in(dir.path())
        .err()
        .expect("a broken template is refused");
    assert!(err.to_string().contains("alarms.json.hbs"), "{err}");
}

/// prod's us-east-1 stack rendered at `now`.
fn prod_us_east_1(now: &str) -> Value {
    let plan = plans::example("prod");
    let rendered = render(&plan, &Templates::builtin().unwrap(), at(now)).unwrap();
    rendered
        .stacks
        .iter()
        .find(|s| s.region == "us-east-1")
        .expect("us-east-1")
        .template_value()
}

fn resource_ids(t: &Value) -> Vec<String> {
    t["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn group_min_size(t: &Value) -> &Value {
    &t["Resources"]["AutoScalingGroup"]["Properties"]["MinSize"]
}

#[test]
fn before_the_prewarm_both_actions_are_scheduled() {
    let t = prod_us_east_1("2026-12-18T18:14:59Z");
    let ids = resource_ids(&t);
    for id in ["PrewarmWorldFinal", "ReleaseWorldFinal"] {
        assert!(ids.contains(&id.to_string()), "{id} missing: {ids:?}");
    }
    assert_eq!(group_min_size(&t), "58");
}

#[test]
fn an_event_whose_prewarm_is_past_keeps_its_release_and_holds_the_prewarm_size() {
    // Pre-warm at 18:15, start at 19:00: at 18:30 the pre-warm action would
    // start in the past, which AWS refuses.
    for now in [
        "2026-12-18T18:15:00Z",
        "2026-12-18T18:30:00Z",
        "2026-12-18T20:00:00Z",
    ] {
        let t = prod_us_east_1(now);
        let ids = resource_ids(&t);
        assert!(
            !ids.contains(&"PrewarmWorldFinal".to_string()),
            "at {now}: {ids:?}"
        );
        assert!(
            ids.contains(&"ReleaseWorldFinal".to_string()),
            "at {now}: {ids:?}"
        );
        assert_eq!(
            group_min_size(&t),
            "577",
            "at {now}: the pre-warm size holds"
        );
        assert_eq!(
            t["Resources"]["ReleaseWorldFinal"]["Properties"]["MinSize"], 58,
            "the release brings MinSize back"
        );
    }
}

#[test]
fn an_event_that_is_over_is_left_out_of_the_stack() {
    let t = prod_us_east_1("2026-12-18T23:00:00Z");
    let ids = resource_ids(&t);
    assert!(
        !ids.iter().any(|id| id.ends_with("WorldFinal")),
        "world-final is over: {ids:?}"
    );
    assert!(
        ids.contains(&"PrewarmNewYearConcert".to_string()),
        "{ids:?}"
    );
    assert_eq!(group_min_size(&t), "58");
}

#[test]
fn no_rendered_scheduled_action_starts_at_or_before_now() {
    let plan = plans::example("prod");
    let templates = Templates::builtin().unwrap();
    // Each event boundary, a second either side of it.
    let instants: Vec<DateTime<Utc>> = plan
        .capacity
        .events
        .iter()
        .flat_map(|e| [e.prewarm_at, e.starts_at, e.release_at])
        .flat_map(|t| [-1, 0, 1].map(|s| t + chrono::Duration::seconds(s)))
        .collect();
    assert_eq!(instants.len(), 2 * 3 * 3);
    for now in instants {
        for stack in render(&plan, &templates, now).unwrap().stacks {
            let t = stack.template_value();
            for (id, r) in t["Resources"].as_object().unwrap() {
                if r["Type"] == "AWS::AutoScaling::ScheduledAction" {
                    let start = at(r["Properties"]["StartTime"].as_str().unwrap());
                    assert!(
                        start > now,
                        "{id} in {} starts {start}, not after {now}",
                        stack.region
                    );
                }
            }
        }
    }
}

#[test]
fn now_is_pinned_by_the_flag_or_the_environment_and_a_bad_value_is_refused() {
    let run = |args: &[&str], env: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = assert_cmd::Command::cargo_bin("streamscale").unwrap();
        cmd.current_dir(root()).env_remove("STREAMSCALE_NOW");
        if let Some(v) = env {
            cmd.env("STREAMSCALE_NOW", v);
        }
        let out = cmd.args(args).arg("-o").arg(dir.path()).output().unwrap();
        let template = std::fs::read_to_string(dir.path().join("prod/aws/us-east-1/template.json"));
        (out, template.ok())
    };
    let (out, flag) = run(
        &["render", "-e", "prod", "--now", "2026-12-19T00:00:00Z"],
        None,
    );
    assert_success(&out);
    let flag = flag.unwrap();
    assert!(
        !flag.contains("WorldFinal"),
        "world-final is over at the pinned time"
    );
    let (_, env) = run(&["render", "-e", "prod"], Some("2026-12-19T00:00:00Z"));
    assert_eq!(env.as_deref(), Some(flag.as_str()));
    let (out, _) = run(&["render", "-e", "prod", "--now", "tomorrow"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}
