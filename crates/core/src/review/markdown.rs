//! The review as markdown, for a pull-request comment, a step summary or a
//! merge-request note: a hidden marker, a headline table per region, the
//! risk items (never cut), then one `<details>` block per region with its
//! property changes. When the target's size limit is reached, blocks are
//! cut at whole lines, every code fence is closed, and a line says what was
//! left out and where the full plan is. No colour codes, no control
//! characters: values are printed as JSON text.

use std::fmt::Write as _;

use super::risk::{RiskItem, classify};
use super::{Counts, PlanReview, RegionReview, ReviewCommand, Target};
use crate::diff::ResourceChange;
use crate::text::truncate;

/// The hidden marker a workflow finds its comment by:
/// `<!-- streamscale env=prod plan=sha256:… -->` (the command is named
/// for drift, so a drift issue and a plan comment never share it).
pub fn marker(review: &PlanReview) -> String {
    let env = clean(&review.environment).replace("--", "-");
    match review.command {
        ReviewCommand::Plan => {
            format!(
                "<!-- streamscale env={env} plan=sha256:{} -->",
                review.plan_sha256
            )
        }
        ReviewCommand::Drift => {
            format!(
                "<!-- streamscale drift env={env} plan=sha256:{} -->",
                review.plan_sha256
            )
        }
    }
}

/// The markdown of `review`, within `target`'s size limit. The head
/// (marker, table, risk items) is always whole, even if alone it passes
/// the limit; only the per-region detail is trimmed.
pub fn render_markdown(review: &PlanReview, target: Target) -> String {
    let risks = classify(review);
    let head = head(review, &risks);
    let blocks: Vec<Block> = review
        .regions
        .iter()
        .filter_map(|r| region_block(review.command, r))
        .chain(cloudflare_block(review))
        .collect();
    let (limit, _) = target.limit();
    let footer_room = target.size_of(&left_out_line(
        review,
        target,
        blocks.len(),
        &blocks.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
    ));
    let mut budget = limit
        .saturating_sub(target.size_of(&head))
        .saturating_sub(footer_room);
    let mut out = head;
    let mut left_out: Vec<&str> = Vec::new();
    for b in &blocks {
        if !left_out.is_empty() {
            left_out.push(&b.name);
            continue;
        }
        let whole = b.text(b.lines.len());
        let size = target.size_of(&whole);
        if size <= budget {
            budget -= size;
            out.push_str(&whole);
            continue;
        }
        // Cut at a whole line: as many lines as fit, the fence closed.
        let keep = b.lines_that_fit(target, budget);
        if keep > 0 {
            out.push_str(&b.text(keep));
        }
        left_out.push(&b.name);
    }
    if !left_out.is_empty() {
        out.push_str(&left_out_line(review, target, left_out.len(), &left_out));
    }
    out
}

/// The line that says what a size limit left out and where the full plan is.
fn left_out_line(review: &PlanReview, target: Target, n: usize, names: &[&str]) -> String {
    let (limit, unit) = target.limit();
    let unit = match unit {
        super::SizeUnit::Chars => "characters",
        super::SizeUnit::Bytes => "bytes",
    };
    let full = match review.command {
        ReviewCommand::Plan => "Full plan",
        ReviewCommand::Drift => "Full drift report",
    };
    format!(
        "> **Trimmed to fit {} {unit}:** the detail of {n} section{} was left out in whole or in part ({}). The risk items above are complete. {full}: {}.\n",
        thousands(limit),
        if n == 1 { "" } else { "s" },
        names.join(", "),
        clean(&review.full_plan_at)
    )
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn head(review: &PlanReview, risks: &[RiskItem]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", marker(review));
    let what = match review.command {
        ReviewCommand::Plan => "plan",
        ReviewCommand::Drift => "drift",
    };
    let _ = writeln!(
        out,
        "## streamscale {what}: `{}`\n",
        clean(&review.environment)
    );
    let _ = writeln!(
        out,
        "| region | create | update | replace | delete | drift |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for r in &review.regions {
        row(&mut out, &clean(&r.region), Counts::of(r));
    }
    if !review.cloudflare.is_empty() {
        let c = PlanReview {
            regions: Vec::new(),
            ..review.clone()
        }
        .totals();
        row(&mut out, "cloudflare", c);
    }
    row(&mut out, "**total**", review.totals());
    out.push('\n');
    if risks.is_empty() {
        let _ = writeln!(out, "**Risk items:** none.\n");
    } else {
        let _ = writeln!(out, "### Risk items ({})\n", risks.len());
        for r in risks {
            let _ = writeln!(
                out,
                "- **{}** {} {} ({}): {}",
                r.kind.word(),
                clean(&r.region),
                code(&r.logical_id),
                clean(&r.resource_type),
                code(&r.detail)
            );
        }
        out.push('\n');
    }
    out
}

fn row(out: &mut String, name: &str, c: Counts) {
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | {} |",
        c.create, c.update, c.replace, c.delete, c.drift
    );
}

