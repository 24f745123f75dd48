//! The Teams routes over HTTP: `POST /api/messages` with real RS256 tokens from a wiremock OpenID
//! endpoint and replies posted to a wiremock connector; `POST /teams/webhook` with HMAC; the
//! anonymous mode's loopback rule; bad input answered with a bare 4xx.

use crate::bot_framework;
use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bot_framework::microsoft;
use errkb::config::TeamsConfig;
use errkb::teams::auth::ChannelAuth;
use errkb::teams::clock::Clock;
use errkb::teams::connector::{Connector, RetryPolicy};
use errkb::teams::service::Bot;
use errkb::teams::token::TokenSource;
use errkb::teams::webhook_auth::WebhookKey;
use errkb::teams::{TeamsApp, TeamsOptions, TeamsSetupError};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::MockServer;

const APP_ID: &str = "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11";
const WEBHOOK_SECRET: &str = "ZXJya2Igb3V0Z29pbmcgd2ViaG9vayB0ZXN0IGtleSwgMzIrIGJ5dGVzIGxvbmc=";

fn teams_app(ms: &MockServer) -> TeamsApp {
    let clock = Clock::system();
    let tokens = TokenSource::new(&ms.uri(), "tenant-1", APP_ID, SecretString::from("pw"), clock.clone());
    let retry =
        RetryPolicy { attempts: 2, base_delay: Duration::from_millis(10), max_delay: Duration::from_millis(50) };
    TeamsApp {
        bot: Some(Bot {
            auth: Some(ChannelAuth::new(APP_ID, format!("{}/meta", ms.uri()), clock)),
            connector: Connector::new(tokens, vec!["127.0.0.1".into()], retry),
        }),
        webhook: Some(WebhookKey::from_secret(&SecretString::from(WEBHOOK_SECRET)).unwrap()),
    }
}

/// Serves only the Teams routes over the whole app's state; returns the base URL.
async fn serve(teams: TeamsApp) -> (String, common::TestApp) {
    let app = common::spawn(common::Options::default()).await;
    let router = errkb::teams::routes(Some(Arc::new(teams))).with_state(app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, app)
}

fn token(service_url: &str) -> String {
    bot_framework::bearer(APP_ID, service_url)
}

