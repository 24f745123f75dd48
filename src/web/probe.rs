//! `GET|POST /probe/{token}`: the one-time live-check page. GET shows the form without using the
//! link (chat unfurlers fetch links too); POST runs the pre-flight checks (a mistake re-shows the
//! form and keeps the link), then redeems the link atomically, runs the guarded probe as the chat
//! user the link was issued to, shows the outcome and sends a secret-free summary back to chat.
//!
//! Knows axum's multipart extractor and the probe guards; the secret, key, .pfx and its
//! password are read into wiped buffers and live only in `secrecy` wrappers for the length of
//! the request (the request body's own buffers, owned by hyper and multer, excepted).

use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use zeroize::Zeroizing;

use super::Page;
use super::probe_view::{self, Prefill};
use crate::http::AppState;
use crate::http::probe::{ProbeService, ProbeSummary, Refusal, Requester};
use crate::probe::{CredentialInput, Outcome, ProbeInput, Ready, preflight};
use crate::store::ProbeLink;

/// The form fields as posted.
#[derive(Default)]
struct Posted {
    prefill: Prefill,
    secret: Option<SecretString>,
    cert_pem: Option<SecretString>,
    key_pem: Option<SecretString>,
    pfx: Option<SecretSlice<u8>>,
    pfx_password: Option<SecretString>,
}

pub async fn form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let link = match usable_link(&state, &token).await {
        Ok(link) => link,
        Err(r) => return r,
    };
    let body = probe_view::form(&link.user_name, &format!("/probe/{token}"), &Prefill::default(), &[]);
    private(StatusCode::OK, Page::new("Live credential check", body))
}

pub async fn submit(State(state): State<AppState>, Path(token): Path<String>, multipart: Multipart) -> Response {
    let Some(probe) = state.probe.clone() else { return gone(StatusCode::NOT_FOUND, "The live check is turned off.") };
    let link = match usable_link(&state, &token).await {
        Ok(link) => link,
        Err(r) => return r,
    };
    let posted = match read_form(multipart).await {
        Ok(p) => p,
        Err(reason) => return private(StatusCode::BAD_REQUEST, Page::new("Bad request", probe_view::gone(&reason))),
    };
    let prefill = posted.prefill.clone();
    let ready = match preflight(input(posted), state.store.now()) {
        Ok(ready) => ready,
        Err(mistakes) => {
            let body = probe_view::form(&link.user_name, &format!("/probe/{token}"), &prefill, &mistakes);
            return private(StatusCode::UNPROCESSABLE_ENTITY, Page::new("Live credential check", body));
        }
    };
    match state.store.redeem_probe_link(&token).await {
        Ok(Some(link)) => run(&state, &probe, &link, &ready).await,
        Ok(None) => gone(StatusCode::GONE, "This link was just used or has expired."),
        Err(e) => {
            tracing::warn!(error = %e, "redeeming a probe link failed");
            gone(StatusCode::SERVICE_UNAVAILABLE, "The live check is unavailable right now.")
        }
    }
}

