//! Plans for tests that need no project folder: the example environments
//! under environments/, and plan text parsed as a file of a given name. A
//! plan that does not load fails the test with its diagnostics.
//!
//! ```ignore
//! #[path = "support/plans.rs"]
//! mod plans;
//! ```
#![allow(dead_code)]

use std::path::Path;

use streamscale::plan::Plan;

/// The example environment `environments/<env>.toml` of this repository.
pub fn example(env: &str) -> Plan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    streamscale::project::load_plan(&root.join("environments").join(format!("{env}.toml")))
        .unwrap_or_else(|e| panic!("{env}: {}", streamscale::plan::diagnostic::render_plain(&e)))
}

/// `text` parsed as the plan file `file`.
pub fn parse(file: &str, text: &str) -> Plan {
    streamscale::plan::from_str(Path::new(file), text).unwrap_or_else(|e| {
        panic!(
            "expected a valid plan, got:\n{}",
            streamscale::plan::diagnostic::render_plain(&e)
        )
    })
}
