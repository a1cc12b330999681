//! Render benchmark: load, check, size and render plans of 1, 6 and 16
//! regions (in process), and compile the built-in templates. The whole-process figure is measured by
//! scripts/bench-render; both are recorded in docs/performance.md.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use streamscale::render::{Templates, render};

fn bench(c: &mut Criterion) {
    let templates = Templates::builtin().expect("templates");
    // A fixed instant before the synthetic plans' events: the same work every run.
    let now = "2026-11-01T00:00:00Z".parse().expect("instant");
    let mut g = c.benchmark_group("load+render");
    for n in [1usize, 6, 16] {
        let text = streamscale::synthetic::plan_text(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let plan =
                    streamscale::plan::from_str(Path::new("bench.toml"), text).expect("valid plan");
                render(&plan, &templates, now).expect("render")
            })
        });
    }
    g.finish();
    // Compiling the built-in templates, once per process: the fixed part of
    // a whole-process render (the optional tiers' partials are compiled when
    // a plan first uses one, so not here).
    c.bench_function("compile templates", |b| {
        b.iter(|| Templates::builtin().expect("templates"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
