//! `iam`: the least-privilege IAM policy a command needs for this plan
//! (docs/iam.md). Pure: computed from the plan and the rendered templates
//! (`streamscale_core::iam`), no AWS call.

use clap::Args;

use super::{EnvArg, Outcome};
use crate::cli::Error;
use crate::project::Project;
use streamscale_core::iam::{Command, Handlers, Options, policy, service_role_policy};
use streamscale_core::render::to_pretty;

/// `iam -e ENV --command CMD [--account ID] [--service-role ARN] [--write]`.
#[derive(Debug, Args)]
pub struct IamArgs {
    #[command(flatten)]
    env: EnvArg,
    /// The command whose policy to print: plan, apply, destroy, drift,
    /// outputs, report (report --live); validate and render need none.
    #[arg(long = "command", value_name = "COMMAND", value_parser = parse_command)]
    command: Option<Command>,
    /// The AWS account id the ARNs name (default `*`).
    #[arg(long, value_name = "ID")]
    account: Option<String>,
    /// CloudFormation acts through this service role: apply and destroy
    /// need iam:PassRole on it instead of the resources' permissions.
    #[arg(long = "service-role", value_name = "ARN")]
    service_role: Option<String>,
    /// Print the service role's own policy (the resources' permissions).
    #[arg(long = "role-policy", conflicts_with = "command")]
    role_policy: bool,
    /// Write every command's policy to out/ENV/iam/COMMAND.json (and
    /// service-role.json) instead of printing one.
    #[arg(long, conflicts_with_all = ["command", "role_policy"])]
    write: bool,
}

fn parse_command(s: &str) -> Result<Command, String> {
    Command::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
        format!("one of {}", names.join(", "))
    })
}

fn iam_error(e: streamscale_core::iam::IamError) -> Error {
    Error::Usage {
        message: e.to_string(),
        help: None,
    }
}

/// `iam`.
pub fn run(project: &Project, args: &IamArgs) -> Result<Outcome, Error> {
    let plan = project.load_plan(&args.env.env)?;
    let rendered = project.render(&plan)?;
    let options = Options {
        account: args.account.clone().unwrap_or_else(|| "*".into()),
        handlers: match &args.service_role {
            Some(r) => Handlers::ServiceRole(r.clone()),
            None => Handlers::Caller,
        },
        ..Options::default()
    };
    if args.role_policy {
        let doc = service_role_policy(&plan, &rendered).map_err(iam_error)?;
        print!("{}", to_pretty(&doc));
        return Ok(Outcome::Ok);
    }
    if args.write {
        let dir = project.out_dir(&plan).join("iam");
        std::fs::create_dir_all(&dir).map_err(|e| Error::Usage {
            message: format!("cannot create {}: {e}", dir.display()),
            help: None,
        })?;
        let mut files = vec![(
            "service-role.json".to_string(),
            service_role_policy(&plan, &rendered).map_err(iam_error)?,
        )];
        for c in Command::ALL {
            let p = policy(&plan, &rendered, c, &options).map_err(iam_error)?;
            if let Some(doc) = p.document() {
                files.push((format!("{}.json", c.name()), doc));
            }
        }
        for (name, doc) in &files {
            let path = dir.join(name);
            std::fs::write(&path, to_pretty(doc)).map_err(|e| Error::Usage {
                message: format!("cannot write {}: {e}", path.display()),
                help: None,
            })?;
        }
        eprintln!("wrote {} policies under {}", files.len(), dir.display());
        return Ok(Outcome::Ok);
    }
    let Some(command) = args.command else {
        return Err(Error::Usage {
            message: "which command's policy? give --command, --role-policy or --write".into(),
            help: Some("e.g. streamscale iam -e prod --command apply".into()),
        });
    };
    let p = policy(&plan, &rendered, command, &options).map_err(iam_error)?;
    match p.document() {
        Some(doc) => print!("{}", to_pretty(&doc)),
        None => eprintln!(
            "{} makes no AWS call: it needs no IAM permission",
            command.name()
        ),
    }
    Ok(Outcome::Ok)
}
