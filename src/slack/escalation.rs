//! Clicks on a channel answer's buttons: "✅ Solved it" (recorded with the guide, channel, who
//! and the seconds since the question; the message then says which guide solved it and who
//! confirmed), "🙋 Still stuck" (a message in the thread that calls in the channel's escalation
//! target with the code, the guide shown and the question, escaped; recorded as an escalation;
//! without a target, the clicker is told privately how to set one) and "Not useful here" (the
//! automatic answer is removed). Solved and Still stuck also count as Helpful / Not helpful.
//!
//! Owns the escalation message's wording. Knows the store and the Web API client; errors are
//! logged, never shown as an HTTP failure (the click was acknowledged already).

use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::blocks::{Message, guide_url};
use super::channel_answer::{self, Asked, NOT_USEFUL, SOLVED, STILL_STUCK};
use super::escape::{escape, link, user_mention};
use super::limits::cut_plain;
use super::payload::{Action, Interaction};
use super::service::{COMMAND, SlackApp};
use crate::http::AppState;
use crate::store::{EscalationTarget, Feedback, Outcome, Resolution, hash_user};

/// The question is cut to this many characters in the escalation message.
const QUESTION_CHARS: usize = 2_500;

/// True for the action ids handled here.
pub fn handles(action_id: &str) -> bool {
    [SOLVED, STILL_STUCK, NOT_USEFUL].contains(&action_id)
}

/// Handles a click on a channel answer's button.
pub async fn on_click(state: &AppState, slack: &SlackApp, i: &Interaction, action: &Action) {
    let asked = Asked::from_value(&action.value);
    match action.action_id.as_str() {
        SOLVED => solved(state, slack, i, &asked).await,
        STILL_STUCK => stuck(state, slack, i, &asked).await,
        NOT_USEFUL => hide(state, slack, i, &asked).await,
        _ => {}
    }
}

async fn solved(state: &AppState, slack: &SlackApp, i: &Interaction, asked: &Asked) {
    let seconds = (asked.at > 0).then(|| (state.store.now() - asked.at).max(0));
    let first = record(state, i, asked, Outcome::Solved, seconds, false).await;
    vote(state, i, &asked.code, true).await;
    if !first {
        return;
    }
    let who = user_mention(&i.user.id).unwrap_or_else(|| "someone".into());
    let note = match guide_link(state, slack, &asked.code) {
        Some((url, title)) => format!("✅ *Solved* with {}. Confirmed by {who}.", link(&url, &title)),
        None => format!("✅ *Solved*. Confirmed by {who}."),
    };
    let blocks = updated(clicked(i), &[SOLVED, STILL_STUCK, NOT_USEFUL], &note);
    let text = format!("Solved with {}", if asked.code.is_empty() { "this answer" } else { asked.code.as_str() });
    respond(slack, i, Message { text, blocks }, json!({"replace_original": true})).await;
}

async fn stuck(state: &AppState, slack: &SlackApp, i: &Interaction, asked: &Asked) {
    let settings = channel_answer::settings(state, i.channel_id()).await;
    let targets = mentions(&settings.escalation);
    let first = record(state, i, asked, Outcome::Stuck, None, !targets.is_empty()).await;
    vote(state, i, &asked.code, false).await;
    if targets.is_empty() {
        let how = format!(
            "Nobody is set up to help in this channel yet, so no one was called in. A channel admin (a workspace \
             admin or owner, or someone listed in ERRKB_CHANNEL_ADMINS) can choose who gets called with `{COMMAND} \
             settings`. Meanwhile, add what you tried to this thread."
        );
        return tell(slack, i, &how).await;
    }
    let called = targets.join(" ");
    if !first {
        return tell(slack, i, &format!("Help was already asked for on this answer: {called} were called in.")).await;
    }
    let Some(token) = slack.token_for(&state.store, &i.team.id).await else {
        return tracing::warn!(team = %i.team.id, "no Slack bot token: the escalation was not posted");
    };
    let thread = thread_of(i);
    let guide = guide_link(state, slack, &asked.code);
    let message = escalation_message(guide.as_ref().map(|(u, t)| (u.as_str(), t.as_str())), &i.user.id, asked, &called);
    if let Err(e) = slack.api.post_message(&token, i.channel_id(), Some(&thread), &message).await {
        tracing::warn!(error = %e, "posting the escalation failed");
        return tell(slack, i, "The escalation could not be posted; please call someone in by hand.").await;
    }
    let who = user_mention(&i.user.id).unwrap_or_else(|| "someone".into());
    let blocks =
        updated(clicked(i), &[STILL_STUCK, NOT_USEFUL], &format!("🙋 Still stuck: {called} called in by {who}."));
    let text = i.message.as_ref().and_then(|m| m["text"].as_str()).unwrap_or("Still stuck").to_string();
    respond(slack, i, Message { text, blocks }, json!({"replace_original": true})).await;
}

async fn hide(state: &AppState, slack: &SlackApp, i: &Interaction, asked: &Asked) {
    record(state, i, asked, Outcome::Hidden, None, false).await;
    let empty = Message { text: String::new(), blocks: Vec::new() };
    respond(slack, i, empty, json!({"delete_original": true})).await;
}

