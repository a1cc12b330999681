//! Every rendered template passes checkov (pinned in
//! requirements-validators.txt; `scripts/test` exports STREAMSCALE_CHECKOV)
//! with zero failed checks: the example environments and the test plans (a
//! 16-region plan with and without a cache, and the small plans of the live
//! tests). A check may be skipped only in the resource's Metadata, with its
//! reason, and docs/security.md lists every skip with the same reason.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use streamscale::render::security::all_skips;
use streamscale::render::{Templates, render};

fn checkov() -> PathBuf {
    let bin = std::env::var_os("STREAMSCALE_CHECKOV").map(PathBuf::from).unwrap_or_else(|| {
        panic!("STREAMSCALE_CHECKOV is not set: run the tests through scripts/test, or run scripts/bootstrap-validators and export STREAMSCALE_CHECKOV=<venv>/bin/checkov")
    });
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

fn sixteen_regions(cache: bool) -> String {
    let regions = streamscale::catalog::regions();
    let n = regions.len();
    let mut s = String::from(
        "name = \"wide\"\n[defaults]\ninstance_type = \"m7g.xlarge\"\nusers_per_instance = 3000\ntarget_utilization = 0.7\nami = \"ami-0123456789abcdef0\"\n[traffic]\npeak_concurrent_users = 16000000\nbaseline_concurrent_users = 1600000\nheadroom = 0.25\nsurvive_region_loss = true\n",
    );
    for r in regions {
        s.push_str(&format!(
            "[regions.{}]\nshare = {}\ncertificate_arn = \"{}\"\n",
            r.code,
            rust_decimal::Decimal::ONE / rust_decimal::Decimal::from(n as u32),
            project::test_certificate(r.code)
        ));
    }
    if cache {
        s.push_str("[cache]\nengine = \"valkey\"\nnode_type = \"cache.m7g.large\"\nshards = 3\nreplicas_per_shard = 2\n");
    }
    s
}

/// The plans: example environments, then the test plans.
fn plans() -> Vec<(String, streamscale::plan::Plan)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut plans = Vec::new();
    for env in ["demo", "staging", "prod"] {
        let plan = streamscale::project::load_plan(&root.join(format!("environments/{env}.toml")))
            .unwrap_or_else(|e| panic!("{}", streamscale::plan::diagnostic::render_plain(&e)));
        plans.push((env.to_string(), plan));
    }
    let live = project::plan_text(
        "live",
        &[
            ("us-east-1", "0.5", "c7i.large"),
            ("eu-west-1", "0.5", "c7i.large"),
        ],
        "[cache]\nnode_type = \"cache.r7g.large\"\n",
    );
    for (name, text) in [
        ("wide".to_string(), sixteen_regions(true)),
        ("wide-no-cache".to_string(), sixteen_regions(false)),
        ("live".to_string(), live),
    ] {
        let plan = streamscale::plan::from_str(Path::new(&format!("{name}.toml")), &text)
            .unwrap_or_else(|e| panic!("{}", streamscale::plan::diagnostic::render_plain(&e)));
        plans.push((name, plan));
    }
    plans
}

#[test]
fn every_rendered_template_passes_checkov_with_every_skip_explained() {
    let out = tempfile::tempdir().unwrap();
    let templates = Templates::builtin().unwrap();
    let mut n = 0;
    for (name, plan) in plans() {
        let now = "2026-11-01T00:00:00Z".parse().unwrap();
        let rendered = render(&plan, &templates, now).unwrap();
        for s in &rendered.stacks {
            let dir = out.path().join(&name).join(&s.region);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("template.json"), &s.template).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 2 + 3 + 7 + 16 + 16 + 2, "templates rendered");
    let output = Command::new(checkov())
        .args(["--framework", "cloudformation", "--compact"])
        .args(["--skip-download", "--output", "json", "-d"])
        .arg(out.path())
        .output()
        .expect("run checkov");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov's output is not JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let reports = match report {
        Value::Array(a) => a,
        one => vec![one],
    };
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    let mut passed = 0;
    for r in &reports {
        let results = &r["results"];
        passed += results["passed_checks"].as_array().map_or(0, Vec::len);
        for c in results["failed_checks"].as_array().into_iter().flatten() {
            failed.push(format!(
                "{} {} in {}",
                c["check_id"].as_str().unwrap_or("?"),
                c["resource"].as_str().unwrap_or("?"),
                c["file_path"].as_str().unwrap_or("?")
            ));
        }
        for c in results["skipped_checks"].as_array().into_iter().flatten() {
            skipped.push((
                c["check_id"].as_str().unwrap_or("?").to_string(),
                c["resource"].as_str().unwrap_or("?").to_string(),
                c["check_result"]["suppress_comment"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "checkov: {} failed checks:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(
        passed > 0,
        "checkov passed nothing: did it scan the templates?"
    );
    // Each skip is one streamscale renders on purpose, with its reason.
    let known = all_skips();
    for (id, resource, comment) in &skipped {
        let logical = resource.rsplit('.').next().unwrap_or(resource);
        let skip = known
            .iter()
            .find(|(r, s)| *r == logical && s.id == id)
            .unwrap_or_else(|| panic!("checkov skipped {id} on {resource}, not a documented skip"));
        assert_eq!(comment, skip.1.comment, "{id} on {resource}: the reason");
    }
    // docs/security.md lists every skip with its reason.
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/security.md"))
            .expect("docs/security.md");
    for (resource, skip) in &known {
        let row = format!("| `{}` | `{resource}` | {} |", skip.id, skip.comment);
        assert!(
            doc.contains(&row),
            "docs/security.md does not list the skip:\n{row}"
        );
    }
}
