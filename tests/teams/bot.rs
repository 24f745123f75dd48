//! The Teams bot's decisions on documented activity shapes: mention stripping (entity text,
//! `<at>Name</at>` and `<at>@Name</at>`), answers in personal chat, channel threads and group
//! chats, the welcome card, card actions, Teams feedback, message-extension search and bad input.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use errkb::answer::{Answer, Question, answer};
use errkb::kb::{Guide, load_dir};
use errkb::search::Engine;
use errkb::teams::activity::{Account, Activity, strip_all_mentions, strip_mentions};
use errkb::teams::bot::{Decision, Knowledge, MAX_RESULT_CARD_BYTES, decide};
use errkb::teams::card::{self, Mode, Render};
use serde_json::{Value, json};

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let report = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kb")).unwrap();
    Engine::from_report(report).unwrap()
});

struct Kb;

impl Knowledge for Kb {
    fn ask(&self, text: &str) -> Option<Answer> {
        Some(answer(&ENGINE, &Question::parse(text).ok()?, 3))
    }
    fn guide(&self, code: &str) -> Option<Arc<Guide>> {
        ENGINE.get(code).cloned()
    }
}

const R: Render = Render { public_url: "https://errkb.example.com", mode: Mode::Bot, probe: false };

fn bot() -> Account {
    Account { id: "28:bot-app-id".into(), name: Some("errkb".into()) }
}

fn activity(v: Value) -> Activity {
    let mut base = json!({
        "type": "message", "id": "act-1", "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "from": {"id": "29:user", "name": "Alex"}, "recipient": {"id": "28:bot-app-id", "name": "errkb"},
        "conversation": {"id": "a:personal", "conversationType": "personal"}
    });
    for (k, val) in v.as_object().unwrap() {
        base[k] = val.clone();
    }
    Activity::parse(base.to_string().as_bytes()).unwrap()
}

fn mention(text: &str) -> Value {
    json!({"type": "mention", "mentioned": {"id": "28:bot-app-id", "name": "errkb"}, "text": text})
}

fn reply_card(d: &Decision) -> &Value {
    let Decision::Reply(reply) = d else { panic!("{d:?}") };
    assert_eq!(reply["attachments"][0]["contentType"], card::CONTENT_TYPE);
    &reply["attachments"][0]["content"]
}

#[test]
fn mentions_are_stripped_in_both_documented_forms() {
    let b = bot();
    assert_eq!(strip_mentions("<at>errkb</at> AADSTS50011", &[mention("<at>errkb</at>")], Some(&b)), "AADSTS50011");
    assert_eq!(strip_mentions("<at>errkb</at> AADSTS50011", &[mention("<at>@errkb</at>")], Some(&b)), "AADSTS50011");
    assert_eq!(strip_mentions("<at>@errkb</at>  AADSTS50011 ", &[], Some(&b)), "AADSTS50011");
    assert_eq!(
        strip_mentions("why <at>errkb</at> AADSTS50011\n", &[mention("<at>errkb</at>")], Some(&b)),
        "why AADSTS50011"
    );
    let alice = json!({"type": "mention", "mentioned": {"id": "29:alice", "name": "Alice"}, "text": "<at>Alice</at>"});
    assert_eq!(
        strip_mentions("<at>errkb</at> ask <at>Alice</at>", &[mention("<at>errkb</at>"), alice], Some(&b)),
        "ask Alice"
    );
    let no_text = json!({"type": "mention", "mentioned": {"id": "28:bot-app-id", "name": "Bot Name"}});
    assert_eq!(strip_mentions("<at>Bot Name</at> AADSTS50011", &[no_text], Some(&b)), "AADSTS50011");
}

#[test]
fn the_outgoing_webhook_text_loses_every_mention_tag() {
    assert_eq!(strip_all_mentions("<at>errkb</at> AADSTS50011 <at>Alice</at>"), "AADSTS50011");
    assert_eq!(strip_all_mentions("<at>unclosed AADSTS50011"), "unclosed AADSTS50011");
    assert_eq!(strip_all_mentions("plain"), "plain");
}

