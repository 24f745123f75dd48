//! Whether a chat message is certainly about one guide, for the automatic answers of both chat
//! adapters: the best guide matched by an error code, a legacy code or Entra's own message text,
//! never by free text (a channel's chatter must not be answered on a hunch).
//!
//! Uses the answer core as it is; looks without logging or counting (most channel messages are
//! not questions). Knows no chat platform.

use super::{ANSWER_LIMIT, AppState};
use crate::answer::{Match, Outcome, Question, answer};

/// True when `text` would be answered by a guide matched by code, legacy code or message.
pub fn confident(state: &AppState, text: &str) -> bool {
    let Ok(question) = Question::parse(text) else { return false };
    let (engine, _) = state.engine.snapshot();
    let a = answer(&engine, &question, ANSWER_LIMIT);
    matches!(&a.outcome, Outcome::Found { best, .. } if matches!(best.matched, Match::Code | Match::Legacy | Match::Message))
}
