//! `/healthz` (the process answers), `/readyz` (an index with guides is loaded and the store
//! answers) and `/metrics` (Prometheus text, with the support channels' refused automatic
//! answers and dropped link clicks).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use super::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let guides = state.engine.current().len();
    let store_ok = tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await.unwrap_or(false);
    let ready = guides > 0 && store_ok;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "guides": guides,
        "store": if store_ok { "ok" } else { "unreachable" },
        "backend": state.store.backend(),
    });
    (status, Json(body))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text =
        state.metrics.render(state.engine.current().len(), state.query_log.written(), state.query_log.dropped());
    let support = [
        (
            "errkb_auto_answers_refused_total",
            "Automatic answers not posted: too many waiting in one channel.",
            state.pacer.refused(),
        ),
        (
            "errkb_link_clicks_dropped_total",
            "Link clicks not counted: too many click writes in flight.",
            super::go::dropped_clicks(),
        ),
    ];
    for (name, help, value) in support {
        text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}
