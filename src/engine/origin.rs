//! The ranges the load balancers admit: with a Cloudflare token, the list
//! Cloudflare publishes now (`GET /ips`), so that a change in Cloudflare's
//! ranges shows as a planned change of the prefix lists; without one, the
//! copy bundled with streamscale.

use streamscale_core::origin::{OriginRanges, OriginRangesError};
use streamscale_core::plan::Plan;

use crate::cloudflare::{Cloudflare, CloudflareError};

/// Why the current ranges could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OriginError {
    /// The API call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cloudflare(#[from] CloudflareError),
    /// The list is malformed, or too large for the security group.
    #[error("Cloudflare's current IP ranges: {0}")]
    #[diagnostic(code(origin::ranges))]
    Ranges(#[from] OriginRangesError),
}

/// Put Cloudflare's current ranges into `plan` when `api` is given; returns
/// whether they differ from the bundled copy.
pub async fn use_current_ranges(
    api: Option<&Cloudflare>,
    plan: &mut Plan,
) -> Result<bool, OriginError> {
    let Some(api) = api else {
        return Ok(false);
    };
    let result = api.ips().await?;
    let current = OriginRanges::from_api_result(&result)?;
    current.check_quota()?;
    let changed = !current.same_ranges(&OriginRanges::bundled());
    plan.origin_ranges = current;
    Ok(changed)
}
