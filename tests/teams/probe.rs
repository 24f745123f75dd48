//! The live credential probe's Teams entry points over HTTP, with real RS256 tokens from a
//! wiremock Bot Framework (OpenID metadata, keys, token endpoint, connector) and a wiremock
//! Entra: the buttons exist only when the probe is on and keep Teams' limits; an allowed user
//! gets the one-time link in the personal chat (created through the connector when the click
//! came from a channel), never in the channel; anyone else a refusal and no link; the quick
//! check's form, its refusals before anything reaches Entra, and its result; the notifier.

use crate::bot_framework;
use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bot_framework::microsoft;
use errkb::http::probe::{ProbeSummary, Requester};
use errkb::probe::{Cloud, EntraError, Outcome, SIGN_IN_LOG_NOTE};
use errkb::teams::TeamsApp;
use errkb::teams::auth::ChannelAuth;
use errkb::teams::card::{self, MAX_ACTIONS, MAX_CARD_BYTES, Mode, Render};
use errkb::teams::clock::Clock;
use errkb::teams::connector::{Connector, RetryPolicy};
use errkb::teams::service::Bot;
use errkb::teams::token::TokenSource;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const APP_ID: &str = "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11";
const TENANT_GUID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
const CHANNEL: &str = "19:chan@thread.skype;messageid=42";

