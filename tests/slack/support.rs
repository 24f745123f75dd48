//! Support channels on the real router with the wiremock Slack: automatic answers (a code, an
//! Entra message, never free text or a bot, once per thread, paced under a burst), the channel
//! buttons (Solved, Still stuck with and without an escalation target, Not useful here) and link
//! clicks counted in the store. The settings are [`channel_settings`](super::channel_settings)'.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use errkb::store::{AnswerMode, ChannelSettings, EscalationTarget};
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::harness::{Bench, json_of, now, start, start_with};
use crate::common::{self, Options};

pub(super) const CHANNEL: &str = "C0SUPPORT";

fn ts(offset_secs: i64, n: u32) -> String {
    format!("{}.{n:06}", now() - offset_secs)
}

fn channel_message(text: &str, ts: &str) -> Value {
    json!({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U1", "text": text, "ts": ts, "event_ts": ts})
}

async fn set_channel(bench: &Bench, mode: AnswerMode, escalation: Vec<EscalationTarget>) {
    let settings = ChannelSettings {
        answer_mode: mode,
        escalation,
        updated_by: "U0ADMIN".into(),
        ..ChannelSettings::default_for("slack", CHANNEL)
    };
    bench.app.state.store.save_channel_settings(&settings).await.unwrap();
}

pub(super) fn target(kind: &str, id: &str) -> EscalationTarget {
    EscalationTarget { kind: kind.into(), id: id.into(), name: String::new() }
}

fn action_ids(message: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for block in message["blocks"].as_array().into_iter().flatten() {
        for e in block["elements"].as_array().into_iter().flatten() {
            if let Some(id) = e["action_id"].as_str() {
                out.push(id.to_string());
            }
        }
    }
    out
}

fn button_value(message: &Value, action_id: &str) -> String {
    message["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no {action_id} button in {message}"))
}

/// A click on `action_id` of a channel answer posted at `answer_ts` in the thread `thread_ts`.
fn click(bench: &Bench, user: &str, action_id: &str, answer: &Value, answer_ts: &str) -> Value {
    json!({
        "type": "block_actions", "user": {"id": user, "username": "someone"}, "team": {"id": "T1"},
        "channel": {"id": CHANNEL}, "trigger_id": "1.2.3", "response_url": bench.response_url(),
        "container": {"type": "message", "message_ts": answer_ts, "channel_id": CHANNEL, "is_ephemeral": false},
        "message": {"type": "message", "ts": answer_ts, "thread_ts": answer["thread_ts"], "text": answer["text"], "blocks": answer["blocks"]},
        "actions": [{"action_id": action_id, "block_id": "b", "value": button_value(answer, action_id), "type": "button"}],
    })
}

#[tokio::test]
async fn a_pasted_code_in_an_auto_channel_gets_one_answer_in_its_thread_with_the_channel_buttons() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let at = ts(30, 1);
    bench.event("EvAuto1", channel_message("prod is down: AADSTS50011 again", &at), &[]).await;
    let posted = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    assert_eq!((posted["channel"].as_str(), posted["thread_ts"].as_str()), (Some(CHANNEL), Some(at.as_str())));
    assert!(posted["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS50011"), "{posted}");
    let ids = action_ids(&posted);
    for id in ["support_solved", "support_stuck", "support_hide"] {
        assert!(ids.contains(&id.to_string()), "{id} missing: {ids:?}");
    }
    assert!(!ids.iter().any(|id| id.starts_with("feedback_")), "Solved / Still stuck replace Helpful: {ids:?}");
    // The answer is recorded once Slack has returned its ts, just after the post the fake saw.
    let expected = [("1700000000.000200".to_string(), Some("AADSTS50011".to_string()), true)];
    let recorded = common::eventually(Duration::from_secs(5), || async {
        bench.app.state.store.channel_answers("slack", CHANNEL).await.is_ok_and(|a| a == expected)
    })
    .await;
    assert!(recorded, "{:?}", bench.app.state.store.channel_answers("slack", CHANNEL).await);
}

#[tokio::test]
async fn an_entra_message_without_a_code_is_answered_automatically() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let text = "Sign-in fails: The reply URL specified in the request does not match the reply URLs configured for the application";
    bench.event("EvAuto2", channel_message(text, &ts(5, 2)), &[]).await;
    let posted = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    assert!(posted["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS50011"), "{posted}");
}

