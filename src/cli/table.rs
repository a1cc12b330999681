//! Plain text tables for terminals and logs.

use comfy_table::{CellAlignment, ContentArrangement, Table, TableComponent, presets};

use streamscale_core::plan::Plan;
use streamscale_core::render::share_text;

/// A table with streamscale's look: a header rule and no other borders.
pub fn new(header: Vec<String>, right_from: usize) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_style(TableComponent::HeaderLines, '─')
        .set_style(TableComponent::MiddleHeaderIntersections, '─')
        .set_style(TableComponent::LeftHeaderIntersection, '─')
        .set_style(TableComponent::RightHeaderIntersection, '─')
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.clone());
    for i in right_from..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

pub use streamscale_core::text::thousands;

/// The capacity table of `validate`: one row per region and a total.
pub fn capacity(plan: &Plan) -> String {
    let mut header: Vec<String> = [
        "region",
        "share",
        "type",
        "peak users",
        "failover users",
        "baseline",
        "peak",
        "min",
        "max",
        "vCPUs@max",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for e in &plan.capacity.events {
        header.push(format!("pre-warm {}", e.name));
    }
    let mut t = new(header, 1);
    let round = |d: rust_decimal::Decimal| thousands(&d.round_dp(0).to_string());
    for (i, r) in plan.capacity.regions.iter().enumerate() {
        let mut row = vec![
            r.region.clone(),
            share_text(r.share),
            r.instance_type.clone(),
            round(r.peak_users),
            round(r.failover_users),
            thousands(&r.baseline_instances.to_string()),
            thousands(&r.peak_instances.to_string()),
            thousands(&r.min_size.to_string()),
            thousands(&r.max_size.to_string()),
            thousands(&r.vcpus_at_max.to_string()),
        ];
        for e in &plan.capacity.events {
            row.push(thousands(&e.regions[i].prewarm_min_size.to_string()));
        }
        t.add_row(row);
    }
    let sum = |f: fn(&streamscale_core::plan::capacity::RegionCapacity) -> u64| {
        thousands(&plan.capacity.regions.iter().map(f).sum::<u64>().to_string())
    };
    let mut total = vec![
        "total".to_string(),
        String::new(),
        String::new(),
        thousands(&plan.traffic.peak.to_string()),
        String::new(),
        sum(|r| r.baseline_instances),
        sum(|r| r.peak_instances),
        sum(|r| r.min_size),
        sum(|r| r.max_size),
        sum(|r| r.vcpus_at_max),
    ];
    for e in &plan.capacity.events {
        total.push(thousands(
            &e.regions
                .iter()
                .map(|r| r.prewarm_min_size)
                .sum::<u64>()
                .to_string(),
        ));
    }
    t.add_row(total);
    t.to_string()
}