/// A fake Entra: discovery 200, the token endpoint 401 with AADSTS7000215.
async fn fake_entra() -> MockServer {
    let entra = MockServer::start().await;
    let issuer = format!("https://login.microsoftonline.com/{TENANT_GUID}/v2.0");
    Mock::given(method("GET"))
        .and(path_regex(r"openid-configuration$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"issuer": issuer})))
        .mount(&entra)
        .await;
    let body = json!({"error": "invalid_client", "error_codes": [7000215],
        "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: a\r\nCorrelation ID: b\r\nTimestamp: 2025-01-01 12:00:00Z"});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(401).set_body_json(body)).mount(&entra).await;
    entra
}

fn teams_app(ms: &MockServer) -> Arc<TeamsApp> {
    let clock = Clock::system();
    let tokens = TokenSource::new(&ms.uri(), "tenant-1", APP_ID, SecretString::from("pw"), clock.clone());
    let retry =
        RetryPolicy { attempts: 2, base_delay: Duration::from_millis(10), max_delay: Duration::from_millis(50) };
    Arc::new(TeamsApp {
        bot: Some(Bot {
            auth: Some(ChannelAuth::new(APP_ID, format!("{}/meta", ms.uri()), clock)),
            connector: Connector::new(tokens, vec!["127.0.0.1".into()], retry),
        }),
        webhook: None,
    })
}

struct Bench {
    base: String,
    app: common::TestApp,
    ms: MockServer,
    entra: MockServer,
    teams: Arc<TeamsApp>,
}

async fn start(probe: bool) -> Bench {
    let (ms, entra) = (microsoft().await, fake_entra().await);
    let mut options = common::Options::default();
    if probe {
        options.extra_env = vec![
            ("ERRKB_PROBE_ENABLED".into(), "true".into()),
            ("ERRKB_PROBE_ALLOWED_USERS".into(), "teams:29:alex".into()),
            ("ERRKB_PROBE_AUTHORITY_OVERRIDE".into(), entra.uri()),
        ];
    }
    let app = common::spawn(options).await;
    let teams = teams_app(&ms);
    let router = errkb::teams::routes(Some(teams.clone())).with_state(app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Bench { base, app, ms, entra, teams }
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

fn token(service_url: &str) -> String {
    bot_framework::bearer(APP_ID, service_url)
}

impl Bench {
    fn service_url(&self) -> String {
        format!("{}/", self.ms.uri())
    }

    /// Posts a message activity from `user` in `conversation` (a channel unless `a:personal`), each
    /// with its own id (a repeated id is a retry, answered once).
    async fn send(&self, user: &str, conversation: &str, extra: Value) -> u16 {
        let kind = if conversation.starts_with("a:") { "personal" } else { "channel" };
        let mut a = json!({
            "type": "message", "id": format!("act-{}", NEXT_ID.fetch_add(1, Ordering::SeqCst)), "channelId": "msteams", "serviceUrl": self.service_url(),
            "from": {"id": user, "name": "Alex"}, "recipient": {"id": "28:bot", "name": "errkb"},
            "conversation": {"id": conversation, "conversationType": kind, "tenantId": "tenant-1"},
            "channelData": {"tenant": {"id": "tenant-1"}},
        });
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        let response = reqwest::Client::new()
            .post(format!("{}/api/messages", self.base))
            .header("authorization", token(&self.service_url()))
            .json(&a)
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    }

    async fn connector(&self) -> Vec<Request> {
        let all = self.ms.received_requests().await.unwrap_or_default();
        all.into_iter().filter(|r| r.url.path().starts_with("/v3/")).collect()
    }

    /// Waits until the connector got `n` requests.
    async fn wait(&self, n: usize) -> Vec<Request> {
        common::eventually(Duration::from_secs(10), || async { self.connector().await.len() >= n }).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let got = self.connector().await;
        assert!(got.len() >= n, "{} of {n} connector requests", got.len());
        got
    }
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn card_of(r: &Request) -> Value {
    body(r)["attachments"][0]["content"].clone()
}

fn actions(v: &Value, out: &mut Vec<Value>) {
    out.extend(v.get("actions").and_then(Value::as_array).cloned().unwrap_or_default());
    for child in v.get("body").and_then(Value::as_array).into_iter().flatten() {
        actions(child, out);
    }
}

fn verbs(card: &Value) -> Vec<String> {
    let mut all = Vec::new();
    actions(card, &mut all);
    all.iter().filter_map(|a| a["data"]["verb"].as_str().map(str::to_string)).collect()
}

/// A reply to an activity of the personal chat (each activity has its own id).
const PERSONAL_REPLY: &str = "/v3/conversations/a%3Apersonal/activities/act-";
const CREATED: &str = "/v3/conversations/a%3Apersonal-new/activities";

#[tokio::test]
async fn the_buttons_are_on_every_bot_card_only_with_the_probe_and_keep_teams_limits() {
    let engine = common::spawn(common::Options::default()).await.state.engine.current();
    let on = Render { public_url: "https://errkb.example.com", mode: Mode::Bot, probe: true };
    let off = Render { probe: false, ..on };
    let lite = Render { mode: Mode::Lite, ..on };
    for guide in engine.guides() {
        let c = card::guide_card(guide, &on);
        assert!(verbs(&c).contains(&"probe_link".to_string()), "{}", guide.code);
        assert!(verbs(&c).contains(&"probe_quick".to_string()), "{}", guide.code);
        assert!(card::size(&c) <= MAX_CARD_BYTES, "{}", guide.code);
        assert!(c["actions"].as_array().unwrap().len() <= MAX_ACTIONS, "{}", guide.code);
        for b in c["body"].as_array().unwrap().iter().filter(|b| b["type"] == "ActionSet") {
            assert!(b["actions"].as_array().unwrap().len() <= MAX_ACTIONS);
        }
        assert!(!card::guide_card(guide, &off).to_string().contains("probe_"), "{}", guide.code);
        assert!(!card::guide_card(guide, &lite).to_string().contains("probe_"), "{}", guide.code);
    }
    // In a channel the bot answers what mentions it (any other message is only read with RSC).
    let asked = json!({"text": "<at>errkb</at> AADSTS7000215",
        "entities": [{"type": "mention", "mentioned": {"id": "28:bot", "name": "errkb"}, "text": "<at>errkb</at>"}]});
    let bench = start(true).await;
    assert_eq!(bench.send("29:alex", CHANNEL, asked.clone()).await, 200);
    let card = card_of(&bench.wait(1).await[0]);
    let mut all = Vec::new();
    actions(&card, &mut all);
    let link = all.iter().find(|a| a["data"]["verb"] == "probe_link").expect("a Run live check button");
    assert_eq!((link["type"].as_str(), link["title"].as_str()), (Some("Action.Submit"), Some("Run live check")));
    assert!(link["data"]["code"].as_str().unwrap().contains("7000215"));
    let off = start(false).await;
    off.send("29:alex", CHANNEL, asked).await;
    assert!(verbs(&card_of(&off.wait(1).await[0])).iter().all(|v| !v.starts_with("probe")));
}

#[tokio::test]
async fn a_click_in_a_channel_sends_the_link_to_a_new_personal_chat_never_the_channel() {
    let bench = start(true).await;
    let click = json!({"value": {"verb": "probe_link", "code": "AADSTS7000215"}});
    assert_eq!(bench.send("29:alex", CHANNEL, click).await, 200);
    let requests = bench.wait(2).await;
    let create = requests.iter().find(|r| r.url.path() == "/v3/conversations").expect("a personal chat is created");
    assert_eq!(create.headers.get("authorization").unwrap(), "Bearer bot-token");
    let c = body(create);
    assert_eq!((c["bot"]["id"].as_str(), c["members"][0]["id"].as_str()), (Some("28:bot"), Some("29:alex")));
    assert_eq!((c["channelData"]["tenant"]["id"].as_str(), c["isGroup"].as_bool()), (Some("tenant-1"), Some(false)));
    let sent = requests.iter().find(|r| r.url.path() == CREATED).expect("the link goes to the personal chat");
    let card = card_of(sent);
    let prefix = format!("{}/probe/", bench.app.state.settings.public_url);
    let url = card["actions"][0]["url"].as_str().unwrap();
    assert!(url.starts_with(&prefix), "{url}");
    assert!(card.to_string().contains("works once") && card.to_string().contains("never in Teams"));
    let link = bench.app.state.store.probe_link(url.rsplit('/').next().unwrap()).await.unwrap().unwrap();
    assert_eq!((link.platform.as_str(), link.user_id.as_str(), link.user_name.as_str()), ("teams", "29:alex", "Alex"));
    let reply: Value = serde_json::from_str(&link.reply).unwrap();
    assert_eq!((reply["tenant_id"].as_str(), reply["user_id"].as_str()), (Some("tenant-1"), Some("29:alex")));
    for r in &requests {
        assert!(!r.url.path().contains("19%3Achan"), "nothing goes to the channel: {}", r.url.path());
    }
}

#[tokio::test]
async fn a_click_in_the_personal_chat_is_answered_there() {
    let bench = start(true).await;
    bench.send("29:alex", "a:personal", json!({"value": {"verb": "probe_link", "code": "AADSTS7000215"}})).await;
    let requests = bench.wait(1).await;
    assert_eq!(requests.len(), 1);
    assert!(requests[0].url.path().starts_with(PERSONAL_REPLY), "{}", requests[0].url.path());
    assert!(card_of(&requests[0])["actions"][0]["url"].as_str().unwrap().contains("/probe/"));
}

#[tokio::test]
async fn a_user_not_allowed_is_refused_privately_and_gets_no_link() {
    let bench = start(true).await;
    bench.send("29:mallory", CHANNEL, json!({"value": {"verb": "probe_link", "code": "AADSTS7000215"}})).await;
    let requests = bench.wait(2).await;
    let sent = requests.iter().find(|r| r.url.path() == CREATED).expect("the refusal goes to the personal chat");
    assert!(card_of(sent).to_string().contains("not on this errkb's list"));
    let everything: String = requests.iter().map(|r| String::from_utf8_lossy(&r.body).to_string()).collect();
    assert!(!everything.contains("/probe/"), "no link anywhere");
    bench
        .send(
            "29:mallory",
            "a:personal",
            json!({"value": {"verb": "probe_quick_run", "tenant": TENANT_GUID,
        "client_id": CLIENT, "cloud": "public"}}),
        )
        .await;
    bench.wait(3).await;
    assert!(bench.entra.received_requests().await.unwrap().is_empty());
    assert!(bench.app.state.store.probe_audit(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn quick_check_shows_a_form_refuses_bad_input_before_entra_and_answers_good_input() {
    let bench = start(true).await;
    bench.send("29:alex", "a:personal", json!({"value": {"verb": "probe_quick", "code": "AADSTS7000215"}})).await;
    let form = card_of(&bench.wait(1).await[0]);
    let inputs: Vec<(&str, &str)> = form["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| Some((b["type"].as_str()?, b["id"].as_str()?)))
        .collect();
    assert_eq!(inputs, [("Input.Text", "tenant"), ("Input.Text", "client_id"), ("Input.ChoiceSet", "cloud")]);
    assert_eq!(form["actions"][0]["type"], "Action.Submit");
    assert_eq!(form["actions"][0]["data"]["verb"], "probe_quick_run");
    let run = |tenant: &str, client: &str| json!({"value": {"verb": "probe_quick_run", "tenant": tenant, "client_id": client, "cloud": "public"}});
    bench.send("29:alex", "a:personal", run("evil.com/x", CLIENT)).await;
    let refused = card_of(&bench.wait(2).await[1]);
    assert!(refused.to_string().contains("Sorry"), "{refused}");
    assert!(bench.entra.received_requests().await.unwrap().is_empty(), "nothing reached Entra");
    bench.send("29:alex", "a:personal", run("contoso.onmicrosoft.com", CLIENT)).await;
    let result = card_of(&bench.wait(3).await[2]);
    let text = result.to_string();
    assert!(text.contains("The app is registered in this tenant") && text.contains(TENANT_GUID), "{text}");
    assert!(text.contains(SIGN_IN_LOG_NOTE), "{text}");
    assert_eq!(bench.entra.received_requests().await.unwrap().len(), 2);
    assert!(bench.connector().await.iter().all(|r| r.url.path().starts_with(PERSONAL_REPLY)));
}

#[tokio::test]
async fn the_notifier_sends_the_summary_to_the_personal_chat() {
    let bench = start(true).await;
    errkb::teams::register_probe_notifier(&bench.app.state, &bench.teams);
    let state = &bench.app.state;
    let probe = state.probe.as_ref().unwrap();
    let who = Requester { platform: "teams", user_id: "29:alex", user_name: "Alex" };
    let reply = json!({"service_url": bench.service_url(), "tenant_id": "tenant-1", "user_id": "29:alex",
        "bot_id": "28:bot", "conversation_id": null})
    .to_string();
    let url = probe.issue_link(&state.store, "https://errkb.test", &who, None, &reply).await.unwrap();
    let link = state.store.probe_link(url.rsplit('/').next().unwrap()).await.unwrap().unwrap();
    let entra = EntraError {
        code: Some(7000215),
        error: "invalid_client".into(),
        message: "<at>everyone</at> **bold**".into(),
        ..EntraError::default()
    };
    let summary = ProbeSummary {
        user_id: "29:alex".into(),
        cloud: Cloud::Public,
        tenant: TENANT_GUID.into(),
        client_id: CLIENT.into(),
        outcome: Outcome::Rejected(entra),
        guide: Some(("AADSTS7000215".into(), "Invalid client secret".into())),
        guide_url: Some("https://errkb.test/guides/AADSTS7000215".into()),
    };
    probe.notify(&link, &summary).await;
    let requests = bench.connector().await;
    assert_eq!(requests[0].url.path(), "/v3/conversations");
    assert_eq!(requests[1].url.path(), CREATED);
    let card = card_of(&requests[1]);
    let text = card.to_string();
    assert!(text.contains("AADSTS7000215") && text.contains(TENANT_GUID) && text.contains(CLIENT), "{text}");
    assert_eq!(card["actions"][0]["url"], "https://errkb.test/guides/AADSTS7000215");
}

#[tokio::test]
async fn the_service_registers_the_teams_notifier_when_it_starts() {
    let (ms, entra) = (microsoft().await, fake_entra().await);
    let env = [
        ("ERRKB_PROBE_ENABLED", "true".to_string()),
        ("ERRKB_PROBE_ALLOWED_USERS", "teams:29:alex".to_string()),
        ("ERRKB_PROBE_AUTHORITY_OVERRIDE", entra.uri()),
        ("MICROSOFT_APP_ID", APP_ID.to_string()),
        ("MICROSOFT_APP_PASSWORD", "pw".to_string()),
        ("MICROSOFT_APP_TENANT_ID", "tenant-1".to_string()),
        ("ERRKB_TEAMS_AUTHORITY_URL", ms.uri()),
        ("ERRKB_TEAMS_SERVICE_URL_HOSTS", "127.0.0.1".to_string()),
    ];
    let options = common::Options {
        extra_env: env.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ..common::Options::default()
    };
    let app = common::spawn(options).await;
    let probe = app.state.probe.as_ref().unwrap();
    let who = Requester { platform: "teams", user_id: "29:alex", user_name: "Alex" };
    let reply = json!({"service_url": format!("{}/", ms.uri()), "tenant_id": "tenant-1", "user_id": "29:alex",
        "bot_id": "28:bot", "conversation_id": "a:personal"})
    .to_string();
    let url = probe.issue_link(&app.state.store, "https://errkb.test", &who, None, &reply).await.unwrap();
    let link = app.state.store.probe_link(url.rsplit('/').next().unwrap()).await.unwrap().unwrap();
    let summary = ProbeSummary {
        user_id: "29:alex".into(),
        cloud: Cloud::Public,
        tenant: TENANT_GUID.into(),
        client_id: CLIENT.into(),
        outcome: Outcome::Unreachable { reason: "timed out".into(), entra: None },
        guide: None,
        guide_url: None,
    };
    probe.notify(&link, &summary).await;
    let requests = ms.received_requests().await.unwrap();
    let sent = requests.iter().find(|r| r.url.path().starts_with("/v3/")).expect("the summary reached the connector");
    assert_eq!(sent.url.path(), "/v3/conversations/a%3Apersonal/activities");
    assert!(card_of(sent).to_string().contains("No answer from Entra"));
}