fn activity(service_url: &str, extra: Value) -> Value {
    let mut a = json!({
        "type": "message", "id": "act-1", "channelId": "msteams", "serviceUrl": service_url,
        "from": {"id": "29:user"}, "recipient": {"id": "28:bot", "name": "errkb"},
        "conversation": {"id": "19:chan@thread.skype;messageid=42", "conversationType": "channel"},
        "text": "<at>errkb</at> AADSTS50011",
        "entities": [{"type": "mention", "mentioned": {"id": "28:bot", "name": "errkb"}, "text": "<at>errkb</at>"}]
    });
    for (k, v) in extra.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

#[tokio::test]
async fn an_authenticated_channel_message_is_answered_in_its_thread_through_the_connector() {
    let ms = microsoft().await;
    let (base, _app) = serve(teams_app(&ms)).await;
    let service_url = format!("{}/", ms.uri());
    let response = reqwest::Client::new()
        .post(format!("{base}/api/messages"))
        .header("authorization", token(&service_url))
        .json(&activity(&service_url, json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let posted = common::eventually(Duration::from_secs(10), || async {
        ms.received_requests().await.unwrap().iter().any(|r| r.url.path().starts_with("/v3/"))
    })
    .await;
    assert!(posted, "no reply reached the connector");
    let requests = ms.received_requests().await.unwrap();
    let reply = requests.iter().find(|r| r.url.path().starts_with("/v3/")).unwrap();
    assert_eq!(reply.url.path(), "/v3/conversations/19%3Achan%40thread.skype%3Bmessageid%3D42/activities/act-1");
    assert_eq!(reply.headers.get("authorization").unwrap(), "Bearer bot-token");
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["attachments"][0]["content"]["body"][0]["text"], "AADSTS50011");
    assert_eq!(body["replyToId"], "act-1");
}

#[tokio::test]
async fn a_message_arriving_while_the_background_budget_is_full_gets_503_and_its_redelivery_is_answered() {
    let ms = microsoft().await;
    let (base, app) = serve(teams_app(&ms)).await;
    let service_url = format!("{}/", ms.uri());
    let post = || {
        reqwest::Client::new()
            .post(format!("{base}/api/messages"))
            .header("authorization", token(&service_url))
            .json(&activity(&service_url, json!({"id": "act-busy"})))
            .send()
    };
    let mut held = Vec::new();
    while let Ok(slot) = app.state.background.reserve() {
        held.push(slot);
    }
    let busy = post().await.unwrap();
    assert_eq!(busy.status(), 503, "a message that cannot be handled is not acknowledged");
    assert_eq!(busy.headers().get("retry-after").unwrap(), "1");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies =
        |requests: Vec<wiremock::Request>| requests.iter().filter(|r| r.url.path().starts_with("/v3/")).count();
    assert_eq!(replies(ms.received_requests().await.unwrap()), 0, "nothing was started");

    drop(held);
    assert_eq!(post().await.unwrap().status(), 200);
    let answered =
        common::eventually(Duration::from_secs(10), || async { replies(ms.received_requests().await.unwrap()) == 1 })
            .await;
    assert!(answered, "the redelivered activity was not claimed as a duplicate and is answered once");
}

#[tokio::test]
async fn an_invoke_is_answered_in_the_http_response() {
    let ms = microsoft().await;
    let (base, _app) = serve(teams_app(&ms)).await;
    let service_url = format!("{}/", ms.uri());
    let invoke = activity(
        &service_url,
        json!({"type": "invoke", "name": "adaptiveCard/action", "replyToId": "m1",
        "value": {"action": {"type": "Action.Execute", "verb": "feedback", "data": {"code": "AADSTS50011", "helpful": true}}}}),
    );
    let response = reqwest::Client::new()
        .post(format!("{base}/api/messages"))
        .header("authorization", token(&service_url))
        .json(&invoke)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], 200);
    assert_eq!(body["type"], "application/vnd.microsoft.card.adaptive");
}

#[tokio::test]
async fn unauthenticated_or_malformed_requests_get_a_bare_4xx() {
    let ms = microsoft().await;
    let (base, _app) = serve(teams_app(&ms)).await;
    let service_url = format!("{}/", ms.uri());
    let client = reqwest::Client::new();
    let url = format!("{base}/api/messages");
    let cases: Vec<(Option<String>, Vec<u8>, u16)> = vec![
        (None, serde_json::to_vec(&activity(&service_url, json!({}))).unwrap(), 401),
        (Some("Bearer nope".into()), serde_json::to_vec(&activity(&service_url, json!({}))).unwrap(), 401),
        (Some(token("https://other.example/")), serde_json::to_vec(&activity(&service_url, json!({}))).unwrap(), 401),
        (None, b"{not json".to_vec(), 401),
        (Some(token(&service_url)), b"{not json".to_vec(), 401),
        (Some(token(&service_url)), serde_json::to_vec(&activity(&service_url, json!({"from": 5}))).unwrap(), 400),
        (
            Some(token(&service_url)),
            serde_json::to_vec(&activity(&service_url, json!({"type": "invoke", "name": "x/y"}))).unwrap(),
            400,
        ),
        (
            Some(token(&service_url)),
            serde_json::to_vec(&activity(&service_url, json!({"type": "messageReaction"}))).unwrap(),
            200,
        ),
    ];
    for (auth, body, status) in cases {
        let mut request = client.post(&url).header("content-type", "application/json").body(body);
        if let Some(auth) = &auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{auth:?}");
        if status == 401 {
            assert!(response.text().await.unwrap().is_empty(), "a 401 carries no detail");
        }
    }
}

fn sign(body: &[u8]) -> String {
    crate::hmac::authorization(WEBHOOK_SECRET, body)
}

