//! The data tiers of SPEC §7 (`[database]`, `[search]`): random plans
//! against an independent integer oracle of the arithmetic, the worked
//! example of environments/prod.toml, and the refusals with their limits.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use streamscale::plan::{self, ErrorCode};

const FILE: &str = "environments/tiers.toml";
const CODES: &[&str] = &["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"];

/// A plan in integers: shares in thousandths, rates in ten-thousandths.
#[derive(Debug, Clone)]
struct Spec {
    peak: u64,
    shares: Vec<u64>,
    zones: Vec<u64>,
    survive: bool,
    reads_per_user: u64,
    reads_per_instance: u64,
    queries_per_user: u64,
    queries_per_node: u64,
}

fn rate(tenthousandths: u64) -> String {
    format!("{}.{:04}", tenthousandths / 10_000, tenthousandths % 10_000)
}

fn text(s: &Spec) -> String {
    let mut t = String::from(
        "name = \"tiers\"\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 1000\ntarget_utilization = 0.5\nami = \"ami-0123456789abcdef0\"\n",
    );
    let _ = write!(
        t,
        "[traffic]\npeak_concurrent_users = {}\nbaseline_concurrent_users = 0\nheadroom = 0.5\nsurvive_region_loss = {}\n",
        s.peak, s.survive
    );
    for (i, (share, zones)) in s.shares.iter().zip(&s.zones).enumerate() {
        let _ = write!(
            t,
            "[regions.{}]\nshare = {}.{:03}\navailability_zones = {zones}\ncertificate_arn = \"{}\"\n",
            CODES[i],
            share / 1000,
            share % 1000,
            certificate(CODES[i])
        );
    }
    let _ = write!(
        t,
        "[database]\ninstance_class = \"db.r6g.large\"\nreads_per_user_per_second = {}\nreads_per_instance_per_second = {}\nwrites_per_user_per_second = 0.0001\nwrites_per_primary_per_second = 1000000000\n",
        rate(s.reads_per_user),
        s.reads_per_instance
    );
    let _ = write!(
        t,
        "[search]\nengine_version = \"OpenSearch_2.17\"\ninstance_type = \"r6g.large.search\"\nqueries_per_user_per_second = {}\nqueries_per_node_per_second = {}\nvolume_gb_per_node = 100\nmax_data_nodes = 200\n",
        rate(s.queries_per_user),
        s.queries_per_node
    );
    t
}

fn certificate(region: &str) -> String {
    format!("arn:aws:acm:{region}:123456789012:certificate/00000000-0000-4000-8000-000000000000")
}

/// `ceil(a / b)` in integers.
fn ceil(a: u128, b: u128) -> u128 {
    a.div_ceil(b)
}

/// SPEC §7 in integers: `(instances_r, data_nodes_r)` per region.
fn oracle(s: &Spec) -> Vec<(u128, u128)> {
    let loss = s.survive && s.shares.len() >= 2;
    (0..s.shares.len())
        .map(|r| {
            let other = (0..s.shares.len())
                .filter(|q| *q != r)
                .map(|q| s.shares[q])
                .max()
                .unwrap_or(0);
            // f_r = P·s_r/1000 / ((1000 − m)/1000) = P·s_r / (1000 − m)
            let den = if loss { 1000 - other } else { 1000 } as u128;
            let num = s.peak as u128 * s.shares[r] as u128;
            let z = s.zones[r] as u128;
            let reads = ceil(
                num * s.reads_per_user as u128,
                den * 10_000 * s.reads_per_instance as u128,
            );
            let queries = ceil(
                num * s.queries_per_user as u128,
                den * 10_000 * s.queries_per_node as u128,
            );
            let instances = 1 + (z - 1).max(reads);
            let data = z * ceil(z.max(queries), z);
            (instances, data)
        })
        .collect()
}