#[test]
fn a_personal_message_is_answered_with_the_guide_card_as_a_threaded_reply() {
    let (d, vote) = decide(&activity(json!({"text": "AADSTS7000215"})), &Kb, &R);
    assert!(vote.is_none());
    let Decision::Reply(reply) = &d else { panic!() };
    assert_eq!(reply["replyToId"], "act-1");
    assert_eq!(reply["conversation"]["id"], "a:personal");
    assert_eq!(reply["from"]["id"], "28:bot-app-id");
    assert!(reply.get("text").is_none(), "a card and text in one activity are split by Teams");
    assert_eq!(reply_card(&d)["body"][0]["text"], "AADSTS7000215");
}

#[test]
fn a_channel_mention_is_answered_in_the_thread() {
    let a = activity(json!({
        "text": "<at>errkb</at> AADSTS50011 when I sign in from localhost",
        "entities": [mention("<at>errkb</at>")],
        "conversation": {"id": "19:abc@thread.skype;messageid=1700", "conversationType": "channel"}
    }));
    let (d, _) = decide(&a, &Kb, &R);
    let Decision::Reply(reply) = &d else { panic!() };
    assert_eq!(reply["conversation"]["id"], "19:abc@thread.skype;messageid=1700");
    assert_eq!(reply_card(&d)["body"][0]["text"], "AADSTS50011");
}

#[test]
fn a_group_chat_mention_with_the_at_form_is_answered() {
    let a = activity(json!({
        "text": "<at>errkb</at> AADSTS700016", "entities": [mention("<at>@errkb</at>")],
        "conversation": {"id": "19:group@thread.v2", "conversationType": "groupChat"}
    }));
    assert_eq!(reply_card(&decide(&a, &Kb, &R).0)["body"][0]["text"], "AADSTS700016");
}

#[test]
fn adding_the_bot_sends_one_welcome_card_and_other_updates_nothing() {
    let added =
        activity(json!({"type": "conversationUpdate", "membersAdded": [{"id": "29:user"}, {"id": "28:bot-app-id"}]}));
    assert!(reply_card(&decide(&added, &Kb, &R).0)["body"][0]["text"].as_str().unwrap().contains("errkb"));
    let user_added = activity(json!({"type": "conversationUpdate", "membersAdded": [{"id": "29:other"}]}));
    assert_eq!(decide(&user_added, &Kb, &R).0, Decision::Ack);
    let install = activity(json!({"type": "installationUpdate", "action": "add"}));
    assert_eq!(decide(&install, &Kb, &R).0, Decision::Ack);
}

#[test]
fn an_empty_mention_or_help_gets_the_welcome_card() {
    let a = activity(json!({"text": "<at>errkb</at>", "entities": [mention("<at>errkb</at>")]}));
    assert!(reply_card(&decide(&a, &Kb, &R).0)["body"][0]["text"].as_str().unwrap().starts_with("Hi"));
}

