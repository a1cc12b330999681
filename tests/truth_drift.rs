//! `drift`, `plan` and `apply` tell the truth on the paths a real account
//! takes (issue 9, points 2, 3, 7 and 9), against the moto harness and its
//! switches (docs/moto.md):
//!
//! - CloudFormation's drift detection succeeds: a change to a type
//!   streamscale does not read is found with source `cloudformation`, a
//!   change streamscale reads is found once (point 3);
//! - an endpoint without the API degrades to the live reads and says so;
//!   any other failure (access denied, internal error, a timeout) makes the
//!   region `incomplete`, exit 1, never "No drift" (point 2);
//! - operations that take several polls converge with progress events, and
//!   a tiny `--timeout` fails cleanly, naming the stack (point 7);
//! - with a fifth of the calls throttled, 6 regions converge with the same
//!   answers (point 9).
//!
//! One default moto for this binary, plus one per switch; each test has its
//! own plan name, so its stacks are its own.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use moto::shared;
use project::{ONE, Project, runtime};
use serde_json::{Value, json};

const SIX: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.25", "c7i.large"),
    ("us-west-2", "0.15", "c7i.large"),
    ("eu-west-1", "0.15", "c7i.large"),
    ("eu-central-1", "0.15", "c7i.large"),
    ("ap-northeast-1", "0.15", "c7i.large"),
    ("ap-southeast-1", "0.15", "c7i.large"),
];

/// An SDK configuration for `region` on `endpoint`, with enough retries that
/// the test's own calls ride out a throttling harness.
fn sdk_at(endpoint: &str, region: &str) -> aws_types::SdkConfig {
    runtime().block_on(async {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_types::region::Region::new(region.to_string()))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(12))
            .credentials_provider(aws_credential_types::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await
    })
}

/// Logical id → (type, physical id) of a stack's resources.
fn resources(moto: &moto::Moto, region: &str, stack: &str) -> BTreeMap<String, (String, String)> {
    let cf = aws_sdk_cloudformation::Client::new(&sdk_at(&moto.endpoint, region));
    runtime().block_on(async {
        let out = cf
            .list_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .expect("ListStackResources");
        out.stack_resource_summaries()
            .iter()
            .filter_map(|r| {
                Some((
                    r.logical_resource_id()?.to_string(),
                    (
                        r.resource_type()?.to_string(),
                        r.physical_resource_id()?.to_string(),
                    ),
                ))
            })
            .collect()
    })
}

/// The (logical id, physical id) of the only resource of `resource_type`.
fn only_of_type(
    moto: &moto::Moto,
    region: &str,
    stack: &str,
    resource_type: &str,
) -> (String, String) {
    let found: Vec<(String, String)> = resources(moto, region, stack)
        .into_iter()
        .filter(|(_, (t, _))| t == resource_type)
        .map(|(l, (_, p))| (l, p))
        .collect();
    assert_eq!(found.len(), 1, "one {resource_type} expected: {found:?}");
    found[0].clone()
}

/// Lower the auto-scaling group's MaxSize by hand; returns (logical id,
/// name, the plan's MaxSize).
fn lower_max_size(moto: &moto::Moto, region: &str, stack: &str) -> (String, String, i32) {
    let (logical, name) = only_of_type(moto, region, stack, "AWS::AutoScaling::AutoScalingGroup");
    let asg = aws_sdk_autoscaling::Client::new(&sdk_at(&moto.endpoint, region));
    let max = runtime().block_on(async {
        let g = asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(&name)
            .send()
            .await
            .expect("DescribeAutoScalingGroups");
        let max = g.auto_scaling_groups()[0].max_size().expect("MaxSize");
        asg.update_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .max_size(max - 5)
            .send()
            .await
            .expect("UpdateAutoScalingGroup");
        max
    });
    (logical, name, max)
}

fn drift_json(p: &Project, moto: &moto::Moto, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["drift", "-e", "test", "--json", "--detailed-exitcode"];
    args.extend_from_slice(extra);
    p.json(moto, &args, code)
}

