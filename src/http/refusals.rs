//! Refused requests (a bad signature or token, a wrong admin token, a connection beyond the cap...)
//! counted by reason for `/metrics`, and logged without letting unauthenticated traffic flood the
//! log: each reason gets at most one INFO line per [`LOG_EVERY`], which says how many refusals of
//! that reason went unlogged since the last line; the others are logged at DEBUG.
//!
//! Reasons are fixed `&'static str` labels chosen by the code, never request data, so the series
//! cannot grow with hostile input.

use std::collections::BTreeMap;
use std::fmt::{Display, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most one INFO line per reason in this long.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
struct Reason {
    total: u64,
    last_logged: Option<Instant>,
    unlogged: u64,
}

/// Refusals by reason, with the log throttle.
#[derive(Debug, Default)]
pub struct Refusals {
    reasons: Mutex<BTreeMap<&'static str, Reason>>,
}

impl Refusals {
    /// Counts one refusal; `Some(n)` when this one should be logged at INFO, `n` being how many
    /// of the same reason were not logged since the last INFO line.
    pub fn count(&self, reason: &'static str, now: Instant) -> Option<u64> {
        let mut reasons = self.reasons.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = reasons.entry(reason).or_default();
        entry.total += 1;
        let due = entry.last_logged.is_none_or(|at| now.duration_since(at) >= LOG_EVERY);
        if !due {
            entry.unlogged += 1;
            return None;
        }
        entry.last_logged = Some(now);
        Some(std::mem::take(&mut entry.unlogged))
    }

    /// `errkb_refusals_total{reason}` in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        out.push_str("# HELP errkb_refusals_total Requests and connections refused, by reason.\n");
        out.push_str("# TYPE errkb_refusals_total counter\n");
        let reasons = self.reasons.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (reason, r) in reasons.iter() {
            let _ = writeln!(out, "errkb_refusals_total{{reason=\"{reason}\"}} {}", r.total);
        }
    }
}

/// Counts a refusal in `metrics` and logs it, throttled: `reason` is the metric label, `detail`
/// the specific cause (it must hold no secret and no request data).
pub fn refused(metrics: &super::Metrics, reason: &'static str, detail: &dyn Display) {
    match metrics.count_refusal(reason) {
        Some(0) => tracing::info!(reason, detail = %detail, "request refused"),
        Some(unlogged) => tracing::info!(
            reason,
            detail = %detail,
            unlogged,
            "request refused ({unlogged} more of this kind since the last line were logged at debug only)"
        ),
        None => tracing::debug!(reason, detail = %detail, "request refused"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_reason_and_interval_with_the_count_of_the_unlogged() {
        let r = Refusals::default();
        let t0 = Instant::now();
        assert_eq!(r.count("slack_signature", t0), Some(0));
        for i in 1..=99 {
            assert_eq!(r.count("slack_signature", t0 + Duration::from_millis(i)), None);
        }
        assert_eq!(r.count("teams_token", t0), Some(0), "reasons are throttled apart");
        assert_eq!(r.count("slack_signature", t0 + LOG_EVERY), Some(99));
        assert_eq!(r.count("slack_signature", t0 + LOG_EVERY * 3), Some(0));
        let mut text = String::new();
        r.render(&mut text);
        assert!(text.contains("errkb_refusals_total{reason=\"slack_signature\"} 102"), "{text}");
        assert!(text.contains("errkb_refusals_total{reason=\"teams_token\"} 1"), "{text}");
    }
}
