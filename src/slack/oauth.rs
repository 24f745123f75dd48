//! "Add to Slack": `GET /slack/install` redirects to Slack's authorize page with a `state` that
//! is signed (HMAC-SHA256 with the client secret), expires after 10 minutes and is bound to a
//! cookie set on the same browser; `GET /slack/oauth/callback` checks all three (CSRF), accepts a
//! state once (its nonce claimed in the store), clears the cookie, trades the code for the bot
//! token (oauth.v2.access) and keeps the installation in the store.
//!
//! Owns the install flow. Knows no chat payloads. Tokens and the client secret never reach a
//! log, a page or an error.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, http::HeaderValue};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::escape::escape;
use super::service::{BOT_SCOPES, OAuthClient, SlackApp};
use crate::http::AppState;
use crate::store::Installation;

const COOKIE: &str = "errkb_slack_state";
const STATE_TTL_SECONDS: i64 = 600;

/// Why a callback's `state` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the install link is malformed")]
    Malformed,
    #[error("the install link was not made by errkb")]
    BadSignature,
    #[error("the install link has expired")]
    Expired,
    #[error("the install was started in another browser")]
    CookieMismatch,
}

/// A fresh `(state, nonce)`: the nonce goes in the cookie.
pub fn new_state(secret: &SecretString, now: i64) -> (String, String) {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        bytes.copy_from_slice(&<Sha256 as sha2::Digest>::digest(nanos.to_le_bytes())[..16]);
    }
    let nonce: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let payload = format!("{}.{nonce}", now + STATE_TTL_SECONDS);
    (format!("{payload}.{}", sign(secret, &payload)), nonce)
}

/// Checks a callback's `state` against the secret, the clock and the browser's cookie nonce.
pub fn check_state(secret: &SecretString, state: &str, cookie_nonce: Option<&str>, now: i64) -> Result<(), StateError> {
    let mut parts = state.splitn(3, '.');
    let (Some(expires), Some(nonce), Some(signature)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(StateError::Malformed);
    };
    let expires: i64 = expires.parse().map_err(|_| StateError::Malformed)?;
    let mut mac = mac(secret);
    mac.update(format!("{expires}.{nonce}").as_bytes());
    let given = decode_hex(signature).ok_or(StateError::BadSignature)?;
    mac.verify_slice(&given).map_err(|_| StateError::BadSignature)?;
    if now > expires {
        return Err(StateError::Expired);
    }
    match cookie_nonce {
        Some(c) if c == nonce => Ok(()),
        _ => Err(StateError::CookieMismatch),
    }
}

fn mac(secret: &SecretString) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes()).unwrap_or_else(|_| unreachable!())
}