fn all_findings(doc: &Value) -> Vec<Value> {
    doc["regions"]
        .as_object()
        .expect("regions")
        .values()
        .flat_map(|r| r["findings"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn cloudformation_finds_changes_to_types_streamscale_does_not_read() {
    let moto = shared();
    let p = Project::new("td-cfn", ONE, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    let stack = p.stack();
    let (vpc_logical, vpc) = only_of_type(moto, "us-east-1", &stack, "AWS::EC2::VPC");
    let subnet = resources(moto, "us-east-1", &stack)
        .into_iter()
        .find(|(_, (t, _))| t == "AWS::EC2::Subnet")
        .expect("a subnet");
    let ec2 = aws_sdk_ec2::Client::new(&sdk_at(&moto.endpoint, "us-east-1"));
    runtime().block_on(async {
        ec2.modify_vpc_attribute()
            .vpc_id(&vpc)
            .enable_dns_hostnames(
                aws_sdk_ec2::types::AttributeBooleanValue::builder()
                    .value(false)
                    .build(),
            )
            .send()
            .await
            .expect("ModifyVpcAttribute");
        ec2.create_tags()
            .resources(&subnet.1.1)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Name")
                    .value("renamed-by-hand")
                    .build(),
            )
            .send()
            .await
            .expect("CreateTags");
    });

    let doc = drift_json(&p, moto, &[], 2);
    let region = &doc["regions"]["us-east-1"];
    assert_eq!(region["status"], "drifted", "{region:#}");
    assert_eq!(region["sources"], json!(["streamscale", "cloudformation"]));
    assert_eq!(region["cloudformation_drift"]["run"], "ran", "{region:#}");
    assert_eq!(
        region["cloudformation_drift"]["stack_drift_status"],
        "DRIFTED"
    );
    let findings = all_findings(&doc);
    let vpc_finding = findings
        .iter()
        .find(|f| f["logical_id"] == vpc_logical.as_str())
        .unwrap_or_else(|| panic!("no VPC finding: {findings:#?}"));
    assert_eq!(vpc_finding["source"], "cloudformation");
    assert_eq!(vpc_finding["path"], "EnableDnsHostnames");
    assert_eq!(vpc_finding["expected"], json!(true));
    assert_eq!(vpc_finding["actual"], json!(false));
    let subnet_findings: Vec<&Value> = findings
        .iter()
        .filter(|f| f["logical_id"] == subnet.0.as_str())
        .collect();
    assert!(
        !subnet_findings.is_empty()
            && subnet_findings
                .iter()
                .all(|f| f["source"] == "cloudformation"
                    && f["path"].as_str().unwrap_or_default().starts_with("Tags")),
        "{subnet_findings:#?}"
    );
    assert!(
        subnet_findings
            .iter()
            .any(|f| f["actual"] == json!("renamed-by-hand")),
        "{subnet_findings:#?}"
    );
    // The human output labels the source.
    let (stdout, _) = p.expect(moto, &["drift", "-e", "test", "--detailed-exitcode"], 2);
    assert!(
        stdout.contains(&format!("{vpc_logical} [cloudformation]")),
        "{stdout}"
    );
    assert!(
        stdout.contains("sources: streamscale live reads + CloudFormation drift detection"),
        "{stdout}"
    );
}

#[test]
fn a_change_streamscale_reads_is_found_once() {
    let moto = shared();
    let p = Project::new("td-once", ONE, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    let (logical, name, max) = lower_max_size(moto, "us-east-1", &p.stack());
    let doc = drift_json(&p, moto, &[], 2);
    let region = &doc["regions"]["us-east-1"];
    // CloudFormation ran and saw it too (the stack is DRIFTED) …
    assert_eq!(region["cloudformation_drift"]["run"], "ran", "{region:#}");
    assert_eq!(
        region["cloudformation_drift"]["stack_drift_status"],
        "DRIFTED"
    );
    assert_eq!(region["sources"], json!(["streamscale", "cloudformation"]));
    // … but the finding is streamscale's typed one, once.
    let findings = all_findings(&doc);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["logical_id"], logical.as_str());
    assert_eq!(f["physical_id"], name.as_str());
    assert_eq!(f["path"], "MaxSize");
    assert_eq!(f["source"], "streamscale");
    assert_eq!(f["expected"], json!(max));
    assert_eq!(f["actual"], json!(max - 5));
    assert_eq!(doc["summary"]["findings"], 1);
}

#[test]
fn without_the_drift_api_the_degraded_path_is_labelled() {
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_DRIFT", "not-implemented")]);
    let p = Project::new("td-degraded", ONE, "");
    p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);

    let doc = drift_json(&p, &moto, &[], 0);
    let region = &doc["regions"]["us-east-1"];
    assert_eq!(region["status"], "clean", "{region:#}");
    assert_eq!(region["sources"], json!(["streamscale"]));
    assert_eq!(region["cloudformation_drift"]["run"], "not-implemented");
    assert_eq!(region["cloudformation_drift"]["supported"], false);
    let degraded = region["degraded"]
        .as_str()
        .expect("a degraded region says why");
    assert!(degraded.contains("NotImplemented"), "{degraded}");
    assert!(degraded.contains("not checked"), "{degraded}");
    assert!(degraded.contains("AWS::EC2::VPC"), "{degraded}");
    assert!(!region["not_checked"].as_array().unwrap().is_empty());
    assert_eq!(doc["summary"]["regions_degraded"], 1);
    let headline = doc["summary"]["headline"].as_str().unwrap();
    assert!(!headline.contains("No drift"), "{headline}");
    assert!(
        headline.contains("not available in us-east-1"),
        "{headline}"
    );
    assert!(headline.contains("not checked"), "{headline}");

    // A change streamscale reads is still found, from its live reads.
    let (_, _, max) = lower_max_size(&moto, "us-east-1", &p.stack());
    let doc = drift_json(&p, &moto, &[], 2);
    let findings = all_findings(&doc);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["actual"], json!(max - 5));
    let (stdout, _) = p.expect(&moto, &["drift", "-e", "test", "--detailed-exitcode"], 2);
    assert!(
        stdout.contains("degraded: this endpoint does not implement DetectStackDrift"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sources: streamscale live reads\n"),
        "{stdout}"
    );
}

/// A proxy in front of moto that answers DetectStackDrift with `status`
/// and the query-protocol error `code`, and passes every other request on.
struct FailingDetection {
    endpoint: String,
}

impl FailingDetection {
    fn start(moto: &moto::Moto, status: u16, code: &'static str) -> FailingDetection {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let upstream = moto.port();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = proxy_one(client, upstream, status, code);
                });
            }
        });
        FailingDetection {
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// One request per connection: read it, answer or forward it, close.
fn proxy_one(client: TcpStream, upstream: u16, status: u16, code: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            break;
        }
        head.push(line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut client = client;
    if String::from_utf8_lossy(&body).contains("Action=DetectStackDrift") {
        let xml = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{code} from the test proxy</Message></Error><RequestId>test</RequestId></ErrorResponse>"
        );
        write!(
            client,
            "HTTP/1.1 {status} Error\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            xml.len()
        )?;
        return client.flush();
    }
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    for line in &head {
        server.write_all(line.as_bytes())?;
    }
    server.write_all(b"Connection: close\r\n\r\n")?;
    server.write_all(&body)?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    client.write_all(&response)?;
    client.flush()
}

