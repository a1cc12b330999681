//! The order in which `apply` and `destroy` touch regions: waves of regions
//! run one after another (the regions of one wave run concurrently).
//!
//! `apply`: the canary regions first, then the DocumentDB global cluster's
//! writer region (`[database] global_primary`: its stack creates the global
//! cluster every other region's cluster joins), then the rest. One
//! exception: when the writer region's stack is created by this apply, no
//! secondary can exist before it, so the writer goes first, ahead of
//! secondary canaries (CreateDBCluster with a GlobalClusterIdentifier that
//! does not exist fails with GlobalClusterNotFoundFault).
//!
//! `destroy`: every other region first, the writer region last (the
//! clusters of a global cluster must be detached or deleted before it can
//! be deleted: DeleteGlobalCluster,
//! <https://docs.aws.amazon.com/documentdb/latest/developerguide/API_DeleteGlobalCluster.html>).

use serde::Serialize;

use crate::plan::Plan;

/// Why a wave runs where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveRole {
    /// `[deploy] canary` regions.
    Canary,
    /// The DocumentDB global cluster's writer region.
    GlobalPrimary,
    /// Every other region.
    Rest,
}

/// Regions that run concurrently; the next wave starts when this one ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wave {
    /// Why these regions run at this point.
    pub role: WaveRole,
    /// Region codes, in the order they were given.
    pub regions: Vec<String>,
}

/// A region `apply` changes, as far as the order cares.
#[derive(Debug, Clone, Copy)]
pub struct PendingRegion<'a> {
    /// Region code.
    pub region: &'a str,
    /// Whether this apply creates the region's stack (none runs yet).
    pub creates_stack: bool,
}

/// The global cluster's writer region, when the plan has one.
fn global_primary(plan: &Plan) -> Option<&str> {
    plan.database
        .as_ref()
        .and_then(|db| db.global_primary.as_deref())
}

/// The waves of an apply that changes `pending` (in plan order); empty
/// waves are left out.
pub fn apply_waves(plan: &Plan, pending: &[PendingRegion]) -> Vec<Wave> {
    let is_canary = |p: &PendingRegion| plan.canary.iter().any(|c| c == p.region);
    // The writer runs in a wave of its own unless it is a canary whose
    // stack (and so whose global cluster) exists already.
    let writer = global_primary(plan)
        .and_then(|name| pending.iter().find(|p| p.region == name))
        .filter(|w| w.creates_stack || !is_canary(w));
    let is_writer = |p: &PendingRegion| writer.is_some_and(|w| w.region == p.region);
    let names = |keep: &dyn Fn(&PendingRegion) -> bool| -> Vec<String> {
        pending
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.region.to_string())
            .collect()
    };
    let canaries = Wave {
        role: WaveRole::Canary,
        regions: names(&|p| is_canary(p) && !is_writer(p)),
    };
    let rest = Wave {
        role: WaveRole::Rest,
        regions: names(&|p| !is_canary(p) && !is_writer(p)),
    };
    let waves = match writer {
        None => vec![canaries, rest],
        Some(writer) => {
            let writer_wave = Wave {
                role: WaveRole::GlobalPrimary,
                regions: vec![writer.region.to_string()],
            };
            if writer.creates_stack {
                vec![writer_wave, canaries, rest]
            } else {
                vec![canaries, writer_wave, rest]
            }
        }
    };
    waves
        .into_iter()
        .filter(|w| !w.regions.is_empty())
        .collect()
}

