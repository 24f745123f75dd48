//! `/slack/events` on the real router: url_verification, mentions answered in the thread, DMs,
//! bots ignored, retries de-duplicated (also across two replicas on one PostgreSQL), 429 then
//! success, the App Home tab, and uninstalls.

use std::time::Duration;

use errkb::store::Installation;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::harness::{BOT_TOKEN, json_of, start, start_with};
use crate::common::{self, Options};

fn mention(text: &str, ts: &str) -> serde_json::Value {
    json!({"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1", "event_ts": ts})
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let bench = start().await;
    let body = json!({"type": "url_verification", "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"});
    let response = bench.post_signed("/slack/events", "application/json", body.to_string().into_bytes(), &[]).await;
    assert_eq!(response.status(), 200);
    let reply: serde_json::Value = response.json().await.unwrap();
    assert_eq!(reply["challenge"], "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

#[tokio::test]
async fn a_mention_is_answered_in_its_thread_with_the_bot_token() {
    let bench = start().await;
    let response = bench
        .event("Ev1", mention("<@UBOT> AADSTS50011 when I sign in from localhost", "1700000000.000100"), &[])
        .await;
    assert_eq!(response.status(), 200);
    let posted = bench.wait_for("/api/chat.postMessage", 1).await;
    assert_eq!(posted[0].headers.get("authorization").unwrap(), &format!("Bearer {BOT_TOKEN}"));
    let body = json_of(&posted[0]);
    assert_eq!((body["channel"].as_str(), body["thread_ts"].as_str()), (Some("C1"), Some("1700000000.000100")));
    assert!(body["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS50011"), "{body}");
    assert!(!body.to_string().contains("\"share\""), "a public answer has nothing to share");
}

#[tokio::test]
async fn a_mention_inside_a_thread_answers_in_that_thread() {
    let bench = start().await;
    let mut event = mention("<@UBOT> 7000215", "1700000000.000300");
    event["thread_ts"] = json!("1700000000.000001");
    bench.event("Ev2", event, &[]).await;
    let body = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    assert_eq!(body["thread_ts"], "1700000000.000001");
}

#[tokio::test]
async fn a_direct_message_is_answered_in_the_dm() {
    let bench = start().await;
    let dm = json!({"type": "message", "channel_type": "im", "user": "U1", "text": "AADSTS700016", "ts": "5.1", "channel": "D1"});
    bench.event("Ev3", dm, &[]).await;
    let body = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    assert_eq!(body["channel"], "D1");
    assert!(body.get("thread_ts").is_none());
    assert!(body["text"].as_str().unwrap().contains("AADSTS700016"));
}

#[tokio::test]
async fn bot_messages_and_errkbs_own_are_ignored() {
    let bench = start().await;
    let from_bot = json!({"type": "message", "channel_type": "im", "bot_id": "B9", "text": "AADSTS50011", "ts": "6.1", "channel": "D1"});
    let own = json!({"type": "message", "channel_type": "im", "user": "UBOT", "text": "AADSTS50011", "ts": "6.2", "channel": "D1"});
    let edit =
        json!({"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D1", "ts": "6.3"});
    for (i, event) in [from_bot, own, edit].into_iter().enumerate() {
        assert_eq!(bench.event(&format!("EvBot{i}"), event, &[]).await.status(), 200);
    }
    bench.event("EvPerson", mention("<@UBOT> AADSTS50058", "6.4"), &[]).await;
    bench.wait_for("/api/chat.postMessage", 1).await;
    let posted = bench.settled("/api/chat.postMessage").await;
    assert_eq!(posted.len(), 1, "only the person's message is answered");
    assert_eq!(json_of(&posted[0])["thread_ts"], "6.4");
}

#[tokio::test]
async fn a_retried_event_is_answered_once() {
    let bench = start().await;
    let event = mention("<@UBOT> AADSTS50011", "7.1");
    assert_eq!(bench.event("EvRetry", event.clone(), &[]).await.status(), 200);
    for n in ["1", "2"] {
        let retry = [("x-slack-retry-num", n), ("x-slack-retry-reason", "http_timeout")];
        assert_eq!(bench.event("EvRetry", event.clone(), &retry).await.status(), 200);
    }
    bench.wait_for("/api/chat.postMessage", 1).await;
    assert_eq!(bench.settled("/api/chat.postMessage").await.len(), 1);
}

#[tokio::test]
async fn a_message_delivered_as_both_a_mention_and_a_dm_is_answered_once() {
    let bench = start().await;
    let mut as_dm = mention("<@UBOT> AADSTS50011", "7.5");
    as_dm["type"] = json!("message");
    as_dm["channel_type"] = json!("im");
    bench.event("EvAsMention", mention("<@UBOT> AADSTS50011", "7.5"), &[]).await;
    bench.event("EvAsDm", as_dm, &[]).await;
    bench.wait_for("/api/chat.postMessage", 1).await;
    assert_eq!(bench.settled("/api/chat.postMessage").await.len(), 1);
}

#[tokio::test]
async fn a_429_from_slack_is_waited_out_and_the_answer_still_arrives() {
    let mock = MockServer::start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    bench.event("Ev429", mention("<@UBOT> AADSTS50011", "8.1"), &[]).await;
    let posted = bench.wait_for("/api/chat.postMessage", 2).await;
    assert_eq!(json_of(&posted[1])["thread_ts"], "8.1");
    assert_eq!(bench.settled("/api/chat.postMessage").await.len(), 2, "one rate-limited attempt, one answer");
}

#[tokio::test]
async fn opening_the_home_tab_publishes_usage_and_the_weeks_top_codes() {
    let bench = start().await;
    bench.command("AADSTS50011").await;
    let store = bench.app.state.store.clone();
    assert!(common::eventually(Duration::from_secs(5), || async { store.query_count().await.unwrap_or(0) >= 1 }).await);
    bench.event("EvHome", json!({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}), &[]).await;
    let body = json_of(&bench.wait_for("/api/views.publish", 1).await[0]);
    assert_eq!((body["user_id"].as_str(), body["view"]["type"].as_str()), (Some("U1"), Some("home")));
    let view = body["view"].to_string();
    assert!(view.contains("How to use errkb") && view.contains("guides/AADSTS50011|AADSTS50011> (1×)"), "{view}");
}

#[tokio::test]
async fn uninstalling_or_revoking_tokens_forgets_the_workspace() {
    let bench = start().await;
    let store = bench.app.state.store.clone();
    let install = Installation {
        platform: "slack".into(),
        team_id: "T1".into(),
        enterprise_id: None,
        bot_user_id: "UBOT".into(),
        bot_token: SecretString::from("xoxb-installed".to_string()),
        scopes: "chat:write".into(),
        installed_by: "U1".into(),
    };
    for (id, kind) in [("EvUn", "app_uninstalled"), ("EvRevoke", "tokens_revoked")] {
        store.save_installation(&install).await.unwrap();
        assert!(store.installation("slack", "T1").await.unwrap().is_some());
        bench.event(id, json!({"type": kind, "tokens": {"bot": ["UBOT"]}}), &[]).await;
        let gone = common::eventually(Duration::from_secs(5), || async {
            store.installation("slack", "T1").await.unwrap().is_none()
        });
        assert!(gone.await, "{kind} removes the installation");
    }
}

#[tokio::test]
async fn two_replicas_on_one_postgres_answer_a_retried_event_once() {
    let Some(db) = common::fresh_postgres("two_replicas_on_one_postgres_answer_a_retried_event_once").await else {
        return;
    };
    let mock = MockServer::start().await;
    let options = Options { database_url: Some(db.clone()), ..Options::default() };
    let one = start_with(options.clone(), mock).await;
    let other_mock = MockServer::start().await;
    let two = start_with(options, other_mock).await;
    let event = mention("<@UBOT> AADSTS50011", "9.1");
    let retry = [("x-slack-retry-num", "1")];
    let (a, b) = tokio::join!(one.event("EvTwo", event.clone(), &[]), two.event("EvTwo", event, &retry));
    assert_eq!((a.status(), b.status()), (reqwest::StatusCode::OK, reqwest::StatusCode::OK));
    let answered = || async {
        one.received("/api/chat.postMessage").await.len() + two.received("/api/chat.postMessage").await.len()
    };
    assert!(common::eventually(Duration::from_secs(5), || async { answered().await >= 1 }).await, "someone answers");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(answered().await, 1, "exactly one replica answers");
    common::drop_postgres(&db).await;
}

#[tokio::test]
async fn installations_are_saved_replaced_and_deleted_on_postgres_too() {
    let Some(db) = common::fresh_postgres("installations_are_saved_replaced_and_deleted_on_postgres_too").await else {
        return;
    };
    let app = common::spawn(Options { database_url: Some(db.clone()), ..Options::default() }).await;
    let store = &app.state.store;
    let mut install = Installation {
        platform: "slack".into(),
        team_id: "T7".into(),
        enterprise_id: Some("E1".into()),
        bot_user_id: "UB".into(),
        bot_token: SecretString::from("xoxb-one".to_string()),
        scopes: "chat:write".into(),
        installed_by: "U1".into(),
    };
    store.save_installation(&install).await.unwrap();
    install.bot_token = SecretString::from("xoxb-two".to_string());
    store.save_installation(&install).await.unwrap();
    let read = store.installation("slack", "T7").await.unwrap().expect("saved");
    assert_eq!(secrecy::ExposeSecret::expose_secret(&read.bot_token), "xoxb-two", "a reinstall replaces the token");
    assert!(store.delete_installation("slack", "T7").await.unwrap());
    assert!(store.installation("slack", "T7").await.unwrap().is_none());
    common::drop_postgres(&db).await;
}

#[tokio::test]
async fn installed_workspace_tokens_are_sealed_in_the_database() {
    let bench = start().await;
    let store = bench.app.state.store.clone();
    let install = Installation {
        platform: "slack".into(),
        team_id: "TSEAL".into(),
        enterprise_id: None,
        bot_user_id: "UBOT".into(),
        bot_token: SecretString::from("xoxb-sealed-token-value".to_string()),
        scopes: "chat:write".into(),
        installed_by: "U1".into(),
    };
    store.save_installation(&install).await.unwrap();
    let path = bench.app.dir.path().join("errkb.sqlite3");
    let mut db = std::fs::read(&path).unwrap_or_default();
    db.extend(std::fs::read(bench.app.dir.path().join("errkb.sqlite3-wal")).unwrap_or_default());
    assert!(!db.is_empty(), "the SQLite file is readable");
    assert!(!String::from_utf8_lossy(&db).contains("xoxb-sealed-token-value"), "token stored in plain text");
    let back = store.installation("slack", "TSEAL").await.unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&back.bot_token), "xoxb-sealed-token-value");
    let keyless = errkb::store::Store::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert!(keyless.save_installation(&install).await.is_err(), "no key, no stored token");
}

