//! Who may see `/admin`: the admin token (`ERRKB_ADMIN_TOKEN`) sent as `Authorization: Bearer`,
//! or the session cookie the sign-in form sets (`POST /admin/sign-in`): HttpOnly,
//! SameSite=Strict, path `/admin`, 12 hours, holding its expiry and an HMAC of it keyed by the
//! token (so a new token ends every session, and the cookie never holds the token). The token is
//! never taken from the URL (browser history, proxy logs). Wrong tokens and forged cookies count
//! against the client's address ([`Throttle`](crate::http::throttle::Throttle)): past the
//! allowance every attempt is a 429 until the window ends.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use maud::html;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;

use super::Page;
use crate::http::AppState;

const COOKIE: &str = "errkb_admin";
const SESSION_SECS: i64 = 12 * 3600;

/// The client's address as the server loop saw it (unspecified when unknown).
pub type Client = Option<Extension<ConnectInfo<SocketAddr>>>;

/// What a request to `/admin` may do.
pub enum Access {
    Granted,
    /// Show the sign-in form, with this note.
    Denied(Option<&'static str>),
    /// Too many failures from this address: wait this long.
    Throttled(Duration),
}

fn address(client: &Client) -> IpAddr {
    client.as_ref().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |Extension(ConnectInfo(addr))| addr.ip())
}

/// What a request shows to prove it may see `/admin`.
pub enum Presented<'a> {
    Token(&'a str),
    Session(&'a str),
    Nothing,
}

/// The bearer token of a request, else its session cookie.
pub fn presented(headers: &HeaderMap) -> Presented<'_> {
    match (bearer(headers), cookie(headers)) {
        (Some(token), _) => Presented::Token(token),
        (None, Some(session)) => Presented::Session(session),
        (None, None) => Presented::Nothing,
    }
}

/// Checks a token or session against `expected`, throttled per client address.
pub fn check(state: &AppState, expected: &SecretString, presented: Presented<'_>, client: &Client) -> Access {
    let ip = address(client);
    if let Err(wait) = state.admin_throttle.check(ip, Instant::now()) {
        crate::http::refused(&state.metrics, "admin_throttled", &"too many failed admin sign-ins");
        return Access::Throttled(wait);
    }
    let valid = match presented {
        Presented::Token(token) => same(token.as_bytes(), expected.expose_secret().as_bytes()),
        Presented::Session(session) => match session_valid(expected, session, state.store.now()) {
            Some(valid) => valid,
            None => return Access::Denied(Some("Your session has ended: sign in again.")),
        },
        Presented::Nothing => return Access::Denied(None),
    };
    if valid {
        state.admin_throttle.succeed(ip);
        return Access::Granted;
    }
    state.admin_throttle.fail(ip, Instant::now());
    crate::http::refused(&state.metrics, "admin_token", &"wrong admin token or forged session");
    Access::Denied(Some("That token is not right."))
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    token: String,
}

/// `POST /admin/sign-in`: a right token sets the session cookie and goes back to `/admin`.
pub async fn sign_in(State(state): State<AppState>, client: Client, Form(form): Form<SignIn>) -> Response {
    let Some(expected) = &state.settings.admin_token else { return StatusCode::NOT_FOUND.into_response() };
    let token = SecretString::from(form.token);
    match check(&state, expected, Presented::Token(token.expose_secret()), &client) {
        Access::Granted => {
            let expires = state.store.now() + SESSION_SECS;
            let secure = if state.settings.public_url.starts_with("https://") { "; Secure" } else { "" };
            let cookie = format!(
                "{COOKIE}={expires}.{}; Path=/admin; Max-Age={SESSION_SECS}; HttpOnly; SameSite=Strict{secure}",
                mac(expected, expires)
            );
            see_other(Some(&cookie))
        }
        denied => deny(denied),
    }
}

/// `POST /admin/sign-out`: clears the session cookie.
pub async fn sign_out() -> Response {
    see_other(Some(&format!("{COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict")))
}

/// The sign-in page (401) or the throttle's 429.
pub fn deny(access: Access) -> Response {
    let (status, note, wait) = match access {
        Access::Throttled(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many wrong tokens from your address: wait and try again."),
            Some(wait),
        ),
        Access::Denied(note) => (StatusCode::UNAUTHORIZED, note, None),
        Access::Granted => (StatusCode::OK, None, None),
    };
    let body = html! {
        h1 { "Sign in" }
        @if let Some(note) = note { p class="field-error" role="alert" { (note) } }
        p { "Enter the admin token (" code { "ERRKB_ADMIN_TOKEN" } "). Scripts send it as "
            code { "Authorization: Bearer …" } " instead." }
        form method="post" action="/admin/sign-in" class="probe sign-in" {
            label for="token" { "Admin token" }
            input type="password" id="token" name="token" autocomplete="current-password" required;
            button type="submit" class="primary" { "Sign in" }
        }
    };
    let mut response = (status, Page::new("Sign in", body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(wait) = wait {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
    }
    response
}

fn see_other(cookie: Option<&str>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/admin")]).into_response();
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == COOKIE).then_some(v)
    })
}

/// Hex HMAC-SHA256 of the session's expiry, keyed by the admin token.
fn mac(key: &SecretString, expires: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret().as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("errkb-admin-session|{expires}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// `Some(true)` for a genuine unexpired session, `Some(false)` for a forged one, `None` for a
/// genuine one that has expired.
fn session_valid(key: &SecretString, session: &str, now: i64) -> Option<bool> {
    let Some((expires, given)) = session.split_once('.') else { return Some(false) };
    let Ok(expires) = expires.parse::<i64>() else { return Some(false) };
    if !same(given.as_bytes(), mac(key, expires).as_bytes()) {
        return Some(false);
    }
    (now < expires).then_some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_genuine_only_under_the_same_token_and_before_it_expires() {
        let key = SecretString::from("admin-token-0123456789");
        let session = format!("2000.{}", mac(&key, 2000));
        assert_eq!(session_valid(&key, &session, 1999), Some(true));
        assert_eq!(session_valid(&key, &session, 2000), None, "expired");
        assert_eq!(session_valid(&SecretString::from("another-token"), &session, 1999), Some(false));
        assert_eq!(session_valid(&key, &format!("9999.{}", mac(&key, 2000)), 1999), Some(false), "expiry edited");
        assert_eq!(session_valid(&key, "garbage", 1999), Some(false));
        assert!(!session.contains("admin-token"));
    }
}
