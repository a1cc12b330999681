//! The HTML report in a real browser: headless Chromium loads the prod
//! report from a file, runs its inline check (every chart drew, then
//! `data-ok="1"` on `<body>`), and takes a screenshot.
//!
//! Needs Debian's `chromium` at /usr/bin/chromium (or the path in
//! `STREAMSCALE_CHROMIUM`): `scripts/install-chromium` installs it. Without
//! a browser this test FAILS, unless `STREAMSCALE_SKIP_BROWSER=1` says to
//! skip it. `STREAMSCALE_UPDATE_SCREENSHOT=1` also writes the screenshot
//! to docs/report-prod.png (and the page to docs/report-prod.html).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use streamscale::report::{self, Options};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The browser, or `None` when the test is explicitly skipped.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("STREAMSCALE_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("STREAMSCALE_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!(
            "STREAMSCALE_SKIP_BROWSER=1: skipping the browser test ({} not found)",
            path.display()
        );
        return None;
    }
    panic!(
        "{} not found: the HTML report test needs headless Chromium. Run scripts/install-chromium \
         (the project's test script does), set STREAMSCALE_CHROMIUM to a Chromium binary, or set \
         STREAMSCALE_SKIP_BROWSER=1 to skip this test explicitly",
        path.display()
    );
}

/// Run the browser with a deadline; a hung browser fails the test.
fn run(browser: &Path, profile: &Path, extra: &[String], url: &str) -> Output {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    // Read the pipes on threads so a chatty browser cannot block on them.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).ok();
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

#[test]
fn prod_report_renders_in_chromium() {
    let Some(browser) = chromium() else { return };
    let plan = streamscale::project::load_plan(&root().join("environments/prod.toml")).unwrap();
    let model = report::build(
        &plan,
        None,
        &Options {
            as_of: "2026-12-01T00:00:00Z".parse().unwrap(),
        },
    );
    let html = report::html::render(&model);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report-prod.html");
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());

    // The DOM after load: scripts ran, charts are there.
    let out = run(
        &browser,
        &dir.path().join("profile"),
        &["--dump-dom".to_string()],
        &url,
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    for id in ["instances", "cost", "region-loss", "timeline", "quotas"] {
        assert!(
            dom.contains(&format!("id=\"chart-{id}\"")),
            "chart {id} missing"
        );
    }
    assert!(
        dom.matches("<svg").count() >= 5,
        "five chart <svg> elements"
    );
    assert!(
        dom.contains("data-rendered-charts=\"5\""),
        "the page's check did not run: {log}"
    );
    assert!(
        dom.contains("data-ok=\"1\""),
        "the page's check failed (a chart did not draw or is too small): {log}"
    );
    for bad in ["Uncaught", "SyntaxError", "ReferenceError", "TypeError"] {
        assert!(!log.contains(bad), "JavaScript error in the page: {log}");
    }
    // Nothing was fetched: the page has no URL to fetch.
    assert!(!dom.contains("http://") && !dom.contains("https://"));

    // A laptop-width screenshot of the top of the report.
    let shot = dir.path().join("report-prod.png");
    let out = run(
        &browser,
        &dir.path().join("profile"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".to_string(),
        ],
        &url,
    );
    assert!(
        out.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).expect("the screenshot file");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 50_000,
        "a blank page would be tiny: {} bytes",
        png.len()
    );
    if std::env::var("STREAMSCALE_UPDATE_SCREENSHOT").as_deref() == Ok("1") {
        std::fs::write(root().join("docs/report-prod.png"), &png).unwrap();
        std::fs::write(root().join("docs/report-prod.html"), &html).unwrap();
    }
}
