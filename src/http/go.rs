//! `GET /go/{code}/{n}`: the doc links of chat answers go through errkb, so clicks are counted.
//! A 302 to the n-th documentation link (0-based) of that guide, exactly as the knowledge base
//! has it: the target is never taken from the request, so this is no open redirect. Anything
//! else (unknown guide, no such link, a link that is not http(s)) is a plain 404.
//!
//! The click is counted off the request path: the redirect never waits for the database, and
//! when too many writes are already in flight the click is dropped (and logged) rather than
//! queued without bound. Knows the engine and the store; no chat platform, no HTML.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::AppState;

/// Click writes in flight at most; more are dropped and counted.
const MAX_IN_FLIGHT: usize = 64;
static IN_FLIGHT: Semaphore = Semaphore::const_new(MAX_IN_FLIGHT);
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// The platforms a `/go` link may name (`?from=`); anything else counts as `web`.
const PLATFORMS: [&str; 3] = ["slack", "teams", "web"];

/// The `/go` URL of a guide's n-th documentation link, for an answer on `from`.
pub fn go_url(public_url: &str, code: &str, n: usize, from: &str) -> String {
    format!("{}/go/{code}/{n}?from={from}", public_url.trim_end_matches('/'))
}

/// Clicks dropped since start because too many writes were in flight.
pub fn dropped_clicks() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

#[derive(Debug, Deserialize)]
pub struct GoParams {
    #[serde(default)]
    from: String,
}

pub async fn follow(
    State(state): State<AppState>,
    Path((code, n)): Path<(String, String)>,
    params: Result<Query<GoParams>, QueryRejection>,
) -> Response {
    let from = params.ok().map(|Query(p)| p.from).unwrap_or_default();
    let from = PLATFORMS.into_iter().find(|p| *p == from).unwrap_or("web");
    let engine = state.engine.current();
    let found = engine.get(&code).and_then(|guide| {
        let index: usize = n.parse().ok()?;
        let link = guide.reference_links().into_iter().nth(index)?;
        let url = url::Url::parse(link.url.trim()).ok().filter(|u| matches!(u.scheme(), "https" | "http"))?;
        Some((guide.code.to_string(), index, url))
    });
    let Some((code, index, url)) = found else {
        return (
            StatusCode::NOT_FOUND,
            "No such link in the knowledge base: it may have moved. Search the guides on errkb's front page.",
        )
            .into_response();
    };
    count(&state, from, code, index);
    (StatusCode::FOUND, [(header::LOCATION, url.as_str()), (header::CACHE_CONTROL, "no-store")]).into_response()
}

/// Records the click in the background; never waits.
fn count(state: &AppState, from: &'static str, code: String, index: usize) {
    let Ok(permit) = IN_FLIGHT.try_acquire() else {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(code, "a link click was not counted: too many click writes in flight");
        return;
    };
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(e) = store.record_link_click(from, &code, &format!("doc:{index}")).await {
            tracing::warn!(error = %e, "counting a link click failed");
        }
        drop(permit);
    });
}