#[tokio::test]
async fn free_text_bots_edits_thread_replies_and_mention_only_channels_get_no_automatic_answer() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let mut from_bot = channel_message("AADSTS50011", &ts(5, 3));
    from_bot["bot_id"] = json!("B9");
    let mut edit = channel_message("AADSTS50011", &ts(5, 4));
    edit["subtype"] = json!("message_changed");
    let mut in_thread = channel_message("AADSTS50011", &ts(5, 5));
    in_thread["thread_ts"] = json!(ts(50, 1));
    let mut mentions_us = channel_message("<@UBOT> AADSTS50011", &ts(5, 6));
    mentions_us["channel"] = json!("C0OTHER");
    let mut other_channel = channel_message("AADSTS50011", &ts(5, 7));
    other_channel["channel"] = json!("C0QUIET");
    let cases = [
        channel_message("my login is broken since this morning, anyone?", &ts(5, 8)),
        from_bot,
        edit,
        in_thread,
        mentions_us,
        other_channel,
    ];
    for (i, event) in cases.into_iter().enumerate() {
        assert_eq!(bench.event(&format!("EvNo{i}"), event, &[]).await.status(), 200);
    }
    assert!(bench.settled("/api/chat.postMessage").await.is_empty(), "none of them is answered");
    assert_eq!(bench.app.state.store.query_count().await.unwrap(), 0, "channel chatter is not logged as questions");
}

#[tokio::test]
async fn a_message_delivered_twice_gets_one_automatic_answer() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let event = channel_message("AADSTS7000215 in the pipeline", &ts(5, 9));
    bench.event("EvTwice", event.clone(), &[]).await;
    bench.event("EvTwice", event.clone(), &[("x-slack-retry-num", "1")]).await;
    bench.event("EvTwiceOtherId", event, &[]).await;
    bench.wait_for("/api/chat.postMessage", 1).await;
    assert_eq!(bench.settled("/api/chat.postMessage").await.len(), 1);
}

/// Remembers when each request arrived.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<(Instant, String)>>>);

impl Respond for Arrivals {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let thread = body["thread_ts"].as_str().unwrap_or_default().to_string();
        self.0.lock().unwrap().push((Instant::now(), thread));
        ResponseTemplate::new(200).set_body_json(json!({"ok": true, "ts": "1700000000.000300"}))
    }
}

#[tokio::test]
async fn a_burst_of_twenty_pasted_errors_is_answered_in_full_one_interval_apart() {
    let mock = MockServer::start().await;
    let arrivals = Arrivals::default();
    Mock::given(path("/api/chat.postMessage")).respond_with(arrivals.clone()).mount(&mock).await;
    let bench = start_with(Options::default(), mock).await;
    let gap = Duration::from_millis(60);
    bench.app.state.pacer.set_interval(gap);
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let codes = ["AADSTS50011", "AADSTS7000215", "AADSTS700016", "AADSTS50076", "AADSTS65001"];
    let sent: Vec<String> = (0..20).map(|i| ts(60, 100 + i)).collect();
    for (i, at) in sent.iter().enumerate() {
        let text = format!("{} on job {i}", codes[i % codes.len()]);
        assert_eq!(bench.event(&format!("EvBurst{i}"), channel_message(&text, at), &[]).await.status(), 200);
    }
    let all = common::eventually(Duration::from_secs(15), || async { arrivals.0.lock().unwrap().len() >= 20 }).await;
    let got = arrivals.0.lock().unwrap().clone();
    assert!(all, "{} of 20 answers posted", got.len());
    let mut threads: Vec<String> = got.iter().map(|(_, t)| t.clone()).collect();
    threads.sort();
    let mut expected = sent.clone();
    expected.sort();
    assert_eq!(threads, expected, "each message answered once, in its own thread");
    for pair in got.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= gap, "two answers in one channel closer than {gap:?}");
    }
}

