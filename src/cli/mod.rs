//! The command line: argument parsing (clap), output conventions (colour,
//! JSON on stdout, human text on stderr) and exit codes (SPEC §5).

mod apply;
mod apply_json;
pub mod ci;
pub mod drift;
mod error;
mod iam;
mod init;
pub mod json;
mod plan;
mod protection;
mod report;
mod table;
mod validate;
pub mod views;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use error::Error;

use crate::project::Project;

/// Capacity plans in, CloudFormation and Cloudflare out.
///
/// streamscale reads a capacity plan (environments/ENV.toml: users at peak,
/// their split over AWS regions, what one instance carries, live events) and
/// renders one CloudFormation stack per region plus the Cloudflare load
/// balancer in front of them. Start with `streamscale init`, then
/// `streamscale validate -e demo` and `streamscale render -e demo`.
#[derive(Debug, Parser)]
#[command(name = "streamscale", version, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in DIR (the project root). Without it, the
    /// nearest folder up from here that holds streamscale.toml.
    #[arg(short = 'C', long = "directory", global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,

    /// Turn colour off (also: the NO_COLOR environment variable, or a non-terminal stdout).
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Render as of this instant (RFC 3339, e.g. 2026-12-18T18:30:00Z) instead of the
    /// clock: events over by then are left out of the stacks, and only the scheduled
    /// actions still ahead are rendered.
    #[arg(
        long,
        global = true,
        env = "STREAMSCALE_NOW",
        value_name = "RFC3339",
        value_parser = parse_now
    )]
    pub now: Option<chrono::DateTime<chrono::Utc>>,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// `--now`: an RFC 3339 instant with its offset, kept in UTC.
fn parse_now(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{e}: give an RFC 3339 instant such as 2026-12-18T18:30:00Z"))
}

/// Selects the plan: `-e prod` is environments/prod.toml.
#[derive(Debug, Args, Clone)]
pub struct EnvArg {
    /// The environment: NAME for environments/NAME.toml, or a path to a plan file.
    #[arg(short = 'e', long = "env", env = "STREAMSCALE_ENV", value_name = "ENV")]
    pub env: String,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a project: streamscale.toml, example plans, the built-in templates.
    Init(init::InitArgs),
    /// Parse, merge `extends`, check the plan; print the capacity table.
    Validate(validate::ValidateArgs),
    /// Write CloudFormation, Cloudflare bodies and capacity.json (no network).
    Render(validate::RenderArgs),
    /// Show what apply would change, per region (change sets and a property diff).
    Plan(plan::PlanArgs),
    /// Make live stacks match the plan (or apply a saved plan exactly).
    Apply(apply::ApplyArgs),
    /// Delete the stacks.
    Destroy(apply::DestroyArgs),
    /// Print each region's stack outputs (load balancer DNS, ...).
    Outputs(apply::OutputsArgs),
    /// Compare what runs in each region with the plan, property by property.
    Drift(drift::DriftArgs),
    /// Write the capacity review: cost, region loss, events, quotas, latency.
    Report(report::ReportArgs),
    /// Print the least-privilege IAM policy a command needs for this plan (docs/iam.md).
    Iam(iam::IamArgs),
}

/// How output looks: colour or not, for this run.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// Colour and progress bars on.
    pub color: bool,
}

impl Ui {
    fn detect(no_color_flag: bool) -> Self {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !no_color_flag && !no_color_env && std::io::stdout().is_terminal();
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color && std::io::stderr().is_terminal());
        Ui { color }
    }
}

/// What a command ended with, short of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success (exit 0).
    Ok,
    /// Success with changes or drift, reported as exit 2 under `--detailed-exitcode`.
    Changes,
}

/// A Tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))
}

/// Parse arguments, run, print errors, and map to SPEC §5 exit codes.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ui = Ui::detect(cli.no_color);
    let color = ui.color && std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .width(100)
                .terminal_links(false)
                .build(),
        )
    }));
    let wants_json = cli.command.wants_json();
    match run(cli, ui) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Changes) => ExitCode::from(2),
        Err(e) => {
            let code = e.exit_code();
            if wants_json {
                json::print_error(&e);
            }
            ci::report_failure(Some(json::code(&e)), &e.to_string(), json::plan_errors(&e));
            eprintln!("{:?}", miette::Report::new(e));
            ExitCode::from(code)
        }
    }
}

impl Command {
    /// Whether the command prints one JSON document on stdout (`--json`,
    /// `--format json` to stdout): then a failure prints an error document.
    fn wants_json(&self) -> bool {
        match self {
            Command::Init(_) | Command::Render(_) | Command::Iam(_) => false,
            Command::Validate(a) => a.json(),
            Command::Report(a) => a.json(),
            Command::Plan(a) => a.json(),
            Command::Apply(a) => a.json(),
            Command::Destroy(a) => a.json(),
            Command::Outputs(a) => a.json(),
            Command::Drift(a) => a.json(),
        }
    }
}

fn run(cli: Cli, ui: Ui) -> Result<Outcome, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    // `-C DIR`, else the nearest folder up from here holding
    // streamscale.toml (as git and cargo find theirs), else here. A plan
    // path given with `-e` is relative to where the command runs.
    let (root, base) = match &cli.directory {
        Some(d) => (d.clone(), d.clone()),
        None => match &cli.command {
            Command::Init(_) => (cwd.clone(), cwd.clone()),
            _ => (
                crate::project::find_root(&cwd).unwrap_or_else(|| cwd.clone()),
                cwd.clone(),
            ),
        },
    };
    // Every command but `init` works in an existing project.
    let now = cli.now.unwrap_or_else(chrono::Utc::now);
    let project = || Project::open(&root).map(|p| p.at(now).relative_to(&base));
    match cli.command {
        Command::Init(args) => init::run(&root, &args),
        Command::Validate(args) => validate::validate(&project()?, &args, ui),
        Command::Render(args) => validate::render(&project()?, &args),
        Command::Report(args) => report::run(&project()?, &args),
        Command::Iam(args) => iam::run(&project()?, &args),
        Command::Plan(args) => plan::run(&project()?, &args),
        Command::Apply(args) => apply::run(&project()?, &args, ui),
        Command::Destroy(args) => apply::destroy(&project()?, &args, ui),
        Command::Outputs(args) => apply::outputs(&project()?, &args),
        Command::Drift(args) => drift::run(&project()?, &args, ui),
    }
}
