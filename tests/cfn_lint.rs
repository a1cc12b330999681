//! Every rendered template passes cfn-lint (pinned in requirements-dev.txt)
//! with no errors and no warnings: the example environments, a 16-region
//! plan with and without a cache.

use std::path::{Path, PathBuf};
use std::process::Command;

use streamscale::render::{Templates, render};

fn cfn_lint() -> PathBuf {
    let venv = std::env::var_os("STREAMSCALE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    let bin = venv.join("bin").join("cfn-lint");
    assert!(
        bin.is_file(),
        "{} missing: run scripts/bootstrap-python (scripts/test does)",
        bin.display()
    );
    bin
}

fn sixteen_regions(cache: bool) -> String {
    let regions = streamscale::catalog::regions();
    let n = regions.len();
    let mut s = String::from(
        "name = \"wide\"\n[defaults]\ninstance_type = \"m7g.xlarge\"\nusers_per_instance = 3000\ntarget_utilization = 0.7\nami = \"ami-0123456789abcdef0\"\n",
    );
    s.push_str("[traffic]\npeak_concurrent_users = 16000000\nbaseline_concurrent_users = 1600000\nheadroom = 0.25\nsurvive_region_loss = true\n");
    for r in regions {
        s.push_str(&format!(
            "[regions.{}]\nshare = {}\ncertificate_arn = \"arn:aws:acm:{}:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001\"\n",
            r.code,
            rust_decimal::Decimal::ONE / rust_decimal::Decimal::from(n as u32),
            r.code
        ));
    }
    if cache {
        s.push_str("[cache]\nengine = \"valkey\"\nnode_type = \"cache.m7g.large\"\nshards = 3\nreplicas_per_shard = 2\n");
    }
    s.push_str("[[events]]\nname = \"e1\"\nstarts_at = \"2027-01-01T10:00:00Z\"\nduration_minutes = 60\nexpected_concurrent_users = 16000000\n");
    s
}

#[test]
fn every_rendered_template_passes_cfn_lint() {
    let out = tempfile::tempdir().unwrap();
    let templates = Templates::builtin().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut plans = Vec::new();
    for env in ["demo", "staging", "prod"] {
        plans.push((
            env.to_string(),
            streamscale::project::load_plan(&root.join(format!("environments/{env}.toml")))
                .unwrap(),
        ));
    }
    for (name, cache) in [("wide", true), ("wide-no-cache", false)] {
        let text = sixteen_regions(cache);
        let plan = streamscale::plan::from_str(Path::new(&format!("{name}.toml")), &text)
            .unwrap_or_else(|e| panic!("{}", streamscale::plan::diagnostic::render_plain(&e)));
        plans.push((name.to_string(), plan));
    }
    let mut files = Vec::new();
    for (name, plan) in &plans {
        // Before every example event: all pre-warm and release actions render.
        let now = "2026-11-01T00:00:00Z".parse().unwrap();
        let rendered = render(plan, &templates, now).unwrap();
        let dir = out.path().join(name);
        for path in streamscale::project::write_rendered(&rendered, &dir).unwrap() {
            if path.ends_with("template.json") {
                files.push(path);
            }
        }
    }
    assert!(
        files.len() == 2 + 3 + 7 + 16 + 16,
        "{} templates",
        files.len()
    );
    let output = Command::new(cfn_lint())
        .args(&files)
        .output()
        .expect("run cfn-lint");
    assert!(
        output.status.success(),
        "cfn-lint found problems (exit {:?}):\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
