//! The HTML report's charts, drawn with plotters' SVG backend and inlined.
//!
//! Each function returns one `<svg>` element (no XML namespace attribute:
//! inline SVG in HTML needs none) that scales to its container. Output is
//! deterministic: same report, same bytes.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{int, thousands};
use super::{EventStatus, Report};

const FONT: &str = "sans-serif";
const WIDTH: u32 = 960;

/// Colours of the three capacity levels.
const BASELINE: RGBColor = RGBColor(158, 202, 225);
const PEAK: RGBColor = RGBColor(49, 130, 189);
const MAX: RGBColor = RGBColor(8, 48, 107);
/// Overload red, pre-warm amber, as-of grey.
const DANGER: RGBColor = RGBColor(200, 30, 30);
const PREWARM: RGBColor = RGBColor(240, 170, 60);
const GREY: RGBColor = RGBColor(120, 120, 120);

/// A colour per region (Tableau 10), by plan order.
const REGION_COLOURS: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(118, 183, 178),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
    RGBColor(225, 87, 89),
];

/// The colour of the region at `index` in plan order.
pub fn region_colour(index: usize) -> RGBColor {
    REGION_COLOURS[index % REGION_COLOURS.len()]
}

type Res = Result<String, String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart with nothing to plot: one line of text instead.
fn notice(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    text: &str,
    at: (i32, i32),
    color: &RGBColor,
) -> Result<(), String> {
    root.draw(&Text::new(text, at, (FONT, 18).into_font().color(color)))
        .map_err(err)?;
    root.present().map_err(err)
}

/// Make plotters' SVG inline-ready: drop the namespace, scale to the
/// container, and give it an id, a role and a label.
fn finish(svg: String, id: &str, label: &str) -> String {
    let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    svg.replacen(
        "<svg ",
        &format!(
            "<svg id=\"chart-{id}\" class=\"chart\" role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMidYMid meet\" ",
            label.replace('"', "'")
        ),
        1,
    )
}

/// Label of group `x` (an integer position) or nothing between groups.
fn group_label(names: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

/// A bar chart's drawing: groups at 0, 1, … on x, values on y.
type BarChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A white `root` with `title` on top and a bar chart of `n` groups and
/// values from 0 to `top` under it.
fn bar_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    n: usize,
    top: f64,
) -> Result<BarChart<'a, 'b>, String> {
    root.fill(&WHITE).map_err(err)?;
    ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        .map_err(err)
}

/// Draw a bar chart's mesh: `n` group labels from `names` under the bars,
/// eight value labels by `y_fmt`, faint horizontal lines only.
fn bar_mesh(
    chart: &mut BarChart<'_, '_>,
    names: &[String],
    n: usize,
    y_fmt: &dyn Fn(&f64) -> String,
    y_desc: &str,
    font_size: u32,
) -> Result<(), String> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| group_label(names, *x))
        .y_labels(8)
        .y_label_formatter(y_fmt)
        .y_desc(y_desc)
        .label_style((FONT, font_size))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(err)
}

/// Draw the series legend in the upper right corner.
fn legend<'a, 'b: 'a>(chart: &mut BarChart<'a, 'b>) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 13))
        .draw()
        .map_err(err)
}

fn level_chart(
    r: &Report,
    id: &str,
    title: &str,
    y_desc: &str,
    values: &[[Option<f64>; 3]],
    y_fmt: &dyn Fn(f64) -> String,
    bar_labels: bool,
) -> Res {
    let names: Vec<String> = r.regions.iter().map(|x| x.region.clone()).collect();
    let n = names.len().max(1);
    let top = values
        .iter()
        .flat_map(|v| v.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let top = if top > 0.0 { top * 1.15 } else { 1.0 };
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, 400)).into_drawing_area();
        let mut chart = bar_chart(&root, title, n, top)?;
        bar_mesh(&mut chart, &names, n, &|y| y_fmt(*y), y_desc, 13)?;
        let width = 0.8 / 3.0;
        for (j, (name, colour)) in [("baseline", BASELINE), ("peak", PEAK), ("max", MAX)]
            .into_iter()
            .enumerate()
        {
            let bars = values.iter().enumerate().filter_map(move |(i, v)| {
                let v = v[j]?;
                let x0 = i as f64 - 0.4 + j as f64 * width;
                Some(Rectangle::new(
                    [(x0 + 0.01, 0.0), (x0 + width - 0.01, v)],
                    colour.filled(),
                ))
            });
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour.filled())
                });
            if bar_labels {
                let style = TextStyle::from((FONT, 11).into_font())
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                chart
                    .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                        let v = v[j]?;
                        let x = i as f64 - 0.4 + (j as f64 + 0.5) * width;
                        Some(Text::new(y_fmt(v), (x, v + top * 0.01), style.clone()))
                    }))
                    .map_err(err)?;
            }
        }
        // Regions without a price: say so where the bars would be.
        let unknown = TextStyle::from((FONT, 12).into_font())
            .color(&DANGER)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.iter().all(Option::is_none))
                    .map(|(i, _)| {
                        Text::new("price unknown", (i as f64, top * 0.02), unknown.clone())
                    }),
            )
            .map_err(err)?;
        legend(&mut chart)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, id, title))
}

