//! streamscale: infrastructure as code for live-event capacity.
//!
//! A team writes a capacity plan (users at peak, how they split over AWS
//! regions, what one instance carries, when the live events are);
//! streamscale turns it into one CloudFormation stack per region and the
//! Cloudflare configuration in front of them, then plans, applies, checks
//! drift and writes capacity reviews.
//!
//! Layout, from the pure core outwards:
//! - [`plan`]: the plan format, loading with `extends`, validation, diagnostics;
//! - [`capacity`]: the exact arithmetic of SPEC §4;
//! - [`catalog`]: static facts (regions, AZs, instance types, prices);
//! - [`render`]: CloudFormation (handlebars) and Cloudflare bodies;
//! - [`project`]: the project layout on disk;
//! - [`diff`]: structural template diff;
//! - [`aws`]: the thin AWS SDK adapter;
//! - [`engine`]: plan, apply, destroy, outputs across regions;
//! - [`cli`]: the command line.

pub mod aws;
pub mod capacity;
pub mod catalog;
pub mod cli;
pub mod cloudflare;
pub mod diff;
pub mod engine;
pub mod error;
pub mod plan;
pub mod project;
pub mod render;
pub mod report;
pub mod synthetic;

pub use error::Error;
