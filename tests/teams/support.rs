//! Support channels in Teams, over HTTP with real RS256 tokens and the wiremock Bot Framework:
//! automatic answers with RSC (a code, an Entra message, never free text, a bot, a thread reply or
//! a mention-only channel), Solved / Still stuck (with and without experts) / Not useful here
//! answered in the invoke, a repeated activity answered once (also by two instances on one
//! PostgreSQL), and every card involved (settings too) checked by the official adaptivecards
//! renderer. The settings commands are [`channel_settings`](super::channel_settings)'.

use crate::bot_framework;
use crate::common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use errkb::store::{AnswerMode, ChannelSettings, EscalationTarget};
use errkb::teams::TeamsApp;
use errkb::teams::auth::ChannelAuth;
use errkb::teams::clock::Clock;
use errkb::teams::connector::{Connector, RetryPolicy};
use errkb::teams::service::Bot;
use errkb::teams::token::TokenSource;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP_ID: &str = "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11";
pub(super) const CHANNEL: &str = "19:support@thread.tacv2";

pub(super) struct Bench {
    base: String,
    pub(super) app: common::TestApp,
    ms: MockServer,
    service_url: String,
}

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
        webhook: None,
    }
}

pub(super) async fn bench_with(options: common::Options, ms: MockServer) -> Bench {
    Mock::given(method("DELETE"))
        .and(path_regex("^/v3/conversations/.+/activities/.+$"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&ms)
        .await;
    let app = common::spawn(options).await;
    let router = errkb::teams::routes(Some(Arc::new(teams_app(&ms)))).with_state(app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let service_url = format!("{}/", ms.uri());
    Bench { base, app, ms, service_url }
}

pub(super) async fn bench() -> Bench {
    bench_with(admins(), bot_framework::microsoft().await).await
}

pub(super) fn admins() -> common::Options {
    common::Options { extra_env: vec![("ERRKB_CHANNEL_ADMINS".into(), "teams:29:admin".into())], ..Default::default() }
}

pub(super) fn mention(id: &str, name: &str) -> Value {
    json!({"type": "mention", "mentioned": {"id": id, "name": name}, "text": format!("<at>{name}</at>")})
}

/// A new post in the support channel (its own thread), from Ada unless changed.
pub(super) fn post_activity(b: &Bench, id: &str, text: &str, mentioned: bool) -> Value {
    let (text, entities) = if mentioned {
        (format!("<at>errkb</at> {text}"), vec![mention("28:bot", "errkb")])
    } else {
        (text.to_string(), vec![])
    };
    json!({
        "type": "message", "id": id, "channelId": "msteams", "serviceUrl": b.service_url,
        "from": {"id": "29:ada", "name": "Ada", "aadObjectId": "aad-ada"}, "recipient": {"id": "28:bot", "name": "errkb"},
        "conversation": {"id": format!("{CHANNEL};messageid={id}"), "conversationType": "channel", "tenantId": "tenant-1"},
        "channelData": {"channel": {"id": CHANNEL, "name": "Support"}, "team": {"id": "19:team"}, "tenant": {"id": "tenant-1"}},
        "text": text, "entities": entities,
    })
}

pub(super) fn invoke(b: &Bench, verb: &str, data: &Value, from: (&str, &str)) -> Value {
    json!({
        "type": "invoke", "name": "adaptiveCard/action", "id": format!("inv-{verb}-{}", from.0), "channelId": "msteams",
        "serviceUrl": b.service_url, "replyToId": "reply-1",
        "from": {"id": from.0, "name": from.1}, "recipient": {"id": "28:bot", "name": "errkb"},
        "conversation": {"id": format!("{CHANNEL};messageid=q1"), "conversationType": "channel"},
        "channelData": {"channel": {"id": CHANNEL, "name": "Support"}, "tenant": {"id": "tenant-1"}},
        "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
    })
}

impl Bench {
    pub(super) async fn send(&self, activity: &Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/api/messages", self.base))
            .header("authorization", bot_framework::bearer(APP_ID, &self.service_url))
            .json(activity)
            .send()
            .await
            .unwrap()
    }

    /// Activities posted to the connector (replies and thread posts), oldest first.
    async fn posted(&self) -> Vec<(String, Value)> {
        let requests = self.ms.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path().starts_with("/v3/conversations/"))
            .map(|r| (r.url.path().to_string(), serde_json::from_slice(&r.body).unwrap_or(Value::Null)))
            .collect()
    }

    pub(super) async fn wait_posted(&self, n: usize) -> Vec<(String, Value)> {
        common::eventually(Duration::from_secs(10), || async { self.posted().await.len() >= n }).await;
        let got = self.posted().await;
        assert!(got.len() >= n, "{} of {n} connector posts arrived", got.len());
        got
    }

    async fn settled(&self) -> Vec<(String, Value)> {
        tokio::time::sleep(Duration::from_millis(400)).await;
        self.posted().await
    }

    async fn set_channel(&self, mode: AnswerMode, escalation: Vec<EscalationTarget>) {
        let s = ChannelSettings {
            answer_mode: mode,
            escalation,
            updated_by: "29:admin".into(),
            ..ChannelSettings::default_for("teams", CHANNEL)
        };
        self.app.state.store.save_channel_settings(&s).await.unwrap();
    }
}

pub(super) fn card_of(activity: &Value) -> &Value {
    &activity["attachments"][0]["content"]
}

fn verbs(card: &Value) -> Vec<String> {
    card["actions"].as_array().into_iter().flatten().filter_map(|a| a["verb"].as_str().map(String::from)).collect()
}

fn data_for(card: &Value, verb: &str) -> Value {
    card["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["verb"] == verb)
        .unwrap_or_else(|| panic!("no {verb} in {card}"))["data"]
        .clone()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn a_pasted_code_in_an_auto_channel_is_answered_in_its_thread_without_a_mention() {
    let b = bench().await;
    b.set_channel(AnswerMode::Auto, vec![]).await;
    assert_eq!(
        b.send(&post_activity(&b, "1001", "login broke with AADSTS50011 this morning", false)).await.status(),
        200
    );
    let (path, reply) = b.wait_posted(1).await.remove(0);
    assert_eq!(path, "/v3/conversations/19%3Asupport%40thread.tacv2%3Bmessageid%3D1001/activities/1001");
    let card = card_of(&reply);
    assert_eq!(card["body"][0]["text"], "AADSTS50011");
    assert_eq!(verbs(card)[..3], ["support_solved", "support_stuck", "support_hide"]);
    assert!(!verbs(card).contains(&"feedback".to_string()), "Solved / Still stuck replace Helpful");
    assert!(card["actions"].as_array().unwrap().len() <= 6);
    // Recorded once the connector has returned the reply's id, just after the post the fake saw.
    let expected = [("reply-1".to_string(), Some("AADSTS50011".to_string()), true)];
    let recorded = crate::common::eventually(std::time::Duration::from_secs(5), || async {
        b.app.state.store.channel_answers("teams", CHANNEL).await.is_ok_and(|a| a == expected)
    })
    .await;
    assert!(recorded, "{:?}", b.app.state.store.channel_answers("teams", CHANNEL).await);
}

#[tokio::test]
async fn an_entra_message_is_answered_automatically_but_free_text_bots_replies_and_quiet_channels_are_not() {
    let b = bench().await;
    b.set_channel(AnswerMode::Auto, vec![]).await;
    let mut from_bot = post_activity(&b, "2002", "AADSTS50011", false);
    from_bot["from"] = json!({"id": "28:other-bot", "name": "Other"});
    let mut thread_reply = post_activity(&b, "2003", "AADSTS50011", false);
    thread_reply["conversation"]["id"] = json!(format!("{CHANNEL};messageid=1999"));
    let mut quiet = post_activity(&b, "2004", "AADSTS50011", false);
    quiet["conversation"]["id"] = json!("19:quiet@thread.tacv2;messageid=2004");
    for a in [post_activity(&b, "2001", "my sign-in is broken again, help?", false), from_bot, thread_reply, quiet] {
        assert_eq!(b.send(&a).await.status(), 200);
    }
    assert!(b.settled().await.is_empty(), "none of them is answered");
    let text =
        "Error: The reply URL specified in the request does not match the reply URLs configured for the application";
    b.send(&post_activity(&b, "2005", text, false)).await;
    let (_, reply) = b.wait_posted(1).await.remove(0);
    assert_eq!(card_of(&reply)["body"][0]["text"], "AADSTS50011");
}

#[tokio::test]
async fn a_mention_in_a_channel_carries_solved_and_still_stuck_and_a_retry_is_answered_once() {
    let b = bench().await;
    let activity = post_activity(&b, "3001", "AADSTS7000215", true);
    for _ in 0..3 {
        assert_eq!(b.send(&activity).await.status(), 200);
    }
    let (_, reply) = b.wait_posted(1).await.remove(0);
    assert_eq!(verbs(card_of(&reply))[..2], ["support_solved", "support_stuck"]);
    assert!(!verbs(card_of(&reply)).contains(&"support_hide".to_string()));
    assert_eq!(b.settled().await.len(), 1, "the retried activity is answered once");
}

/// The data of the channel buttons of an answer to `question`, asked `secs_ago`.
async fn answered(b: &Bench, question: &str) -> Value {
    b.set_channel(
        AnswerMode::Auto,
        b.app.state.store.effective_channel_settings("teams", CHANNEL).await.unwrap().escalation,
    )
    .await;
    b.send(&post_activity(b, "4001", question, false)).await;
    let (_, reply) = b.wait_posted(1).await.remove(0);
    data_for(card_of(&reply), "support_solved")
}

#[tokio::test]
async fn solved_is_answered_in_the_invoke_with_who_confirmed_and_recorded_with_the_time_taken() {
    let b = bench().await;
    let mut data = answered(&b, "AADSTS50011").await;
    data["asked"] = json!(data["asked"].as_i64().unwrap() - 900);
    let response = b.send(&invoke(&b, "support_solved", &data, ("29:grace", "Grace"))).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["statusCode"].as_i64(), body["type"].as_str()),
        (Some(200), Some("application/vnd.microsoft.card.adaptive"))
    );
    let card = &body["value"];
    assert!(
        card.to_string().contains("Solved with AADSTS50011") && card.to_string().contains("Confirmed by Grace"),
        "{card}"
    );
    assert!(!verbs(card).iter().any(|v| v.starts_with("support_")), "{card}");
    let rows = b.app.state.store.resolutions("teams", CHANNEL).await.unwrap();
    assert_eq!((rows[0].answer_id.as_str(), rows[0].outcome.as_str()), ("reply-1", "solved"));
    assert!((900..1000).contains(&rows[0].seconds.unwrap()), "{:?}", rows[0].seconds);
}

#[tokio::test]
async fn still_stuck_mentions_the_experts_in_the_thread_with_the_question_escaped() {
    let b = bench().await;
    let experts = vec![
        EscalationTarget { kind: "user".into(), id: "29:grace".into(), name: "Grace Hopper".into() },
        EscalationTarget { kind: "tag".into(), id: "tag-1".into(), name: "Identity team".into() },
    ];
    b.set_channel(AnswerMode::Auto, experts).await;
    let data = answered(&b, "AADSTS50011 <script>alert(1)</script> & co").await;
    let body: Value = b.send(&invoke(&b, "support_stuck", &data, ("29:ada", "Ada"))).await.json().await.unwrap();
    let card = &body["value"];
    assert!(card.to_string().contains("Still stuck: Grace Hopper, Identity team called in by Ada"), "{card}");
    assert!(verbs(card).contains(&"support_solved".to_string()) && !verbs(card).contains(&"support_stuck".to_string()));
    let (path, post) = b.wait_posted(2).await.remove(1);
    assert_eq!(path, "/v3/conversations/19%3Asupport%40thread.tacv2%3Bmessageid%3Dq1/activities", "into the thread");
    let text = post["text"].as_str().unwrap();
    assert!(text.contains("<at>Grace Hopper</at>") && text.contains("<at>Identity team</at>"), "{text}");
    assert!(text.contains("AADSTS50011 &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), "escaped: {text}");
    assert!(!text.contains("<script>"), "{text}");
    let entities = post["entities"].as_array().unwrap();
    assert_eq!(entities[0]["mentioned"], json!({"id": "29:grace", "name": "Grace Hopper"}));
    assert_eq!(entities[1]["mentioned"], json!({"id": "tag-1", "name": "Identity team", "type": "tag"}));
    let rows = b.app.state.store.resolutions("teams", CHANNEL).await.unwrap();
    assert_eq!((rows[0].outcome.as_str(), rows[0].escalated), ("stuck", true));
}

#[tokio::test]
async fn still_stuck_without_experts_says_how_to_choose_them() {
    let b = bench().await;
    let data = answered(&b, "AADSTS700016").await;
    let body: Value = b.send(&invoke(&b, "support_stuck", &data, ("29:ada", "Ada"))).await.json().await.unwrap();
    assert!(body["value"].to_string().contains("@errkb experts @person"), "{body}");
    assert_eq!(b.settled().await.len(), 1, "nobody is called in");
    let rows = b.app.state.store.resolutions("teams", CHANNEL).await.unwrap();
    assert_eq!((rows[0].outcome.as_str(), rows[0].escalated), ("stuck", false));
}

#[tokio::test]
async fn not_useful_here_deletes_the_automatic_answer() {
    let b = bench().await;
    let data = answered(&b, "AADSTS50058").await;
    let body: Value = b.send(&invoke(&b, "support_hide", &data, ("29:ada", "Ada"))).await.json().await.unwrap();
    assert!(body["value"].to_string().contains("Hidden by Ada"));
    let deleted = common::eventually(Duration::from_secs(5), || async {
        b.ms.received_requests()
            .await
            .unwrap()
            .iter()
            .any(|r| r.method.as_str() == "DELETE" && r.url.path().ends_with("/activities/reply-1"))
    });
    assert!(deleted.await);
}

#[tokio::test]
async fn a_repeated_activity_is_answered_once_by_two_instances_on_one_postgresql() {
    let Some(url) = common::fresh_postgres("a_repeated_activity_is_answered_once_by_two_instances").await else {
        return;
    };
    let ms = bot_framework::microsoft().await;
    let options = common::Options { database_url: Some(url.clone()), ..admins() };
    let one = bench_with(options.clone(), ms).await;
    let two = {
        let app = common::spawn(options).await;
        let router = errkb::teams::routes(Some(Arc::new(teams_app(&one.ms)))).with_state(app.state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (base, app)
    };
    for i in 0..5 {
        let activity = post_activity(&one, &format!("70{i:02}"), "<at>errkb</at> AADSTS50011", true);
        let client = reqwest::Client::new();
        let auth = bot_framework::bearer(APP_ID, &one.service_url);
        let (a, b) = tokio::join!(
            client.post(format!("{}/api/messages", one.base)).header("authorization", &auth).json(&activity).send(),
            client.post(format!("{}/api/messages", two.0)).header("authorization", &auth).json(&activity).send(),
        );
        assert_eq!((a.unwrap().status().as_u16(), b.unwrap().status().as_u16()), (200, 200));
    }
    one.wait_posted(5).await;
    assert_eq!(one.settled().await.len(), 5, "each of the 5 activities answered exactly once");
    drop(two);
    common::drop_postgres(&url).await;
}

/// Every card the support flows send (settings, saved settings, refusal, answers with the channel
/// buttons, Solved, Still stuck with and without experts, hidden), rendered by the official
/// adaptivecards renderer at schema 1.5 with Teams' host config.
#[tokio::test]
async fn every_support_card_validates_with_the_official_renderer_at_1_5() {
    let b = bench().await;
    let mut cards: Vec<(&str, Value)> = Vec::new();
    let mut ask = post_activity(&b, "8001", "settings", true);
    ask["from"] = json!({"id": "29:admin", "name": "Admin"});
    b.send(&ask).await;
    cards.push(("settings", card_of(&b.wait_posted(1).await[0].1).clone()));
    let data = json!({"answer_mode": "auto", "probe_buttons": "true"});
    let saved: Value =
        b.send(&invoke(&b, "channel_settings", &data, ("29:admin", "Admin"))).await.json().await.unwrap();
    cards.push(("saved", saved["value"].clone()));
    let refused: Value = b.send(&invoke(&b, "channel_settings", &data, ("29:ada", "Ada"))).await.json().await.unwrap();
    cards.push(("refused", refused["value"].clone()));
    for (i, q) in ["AADSTS7000215", "AADSTS50011"].iter().enumerate() {
        b.send(&post_activity(&b, &format!("810{i}"), q, false)).await;
    }
    let posted = b.wait_posted(3).await;
    cards.push(("auto answer", card_of(&posted[1].1).clone()));
    cards.push(("auto answer 2", card_of(&posted[2].1).clone()));
    let data = data_for(card_of(&posted[1].1), "support_solved");
    for (verb, who) in [("support_stuck", "29:ada"), ("support_solved", "29:bob"), ("support_hide", "29:cy")] {
        let body: Value = b.send(&invoke(&b, verb, &data, (who, "Someone"))).await.json().await.unwrap();
        cards.push((verb, body["value"].clone()));
    }
    b.set_channel(
        AnswerMode::Auto,
        vec![EscalationTarget { kind: "user".into(), id: "29:g".into(), name: "Grace".into() }],
    )
    .await;
    let mut other = data.clone();
    other["code"] = json!("AADSTS50011");
    let mut stuck = invoke(&b, "support_stuck", &other, ("29:dee", "Dee"));
    stuck["replyToId"] = json!("reply-2");
    let body: Value = b.send(&stuck).await.json().await.unwrap();
    cards.push(("stuck with experts", body["value"].clone()));
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = cards
        .iter()
        .enumerate()
        .map(|(i, (name, card))| {
            assert_eq!(card["version"], "1.5", "{name}");
            let file = dir.path().join(format!("{i:02}-{}.json", name.replace(' ', "-")));
            std::fs::write(&file, serde_json::to_vec_pretty(card).unwrap()).unwrap();
            file
        })
        .collect();
    let ready = root().join("tests/teams/node_modules/adaptivecards").is_dir();
    if !ready {
        assert!(std::env::var_os("ERRKB_REQUIRE_TEAMS_NODE").is_none(), "tests/teams/node_modules missing");
        return eprintln!("skipped the renderer check: npm ci --prefix tests/teams");
    }
    let out = Command::new("node").arg(root().join("tests/teams/cards_check.js")).args(&files).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains(&format!("{} of {} cards clean", files.len(), files.len())), "{report}");
}
