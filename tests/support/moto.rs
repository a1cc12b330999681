//! Test support: one moto server (AWS mock, server mode) per test, with
//! streamscale's CloudFormation extensions (tests/moto/moto_ext.py).
//!
//! ```ignore
//! #[path = "support/moto.rs"]
//! mod moto;
//!
//! let moto = moto::Moto::start();
//! let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_streamscale"));
//! moto.apply_env(&mut cmd);
//! ```
//!
//! Needs the Python venv made by `scripts/bootstrap-python` (at
//! `$STREAMSCALE_VENV` or `<repo>/.venv`). Standard library only, plus the
//! `tempfile` dev-dependency.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long `start` waits for the server to come up (a cold Python import of
/// moto takes a few seconds; a loaded CI machine more).
const START_DEADLINE: Duration = Duration::from_secs(60);
/// How long `stop` waits after SIGTERM before it kills the process.
const STOP_DEADLINE: Duration = Duration::from_secs(10);
/// Polling interval while waiting for a condition.
const POLL: Duration = Duration::from_millis(20);

/// Variables that would make an AWS SDK look beyond the environment for
/// credentials or settings; `apply_env` removes them.
pub const AWS_ENV_TO_REMOVE: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

/// The regions whose test certificate the server imports (every region
/// streamscale knows).
pub const TEST_CERTIFICATE_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "me-central-1",
    "af-south-1",
];

/// The ARN of the test ACM certificate in `region` (moto's account).
pub fn test_certificate(region: &str) -> String {
    format!("arn:aws:acm:{region}:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001")
}

pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    port: u16,
    dir: tempfile::TempDir,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `$STREAMSCALE_VENV/bin/python`, else `<repo>/.venv/bin/python`.
fn python() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(venv) = std::env::var_os("STREAMSCALE_VENV").filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(venv).join("bin").join("python"));
    }
    candidates.push(repo_root().join(".venv").join("bin").join("python"));
    for candidate in &candidates {
        if candidate.is_file() {
            return candidate.clone();
        }
    }
    panic!(
        "no Python venv for the moto test server (looked for {}).\n\
         Run `scripts/bootstrap-python` in {} first (it installs moto[server] into .venv; \
         set STREAMSCALE_VENV to use another place).",
        candidates
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        repo_root().display()
    );
}

/// The AMIs the tests' plans launch, registered in every region (an AMI
/// nobody registered does not exist in the harness, as on AWS, and `plan`
/// refuses it): the ids of the test plans, and each example environment's
/// (`--amis-from-plans`, in its own region).
pub const TEST_AMIS: &[&str] = &["ami-0123456789abcdef0", "ami-0fedcba9876543210"];

