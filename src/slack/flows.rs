//! Answers for Slack flows: user text or a chosen code to a rendered [`Message`], through the
//! service's [`AppState::ask`] (which counts and logs the question) or a direct guide lookup.
//!
//! Shared by events, interactions and commands. Knows no HTTP and no payload shapes.

use serde_json::json;

use super::blocks::{self, Message, Render};
use super::service::COMMAND;
use crate::answer::{Answer, Hit, Match, Outcome};
use crate::http::AppState;

/// The answer to what a user typed or pasted; `help`, or nothing, gives usage.
pub fn answer_text(state: &AppState, text: &str, r: &Render) -> Message {
    let r = &with_probe(state, r);
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("help") {
        return blocks::help(COMMAND);
    }
    match state.ask(text, "slack") {
        Ok(answer) => blocks::answer(&answer, r),
        Err(_) => blocks::help(COMMAND),
    }
}

/// The answer for a code a user picked (a button): the guide itself when it exists.
pub fn answer_code(state: &AppState, code: &str, r: &Render) -> Message {
    let r = &with_probe(state, r);
    let engine = state.engine.current();
    let Some(guide) = engine.get(code) else { return answer_text(state, code, r) };
    let answer = Answer {
        query: guide.code.to_string(),
        detected: vec![guide.code.clone()],
        outcome: Outcome::Found {
            best: Hit { guide: guide.clone(), score: 1.0, matched: Match::Code },
            alternatives: vec![],
        },
        reason: None,
    };
    blocks::answer(&answer, r)
}

/// The live-check buttons are offered exactly when the probe is on.
fn with_probe<'a>(state: &AppState, r: &Render<'a>) -> Render<'a> {
    Render { probe: state.probe.is_some(), ..*r }
}

/// A slash command's immediate reply body: ephemeral, with the answer in it.
pub fn command_reply(state: &AppState, public_url: &str, command: &str, text: &str) -> serde_json::Value {
    let text = text.trim();
    let message = if text.is_empty() || text.eq_ignore_ascii_case("help") {
        blocks::help(if command.is_empty() { COMMAND } else { command })
    } else {
        answer_text(state, text, &Render { shareable: true, ..Render::new(public_url) })
    };
    let mut body = message.to_json();
    body["response_type"] = json!("ephemeral");
    body
}
