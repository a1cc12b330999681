//! Least-privilege IAM (docs/iam.md) proven on the harness with IAM
//! enforced (STREAMSCALE_MOTO_IAM, docs/moto.md): one IAM user per command,
//! holding only the policy `streamscale iam --command C` renders, runs that
//! command and succeeds; a user whose policy lacks one needed action fails
//! with exit 1 and AWS's AccessDenied naming the action. Also: every AWS
//! operation the adapter names is in the core's table of calls.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/project.rs"]
mod project;

use project::Project;
use serde_json::{Value, json};

const REGIONS: &[(&str, &str, &str)] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

/// A distinct access key per user (FNV-1a of the name).
fn key(user: &str) -> (String, String) {
    let hash = user.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (
        format!("AKIA{hash:016X}"),
        format!("secret-of-{user}-0123456789abcdefghij"),
    )
}

/// The policy `streamscale iam` renders for `command`.
fn rendered_policy(p: &Project, moto: &moto::Moto, command: &str) -> Value {
    let (stdout, _) = p.expect(
        moto,
        &[
            "iam",
            "-e",
            "test",
            "--command",
            command,
            "--account",
            "123456789012",
        ],
        0,
    );
    serde_json::from_str(&stdout).expect("a policy document")
}

/// `policy` without `action` (in every statement).
fn without(policy: &Value, action: &str) -> Value {
    let mut p = policy.clone();
    let mut found = false;
    for s in p["Statement"].as_array_mut().unwrap() {
        let a = s["Action"].as_array_mut().unwrap();
        let before = a.len();
        a.retain(|x| x != action);
        found |= a.len() != before;
    }
    assert!(found, "{action} is not in the policy");
    p
}

/// Run `args` as `user`.
fn run_as(
    p: &Project,
    moto: &moto::Moto,
    user: &str,
    args: &[&str],
) -> (Option<i32>, String, String) {
    let (id, secret) = key(user);
    let out = p
        .cmd(moto, args)
        .env("AWS_ACCESS_KEY_ID", id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_MAX_ATTEMPTS", "2")
        .output()
        .expect("run streamscale");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn each_command_runs_with_only_its_rendered_policy_and_fails_without_one_action() {
    // The policies are pure: render them with a plain server first.
    let p = Project::new("iamtest", REGIONS, "[aws]\ndeletion_protection = false\n");
    let plain = moto::Moto::start();
    let commands = ["plan", "apply", "outputs", "drift", "report", "destroy"];
    let mut users = Vec::new();
    let mut policies = std::collections::BTreeMap::new();
    for c in commands {
        let policy = rendered_policy(&p, &plain, c);
        policies.insert(c, policy.clone());
        users.push((c.to_string(), policy));
    }
    // validate and render need nothing.
    let (stdout, stderr) = p.expect(&plain, &["iam", "-e", "test", "--command", "render"], 0);
    assert!(
        stdout.is_empty() && stderr.contains("no AWS call"),
        "{stderr}"
    );
    drop(plain);

    // One action of the engine's own, one of CloudFormation's handlers.
    users.push((
        "apply-no-create".into(),
        without(&policies["apply"], "cloudformation:CreateStack"),
    ));
    users.push((
        "apply-no-vpc".into(),
        without(&policies["apply"], "ec2:CreateVpc"),
    ));
    users.push((
        "drift-no-detect".into(),
        without(&policies["drift"], "cloudformation:DetectStackDrift"),
    ));
    let spec = json!({"users": users.iter().map(|(name, policy)| {
        let (id, secret) = key(name);
        json!({"name": name, "access_key_id": id, "secret_access_key": secret, "policy": policy})
    }).collect::<Vec<_>>()});
    let file = p.path().join("iam-users.json");
    std::fs::write(&file, spec.to_string()).unwrap();
    let moto = moto::Moto::start_with(&[("STREAMSCALE_MOTO_IAM", file.to_str().unwrap())]);

    // The missing action: AccessDenied, named, exit 1, nothing created.
    for (user, action) in [
        ("apply-no-create", "cloudformation:CreateStack"),
        ("apply-no-vpc", "ec2:CreateVpc"),
    ] {
        let (code, stdout, stderr) = run_as(&p, &moto, user, &["apply", "-e", "test", "--yes"]);
        assert_eq!(code, Some(1), "{user}\n{stdout}\n{stderr}");
        // AWS's refusal: EC2 answers UnauthorizedOperation, the other
        // services AccessDenied; either way the action is named.
        assert!(
            (stderr.contains("AccessDenied") || stderr.contains("UnauthorizedOperation"))
                && stderr.contains(action),
            "{user}: the refused action is not named:\n{stderr}\n{}",
            moto.log()
        );
    }

    let ok = |user: &str, args: &[&str], codes: &[i32]| {
        let (code, stdout, stderr) = run_as(&p, &moto, user, args);
        assert!(
            code.is_some_and(|c| codes.contains(&c)),
            "{user} {args:?}: exit {code:?}\n{stdout}\n{stderr}\n{}",
            moto.log()
        );
        assert!(
            !stderr.contains("AccessDenied") && !stderr.contains("UnauthorizedOperation"),
            "{stderr}"
        );
        (stdout, stderr)
    };
    ok("plan", &["plan", "-e", "test"], &[0]);
    ok("apply", &["apply", "-e", "test", "--yes"], &[0]);
    ok("outputs", &["outputs", "-e", "test"], &[0]);
    ok("drift", &["drift", "-e", "test"], &[0]);
    ok("report", &["report", "-e", "test", "--live"], &[0]);

    let (code, _, stderr) = run_as(&p, &moto, "drift-no-detect", &["drift", "-e", "test"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("AccessDenied") && stderr.contains("cloudformation:DetectStackDrift"),
        "{stderr}"
    );

    // A command with another command's policy is refused: plan cannot apply.
    let (code, _, stderr) = run_as(&p, &moto, "plan", &["destroy", "-e", "test", "--yes"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("AccessDenied"), "{stderr}");

    ok("destroy", &["destroy", "-e", "test", "--yes"], &[0]);
    // Every request went through an IAM check (the harness answers 500
    // and logs it otherwise), Service Quotas' included.
    assert!(!moto.log().contains("did not check IAM"), "{}", moto.log());
}

/// Every operation `src/aws/` names in its errors is in the core's table
/// of calls or the registry's reads, so the policies follow the code.
#[test]
fn every_adapter_operation_has_its_action() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
    let mut known: std::collections::BTreeSet<String> = streamscale_core::iam::CALLS
        .iter()
        .map(|c| c.operation.to_string())
        .collect();
    for t in streamscale_core::resources::REGISTRY {
        let actions: &[&str] = match t.read {
            streamscale_core::resources::LiveRead::NotRead(_) => &[],
            streamscale_core::resources::LiveRead::ById(c) => {
                streamscale_core::iam::read_actions(c)
            }
            streamscale_core::resources::LiveRead::InParentList { call, .. } => {
                streamscale_core::iam::list_actions(call)
            }
        };
        known.extend(
            actions
                .iter()
                .filter_map(|a| a.split_once(':'))
                .map(|(_, op)| op.to_string()),
        );
    }
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // call_error(region, "Operation", e)
        for part in text.split("call_error(").skip(1) {
            let Some(op) = part.split('"').nth(1) else {
                continue;
            };
            if op.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !known.contains(op) {
                missing.push(format!("{} ({})", op, entry.path().display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without an IAM action in streamscale_core::iam: {missing:?}"
    );
}
