//! Clicks on a Teams channel answer's buttons (`Action.Execute`, answered in the invoke's own
//! response with the updated card, well within Teams' 5 s): "Solved it" (recorded with the
//! guide, channel, who and the seconds since the question; the card then says which guide solved
//! it and who confirmed), "Still stuck" (a message in the thread that @mentions the channel's
//! experts or tag with the code, the guide shown and the question, escaped; recorded as an
//! escalation; without anyone set, the card says how to set someone) and "Not useful here" (the
//! automatic answer is deleted). Solved and Still stuck also count as Helpful / Not helpful.
//!
//! Owns the verbs and the escalation message. Knows the store and the connector.

use std::sync::Arc;

use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::activity::Activity;
use super::card::{self, Mode, Render, VERB_FEEDBACK};
use super::service::TeamsApp;
use super::support::{Asked, channel_of, settings};
use super::text::{neutralise, user_text};
use crate::http::AppState;
use crate::store::{EscalationTarget, Feedback, Outcome, Resolution, hash_user};

pub const VERB_SOLVED: &str = "support_solved";
pub const VERB_STUCK: &str = "support_stuck";
pub const VERB_HIDE: &str = "support_hide";

pub fn is_verb(verb: &str) -> bool {
    [VERB_SOLVED, VERB_STUCK, VERB_HIDE].contains(&verb)
}

/// Who clicked, where, on which answer.
struct Click<'a> {
    a: &'a Activity,
    asked: Asked,
    user: String,
    name: String,
    channel: String,
    answer_id: String,
}

/// Handles a click; returns the card that replaces the answer.
pub async fn resolve(state: &AppState, teams: &Arc<TeamsApp>, a: &Activity, verb: &str, data: &Value) -> Value {
    let from = a.from.clone().unwrap_or_default();
    let click = Click {
        a,
        asked: serde_json::from_value(data.clone()).unwrap_or_default(),
        name: from.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "someone".into()),
        user: from.id,
        channel: channel_of(a),
        answer_id: a.reply_to_id.clone().or_else(|| a.id.clone()).unwrap_or_default(),
    };
    match verb {
        VERB_SOLVED => solved(state, &click).await,
        VERB_STUCK => stuck(state, teams, &click).await,
        _ => hide(state, teams, &click).await,
    }
}

async fn solved(state: &AppState, c: &Click<'_>) -> Value {
    let seconds = (c.asked.asked > 0).then(|| (state.store.now() - c.asked.asked).max(0));
    record(state, c, Outcome::Solved, seconds, false).await;
    vote(state, c, true).await;
    let note = match guide_title(state, &c.asked.code) {
        Some(title) => format!("✅ Solved with {}. Confirmed by {}.", neutralise(&title), neutralise(&c.name)),
        None => format!("✅ Solved. Confirmed by {}.", neutralise(&c.name)),
    };
    updated_card(state, &c.asked, &note, &[VERB_SOLVED, VERB_STUCK, VERB_HIDE])
}

async fn stuck(state: &AppState, teams: &Arc<TeamsApp>, c: &Click<'_>) -> Value {
    let targets = settings(state, &c.channel).await.escalation;
    let first = record(state, c, Outcome::Stuck, None, !targets.is_empty()).await;
    vote(state, c, false).await;
    if targets.is_empty() {
        let note = "Nobody is set up to help in this channel yet, so no one was called in. A channel admin can \
                    choose who: send \"@errkb experts @person\" (or a tag) in this channel.";
        return updated_card(state, &c.asked, note, &[VERB_HIDE]);
    }
    let names: Vec<String> = targets.iter().map(|t| neutralise(&display(t))).collect();
    if first {
        let message = escalation_activity(state, c, &targets);
        let (teams, a) = (teams.clone(), c.a.clone());
        tokio::spawn(async move { post(&teams, &a, &message).await });
    }
    let note = format!("🙋 Still stuck: {} called in by {}.", names.join(", "), neutralise(&c.name));
    updated_card(state, &c.asked, &note, &[VERB_STUCK, VERB_HIDE])
}

async fn hide(state: &AppState, teams: &Arc<TeamsApp>, c: &Click<'_>) -> Value {
    record(state, c, Outcome::Hidden, None, false).await;
    let (teams, a, id) = (teams.clone(), c.a.clone(), c.answer_id.clone());
    tokio::spawn(async move {
        let (Some(bot), Some(service_url), Some(conversation)) = (&teams.bot, &a.service_url, &a.conversation) else {
            return;
        };
        if let Err(e) = bot.connector.delete(service_url, &conversation.id, &id).await {
            tracing::info!(error = %e, "deleting a hidden Teams answer failed; its card says it was hidden");
        }
    });
    let body = vec![
        json!({"type": "TextBlock", "text": format!("Hidden by {}.", neutralise(&c.name)), "wrap": true, "isSubtle": true}),
    ];
    json!({"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": card::VERSION,
        "fallbackText": "Hidden", "body": body, "actions": []})
}

