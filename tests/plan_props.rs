//! Property tests of the plan loader: random valid plans against an
//! independent integer oracle of SPEC §4, and mutated plans never panic.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use proptest::sample::{Index, subsequence};
use rust_decimal::Decimal;
use streamscale::catalog;
use streamscale::plan::{self, ErrorCode};

const FILE: &str = "environments/prop.toml";
const TYPES: &[&str] = &[
    "c7i.large",
    "c7i.xlarge",
    "c7g.2xlarge",
    "m7a.4xlarge",
    "c7i.48xlarge",
];

/// A generated plan, in integers: share `units / 10^places`, utilization
/// `util / 100`, headroom `headroom / 100`.
#[derive(Debug, Clone)]
struct Spec {
    places: u32,
    regions: Vec<RegionSpec>,
    peak: i64,
    baseline: i64,
    headroom: i64,
    survive: bool,
    events: Vec<EventSpec>,
}

#[derive(Debug, Clone)]
struct RegionSpec {
    code: &'static str,
    units: i64,
    users: i64,
    util: i64,
    azs: usize,
    instance_type: &'static str,
}

#[derive(Debug, Clone)]
struct EventSpec {
    start_minute: i64,
    duration: i64,
    prewarm: i64,
    expected: i64,
}

fn decimal(units: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    format!(
        "{}.{:0width$}",
        units / scale,
        units % scale,
        width = places as usize
    )
}

