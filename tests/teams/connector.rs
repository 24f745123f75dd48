//! The Bot Connector client against wiremock: the reply lands on the activity's conversation and
//! id with the bearer token; one token fetch for many replies; a refresh before expiry and once on
//! a 401; Retry-After honoured and retries bounded; no token sent off the serviceUrl allow-list.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use errkb::teams::clock::Clock;
use errkb::teams::connector::{Connector, ConnectorError, ReplyTo, RetryPolicy};
use errkb::teams::token::TokenSource;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PASSWORD: &str = "pa55-word~with.secret";
const CONV: &str = "19:abc@thread.skype;messageid=1700000000000";
const REPLY_PATH: &str = "/v3/conversations/19%3Aabc%40thread.skype%3Bmessageid%3D1700000000000/activities/act-1";

fn policy() -> RetryPolicy {
    RetryPolicy { attempts: 3, base_delay: Duration::from_millis(10), max_delay: Duration::from_secs(2) }
}

fn tokens(server: &MockServer, clock: Clock) -> TokenSource {
    TokenSource::new(&server.uri(), "tenant-123", "app-id-1", SecretString::from(PASSWORD), clock)
}

fn connector(server: &MockServer, clock: Clock) -> Connector {
    Connector::new(tokens(server, clock), vec!["127.0.0.1".into()], policy())
}

async fn mount_tokens(server: &MockServer, tokens: &'static [&'static str]) {
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/tenant-123/oauth2/v2.0/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("client_id=app-id-1"))
        .and(body_string_contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst).min(tokens.len() - 1);
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": tokens[n]}))
        })
        .mount(server)
        .await;
}

fn to(server: &MockServer) -> (String, &'static str, &'static str) {
    (format!("{}/", server.uri()), CONV, "act-1")
}

async fn count(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == p).count()
}

#[tokio::test]
async fn a_reply_goes_to_the_activity_in_its_conversation_with_the_bearer_token() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["tok-1"]).await;
    Mock::given(method("POST"))
        .and(path(REPLY_PATH))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "msg-9"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server, Clock::system());
    let (url, conv, id) = to(&server);
    let reply = ReplyTo { service_url: &url, conversation_id: conv, activity_id: id };
    assert_eq!(c.reply(&reply, &json!({"type": "message"})).await.unwrap().as_deref(), Some("msg-9"));
}

#[tokio::test]
async fn many_concurrent_replies_share_one_token_fetch() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["tok-1"]).await;
    Mock::given(method("POST")).and(path(REPLY_PATH)).respond_with(ResponseTemplate::new(201)).mount(&server).await;
    let c = Arc::new(connector(&server, Clock::system()));
    let url = format!("{}/", server.uri());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (c, url) = (c.clone(), url.clone());
            tokio::spawn(async move {
                let reply = ReplyTo { service_url: &url, conversation_id: CONV, activity_id: "act-1" };
                c.reply(&reply, &json!({"type": "message"})).await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(count(&server, "/tenant-123/oauth2/v2.0/token").await, 1);
    assert_eq!(count(&server, REPLY_PATH).await, 8);
}

#[tokio::test]
async fn the_token_is_refreshed_before_it_expires() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["tok-1", "tok-2"]).await;
    let (clock, time) = Clock::manual(1_000_000);
    let source = tokens(&server, clock);
    assert_eq!(source.get().await.unwrap().secret(), "tok-1");
    time.fetch_add(3000, Ordering::SeqCst);
    assert_eq!(source.get().await.unwrap().secret(), "tok-1", "still 10 minutes left");
    time.fetch_add(400, Ordering::SeqCst);
    assert_eq!(source.get().await.unwrap().secret(), "tok-2", "within five minutes of expiry");
}

#[tokio::test]
async fn a_401_refreshes_the_token_once() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["stale", "fresh"]).await;
    Mock::given(method("POST"))
        .and(path(REPLY_PATH))
        .and(header("authorization", "Bearer stale"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REPLY_PATH))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "m"})))
        .mount(&server)
        .await;
    let c = connector(&server, Clock::system());
    let (url, conv, id) = to(&server);
    let reply = ReplyTo { service_url: &url, conversation_id: conv, activity_id: id };
    assert_eq!(c.reply(&reply, &json!({})).await.unwrap().as_deref(), Some("m"));
    assert_eq!(count(&server, "/tenant-123/oauth2/v2.0/token").await, 2);
}

