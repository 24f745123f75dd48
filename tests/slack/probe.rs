//! The live credential probe's Slack entry points on the real router: the "Run live check" and
//! "Quick check" buttons exist only when the probe is on; an allowed user gets a private
//! one-time link bound to them, anyone else a refusal and no link; the quick-check modal opens,
//! refuses bad input with field errors before anything reaches Entra, and posts a good check's
//! result privately; the notifier posts a link's summary back to the user.

use errkb::http::probe::{ProbeSummary, Requester};
use errkb::probe::{Cloud, EntraError, Outcome, SIGN_IN_LOG_NOTE};
use errkb::slack::blocks::{PROBE_LINK, PROBE_QUICK};
use errkb::slack::limits::{self, Surface};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::Options;
use crate::harness::{Bench, PUBLIC, json_of, start, start_with};

pub const TENANT_GUID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT: &str = "11111111-2222-3333-4444-555555555555";

/// A fake Entra: discovery 200 for any tenant, the token endpoint 401 with AADSTS7000215.
pub async fn fake_entra() -> MockServer {
    let entra = MockServer::start().await;
    let issuer = format!("https://login.microsoftonline.com/{TENANT_GUID}/v2.0");
    Mock::given(method("GET"))
        .and(path_regex(r"^/[^/]+/v2\.0/\.well-known/openid-configuration$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"issuer": issuer, "cloud_instance_name": "microsoftonline.com", "token_endpoint": "x"}),
        ))
        .mount(&entra)
        .await;
    let body = json!({
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'.\r\nTrace ID: 0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001\r\nCorrelation ID: 5d2b7c9a-2222-4e1f-8a6b-3c00c0de0002\r\nTimestamp: 2025-01-01 12:00:00Z",
        "error_codes": [7000215],
        "timestamp": "2025-01-01 12:00:00Z",
        "trace_id": "0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001",
        "correlation_id": "5d2b7c9a-2222-4e1f-8a6b-3c00c0de0002",
        "error_uri": "https://login.microsoftonline.com/error?code=7000215"
    });
    Mock::given(method("POST"))
        .and(path_regex(r"^/[^/]+/oauth2/v2\.0/token$"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body))
        .mount(&entra)
        .await;
    entra
}

pub fn probe_options(entra: &MockServer, allowed: &str) -> Options {
    let env = [
        ("ERRKB_PROBE_ENABLED", "true".to_string()),
        ("ERRKB_PROBE_ALLOWED_USERS", allowed.to_string()),
        ("ERRKB_PROBE_AUTHORITY_OVERRIDE", entra.uri()),
    ];
    Options { extra_env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), ..Options::default() }
}

async fn probe_bench(entra: &MockServer) -> Bench {
    start_with(probe_options(entra, "slack:U1"), MockServer::start().await).await
}

fn click(bench: &Bench, user: &str, action_id: &str, value: &str, response_url: bool) -> Value {
    json!({"type": "block_actions", "trigger_id": "trig-1", "user": {"id": user, "username": "alex"},
        "team": {"id": "T1"}, "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1", "is_ephemeral": false},
        "response_url": if response_url { bench.response_url() } else { String::new() },
        "actions": [{"action_id": action_id, "value": value, "type": "button"}]})
}

fn submission(user: &str, tenant: &str, client_id: &str) -> Value {
    json!({"type": "view_submission", "user": {"id": user}, "team": {"id": "T1"},
        "view": {"callback_id": "probe_quick", "private_metadata": "C1", "state": {"values": {
            "tenant": {"value": {"type": "plain_text_input", "value": tenant}},
            "client_id": {"value": {"type": "plain_text_input", "value": client_id}},
            "cloud": {"value": {"type": "static_select", "selected_option": {"value": "public"}}}}}}})
}

