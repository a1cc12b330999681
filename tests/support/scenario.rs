//! Live test scenarios that read as one sentence: a plan, the streamscale
//! commands run against moto, what someone changes by hand in between, and
//! what each command must say.
//!
//! ```ignore
//! #[path = "support/moto.rs"]
//! mod moto;
//! #[path = "support/project.rs"]
//! mod project;
//! #[path = "support/scenario.rs"]
//! mod scenario;
//!
//! use scenario::{CUP_FINAL, Scenario, TWO};
//!
//! Scenario::new("dr-max")
//!     .regions(TWO)
//!     .event(CUP_FINAL)
//!     .applied()
//!     .change(|aws| aws.asg("us-east-1").set_max_size(30))
//!     .drift()
//!     .finds_one("AutoScalingGroup", "MaxSize", 40, 30)
//!     .in_region("us-east-1")
//!     .with_severity("capacity")
//!     .plan()
//!     .repairs("AutoScalingGroup", "MaxSize")
//!     .apply()
//!     .is_clean();
//! ```
//!
//! The parts:
//! - **Setup** ([`Scenario::new`] → [`ScenarioSetup`]): the plan (its
//!   regions, events, extra TOML, per-region settings) and the moto server
//!   (the binary's shared one unless [`ScenarioSetup::on`] names another);
//!   [`ScenarioSetup::applied`] writes the project and applies it,
//!   [`ScenarioSetup::build`] only writes it.
//! - **Commands**: [`Scenario::plan`] and [`Scenario::drift`] run the
//!   `--json --detailed-exitcode` forms and assert nothing about the exit
//!   code (what follows says what is expected); [`Scenario::apply`],
//!   [`Scenario::destroy`], [`Scenario::save_plan`] and
//!   [`Scenario::apply_saved`] must succeed (exit 0); [`Scenario::run`]
//!   runs any arguments as written.
//! - **Out-of-band changes**: [`Scenario::change`] hands the closure an
//!   [`Aws`] of typed helpers (ASG sizes, scheduled actions, launch template
//!   default version, security group rules, cache replicas, stack deletion).
//! - **Assertions** on the last command ([`Scenario::exits`],
//!   [`Scenario::stdout_has`], [`Scenario::is_clean`]; and in
//!   scenario_checks.rs on drift findings, planned changes and live stacks:
//!   `finds_one`, `repairs`, `stack_is`, …): each failure message prints the
//!   command with its exit code, stdout and stderr.
//!
//! Steps take and return the scenario, so one chain is one test; a value a
//! later step needs (the plan's MaxSize before it is lowered) is read with
//! [`Scenario::aws`] between two chains.
#![allow(dead_code)]

#[path = "scenario_checks.rs"]
mod checks;
#[path = "out_of_band.rs"]
pub mod out_of_band;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::moto::Moto;
use crate::project::{Project, RegionSpec, plan_text};
pub use out_of_band::Aws;

/// Two regions, 60/40.
pub const TWO: &[RegionSpec] = &[
    ("us-east-1", "0.6", "c7i.large"),
    ("eu-west-1", "0.4", "c7i.large"),
];

/// Three regions, 50/30/20.
pub const THREE: &[RegionSpec] = &[
    ("us-east-1", "0.5", "c7i.large"),
    ("eu-west-1", "0.3", "c7i.large"),
    ("ap-northeast-1", "0.2", "c7i.large"),
];

/// One event, so that the stacks have pre-warm and release scheduled
/// actions (`PrewarmCupFinal`, `ReleaseCupFinal`).
pub const CUP_FINAL: &str = r#"
[[events]]
name = "cup-final"
starts_at = "2027-06-01T18:00:00Z"
duration_minutes = 120
prewarm_minutes = 30
expected_concurrent_users = 15000
"#;

/// The moto server this test binary shares (started on first use).
pub fn shared_moto() -> &'static Moto {
    crate::moto::shared()
}

/// The plan a scenario writes to `environments/test.toml`.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    name: String,
    regions: Vec<(String, String, String)>,
    /// (region, TOML line) added under `[regions.<region>]`.
    region_settings: Vec<(String, String)>,
    /// TOML after the regions (events, `[cache]`, `[deploy]`, …).
    extra: String,
}

impl PlanSpec {
    /// The same plan over `regions` (name, share, instance type).
    pub fn regions(mut self, regions: &[RegionSpec]) -> PlanSpec {
        self.regions = regions
            .iter()
            .map(|(r, s, t)| (r.to_string(), s.to_string(), t.to_string()))
            .collect();
        self
    }

    /// The same plan with `toml` added after the regions.
    pub fn extra(mut self, toml: &str) -> PlanSpec {
        self.extra.push_str(toml);
        self
    }

