//! Prometheus metrics kept in memory and rendered as text: requests by route, method and
//! status, a latency histogram per route, answers by kind, refusals by reason, reloads, query-log
//! rows written and dropped, and guides loaded. No metrics crate: a few counters behind short-lived locks.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::Method;

/// Latency bucket upper bounds, in seconds.
const BUCKETS: [f64; 11] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    total: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (count, bound) in self.counts.iter_mut().zip(BUCKETS) {
            if secs <= bound {
                *count += 1;
            }
        }
        self.total += 1;
        self.sum += secs;
    }
}

/// Per matched route: requests by method and status, and the latency histogram.
#[derive(Debug, Default)]
struct RouteStats {
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: Histogram,
}

#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    answers: Mutex<BTreeMap<&'static str, u64>>,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    refusals: super::refusals::Refusals,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Metrics {
    /// Counts one request; allocates only the first time a route is seen.
    pub fn count_request(&self, route: &str, method: &Method, status: u16, elapsed: Duration) {
        let bump = |stats: &mut RouteStats| {
            *stats.requests.entry((method_label(method), status)).or_default() += 1;
            stats.latency.observe(elapsed.as_secs_f64());
        };
        let mut routes = locked(&self.routes);
        match routes.get_mut(route) {
            Some(stats) => bump(stats),
            None => bump(routes.entry(route.to_string()).or_default()),
        }
    }

    pub fn count_answer(&self, kind: &'static str) {
        *locked(&self.answers).entry(kind).or_default() += 1;
    }

    /// Counts a refused request or connection; `Some(n)` when it should be logged at INFO (see
    /// [`super::refusals`]).
    pub fn count_refusal(&self, reason: &'static str) -> Option<u64> {
        self.refusals.count(reason, Instant::now())
    }

    pub fn count_reload(&self, ok: bool) {
        let counter = if ok { &self.reloads_ok } else { &self.reloads_failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests by route, method and status, and the latency histogram per route.
    fn render_routes(&self, out: &mut String) {
        let routes = locked(&self.routes);
        out.push_str("# HELP errkb_http_requests_total HTTP requests by matched route, method and status.\n");
        out.push_str("# TYPE errkb_http_requests_total counter\n");
        for (route, stats) in routes.iter() {
            for ((method, status), n) in &stats.requests {
                let route = escape(route);
                let _ = writeln!(
                    out,
                    "errkb_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP errkb_http_request_duration_seconds Request latency by matched route.\n");
        out.push_str("# TYPE errkb_http_request_duration_seconds histogram\n");
        for (route, stats) in routes.iter() {
            let (h, route) = (&stats.latency, escape(route));
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "errkb_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "errkb_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.total
            );
            let _ = writeln!(out, "errkb_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "errkb_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.total);
        }
    }

    /// The Prometheus text exposition of everything, plus the gauges passed in.
    pub fn render(&self, guides: usize, log_written: u64, log_dropped: u64) -> String {
        let mut out = String::new();
        self.render_routes(&mut out);
        out.push_str("# HELP errkb_answers_total Answers by kind (found, ambiguous, not_found).\n");
        out.push_str("# TYPE errkb_answers_total counter\n");
        let answers = locked(&self.answers);
        for kind in ["found", "ambiguous", "not_found"] {
            let _ = writeln!(out, "errkb_answers_total{{kind=\"{kind}\"}} {}", answers.get(kind).copied().unwrap_or(0));
        }
        drop(answers);
        self.refusals.render(&mut out);
        let gauges = [
            ("errkb_guides_loaded", "gauge", "Guides in the serving index.", guides as u64),
            (
                "errkb_kb_reloads_total",
                "counter",
                "Knowledge-base reloads swapped in.",
                self.reloads_ok.load(Ordering::Relaxed),
            ),
            (
                "errkb_kb_reload_failures_total",
                "counter",
                "Reloads refused (the last good index kept).",
                self.reloads_failed.load(Ordering::Relaxed),
            ),
            ("errkb_query_log_written_total", "counter", "Query log rows written.", log_written),
            (
                "errkb_query_log_dropped_total",
                "counter",
                "Query log rows dropped (queue full or database down).",
                log_dropped,
            ),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        out
    }
}

/// A fixed label per method, so odd methods cannot grow the series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
