//! Malformed plans: every file of tests/corpus/invalid/ is refused without a
//! panic, and its diagnostic (file:line:column, what is wrong, what would be
//! right) is snapshotted.
//!
//! Paths in the diagnostics are relative to the current folder, which cargo
//! sets to the crate root, so the snapshots do not depend on the machine.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use streamscale::plan::{self, PlanErrors};

const DIR: &str = "tests/corpus/invalid";

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("tests/corpus/invalid exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Result<plan::Plan, PlanErrors> {
    let p = path.to_path_buf();
    match std::panic::catch_unwind(move || streamscale::project::load_plan(&p)) {
        Ok(r) => r,
        Err(_) => panic!("the loader panicked on {}", path.display()),
    }
}

#[test]
fn corpus_is_large_enough() {
    assert!(corpus().len() >= 35, "only {} files", corpus().len());
}

#[test]
fn every_invalid_plan_is_refused_with_a_located_diagnostic() {
    for path in corpus() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let errs = match load(&path) {
            Ok(_) => panic!("{} loaded, it should be refused", path.display()),
            Err(e) => e,
        };
        assert!(!errs.errors.is_empty(), "{name}: an empty error list");
        let text = plan::diagnostic::render_plain(&errs);
        for d in &errs.errors {
            let pos = d
                .position()
                .unwrap_or_else(|| panic!("{name}: `{}` has no file:line:column", d.message));
            assert!(
                pos.starts_with(DIR),
                "{name}: position {pos} is not a relative corpus path"
            );
            let (file, line, col) = {
                let mut it = pos.rsplitn(3, ':');
                let col = it.next().unwrap();
                let line = it.next().unwrap();
                (
                    it.next().unwrap().to_string(),
                    line.to_string(),
                    col.to_string(),
                )
            };
            // miette shows the place as [file:line:column] above the source.
            assert!(
                text.contains(&format!("[{file}:{line}:{col}]")),
                "{name}: the rendered diagnostic does not show {pos}:\n{text}"
            );
            let help = d
                .help
                .as_deref()
                .unwrap_or_else(|| panic!("{name}: `{}` has no hint", d.message));
            // The hint may be wrapped at 100 columns: compare its first words.
            let start: String = help
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                text.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(&start),
                "{name}: the hint `{help}` is not shown:\n{text}"
            );
        }
        let codes: Vec<&str> = errs.errors.iter().map(|d| d.code.as_str()).collect();
        insta::assert_snapshot!(name.as_str(), text, &codes.join(", "));
    }
}

#[test]
fn validate_exits_1_with_the_place_and_no_panic() {
    for (file, place) in [
        ("17-unknown-key-region-typo.toml", ":23:1"),
        ("27-shares-sum.toml", ":17:9"),
        ("38-unknown-region-near-miss.toml", ":21:10"),
        ("01-syntax-unclosed-string.toml", ":2:"),
        (
            "54-extends-cycle.toml",
            "tests/corpus/invalid/extends/cycle-b.toml:2:11",
        ),
    ] {
        let path = format!("{DIR}/{file}");
        let want = if place.starts_with(':') {
            format!("{path}{place}")
        } else {
            place.to_string()
        };
        Command::cargo_bin("streamscale")
            .unwrap()
            .args(["validate", "-e", &path])
            .env("NO_COLOR", "1")
            .assert()
            .code(1)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(want))
            .stderr(predicate::str::contains("panicked").not())
            .stderr(predicate::str::contains("RUST_BACKTRACE").not());
    }
}

#[test]
fn four_mistakes_in_one_plan_are_four_located_errors() {
    let errs = load(Path::new(&format!("{DIR}/90-four-mistakes-one-run.toml")))
        .expect_err("the plan has four mistakes");
    let codes: Vec<&str> = errs.errors.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes.len(), 4, "{codes:?}");
    assert!(
        codes.contains(&"plan::min-above-max"),
        "the capacity check runs although other sections have errors: {codes:?}"
    );
    assert!(errs.errors.iter().all(|d| d.position().is_some()));
}

#[test]
fn an_instance_type_aws_offers_but_the_catalogue_lacks_says_so_and_how_to_add_it() {
    let errs = load(Path::new(&format!("{DIR}/91-type-aws-offers.toml")))
        .expect_err("c7gn.xlarge is not in the catalogue");
    let d = &errs.errors[0];
    assert!(
        d.message.contains("AWS offers") && d.message.contains("catalogue lacks"),
        "{}",
        d.message
    );
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("data/aws-prices.csv"), "{help}");
    assert!(!help.contains("did you mean"), "{help}");
    // A typo is still a typo.
    assert!(!streamscale::catalog::aws_offers_instance_type("c7i.xlrge"));
    assert!(streamscale::catalog::aws_offers_instance_type("c7gn.metal"));
    assert!(streamscale::catalog::aws_offers_instance_type(
        "u7i-12tb.224xlarge"
    ));
}

#[test]
fn shape_errors_in_several_tables_are_all_reported_each_at_its_place() {
    // Unknown keys and wrong types in [defaults], [traffic] and a region;
    // then a missing key, a bad variant, a wrong type and an unknown key in
    // [traffic], [cache] and two events: serde alone stops at the first.
    for (file, want) in [
        (
            "110-shape-errors-in-several-tables.toml",
            &[
                (6, "plan::wrong-type"),
                (7, "plan::unknown-key"),
                (14, "plan::wrong-type"),
                (20, "plan::unknown-key"),
            ][..],
        ),
        (
            "111-shape-errors-events-and-cache.toml",
            &[
                (10, "plan::missing-key"),
                (26, "plan::invalid-value"),
                (28, "plan::wrong-type"),
                (35, "plan::unknown-key"),
                (41, "plan::wrong-type"),
            ][..],
        ),
    ] {
        let errs = load(Path::new(&format!("{DIR}/{file}"))).expect_err("refused");
        let got: Vec<(usize, &str)> = errs
            .errors
            .iter()
            .map(|d| (d.line_col.map_or(0, |(l, _)| l), d.code.as_str()))
            .collect();
        assert_eq!(got, want, "{file}");
        assert!(errs.errors.iter().all(|d| d.help.is_some()), "{file}");
    }
    // A misspelt required key is one mistake (its "did you mean"), not two.
    let errs =
        load(Path::new(&format!("{DIR}/17-unknown-key-region-typo.toml"))).expect_err("refused");
    assert_eq!(
        errs.errors.len(),
        1,
        "{}",
        plan::diagnostic::render_plain(&errs)
    );
}
