//! Waiting on remote state: exponential backoff between polls of a
//! condition, never a fixed sleep that ignores the state, and the deadline
//! every poll loop has (`--timeout`): [`with_wait_limit`] sets it for an
//! operation, [`Deadline`] enforces it in each loop.

use std::future::Future;
use std::time::{Duration, Instant};

tokio::task_local! {
    /// How long any one wait of the current operation may take.
    static WAIT_LIMIT: Duration;
}

/// The wait limit when no command set one.
pub const DEFAULT_WAIT_LIMIT: Duration = Duration::from_secs(60 * 60);

/// Run `operation` with every wait in it (a stack operation, a change
/// set's creation, a drift detection) limited to `limit`.
pub async fn with_wait_limit<F: Future>(limit: Duration, operation: F) -> F::Output {
    WAIT_LIMIT.scope(limit, operation).await
}

/// The wait limit of the current operation.
pub fn wait_limit() -> Duration {
    WAIT_LIMIT.try_with(|d| *d).unwrap_or(DEFAULT_WAIT_LIMIT)
}

/// The deadline of one poll loop, started now with the current wait limit.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Instant,
    limit: Duration,
}

impl Deadline {
    /// A deadline [`wait_limit`] from now.
    pub fn start() -> Self {
        Deadline {
            start: Instant::now(),
            limit: wait_limit(),
        }
    }

    /// The limit.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Whether waiting `next` more would pass the deadline.
    pub fn would_pass(&self, next: Duration) -> bool {
        self.start.elapsed() + next > self.limit
    }
}

/// Parse a `--timeout`: seconds (`90`) or a duration with units
/// (`90s`, `10m`, `1h30m`, `500ms`).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let bad =
        || format!("`{text}` is not a duration: use seconds (600) or units (90s, 10m, 1h30m)");
    sum_of_terms(
        text,
        &[
            ("ms", 1),
            ("s", 1000),
            ("sec", 1000),
            ("m", 60_000),
            ("min", 60_000),
            ("h", 3_600_000),
        ],
    )
    .ok_or_else(bad)
}

/// A duration written as terms `<number><unit>` (`1h30m`), each unit one of
/// `units` with its length in milliseconds; `None` for an empty text, a
/// term without a number or with another unit, or a sum that overflows.
pub(crate) fn sum_of_terms(text: &str, units: &[(&str, u64)]) -> Option<Duration> {
    if text.is_empty() {
        return None;
    }
    let mut millis: u128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let value: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (_, scale) = units.iter().find(|(u, _)| *u == &rest[..unit_len])?;
        millis = millis.checked_add(u128::from(value) * u128::from(*scale))?;
        rest = &rest[unit_len..];
    }
    let secs = u64::try_from(millis / 1000).ok()?;
    let nanos = u32::try_from(millis % 1000).ok()? * 1_000_000;
    Some(Duration::new(secs, nanos))
}

/// A duration as the user would write it (`10m`, `90s`, `1h`).
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 || secs == 0 {
        format!("{}ms", d.as_millis())
    } else if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// Backoff between polls: starts short, grows by half each time, capped.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// A backoff from `first` up to `max`.
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff { next: first, max }
    }

    /// The delay the next `wait` will use.
    pub fn peek(&self) -> Duration {
        self.next
    }

    /// Sleep for the current delay and grow it.
    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 3 / 2).min(self.max);
    }

    /// Start again from the shortest delay (after progress was seen).
    pub fn reset(&mut self) {
        self.next = Duration::from_millis(200).min(self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_in_seconds_or_units() {
        assert_eq!(parse_timeout("600"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_timeout("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_timeout("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_timeout("1min30sec"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("1s500ms"), Ok(Duration::from_millis(1500)));
        // Past what a duration holds: refused, not an overflow panic.
        for bad in [
            "",
            "m",
            "10x",
            "1.5m",
            "-3",
            "10m x",
            "18446744073709551615h",
        ] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn the_limit_is_scoped_to_the_operation() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(wait_limit(), DEFAULT_WAIT_LIMIT);
        let inside = rt.block_on(with_wait_limit(Duration::from_secs(7), async {
            wait_limit()
        }));
        assert_eq!(inside, Duration::from_secs(7));
    }

    #[test]
    fn grows_to_the_cap() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(300));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let mut seen = Vec::new();
        rt.block_on(async {
            for _ in 0..5 {
                seen.push(b.peek());
                b.wait().await;
            }
        });
        assert_eq!(
            seen,
            [100, 150, 225, 300, 300]
                .map(Duration::from_millis)
                .to_vec()
        );
    }
}