/// Instances per region at baseline, peak and max.
pub fn instances(r: &Report) -> Res {
    let values: Vec<[Option<f64>; 3]> = r
        .regions
        .iter()
        .map(|x| x.instances.named().map(|(_, n)| Some(n as f64)))
        .collect();
    level_chart(
        r,
        "instances",
        "Instances per region: baseline (MinSize), peak, max (MaxSize)",
        "instances",
        &values,
        &|y| thousands(&format!("{y:.0}")),
        true,
    )
}

/// EC2 cost per hour per region at baseline, peak and max.
pub fn cost(r: &Report) -> Res {
    let values: Vec<[Option<f64>; 3]> = r
        .regions
        .iter()
        .map(|x| {
            x.cost
                .named()
                .map(|(_, m)| m.and_then(|d| d.to_string().parse::<f64>().ok()))
        })
        .collect();
    level_chart(
        r,
        "cost",
        "EC2 cost per hour per region (USD, on-demand)",
        "USD per hour",
        &values,
        &|y| format!("${}", thousands(&format!("{y:.0}"))),
        false,
    )
}

/// Survivor utilization (of MaxSize capacity at 100% CPU) for each lost region.
pub fn region_loss(r: &Report) -> Res {
    let title = "Region loss: survivors' use of their MaxSize capacity (100% = full CPU)";
    let names: Vec<String> = r
        .region_loss
        .iter()
        .map(|l| format!("{} lost", l.lost))
        .collect();
    let n = names.len();
    let mut buf = String::new();
    {
        // One legend row per seven entries, under the title.
        let per_row = 7usize;
        let entries = r.regions.len() + 1;
        let legend_h = 10 + 22 * entries.div_ceil(per_row) as u32;
        let root = SVGBackend::with_string(&mut buf, (WIDTH, 400 + legend_h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        if n == 0 {
            notice(
                &root,
                "One region: no survivors. Losing it is a full outage.",
                (40, 200),
                &DANGER,
            )?;
            drop(root);
            return Ok(finish(buf, "region-loss", title));
        }
        let root = root
            .margin(8, 0, 0, 0)
            .titled(title, (FONT, 20))
            .map_err(err)?;
        let (legend, root) = root.split_vertically(legend_h);
        let slot = (WIDTH as i32 - 80) / per_row as i32;
        for i in 0..entries {
            let x = 70 + (i % per_row) as i32 * slot;
            let y = 6 + (i / per_row) as i32 * 22;
            if i < r.regions.len() {
                legend
                    .draw(&Rectangle::new(
                        [(x, y + 2), (x + 12, y + 14)],
                        region_colour(i).filled(),
                    ))
                    .map_err(err)?;
            } else {
                legend
                    .draw(&PathElement::new(
                        [(x, y + 8), (x + 12, y + 8)],
                        DANGER.stroke_width(2),
                    ))
                    .map_err(err)?;
            }
            let label = r
                .regions
                .get(i)
                .map_or("100% CPU at MaxSize", |x| x.region.as_str());
            legend
                .draw(&Text::new(
                    label.to_string(),
                    (x + 17, y + 1),
                    (FONT, 12).into_font().color(&BLACK),
                ))
                .map_err(err)?;
        }
        let top_util = r
            .region_loss
            .iter()
            .flat_map(|l| l.survivors.iter())
            .map(|v| v.utilization.to_string().parse::<f64>().unwrap_or(0.0))
            .fold(0.0f64, f64::max);
        let top = top_util.max(100.0) * 1.12;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
            .map_err(err)?;
        bar_mesh(
            &mut chart,
            &names,
            n,
            &|y| format!("{y:.0}%"),
            "% of MaxSize capacity",
            12,
        )?;
        let per_group = (r.regions.len() - 1).max(1) as f64;
        let width = 0.84 / per_group;
        for (ri, region) in r.regions.iter().enumerate() {
            let colour = region_colour(ri);
            let bars = r.region_loss.iter().enumerate().filter_map(|(g, l)| {
                let k = l.survivors.iter().position(|v| v.region == region.region)?;
                let v = &l.survivors[k];
                let util = v.utilization.to_string().parse::<f64>().ok()?;
                let x0 = g as f64 - 0.42 + k as f64 * width;
                let style = if v.overloaded {
                    colour.filled().stroke_width(2)
                } else {
                    colour.filled()
                };
                Some(Rectangle::new(
                    [(x0 + 0.005, 0.0), (x0 + width - 0.005, util)],
                    style,
                ))
            });
            chart.draw_series(bars).map_err(err)?;
        }
        // Overloaded survivors: red outline and value.
        let over_style = TextStyle::from((FONT, 11).into_font())
            .color(&DANGER)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        for (g, l) in r.region_loss.iter().enumerate() {
            for (k, v) in l.survivors.iter().enumerate() {
                if !v.overloaded {
                    continue;
                }
                let util = v.utilization.to_string().parse::<f64>().unwrap_or(0.0);
                let x0 = g as f64 - 0.42 + k as f64 * width;
                // The part above 100% in red, and a red outline.
                chart
                    .draw_series([
                        Rectangle::new(
                            [(x0 + 0.005, 100.0), (x0 + width - 0.005, util)],
                            DANGER.mix(0.85).filled(),
                        ),
                        Rectangle::new(
                            [(x0 + 0.005, 0.0), (x0 + width - 0.005, util)],
                            DANGER.stroke_width(2),
                        ),
                    ])
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{util:.1}%"),
                        (x0 + width / 2.0, util + top * 0.01),
                        over_style.clone(),
                    )))
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(LineSeries::new(
                [(-0.5, 100.0), (n as f64 - 0.5, 100.0)],
                DANGER.stroke_width(2),
            ))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, "region-loss", title))
}