#[tokio::test]
async fn a_full_background_budget_refuses_events_and_clicks_with_503_and_takes_the_redelivery() {
    let bench = start().await;
    let background = bench.app.state.background.clone();
    let mut held = Vec::new();
    while let Ok(slot) = background.reserve() {
        held.push(slot);
    }
    let busy = bench.event("EvBusy", mention("<@UBOT> AADSTS50011", "1700000000.000900"), &[]).await;
    assert_eq!(busy.status(), 503, "an event that cannot be handled is not acknowledged");
    assert_eq!(busy.headers().get("retry-after").unwrap(), "1");
    let click = json!({"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"},
        "response_url": bench.response_url(), "actions": [{"action_id": "helpful", "value": "AADSTS50011"}]});
    assert_eq!(bench.interaction(click).await.status(), 503);
    let metrics = reqwest::get(bench.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("errkb_refusals_total{reason=\"background_busy\"} 2"), "refusals are counted: {metrics}");
    assert!(bench.settled("/api/chat.postMessage").await.is_empty(), "nothing was started");

    drop(held);
    let retry =
        bench.event("EvBusy", mention("<@UBOT> AADSTS50011", "1700000000.000900"), &[("x-slack-retry-num", "1")]).await;
    assert_eq!(retry.status(), 200);
    let posted = bench.wait_for("/api/chat.postMessage", 1).await;
    assert!(json_of(&posted[0])["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS50011"));
}
