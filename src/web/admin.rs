//! `/admin`: what people asked and what found nothing, for the last 14 days, and which guides
//! were rated helpful, as server-rendered SVG bars, then the support panels
//! ([`admin_panels`](super::admin_panels)). Behind `ERRKB_ADMIN_TOKEN` (a bearer header, or the
//! session the sign-in form sets: see [`super::admin_auth`]); the sign-in form (401) without it;
//! 404 with a clear message when no token is configured.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::Page;
use super::admin_auth::{self, Access, Client};
use crate::http::AppState;
use crate::store::{AdminStats, AuditRow, day_of};

const DAYS: i64 = 14;
const TOP: i64 = 10;
/// Guides and channels in the support panels.
const SUPPORT_TOP: usize = 20;
/// Live-check audit rows shown.
const AUDIT_ROWS: i64 = 25;

pub async fn page(State(state): State<AppState>, client: Client, headers: HeaderMap) -> Response {
    let Some(expected) = &state.settings.admin_token else {
        let body =
            html! { h1 { "Admin is off" } p { "Set " code { "ERRKB_ADMIN_TOKEN" } " to turn on the admin page." } };
        return (StatusCode::NOT_FOUND, Page::new("Admin is off", body)).into_response();
    };
    match admin_auth::check(&state, expected, admin_auth::presented(&headers), &client) {
        Access::Granted => {}
        denied => return admin_auth::deny(denied),
    }
    match state.store.admin_stats(DAYS, TOP).await {
        Ok(stats) => {
            let audit = match state.probe {
                Some(_) => state.store.probe_audit(AUDIT_ROWS).await.unwrap_or_default(),
                None => Vec::new(),
            };
            let support = state.store.support_stats(DAYS, SUPPORT_TOP).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "support statistics failed");
                Default::default()
            });
            let body = html! {
                (dashboard(&stats, state.query_log.dropped())) (super::admin_panels::panels(&support, DAYS))
                @if state.probe.is_some() { (live_checks(&audit)) }
                form method="post" action="/admin/sign-out" class="sign-out" { button type="submit" { "Sign out" } }
            };
            let mut response = Page::new("Admin", body).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "admin statistics failed");
            let body =
                html! { h1 { "Statistics unavailable" } p { "The database did not answer. Try again shortly." } };
            (StatusCode::SERVICE_UNAVAILABLE, Page::new("Admin", body)).into_response()
        }
    }
}

fn dashboard(stats: &AdminStats, dropped: u64) -> Markup {
    let per_day: Vec<(String, f64, String)> =
        stats.per_day.iter().map(|(d, n)| (d.get(5..).unwrap_or(d).to_string(), *n as f64, n.to_string())).collect();
    let codes: Vec<(String, f64, String)> =
        stats.top_codes.iter().map(|(c, n)| (c.clone(), *n as f64, n.to_string())).collect();
    let gaps: Vec<(String, f64, String)> =
        stats.top_unanswered.iter().map(|(q, n)| (q.chars().take(48).collect(), *n as f64, n.to_string())).collect();
    let rated: Vec<(String, f64, String)> = stats
        .ratings
        .iter()
        .map(|r| (r.guide_code.clone(), r.rate() * 100.0, format!("{:.0}% of {}", r.rate() * 100.0, r.votes)))
        .collect();
    html! {
        h1 { "Admin" }
        p class="meta" { (stats.total_queries) " queries in the last " (DAYS) " days."
            @if dropped > 0 { " " (dropped) " log rows were dropped since start (database slow or down)." } }
        section class="card" { h2 { "Queries per day" } (columns(&per_day)) }
        div class="grid two" {
            section class="card" { h2 { "Top codes" } (bars(&codes, "bar", None, 400.0)) }
            section class="card" { h2 { "Top unanswered queries" } p class="meta" { "The guides to write next." } (bars(&gaps, "bar gap", None, 400.0)) }
        }
        section class="card" { h2 { "Helpful rate per guide" } (bars(&rated, "bar ok", Some(100.0), 760.0)) }
    }
}

/// The newest live checks: who ran which check against which tenant and app, and what Entra said.
fn live_checks(rows: &[AuditRow]) -> Markup {
    html! {
        section class="card" id="live-checks" {
            h2 { "Live checks" }
            @if rows.is_empty() { p class="meta" { "None yet." } } @else {
                table {
                    thead { tr { th { "When (UTC)" } th { "Who" } th { "Via" } th { "Cloud" } th { "Tenant" } th { "Client id" } th { "Outcome" } } }
                    tbody { @for r in rows { tr {
                        td { (day_of(r.at)) " " (clock_of(r.at)) }
                        td { (r.platform) ":" (r.user_id) }
                        td { (r.via) } td { (r.cloud) } td { code { (r.tenant) } } td { code { (r.client_id) } }
                        td { (r.outcome) @if let Some(c) = &r.error_code { " " (c) } }
                    } } }
                }
            }
        }
    }
}

/// `HH:MM` (UTC) of a Unix time.
fn clock_of(unix: i64) -> String {
    let s = unix.rem_euclid(86_400);
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// Vertical bars, one per day, labelled under the axis.
fn columns(rows: &[(String, f64, String)]) -> Markup {
    let (w, h, pad) = (640.0, 200.0, 28.0);
    let max = rows.iter().map(|r| r.1).fold(1.0, f64::max);
    let slot = (w - 2.0 * pad) / rows.len().max(1) as f64;
    html! {
        svg class="chart" viewBox={ "0 0 " (w) " " (h) } role="img" aria-label="Queries per day" {
            line x1=(pad) y1=(h - pad) x2=(w - pad) y2=(h - pad) {}
            @for (i, (label, value, text)) in rows.iter().enumerate() {
                @let bar_h = (h - 2.0 * pad) * value / max;
                @let x = pad + i as f64 * slot;
                rect class="bar" x=(x + slot * 0.15) y=(h - pad - bar_h) width=(slot * 0.7) height=(bar_h) { title { (label) ": " (text) } }
                text x=(x + slot / 2.0) y=(h - pad - bar_h - 4.0) text-anchor="middle" { (text) }
                text class="muted" x=(x + slot / 2.0) y=(h - 8.0) text-anchor="middle" font-size="10" { (label) }
            }
        }
    }
}

/// Horizontal bars with the label above each bar; `scale` fixes the maximum (100 for rates);
/// `w` is the drawing width (wider for a full-width card, so text keeps its size).
pub(super) fn bars(rows: &[(String, f64, String)], class: &str, scale: Option<f64>, w: f64) -> Markup {
    if rows.is_empty() {
        return html! { p class="meta" { "Nothing yet." } };
    }
    let row_h = 38.0;
    let max = scale.unwrap_or_else(|| rows.iter().map(|r| r.1).fold(1.0, f64::max));
    let h = row_h * rows.len() as f64;
    html! {
        svg class="chart" viewBox={ "0 0 " (w) " " (h) } role="img" aria-label="Bar chart" {
            @for (i, (label, value, text)) in rows.iter().enumerate() {
                @let y = i as f64 * row_h;
                @let bar_w = ((w - 90.0) * value / max).max(2.0);
                text x="0" y=(y + 12.0) { (label) }
                rect class=(class) x="0" y=(y + 17.0) width=(bar_w) height="14" rx="2" { title { (label) ": " (text) } }
                text class="muted" x=(bar_w + 6.0) y=(y + 29.0) { (text) }
            }
        }
    }
}