#[tokio::test]
async fn a_second_401_is_not_retried() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["a", "b", "c"]).await;
    Mock::given(method("POST")).and(path(REPLY_PATH)).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let c = connector(&server, Clock::system());
    let (url, conv, id) = to(&server);
    let reply = ReplyTo { service_url: &url, conversation_id: conv, activity_id: id };
    assert!(matches!(c.reply(&reply, &json!({})).await, Err(ConnectorError::Status(401))));
    assert_eq!(count(&server, REPLY_PATH).await, 2);
}

#[tokio::test]
async fn retry_after_is_honoured_on_429() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["t"]).await;
    Mock::given(method("POST"))
        .and(path(REPLY_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(REPLY_PATH)).respond_with(ResponseTemplate::new(201)).mount(&server).await;
    let c = connector(&server, Clock::system());
    let (url, conv, id) = to(&server);
    let reply = ReplyTo { service_url: &url, conversation_id: conv, activity_id: id };
    let started = Instant::now();
    c.reply(&reply, &json!({})).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "{:?}", started.elapsed());
    assert_eq!(count(&server, REPLY_PATH).await, 2);
}

#[tokio::test]
async fn retryable_statuses_are_retried_a_bounded_number_of_times_and_others_not_at_all() {
    for (status, expected_calls) in [(503, 3), (502, 3), (504, 3), (412, 3), (404, 1), (403, 1), (400, 1)] {
        let server = MockServer::start().await;
        mount_tokens(&server, &["t"]).await;
        Mock::given(method("POST"))
            .and(path(REPLY_PATH))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let c = connector(&server, Clock::system());
        let (url, conv, id) = to(&server);
        let reply = ReplyTo { service_url: &url, conversation_id: conv, activity_id: id };
        assert!(matches!(c.reply(&reply, &json!({})).await, Err(ConnectorError::Status(s)) if s == status));
        assert_eq!(count(&server, REPLY_PATH).await, expected_calls, "HTTP {status}");
    }
}

#[tokio::test]
async fn no_token_is_fetched_or_sent_for_a_service_url_off_the_allow_list() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["t"]).await;
    let c = Connector::new(tokens(&server, Clock::system()), vec!["smba.trafficmanager.net".into()], policy());
    for url in [
        format!("{}/", server.uri()),
        "https://evil.example.com/amer/".into(),
        "http://smba.trafficmanager.net/".into(),
    ] {
        let reply = ReplyTo { service_url: &url, conversation_id: CONV, activity_id: "a" };
        assert!(matches!(c.reply(&reply, &json!({})).await, Err(ConnectorError::NotAllowed(_))), "{url}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn secrets_never_show_in_debug_output_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&server)
        .await;
    let source = tokens(&server, Clock::system());
    let err = source.get().await.unwrap_err();
    for text in [format!("{source:?}"), err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(PASSWORD), "{text}");
    }
    let server = MockServer::start().await;
    mount_tokens(&server, &["tok-secret-value"]).await;
    let token = tokens(&server, Clock::system()).get().await.unwrap();
    assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
}

#[tokio::test]
async fn redirects_are_never_followed_by_the_token_fetch_or_the_reply() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&elsewhere).await;
    let moved = ResponseTemplate::new(308).insert_header("location", format!("{}/steal", elsewhere.uri()));
    Mock::given(method("POST"))
        .and(path("/tenant-123/oauth2/v2.0/token"))
        .respond_with(moved.clone())
        .mount(&server)
        .await;
    let clock = Clock::system();
    assert!(tokens(&server, clock.clone()).get().await.is_err(), "a redirected token request fails");
    server.reset().await;
    mount_tokens(&server, &["tok-1"]).await;
    Mock::given(method("POST")).and(path(REPLY_PATH)).respond_with(moved).mount(&server).await;
    let (service_url, conv, act) = to(&server);
    let reply = ReplyTo { service_url: &service_url, conversation_id: conv, activity_id: act };
    assert!(connector(&server, clock).reply(&reply, &json!({"type": "message"})).await.is_err());
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "a credential went to the redirect target");
}