fn execute(verb: &str, data: Value) -> Activity {
    activity(json!({"type": "invoke", "name": "adaptiveCard/action", "replyToId": "msg-7",
        "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}}))
}

#[test]
fn feedback_is_answered_in_the_response_with_an_updated_card_and_a_vote() {
    let (d, vote) = decide(&execute("feedback", json!({"code": "AADSTS50011", "helpful": true})), &Kb, &R);
    let Decision::Invoke(body) = d else { panic!() };
    assert_eq!(body["statusCode"], 200);
    assert_eq!(body["type"], card::CONTENT_TYPE);
    assert!(body["value"].to_string().contains("glad it helped"));
    let vote = vote.unwrap();
    assert_eq!((vote.code.as_str(), vote.helpful, vote.message_id.as_str()), ("AADSTS50011", true, "msg-7"));
}

#[test]
fn did_you_mean_replaces_the_card_with_the_chosen_guide() {
    let (d, _) = decide(&execute("show", json!({"code": "AADSTS7000218"})), &Kb, &R);
    let Decision::Invoke(body) = d else { panic!() };
    assert_eq!(body["value"]["body"][0]["text"], "AADSTS7000218");
}

#[test]
fn an_unknown_verb_or_code_gets_a_polite_message_not_an_error() {
    for a in [
        execute("explode", json!({"code": "AADSTS50011"})),
        execute("show", json!({"code": "NOPE1"})),
        execute("show", json!(7)),
    ] {
        let Decision::Invoke(body) = decide(&a, &Kb, &R).0 else { panic!() };
        assert_eq!(body["statusCode"], 200);
        assert_eq!(body["type"], "application/vnd.microsoft.activity.message");
    }
}

#[test]
fn teams_native_feedback_is_recorded() {
    let a = activity(json!({"type": "invoke", "name": "message/submitAction", "replyToId": "m1",
        "value": {"actionName": "feedback", "actionValue": {"reaction": "dislike", "feedback": "{\"feedbackText\":\"meh\"}"}}}));
    let (d, vote) = decide(&a, &Kb, &R);
    assert!(matches!(d, Decision::Invoke(_)));
    assert!(!vote.unwrap().helpful);
}

#[test]
fn the_message_extension_returns_guide_cards_with_previews_under_28_kb() {
    let a = activity(json!({"type": "invoke", "name": "composeExtension/query",
        "value": {"commandId": "searchKb", "parameters": [{"name": "query", "value": "invalid client secret"}],
                  "queryOptions": {"skip": 0, "count": 25}}}));
    let Decision::Invoke(body) = decide(&a, &Kb, &R).0 else { panic!() };
    let result = &body["composeExtension"];
    assert_eq!(result["type"], "result");
    let attachments = result["attachments"].as_array().unwrap();
    assert!(!attachments.is_empty());
    for att in attachments {
        assert_eq!(att["preview"]["contentType"], "application/vnd.microsoft.card.thumbnail");
        assert!(card::size(&att["content"]) <= MAX_RESULT_CARD_BYTES);
        assert!(!att["content"].to_string().contains("Action.Execute"));
    }
    let initial = activity(json!({"type": "invoke", "name": "composeExtension/query",
        "value": {"commandId": "searchKb", "parameters": [{"name": "initialRun", "value": "true"}]}}));
    let Decision::Invoke(body) = decide(&initial, &Kb, &R).0 else { panic!() };
    assert!(body["composeExtension"]["attachments"].as_array().unwrap().len() >= 3);
}

#[test]
fn unknown_and_malformed_activities_never_panic() {
    assert!(Activity::parse(b"not json").is_none());
    assert!(Activity::parse(b"[1,2]").is_none());
    assert!(Activity::parse(br#"{"text":"no type"}"#).is_none());
    let odd = Activity::parse(br#"{"type":"message","from":7,"entities":"x"}"#);
    assert!(odd.is_none(), "wrongly typed fields are refused, not guessed");
    let bare = Activity::parse(br#"{"type":"message"}"#).unwrap();
    assert!(matches!(decide(&bare, &Kb, &R).0, Decision::Reply(_)));
    let typing = Activity::parse(br#"{"type":"typing"}"#).unwrap();
    assert_eq!(decide(&typing, &Kb, &R).0, Decision::Ack);
    let invoke = Activity::parse(br#"{"type":"invoke","name":"task/fetch"}"#).unwrap();
    assert!(matches!(decide(&invoke, &Kb, &R).0, Decision::BadRequest(_)));
    let huge = activity(json!({"text": format!("AADSTS50011 {}", "x ".repeat(200_000))}));
    assert!(matches!(decide(&huge, &Kb, &R).0, Decision::Reply(_)));
}
