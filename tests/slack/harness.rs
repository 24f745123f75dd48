//! A Slack test bench: the real service (temporary SQLite, shipped kb/) with the Slack routes
//! mounted through `app::router`, a wiremock Slack Web API (also serving response_urls and the
//! OAuth authorize page), and helpers that sign requests as Slack does.

use std::sync::Arc;
use std::time::Duration;

use errkb::slack::api::SlackApi;
use errkb::slack::{OAuthClient, SlackApp};
use errkb::store::system_clock;
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{self, Options, TestApp};

pub const SIGNING_SECRET: &str = "test-signing-secret-8f742231b10e";
pub const BOT_TOKEN: &str = "xoxb-test-bot-token";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const PUBLIC: &str = "https://errkb.test";

pub struct Bench {
    pub app: TestApp,
    pub slack: Arc<SlackApp>,
    pub mock: MockServer,
    /// Where the Slack routes are served.
    pub base: String,
    pub client: reqwest::Client,
}

/// Mounts "ok" answers for every Web API method and response_url (after any test-specific mocks).
pub async fn mount_ok(mock: &MockServer) {
    Mock::given(path_regex("^/api/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "ts": "1700000000.000200"})))
        .mount(mock)
        .await;
    Mock::given(path_regex("^/hooks/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(mock)
        .await;
}

/// The service with Slack on, and a wiremock Slack with `extra` mocks mounted first.
pub async fn start_with(options: Options, mock: MockServer) -> Bench {
    let app = common::spawn(options).await;
    mount_ok(&mock).await;
    let slack = slack_app(&mock);
    let router = errkb::app::router(app.state.clone(), Some(slack.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Bench { client: app.client.clone(), app, slack, mock, base }
}

pub async fn start() -> Bench {
    start_with(Options::default(), MockServer::start().await).await
}

pub fn slack_app(mock: &MockServer) -> Arc<SlackApp> {
    let api = SlackApi::new(&format!("{}/api", mock.uri())).with_retries(3, Duration::from_secs(2));
    let oauth = OAuthClient {
        client_id: "123.456".into(),
        client_secret: SecretString::from(CLIENT_SECRET.to_string()),
        authorize_url: format!("{}/oauth/v2/authorize", mock.uri()),
    };
    let secret = SecretString::from(SIGNING_SECRET.to_string());
    let token = Some(SecretString::from(BOT_TOKEN.to_string()));
    Arc::new(SlackApp::new(Some(&secret), api, token, Some(oauth), PUBLIC, system_clock()))
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `v0=` HMAC-SHA256 of `v0:{ts}:{body}`, as Slack signs.
pub fn signature(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("v0={hex}")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

impl Bench {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A response_url on the fake Slack.
    pub fn response_url(&self) -> String {
        format!("{}/hooks/response/1", self.mock.uri())
    }

    /// POSTs `body`, signed now with the app's secret, plus `headers`.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let ts = now();
        let mut request = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", signature(SIGNING_SECRET, ts, &body));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(body).send().await.unwrap()
    }

    pub async fn command(&self, text: &str) -> reqwest::Response {
        let body = form(&[
            ("command", "/aadsts"),
            ("text", text),
            ("team_id", "T1"),
            ("channel_id", "C1"),
            ("user_id", "U1"),
            ("response_url", &self.response_url()),
            ("trigger_id", "1.2.3"),
        ]);
        self.post_signed("/slack/commands", "application/x-www-form-urlencoded", body.into_bytes(), &[]).await
    }

    pub async fn event(&self, event_id: &str, event: Value, headers: &[(&str, &str)]) -> reqwest::Response {
        let body = json!({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
            "event_time": now(), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": true}], "event": event});
        self.post_signed("/slack/events", "application/json", body.to_string().into_bytes(), headers).await
    }

    pub async fn interaction(&self, payload: Value) -> reqwest::Response {
        let body = form(&[("payload", &payload.to_string())]);
        self.post_signed("/slack/interactions", "application/x-www-form-urlencoded", body.into_bytes(), &[]).await
    }

    /// Requests the fake Slack received on `path`.
    pub async fn received(&self, path: &str) -> Vec<Request> {
        self.mock.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == path).collect()
    }

    /// Waits (up to 5 s) until `path` got at least `n` requests, and returns them.
    pub async fn wait_for(&self, path: &str, n: usize) -> Vec<Request> {
        common::eventually(Duration::from_secs(5), || async { self.received(path).await.len() >= n }).await;
        let got = self.received(path).await;
        assert!(got.len() >= n, "{path}: {} of {n} requests arrived", got.len());
        got
    }

    /// Lets background work settle, then returns what `path` received.
    pub async fn settled(&self, path: &str) -> Vec<Request> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.received(path).await
    }
}

pub fn json_of(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or(Value::Null)
}
