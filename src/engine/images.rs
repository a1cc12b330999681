//! The AMI check of `plan`: before any change set, every AMI a region's
//! stack launches must exist there and not be deprecated. One
//! DescribeImages call per region reads them all; the core decides.

use super::EngineError;
use crate::aws::{Aws, reads};
use streamscale_core::images::{amis_in_template, check_amis};
use streamscale_core::render::RegionStack;

/// Refuse the region when an AMI of its stack is missing or deprecated.
pub async fn check(aws: &Aws, stack: &RegionStack) -> Result<(), EngineError> {
    let wanted = amis_in_template(&stack.template_value());
    if wanted.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = wanted.iter().cloned().collect();
    let found = reads::images(&aws.ec2(&stack.region), &stack.region, &ids).await?;
    let problems = check_amis(&wanted, &found, chrono::Utc::now());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Ami {
            region: stack.region.clone(),
            problems: problems.iter().map(ToString::to_string).collect(),
        })
    }
}