impl Spec {
    fn toml(&self) -> String {
        let mut t = String::new();
        writeln!(t, "name = \"prop\"\n").unwrap();
        writeln!(t, "[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 1000\ntarget_utilization = 0.5\n").unwrap();
        writeln!(
            t,
            "[traffic]\npeak_concurrent_users = {}\nbaseline_concurrent_users = {}\nheadroom = {}\nsurvive_region_loss = {}\n",
            self.peak,
            self.baseline,
            decimal(self.headroom, 2),
            self.survive
        )
        .unwrap();
        for r in &self.regions {
            writeln!(
                t,
                "[regions.{}]\nshare = {}\ncertificate_arn = \"arn:aws:acm:{}:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001\"\nami = \"ami-0123456789abcdef0\"\ninstance_type = \"{}\"\nusers_per_instance = {}\ntarget_utilization = {}\navailability_zones = {}\n",
                r.code,
                decimal(r.units, self.places),
                r.code,
                r.instance_type,
                r.users,
                decimal(r.util, 2),
                r.azs
            )
            .unwrap();
        }
        for (i, e) in self.events.iter().enumerate() {
            let start = chrono::DateTime::from_timestamp(1_798_761_600 + e.start_minute * 60, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ");
            writeln!(
                t,
                "[[events]]\nname = \"ev-{i}\"\nstarts_at = \"{start}\"\nduration_minutes = {}\nprewarm_minutes = {}\nexpected_concurrent_users = {}\n",
                e.duration, e.prewarm, e.expected
            )
            .unwrap();
        }
        t
    }
}

fn ceil(n: i128, d: i128) -> u64 {
    u64::try_from((n + d - 1) / d).unwrap()
}

/// SPEC §4 in integers, independent of the crate's decimals.
#[derive(Debug, PartialEq)]
struct Expected {
    peak_instances: u64,
    min_size: u64,
    max_size: u64,
    prewarm: Vec<u64>,
}

fn oracle(s: &Spec) -> Vec<Expected> {
    let scale = 10i128.pow(s.places);
    s.regions
        .iter()
        .map(|r| {
            let u = i128::from(r.units);
            // c = users × util / 100; x·s/c = x·u·100 / (scale·users·util).
            let den = scale * i128::from(r.users) * i128::from(r.util);
            let per = |x: i64| ceil(i128::from(x) * u * 100, den);
            let min_size = per(s.baseline).max(r.azs as u64);
            // Survivors: (scale − largest other) / scale.
            let survivors = if s.survive {
                scale
                    - s.regions
                        .iter()
                        .filter(|q| q.code != r.code)
                        .map(|q| i128::from(q.units))
                        .max()
                        .unwrap()
            } else {
                scale
            };
            let max_size = ceil(
                i128::from(s.peak) * u * i128::from(100 + s.headroom),
                survivors * i128::from(r.users) * i128::from(r.util),
            );
            Expected {
                peak_instances: per(s.peak),
                min_size,
                max_size,
                prewarm: s
                    .events
                    .iter()
                    .map(|e| per(e.expected).max(min_size))
                    .collect(),
            }
        })
        .collect()
}

fn region_spec(code: &'static str, zones: usize) -> impl Strategy<Value = RegionSpec> {
    (
        100i64..=100_000,
        1i64..=100,
        2..=zones.min(6),
        proptest::sample::select(TYPES),
    )
        .prop_map(move |(users, util, azs, instance_type)| RegionSpec {
            code,
            units: 0,
            users,
            util,
            azs,
            instance_type,
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    let regions = subsequence(catalog::regions().to_vec(), 2..=8).prop_flat_map(|rs| {
        rs.into_iter()
            .map(|r| region_spec(r.code, r.availability_zones.len()))
            .collect::<Vec<_>>()
    });
    (regions, 2u32..=4)
        .prop_flat_map(|(regions, places)| {
            let n = regions.len();
            let total = 10i64.pow(places);
            let cuts = proptest::collection::btree_set(1..total, n - 1);
            (Just(regions), Just(places), cuts)
        })
        .prop_map(|(mut regions, places, cuts)| {
            // n − 1 distinct cuts of 0..10^places: n positive shares summing to 1.
            let mut prev = 0;
            let total = 10i64.pow(places);
            for (r, cut) in regions.iter_mut().zip(cuts.into_iter().chain([total])) {
                r.units = cut - prev;
                prev = cut;
            }
            (regions, places)
        })
        .prop_flat_map(|(regions, places)| {
            // Peaks from tiny (where the zone count can beat MaxSize) to 10^9.
            let peak = (1i64..=999, 0u32..=6).prop_map(|(m, e)| m * 10i64.pow(e));
            (Just(regions), Just(places), peak, 0i64..=400, any::<bool>())
        })
        .prop_flat_map(|(regions, places, peak, headroom, survive)| {
            let event = (0i64..=1440, 1i64..=600, 0i64..=120, 1..=peak).prop_map(
                |(start, duration, prewarm, expected)| EventSpec {
                    start_minute: start,
                    duration,
                    prewarm,
                    expected,
                },
            );
            (
                Just(regions),
                Just(places),
                Just(peak),
                0..=peak,
                Just(headroom),
                Just(survive),
                proptest::collection::vec(event, 0..=3),
            )
        })
        .prop_map(
            |(regions, places, peak, baseline, headroom, survive, mut events)| {
                // Three days apart: starts + 600 min never reach the next pre-warm.
                for (i, e) in events.iter_mut().enumerate() {
                    e.start_minute += i as i64 * 3 * 1440;
                }
                Spec {
                    places,
                    regions,
                    peak,
                    baseline,
                    headroom,
                    survive,
                    events,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn valid_plans_obey_spec_4(s in spec()) {
        let text = s.toml();
        let want = oracle(&s);
        let above: Vec<_> = want
            .iter()
            .flat_map(|w| w.prewarm.iter().map(move |p| *p > w.max_size))
            .collect();
        let min_above: usize = want.iter().filter(|w| w.min_size > w.max_size).count();
        match plan::from_str(Path::new(FILE), &text) {
            Ok(p) => {
                prop_assert!(!above.contains(&true), "a pre-warm above MaxSize was accepted:\n{text}");
                prop_assert_eq!(min_above, 0, "a MinSize above MaxSize was accepted:\n{}", text);
                let total: Decimal = p.capacity.regions.iter().map(|r| r.share).sum();
                prop_assert_eq!(total, Decimal::ONE);
                let h = Decimal::new(s.headroom, 2);
                for ((rs, rc), w) in s.regions.iter().zip(&p.capacity.regions).zip(&want) {
                    prop_assert_eq!(rc.region.as_str(), rs.code);
                    prop_assert_eq!(rc.peak_instances, w.peak_instances, "{}", rs.code);
                    prop_assert_eq!(rc.min_size, w.min_size, "{}", rs.code);
                    prop_assert_eq!(rc.max_size, w.max_size, "{}", rs.code);
                    let vcpus = catalog::instance_type(rs.instance_type).unwrap().vcpus;
                    prop_assert_eq!(rc.vcpus_at_max, w.max_size * u64::from(vcpus));
                    let c = rc.planned_users_per_instance;
                    prop_assert_eq!(c, Decimal::from(rs.users) * Decimal::new(rs.util, 2));
                    // Peak instances carry the peak.
                    prop_assert!(Decimal::from(rc.peak_instances) * c >= rc.peak_users);
                    // MaxSize carries the failover with headroom. failover_users may
                    // be a rounded non-terminating decimal, so allow 1e-12 of slack.
                    let need = rc.failover_users * (Decimal::ONE + h);
                    prop_assert!(
                        Decimal::from(rc.max_size) * c >= need - Decimal::new(1, 12),
                        "{}: {} × {} < {}", rs.code, rc.max_size, c, need
                    );
                    prop_assert!(rc.failover_users >= rc.peak_users);
                    prop_assert!(rc.min_size <= rc.max_size);
                }
                prop_assert_eq!(p.capacity.events.len(), s.events.len());
                for (ei, ev) in p.capacity.events.iter().enumerate() {
                    for (ri, (er, rc)) in ev.regions.iter().zip(&p.capacity.regions).enumerate() {
                        prop_assert!(rc.min_size <= er.prewarm_min_size);
                        prop_assert!(er.prewarm_min_size <= rc.max_size);
                        prop_assert_eq!(er.prewarm_min_size, want[ri].prewarm[ei]);
                    }
                }
            }
            Err(e) => {
                let codes: Vec<_> = e.errors.iter().map(|d| (d.code, d.message.clone())).collect();
                // Only sizes above MaxSize may refuse a generated plan: one
                // error per region whose MinSize is above it, and one per
                // event and region whose pre-warm is.
                prop_assert!(
                    e.errors.iter().all(|d| matches!(d.code, ErrorCode::PrewarmAboveMax | ErrorCode::MinAboveMax)),
                    "a valid plan was refused: {codes:#?}\n{text}"
                );
                prop_assert!(above.contains(&true) || min_above > 0, "refused without a size above MaxSize: {codes:#?}\n{text}");
                prop_assert_eq!(
                    e.errors.iter().filter(|d| d.code == ErrorCode::PrewarmAboveMax).count(),
                    above.iter().filter(|a| **a).count(),
                    "one error per event and region above MaxSize: {:#?}", codes
                );
                prop_assert_eq!(
                    e.errors.iter().filter(|d| d.code == ErrorCode::MinAboveMax).count(),
                    min_above,
                    "one error per region with MinSize above MaxSize: {:#?}", codes
                );
            }
        }
    }
}

/// Pieces that make TOML and plan checks go wrong in interesting ways.
const JUNK: &[&str] = &[
    "",
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "=",
    "==",
    "{",
    "}",
    ",",
    ".",
    "\n",
    "\n[",
    "#",
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "9223372036854775807",
    "99999999999999999999",
    "0.0000000000000000000000000001",
    "true",
    "\"x\"",
    "é",
    "日本",
    "\u{0}",
    "\\",
    "\"\"\"",
    "1979-05-27T07:32:00Z",
    "extends = \"prop.toml\"\n",
    "[regions.us-east-1]\n",
    "share = 1\n",
    "[[events]]\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_plans_never_panic(
        s in spec(),
        edits in proptest::collection::vec((any::<Index>(), 0usize..40, proptest::sample::select(JUNK)), 1..=3),
    ) {
        let mut text = s.toml();
        for (at, len, with) in edits {
            let start = at.index(text.len() + 1);
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let mut start = start;
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            text.replace_range(start..end, with);
        }
        let loaded = std::panic::catch_unwind(|| {
            plan::from_str(Path::new(FILE), &text).map(|p| p.capacity.regions.len())
        });
        prop_assert!(loaded.is_ok(), "the loader panicked on:\n{text}");
        if let Ok(Err(e)) = loaded {
            for d in &e.errors {
                prop_assert!(!d.message.is_empty());
                let _ = plan::diagnostic::render_plain(&e);
            }
        }
    }
}

/// Extreme values that once panicked (division by a 0 that was a rounded
/// 1e-29, a u64 product, a quotient above Decimal's range): they load.
#[test]
fn extreme_values_do_not_panic() {
    let base = r#"name = "x"
[defaults]
instance_type = "c7i.48xlarge"
users_per_instance = UPI
target_utilization = UTIL
availability_zones = 2
[traffic]
peak_concurrent_users = PEAK
baseline_concurrent_users = 0
headroom = 4
survive_region_loss = true
[regions.us-east-1]
share = SA
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-12345678"
[regions.eu-west-1]
share = SB
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-12345678"
"#;
    let tiny = "\"0.0000000000000000000000000001\"";
    for (upi, util, peak, sa, sb) in [
        ("1000", "0.5", "1000", "1", "0.0000000001"),
        ("1000", "0.5", "1000", "0.9999999995", "0.0000000005"),
        ("1", tiny, "9000000000000000000", "0.5", "0.5"),
        ("1", "0.01", "9000000000000000000", "0.5", "0.5"),
        ("1", "1", "9223372036854775807", "0.5", "0.5"),
        ("1", tiny, "1000", "0.5", "0.5"),
    ] {
        let text = base
            .replace("UPI", upi)
            .replace("UTIL", util)
            .replace("PEAK", peak)
            .replace("SA", sa)
            .replace("SB", sb);
        let r = std::panic::catch_unwind(|| plan::from_str(Path::new(FILE), &text).is_ok());
        assert!(r.is_ok(), "panicked on:\n{text}");
    }
}