fn action_ids(message: &Value) -> Vec<(String, String)> {
    let blocks = message["blocks"].as_array().cloned().unwrap_or_default();
    blocks
        .iter()
        .filter_map(|b| b["elements"].as_array())
        .flatten()
        .map(|e| (e["action_id"].as_str().unwrap_or("").to_string(), e["value"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// The `/probe/<token>` URL of the "Open the live check" button.
fn link_url(bench: &Bench, message: &Value) -> Option<String> {
    let prefix = format!("{}/probe/", bench.app.state.settings.public_url);
    let blocks = message["blocks"].as_array()?;
    blocks
        .iter()
        .filter_map(|b| b["elements"].as_array())
        .flatten()
        .find_map(|e| e["url"].as_str().filter(|u| u.starts_with(&prefix)).map(str::to_string))
}

async fn everything_posted(bench: &Bench) -> String {
    let requests = bench.mock.received_requests().await.unwrap_or_default();
    requests.iter().map(|r| String::from_utf8_lossy(&r.body).to_string()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn the_live_check_buttons_are_offered_only_when_the_probe_is_on() {
    let entra = fake_entra().await;
    let on = probe_bench(&entra).await;
    let answer: Value = on.command("AADSTS7000215").await.json().await.unwrap();
    let ids = action_ids(&answer);
    assert!(ids.iter().any(|(id, v)| id == PROBE_LINK && v.contains("7000215")), "{ids:?}");
    assert!(ids.iter().any(|(id, _)| id == PROBE_QUICK), "{ids:?}");
    assert!(limits::check(&answer, Surface::Message).is_empty());
    for question in ["AADSTS50011 localhost", "invalid client secret", "AADSTS99999999"] {
        let answer: Value = on.command(question).await.json().await.unwrap();
        assert!(action_ids(&answer).iter().any(|(id, _)| id == PROBE_LINK), "{question}");
        assert!(limits::check(&answer, Surface::Message).is_empty(), "{question}");
    }
    let off = start().await;
    let answer: Value = off.command("AADSTS7000215").await.json().await.unwrap();
    assert!(!answer.to_string().contains("probe_"), "no live-check button when the probe is off");
}

#[tokio::test]
async fn an_allowed_user_gets_a_private_one_time_link_bound_to_them() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    assert_eq!(bench.interaction(click(&bench, "U1", PROBE_LINK, "AADSTS7000215", true)).await.status(), 200);
    let posted = bench.wait_for("/hooks/response/1", 1).await;
    let body = json_of(&posted[0]);
    assert_eq!(body["response_type"], "ephemeral");
    assert_eq!(body["replace_original"], false);
    let text = body.to_string();
    assert!(text.contains("works once") && text.contains("10 minutes") && text.contains("never in Slack"), "{text}");
    let url = link_url(&bench, &body).expect("an Open the live check button");
    let token = url.rsplit('/').next().unwrap();
    let link = bench.app.state.store.probe_link(token).await.unwrap().expect("the link is stored");
    assert_eq!((link.platform.as_str(), link.user_id.as_str(), link.user_name.as_str()), ("slack", "U1", "alex"));
    assert!(link.guide_code.as_deref().unwrap_or_default().contains("7000215"));
    let reply: Value = serde_json::from_str(&link.reply).unwrap();
    assert_eq!(
        (reply["team"].as_str(), reply["channel"].as_str(), reply["user"].as_str()),
        (Some("T1"), Some("C1"), Some("U1"))
    );
    assert!(bench.settled("/api/chat.postMessage").await.is_empty(), "the link never goes to a channel message");
    assert!(entra.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn without_a_response_url_the_link_goes_through_chat_post_ephemeral() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    bench.interaction(click(&bench, "U1", PROBE_LINK, "AADSTS7000215", false)).await;
    let posted = bench.wait_for("/api/chat.postEphemeral", 1).await;
    let body = json_of(&posted[0]);
    assert_eq!((body["channel"].as_str(), body["user"].as_str()), (Some("C1"), Some("U1")));
    assert!(link_url(&bench, &body).is_some());
    assert!(bench.settled("/api/chat.postMessage").await.is_empty());
}

#[tokio::test]
async fn a_user_not_allowed_is_refused_privately_and_gets_no_link() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    bench.interaction(click(&bench, "U2", PROBE_LINK, "AADSTS7000215", true)).await;
    let posted = bench.wait_for("/hooks/response/1", 1).await;
    let body = json_of(&posted[0]);
    assert_eq!(body["response_type"], "ephemeral");
    assert!(body.to_string().contains("not on this errkb's list"), "{body}");
    bench.interaction(click(&bench, "U2", PROBE_QUICK, "AADSTS7000215", true)).await;
    bench.wait_for("/hooks/response/1", 2).await;
    assert!(bench.settled("/api/views.open").await.is_empty(), "no modal for a user who may not probe");
    assert!(!everything_posted(&bench).await.contains("/probe/"), "no link anywhere");
    let db = bench.app.dir.path().join("errkb.sqlite3");
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite:{}", db.display())).await.unwrap();
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM probe_links").fetch_one(&mut conn).await.unwrap();
    assert_eq!(links, 0, "no link was created");
}

#[tokio::test]
async fn quick_check_opens_a_modal_with_tenant_client_id_and_cloud() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    bench.interaction(click(&bench, "U1", PROBE_QUICK, "AADSTS7000215", true)).await;
    let opened = bench.wait_for("/api/views.open", 1).await;
    let body = json_of(&opened[0]);
    assert_eq!(body["trigger_id"], "trig-1");
    let view = &body["view"];
    assert_eq!((view["callback_id"].as_str(), view["private_metadata"].as_str()), (Some("probe_quick"), Some("C1")));
    let blocks: Vec<&str> = view["blocks"].as_array().unwrap().iter().filter_map(|b| b["block_id"].as_str()).collect();
    assert_eq!(blocks, ["tenant", "client_id", "cloud"]);
    let options = view["blocks"][3]["element"]["options"].as_array().unwrap();
    let clouds: Vec<&str> = options.iter().filter_map(|o| o["value"].as_str()).collect();
    assert_eq!(clouds, ["public", "usgov", "china"]);
    assert!(limits::check(view, Surface::View).is_empty());
}

#[tokio::test]
async fn a_bad_quick_check_gets_field_errors_and_nothing_reaches_entra() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    let cases = [
        ("evil.com/x", CLIENT, vec!["tenant"]),
        ("common", CLIENT, vec!["tenant"]),
        (TENANT_GUID, "not-a-guid", vec!["client_id"]),
        ("a/../b", "x", vec!["tenant", "client_id"]),
    ];
    for (tenant, client, fields) in cases {
        let response = bench.interaction(submission("U1", tenant, client)).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["response_action"], "errors", "{tenant}");
        let mut got: Vec<&str> = body["errors"].as_object().unwrap().keys().map(String::as_str).collect();
        got.sort_unstable();
        let mut want = fields.clone();
        want.sort_unstable();
        assert_eq!(got, want, "{tenant} {client}");
    }
    let body: Value = bench.interaction(submission("U2", TENANT_GUID, CLIENT)).await.json().await.unwrap();
    assert!(body["errors"]["tenant"].as_str().unwrap().contains("not on this errkb's list"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(entra.received_requests().await.unwrap().is_empty(), "nothing was sent to Entra");
    assert!(bench.received("/api/chat.postEphemeral").await.is_empty());
}

#[tokio::test]
async fn a_good_quick_check_posts_the_result_privately_with_the_sign_in_log_note() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    let response = bench.interaction(submission("U1", "contoso.onmicrosoft.com", CLIENT)).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().is_empty(), "the modal closes");
    let posted = bench.wait_for("/api/chat.postEphemeral", 1).await;
    let body = json_of(&posted[0]);
    assert_eq!((body["channel"].as_str(), body["user"].as_str()), (Some("C1"), Some("U1")));
    let text = body["blocks"].to_string();
    assert!(text.contains("The app is registered in this tenant"), "{text}");
    assert!(text.contains(TENANT_GUID), "{text}");
    assert!(text.contains(SIGN_IN_LOG_NOTE), "{text}");
    assert!(!text.contains("/guides/"), "a registered app needs no guide: {text}");
    assert!(bench.settled("/api/chat.postMessage").await.is_empty());
    let paths: Vec<String> =
        entra.received_requests().await.unwrap().iter().map(|r| r.url.path().to_string()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    let audit = bench.app.state.store.probe_audit(10).await.unwrap();
    assert_eq!((audit[0].user_id.as_str(), audit[0].via.as_str()), ("U1", "quick"));
}

#[tokio::test]
async fn a_quick_check_for_an_unknown_app_links_the_matching_guide() {
    let entra = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"openid-configuration$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"issuer": "https://x/y/v2.0"})))
        .mount(&entra)
        .await;
    let body = json!({"error": "unauthorized_client", "error_codes": [700016],
        "error_description": "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.\r\nTrace ID: a\r\nCorrelation ID: b"});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400).set_body_json(body)).mount(&entra).await;
    let bench = probe_bench(&entra).await;
    bench.interaction(submission("U1", TENANT_GUID, CLIENT)).await;
    let posted = bench.wait_for("/api/chat.postEphemeral", 1).await;
    let text = json_of(&posted[0])["blocks"].to_string();
    assert!(text.contains("AADSTS700016") && text.contains(SIGN_IN_LOG_NOTE), "{text}");
    let guide = format!("{}/guides/", bench.app.state.settings.public_url);
    assert!(text.contains(&guide) && text.contains("700016|"), "the matching guide: {text}");
}

fn summary(user: &str) -> ProbeSummary {
    let entra = EntraError {
        code: Some(7000215),
        error: "invalid_client<!channel>".into(),
        message: "Invalid client secret provided.".into(),
        http_status: 401,
        ..EntraError::default()
    };
    ProbeSummary {
        user_id: user.into(),
        cloud: Cloud::Public,
        tenant: TENANT_GUID.into(),
        client_id: CLIENT.into(),
        outcome: Outcome::Rejected(entra),
        guide: Some(("AADSTS7000215".into(), "Invalid client secret".into())),
        guide_url: Some(format!("{PUBLIC}/guides/AADSTS7000215")),
    }
}

async fn issue(bench: &Bench) -> errkb::store::ProbeLink {
    let state = &bench.app.state;
    let probe = state.probe.as_ref().unwrap();
    let who = Requester { platform: "slack", user_id: "U1", user_name: "alex" };
    let reply = json!({"team": "T1", "channel": "C1", "user": "U1"}).to_string();
    let url = probe.issue_link(&state.store, PUBLIC, &who, Some("AADSTS7000215"), &reply).await.unwrap();
    state.store.probe_link(url.rsplit('/').next().unwrap()).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_notifier_posts_the_summary_privately_and_escaped() {
    let entra = fake_entra().await;
    let bench = probe_bench(&entra).await;
    errkb::slack::register_probe_notifier(&bench.app.state, &bench.slack);
    let link = issue(&bench).await;
    bench.app.state.probe.as_ref().unwrap().notify(&link, &summary("U1")).await;
    let posted = bench.wait_for("/api/chat.postEphemeral", 1).await;
    let body = json_of(&posted[0]);
    assert_eq!((body["channel"].as_str(), body["user"].as_str()), (Some("C1"), Some("U1")));
    let text = body.to_string();
    assert!(text.contains("AADSTS7000215") && text.contains(TENANT_GUID) && text.contains(CLIENT), "{text}");
    assert!(text.contains("/guides/AADSTS7000215"), "{text}");
    assert!(!text.contains("<!channel>") && text.contains("&lt;!channel&gt;"), "Entra text is escaped: {text}");
    assert!(bench.received("/api/chat.postMessage").await.is_empty());
}

#[tokio::test]
async fn the_notifier_falls_back_to_a_direct_message() {
    let entra = fake_entra().await;
    let mock = MockServer::start().await;
    Mock::given(path("/api/chat.postEphemeral"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "channel_not_found"})))
        .mount(&mock)
        .await;
    let bench = start_with(probe_options(&entra, "slack:U1"), mock).await;
    errkb::slack::register_probe_notifier(&bench.app.state, &bench.slack);
    let link = issue(&bench).await;
    bench.app.state.probe.as_ref().unwrap().notify(&link, &summary("U1")).await;
    let posted = bench.wait_for("/api/chat.postMessage", 1).await;
    assert_eq!(json_of(&posted[0])["channel"], "U1", "a DM to the user, never the channel");
}