#[tokio::test]
async fn the_outgoing_webhook_answers_in_the_response_with_open_url_buttons_only() {
    let ms = microsoft().await;
    let (base, _app) = serve(teams_app(&ms)).await;
    let body =
        serde_json::to_vec(&json!({"type": "message", "text": "<at>errkb</at> AADSTS7000215 when calling Graph"}))
            .unwrap();
    let client = reqwest::Client::new();
    let url = format!("{base}/teams/webhook");
    let started = std::time::Instant::now();
    let response = client.post(&url).header("authorization", sign(&body)).body(body.clone()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    let reply: Value = response.json().await.unwrap();
    let card = &reply["attachments"][0]["content"];
    assert_eq!(card["body"][0]["text"], "AADSTS7000215");
    assert!(!card.to_string().contains("Action.Execute") && !card.to_string().contains("ToggleVisibility"));
    let refused = client.post(&url).header("authorization", sign(b"other")).body(body).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let garbage = client.post(&url).header("authorization", sign(b"[1")).body("[1").send().await.unwrap();
    assert_eq!(garbage.status(), 400);
}

#[test]
fn the_anonymous_mode_is_refused_unless_listening_on_loopback() {
    let teams = TeamsConfig::default();
    let playground = Some("http://127.0.0.1:56150/_connector".to_string());
    let options = TeamsOptions { anonymous: true, anonymous_service_url: playground, ..TeamsOptions::default() };
    let public: SocketAddr = "0.0.0.0:3978".parse().unwrap();
    assert!(matches!(TeamsApp::from_config(&teams, public, &options), Err(TeamsSetupError::AnonymousOffLoopback(_))));
    let local: SocketAddr = "127.0.0.1:3978".parse().unwrap();
    let app = TeamsApp::from_config(&teams, local, &options).unwrap().unwrap();
    assert!(app.bot.unwrap().auth.is_none());
    let off = TeamsApp::from_config(&teams, local, &TeamsOptions::default()).unwrap();
    assert!(off.is_none(), "nothing configured, nothing mounted");
}

#[test]
fn a_bot_needs_app_id_password_and_tenant() {
    let local: SocketAddr = "127.0.0.1:3978".parse().unwrap();
    let mut teams = TeamsConfig {
        app_id: Some(APP_ID.into()),
        app_password: Some(SecretString::from("app-password-123")),
        tenant_id: None,
        webhook_secret: None,
        ..TeamsConfig::default()
    };
    assert!(TeamsApp::from_config(&teams, local, &TeamsOptions::default()).unwrap().is_none());
    teams.tenant_id = Some("tenant-1".into());
    let app = TeamsApp::from_config(&teams, local, &TeamsOptions::default()).unwrap().unwrap();
    assert!(app.bot.unwrap().auth.is_some());
    assert!(
        !format!("{:?}", TeamsApp::from_config(&teams, local, &TeamsOptions::default())).contains("app-password-123")
    );
}

#[tokio::test]
async fn the_service_mounts_the_teams_routes_behind_the_shared_limits_when_configured() {
    let env = [
        ("MICROSOFT_APP_ID", APP_ID),
        ("MICROSOFT_APP_PASSWORD", "app-password-123"),
        ("MICROSOFT_APP_TENANT_ID", "tenant-1"),
        ("TEAMS_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ];
    let options = common::Options {
        extra_env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..common::Options::default()
    };
    let app = common::spawn(options).await;
    let client = &app.client;
    let unsigned = client.post(app.url("/api/messages")).json(&json!({"type": "message"})).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let too_big = client.post(app.url("/api/messages")).body(huge).send().await.unwrap();
    assert_eq!(too_big.status(), 413);
    let body = serde_json::to_vec(&json!({"type": "message", "text": "<at>errkb</at> AADSTS50011"})).unwrap();
    let lite =
        client.post(app.url("/teams/webhook")).header("authorization", sign(&body)).body(body).send().await.unwrap();
    assert_eq!(lite.status(), 200);
    let unconfigured = common::spawn(common::Options::default()).await;
    assert_eq!(unconfigured.client.post(unconfigured.url("/api/messages")).send().await.unwrap().status(), 404);
}
