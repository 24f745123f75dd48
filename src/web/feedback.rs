//! "Did this help?" on the web answer: a plain POST form (no script needed) that records a vote
//! for the guide shown. The voter is the salted hash of the client address; one vote per voter
//! and answer (a later vote replaces it).

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::Page;
use crate::http::AppState;
use crate::store::{Feedback, hash_user};

#[derive(Debug, Deserialize)]
pub struct Vote {
    guide: String,
    #[serde(default)]
    q: String,
    vote: i64,
}

/// The form under an answer.
pub fn form(guide: &str, q: &str) -> Markup {
    let q: String = q.chars().take(300).collect();
    html! {
        form class="feedback" method="post" action="/feedback" {
            input type="hidden" name="guide" value=(guide);
            input type="hidden" name="q" value=(q);
            span id="helped" { "Did this help?" }
            button type="submit" name="vote" value="1" aria-describedby="helped" { "Yes" }
            button type="submit" name="vote" value="-1" aria-describedby="helped" { "No" }
        }
    }
}

pub async fn record(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    vote: Result<Form<Vote>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(vote)) = vote else { return bad("The vote could not be read.") };
    if vote.vote != 1 && vote.vote != -1 {
        return bad("A vote is yes or no.");
    }
    let engine = state.engine.current();
    let Some(guide) = engine.get(&vote.guide) else { return bad("There is no such guide.") };
    let salt = state.settings.user_hash_salt.expose_secret();
    let voter = peer.map(|Extension(ConnectInfo(addr))| addr.ip().to_string()).unwrap_or_default();
    let answer_id = hash_user(salt, "web-answer", &format!("{}\n{}", guide.code, vote.q))[..16].to_string();
    let code = guide.code.to_string();
    let feedback = Feedback {
        answer_id: &answer_id,
        guide_code: &code,
        vote: vote.vote,
        platform: "web",
        user_hash: hash_user(salt, "web", &voter),
    };
    if let Err(e) = state.store.record_feedback(&feedback).await {
        tracing::warn!(error = %e, "feedback not recorded");
        return bad("The vote could not be recorded. Please try again later.");
    }
    let body = html! {
        h1 { "Thanks" }
        p { "Your vote on " a href={ "/guides/" (code) } { (code) } " was recorded. It helps decide which guides to improve." }
        p { a href="/" { "Ask another question" } }
    };
    Page::new("Thanks", body).into_response()
}

fn bad(message: &str) -> Response {
    let body = html! { h1 { "Vote not recorded" } p { (message) } p { a href="/" { "Back to search" } } };
    (StatusCode::BAD_REQUEST, Page::new("Vote not recorded", body)).into_response()
}