    /// The same plan with the TOML after the regions rewritten by `edit`
    /// (a tier's setting changed).
    pub fn edit_extra(mut self, edit: impl FnOnce(&str) -> String) -> PlanSpec {
        self.extra = edit(&self.extra);
        self
    }

    /// The same plan without the per-region settings.
    pub fn without_region_settings(mut self) -> PlanSpec {
        self.region_settings.clear();
        self
    }

    /// The region names, in plan order.
    pub fn region_names(&self) -> Vec<String> {
        self.regions.iter().map(|(r, _, _)| r.clone()).collect()
    }

    /// The plan's TOML.
    pub fn text(&self) -> String {
        let regions: Vec<RegionSpec> = self
            .regions
            .iter()
            .map(|(r, s, t)| (r.as_str(), s.as_str(), t.as_str()))
            .collect();
        let mut text = plan_text(&self.name, &regions, &self.extra);
        for (region, line) in &self.region_settings {
            let header = format!("[regions.{region}]\n");
            let start = text
                .find(&header)
                .unwrap_or_else(|| panic!("{region} is not in the plan"))
                + header.len();
            // A key the plan already sets in the table (certificate_arn) is
            // replaced, never written twice.
            let key = line.split('=').next().unwrap_or("").trim();
            let end = text[start..].find("\n[").map_or(text.len(), |i| start + i);
            let existing = text[start..end]
                .lines()
                .find(|l| l.split('=').next().unwrap_or("").trim() == key)
                .map(str::to_string);
            text = match existing {
                Some(old) => {
                    let at = start + text[start..end].find(&old).unwrap_or(0);
                    format!("{}{line}{}", &text[..at], &text[at + old.len()..])
                }
                None => format!("{}{line}\n{}", &text[..start], &text[start..]),
            };
        }
        text
    }
}

/// Entry point: `Scenario::new(name)` starts a [`ScenarioSetup`].
pub struct Scenario<'m> {
    moto: &'m Moto,
    project: Project,
    plan: PlanSpec,
    /// The environment `-e` of the command steps.
    environment: String,
    last: Option<Ran>,
    finding: Option<FoundFinding>,
}

/// A scenario before its project exists: the plan and the moto server.
pub struct ScenarioSetup<'m> {
    moto: &'m Moto,
    plan: PlanSpec,
}

/// One streamscale run: its arguments and what it printed.
#[derive(Debug, Clone)]
pub struct Ran {
    pub args: Vec<String>,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    fn new(args: &[&str], out: Output) -> Ran {
        Ran {
            args: args.iter().map(|a| a.to_string()).collect(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The command, its exit code and its output, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "streamscale {} exited {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.describe()))
    }
}

/// The finding of the last `finds_one`: later steps (`repairs`,
/// `repaired_in_place`) compare against it.
#[derive(Debug, Clone)]
struct FoundFinding {
    region: String,
    finding: Value,
}

impl Scenario<'static> {
    /// A scenario whose plan is named `name` (its stack is `<name>-test`),
    /// on the binary's shared moto, with no regions yet.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(name: &str) -> ScenarioSetup<'static> {
        ScenarioSetup {
            moto: shared_moto(),
            plan: PlanSpec {
                name: name.to_string(),
                regions: Vec::new(),
                region_settings: Vec::new(),
                extra: String::new(),
            },
        }
    }

    /// A scenario over a copy of the repository's example environments
    /// (`environments/*.toml`) on the shared moto; pick one with
    /// [`Scenario::environment`].
    pub fn examples() -> Scenario<'static> {
        Scenario {
            moto: shared_moto(),
            project: Project::with_example_environments(),
            plan: PlanSpec {
                name: "examples".to_string(),
                regions: Vec::new(),
                region_settings: Vec::new(),
                extra: String::new(),
            },
            environment: "test".to_string(),
            last: None,
            finding: None,
        }
    }
}