/// The waves of a destroy of `regions`: the global cluster's writer region
/// last; empty waves are left out.
pub fn destroy_waves(plan: &Plan, regions: &[String]) -> Vec<Wave> {
    let primary = global_primary(plan);
    let (writer, rest): (Vec<String>, Vec<String>) = regions
        .iter()
        .cloned()
        .partition(|r| Some(r.as_str()) == primary);
    [
        Wave {
            role: WaveRole::Rest,
            regions: rest,
        },
        Wave {
            role: WaveRole::GlobalPrimary,
            regions: writer,
        },
    ]
    .into_iter()
    .filter(|w| !w.regions.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-south-1"];

    /// A three-region plan (us-east-1, eu-west-1, ap-south-1) with `extra`
    /// TOML after the regions.
    fn plan(extra: &str) -> Plan {
        let mut text = String::from(
            "name = \"order\"\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 1000\ntarget_utilization = 0.5\nami = \"ami-0123456789abcdef0\"\n[traffic]\npeak_concurrent_users = 30000\nbaseline_concurrent_users = 0\nheadroom = 0.2\nsurvive_region_loss = true\n",
        );
        for (region, share) in REGIONS.iter().zip(["0.4", "0.3", "0.3"]) {
            text.push_str(&format!(
                "[regions.{region}]\nshare = {share}\ncertificate_arn = \"arn:aws:acm:{region}:123456789012:certificate/00000000-0000-4000-8000-000000000000\"\n"
            ));
        }
        text.push_str(extra);
        crate::plan::from_str(Path::new("environments/order.toml"), &text)
            .unwrap_or_else(|e| panic!("test plan does not load: {e:?}"))
    }

    fn database(primary: &str) -> String {
        format!(
            "[database]\ninstance_class = \"db.r6g.large\"\nreads_per_user_per_second = 0.02\nreads_per_instance_per_second = 6000\nwrites_per_user_per_second = 0.0003\nwrites_per_primary_per_second = 4000\nglobal_primary = \"{primary}\"\n"
        )
    }

    fn canary(regions: &[&str]) -> String {
        let quoted: Vec<String> = regions.iter().map(|r| format!("\"{r}\"")).collect();
        format!("[deploy]\ncanary = [{}]\n", quoted.join(", "))
    }

    fn pending(creates_stack: bool) -> Vec<PendingRegion<'static>> {
        REGIONS
            .iter()
            .map(|region| PendingRegion {
                region,
                creates_stack,
            })
            .collect()
    }

    fn shape(waves: &[Wave]) -> Vec<(WaveRole, Vec<&str>)> {
        waves
            .iter()
            .map(|w| (w.role, w.regions.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn without_a_global_cluster_canaries_then_the_rest() {
        let p = plan(&canary(&["eu-west-1"]));
        assert_eq!(
            shape(&apply_waves(&p, &pending(false))),
            vec![
                (WaveRole::Canary, vec!["eu-west-1"]),
                (WaveRole::Rest, vec!["us-east-1", "ap-south-1"]),
            ]
        );
        assert_eq!(
            shape(&destroy_waves(&p, &REGIONS.map(String::from))),
            vec![(WaveRole::Rest, REGIONS.to_vec())]
        );
    }

    #[test]
    fn the_writer_runs_after_the_canaries_and_before_the_rest() {
        let p = plan(&format!(
            "{}{}",
            database("eu-west-1"),
            canary(&["ap-south-1"])
        ));
        assert_eq!(
            shape(&apply_waves(&p, &pending(false))),
            vec![
                (WaveRole::Canary, vec!["ap-south-1"]),
                (WaveRole::GlobalPrimary, vec!["eu-west-1"]),
                (WaveRole::Rest, vec!["us-east-1"]),
            ]
        );
    }

    #[test]
    fn without_canaries_the_writer_runs_alone_first() {
        let p = plan(&database("eu-west-1"));
        assert_eq!(
            shape(&apply_waves(&p, &pending(true))),
            vec![
                (WaveRole::GlobalPrimary, vec!["eu-west-1"]),
                (WaveRole::Rest, vec!["us-east-1", "ap-south-1"]),
            ]
        );
    }

    #[test]
    fn a_writer_created_now_goes_before_secondary_canaries() {
        let p = plan(&format!(
            "{}{}",
            database("us-east-1"),
            canary(&["ap-south-1"])
        ));
        assert_eq!(
            shape(&apply_waves(&p, &pending(true))),
            vec![
                (WaveRole::GlobalPrimary, vec!["us-east-1"]),
                (WaveRole::Canary, vec!["ap-south-1"]),
                (WaveRole::Rest, vec!["eu-west-1"]),
            ]
        );
    }

    #[test]
    fn a_writer_that_is_a_canary_runs_with_the_canaries_once_it_exists() {
        let p = plan(&format!(
            "{}{}",
            database("us-east-1"),
            canary(&["us-east-1", "eu-west-1"])
        ));
        assert_eq!(
            shape(&apply_waves(&p, &pending(false))),
            vec![
                (WaveRole::Canary, vec!["us-east-1", "eu-west-1"]),
                (WaveRole::Rest, vec!["ap-south-1"]),
            ]
        );
        assert_eq!(
            shape(&apply_waves(&p, &pending(true))),
            vec![
                (WaveRole::GlobalPrimary, vec!["us-east-1"]),
                (WaveRole::Canary, vec!["eu-west-1"]),
                (WaveRole::Rest, vec!["ap-south-1"]),
            ]
        );
    }

    #[test]
    fn a_writer_without_changes_is_not_a_wave() {
        let p = plan(&database("us-east-1"));
        let changed = [PendingRegion {
            region: "eu-west-1",
            creates_stack: false,
        }];
        assert_eq!(
            shape(&apply_waves(&p, &changed)),
            vec![(WaveRole::Rest, vec!["eu-west-1"])]
        );
    }

    #[test]
    fn destroy_deletes_the_writer_last() {
        let p = plan(&database("us-east-1"));
        assert_eq!(
            shape(&destroy_waves(&p, &REGIONS.map(String::from))),
            vec![
                (WaveRole::Rest, vec!["eu-west-1", "ap-south-1"]),
                (WaveRole::GlobalPrimary, vec!["us-east-1"]),
            ]
        );
        assert_eq!(
            shape(&destroy_waves(&p, &["us-east-1".to_string()])),
            vec![(WaveRole::GlobalPrimary, vec!["us-east-1"])]
        );
    }

    #[test]
    fn every_pending_region_is_in_exactly_one_wave() {
        for primary in REGIONS {
            for canaries in [vec![], vec!["us-east-1"], vec!["eu-west-1", "ap-south-1"]] {
                for creates in [false, true] {
                    let p = plan(&format!("{}{}", database(primary), canary(&canaries)));
                    let waves = apply_waves(&p, &pending(creates));
                    let wave_of = |region: &str| {
                        waves
                            .iter()
                            .position(|w| w.regions.iter().any(|r| r == region))
                            .unwrap_or_else(|| panic!("{region} is in no wave: {waves:?}"))
                    };
                    let writer = wave_of(primary);
                    if creates || !canaries.contains(&primary) {
                        assert_eq!(waves[writer].regions, [primary], "{waves:?}");
                    }
                    for region in REGIONS.iter().filter(|r| **r != primary) {
                        let after_writer = wave_of(region) > writer;
                        let canary = canaries.contains(region);
                        // A secondary never starts before a writer created
                        // now; a non-canary never before the writer.
                        if creates || !canary {
                            assert!(after_writer, "{region}: {waves:?}");
                        } else if !canaries.contains(&primary) {
                            assert!(!after_writer, "{region}: {waves:?}");
                        }
                    }
                    let mut all: Vec<String> = waves.into_iter().flat_map(|w| w.regions).collect();
                    all.sort();
                    let mut expected = REGIONS.map(String::from).to_vec();
                    expected.sort();
                    assert_eq!(all, expected, "{primary} {canaries:?} {creates}");
                }
            }
        }
    }
}
