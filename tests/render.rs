//! Rendering: snapshots of every file of every example environment, and
//! byte-identical output on every run.

use std::path::Path;

use streamscale::render::{Templates, render};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rendered_files_of_the_examples_match_their_snapshots() {
    let templates = Templates::builtin().unwrap();
    for env in ["demo", "staging", "prod"] {
        let plan =
            streamscale::project::load_plan(&root().join(format!("environments/{env}.toml")))
                .unwrap();
        let rendered = render(&plan, &templates).unwrap();
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
            .args(["render", "-e", "prod", "-o"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let files = |d: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = walk(d)
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
        7 * 2 + 4 + 1,
        "7 regions × 2 files, 4 Cloudflare bodies, capacity.json"
    );
    assert_eq!(fa, fb);
}

fn walk(d: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn capacity_json_carries_the_spec_keys_and_numbers() {
    let plan = streamscale::project::load_plan(&root().join("environments/prod.toml")).unwrap();
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
    let plan = streamscale::project::load_plan(&root().join("environments/demo.toml")).unwrap();
    let t = render(&plan, &templates).unwrap().stacks[0].template_value();
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
