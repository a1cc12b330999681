//! streamscale's pure core: everything that decides, as data in and data out.
//!
//! No I/O lives here: no async runtime, no AWS SDK, no file system. The
//! compiler keeps it so (this crate depends on none of them); the engine in
//! the `streamscale` crate runs the I/O and hands the results to these
//! functions.
//!
//! - [`plan`]: the plan format, loading with `extends`, validation,
//!   diagnostics, and the exact arithmetic of SPEC §4 ([`plan::capacity`]);
//! - [`origin`]: Cloudflare's ranges, the only addresses that reach an origin;
//! - [`catalog`]: static facts (regions, AZs, instance types, prices);
//! - [`render`]: CloudFormation (handlebars) and Cloudflare bodies;
//! - [`diff`]: the structural template diff a plan shows;
//! - [`stack`]: a CloudFormation stack's model (typed status, resources,
//!   events, change sets);
//! - [`observed`]: what runs in a region, as the engine read it;
//! - [`template`]: template values (`Ref` resolution, property paths, typed values);
//! - [`finding`]: one difference between what runs and the plan;
//! - [`images`]: the AMIs a stack launches and whether its region has them;
//! - [`resources`]: the resource-type registry, one module per AWS type;
//! - [`drift`]: the comparison of a template with what runs;
//! - [`repair`]: how apply repairs drift, as typed steps;
//! - [`report`]: the capacity review model and its formats;
//! - [`review`]: the plan as reviewed in CI: risk items, gates, markdown;
//! - [`rollout`]: the order of regions in `apply` and `destroy` (waves);
//! - [`digest`], [`text`]: digests and one-line formatting shared by all;
//! - [`synthetic`]: generated plans for benchmarks.

pub mod catalog;
pub mod diff;
pub mod digest;
pub mod drift;
pub mod finding;
pub mod iam;
pub mod images;
pub mod observed;
pub mod origin;
pub mod plan;
pub mod protection;
pub mod render;
pub mod repair;
pub mod report;
pub mod resources;
pub mod review;
pub mod rollout;
pub mod stack;
pub mod synthetic;
pub mod template;
pub mod text;
