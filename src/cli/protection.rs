//! `destroy`'s deletion-protection check: refuse (nothing deleted) when a
//! stack's resources have deletion protection on, or, with
//! `--disable-deletion-protection`, update each such stack with it off
//! first (`engine::protection`).

use std::io::IsTerminal;

use super::{Error, Ui};
use crate::aws::Aws;
use crate::engine::EngineError;
use crate::engine::progress::Progress;
use crate::engine::protection::{check, disable};
use streamscale_core::plan::Plan;

/// Check the stacks of `regions`; refuse, or turn the protection off.
pub async fn before_destroy(
    aws: &Aws,
    plan: &Plan,
    regions: &[String],
    disable_it: bool,
    ui: Ui,
) -> Result<(), Error> {
    let found = check(aws, plan, regions).await?;
    if found.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = found
        .iter()
        .map(|p| {
            format!(
                "{}: {} ({}){}",
                p.region,
                p.logical_id,
                p.resource_type,
                if p.in_template {
                    ""
                } else {
                    ", turned on by hand"
                }
            )
        })
        .collect();
    if !disable_it {
        return Err(EngineError::DeletionProtected {
            resources: format!("{}; nothing was deleted", list.join(", ")),
        }
        .into());
    }
    if let Some(by_hand) = found.iter().find(|p| !p.in_template) {
        return Err(EngineError::DeletionProtected {
            resources: format!(
                "{}: {} had deletion protection turned on by hand: a stack update does not turn it off; turn it off in the console or with the service's API, then destroy again; nothing was deleted",
                by_hand.region, by_hand.logical_id
            ),
        }
        .into());
    }
    eprintln!("Turning deletion protection off first: {}", list.join(", "));
    let mut regions_with: Vec<&str> = found.iter().map(|p| p.region.as_str()).collect();
    regions_with.dedup();
    let progress = Progress::new(ui.color && std::io::stderr().is_terminal());
    for region in regions_with {
        let line = disable(aws, plan, region, &progress).await?;
        progress.finish(region, true, "deletion protection off");
        eprintln!("{line}");
    }
    Ok(())
}
