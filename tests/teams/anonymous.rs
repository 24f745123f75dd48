//! The dev-only anonymous mode (for the Agents Playground) cannot be steered: it is refused beside
//! real Teams credentials and without a loopback serviceUrl to pin, it takes only JSON bodies (a
//! web page can send a tokenless text/plain POST, never an application/json one), and it replies
//! only to the configured serviceUrl, rebuilt from the configuration, whatever an activity names.

use crate::common;

use std::time::Duration;

use errkb::app::Application;
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn env(pairs: &[(&str, &str)]) -> common::Options {
    let extra_env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    common::Options { extra_env, ..common::Options::default() }
}

async fn connector() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "reply-1"})))
        .mount(&server)
        .await;
    server
}

/// A Playground-style personal message naming `service_url`.
fn activity(service_url: &str, id: &str) -> Value {
    json!({
        "type": "message", "id": id, "channelId": "msteams", "serviceUrl": service_url,
        "from": {"id": "user-1"}, "recipient": {"id": "bot-1", "name": "errkb"},
        "conversation": {"id": "personal-1", "conversationType": "personal"},
        "text": "AADSTS7000215"
    })
}

/// errkb in the anonymous mode, pinned to `playground`'s `/_connector`.
async fn anonymous_app(playground: &MockServer) -> common::TestApp {
    let pinned = format!("{}/_connector", playground.uri());
    common::spawn(env(&[("ERRKB_TEAMS_ANONYMOUS", "1"), ("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL", &pinned)])).await
}

async fn paths(server: &MockServer) -> Vec<String> {
    server.received_requests().await.unwrap_or_default().iter().map(|r| r.url.path().to_string()).collect()
}

async fn build_error(pairs: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config(dir.path(), &common::repo_kb(), &env(pairs));
    match Application::build(config).await {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn the_anonymous_mode_is_refused_beside_teams_credentials_or_without_a_loopback_service_url() {
    let playground = ("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL", "http://127.0.0.1:56150/_connector");
    let with_credentials = build_error(&[
        ("ERRKB_TEAMS_ANONYMOUS", "1"),
        playground,
        ("MICROSOFT_APP_ID", "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11"),
        ("MICROSOFT_APP_PASSWORD", "app-password-123"),
        ("MICROSOFT_APP_TENANT_ID", "tenant-1"),
    ])
    .await;
    assert!(with_credentials.contains("MICROSOFT_APP_ID"), "started beside real credentials: {with_credentials:?}");
    assert!(!with_credentials.contains("app-password-123"));
    let unpinned = build_error(&[("ERRKB_TEAMS_ANONYMOUS", "1")]).await;
    assert!(unpinned.contains("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL"), "started with no serviceUrl: {unpinned:?}");
    for remote in
        ["http://10.0.0.5:56150/_connector", "https://smba.trafficmanager.net/amer/", "http://127.0.0.1:1/?x="]
    {
        let error = build_error(&[("ERRKB_TEAMS_ANONYMOUS", "1"), ("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL", remote)]).await;
        assert!(error.contains("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL"), "{remote} was accepted");
    }
    assert_eq!(build_error(&[("ERRKB_TEAMS_ANONYMOUS", "1"), playground]).await, "", "the Playground setup starts");
}

#[tokio::test]
async fn a_tokenless_text_plain_post_such_as_a_web_page_sends_is_refused() {
    let playground = connector().await;
    let victim = connector().await;
    let app = anonymous_app(&playground).await;
    let steer = format!("{}/any/path?x=", victim.uri());
    let body = activity(&steer, "act-1").to_string();
    let sent = app.client.post(app.url("/api/messages")).header("content-type", "text/plain").body(body);
    assert_eq!(sent.send().await.unwrap().status(), 415);
    let no_type = app.client.post(app.url("/api/messages")).body(activity(&steer, "act-2").to_string());
    assert_eq!(no_type.send().await.unwrap().status(), 415);
    // A JSON activity to the Playground afterwards is answered, and by then nothing reached the victim.
    let pinned = format!("{}/_connector", playground.uri());
    let ok = app.client.post(app.url("/api/messages")).json(&activity(&pinned, "act-3")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let answered = common::eventually(Duration::from_secs(10), || async { !paths(&playground).await.is_empty() });
    assert!(answered.await, "the Playground got no reply");
    assert!(paths(&victim).await.is_empty(), "errkb posted to the victim: {:?}", paths(&victim).await);
}

#[tokio::test]
async fn replies_go_only_to_the_configured_playground_service_url_never_where_an_activity_points() {
    let playground = connector().await;
    let victim = connector().await;
    let app = anonymous_app(&playground).await;
    let other_path = format!("{}/admin/reset?x=", playground.uri());
    let elsewhere = [format!("{}/any/path?x=", victim.uri()), format!("{}/_connector", victim.uri()), other_path];
    for (i, steer) in elsewhere.iter().enumerate() {
        let response = app.client.post(app.url("/api/messages")).json(&activity(steer, &format!("bad-{i}")));
        assert_eq!(response.send().await.unwrap().status(), 200, "the activity itself is fine");
    }
    let pinned = format!("{}/_connector/", playground.uri());
    app.client.post(app.url("/api/messages")).json(&activity(&pinned, "good")).send().await.unwrap();
    let answered = common::eventually(Duration::from_secs(10), || async { !paths(&playground).await.is_empty() });
    assert!(answered.await, "the Playground got no reply");
    assert_eq!(paths(&playground).await, ["/_connector/v3/conversations/personal-1/activities/good"]);
    assert!(paths(&victim).await.is_empty(), "errkb posted to the victim: {:?}", paths(&victim).await);
}
