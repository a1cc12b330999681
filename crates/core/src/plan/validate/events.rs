//! `[[events]]`: names, RFC 3339 start times, durations, expected users and
//! overlapping pre-warm windows.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Checker, path};
use crate::plan::schema;
use crate::plan::{ErrorCode, Event, Traffic};

impl Checker<'_> {
    pub(super) fn events(
        &mut self,
        events: &[schema::Event],
        traffic: Option<&Traffic>,
    ) -> Option<Vec<Event>> {
        let mut out: Vec<(usize, Event)> = Vec::new();
        let mut ok = true;
        for (i, e) in events.iter().enumerate() {
            let idx = i.to_string();
            let at = |k: &str| path(&["events", &idx, k]);
            let before = self.errors.len();
            self.check_slug(&["events", &idx, "name"], &e.name, "event name", 64);
            if events[..i].iter().any(|o| o.name == e.name) {
                self.error_at(
                    &at("name"),
                    ErrorCode::InvalidValue,
                    format!("two events are called `{}`", e.name),
                    "give every event its own name",
                );
            }
            let starts_at = match DateTime::parse_from_rfc3339(&e.starts_at) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_)
                    if chrono::NaiveDateTime::parse_from_str(
                        &e.starts_at,
                        "%Y-%m-%dT%H:%M:%S%.f",
                    )
                    .is_ok() =>
                {
                    self.error_at(
                        &at("starts_at"),
                        ErrorCode::BadTime,
                        format!("starts_at `{}` has no time zone", e.starts_at),
                        format!(
                            "add Z for UTC or an offset such as +01:00: \"{}Z\"",
                            e.starts_at
                        ),
                    );
                    None
                }
                Err(err) => {
                    self.error_at(
                        &at("starts_at"),
                        ErrorCode::BadTime,
                        format!("starts_at `{}` is not an RFC 3339 time: {err}", e.starts_at),
                        "write a UTC time such as \"2026-12-18T19:00:00Z\"",
                    );
                    None
                }
            };
            if !(1..=10080).contains(&e.duration_minutes) {
                self.error_at(
                    &at("duration_minutes"),
                    ErrorCode::InvalidValue,
                    format!(
                        "duration_minutes must be 1 to 10080 (a week), found {}",
                        e.duration_minutes
                    ),
                    "the event's length in minutes",
                );
            }
            if !(0..=1440).contains(&e.prewarm_minutes) {
                self.error_at(
                    &at("prewarm_minutes"),
                    ErrorCode::InvalidValue,
                    format!(
                        "prewarm_minutes must be 0 to 1440, found {}",
                        e.prewarm_minutes
                    ),
                    "how long before the start capacity is raised; 30 to 60 is usual",
                );
            }
            if e.expected_concurrent_users <= 0 {
                self.error_at(
                    &at("expected_concurrent_users"),
                    ErrorCode::InvalidValue,
                    format!(
                        "expected_concurrent_users must be positive, found {}",
                        e.expected_concurrent_users
                    ),
                    "the concurrent users expected at the event's peak",
                );
            } else if let Some(t) = traffic
                && Decimal::from(e.expected_concurrent_users) > t.peak
            {
                self.error_at(
                    &at("expected_concurrent_users"),
                    ErrorCode::AbovePeak,
                    format!(
                        "event `{}` expects {} users, above traffic.peak_concurrent_users ({})",
                        e.name, e.expected_concurrent_users, t.peak
                    ),
                    "raise traffic.peak_concurrent_users, or lower the event's expectation",
                );
            }
            if self.errors.len() > before {
                ok = false;
                continue;
            }
            if let Some(starts_at) = starts_at {
                out.push((
                    i,
                    Event {
                        name: e.name.clone(),
                        starts_at,
                        duration_minutes: e.duration_minutes as u32,
                        prewarm_minutes: e.prewarm_minutes as u32,
                        expected_users: Decimal::from(e.expected_concurrent_users),
                    },
                ));
            }
        }
        out.sort_by_key(|(_, e)| e.starts_at);
        for pair in out.windows(2) {
            let ((_, a), (j, b)) = (&pair[0], &pair[1]);
            if b.prewarm_at() < a.release_at() {
                self.error_at(&path(&["events", &j.to_string(), "starts_at"]), ErrorCode::EventsOverlap,
                    format!("event `{}` (pre-warm from {}) overlaps event `{}` (until {})",
                        b.name, b.prewarm_at().format("%Y-%m-%dT%H:%MZ"), a.name, a.release_at().format("%Y-%m-%dT%H:%MZ")),
                    "their scheduled capacity windows would fight: move one, or merge them into one event");
                ok = false;
            }
        }
        ok.then(|| out.into_iter().map(|(_, e)| e).collect())
    }
}