/// The answer's guide card (or a short card) without the buttons in `drop` and Helpful / Not
/// helpful, ending with `note`.
fn updated_card(state: &AppState, asked: &Asked, note: &str, drop: &[&str]) -> Value {
    let r = Render { public_url: &state.settings.public_url, mode: Mode::Bot, probe: false };
    let mut c = match state.engine.current().get(&asked.code) {
        Some(guide) => super::support::decorate(card::guide_card(guide, &r), asked, true),
        None => super::support::decorate(
            json!({"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "version": card::VERSION, "fallbackText": note, "body": [], "actions": []}),
            asked,
            true,
        ),
    };
    if let Some(actions) = c["actions"].as_array_mut() {
        actions.retain(|a| a["verb"] != VERB_FEEDBACK && !drop.iter().any(|v| a["verb"] == *v));
    }
    if let Some(body) = c["body"].as_array_mut() {
        body.push(json!({"type": "TextBlock", "text": note, "wrap": true, "weight": "Bolder", "separator": true}));
    }
    c
}

fn guide_title(state: &AppState, code: &str) -> Option<String> {
    state.engine.current().get(code).map(|g| g.title())
}

fn display(t: &EscalationTarget) -> String {
    if t.name.trim().is_empty() { t.id.clone() } else { t.name.clone() }
}

/// The thread message that @mentions the targets (each `<at>` with its mention entity).
fn escalation_activity(state: &AppState, c: &Click<'_>, targets: &[EscalationTarget]) -> Value {
    let mut entities = Vec::new();
    let mut tags = Vec::new();
    for t in targets {
        let name = xml(&display(t));
        let text = format!("<at>{name}</at>");
        let mut mentioned = json!({"id": t.id, "name": name});
        if t.kind == "tag" {
            mentioned["type"] = json!("tag");
        }
        entities.push(json!({"type": "mention", "text": text, "mentioned": mentioned}));
        tags.push(text);
    }
    let code = if c.asked.code.is_empty() { "no code".to_string() } else { xml(&c.asked.code) };
    let guide = guide_title(state, &c.asked.code).map_or("no guide matched".to_string(), |t| xml(&t));
    let question = xml(&user_text(&c.asked.q, 1_500));
    let asker = if c.asked.name.is_empty() { String::new() } else { format!(" (asked by {})", xml(&c.asked.name)) };
    let text = format!(
        "🙋 <b>Still stuck:</b> {} needs a person to look at this. {}, can you help?<br><b>Code:</b> {code}<br>\
         <b>Guide shown:</b> {guide}<br><b>The question</b>{asker}: {question}",
        xml(&c.name),
        tags.join(", ")
    );
    json!({"type": "message", "textFormat": "xml", "text": text, "entities": entities,
        "summary": format!("Still stuck on {code}")})
}

/// `&`, `<` and `>` as entities: user text in an XML-formatted message.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn post(teams: &TeamsApp, a: &Activity, message: &Value) {
    let (Some(bot), Some(service_url), Some(conversation)) = (&teams.bot, &a.service_url, &a.conversation) else {
        return;
    };
    if let Err(e) = bot.connector.send(service_url, &conversation.id, message).await {
        tracing::warn!(error = %e, "posting the escalation failed");
    }
}

async fn record(state: &AppState, c: &Click<'_>, outcome: Outcome, seconds: Option<i64>, escalated: bool) -> bool {
    let row = Resolution {
        platform: "teams",
        channel_id: &c.channel,
        answer_id: &c.answer_id,
        outcome,
        guide_code: Some(c.asked.code.as_str()).filter(|code| !code.is_empty()),
        user_hash: hash_user(state.settings.user_hash_salt.expose_secret(), "teams", &c.user),
        seconds,
        escalated,
    };
    match state.store.record_resolution(&row).await {
        Ok(first) => first,
        Err(e) => {
            tracing::warn!(error = %e, outcome = outcome.as_str(), "recording a resolution failed");
            true
        }
    }
}

async fn vote(state: &AppState, c: &Click<'_>, helpful: bool) {
    if c.asked.code.is_empty() || state.engine.current().get(&c.asked.code).is_none() {
        return;
    }
    let vote = Feedback {
        answer_id: &c.answer_id,
        guide_code: &c.asked.code,
        vote: if helpful { 1 } else { -1 },
        platform: "teams",
        user_hash: hash_user(state.settings.user_hash_salt.expose_secret(), "teams", &c.user),
    };
    if let Err(e) = state.store.record_feedback(&vote).await {
        tracing::warn!(error = %e, "storing a Solved / Still stuck vote failed");
    }
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn user_text_in_an_xml_message_is_escaped() {
        assert_eq!(xml("<at>All</at> & co"), "&lt;at&gt;All&lt;/at&gt; &amp; co");
    }
}
