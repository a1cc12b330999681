//! Digests that tell whether something changed: of a rendered region, of
//! a live stack (a saved plan's staleness check), of a repair.

use sha2::{Digest, Sha256};

use crate::render::{RegionStack, parameters_json};
use crate::stack::StackInfo;

/// sha256 hex of length-prefixed parts (so that `["ab", "c"]` and
/// `["a", "bc"]` differ).
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The digest of a rendered region: template and parameters.
pub fn template_digest(stack: &RegionStack) -> String {
    let params = parameters_json(&stack.parameters).to_string();
    sha256_hex(&[stack.template.as_bytes(), params.as_bytes()])
}

/// The fingerprint of a live stack: more than LastUpdatedTime, which some
/// endpoints never set: id, status, times, the deployed template,
/// parameters and tags.
pub fn fingerprint(info: &StackInfo, deployed_template: &str) -> String {
    let params = serde_json::to_string(&info.parameters).unwrap_or_default();
    let tags = serde_json::to_string(&info.tags).unwrap_or_default();
    sha256_hex(&[
        info.id.as_bytes(),
        info.status.as_str().as_bytes(),
        info.last_updated.as_deref().unwrap_or("").as_bytes(),
        info.created.as_deref().unwrap_or("").as_bytes(),
        deployed_template.as_bytes(),
        params.as_bytes(),
        tags.as_bytes(),
    ])
}

/// A change set name for a digest and a step (`streamscale-<16 hex>`,
/// `streamscale-repair-<16 hex>`): deterministic, so a plan finds its own.
pub fn change_set_name(digest: &str, step: Option<&str>) -> String {
    let short = &digest[..16.min(digest.len())];
    match step {
        Some(step) => format!("streamscale-{step}-{short}"),
        None => format!("streamscale-{short}"),
    }
}
