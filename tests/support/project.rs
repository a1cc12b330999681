//! Test projects: a temporary project folder with one plan, the
//! `streamscale` binary run against a moto server, and SDK clients for
//! changing live state out of band.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::moto::Moto;

/// A region of a test plan: name, share, instance type.
pub type RegionSpec<'a> = (&'a str, &'a str, &'a str);

/// A temporary project with `environments/test.toml`.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub name: String,
}

/// One region, all the traffic.
pub const ONE: &[RegionSpec] = &[("us-east-1", "1.0", "c7i.large")];

/// Text with a diagnostic's line wrapping (and its `|` gutter) undone.
pub fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a small plan named `name` over `regions`.
pub fn plan_text(name: &str, regions: &[RegionSpec], extra: &str) -> String {
    let mut s = format!(
        "name = \"{name}\"\nenvironment = \"test\"\n\n[defaults]\nusers_per_instance = 1000\ntarget_utilization = 0.5\navailability_zones = 2\nami = \"ami-0123456789abcdef0\"\n\n[traffic]\npeak_concurrent_users = 20000\nbaseline_concurrent_users = 2000\nheadroom = 0.2\nsurvive_region_loss = {}\n\n",
        regions.len() > 1
    );
    for (r, share, it) in regions {
        s.push_str(&format!(
            "[regions.{r}]\nshare = {share}\ninstance_type = \"{it}\"\ncertificate_arn = \"{}\"\n\n",
            test_certificate(r)
        ));
    }
    s.push_str(extra);
    s
}

/// The ACM certificate a test plan names in `region`: the moto server of
/// the tests imports one at this ARN in every region (`Moto::start`).
pub fn test_certificate(region: &str) -> String {
    super::moto::test_certificate(region)
}

impl Project {
    /// A project whose plan is `plan_text(name, regions, extra)`.
    pub fn new(name: &str, regions: &[RegionSpec], extra: &str) -> Project {
        let dir = tempfile::Builder::new()
            .prefix("streamscale-test-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join("environments")).expect("mkdir");
        let p = Project {
            dir,
            name: name.to_string(),
        };
        p.write_plan(&plan_text(name, regions, extra));
        p
    }

    /// A project holding a copy of the repository's example environments
    /// (`environments/*.toml`); its `name` is `examples` and means nothing
    /// to the stacks, which the example plans name.
    pub fn with_example_environments() -> Project {
        let dir = tempfile::Builder::new()
            .prefix("streamscale-test-")
            .tempdir()
            .expect("temp dir");
        let to = dir.path().join("environments");
        std::fs::create_dir_all(&to).expect("mkdir");
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("environments");
        let entries =
            std::fs::read_dir(&from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
        for entry in entries.flatten() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
        Project {
            dir,
            name: "examples".to_string(),
        }
    }

    /// Replace the plan's text.
    pub fn write_plan(&self, text: &str) {
        std::fs::write(self.dir.path().join("environments/test.toml"), text).expect("write plan");
    }

    /// The project root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The stack name.
    pub fn stack(&self) -> String {
        format!("{}-test", self.name)
    }

    /// `streamscale -C DIR ARGS…` against `moto`, with stdin closed and
    /// NO_COLOR set.
    pub fn cmd(&self, moto: &Moto, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_streamscale"));
        moto.apply_env(&mut c);
        c.arg("-C").arg(self.path()).args(args);
        c.env("NO_COLOR", "1").stdin(std::process::Stdio::null());
        for v in [
            "CLOUDFLARE_API_TOKEN",
            "CLOUDFLARE_ACCOUNT_ID",
            "CLOUDFLARE_API_BASE",
        ] {
            c.env_remove(v);
        }
        c
    }

    /// Run and return the output.
    pub fn run(&self, moto: &Moto, args: &[&str]) -> Output {
        self.cmd(moto, args).output().expect("run streamscale")
    }

    /// Run, assert the exit code, return (stdout, stderr).
    pub fn expect(&self, moto: &Moto, args: &[&str], code: i32) -> (String, String) {
        let out = self.run(moto, args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "streamscale {args:?} exited {:?}, expected {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            out.status.code()
        );
        assert!(!stderr.contains("panicked"), "panic in {args:?}: {stderr}");
        (stdout, stderr)
    }

    /// Run with `--json` somewhere in args and parse stdout.
    pub fn json(&self, moto: &Moto, args: &[&str], code: i32) -> serde_json::Value {
        let (stdout, _) = self.expect(moto, args, code);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}):\n{stdout}"))
    }

    /// Where rendered files go.
    pub fn out(&self) -> PathBuf {
        self.path().join("out").join("test")
    }
}

/// An SDK configuration for `region` on `moto`.
pub fn sdk(moto: &Moto, region: &str) -> aws_types::SdkConfig {
    let rt = runtime();
    rt.block_on(async {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&moto.endpoint)
            .region(aws_types::region::Region::new(region.to_string()))
            .credentials_provider(aws_credential_types::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await
    })
}

/// A current-thread runtime for SDK calls in tests.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
