//! How report numbers read: thousands separators, dollars, percentages,
//! UTC times. Deterministic and locale-free.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Money, round_fixed};

pub use crate::text::thousands;

/// An integer with separators.
pub fn int(n: u64) -> String {
    thousands(&n.to_string())
}

/// A user count, rounded to whole users, with separators.
pub fn users(d: Decimal) -> String {
    thousands(&round_fixed(d, 0).to_string())
}

/// Dollars with cents: `$1,234.57`.
pub fn usd(d: Decimal) -> String {
    format!("${}", thousands(&round_fixed(d, 2).to_string()))
}

/// Dollars with 4 decimals, for small unit costs: `$0.0421`.
pub fn usd_fine(d: Decimal) -> String {
    format!("${}", thousands(&round_fixed(d, 4).to_string()))
}

/// A unit price exactly as published, with at least cents: `$0.38304`, `$0.20`.
pub fn usd_exact(d: Decimal) -> String {
    let d = d.normalize();
    let d = if d.scale() < 2 { round_fixed(d, 2) } else { d };
    format!("${}", thousands(&d.to_string()))
}

/// A unit price, or `unknown`.
pub fn price(m: Money) -> String {
    m.map_or_else(|| "unknown".to_string(), usd_exact)
}

/// Dollars, or `unknown` when a price is missing.
pub fn money(m: Money) -> String {
    m.map_or_else(|| "unknown".to_string(), usd)
}

/// Unit dollars, or `unknown`.
pub fn money_fine(m: Money) -> String {
    m.map_or_else(|| "unknown".to_string(), usd_fine)
}

/// A percentage with one decimal: `54.3%`.
pub fn pct(d: Decimal) -> String {
    format!("{}%", thousands(&round_fixed(d, 1).to_string()))
}

/// A share as a percentage: `0.3` → `30%`, `0.125` → `12.5%`.
pub fn share(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
}

/// `2026-12-18 19:00 UTC`.
pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `18:15` (time of day only).
pub fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

/// RFC 3339 in UTC with a `Z`: `2026-12-18T19:00:00Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `17 days 18 hours`, `3 hours 5 minutes`, `45 minutes` (from minutes).
pub fn duration(minutes: i64) -> String {
    let m = minutes.abs();
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (d, h, min) {
        (0, 0, min) => unit(min, "minute"),
        (0, h, 0) => unit(h, "hour"),
        (0, h, min) => format!("{} {}", unit(h, "hour"), unit(min, "minute")),
        (d, 0, _) => unit(d, "day"),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// `90` → `1 h 30 min`, `45` → `45 min`, `240` → `4 h`.
pub fn minutes(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, r) => format!("{r} min"),
        (h, 0) => format!("{h} h"),
        (h, r) => format!("{h} h {r} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formats() {
        assert_eq!(usd(Decimal::from_str("1234.565").unwrap()), "$1,234.57");
        assert_eq!(usd(Decimal::from(3)), "$3.00");
        assert_eq!(pct(Decimal::from_str("54.25").unwrap()), "54.3%");
        assert_eq!(share(Decimal::from_str("0.30").unwrap()), "30%");
        assert_eq!(duration(17 * 1440 + 18 * 60 + 5), "17 days 18 hours");
        assert_eq!(duration(61), "1 hour 1 minute");
        assert_eq!(minutes(285), "4 h 45 min");
        assert_eq!(money(None), "unknown");
    }
}