#[tokio::test]
async fn the_service_registers_the_slack_notifier_when_it_starts() {
    let entra = fake_entra().await;
    let mock = MockServer::start().await;
    crate::harness::mount_ok(&mock).await;
    let mut options = probe_options(&entra, "slack:U1");
    options.extra_env.extend([
        ("SLACK_SIGNING_SECRET".to_string(), "s".to_string()),
        ("SLACK_BOT_TOKEN".to_string(), "xoxb-x".to_string()),
        ("ERRKB_SLACK_API_URL".to_string(), format!("{}/api", mock.uri())),
    ]);
    let app = crate::common::spawn(options).await;
    let probe = app.state.probe.as_ref().unwrap();
    let who = Requester { platform: "slack", user_id: "U1", user_name: "alex" };
    let reply = json!({"team": "T1", "channel": "C1", "user": "U1"}).to_string();
    let url = probe.issue_link(&app.state.store, PUBLIC, &who, None, &reply).await.unwrap();
    let link = app.state.store.probe_link(url.rsplit('/').next().unwrap()).await.unwrap().unwrap();
    probe.notify(&link, &summary("U1")).await;
    let requests = mock.received_requests().await.unwrap();
    let ephemeral = requests.iter().find(|r| r.url.path() == "/api/chat.postEphemeral").expect("summary posted");
    assert_eq!(ephemeral.headers.get("authorization").unwrap(), "Bearer xoxb-x");
}
