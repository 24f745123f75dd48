//! Answers for Slack flows: user text or a chosen code to a rendered [`Message`], through the
//! service's [`AppState::ask`] (which counts and logs the question) or a direct guide lookup,
//! rendered from the service's cached renderings ([`rendered`](super::rendered)).
//!
//! Shared by events, interactions and commands. Knows no HTTP and no payload shapes.

use axum::body::Bytes;

use super::blocks::{self, Message, Render};
use super::service::{COMMAND, SlackApp};
use crate::answer::{Answer, Hit, Match, Outcome};
use crate::http::AppState;

/// The answer to what a user typed or pasted; `help`, or nothing, gives usage.
pub fn answer_text(state: &AppState, text: &str, r: &Render) -> Message {
    let r = &with_probe(state, r);
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("help") {
        return blocks::help(COMMAND);
    }
    match state.ask_tagged(text, "slack") {
        Ok((answer, generation)) => super::rendered::message(&state.renderings, generation, &answer, r),
        Err(_) => blocks::help(COMMAND),
    }
}

/// The answer for a code a user picked (a button): the guide itself when it exists.
pub fn answer_code(state: &AppState, code: &str, r: &Render) -> Message {
    let r = &with_probe(state, r);
    let (engine, generation) = state.engine.snapshot();
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
    super::rendered::message(&state.renderings, generation, &answer, r)
}

/// The live-check buttons are offered exactly when the probe is on.
fn with_probe<'a>(state: &AppState, r: &Render<'a>) -> Render<'a> {
    Render { probe: state.probe.is_some(), ..*r }
}

/// A slash command's immediate reply body, serialized: ephemeral, with the answer in it.
pub fn command_reply(state: &AppState, slack: &SlackApp, command: &str, text: &str) -> Bytes {
    let text = text.trim();
    let help = || blocks::help(if command.is_empty() { COMMAND } else { command });
    if text.is_empty() || text.eq_ignore_ascii_case("help") {
        return ephemeral_bytes(help());
    }
    let r = Render { shareable: true, probe: state.probe.is_some(), ..Render::new(&slack.public_url) };
    match state.ask_tagged(text, "slack") {
        Ok((answer, generation)) => {
            state.replies.get_or_compute(generation, &format!("slack-command\u{0}{text}"), || {
                super::rendered::command_ack(&state.renderings, generation, &answer, &r)
            })
        }
        Err(_) => ephemeral_bytes(blocks::help(COMMAND)),
    }
}

fn ephemeral_bytes(message: Message) -> Bytes {
    serde_json::to_vec(&super::rendered::ephemeral(message)).unwrap_or_default().into()
}