/// The message in the thread that calls people in: `guide` is the guide shown (URL and title),
/// `clicker` who clicked, `called` the mentions of the escalation target.
pub fn escalation_message(guide: Option<(&str, &str)>, clicker: &str, asked: &Asked, called: &str) -> Message {
    let who = user_mention(clicker).unwrap_or_else(|| "Someone".into());
    let code = if asked.code.is_empty() { "no code".to_string() } else { format!("`{}`", escape(&asked.code)) };
    let guide = guide.map_or_else(|| "no guide matched".to_string(), |(url, title)| link(url, title));
    let asker = user_mention(&asked.user).map(|m| format!(" (asked by {m})")).unwrap_or_default();
    let question = escape(&cut_plain(asked.question.trim(), QUESTION_CHARS, "…")).replace("```", "'''");
    let mut blocks = vec![
        section(&format!("🙋 *Still stuck:* {who} needs a person to look at this. {called}, can you help?")),
        section(&format!("*Code:* {code}\n*Guide shown:* {guide}")),
    ];
    if !question.is_empty() {
        blocks.push(section(&format!("*The question*{asker}:\n```{question}```")));
    }
    let about = if asked.code.is_empty() { "a question" } else { asked.code.as_str() };
    Message { text: format!("Still stuck on {about}: {called}, can you help?"), blocks }
}

/// `<@U…>` and `<!subteam^S…>` for the well-formed targets.
pub fn mentions(targets: &[EscalationTarget]) -> Vec<String> {
    targets
        .iter()
        .filter_map(|t| match t.kind.as_str() {
            "user" => user_mention(&t.id),
            "group" => is_group_id(&t.id).then(|| format!("<!subteam^{}>", t.id)),
            _ => None,
        })
        .collect()
}

/// A Slack user group id (`S0614TZR7`).
pub fn is_group_id(id: &str) -> bool {
    id.len() > 1
        && id.len() <= 32
        && id.starts_with('S')
        && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The thread the answer is in (or the answer itself, when it is a top-level message).
fn thread_of(i: &Interaction) -> String {
    let from_message = i.message.as_ref().and_then(|m| m["thread_ts"].as_str()).filter(|t| !t.is_empty());
    from_message.unwrap_or(&i.container.message_ts).to_string()
}

/// The guide's page and title, when the code has a guide.
fn guide_link(state: &AppState, slack: &SlackApp, code: &str) -> Option<(String, String)> {
    state.engine.current().get(code).map(|g| (guide_url(&slack.public_url, g.code.as_str()), g.title()))
}

fn clicked(i: &Interaction) -> Vec<Value> {
    i.message_blocks().cloned().unwrap_or_default()
}

/// A clicked message's blocks without the buttons in `drop`, with a closing note (mrkdwn).
pub fn updated(mut blocks: Vec<Value>, drop: &[&str], note: &str) -> Vec<Value> {
    for block in &mut blocks {
        if let Some(elements) = block.get_mut("elements").and_then(Value::as_array_mut) {
            elements.retain(|e| !drop.iter().any(|id| e["action_id"] == *id));
        }
    }
    blocks.retain(|b| b["type"] != "actions" || b["elements"].as_array().is_some_and(|e| !e.is_empty()));
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": note, "verbatim": true}]}));
    blocks
}

async fn record(
    state: &AppState,
    i: &Interaction,
    asked: &Asked,
    outcome: Outcome,
    seconds: Option<i64>,
    escalated: bool,
) -> bool {
    let row = Resolution {
        platform: "slack",
        channel_id: i.channel_id(),
        answer_id: &i.container.message_ts,
        outcome,
        guide_code: Some(asked.code.as_str()).filter(|c| !c.is_empty()),
        user_hash: hash_user(state.settings.user_hash_salt.expose_secret(), "slack", &i.user.id),
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

/// Solved is a helpful vote, Still stuck an unhelpful one, on the same answer id as Helpful.
async fn vote(state: &AppState, i: &Interaction, code: &str, helpful: bool) {
    if code.is_empty() || state.engine.current().get(code).is_none() {
        return;
    }
    let answer_id = format!("slack:{}:{}", i.channel_id(), i.container.message_ts);
    let vote = Feedback {
        answer_id: &answer_id,
        guide_code: code,
        vote: if helpful { 1 } else { -1 },
        platform: "slack",
        user_hash: hash_user(state.settings.user_hash_salt.expose_secret(), "slack", &i.user.id),
    };
    if let Err(e) = state.store.record_feedback(&vote).await {
        tracing::warn!(error = %e, "storing a Solved / Still stuck vote failed");
    }
}

/// A private note to the clicker; `mrkdwn` is already escaped.
async fn tell(slack: &SlackApp, i: &Interaction, mrkdwn: &str) {
    let message = Message { text: mrkdwn.to_string(), blocks: vec![section(mrkdwn)] };
    respond(slack, i, message, json!({"response_type": "ephemeral", "replace_original": false})).await;
}

async fn respond(slack: &SlackApp, i: &Interaction, message: Message, extra: Value) {
    if i.response_url.is_empty() {
        return tracing::debug!("Slack interaction without a response_url; nothing to update");
    }
    if let Err(e) = slack.api.respond(&i.response_url, message, extra).await {
        tracing::warn!(error = %e, "posting to a Slack response_url failed");
    }
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": true}})
}