/// Every event on a calendar: pre-warm (amber) and event (blue) windows.
pub fn timeline(r: &Report) -> Res {
    let title = "Events: pre-warm (amber) and live (blue) windows";
    let m = r.events.len();
    let height = 120 + 56 * m.max(1) as u32;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        if m == 0 {
            notice(&root, "No events in the plan.", (40, 80), &GREY)?;
            drop(root);
            return Ok(finish(buf, "timeline", title));
        }
        let first = r
            .events
            .iter()
            .map(|e| e.prewarm_at)
            .min()
            .unwrap_or(r.as_of);
        let last = r
            .events
            .iter()
            .map(|e| e.release_at)
            .max()
            .unwrap_or(r.as_of);
        // Origin: midnight (UTC) of the earliest day shown.
        let start = first.min(r.as_of);
        let origin = start
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(start, |d| d.and_utc());
        let days = |t: chrono::DateTime<chrono::Utc>| (t - origin).num_minutes() as f64 / 1440.0;
        let span = (days(last.max(r.as_of)) + 1.0).ceil().max(2.0);
        let names: Vec<String> = r.events.iter().map(|e| e.name.clone()).collect();
        let row_y = |i: usize| (m - 1 - i) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(150)
            .build_cartesian_2d(0f64..span, -0.6f64..(m as f64 - 0.4))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(10)
            .x_label_formatter(&|x| {
                let t = origin + chrono::Duration::minutes((x * 1440.0).round() as i64);
                t.format("%d %b").to_string()
            })
            .y_labels(m)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= m {
                    return String::new();
                }
                names[m - 1 - i as usize].clone()
            })
            .label_style((FONT, 13))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        // Windows are hours long on a calendar of weeks: draw each at least
        // `min_w` wide so it stays visible; the label carries exact times.
        let min_w = span / 90.0;
        let widen = |a: f64, b: f64| {
            if b - a >= min_w {
                (a, b)
            } else {
                let c = (a + b) / 2.0;
                (c - min_w / 2.0, c + min_w / 2.0)
            }
        };
        for (i, e) in r.events.iter().enumerate() {
            let y = row_y(i);
            let (a, b) = widen(days(e.prewarm_at), days(e.release_at));
            let total = days(e.release_at) - days(e.prewarm_at);
            let split = if total > 0.0 {
                a + (b - a) * (days(e.starts_at) - days(e.prewarm_at)) / total
            } else {
                a
            };
            let live = if e.status == EventStatus::Past {
                PEAK.mix(0.4)
            } else {
                PEAK.to_rgba()
            };
            chart
                .draw_series([
                    Rectangle::new([(a, y - 0.28), (split, y + 0.28)], PREWARM.filled()),
                    Rectangle::new([(split, y - 0.28), (b, y + 0.28)], live.filled()),
                ])
                .map_err(err)?;
            let text = format!(
                "{}: {} {}–{} UTC · {} instances · {}",
                e.name,
                e.starts_at.format("%d %b"),
                e.prewarm_at.format("%H:%M"),
                e.release_at.format("%H:%M"),
                int(e.instances),
                super::format::money(e.prewarm_cost).replace("unknown", "cost unknown")
            );
            let right_side = b < span * 0.55;
            let (x, anchor) = if right_side {
                (b + span * 0.01, HPos::Left)
            } else {
                (a - span * 0.01, HPos::Right)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x, y),
                    TextStyle::from((FONT, 13).into_font())
                        .color(&BLACK)
                        .pos(Pos::new(anchor, VPos::Center)),
                )))
                .map_err(err)?;
        }
        // The as-of line.
        let now = days(r.as_of);
        chart
            .draw_series(DashedLineSeries::new(
                [(now, -0.6), (now, m as f64 - 0.4)],
                6,
                4,
                GREY.stroke_width(1),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("as of {}", r.as_of.format("%d %b %H:%M")),
                (now + span * 0.005, m as f64 - 0.45),
                TextStyle::from((FONT, 12).into_font())
                    .color(&GREY)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            )))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, "timeline", title))
}

