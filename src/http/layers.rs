//! The middleware stack every route gets, in one place: a trace span per request named by the
//! matched route, metrics, a timeout, the request body limit (413 beyond it) and a few safe
//! response headers; and the security headers every HTML page carries ([`page_headers`]).

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::{AppState, metrics};

/// Scripts and styles only from errkb itself; no framing, no plugins, forms post only here.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
                            form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The headers of every HTML page, whichever adapter renders it: the content security policy
/// ([`PAGE_CSP`]) and `X-Frame-Options: DENY` for browsers without `frame-ancestors`.
pub fn page_headers(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// A body refused for its size is left unread, so the connection cannot carry another request:
/// say so (`Connection: close`), so that clients open a new one instead of meeting a reset.
fn close_after_413<B>(response: &axum::http::Response<B>) -> Option<HeaderValue> {
    (response.status() == StatusCode::PAYLOAD_TOO_LARGE).then(|| HeaderValue::from_static("close"))
}

/// Wraps `router` in the standard layers. Later `.layer` calls run first, so the trace span
/// encloses everything else.
pub fn apply(router: Router<AppState>, state: &AppState, body_limit: usize, timeout: Duration) -> Router<AppState> {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(SetResponseHeaderLayer::overriding(header::CONNECTION, close_after_413))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(metrics::TrackLayer(state.metrics.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
                    // The matched route only (`/probe/{token}`), never the path or the query: a
                    // path may hold a one-time probe token, a query a pasted secret. DEBUG level:
                    // free at the default `info`, shown with RUST_LOG=errkb=debug,tower_http=debug.
                    tracing::debug_span!("request", method = %request.method(), route)
                })
                // One line per request at debug (RUST_LOG=tower_http=debug); info stays quiet.
                .on_response(DefaultOnResponse::new().level(Level::DEBUG))
                // A 5xx is counted by status in /metrics, and whatever caused it logs its own
                // cause (throttled for refusals); a line per failed response would let a flood
                // of 503s (overload shedding) flood the log.
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG)),
        )
}
