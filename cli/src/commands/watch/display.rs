//! The live display of `kiro watch` on standard error: on a terminal, a line per trigger kept
//! up to date (its state, held time and explanation) under the changes as they happen; else
//! only the changes, one plain line each.

use crate::commands::replay::render::{change_lines, state_word};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiro::monitor::{MonitorDecision, TriggerReport};
use kiro::units::duration::format_duration;

/// Where progress goes.
pub struct Display {
    start_ms: u64,
    live: Option<(MultiProgress, Vec<ProgressBar>)>,
}

impl Display {
    /// A display for a watch that started at `start_ms`; live bars when `terminal`.
    pub fn new(terminal: bool, start_ms: u64) -> Self {
        let live = terminal.then(|| {
            (
                MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                Vec::new(),
            )
        });
        Self { start_ms, live }
    }

    /// A line of its own (above the live bars on a terminal).
    pub fn line(&self, text: &str) {
        match &self.live {
            Some((multi, _)) => {
                let _ = multi.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    /// Shows decision `d` (after `before`): its changes as lines, and every trigger's state.
    pub fn decision(&mut self, before: Option<&MonitorDecision>, d: &MonitorDecision) {
        for line in change_lines(before, d, self.start_ms) {
            self.line(&line);
        }
        let Some((multi, bars)) = &mut self.live else {
            return;
        };
        let width = d.triggers.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for (i, t) in d.triggers.iter().enumerate() {
            if bars.len() <= i {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bars.push(bar);
            }
            if let Some(bar) = bars.get(i) {
                bar.set_message(status(t, width));
                bar.tick();
            }
        }
    }

    /// Removes the live bars.
    pub fn clear(&self) {
        if let Some((multi, bars)) = &self.live {
            for bar in bars {
                bar.finish_and_clear();
            }
            let _ = multi.clear();
        }
    }
}

/// One trigger's live line: name, state, held time against `for`, explanation.
fn status(t: &TriggerReport, width: usize) -> String {
    let held = t
        .tiers
        .iter()
        .filter(|tier| tier.held_ms > 0 || tier.for_ms > 0)
        .map(|tier| {
            format!(
                "held {} of {}",
                format_duration(tier.held_ms),
                format_duration(tier.for_ms)
            )
        })
        .next()
        .unwrap_or_default();
    format!(
        "{:width$}  {:<22} {held:<20} {}",
        t.name,
        state_word(t),
        t.explanation
    )
}
