//! `validate` and `render`: the pure commands.

use std::path::PathBuf;

use clap::Args;

use super::{EnvArg, Outcome, Ui, table};
use crate::cli::Error;
use crate::project::Project;
use streamscale_core::render::{capacity_json, to_pretty};

/// `validate -e ENV [--json]`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Print capacity.json on stdout instead of the table.
    #[arg(long)]
    json: bool,
}

/// `render -e ENV [-o DIR]`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    env: EnvArg,
    /// Write under DIR/<env>/ instead of the project's output folder (default out/).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Check the plan and print its capacity.
pub fn validate(project: &Project, args: &ValidateArgs, _ui: Ui) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    if args.json {
        print!("{}", to_pretty(&capacity_json(&plan)));
    } else {
        eprintln!(
            "{} {}: valid, {} regions, {} peak users{}",
            plan.name,
            plan.environment,
            plan.regions.len(),
            table::thousands(&plan.traffic.peak.to_string()),
            if plan.traffic.survive_region_loss {
                ", sized to survive the loss of any one region"
            } else {
                ""
            }
        );
        println!("{}", table::capacity(&plan));
    }
    Ok(Outcome::Ok)
}

/// Render the plan's files.
pub fn render(project: &Project, args: &RenderArgs) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let dir = match &args.out {
        Some(o) => o.join(&plan.environment),
        None => project.out_dir(&plan),
    };
    let written = crate::project::write_rendered(&rendered, &dir)?;
    eprintln!(
        "rendered {} files for {} regions under {}",
        written.len(),
        rendered.stacks.len(),
        dir.display()
    );
    Ok(Outcome::Ok)
}
