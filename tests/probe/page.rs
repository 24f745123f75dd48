//! Helpers for the `/probe` page tests: an app with the probe on and pointed at a fake Entra,
//! one-time links issued as a chat user would get them, and form posts.
#![allow(dead_code)]

use errkb::http::probe::Requester;
use reqwest::multipart::Form;

use super::common::{Options, TestApp, spawn};

pub const ALICE: &str = "U0ALICE";
pub const BOB: &str = "U0BOB";

/// Options for an app whose probe is on, allows Alice and Bob on Slack, and asks `fake`.
pub fn probe_options(fake: &str, extra: &[(&str, &str)]) -> Options {
    let mut env = vec![
        ("ERRKB_PROBE_ENABLED".to_string(), "true".to_string()),
        ("ERRKB_PROBE_ALLOWED_USERS".to_string(), format!("slack:{ALICE}, {BOB}")),
        ("ERRKB_PROBE_AUTHORITY_OVERRIDE".to_string(), fake.to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Options { extra_env: env, ..Options::default() }
}

pub async fn probe_app(fake: &str, extra: &[(&str, &str)]) -> TestApp {
    spawn(probe_options(fake, extra)).await
}

/// Issues a link for `user` on Slack; returns the token.
pub async fn issue(app: &TestApp, user: &str) -> String {
    issue_on(app, "slack", user, "{}").await
}

/// Issues a link for `user` on `platform` with the adapter's `reply` JSON; returns the token.
pub async fn issue_on(app: &TestApp, platform: &str, user: &str, reply: &str) -> String {
    let probe = app.state.probe.as_ref().expect("probe is on");
    let who = Requester { platform, user_id: user, user_name: &format!("{user}-name") };
    let url = probe
        .issue_link(&app.state.store, &app.state.settings.public_url, &who, Some("AADSTS7000215"), reply)
        .await
        .expect("link issued");
    url.rsplit('/').next().unwrap().to_string()
}

/// The form as a browser posts it, with a secret.
pub fn secret_form(tenant: &str, client: &str, secret: &str) -> Form {
    Form::new()
        .text("cloud", "public")
        .text("tenant", tenant.to_string())
        .text("client_id", client.to_string())
        .text("scope", "")
        .text("credential", "secret")
        .text("secret", secret.to_string())
        .text("cert_pem", "")
        .text("key_pem", "")
        .text("pfx_password", "")
}

/// POSTs a form to the link; returns status and body.
pub async fn post(app: &TestApp, token: &str, form: Form) -> (u16, String) {
    let r = app.client.post(app.url(&format!("/probe/{token}"))).multipart(form).send().await.expect("posted");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

pub async fn get(app: &TestApp, token: &str) -> (u16, String) {
    let r = app.get(&format!("/probe/{token}")).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}