impl<'m> ScenarioSetup<'m> {
    /// Run against `moto` instead of the shared server.
    pub fn on<'n>(self, moto: &'n Moto) -> ScenarioSetup<'n> {
        ScenarioSetup {
            moto,
            plan: self.plan,
        }
    }

    /// The plan's regions (name, share, instance type).
    pub fn regions(mut self, regions: &[RegionSpec]) -> Self {
        self.plan = self.plan.regions(regions);
        self
    }

    /// Add an `[[events]]` entry (TOML).
    pub fn event(self, event: &str) -> Self {
        self.plan_extra(event)
    }

    /// Add TOML after the regions (`[cache]`, `[deploy]`, `[aws]`, …).
    pub fn plan_extra(mut self, toml: &str) -> Self {
        self.plan.extra.push_str(toml);
        self.plan.extra.push('\n');
        self
    }

    /// Add the TOML `line` under `[regions.<region>]`.
    pub fn region_setting(mut self, region: &str, line: &str) -> Self {
        self.plan
            .region_settings
            .push((region.to_string(), line.to_string()));
        self
    }

    /// Write the project; nothing runs yet.
    pub fn build(self) -> Scenario<'m> {
        let project = Project::new(&self.plan.name, &[], "");
        project.write_plan(&self.plan.text());
        Scenario {
            moto: self.moto,
            project,
            plan: self.plan,
            environment: "test".to_string(),
            last: None,
            finding: None,
        }
    }

    /// Write the project and apply it (`apply --yes`, exit 0).
    pub fn applied(self) -> Scenario<'m> {
        self.build().apply()
    }

    /// Write the project and apply it for the first time where the new
    /// stacks open access (the tiers' security groups), which apply refuses
    /// without `--allow-broadening`: exit 0, every stack `CREATE_COMPLETE`.
    pub fn applied_opening_access(self) -> Scenario<'m> {
        self.build()
            .run(&["apply", "-e", "test", "--yes", "--allow-broadening"])
            .exits(0)
            .stacks_are("CREATE_COMPLETE")
    }
}

impl<'m> Scenario<'m> {
    // ----- access -------------------------------------------------------

    /// The project on disk.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The stack name in every region.
    pub fn stack(&self) -> String {
        self.project.stack()
    }

