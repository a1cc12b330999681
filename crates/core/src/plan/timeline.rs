//! Where each live event stands at a given instant ("now"), and what the
//! stack keeps of it. Pure: `now` is always an input, never read from a
//! clock, so the same plan and the same `now` render the same bytes.
//!
//! AWS's PutScheduledUpdateGroupAction refuses a one-time action whose
//! StartTime is in the past, so a rendered stack only carries the actions
//! still ahead:
//!
//! | phase | now is | the stack keeps |
//! |---|---|---|
//! | [`EventPhase::Ahead`] | before the pre-warm | pre-warm and release actions |
//! | [`EventPhase::Warming`] | pre-warm past, start ahead | release action; group MinSize raised to the pre-warm size |
//! | [`EventPhase::UnderWay`] | start past, release ahead | release action; group MinSize raised to the pre-warm size |
//! | [`EventPhase::Over`] | release past | nothing |
//!
//! Raising the group's own MinSize while an event's window is open keeps the
//! capacity right whatever happened before: CloudFormation's
//! UpdateAutoScalingGroup raises the desired capacity to a new MinSize, and
//! a group the pre-warm action already raised stays as it is. The release
//! action brings MinSize back at the end, as it would have otherwise.

use chrono::{DateTime, Utc};

use super::capacity::EventCapacity;

/// Where an event stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventPhase {
    /// The pre-warm is still ahead.
    Ahead,
    /// The pre-warm time is past, the start is ahead.
    Warming,
    /// Started, not yet released.
    UnderWay,
    /// Released: nothing of it is left to schedule.
    Over,
}

impl EventPhase {
    /// The phase of an event with these instants at `now`.
    pub fn at(
        prewarm_at: DateTime<Utc>,
        starts_at: DateTime<Utc>,
        release_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        if now >= release_at {
            EventPhase::Over
        } else if now >= starts_at {
            EventPhase::UnderWay
        } else if now >= prewarm_at {
            EventPhase::Warming
        } else {
            EventPhase::Ahead
        }
    }

    /// The phase of a sized event at `now`.
    pub fn of(event: &EventCapacity, now: DateTime<Utc>) -> Self {
        Self::at(event.prewarm_at, event.starts_at, event.release_at, now)
    }

    /// The stack still schedules the pre-warm action.
    pub fn schedules_prewarm(self) -> bool {
        self == EventPhase::Ahead
    }

    /// The stack still schedules the release action.
    pub fn schedules_release(self) -> bool {
        self != EventPhase::Over
    }

    /// The pre-warm size is in force now (the window is open).
    pub fn holds_prewarm(self) -> bool {
        matches!(self, EventPhase::Warming | EventPhase::UnderWay)
    }

    /// Words for messages: "ahead", "warming up", "under way", "over".
    pub fn describe(self) -> &'static str {
        match self {
            EventPhase::Ahead => "ahead",
            EventPhase::Warming => "warming up",
            EventPhase::UnderWay => "under way",
            EventPhase::Over => "over",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn phases_at_each_boundary() {
        let (p, s, r) = (
            t("2026-12-18T18:15:00Z"),
            t("2026-12-18T19:00:00Z"),
            t("2026-12-18T23:00:00Z"),
        );
        assert_eq!(
            EventPhase::at(p, s, r, t("2026-12-18T18:14:59Z")),
            EventPhase::Ahead
        );
        assert_eq!(EventPhase::at(p, s, r, p), EventPhase::Warming);
        assert_eq!(EventPhase::at(p, s, r, s), EventPhase::UnderWay);
        assert_eq!(EventPhase::at(p, s, r, r), EventPhase::Over);
    }
}
