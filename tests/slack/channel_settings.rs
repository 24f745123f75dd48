//! `/aadsts settings` on the real router with the wiremock Slack: a modal for an admin listed in
//! `ERRKB_CHANNEL_ADMINS` or a workspace owner (`users.info`), a user group handle looked up, a
//! malformed one refused in the modal, a polite private refusal for everyone else (also when a
//! submission is forged), and the OAuth install asking for channel history only when wanted.

use errkb::store::{AnswerMode, EscalationTarget};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::harness::{Bench, json_of, start, start_with};
use super::support::{CHANNEL, target};
use crate::common::Options;

#[tokio::test]
async fn settings_open_a_modal_for_an_admin_listed_in_errkb_channel_admins() {
    let options =
        Options { extra_env: vec![("ERRKB_CHANNEL_ADMINS".into(), "slack:U0ADMIN".into())], ..Options::default() };
    let bench = start_with(options, MockServer::start().await).await;
    let response = settings_command(&bench, "U0ADMIN").await;
    assert_eq!(response.status(), 200);
    let open = json_of(&bench.wait_for("/api/views.open", 1).await[0]);
    assert_eq!(
        (open["trigger_id"].as_str(), open["view"]["callback_id"].as_str()),
        (Some("9.9.9"), Some("channel_settings"))
    );
    assert!(open["view"].to_string().contains("#support"), "{open}");
    assert!(bench.received("/api/users.info").await.is_empty(), "a listed admin needs no lookup");
    let submission = json!({"type": "view_submission", "user": {"id": "U0ADMIN"}, "team": {"id": "T1"}, "view": {
    "callback_id": "channel_settings", "private_metadata": open["view"]["private_metadata"],
    "state": {"values": {
        "answer_mode": {"value": {"type": "radio_buttons", "selected_option": {"value": "auto"}}},
        "experts": {"value": {"type": "multi_users_select", "selected_users": ["U0EXPERT", "<!channel>"]}},
        "expert_group": {"value": {"type": "plain_text_input", "value": "S0HELPERS"}},
        "probe_buttons": {"value": {"type": "checkboxes", "selected_options": []}},
    }}}});
    let ack = bench.interaction(submission).await;
    assert_eq!(ack.status(), 200);
    assert!(ack.bytes().await.unwrap().is_empty(), "the modal closes");
    let summary = json_of(&bench.wait_for("/api/chat.postEphemeral", 1).await[0]);
    assert_eq!((summary["user"].as_str(), summary["channel"].as_str()), (Some("U0ADMIN"), Some(CHANNEL)));
    assert!(summary.to_string().contains("Still stuck calls in: <@U0EXPERT> <!subteam^S0HELPERS>"), "{summary}");
    let saved = bench.app.state.store.channel_settings("slack", CHANNEL).await.unwrap().unwrap();
    assert_eq!(saved.answer_mode, AnswerMode::Auto);
    assert_eq!(
        saved.escalation,
        [target("user", "U0EXPERT"), target("group", "S0HELPERS")],
        "a malformed id is dropped"
    );
    assert!(!saved.probe_buttons);
    assert_eq!((saved.channel_name.as_deref(), saved.updated_by.as_str()), (Some("support"), "U0ADMIN"));
}

#[tokio::test]
async fn a_workspace_admin_may_change_settings_and_a_group_handle_is_looked_up() {
    let mock = MockServer::start().await;
    Mock::given(path("/api/users.info"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "user": {"id": "U0OWNER", "is_admin": false, "is_owner": true}})),
        )
        .mount(&mock)
        .await;
    Mock::given(path("/api/usergroups.list"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "usergroups": [{"id": "S0AAD", "handle": "aad-support"}]})),
        )
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    settings_command(&bench, "U0OWNER").await;
    let open = json_of(&bench.wait_for("/api/views.open", 1).await[0]);
    let bad = submission(&open, "U0OWNER", "two words");
    let ack: Value = bench.interaction(bad).await.json().await.unwrap();
    assert_eq!(ack["response_action"], "errors");
    assert!(ack["errors"]["expert_group"].as_str().unwrap().contains("@aad-support"), "{ack}");
    bench.interaction(submission(&open, "U0OWNER", "@AAD-Support")).await;
    bench.wait_for("/api/chat.postEphemeral", 1).await;
    let saved = bench.app.state.store.channel_settings("slack", CHANNEL).await.unwrap().unwrap();
    assert_eq!(
        saved.escalation,
        [EscalationTarget { kind: "group".into(), id: "S0AAD".into(), name: "aad-support".into() }]
    );
}

#[tokio::test]
async fn settings_are_politely_refused_to_everyone_else() {
    let mock = MockServer::start().await;
    Mock::given(path("/api/users.info"))
        .and(body_string_contains("U0NOBODY"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "user": {"id": "U0NOBODY", "is_admin": false}})),
        )
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    assert_eq!(settings_command(&bench, "U0NOBODY").await.status(), 200);
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["response_type"], "ephemeral");
    assert!(hook.to_string().contains("only channel admins can change"), "{hook}");
    assert!(bench.settled("/api/views.open").await.is_empty());
    let forged = submission(
        &json!({"view": {"private_metadata": json!({"c": CHANNEL, "n": "support"}).to_string()}}),
        "U0NOBODY",
        "",
    );
    bench.interaction(forged).await;
    bench.wait_for("/api/chat.postEphemeral", 1).await;
    assert!(bench.app.state.store.channel_settings("slack", CHANNEL).await.unwrap().is_none(), "nothing saved");
}

async fn settings_command(bench: &Bench, user: &str) -> reqwest::Response {
    let body = super::harness::form(&[
        ("command", "/aadsts"),
        ("text", "settings"),
        ("team_id", "T1"),
        ("channel_id", CHANNEL),
        ("channel_name", "support"),
        ("user_id", user),
        ("response_url", &bench.response_url()),
        ("trigger_id", "9.9.9"),
    ]);
    bench.post_signed("/slack/commands", "application/x-www-form-urlencoded", body.into_bytes(), &[]).await
}

fn submission(open: &Value, user: &str, group: &str) -> Value {
    json!({"type": "view_submission", "user": {"id": user}, "team": {"id": "T1"}, "view": {
    "callback_id": "channel_settings", "private_metadata": open["view"]["private_metadata"],
    "state": {"values": {
        "answer_mode": {"value": {"type": "radio_buttons", "selected_option": {"value": "mention"}}},
        "expert_group": {"value": {"type": "plain_text_input", "value": group}},
        "probe_buttons": {"value": {"type": "checkboxes", "selected_options": [{"value": "on"}]}},
    }}}})
}

#[tokio::test]
async fn an_oauth_install_asks_for_channel_history_only_when_automatic_answers_are_wanted() {
    let bench = start().await;
    let location = |response: reqwest::Response| response.headers()["location"].to_str().unwrap().to_string();
    let plain = location(bench.client.get(bench.url("/slack/install")).send().await.unwrap());
    assert!(plain.contains("users%3Aread") && !plain.contains("channels%3Ahistory"), "{plain}");
    let auto = location(bench.client.get(bench.url("/slack/install?auto_answer=1")).send().await.unwrap());
    assert!(auto.contains("channels%3Ahistory%2Cgroups%3Ahistory"), "{auto}");
}