async fn run(state: &AppState, probe: &std::sync::Arc<ProbeService>, link: &ProbeLink, ready: &Ready) -> Response {
    let who = Requester { platform: &link.platform, user_id: &link.user_id, user_name: &link.user_name };
    let outcome = match probe.run(&state.store, &who, "link", ready).await {
        Ok(outcome) => outcome,
        Err(refusal) => {
            let status = match refusal {
                Refusal::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            return gone(status, &format!("Not run: {refusal}."));
        }
    };
    let guide = guide_for(state, &outcome);
    let summary = ProbeSummary {
        user_id: link.user_id.clone(),
        cloud: ready.cloud,
        tenant: ready.tenant.to_string(),
        client_id: ready.client_id.clone(),
        outcome: outcome.clone(),
        guide_url: guide.as_ref().map(|(code, _)| format!("{}/guides/{code}", state.settings.public_url)),
        guide: guide.clone(),
    };
    let (probe, link) = (probe.clone(), link.clone());
    tokio::spawn(async move { probe.notify(&link, &summary).await });
    let body = probe_view::outcome(&outcome, guide.as_ref().map(|(c, t)| (c.as_str(), t.as_str())));
    private(StatusCode::OK, Page::new("Live check result", body))
}

/// `(code, title)` of the guide that explains the outcome.
pub fn guide_for(state: &AppState, outcome: &Outcome) -> Option<(String, String)> {
    let code = outcome.guide_code()?;
    let engine = state.engine.current();
    engine.get(&code).map(|g| (g.code.to_string(), g.title()))
}

/// The link if it can still be used, else the page saying why not.
async fn usable_link(state: &AppState, token: &str) -> Result<ProbeLink, Response> {
    if state.probe.is_none() {
        return Err(gone(StatusCode::NOT_FOUND, "The live check is turned off on this errkb."));
    }
    if token.len() > 128 {
        crate::http::refused(&state.metrics, "probe_link", &"malformed one-time link");
        return Err(gone(StatusCode::NOT_FOUND, "This link is not valid."));
    }
    match state.store.probe_link(token).await {
        Ok(Some(link)) if link.used_at.is_some() => Err(gone(StatusCode::GONE, "This link was already used.")),
        Ok(Some(link)) if link.expires_at <= state.store.now() => Err(gone(StatusCode::GONE, "This link has expired.")),
        Ok(Some(link)) => Ok(link),
        Ok(None) => {
            crate::http::refused(&state.metrics, "probe_link", &"unknown one-time link");
            Err(gone(StatusCode::NOT_FOUND, "This link is not valid."))
        }
        Err(e) => {
            tracing::warn!(error = %e, "reading a probe link failed");
            Err(gone(StatusCode::SERVICE_UNAVAILABLE, "The live check is unavailable right now."))
        }
    }
}

fn gone(status: StatusCode, reason: &str) -> Response {
    private(status, Page::new("Link unavailable", probe_view::gone(reason)))
}

/// Never cached, never sent as a referrer.
fn private(status: StatusCode, page: Page) -> Response {
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn read_form(mut multipart: Multipart) -> Result<Posted, String> {
    let mut p = Posted::default();
    let bad = || "The form could not be read; reload the page and try again.".to_string();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = wiped_bytes(&mut field).await.map_err(|_| bad())?;
        match name.as_str() {
            // Secret material goes from the wiped buffer straight into its wrapper.
            "pfx" => p.pfx = (!bytes.is_empty()).then(|| SecretSlice::from(bytes.to_vec())),
            "secret" => p.secret = Some(secret_text(&bytes).ok_or_else(bad)?),
            "key_pem" => {
                p.key_pem = Some(secret_text(&bytes).ok_or_else(bad)?).filter(|k| !k.expose_secret().trim().is_empty())
            }
            // The certificate text may hold the private key too.
            "cert_pem" => p.cert_pem = Some(secret_text(&bytes).ok_or_else(bad)?),
            "pfx_password" => p.pfx_password = Some(secret_text(&bytes).ok_or_else(bad)?),
            _ => {
                let text = std::str::from_utf8(&bytes).map_err(|_| bad())?.to_string();
                match name.as_str() {
                    "cloud" => p.prefill.cloud = text.parse().map_err(|_| "Unknown cloud.".to_string())?,
                    "tenant" => p.prefill.tenant = text,
                    "client_id" => p.prefill.client_id = text,
                    "scope" => p.prefill.scope = text,
                    "credential" => p.prefill.use_certificate = text == "certificate",
                    _ => {}
                }
            }
        }
    }
    Ok(p)
}

/// A field's bytes in one buffer that is wiped when dropped, sized once (growing a `Vec` would
/// free unwiped copies). The chunks themselves are the request body's buffers, which hyper and
/// multer own and do not wipe.
async fn wiped_bytes(field: &mut Field<'_>) -> Result<Zeroizing<Vec<u8>>, axum::extract::multipart::MultipartError> {
    let mut chunks = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        chunks.push(chunk);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(chunks.iter().map(|c| c.len()).sum()));
    for chunk in &chunks {
        out.extend_from_slice(chunk);
    }
    Ok(out)
}

/// UTF-8 text into a `SecretString` of exactly its length (no intermediate `String`).
fn secret_text(bytes: &[u8]) -> Option<SecretString> {
    std::str::from_utf8(bytes).ok().map(SecretString::from)
}

fn input(p: Posted) -> ProbeInput {
    let credential = match (p.prefill.use_certificate, p.pfx) {
        (true, Some(data)) => {
            CredentialInput::Pkcs12 { data, password: p.pfx_password.unwrap_or_else(|| SecretString::from("")) }
        }
        (true, None) => {
            CredentialInput::Pem { cert: p.cert_pem.unwrap_or_else(|| SecretString::from("")), key: p.key_pem }
        }
        (false, _) => CredentialInput::Secret(p.secret.unwrap_or_else(|| SecretString::from(""))),
    };
    let scope = Some(p.prefill.scope.clone()).filter(|s| !s.trim().is_empty());
    ProbeInput { cloud: p.prefill.cloud, tenant: p.prefill.tenant, client_id: p.prefill.client_id, credential, scope }
}