#[tokio::test]
async fn a_mention_in_a_channel_is_answered_with_solved_and_still_stuck() {
    let bench = start().await;
    let event = json!({"type": "app_mention", "user": "U1", "text": "<@UBOT> AADSTS700016", "ts": ts(5, 10), "channel": CHANNEL});
    bench.event("EvMention", event, &[]).await;
    let posted = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    let ids = action_ids(&posted);
    assert!(ids.contains(&"support_solved".into()) && ids.contains(&"support_stuck".into()), "{ids:?}");
    assert!(!ids.contains(&"support_hide".into()), "only automatic answers can be hidden");
    let recorded = common::eventually(Duration::from_secs(5), || async {
        bench.app.state.store.channel_answers("slack", CHANNEL).await.is_ok_and(|a| a.len() == 1)
    })
    .await;
    assert!(recorded, "the answer is recorded once, after the post");
    let answers = bench.app.state.store.channel_answers("slack", CHANNEL).await.unwrap();
    assert!(!answers[0].2, "a mention is not an automatic answer");
}

/// An automatic answer posted by the bench, with its `ts` as the fake Slack gave it.
async fn auto_answer(bench: &Bench, text: &str, asked_secs_ago: i64) -> (Value, String) {
    bench.event("EvQ", channel_message(text, &ts(asked_secs_ago, 11)), &[]).await;
    let posted = json_of(&bench.wait_for("/api/chat.postMessage", 1).await[0]);
    (posted, "1700000000.000200".to_string())
}

#[tokio::test]
async fn solved_is_recorded_with_the_time_since_the_question_and_the_message_says_who_confirmed() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let (answer, answer_ts) = auto_answer(&bench, "AADSTS50011 from localhost", 600).await;
    assert_eq!(bench.interaction(click(&bench, "U2", "support_solved", &answer, &answer_ts)).await.status(), 200);
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["replace_original"], true);
    let text = hook.to_string();
    assert!(
        text.contains("Solved* with <https://errkb.test/guides/AADSTS50011|AADSTS50011")
            && text.contains("Confirmed by <@U2>"),
        "{text}"
    );
    assert!(!action_ids(&hook).iter().any(|id| id.starts_with("support_")), "the buttons are gone: {text}");
    let rows = bench.app.state.store.resolutions("slack", CHANNEL).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].outcome.as_str(), rows[0].guide_code.as_deref()), ("solved", Some("AADSTS50011")));
    let seconds = rows[0].seconds.unwrap();
    assert!((600..700).contains(&seconds), "{seconds} s since the question");
    let stats = bench.app.state.store.support_stats(14, 20).await.unwrap();
    let guide = stats.guides.iter().find(|g| g.guide_code == "AADSTS50011").unwrap();
    assert_eq!((guide.solved, guide.helpful, guide.votes), (1, 1, 1), "Solved counts as helpful");
}

#[tokio::test]
async fn still_stuck_calls_in_the_channels_experts_in_the_thread_with_the_question_escaped() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![target("group", "S0HELPERS"), target("user", "U0EXPERT")]).await;
    let question = "AADSTS50011 & <!channel> why <b>";
    let (answer, answer_ts) = auto_answer(&bench, question, 60).await;
    bench.interaction(click(&bench, "U1", "support_stuck", &answer, &answer_ts)).await;
    let posted = bench.wait_for("/api/chat.postMessage", 2).await;
    let escalation = json_of(&posted[1]);
    assert_eq!(escalation["thread_ts"], answer["thread_ts"], "in the question's thread");
    let text = escalation["blocks"].to_string();
    assert!(text.contains("<!subteam^S0HELPERS>") && text.contains("<@U0EXPERT>"), "{text}");
    assert!(text.contains("`AADSTS50011`") && text.contains("guides/AADSTS50011"), "code and guide: {text}");
    assert!(text.contains("AADSTS50011 &amp; &lt;!channel&gt; why &lt;b&gt;"), "the question, escaped: {text}");
    assert!(!text.contains("<!channel>"), "{text}");
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert!(hook.to_string().contains("Still stuck: <!subteam^S0HELPERS> <@U0EXPERT> called in by <@U1>"), "{hook}");
    assert!(action_ids(&hook).contains(&"support_solved".into()), "Solved stays available");
    let rows = bench.app.state.store.resolutions("slack", CHANNEL).await.unwrap();
    assert_eq!((rows[0].outcome.as_str(), rows[0].escalated), ("stuck", true));
    bench.interaction(click(&bench, "U7", "support_stuck", &answer, &answer_ts)).await;
    let again = json_of(&bench.wait_for("/hooks/response/1", 2).await[1]);
    assert!(again.to_string().contains("already asked for"), "{again}");
    assert_eq!(bench.settled("/api/chat.postMessage").await.len(), 2, "the experts are called in once");
}

