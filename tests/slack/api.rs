//! The Web API client against a wiremock Slack: the wire format of each call, the Bearer token,
//! 429 Retry-After honoured with bounded retries, Slack's `ok: false`, and no token in errors.

use std::time::{Duration, Instant};

use errkb::slack::api::{ApiError, SlackApi};
use errkb::slack::blocks::{Message, notice};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "xoxb-test-token-never-logged";

fn token() -> SecretString {
    SecretString::from(TOKEN.to_string())
}

fn ok(extra: Value) -> ResponseTemplate {
    let mut body = json!({"ok": true});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    ResponseTemplate::new(200).set_body_json(body)
}

async fn slack() -> (MockServer, SlackApi) {
    let server = MockServer::start().await;
    let api = SlackApi::new(&format!("{}/api", server.uri())).with_retries(2, Duration::from_secs(2));
    (server, api)
}

fn hello() -> Message {
    notice("hello <!channel> & co")
}

#[tokio::test]
async fn post_message_sends_the_bearer_token_channel_thread_and_escaped_blocks() {
    let (server, api) = slack().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_partial_json(json!({"channel": "C1", "thread_ts": "1.2", "text": "hello &lt;!channel&gt; &amp; co"})))
        .respond_with(ok(json!({"ts": "1700000000.000100"})))
        .expect(1)
        .mount(&server)
        .await;
    let ts = api.post_message(&token(), "C1", Some("1.2"), &hello()).await.unwrap();
    assert_eq!(ts, "1700000000.000100");
}

#[tokio::test]
async fn ephemeral_update_views_and_response_url_each_reach_their_method() {
    let (server, api) = slack().await;
    for (route, body) in [
        ("/api/chat.postEphemeral", json!({"channel": "C1", "user": "U1"})),
        ("/api/chat.update", json!({"channel": "C1", "ts": "9.9"})),
        ("/api/views.open", json!({"trigger_id": "T.1", "view": {"type": "modal"}})),
        ("/api/views.publish", json!({"user_id": "U1", "view": {"type": "home"}})),
        ("/hooks/response", json!({"replace_original": true, "text": "hello &lt;!channel&gt; &amp; co"})),
    ] {
        Mock::given(method("POST"))
            .and(path(route))
            .and(body_partial_json(body))
            .respond_with(ok(json!({})))
            .expect(1)
            .mount(&server)
            .await;
    }
    api.post_ephemeral(&token(), "C1", "U1", None, &hello()).await.unwrap();
    api.update(&token(), "C1", "9.9", &hello()).await.unwrap();
    api.views_open(&token(), "T.1", json!({"type": "modal", "blocks": []})).await.unwrap();
    api.views_publish(&token(), "U1", json!({"type": "home", "blocks": []})).await.unwrap();
    let url = format!("{}/hooks/response", server.uri());
    api.respond(&url, hello(), json!({"replace_original": true})).await.unwrap();
}

#[tokio::test]
async fn a_429_is_waited_out_for_retry_after_then_the_call_succeeds() {
    let (server, api) = slack().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage")).respond_with(ok(json!({"ts": "2.0"}))).expect(1).mount(&server).await;
    let started = Instant::now();
    assert_eq!(api.post_message(&token(), "C1", None, &hello()).await.unwrap(), "2.0");
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn retries_are_bounded_when_slack_keeps_rate_limiting() {
    let (server, api) = slack().await;
    let api = api.with_retries(2, Duration::from_millis(10));
    Mock::given(path("/api/chat.update"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .expect(3)
        .mount(&server)
        .await;
    let err = api.update(&token(), "C1", "1.1", &hello()).await.unwrap_err();
    assert!(matches!(err, ApiError::RateLimited { attempts: 3, .. }), "{err}");
}

#[tokio::test]
async fn slack_ok_false_becomes_a_typed_error_without_the_token() {
    let (server, api) = slack().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "channel_not_found"})))
        .mount(&server)
        .await;
    let err = api.post_message(&token(), "C404", None, &hello()).await.unwrap_err();
    assert_eq!(err.slack_error(), Some("channel_not_found"));
    let shown = format!("{err} {err:?} {api:?} {:?}", token());
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[tokio::test]
async fn a_transport_error_shows_neither_the_token_nor_the_response_url() {
    let api = SlackApi::new("http://127.0.0.1:9/api");
    let err = api.post_message(&token(), "C1", None, &hello()).await.unwrap_err();
    let err2 = api.respond("http://127.0.0.1:9/commands/T1/secret-path-xyz", hello(), json!({})).await.unwrap_err();
    let shown = format!("{err} {err:?} {err2} {err2:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains("secret-path-xyz"), "{shown}");
}

#[tokio::test]
async fn every_outgoing_message_is_fitted_to_slack_limits() {
    let (server, api) = slack().await;
    Mock::given(path("/api/chat.postMessage")).respond_with(ok(json!({"ts": "3.0"}))).mount(&server).await;
    let long = Message {
        text: "t".into(),
        blocks: vec![json!({"type": "header", "text": {"type": "plain_text", "text": "h".repeat(400)}}); 60],
    };
    api.post_message(&token(), "C1", None, &long).await.unwrap();
    let sent: Value = server.received_requests().await.unwrap()[0].body_json().unwrap();
    assert!(errkb::slack::limits::check(&sent, errkb::slack::limits::Surface::Message).is_empty());
    assert_eq!(sent["blocks"].as_array().unwrap().len(), 50);
}

/// Collects everything logged (at every level) while it is the thread's subscriber.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_log_line_at_any_level_contains_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (server, api) = slack().await;
    let api = api.with_retries(1, Duration::from_millis(10));
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "invalid_auth"})))
        .mount(&server)
        .await;
    let err = api.post_message(&token(), "C1", None, &hello()).await.unwrap_err();
    tracing::warn!(error = %err, "the call failed");
    let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("rate limited"), "the retry is logged");
    assert!(logged.contains("invalid_auth"), "the failure is logged");
    assert!(!logged.contains(TOKEN), "{logged}");
}

#[tokio::test]
async fn a_redirect_is_never_followed_so_the_bearer_token_stays_with_slack() {
    let (server, api) = slack().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/steal", elsewhere.uri())))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ok(json!({"ts": "1.1"}))).mount(&elsewhere).await;
    assert!(api.post_message(&token(), "C1", None, &hello()).await.is_err());
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "the token went to the redirect target");
}
