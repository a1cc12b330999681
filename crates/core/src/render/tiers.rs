//! The template data of the data tiers (SPEC §7): what the `database` and
//! `search` partials see for one region (documented in docs/templates.md).

use serde_json::{Value, json};

use crate::plan::{Plan, Region};

/// OpenSearch's zone awareness spans two or three zones.
const OPENSEARCH_MAX_ZONES: usize = 3;

/// DocumentDB's TCP port.
pub const DOCDB_PORT: u16 = 27017;

/// The global cluster's identifier: one per plan and environment.
fn global_cluster_id(plan: &Plan) -> String {
    format!("{}-{}-global", plan.name, plan.environment)
}

/// `{{database}}`: `null` without `[database]`.
pub fn database_context(plan: &Plan, region: &Region) -> Value {
    let (Some(db), Some(cap)) = (&plan.database, &plan.capacity.database) else {
        return Value::Null;
    };
    let instances = cap.region(&region.name).map_or(0, |r| r.instances);
    let zones = &region.availability_zones;
    let instance_list: Vec<Value> = (0..instances as usize)
        .map(|i| {
            json!({
                "n": i + 1,
                "zone": zones.get(i % zones.len().max(1)).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let family = {
        let mut parts = db.engine_version.split('.');
        format!(
            "docdb{}.{}",
            parts.next().unwrap_or("5"),
            parts.next().unwrap_or("0")
        )
    };
    let global = db.global_primary.as_ref().map(|primary| {
        json!({
            "id": global_cluster_id(plan),
            "primary_region": primary,
            "is_primary": *primary == region.name,
        })
    });
    // A global secondary replicates the primary: no master user of its own.
    let writes = global.as_ref().is_none_or(|g| g["is_primary"] == true);
    json!({
        "instance_class": db.instance_class,
        "engine_version": db.engine_version,
        "family": family,
        "port": DOCDB_PORT,
        "instances": instance_list,
        "instance_count": instances,
        "backup_retention_days": db.backup_retention_days,
        "deletion_protection": plan.deletion_protection,
        "global": global,
        "writes": writes,
        "master_username": "streamscale",
        "secret_template": "{\"username\":\"streamscale\"}",
        // A dynamic reference CloudFormation resolves at deploy time: the
        // password itself is never in the template.
        "password_ref": "{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}",
    })
}

/// `{{search}}`: `null` without `[search]`.
pub fn search_context(plan: &Plan, region: &Region) -> Value {
    let (Some(search), Some(cap)) = (&plan.search, &plan.capacity.search) else {
        return Value::Null;
    };
    let row = cap.region(&region.name);
    let zone_count = region.availability_zones.len().min(OPENSEARCH_MAX_ZONES);
    let subnets: Vec<Value> = (1..=zone_count).map(|n| json!({ "n": n })).collect();
    json!({
        "engine_version": search.engine_version,
        "instance_type": search.instance_type,
        "master_instance_type": search.master_instance_type,
        "data_nodes": row.map_or(0, |r| r.data_nodes),
        "master_nodes": row.map_or(0, |r| r.master_nodes),
        "zone_count": zone_count,
        "subnets": subnets,
        "volume_gb": search.volume_gb_per_node,
    })
}
