//! Interrupted and concurrent applies (issue 9, point 8), against a moto
//! whose CloudFormation operations stay in progress for several polls
//! (`STREAMSCALE_MOTO_CFN_ASYNC`): Ctrl-C (SIGINT) during `apply` starts no
//! further region, lists the stacks still in progress on AWS's side and
//! exits 130; `apply --no-wait` then refuses clearly, and the next `apply`
//! waits for the stack mid-operation and converges.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;

use project::{Project, runtime, sdk};

const TWO: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

fn stack_status(moto: &moto::Moto, region: &str, stack: &str) -> Option<String> {
    let cf = aws_sdk_cloudformation::Client::new(&sdk(moto, region));
    runtime().block_on(async {
        cf.describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .ok()?
            .stacks()
            .first()?
            .stack_status()
            .map(|s| s.as_str().to_string())
    })
}

#[test]
fn ctrl_c_starts_no_further_region_lists_what_runs_and_the_next_apply_waits_and_converges() {
    // Every stack operation stays in progress for 15 DescribeStacks polls.
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_CFN_ASYNC", "15")]);
    let p = Project::new("intr", TWO, "");

    let mut child = p
        .cmd(
            &moto,
            &["apply", "-e", "test", "--yes", "--max-parallel", "1"],
        )
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start apply");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait until one region's create has started (its progress line).
    let started = loop {
        let line = lines.recv().expect("apply ended before any region started");
        if let Some(region) = ["us-east-1", "eu-west-1"]
            .into_iter()
            .find(|r| line.starts_with(&format!("[{r}] creating")))
        {
            break region;
        }
    };
    let other = if started == "us-east-1" {
        "eu-west-1"
    } else {
        "us-east-1"
    };
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let exit = child.wait().expect("wait for apply");
    reader.join().expect("stderr reader");
    let rest: String = lines.try_iter().collect::<Vec<_>>().join("\n");
    // The diagnostic's line wrapping (and its `|` gutter) undone.
    let flat = rest
        .split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
        .replace("- ", "-");
    assert_eq!(exit.code(), Some(130), "{rest}");
    assert!(
        flat.contains("interrupted: no further region was started"),
        "{rest}"
    );
    assert!(flat.contains("still in progress on AWS's side"), "{rest}");
    assert!(
        flat.contains(&format!("{started}: {} (CREATE_IN_PROGRESS)", p.stack())),
        "{rest}"
    );
    assert!(!rest.contains(&format!("{other}: ")), "{rest}");
    // The other region was never started.
    assert_eq!(stack_status(&moto, other, &p.stack()), None);

    // --no-wait refuses clearly while the stack is mid-operation.
    let (_, stderr) = p.expect(&moto, &["apply", "-e", "test", "--yes", "--no-wait"], 1);
    assert!(stderr.contains("CREATE_IN_PROGRESS"), "{stderr}");
    assert!(stderr.contains(started), "{stderr}");
    assert_eq!(stack_status(&moto, other, &p.stack()), None);

    // The next apply waits for it, then converges both regions.
    let (_, stderr) = p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);
    assert!(stderr.contains("waiting for it to end"), "{stderr}");
    for r in [started, other] {
        assert_eq!(
            stack_status(&moto, r, &p.stack()).as_deref(),
            Some("CREATE_COMPLETE"),
            "{r}"
        );
    }
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");
}
