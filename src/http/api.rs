//! `GET /api/v1/answer?q=` and `POST /api/v1/answer` (`{"q": ...}` or a form): the same JSON as
//! `errkb ask --json`. An empty question is a 400 with a polite message; anything else, however
//! odd, gets a 200 answer (possibly `not_found`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::{ApiError, AppState};
use axum::http::header;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Deserialize)]
pub struct AnswerParams {
    #[serde(default)]
    q: String,
}

pub async fn answer_get(
    State(state): State<AppState>,
    params: Result<Query<AnswerParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = params.ok().map(|Query(p)| p.q).unwrap_or_default();
    respond(&state, &q)
}

pub async fn answer_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let is_form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let params = if is_form {
        form_params(&body)
    } else {
        let parsed: Result<Json<AnswerParams>, JsonRejection> = Json::from_bytes(&body);
        parsed.map(|Json(p)| p).map_err(|_| ApiError::BadRequest("send JSON like {\"q\": \"AADSTS50011\"}".into()))?
    };
    respond(&state, &params.q)
}

fn form_params(body: &[u8]) -> AnswerParams {
    let q = url::form_urlencoded::parse(body).find(|(k, _)| k == "q").map(|(_, v)| v.into_owned());
    AnswerParams { q: q.unwrap_or_default() }
}

fn respond(state: &AppState, q: &str) -> Result<Response, ApiError> {
    let json = state.ask_json(q, "api").map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json.body.clone()).into_response())
}