    /// Typed out-of-band access to the stack's live resources.
    pub fn aws(&self) -> Aws<'m> {
        Aws::new(self.moto, &self.stack())
    }

    /// A path in the project folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.project.path().join(name)
    }

    /// The rendered output folder (`out/<environment>`).
    pub fn out(&self) -> PathBuf {
        self.project.path().join("out").join(&self.environment)
    }

    /// A file under the rendered output folder.
    pub fn rendered(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.out().join(relative)
    }

    /// The last command run; panics when none ran.
    pub fn last(&self) -> &Ran {
        self.last
            .as_ref()
            .expect("no streamscale command has run in this scenario yet")
    }

    /// The last command's stdout as JSON.
    pub fn json(&self) -> Value {
        self.last().json()
    }

    /// The finding of the last `finds_one`.
    pub fn finding(&self) -> &Value {
        &self.found().finding
    }

    fn found(&self) -> &FoundFinding {
        self.finding
            .as_ref()
            .expect("this step compares against the finding of finds_one(); call that first")
    }

    // ----- commands -----------------------------------------------------

    /// Use environment `name` (`-e name`) in the command steps from now on.
    pub fn environment(mut self, name: &str) -> Self {
        self.environment = name.to_string();
        self
    }

    /// Run `streamscale -C <project> ARGS…` as written; asserts only that it
    /// did not panic.
    pub fn run(self, args: &[&str]) -> Self {
        self.run_with_env(args, &[])
    }

    /// [`Scenario::run`] with extra environment variables.
    pub fn run_with_env(mut self, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = self.project.cmd(self.moto, args);
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("run streamscale");
        let ran = Ran::new(args, out);
        assert!(
            !ran.stderr.contains("panicked"),
            "streamscale panicked:\n{}",
            ran.describe()
        );
        self.last = Some(ran);
        self
    }

    /// Run `COMMAND -e <environment> EXTRA…`.
    fn run_in_env(self, command: &str, extra: &[&str]) -> Self {
        let env = self.environment.clone();
        let mut args = vec![command, "-e", env.as_str()];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `plan --json --detailed-exitcode`.
    pub fn plan(self) -> Self {
        self.run_in_env("plan", &["--json", "--detailed-exitcode"])
    }

    /// `plan --detailed-exitcode`, the human table.
    pub fn plan_table(self) -> Self {
        self.run_in_env("plan", &["--detailed-exitcode"])
    }

    /// `plan --out FILE` (in the project folder), exit 0.
    pub fn save_plan(self, file: &str) -> Self {
        let path = self.file(file).display().to_string();
        self.run_in_env("plan", &["--out", &path]).exits(0)
    }

    /// The saved plan `file` as JSON.
    pub fn saved_plan(&self, file: &str) -> Value {
        let path = self.file(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    }

    /// `apply --yes`, exit 0.
    pub fn apply(self) -> Self {
        self.try_apply().exits(0)
    }

    /// `apply --yes`, whatever it exits.
    pub fn try_apply(self) -> Self {
        self.run_in_env("apply", &["--yes"])
    }

    /// `apply FILE` of a saved plan, exit 0.
    pub fn apply_saved(self, file: &str) -> Self {
        self.try_apply_saved(file).exits(0)
    }

    /// `apply FILE` of a saved plan, whatever it exits.
    pub fn try_apply_saved(self, file: &str) -> Self {
        let path = self.file(file).display().to_string();
        self.run_in_env("apply", &[&path])
    }

    /// `destroy --yes`, exit 0 (the test plans are not demo: deletion
    /// protection is on, and turned off first).
    pub fn destroy(self) -> Self {
        self.run_in_env("destroy", &["--yes", "--disable-deletion-protection"])
            .exits(0)
    }

    /// `render`, exit 0.
    pub fn render(self) -> Self {
        self.run_in_env("render", &[]).exits(0)
    }

    /// `drift --json --detailed-exitcode`; asserts the document's format
    /// (version 1, command `drift`), not the exit code.
    pub fn drift(self) -> Self {
        self.drift_with(&[])
    }

    /// [`Scenario::drift`] with extra arguments (`--region R`).
    pub fn drift_with(self, extra: &[&str]) -> Self {
        let mut args = vec!["--json", "--detailed-exitcode"];
        args.extend_from_slice(extra);
        let s = self.run_in_env("drift", &args);
        let doc = s.json();
        assert_eq!(doc["format_version"], 1, "{}", s.last().describe());
        assert_eq!(doc["command"], "drift", "{}", s.last().describe());
        s
    }

    /// `drift --detailed-exitcode`, the human table.
    pub fn drift_table(self) -> Self {
        self.run_in_env("drift", &["--detailed-exitcode"])
    }

    /// Rewrite the plan file with `edit` applied to the plan.
    pub fn replan(mut self, edit: impl FnOnce(PlanSpec) -> PlanSpec) -> Self {
        self.plan = edit(self.plan);
        self.project.write_plan(&self.plan.text());
        self
    }

    /// Change live state by hand, outside streamscale.
    pub fn change(self, by_hand: impl FnOnce(&Aws)) -> Self {
        by_hand(&self.aws());
        self
    }

    // ----- assertions on the last command -------------------------------

    /// Any check on the scenario.
    pub fn check(self, check: impl FnOnce(&Self)) -> Self {
        check(&self);
        self
    }

    /// Any check on the last command's JSON.
    pub fn check_json(self, check: impl FnOnce(&Value)) -> Self {
        check(&self.json());
        self
    }

    /// Any check on the live resources.
    pub fn check_live(self, check: impl FnOnce(&Aws)) -> Self {
        check(&self.aws());
        self
    }

    /// The last command exited `code`.
    pub fn exits(self, code: i32) -> Self {
        let ran = self.last();
        assert_eq!(
            ran.code,
            Some(code),
            "expected exit {code}: {}",
            ran.describe()
        );
        self
    }

    /// The last command's stdout contains `text`.
    pub fn stdout_has(self, text: &str) -> Self {
        let ran = self.last();
        assert!(
            ran.stdout.contains(text),
            "stdout lacks {text:?}: {}",
            ran.describe()
        );
        self
    }

    /// The last command printed nothing on stdout.
    pub fn stdout_is_empty(self) -> Self {
        let ran = self.last();
        assert!(
            ran.stdout.is_empty(),
            "stdout is not empty: {}",
            ran.describe()
        );
        self
    }

    /// The last command's stderr contains `text`.
    pub fn stderr_has(self, text: &str) -> Self {
        let ran = self.last();
        assert!(
            ran.stderr.contains(text),
            "stderr lacks {text:?}: {}",
            ran.describe()
        );
        self
    }

    /// The JSON document's `regions` are exactly `regions`.
    pub fn reports_only(self, regions: &[&str]) -> Self {
        let doc = self.json();
        let keys: Vec<&str> = doc["regions"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, regions, "{}", self.last().describe());
        self
    }

    /// Everything clean: `drift` exits 0 with every region clean and no
    /// findings, and `plan` has no changes.
    // An assertion step that reads as English ("… .apply().is_clean()"), not
    // a predicate: it takes and returns the scenario like every step.
    #[allow(clippy::wrong_self_convention)]
    pub fn is_clean(self) -> Self {
        let s = self.drift().exits(0);
        let doc = s.json();
        let regions = doc["regions"].as_object().cloned().unwrap_or_default();
        for (region, v) in &regions {
            assert_eq!(v["status"], "clean", "{region}: {}", s.last().describe());
            assert_eq!(
                v["findings"],
                json!([]),
                "{region}: {}",
                s.last().describe()
            );
        }
        assert_eq!(doc["drift"], false, "{}", s.last().describe());
        assert_eq!(doc["summary"]["findings"], 0, "{}", s.last().describe());
        s.plans_no_changes()
    }

    /// `plan --detailed-exitcode` exits 0 and says "No changes.".
    pub fn plans_no_changes(self) -> Self {
        self.plan_table().exits(0).stdout_has("No changes.")
    }
}
