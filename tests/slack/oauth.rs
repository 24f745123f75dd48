//! "Add to Slack" on the real router: install redirect with a state cookie, the callback storing
//! the installation (whose token then answers that workspace), and refused states.

use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::json;
use wiremock::matchers::{body_string_contains, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::harness::{Bench, json_of, start_with};
use crate::common::Options;

async fn bench() -> Bench {
    let mock = MockServer::start().await;
    let reply = json!({"ok": true, "access_token": "xoxb-installed-token", "token_type": "bot", "scope": "chat:write,commands",
        "bot_user_id": "UB42", "team": {"id": "T42", "name": "Contoso & Co"}, "authed_user": {"id": "U7"}});
    Mock::given(path("/api/oauth.v2.access"))
        .and(body_string_contains("code=good-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .mount(&mock)
        .await;
    Mock::given(path("/api/oauth.v2.access"))
        .and(body_string_contains("code=bad-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "invalid_code"})))
        .mount(&mock)
        .await;
    start_with(Options::default(), mock).await
}

/// Starts an install: the state from the redirect and the cookie nonce.
async fn begin(bench: &Bench) -> (String, String) {
    let response = bench.client.get(bench.url("/slack/install")).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = url::Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(&format!("{}/oauth/v2/authorize", bench.mock.uri())));
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "123.456");
    assert_eq!(query["redirect_uri"], "https://errkb.test/slack/oauth/callback");
    assert!(query["scope"].contains("chat:write"));
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"));
    (query["state"].clone(), cookie.split(';').next().unwrap().to_string())
}

async fn callback(bench: &Bench, code: &str, state: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = bench.client.get(bench.url("/slack/oauth/callback")).query(&[("code", code), ("state", state)]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_install_stores_the_workspace_and_its_token_answers_there() {
    let bench = bench().await;
    let (state, cookie) = begin(&bench).await;
    let response = callback(&bench, "good-code", &state, Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("installed in Contoso &amp; Co"), "{page}");
    assert!(!page.contains("xoxb-installed-token"));
    let install = bench.app.state.store.installation("slack", "T42").await.unwrap().expect("stored");
    assert_eq!(install.bot_user_id, "UB42");
    assert!(!format!("{install:?}").contains("xoxb-installed-token"), "Debug hides the token");
    let exchange = bench.received("/api/oauth.v2.access").await;
    let sent = String::from_utf8_lossy(&exchange[0].body).to_string();
    assert!(sent.contains("client_secret=test-client-secret") && sent.contains("redirect_uri="), "{sent}");

    let body = json!({"type": "event_callback", "team_id": "T42", "event_id": "EvT42",
        "event": {"type": "app_mention", "user": "U7", "text": "<@UB42> AADSTS50011", "ts": "1.5", "channel": "C42"}});
    bench.post_signed("/slack/events", "application/json", body.to_string().into_bytes(), &[]).await;
    let posted = bench.wait_for("/api/chat.postMessage", 1).await;
    assert_eq!(posted[0].headers["authorization"], "Bearer xoxb-installed-token");
    assert_eq!(json_of(&posted[0])["channel"], "C42");
}

#[tokio::test]
async fn a_bad_expired_or_foreign_state_is_refused_before_any_exchange() {
    let bench = bench().await;
    let (state, cookie) = begin(&bench).await;
    let forged = format!("{}0", state);
    let cases = [
        ("no cookie", state.as_str(), None),
        ("other browser", state.as_str(), Some("errkb_slack_state=someone-else")),
        ("forged", forged.as_str(), Some(cookie.as_str())),
        ("garbage", "nope", Some(cookie.as_str())),
        ("empty", "", None),
    ];
    for (label, state, cookie) in cases {
        let response = callback(&bench, "good-code", state, cookie).await;
        assert_eq!(response.status(), 400, "{label}");
    }
    assert!(bench.received("/api/oauth.v2.access").await.is_empty());
    assert!(bench.app.state.store.installation("slack", "T42").await.unwrap().is_none());
}

#[tokio::test]
async fn a_state_works_once_and_the_callback_clears_its_cookie() {
    let bench = bench().await;
    let (state, cookie) = begin(&bench).await;
    let first = callback(&bench, "bad-code", &state, Some(&cookie)).await;
    assert_eq!(first.status(), 400, "Slack refused the code");
    let cleared =
        first.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    assert!(cleared.iter().any(|c| c.starts_with("errkb_slack_state=;") && c.contains("Max-Age=0")), "{cleared:?}");
    let replay = callback(&bench, "good-code", &state, Some(&cookie)).await;
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.unwrap().contains("already used"));
    assert_eq!(bench.received("/api/oauth.v2.access").await.len(), 1, "the replayed state never reached Slack");
    assert!(bench.app.state.store.installation("slack", "T42").await.unwrap().is_none());
}

#[tokio::test]
async fn a_cancelled_or_rejected_install_changes_nothing() {
    let bench = bench().await;
    let cancelled =
        bench.client.get(bench.url("/slack/oauth/callback?error=access_denied&state=x")).send().await.unwrap();
    assert_eq!(cancelled.status(), 200);
    assert!(cancelled.text().await.unwrap().contains("cancelled"));
    let (state, cookie) = begin(&bench).await;
    let rejected = callback(&bench, "bad-code", &state, Some(&cookie)).await;
    assert_eq!(rejected.status(), 400);
    assert!(bench.app.state.store.installation("slack", "T42").await.unwrap().is_none());
}

#[tokio::test]
async fn the_slack_app_debug_output_shows_no_secret() {
    let bench = bench().await;
    let shown = format!("{:?}", bench.slack);
    for secret in [super::harness::SIGNING_SECRET, super::harness::BOT_TOKEN, super::harness::CLIENT_SECRET] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn the_install_result_pages_carry_the_same_security_headers_as_every_other_page() {
    let bench = bench().await;
    let (state, cookie) = begin(&bench).await;
    let installed = callback(&bench, "good-code", &state, Some(&cookie)).await;
    let cancelled = bench.client.get(bench.url("/slack/oauth/callback?error=access_denied")).send().await.unwrap();
    let refused = callback(&bench, "good-code", "forged.state.value", None).await;
    let search_page = bench.client.get(bench.url("/")).send().await.unwrap();
    let csp_of_pages = search_page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp_of_pages.contains("frame-ancestors 'none'"), "{csp_of_pages}");
    for response in [installed, cancelled, refused] {
        let headers = response.headers();
        let csp = headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(csp.as_deref(), Some(csp_of_pages.as_str()), "{} {headers:?}", response.status());
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store", "the page names the workspace");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
}
