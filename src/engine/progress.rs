//! Progress of stack operations: one indicatif bar per region on a
//! terminal (status, resources done of total, elapsed), or the stack
//! events as plain lines when there is no terminal or colour is off.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::aws::cloudformation::StackEvent;

/// Where progress goes.
pub struct Progress {
    bars: Option<(MultiProgress, Mutex<HashMap<String, ProgressBar>>)>,
    /// When each region's operation started and finished (for `--json`).
    times: Mutex<HashMap<String, RegionTime>>,
}

/// When a region's operation started and how long it took.
#[derive(Debug, Clone, Copy)]
pub struct RegionTime {
    /// When [`Progress::start`] was called.
    pub started_at: chrono::DateTime<chrono::Utc>,
    started: Instant,
    /// From start to [`Progress::finish`] (None while it runs).
    pub elapsed: Option<Duration>,
}

impl Progress {
    /// Bars when `bars` is true (a terminal with colour on), else lines.
    pub fn new(bars: bool) -> Self {
        Progress {
            bars: bars.then(|| {
                (
                    MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                    Mutex::new(HashMap::new()),
                )
            }),
            times: Mutex::new(HashMap::new()),
        }
    }

    /// When `region`'s operation started and how long it took, if it started.
    pub fn time(&self, region: &str) -> Option<RegionTime> {
        self.times.lock().ok()?.get(region).copied()
    }

    /// Whether this draws bars.
    pub fn is_bars(&self) -> bool {
        self.bars.is_some()
    }

    /// A region starts an operation over `total` resources.
    pub fn start(&self, region: &str, total: u64, what: &str) {
        if let Ok(mut t) = self.times.lock() {
            t.insert(
                region.to_string(),
                RegionTime {
                    started_at: chrono::Utc::now(),
                    started: Instant::now(),
                    elapsed: None,
                },
            );
        }
        match &self.bars {
            Some((multi, map)) => {
                let bar = multi.add(ProgressBar::new(total));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix:>15.bold} [{bar:30.cyan/blue}] {pos:>3}/{len:3} {elapsed:>4} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(region.to_string());
                bar.set_message(what.to_string());
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
                if let Ok(mut m) = map.lock() {
                    m.insert(region.to_string(), bar);
                }
            }
            None => eprintln!("[{region}] {what} ({total} resources)"),
        }
    }

    /// A new stack event; `done` resources are complete.
    pub fn event(&self, region: &str, ev: &StackEvent, done: u64, stack_status: &str) {
        match &self.bars {
            Some((_, map)) => {
                if let Ok(m) = map.lock()
                    && let Some(bar) = m.get(region)
                {
                    bar.set_position(done);
                    bar.set_message(stack_status.to_string());
                }
            }
            None => {
                let reason = ev
                    .reason
                    .as_deref()
                    .filter(|r| !r.is_empty())
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                eprintln!(
                    "[{region}] {} {:<20} {:<45} {}{reason}",
                    ev.timestamp, ev.status, ev.resource_type, ev.logical_id
                );
            }
        }
    }

    /// A region finished.
    pub fn finish(&self, region: &str, ok: bool, message: &str) {
        if let Ok(mut t) = self.times.lock()
            && let Some(rt) = t.get_mut(region)
        {
            rt.elapsed = Some(rt.started.elapsed());
        }
        match &self.bars {
            Some((_, map)) => {
                if let Ok(m) = map.lock()
                    && let Some(bar) = m.get(region)
                {
                    if ok {
                        bar.set_position(bar.length().unwrap_or(0));
                    }
                    bar.finish_with_message(message.to_string());
                }
            }
            None => eprintln!("[{region}] {message}"),
        }
    }

    /// A line above the bars (or on its own).
    pub fn println(&self, line: &str) {
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }
}
