//! `[cloudflare]`: steering, session affinity, hostname in zone, the health
//! check and cache rules.

use super::Checker;
use crate::plan::ErrorCode;
use crate::plan::schema;

/// Steering policies Cloudflare accepts.
pub const STEERING_POLICIES: &[&str] = &[
    "off",
    "geo",
    "random",
    "dynamic_latency",
    "proximity",
    "least_outstanding_requests",
    "least_connections",
];
/// Session affinities Cloudflare accepts.
pub const SESSION_AFFINITIES: &[&str] = &["none", "cookie", "ip_cookie", "header"];
/// Health-check types streamscale renders. Not `http`: the origin serves
/// HTTPS only (port 80 answers with a redirect), so monitors probe HTTPS.
pub const CHECK_TYPES: &[&str] = &["https", "tcp"];

impl Checker<'_> {
    /// Refuse `value` unless it is one of `allowed`.
    fn one_of(&mut self, at: &[&str], what: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.error(
                at,
                ErrorCode::InvalidValue,
                format!("unknown {what} `{value}`"),
                format!("use one of: {}", allowed.join(", ")),
            );
        }
    }

    pub(super) fn cloudflare(&mut self, cf: &schema::Cloudflare) {
        self.one_of(
            &["cloudflare", "steering_policy"],
            "steering_policy",
            &cf.steering_policy,
            STEERING_POLICIES,
        );
        self.one_of(
            &["cloudflare", "session_affinity"],
            "session_affinity",
            &cf.session_affinity,
            SESSION_AFFINITIES,
        );
        let host = cf.hostname.trim_end_matches('.');
        let zone = cf.zone.trim_end_matches('.');
        if zone.is_empty() || !(host == zone || host.ends_with(&format!(".{zone}"))) {
            self.error(
                &["cloudflare", "hostname"],
                ErrorCode::InvalidValue,
                format!("hostname `{}` is not in zone `{}`", cf.hostname, cf.zone),
                format!("a name such as live.{zone}"),
            );
        }
        let hc = &cf.health_check;
        if hc.kind == "http" {
            self.error(
                &["cloudflare", "health_check", "type"],
                ErrorCode::InvalidValue,
                "health check type `http`: the origin serves HTTPS only (plain HTTP is redirected)"
                    .into(),
                "use type = \"https\" (the default); Cloudflare connects in SSL mode strict",
            );
        } else {
            self.one_of(
                &["cloudflare", "health_check", "type"],
                "health check type",
                &hc.kind,
                CHECK_TYPES,
            );
        }
        if !hc.path.starts_with('/') {
            self.error(
                &["cloudflare", "health_check", "path"],
                ErrorCode::InvalidValue,
                format!("health check path `{}` must start with /", hc.path),
                "for example /healthz",
            );
        }
        for (key, value, range, hint) in [
            (
                "interval_seconds",
                hc.interval_seconds,
                5..=3600,
                "60 is usual",
            ),
            ("timeout_seconds", hc.timeout_seconds, 1..=10, "5 is usual"),
            ("retries", hc.retries, 0..=5, "2 is usual"),
        ] {
            self.in_range(&["cloudflare", "health_check", key], value, range, hint);
        }
        for (i, r) in cf.cache_rules.iter().enumerate() {
            let idx = i.to_string();
            if r.expression.trim().is_empty() {
                self.error(&["cloudflare", "cache_rules", &idx, "expression"], ErrorCode::InvalidValue,
                    format!("cache rule `{}` has an empty expression", r.name),
                    "a rules-language expression, e.g. (http.request.uri.path.extension eq \"m4s\")");
            }
            for (k, v) in [
                ("edge_ttl_seconds", r.edge_ttl_seconds),
                ("browser_ttl_seconds", r.browser_ttl_seconds),
            ] {
                if let Some(v) = v
                    && !(0..=31_536_000).contains(&v)
                {
                    self.error(
                        &["cloudflare", "cache_rules", &idx, k],
                        ErrorCode::InvalidValue,
                        format!("{k} must be 0 to 31536000 (a year), found {v}"),
                        "86400 is a day",
                    );
                }
            }
            if cf.cache_rules[..i].iter().any(|o| o.name == r.name) {
                self.error(
                    &["cloudflare", "cache_rules", &idx, "name"],
                    ErrorCode::InvalidValue,
                    format!("two cache rules are called `{}`", r.name),
                    "give every rule its own name",
                );
            }
        }
    }
}