#[test]
fn a_refused_or_failed_detection_is_incomplete_never_clean() {
    let moto = shared();
    let p = Project::new("td-denied", ONE, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    for (status, code) in [(403, "AccessDenied"), (500, "InternalFailure")] {
        let proxy = FailingDetection::start(moto, status, code);
        let run = |args: &[&str]| {
            let out = p
                .cmd(moto, args)
                .env("AWS_ENDPOINT_URL", &proxy.endpoint)
                .output()
                .expect("run streamscale");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let (code_json, stdout, stderr) = run(&["drift", "-e", "test", "--json"]);
        assert_eq!(code_json, Some(1), "{code}: {stdout}\n{stderr}");
        let doc: Value = serde_json::from_str(&stdout).expect("drift --json");
        let region = &doc["regions"]["us-east-1"];
        assert_eq!(region["status"], "incomplete", "{code}: {region:#}");
        assert_eq!(region["cloudformation_drift"]["run"], "failed");
        assert_eq!(region["sources"], json!(["streamscale"]));
        let reason = region["error"].as_str().unwrap_or_default();
        assert!(reason.contains(code), "{code}: {reason}");
        assert_eq!(doc["summary"]["regions_incomplete"], 1);
        let headline = doc["summary"]["headline"].as_str().unwrap();
        assert!(!headline.contains("No drift"), "{headline}");
        assert!(headline.contains("us-east-1 (incomplete"), "{headline}");
        assert!(stderr.contains(code), "{code}: {stderr}");

        let (exit, stdout, _) = run(&["drift", "-e", "test"]);
        assert_eq!(exit, Some(1));
        assert!(stdout.contains("(incomplete)"), "{stdout}");
        assert!(!stdout.contains("No drift"), "{stdout}");
    }
}

#[test]
fn a_detection_past_its_timeout_is_incomplete() {
    // The harness's detection is asynchronous (DETECTION_IN_PROGRESS first).
    let moto = shared();
    let p = Project::new("td-dtimeout", ONE, "");
    p.expect(moto, &["apply", "-e", "test", "--yes"], 0);
    let out = p.run(moto, &["drift", "-e", "test", "--json", "--timeout", "1ms"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("drift --json");
    let region = &doc["regions"]["us-east-1"];
    assert_eq!(region["status"], "incomplete", "{region:#}");
    let reason = region["error"].as_str().unwrap_or_default();
    assert!(
        reason.contains("timed out after 1ms waiting for drift detection")
            && reason.contains(&p.stack())
            && reason.contains("goes on on AWS's side"),
        "{reason}"
    );
    // The default timeout lets it finish.
    let doc = drift_json(&p, moto, &[], 0);
    assert_eq!(doc["regions"]["us-east-1"]["status"], "clean");
    assert!(
        doc["summary"]["headline"]
            .as_str()
            .unwrap()
            .starts_with("No drift:")
    );
}

#[test]
fn operations_over_several_polls_converge_and_a_tiny_timeout_fails_cleanly() {
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_CFN_ASYNC", "4")]);
    let p = Project::new("td-async", ONE, "");
    let (_, stderr) = p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);
    // Per-resource events over several polls, then the stack's completion.
    let stack = p.stack();
    let events: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[us-east-1]") && l.contains(" AWS::"))
        .collect();
    let in_progress = events
        .iter()
        .filter(|l| l.contains("CREATE_IN_PROGRESS") && !l.ends_with(&stack))
        .count();
    let complete = events
        .iter()
        .filter(|l| l.contains("CREATE_COMPLETE") && !l.trim_end().ends_with(&stack))
        .count();
    assert!(in_progress >= 5 && complete >= 5, "{stderr}");
    let last = events.last().expect("events");
    assert!(
        last.contains("CREATE_COMPLETE") && last.trim_end().ends_with(&stack),
        "the stack's completion comes last: {stderr}"
    );
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");

    // A create that takes 4 polls, with a limit shorter than one poll.
    let fresh = Project::new("td-async-timeout", ONE, "");
    let (_, stderr) = fresh.expect(
        &moto,
        &["apply", "-e", "test", "--yes", "--timeout", "1ms"],
        1,
    );
    let stack = fresh.stack();
    assert!(
        stderr.contains(&format!(
            "us-east-1: timed out after 1ms waiting for the stack operation to end (last seen CREATE_IN_PROGRESS) of stack {stack}; the operation goes on on AWS's side"
        )),
        "{stderr}"
    );
    // It does go on on the harness's side: a few more polls see it complete.
    let cf = aws_sdk_cloudformation::Client::new(&sdk_at(&moto.endpoint, "us-east-1"));
    let statuses: Vec<String> = runtime().block_on(async {
        let mut seen = Vec::new();
        for _ in 0..10 {
            let out = cf
                .describe_stacks()
                .stack_name(&stack)
                .send()
                .await
                .expect("DescribeStacks");
            let status = out.stacks()[0]
                .stack_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            seen.push(status.clone());
            if status == "CREATE_COMPLETE" {
                break;
            }
        }
        seen
    });
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("CREATE_COMPLETE"),
        "{statuses:?}"
    );
    let (stdout, _) = fresh.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");
}

#[test]
fn throttled_six_regions_converge_with_the_right_answers() {
    let moto = moto::Moto::start_with(&[
        ("STREAMSCALE_MOTO_THROTTLE", "0.2"),
        ("STREAMSCALE_MOTO_THROTTLE_SEED", "9"),
    ]);
    let p = Project::new("td-throttle", SIX, "");
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 2);
    for (region, _, _) in SIX {
        assert!(stdout.contains(region), "{region}: {stdout}");
    }
    p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);
    let (stdout, _) = p.expect(&moto, &["plan", "-e", "test", "--detailed-exitcode"], 0);
    assert!(stdout.contains("No changes."), "{stdout}");

    // Every region clean, and checked by both sources: nothing unchecked is clean.
    let doc = drift_json(&p, &moto, &[], 0);
    for (region, _, _) in SIX {
        let r = &doc["regions"][region];
        assert_eq!(r["status"], "clean", "{region}: {r:#}");
        assert_eq!(
            r["sources"],
            json!(["streamscale", "cloudformation"]),
            "{region}"
        );
        assert_eq!(r["cloudformation_drift"]["run"], "ran", "{region}");
    }
    assert!(
        doc["summary"]["headline"]
            .as_str()
            .unwrap()
            .starts_with("No drift: live matches the plan in 6 regions")
    );

    // The same finding as without throttling, once, in its region only.
    let (logical, _, max) = lower_max_size(&moto, "eu-central-1", &p.stack());
    let doc = drift_json(&p, &moto, &[], 2);
    let findings = all_findings(&doc);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["region"], "eu-central-1");
    assert_eq!(findings[0]["logical_id"], logical.as_str());
    assert_eq!(findings[0]["path"], "MaxSize");
    assert_eq!(findings[0]["actual"], json!(max - 5));
    for (region, _, _) in SIX {
        let r = &doc["regions"][region];
        let want = if *region == "eu-central-1" {
            "drifted"
        } else {
            "clean"
        };
        assert_eq!(r["status"], want, "{region}: {r:#}");
        assert_eq!(r["cloudformation_drift"]["run"], "ran", "{region}");
    }
    // apply repairs it; everything converges again.
    p.expect(&moto, &["apply", "-e", "test", "--yes"], 0);
    let doc = drift_json(&p, &moto, &[], 0);
    assert_eq!(doc["drift"], false, "{doc:#}");
}
