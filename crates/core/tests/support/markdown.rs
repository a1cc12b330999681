//! What the review-markdown tests share: the 16 regions of a big plan or
//! drift, the outline of a document (fence bodies counted, not shown) and
//! the checks every trimmed document must pass.
#![allow(dead_code)]

use streamscale_core::review::{RiskItem, Target};

pub const REGIONS: [&str; 16] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// The document with each fence's body replaced by its line count.
pub fn outline(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    let mut body = 0;
    for line in md.lines() {
        match &fence {
            Some(f) if line == f => {
                out.push_str(&format!("[{body} lines]\n{line}\n"));
                fence = None;
            }
            Some(_) => body += 1,
            None => {
                if line.starts_with("```") {
                    fence = Some(line.to_string());
                    body = 0;
                }
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    assert!(fence.is_none(), "a code fence is left open");
    out
}

/// Within `target`'s limit, no colour code, every `<details>` block and
/// code fence closed, every risk item kept, and a line saying what was
/// left out.
pub fn check_trimmed(md: &str, target: Target, risks: &[RiskItem], name: &str) {
    assert!(
        target.size_of(md) <= target.limit().0,
        "{name}: {} over the limit",
        target.size_of(md)
    );
    assert!(!md.contains('\x1b'), "{name}: a colour code");
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count(),
        "{name}: <details> blocks"
    );
    let _ = outline(md); // fences balanced
    for r in risks {
        assert!(
            md.contains(&format!(
                "**{}** {} `{}`",
                r.kind.word(),
                r.region,
                r.logical_id
            )),
            "{name}: {r:?} missing"
        );
    }
    assert!(
        md.contains("**Trimmed to fit"),
        "{name}: no line saying what was left out"
    );
}