fn test_ami_args() -> Vec<std::ffi::OsString> {
    let mut args = Vec::new();
    for ami in TEST_AMIS {
        args.push("--ami".into());
        args.push((*ami).into());
    }
    let environments = repo_root().join("environments");
    let mut plans: Vec<PathBuf> = std::fs::read_dir(&environments)
        .unwrap_or_else(|e| panic!("read {}: {e}", environments.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    plans.sort();
    for plan in plans {
        // The example plans' AMIs and ACM certificates exist on the server.
        args.push("--amis-from-plans".into());
        args.push(plan.clone().into_os_string());
        args.push("--certificates-from-plans".into());
        args.push(plan.into_os_string());
    }
    args
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

impl Moto {
    /// Start one moto server on a free loopback port; waits (polling, with a
    /// deadline of 60 s) until its port file appears and a TCP connect
    /// succeeds. Panics with the server's log if it does not come up.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// Like [`Moto::start`], with harness switches set in the server's
    /// environment, e.g. `&[("STREAMSCALE_MOTO_THROTTLE", "0.2")]` (see
    /// docs/moto.md, "Switches"). Other `STREAMSCALE_MOTO_*` variables of
    /// the test's own environment are not passed on.
    pub fn start_with(switches: &[(&str, &str)]) -> Moto {
        let python = python();
        let dir = tempfile::Builder::new()
            .prefix("streamscale-moto-")
            .tempdir()
            .expect("create a temporary directory for moto");
        let port_file = dir.path().join("port");
        let log_path = dir.path().join("moto.log");
        let log = File::create(&log_path).expect("create moto.log");
        let launcher = repo_root()
            .join("tests")
            .join("moto")
            .join("streamscale_moto.py");
        let mut command = Command::new(&python);
        for (name, _) in std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v))) {
            if name.starts_with("STREAMSCALE_MOTO_") {
                command.env_remove(&name);
            }
        }
        command.envs(switches.iter().copied());
        let mut child = command
            .arg(&launcher)
            .args(["--host", "127.0.0.1", "--port", "0", "--port-file"])
            .arg(&port_file)
            .args(
                TEST_CERTIFICATE_REGIONS
                    .iter()
                    .flat_map(|r| ["--certificate".to_string(), test_certificate(r)]),
            )
            .args(test_ami_args())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} {}: {e}",
                    python.display(),
                    launcher.display()
                )
            });

        let deadline = Instant::now() + START_DEADLINE;
        let port = loop {
            if let Some(status) = child.try_wait().expect("poll the moto process") {
                panic!(
                    "the moto server exited ({status}) before it was ready; its log:\n{}",
                    log_tail(&log_path)
                );
            }
            // The launcher writes the file atomically, once it accepts connections.
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(port) = text.trim().parse::<u16>() {
                    let addr = SocketAddr::from(([127, 0, 0, 1], port));
                    if TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
                        break port;
                    }
                }
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the moto server was not ready within {}s; its log:\n{}",
                    START_DEADLINE.as_secs(),
                    log_tail(&log_path)
                );
            }
            std::thread::sleep(POLL);
        };

        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log (stdout and stderr), for diagnostics.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("moto.log")).unwrap_or_default()
    }

    /// Environment variables a child process needs to talk to this server,
    /// with dummy credentials and no access to the user's ~/.aws files.
    pub fn env(&self) -> Vec<(String, String)> {
        let missing = |name: &str| self.dir.path().join(name).display().to_string();
        [
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_DEFAULT_REGION", "us-east-1".to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
            // files that do not exist: the user's ~/.aws config is never read
            ("AWS_CONFIG_FILE", missing("aws-config-does-not-exist")),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                missing("aws-credentials-does-not-exist"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Set `env()` on `cmd` and remove the variables of `AWS_ENV_TO_REMOVE`.
    pub fn apply_env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        for name in AWS_ENV_TO_REMOVE {
            cmd.env_remove(name);
        }
        cmd.envs(self.env())
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stop the server: SIGTERM, wait (with a deadline) for it to exit, then
    /// SIGKILL if it did not. Idempotent.
    pub fn stop(&mut self) {
        if !self.is_running() {
            return;
        }
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if matches!(term, Ok(status) if status.success()) {
            let deadline = Instant::now() + STOP_DEADLINE;
            while Instant::now() < deadline {
                if !self.is_running() {
                    return;
                }
                std::thread::sleep(POLL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// One HTTP/1.1 request to the server; returns (status, body).
    pub fn http(&self, method: &str, path: &str) -> (u16, String) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("connect to moto at {addr}: {e}"));
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .expect("send the request to moto");
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .expect("read moto's response");
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response from moto: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// Reset all of moto's state (POST /moto-api/reset).
    pub fn reset(&self) {
        let (status, body) = self.http("POST", "/moto-api/reset");
        assert_eq!(status, 200, "moto reset failed: {body}");
    }
}

/// The moto server this test binary shares (started on first use; each
/// test keeps to its own stacks by its own plan name).
pub fn shared() -> &'static Moto {
    static MOTO: std::sync::OnceLock<Moto> = std::sync::OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop()
    }
}