/// One `<details>` block: its opening, body lines in a code fence, closing.
struct Block {
    name: String,
    summary: String,
    lines: Vec<String>,
}

impl Block {
    /// The block with its first `keep` body lines (a note says how many
    /// lines were cut); the fence is always closed.
    fn text(&self, keep: usize) -> String {
        let run = self
            .lines
            .iter()
            .map(|l| longest_backtick_run(l))
            .max()
            .unwrap_or(0);
        let fence = "`".repeat((run + 1).max(3));
        let mut out = format!("<details><summary>{}</summary>\n\n{fence}\n", self.summary);
        for l in &self.lines[..keep] {
            out.push_str(l);
            out.push('\n');
        }
        let _ = writeln!(out, "{fence}\n");
        let cut = self.lines.len() - keep;
        if cut > 0 {
            let _ = writeln!(
                out,
                "_… {} more line{} of {} left out._\n",
                thousands(cut),
                if cut == 1 { "" } else { "s" },
                self.name
            );
        }
        out.push_str("</details>\n\n");
        out
    }
}

impl Block {
    /// How many body lines fit in `budget` with the block's frame and the
    /// note on what was cut (zero when not even the frame fits).
    fn lines_that_fit(&self, target: Target, budget: usize) -> usize {
        let frame = target.size_of(&self.text(0));
        let mut used = frame;
        let mut keep = 0;
        for l in &self.lines {
            used += target.size_of(l) + 1;
            if used > budget {
                break;
            }
            keep += 1;
        }
        // The cut note grows by a digit at most; recheck the exact text.
        while keep > 0 && target.size_of(&self.text(keep)) > budget {
            keep -= 1;
        }
        if frame > budget { 0 } else { keep }
    }
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        if ch == '`' {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

fn change_lines(lines: &mut Vec<String>, c: &ResourceChange) {
    lines.push(format!(
        "{:>3} {:<7} {} ({})",
        c.action.symbol(),
        c.action.word(),
        clean(&c.logical_id),
        clean(&c.resource_type)
    ));
    for p in &c.properties {
        lines.push(format!(
            "        {}: {} → {}",
            clean(&p.path),
            value(&p.before),
            value(&p.after)
        ));
    }
}

fn value(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => clean(&truncate(&v.to_string(), 200)),
    }
}

fn region_block(command: ReviewCommand, r: &RegionReview) -> Option<Block> {
    let c = Counts::of(r);
    if !c.any() && r.notes.is_empty() {
        return None;
    }
    let notes = r.notes.iter().map(|n| format!("note: {}", clean(n)));
    // A plan's notes say how it was derived: first. A drift review's
    // findings come first, its notes (what was not checked) after.
    let mut lines: Vec<String> = match command {
        ReviewCommand::Plan => notes.collect(),
        ReviewCommand::Drift => Vec::new(),
    };
    for ch in &r.changes {
        change_lines(&mut lines, ch);
    }
    for d in &r.drift {
        let path = if d.path.is_empty() {
            String::new()
        } else {
            format!(" {}", clean(&d.path))
        };
        lines.push(format!(
            "  ~ drift   [{}] {} ({}){path}: plan {} ≠ runs {}",
            clean(&d.severity),
            clean(&d.logical_id),
            clean(&d.resource_type),
            value(&Some(d.expected.clone())),
            value(&Some(d.actual.clone()))
        ));
    }
    if command == ReviewCommand::Drift {
        lines.extend(r.notes.iter().map(|n| format!("note: {}", clean(n))));
    }
    let summary = match command {
        ReviewCommand::Plan => format!(
            "{}: {} ({} create, {} update, {} replace, {} delete)",
            clean(&r.region),
            clean(&r.stack_action),
            c.create,
            c.update,
            c.replace,
            c.delete
        ),
        ReviewCommand::Drift => format!(
            "{}: {} ({} drifted propert{})",
            clean(&r.region),
            clean(&r.stack_action),
            c.drift,
            if c.drift == 1 { "y" } else { "ies" }
        ),
    };
    Some(Block {
        name: clean(&r.region),
        summary: html(&summary),
        lines,
    })
}

fn cloudflare_block(review: &PlanReview) -> Option<Block> {
    if review.cloudflare.is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    for c in &review.cloudflare {
        change_lines(
            &mut lines,
            &ResourceChange {
                logical_id: c.name.clone(),
                resource_type: c.kind.clone(),
                action: c.action,
                properties: c.properties.clone(),
            },
        );
    }
    Some(Block {
        name: "cloudflare".into(),
        summary: format!("cloudflare: {} changes", review.cloudflare.len()),
        lines,
    })
}

/// Text without control characters (no colour codes, no line breaks).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Text safe inside an HTML element.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Inline code that survives any backticks in `s`.
fn code(s: &str) -> String {
    let s = clean(s);
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}
