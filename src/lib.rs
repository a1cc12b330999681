//! streamscale: infrastructure as code for live-event capacity.
//!
//! A team writes a capacity plan (users at peak, how they split over AWS
//! regions, what one instance carries, when the live events are);
//! streamscale turns it into one CloudFormation stack per region and the
//! Cloudflare configuration in front of them, then plans, applies, checks
//! drift and writes capacity reviews.
//!
//! Layers, from the top down (see `docs/architecture.md`; the test
//! `tests/architecture.rs` enforces them):
//! - [`cli`]: the command line, its views and the exit codes;
//! - [`engine`]: async operations across regions (plan, apply, drift, …);
//! - [`project`]: the project layout on disk (plan files in, rendered files out);
//! - [`aws`], [`cloudflare`]: thin adapters, calls only;
//! - `streamscale_core` (re-exported below): the pure core.

pub mod aws;
pub mod cli;
pub mod cloudflare;
pub mod engine;
pub mod project;

pub use streamscale_core::{catalog, diff, plan, render, report, synthetic};