fn sign(secret: &SecretString, payload: &str) -> String {
    let mut mac = mac(secret);
    mac.update(payload.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

fn redirect_uri(slack: &SlackApp) -> String {
    format!("{}/slack/oauth/callback", slack.public_url)
}

/// `GET /slack/install`: to Slack's authorize page, with the state cookie set. With
/// `?auto_answer=1` the install also asks for the channel-history scopes automatic answers need
/// (Slack shows them on its consent page).
pub async fn install(
    Extension(slack): Extension<Arc<SlackApp>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(oauth) = &slack.oauth else {
        return page(StatusCode::NOT_FOUND, "Install through OAuth is not configured here.");
    };
    let (state, nonce) = new_state(&oauth.client_secret, (slack.clock)());
    let scopes = match params.get("auto_answer").map(String::as_str) {
        Some("1" | "true" | "yes") => format!("{BOT_SCOPES},{}", super::AUTO_ANSWER_SCOPES),
        _ => BOT_SCOPES.to_string(),
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &oauth.client_id)
        .append_pair("scope", &scopes)
        .append_pair("state", &state)
        .append_pair("redirect_uri", &redirect_uri(&slack))
        .finish();
    let mut response = Redirect::to(&format!("{}?{query}", oauth.authorize_url)).into_response();
    let cookie =
        format!("{COOKIE}={nonce}; Path=/slack/oauth; Max-Age={STATE_TTL_SECONDS}; HttpOnly; Secure; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `GET /slack/oauth/callback?code=...&state=...`.
pub async fn callback(
    State(state): State<AppState>,
    Extension(slack): Extension<Arc<SlackApp>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(oauth) = &slack.oauth else {
        return page(StatusCode::NOT_FOUND, "Install through OAuth is not configured here.");
    };
    if query.contains_key("error") {
        return page(StatusCode::OK, "The install was cancelled in Slack. Nothing was changed.");
    }
    let given = query.get("state").map(String::as_str).unwrap_or_default();
    if let Err(e) = check_state(&oauth.client_secret, given, cookie(&headers, COOKIE), (slack.clock)()) {
        crate::http::refused(&state.metrics, "slack_oauth_state", &e);
        return clear_cookie(page(StatusCode::BAD_REQUEST, &format!("{e}: start again from the install page.")));
    }
    if let Err((status, message)) = use_state_once(&state, given).await {
        return clear_cookie(page(status, message));
    }
    let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
        let message = "Slack sent no authorization code: start again from the install page.";
        return clear_cookie(page(StatusCode::BAD_REQUEST, message));
    };
    clear_cookie(match exchange(&state, &slack, oauth, code).await {
        Ok(team) => page(StatusCode::OK, &format!("errkb is installed in {team}. Try /aadsts 7000215 in any channel.")),
        Err((status, message)) => page(status, &message),
    })
}

/// A checked state is good for one callback: its nonce is claimed in the store (shared by every
/// replica) until it would have expired anyway.
async fn use_state_once(state: &AppState, given: &str) -> Result<(), (StatusCode, &'static str)> {
    let nonce = given.split('.').nth(1).unwrap_or_default();
    let ttl = std::time::Duration::from_secs(STATE_TTL_SECONDS as u64);
    match state.store.claim_event("slack-oauth-state", nonce, ttl).await {
        Ok(true) => Ok(()),
        Ok(false) => {
            crate::http::refused(&state.metrics, "slack_oauth_state", &"the state was already used");
            Err((StatusCode::BAD_REQUEST, "This install link was already used: start again from the install page."))
        }
        Err(e) => {
            tracing::warn!(error = %e, "Slack install: the state could not be claimed");
            Err((StatusCode::SERVICE_UNAVAILABLE, "errkb could not check the install link: try again in a minute."))
        }
    }
}

/// The state cookie has done its job once the callback is answered, whatever the outcome.
fn clear_cookie(mut response: Response) -> Response {
    let expired = format!("{COOKIE}=; Path=/slack/oauth; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// oauth.v2.access, then the installation row; returns the team's name. A code Slack refuses is
/// a 400; Slack or the database failing is a 502 / 503 (a browser shows it; Slack never retries).
async fn exchange(
    state: &AppState,
    slack: &SlackApp,
    oauth: &OAuthClient,
    code: &str,
) -> Result<String, (StatusCode, String)> {
    let reply =
        slack.api.oauth_access(&oauth.client_id, &oauth.client_secret, code, &redirect_uri(slack)).await.map_err(
            |e| {
                tracing::warn!(error = %e, "Slack install failed at oauth.v2.access");
                let status = if e.slack_error().is_some() { StatusCode::BAD_REQUEST } else { StatusCode::BAD_GATEWAY };
                (status, "Slack did not accept the install: start again from the install page.".to_string())
            },
        )?;
    let text = |path: &str| reply.pointer(path).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let install = Installation {
        platform: "slack".into(),
        team_id: text("/team/id"),
        enterprise_id: Some(text("/enterprise/id")).filter(|s| !s.is_empty()),
        bot_user_id: text("/bot_user_id"),
        bot_token: SecretString::from(text("/access_token")),
        scopes: text("/scope"),
        installed_by: text("/authed_user/id"),
    };
    if install.team_id.is_empty() || install.bot_token.expose_secret().is_empty() {
        let message = "Slack's answer had no workspace or token: start again from the install page.";
        return Err((StatusCode::BAD_GATEWAY, message.into()));
    }
    state.store.save_installation(&install).await.map_err(|e| {
        tracing::warn!(error = %e, "saving the Slack installation failed");
        (StatusCode::SERVICE_UNAVAILABLE, "errkb could not save the install: try again in a minute.".to_string())
    })?;
    tracing::info!(team = %install.team_id, "Slack workspace installed");
    Ok(text("/team/name"))
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

fn page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>errkb for Slack</title></head>\
         <body><main><h1>errkb for Slack</h1><p>{}</p></main></body></html>",
        escape(message)
    );
    // The same headers as errkb's other pages (no framing, nothing loaded from elsewhere), and
    // never cached: the page names the workspace.
    let mut response = (status, Html(body)).into_response();
    crate::http::page_headers(response.headers_mut());
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("client-secret".to_string())
    }

    #[test]
    fn a_fresh_state_passes_with_its_cookie_and_fails_every_other_way() {
        let (state, nonce) = new_state(&secret(), 1000);
        assert_eq!(check_state(&secret(), &state, Some(&nonce), 1000), Ok(()));
        assert_eq!(check_state(&secret(), &state, Some("other"), 1000), Err(StateError::CookieMismatch));
        assert_eq!(check_state(&secret(), &state, None, 1000), Err(StateError::CookieMismatch));
        assert_eq!(check_state(&secret(), &state, Some(&nonce), 1000 + 601), Err(StateError::Expired));
        let other = SecretString::from("x".to_string());
        assert_eq!(check_state(&other, &state, Some(&nonce), 1000), Err(StateError::BadSignature));
        let forged = state.replacen("1600", "9999", 1);
        assert_eq!(check_state(&secret(), &forged, Some(&nonce), 1000), Err(StateError::BadSignature));
        assert_eq!(check_state(&secret(), "nope", None, 0), Err(StateError::Malformed));
        assert_eq!(check_state(&secret(), "1.2.zz", None, 0), Err(StateError::BadSignature));
    }

    #[test]
    fn the_state_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; errkb_slack_state=abc; b=2"));
        assert_eq!(cookie(&headers, COOKIE), Some("abc"));
    }
}