fn shares() -> impl Strategy<Value = Vec<u64>> {
    (1usize..=4).prop_flat_map(|n| {
        proptest::collection::vec(1u64..=1000, n).prop_filter_map("shares sum to 1000", |w| {
            let total: u64 = w.iter().sum();
            let mut s: Vec<u64> = w.iter().map(|x| x * 1000 / total).collect();
            let rest = 1000 - s.iter().sum::<u64>();
            s[0] += rest;
            s.iter().all(|x| *x > 0).then_some(s)
        })
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    (shares(), any::<bool>()).prop_flat_map(|(shares, survive)| {
        let n = shares.len();
        (
            Just(shares),
            proptest::collection::vec(2u64..=3, n),
            Just(survive && n >= 2),
            1_000u64..=5_000_000,
            1u64..=500,
            1_000u64..=20_000,
            1u64..=200,
            50u64..=2_000,
        )
            .prop_map(|(shares, zones, survive, peak, rpu, rpi, qpu, qpn)| Spec {
                peak,
                shares,
                zones,
                survive,
                reads_per_user: rpu,
                reads_per_instance: rpi,
                queries_per_user: qpu,
                queries_per_node: qpn,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every accepted plan has exactly the oracle's sizes; a refused one is
    /// refused for a limit the oracle also exceeds.
    #[test]
    fn tier_sizes_match_an_integer_oracle(s in spec()) {
        let want = oracle(&s);
        match plan::from_str(Path::new(FILE), &text(&s)) {
            Ok(p) => {
                let db = p.capacity.database.as_ref().expect("database sized");
                let search = p.capacity.search.as_ref().expect("search sized");
                for (i, (instances, data)) in want.iter().enumerate() {
                    prop_assert_eq!(u128::from(db.regions[i].instances), *instances);
                    prop_assert_eq!(u128::from(search.regions[i].data_nodes), *data);
                    prop_assert_eq!(search.regions[i].master_nodes, 3);
                }
            }
            Err(e) => {
                let over = want.iter().any(|(i, d)| *i > 16 || *d > 200);
                // Only the tiers' limits, or compute's MinSize above MaxSize.
                let other = e.errors.iter().any(|d| !matches!(d.code, ErrorCode::AboveLimit | ErrorCode::MinAboveMax));
                prop_assert!(!other, "{}", plan::diagnostic::render_plain(&e));
                let limits = e.errors.iter().any(|d| d.code == ErrorCode::AboveLimit);
                prop_assert_eq!(limits, over, "{}", plan::diagnostic::render_plain(&e));
                for d in e.errors.iter().filter(|d| d.code == ErrorCode::AboveLimit) {
                    prop_assert!(d.message.contains("16") || d.message.contains("200"), "{}", d.message);
                }
            }
        }
    }
}

fn prod() -> plan::Plan {
    streamscale::project::load_plan(Path::new("environments/prod.toml")).expect("prod loads")
}

#[test]
fn prod_sizes_are_the_worked_example() {
    // us-east-1: f = 10M·0.30/(1 − 0.25) = 4M users; reads 4M·0.02 = 80,000/s
    // over 6,000 per instance = 13.3 → 14 replicas + the writer = 15;
    // queries 4M·0.005 = 20,000/s over 300 = 66.7 → 67 → 3 zones × 23 = 69.
    let p = prod();
    let db = p.capacity.database.as_ref().unwrap();
    let search = p.capacity.search.as_ref().unwrap();
    let east = db.region("us-east-1").unwrap();
    assert_eq!((east.read_instances_needed, east.instances), (14, 15));
    let s = search.region("us-east-1").unwrap();
    assert_eq!(
        (s.nodes_for_load, s.data_nodes, s.master_nodes),
        (67, 69, 3)
    );
    // ap-southeast-2 has two zones: f = 500,000/0.70 users, 3,571.4 queries/s
    // → 12 nodes, 6 per zone.
    let s = search.region("ap-southeast-2").unwrap();
    assert_eq!((s.nodes_for_load, s.data_nodes), (12, 12));
    // writes: 10M × 0.0003 = 3,000/s on a 4,000/s primary.
    assert_eq!(db.write_margin().to_string(), "1000");
}

fn refused(extra: &str, base: &str) -> Vec<(ErrorCode, String)> {
    let text = format!("{base}{extra}");
    match plan::from_str(Path::new(FILE), &text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.errors.into_iter().map(|d| (d.code, d.message)).collect(),
    }
}

const TWO_REGIONS: &str = "name = \"t\"\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 1000\ntarget_utilization = 0.5\nami = \"ami-0123456789abcdef0\"\n[traffic]\npeak_concurrent_users = 1000000\nbaseline_concurrent_users = 0\nsurvive_region_loss = true\n[regions.us-east-1]\nshare = 0.5\ncertificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000\"\n[regions.eu-west-1]\nshare = 0.5\ncertificate_arn = \"arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000\"\n";

#[test]
fn seventeen_instances_are_refused_citing_sixteen() {
    // f = 1M users, 0.1 reads each = 100,000/s over 6,250 = 16 replicas → 17.
    let e = refused(
        "[database]\ninstance_class = \"db.r6g.large\"\nreads_per_user_per_second = 0.1\nreads_per_instance_per_second = 6250\nwrites_per_user_per_second = 0.001\nwrites_per_primary_per_second = 4000\n",
        TWO_REGIONS,
    );
    assert!(
        e.iter().any(|(c, m)| *c == ErrorCode::AboveLimit
            && m.contains("17 DocumentDB instances")
            && m.contains("16 per cluster")),
        "{e:?}"
    );
    // 6,666.67 per instance: exactly 15 replicas → 16, accepted.
    let ok = format!(
        "{TWO_REGIONS}[database]\ninstance_class = \"db.r6g.large\"\nreads_per_user_per_second = 0.1\nreads_per_instance_per_second = 6667\nwrites_per_user_per_second = 0.001\nwrites_per_primary_per_second = 4000\n"
    );
    let p = plan::from_str(Path::new(FILE), &ok).expect("16 instances fit");
    assert_eq!(p.capacity.database.unwrap().regions[0].instances, 16);
}

#[test]
fn writes_above_the_primary_are_refused() {
    let e = refused(
        "[database]\ninstance_class = \"db.r6g.large\"\nreads_per_user_per_second = 0.01\nreads_per_instance_per_second = 6000\nwrites_per_user_per_second = 0.005\nwrites_per_primary_per_second = 4999\n",
        TWO_REGIONS,
    );
    assert!(
        e.iter().any(|(c, m)| *c == ErrorCode::AboveLimit
            && m.contains("5000 writes/s")
            && m.contains("4999")),
        "{e:?}"
    );
}

#[test]
fn global_primary_must_be_a_plan_region() {
    let e = refused(
        "[database]\ninstance_class = \"db.r6g.large\"\nreads_per_user_per_second = 0.01\nreads_per_instance_per_second = 6000\nwrites_per_user_per_second = 0.001\nwrites_per_primary_per_second = 4000\nglobal_primary = \"us-west-2\"\n",
        TWO_REGIONS,
    );
    assert!(
        e.iter()
            .any(|(c, m)| *c == ErrorCode::UnknownRegion && m.contains("us-west-2")),
        "{e:?}"
    );
}

#[test]
fn data_nodes_above_the_domain_limit_are_refused() {
    // 1M users × 0.03 = 30,000 queries/s over 300 = 100 nodes > 80.
    let search = "[search]\nengine_version = \"OpenSearch_2.17\"\ninstance_type = \"r6g.large.search\"\nqueries_per_user_per_second = 0.03\nqueries_per_node_per_second = 300\nvolume_gb_per_node = 100\n";
    let e = refused(search, TWO_REGIONS);
    assert!(
        e.iter()
            .any(|(c, m)| *c == ErrorCode::AboveLimit && m.contains("limit per domain of 80")),
        "{e:?}"
    );
    // a raised quota of 200 takes it
    plan::from_str(
        Path::new(FILE),
        &format!("{TWO_REGIONS}{search}max_data_nodes = 200\n"),
    )
    .expect("within a raised quota");
    // T3 types: at most 10, whatever the quota
    let t3 = search
        .replace("r6g.large.search", "t3.medium.search")
        .replace("0.03", "0.004");
    let e = refused(&t3, TWO_REGIONS);
    assert!(
        e.iter()
            .any(|(c, m)| *c == ErrorCode::AboveLimit && m.contains("of 10 ")),
        "{e:?}"
    );
}
