//! ADAPTER: server-rendered HTML pages with maud: `/` (search box and answer), `/guides` (every
//! guide by category), `/guides/{code}` (the full guide, an anchor per section, copyable
//! commands), `POST /feedback` ("did this help?"), `/admin` (usage and gaps, behind `ERRKB_ADMIN_TOKEN`, with its sign-in form), the one-time live-check page
//! `/probe/{token}` and the HTML 404 page.
//!
//! Knows maud, axum and the answer core's types; must not know Slack, Teams or SQL (it reads the
//! store's plain statistics). All user text goes through maud's escaping; handlers stay thin.

mod admin;
mod admin_auth;
mod admin_panels;
mod answer;
mod feedback;
mod guide;
mod layout;
mod probe;
mod probe_view;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::http::AppState;

pub use answer::answer_html;
pub use layout::Page;

/// The HTML routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(search))
        .route("/guides", get(guides))
        .route("/guides/{code}", get(guide_page))
        .route("/admin", get(admin::page))
        .route("/admin/sign-in", axum::routing::post(admin_auth::sign_in))
        .route("/admin/sign-out", axum::routing::post(admin_auth::sign_out))
        .route("/feedback", axum::routing::post(feedback::record))
        .route("/probe/{token}", get(probe::form).post(probe::submit))
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", layout::CSS) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript; charset=utf-8", layout::JS) }))
        .route("/assets/favicon.svg", get(|| async { asset("image/svg+xml", layout::FAVICON) }))
        .route("/favicon.ico", get(|| async { Redirect::permanent("/assets/favicon.svg") }))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
}

async fn search(State(state): State<AppState>, params: Result<Query<SearchParams>, QueryRejection>) -> Response {
    let q = params.ok().map(|Query(p)| p.q).unwrap_or_default();
    let answer = if q.trim().is_empty() { None } else { state.ask(&q, "web").ok() };
    let title = if answer.is_some() { "Answer" } else { "Explain an error" };
    Page::new(title, answer::search_page(&q, answer.as_ref(), &state.settings.public_url)).into_response()
}

async fn guides(State(state): State<AppState>) -> Response {
    let engine = state.engine.current();
    Page::new("All guides", guide::index(engine.guides())).into_response()
}

async fn guide_page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let engine = state.engine.current();
    match engine.get(&code) {
        Some(guide) if guide.code.as_str() != code => {
            Redirect::permanent(&format!("/guides/{}", guide.code)).into_response()
        }
        Some(guide) => Page::new(&guide.title(), guide::full(guide)).into_response(),
        None => {
            let body = guide::unknown(&code, &engine);
            (StatusCode::NOT_FOUND, Page::new("Guide not found", body)).into_response()
        }
    }
}

/// The HTML 404 page for any unknown path.
pub async fn not_found(uri: Uri) -> Response {
    let body = maud::html! {
        h1 { "Page not found" }
        p { "There is no page at " code { (uri.path()) } "." }
        p { a href="/" { "Search the knowledge base" } " or browse " a href="/guides" { "all guides" } "." }
    };
    (StatusCode::NOT_FOUND, Page::new("Page not found", body)).into_response()
}
