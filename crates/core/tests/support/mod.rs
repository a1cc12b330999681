//! Helpers shared by the integration tests of streamscale-core.
pub mod markdown;