#[tokio::test]
async fn still_stuck_without_a_target_tells_the_clicker_how_to_set_one() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let (answer, answer_ts) = auto_answer(&bench, "AADSTS7000215", 60).await;
    bench.interaction(click(&bench, "U1", "support_stuck", &answer, &answer_ts)).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!((hook["response_type"].as_str(), hook["replace_original"].as_bool()), (Some("ephemeral"), Some(false)));
    assert!(hook.to_string().contains("/aadsts settings"), "{hook}");
    assert_eq!(bench.settled("/api/chat.postMessage").await.len(), 1, "nobody is called in");
    let rows = bench.app.state.store.resolutions("slack", CHANNEL).await.unwrap();
    assert_eq!((rows[0].outcome.as_str(), rows[0].escalated), ("stuck", false));
    let stats = bench.app.state.store.support_stats(14, 20).await.unwrap();
    assert_eq!(stats.most_stuck, [("AADSTS7000215".to_string(), 1)]);
}

#[tokio::test]
async fn not_useful_here_removes_the_automatic_answer() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let (answer, answer_ts) = auto_answer(&bench, "AADSTS50058", 60).await;
    bench.interaction(click(&bench, "U1", "support_hide", &answer, &answer_ts)).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    assert_eq!(hook["delete_original"], true);
    let rows = bench.app.state.store.resolutions("slack", CHANNEL).await.unwrap();
    assert_eq!(rows[0].outcome, "hidden");
}

#[tokio::test]
async fn link_button_clicks_are_counted_in_the_store_and_go_links_only_once() {
    let bench = start().await;
    let click = |id: &str, url: &str| {
        json!({"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "channel": {"id": CHANNEL},
            "response_url": bench.response_url(), "container": {"message_ts": "1.1", "channel_id": CHANNEL},
            "actions": [{"action_id": id, "value": "AADSTS50011", "url": url, "type": "button"}]})
    };
    bench.interaction(click("full_guide", "https://errkb.test/guides/AADSTS50011")).await;
    bench.interaction(click("official_lookup", "https://login.microsoftonline.com/error?code=50011")).await;
    bench.interaction(click("doc_link:0", "https://errkb.test/go/AADSTS50011/0?from=slack")).await;
    let store = bench.app.state.store.clone();
    let counted = common::eventually(Duration::from_secs(3), || async {
        store.link_clicks("AADSTS50011").await.unwrap().len() >= 2
    })
    .await;
    assert!(counted);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let clicks = store.link_clicks("AADSTS50011").await.unwrap();
    let mut links: Vec<&str> = clicks.iter().map(|(_, l)| l.as_str()).collect();
    links.sort_unstable();
    assert_eq!(links, ["full_guide", "official_lookup"], "the /go link counts itself when followed");
}

#[tokio::test]
async fn show_all_steps_and_did_you_mean_keep_a_channel_answers_buttons() {
    let bench = start().await;
    set_channel(&bench, AnswerMode::Auto, vec![]).await;
    let (answer, answer_ts) = auto_answer(&bench, "AADSTS7000215 in prod", 60).await;
    let mut payload = click(&bench, "U1", "support_solved", &answer, &answer_ts);
    payload["actions"] = json!([{"action_id": "show_all_steps", "value": "AADSTS7000215", "type": "button"}]);
    bench.interaction(payload).await;
    let hook = json_of(&bench.wait_for("/hooks/response/1", 1).await[0]);
    let ids = action_ids(&hook);
    assert!(!ids.contains(&"show_all_steps".into()), "every step shown: {ids:?}");
    for id in ["support_solved", "support_stuck", "support_hide"] {
        assert!(ids.contains(&id.to_string()), "{id} kept: {ids:?}");
    }
    let stuck = errkb::slack::channel_answer::Asked::from_value(&button_value(&hook, "support_stuck"));
    assert_eq!((stuck.code.as_str(), stuck.question.as_str()), ("AADSTS7000215", "AADSTS7000215 in prod"));
}