/// vCPUs at peak and max per region against the quota.
pub fn quotas(r: &Report) -> Res {
    let title = "vCPUs per region against the On-Demand Standard quota";
    let names: Vec<String> = r.quotas.iter().map(|q| q.region.clone()).collect();
    let n = names.len().max(1);
    let top = r
        .quotas
        .iter()
        .map(|q| q.vcpus_at_max.max(q.quota.unwrap_or(0)))
        .max()
        .unwrap_or(1) as f64
        * 1.15;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, 380)).into_drawing_area();
        let mut chart = bar_chart(&root, title, n, top.max(1.0))?;
        bar_mesh(
            &mut chart,
            &names,
            n,
            &|y| thousands(&format!("{y:.0}")),
            "vCPUs",
            13,
        )?;
        chart
            .draw_series(r.quotas.iter().enumerate().map(|(i, q)| {
                let x = i as f64;
                Rectangle::new(
                    [(x - 0.35, 0.0), (x - 0.01, q.vcpus_at_peak as f64)],
                    PEAK.filled(),
                )
            }))
            .map_err(err)?
            .label("vCPUs at peak")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], PEAK.filled()));
        chart
            .draw_series(r.quotas.iter().enumerate().map(|(i, q)| {
                let x = i as f64;
                let colour = if q.shortfall.is_some() { DANGER } else { MAX };
                Rectangle::new(
                    [(x + 0.01, 0.0), (x + 0.35, q.vcpus_at_max as f64)],
                    colour.filled(),
                )
            }))
            .map_err(err)?
            .label("vCPUs at max (red: above quota)")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], MAX.filled()));
        chart
            .draw_series(r.quotas.iter().enumerate().filter_map(|(i, q)| {
                let quota = q.quota? as f64;
                let x = i as f64;
                Some(PathElement::new(
                    [(x - 0.45, quota), (x + 0.45, quota)],
                    BLACK.stroke_width(3),
                ))
            }))
            .map_err(err)?
            .label("quota")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], BLACK.stroke_width(3)));
        let unknown = TextStyle::from((FONT, 12).into_font())
            .color(&GREY)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                r.quotas
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.quota.is_none())
                    .map(|(i, q)| {
                        Text::new(
                            "quota unknown",
                            (i as f64, q.vcpus_at_max as f64 + top * 0.02),
                            unknown.clone(),
                        )
                    }),
            )
            .map_err(err)?;
        legend(&mut chart)?;
        root.present().map_err(err)?;
    }
    Ok(finish(buf, "quotas", title))
}
