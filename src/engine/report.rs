//! The live data of `report --live`: InService instances per region, the
//! vCPU quota (Service Quotas `L-1216C47A`) where the endpoint answers, and
//! the drift headline, read from every region at once.

use futures::future::join_all;

use super::EngineError;
use crate::aws::{Aws, reads};
use streamscale_core::drift::{Status, headline};
use streamscale_core::plan::Plan;
use streamscale_core::render::RegionStack;
use streamscale_core::report::{LiveData, VCPU_QUOTA_CODE};

/// The live data of `report --live`, from an SDK configuration. An error
/// when no region could be read at all (no access, no endpoint).
pub async fn report_data_with(
    aws: &Aws,
    plan: &Plan,
    stacks: &[&RegionStack],
) -> Result<LiveData, EngineError> {
    let now = chrono::Utc::now();
    let drifts = super::drift::drift_all(aws, plan, stacks, false, now);
    let quotas = join_all(stacks.iter().map(|s| async move {
        let q = reads::ec2_quota(&aws.service_quotas(&s.region), VCPU_QUOTA_CODE).await;
        (s.region.clone(), q)
    }));
    let (drifts, quotas) = futures::join!(drifts, quotas);
    if !drifts.is_empty() && drifts.iter().all(|d| d.status == Status::Error) {
        return Err(EngineError::NoRegionRead(
            drifts[0].error.clone().unwrap_or_else(|| "error".into()),
        ));
    }
    let mut data = LiveData::default();
    for d in &drifts {
        data.instances.insert(d.region.clone(), d.in_service);
    }
    let mut no_quota = Vec::new();
    for (region, q) in quotas {
        match q {
            Ok(Some(v)) if v >= 0.0 => {
                data.vcpu_quota.insert(region, v.round() as u64);
            }
            Ok(_) => no_quota.push((region, "no value".to_string())),
            Err(m) => no_quota.push((region, m)),
        }
    }
    let mut summary = headline(&drifts);
    if !no_quota.is_empty() {
        let regions: Vec<&str> = no_quota.iter().map(|(r, _)| r.as_str()).collect();
        summary.push_str(&format!(
            " Service Quotas gave no vCPU quota ({VCPU_QUOTA_CODE}) for {} ({}): the plan's [aws] vcpu_quota is used there.",
            regions.join(", "),
            no_quota[0].1
        ));
    }
    data.drift_summary = Some(summary);
    Ok(data)
}
