//! `/slack/interactions` on the real router: every button of an answer (share, helpful / not
//! helpful, show all steps, did you mean, doc links) and the `explain_error` message shortcut.

use std::time::Duration;

use serde_json::{Value, json};

use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::harness::{Bench, json_of, start, start_with};
use crate::common::{self, Options};

fn click(bench: &Bench, action_id: &str, value: &str, ephemeral: bool, message: Option<Value>) -> Value {
    let mut payload = json!({
        "type": "block_actions",
        "user": {"id": "U1", "username": "steve"},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "trigger_id": "1.2.3",
        "response_url": bench.response_url(),
        "container": {"type": "message", "message_ts": "1700000000.000500", "channel_id": "C1", "is_ephemeral": ephemeral},
        "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button"}],
    });
    if let Some(message) = message {
        payload["message"] = message;
    }
    payload
}

#[tokio::test]
async fn share_posts_the_answer_publicly_crediting_the_user_and_removes_the_private_copy() {
    let bench = start().await;
    let response = bench.interaction(click(&bench, "share", "AADSTS7000215 from my log", true, None)).await;
    assert_eq!(response.status(), 200);
    let body = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    assert_eq!(body["channel"], "C1");
    let text = body.to_string();
    assert!(text.contains("Shared by <@U1>") && text.contains("AADSTS7000215"), "{text}");
    assert!(!text.contains("\"share\""), "the public copy has no share button");
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["delete_original"], true);
}

#[tokio::test]
async fn share_falls_back_to_the_response_url_where_the_bot_may_not_post() {
    let mock = MockServer::start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "not_in_channel"})))
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    bench.interaction(click(&bench, "share", "AADSTS50011", true, None)).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["response_type"], "in_channel");
    assert!(hook.to_string().contains("Shared by <@U1>"), "{hook}");
}

#[tokio::test]
async fn helpful_is_stored_and_the_message_thanks_the_user() {
    let bench = start().await;
    let shown = bench.command("AADSTS50011").await.json::<Value>().await.unwrap();
    let message = json!({"ts": "1700000000.000500", "text": shown["text"], "blocks": shown["blocks"]});
    bench.interaction(click(&bench, "feedback_helpful", "AADSTS50011", false, Some(message))).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["replace_original"], true);
    let text = hook.to_string();
    assert!(text.contains("glad it helped") && !text.contains("feedback_helpful"), "{text}");
    assert!(text.contains("AADSTS50011"), "the answer stays");
    let store = bench.app.state.store.clone();
    let stored = common::eventually(Duration::from_secs(3), || async {
        store.admin_stats(7, 10).await.unwrap().ratings.iter().any(|r| r.guide_code == "AADSTS50011" && r.helpful == 1)
    });
    assert!(stored.await);
}

#[tokio::test]
async fn not_helpful_on_a_private_answer_rerenders_it_with_thanks() {
    let bench = start().await;
    bench.interaction(click(&bench, "feedback_not_helpful", "AADSTS7000215", true, None)).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    let text = hook.to_string();
    assert!(text.contains("AADSTS7000215") && text.contains("will be looked at"), "{text}");
    let ratings = bench.app.state.store.admin_stats(7, 10).await.unwrap().ratings;
    assert!(ratings.iter().any(|r| r.guide_code == "AADSTS7000215" && r.votes == 1 && r.helpful == 0), "{ratings:?}");
}

#[tokio::test]
async fn show_all_steps_replaces_the_answer_with_every_step() {
    let bench = start().await;
    bench.interaction(click(&bench, "show_all_steps", "AADSTS7000215", true, None)).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["replace_original"], true);
    let text = hook.to_string();
    assert!(!text.contains("show_all_steps") && text.contains("*6. "), "{text}");
    assert!(text.contains("\"share\""), "still private, still shareable");
}

#[tokio::test]
async fn a_did_you_mean_choice_replaces_the_answer_with_that_guide() {
    let bench = start().await;
    bench.interaction(click(&bench, "did_you_mean:1", "AADSTS500113", true, None)).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert!(hook["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS500113"), "{hook}");
}

#[tokio::test]
async fn link_button_clicks_are_acknowledged_and_counted() {
    let bench = start().await;
    for id in ["doc_link:0", "full_guide", "official_lookup"] {
        assert_eq!(bench.interaction(click(&bench, id, "AADSTS50011", true, None)).await.status(), 200);
    }
    let store = bench.app.state.store.clone();
    let counted = || async { store.link_clicks("AADSTS50011").await.map_or(0, |c| c.len()) == 3 };
    assert!(common::eventually(Duration::from_secs(3), counted).await, "counted in the store");
    assert!(bench.settled("/hooks/response/1").await.is_empty(), "a link click changes nothing");
}

#[tokio::test]
async fn the_explain_error_shortcut_answers_privately() {
    let bench = start().await;
    let payload = json!({
        "type": "message_action", "callback_id": "explain_error", "trigger_id": "1.2", "response_url": bench.response_url(),
        "user": {"id": "U2"}, "team": {"id": "T1"}, "channel": {"id": "C1"},
        "message": {"type": "message", "ts": "1.1", "text": "prod login broke: AADSTS700016: Application with identifier 'abc' was not found"},
    });
    assert_eq!(bench.interaction(payload).await.status(), 200);
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["response_type"], "ephemeral");
    assert!(hook["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS700016"), "{hook}");
}

#[tokio::test]
async fn a_modal_submission_is_closed_with_an_empty_200() {
    let bench = start().await;
    let response = bench
        .interaction(json!({"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "probe"}}))
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().is_empty());
}
