//! Cached Block Kit renderings of answers. A rendered answer depends on its shape (the guides it
//! leads with and offers, how they matched and why, the rendering options) and on a few parts
//! that belong to one request ([`Echo`]: the question echoed back, who shared it). The shape is
//! rendered and fitted to Slack's limits once per knowledge-base generation, with a marker where
//! each per-request part goes ([`JsonTemplate`]); a request then only puts its own parts in, into
//! a copy of the message or straight into the serialized slash-command acknowledgement. The limit
//! check runs when a shape is rendered, not per request.
//!
//! A shape is cached only when that is the same as rendering afresh: the per-request parts at
//! their longest break no limit where they sit (so the limit repair never touches them), and the
//! template filled with the first request's parts is exactly the fresh rendering. Otherwise the
//! shape is rendered afresh every time. Entries belong to the engine generation whose guides they
//! show, so a hot reload empties the cache (as it does the answer cache).
//!
//! Owns the shape key (`slack|…` in the service's [`Renderings`]) and the Block Kit templates.
//! Knows Block Kit only through [`blocks`] and [`limits`]; knows no routes, store or payloads.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;

use super::blocks::{self, ECHO_CHARS, Echo, Message, Render, SHARE_VALUE_CHARS};
use super::escape::user_mention;
use super::limits::{self, Surface};
use crate::answer::{Answer, Outcome};
use crate::http::MAX_CACHE_KEY_BYTES;
use crate::http::template::{JsonTemplate, Renderings, marker};

/// The answer as a Slack message, equal to [`blocks::answer`], from `cache` when its shape was
/// rendered for `generation` (the engine generation the answer's guides come from).
pub fn message(cache: &Renderings, generation: u64, answer: &Answer, r: &Render) -> Message {
    let echo = Echo::of(answer, r);
    match template(cache, generation, answer, r, &echo).as_ref() {
        Some(t) => Message::from_json(t.value_with(&parts(&echo))),
        None => blocks::answer(answer, r),
    }
}

/// A slash command's ephemeral answer, serialized: `{"blocks", "response_type", "text"}`.
pub fn command_ack(cache: &Renderings, generation: u64, answer: &Answer, r: &Render) -> Bytes {
    let echo = Echo::of(answer, r);
    match template(cache, generation, answer, r, &echo).as_ref() {
        Some(t) => t.bytes_with(&parts(&echo)).into(),
        None => serde_json::to_vec(&ephemeral(blocks::answer(answer, r))).unwrap_or_default().into(),
    }
}

/// True when `answer`'s shape is kept as a template for `generation` (rendered now if it was
/// not), false for a shape rendered afresh every time.
pub fn has_template(cache: &Renderings, generation: u64, answer: &Answer, r: &Render) -> bool {
    template(cache, generation, answer, r, &Echo::of(answer, r)).is_some()
}

fn template(
    cache: &Renderings,
    generation: u64,
    answer: &Answer,
    r: &Render,
    echo: &Echo,
) -> Arc<Option<JsonTemplate>> {
    let key = shape_key(answer, r);
    if key.len() > MAX_CACHE_KEY_BYTES {
        return Arc::new(None);
    }
    cache.get_or_compute(generation, &key, || Arc::new(build(answer, r, echo)))
}

/// `{"blocks", "response_type": "ephemeral", "text"}`: how a slash command answers.
pub fn ephemeral(message: Message) -> Value {
    let mut body = message.into_json();
    body["response_type"] = Value::from("ephemeral");
    body
}

fn parts(echo: &Echo) -> [&str; 3] {
    [&echo.question, &echo.share_value, echo.shared_by.as_deref().unwrap_or_default()]
}

/// Everything the rendering reads besides the [`Echo`]: the outcome, each guide's code and how
/// it matched, the reason and its sentence, the lead code, and the options. Guides are named by
/// code: within one engine generation a code is one guide.
fn shape_key(answer: &Answer, r: &Render) -> String {
    let mut key = String::with_capacity(160);
    let _ = write!(key, "slack|{}|{}|{}", answer.kind(), r.public_url, answer.lead_code().map_or("", |c| c.as_str()));
    for hit in answer.hits() {
        let _ = write!(key, "|{}:{:?}", hit.guide.code.as_str(), hit.matched);
    }
    if let Outcome::NotFound { code, .. } = &answer.outcome {
        let long = code.is_none() && answer.query.chars().count() > 80;
        let _ = write!(key, "|{}:{long}", code.as_ref().map_or("", |c| c.as_str()));
    }
    let _ = write!(key, "|{:?}|{:?}", answer.reason, answer.why());
    let shared = r.shared_by.and_then(user_mention).is_some();
    let _ = write!(key, "|{}{}{}{}", r.all_steps as u8, r.shareable as u8, r.probe as u8, shared as u8);
    key
}

/// The template for `answer`'s shape, or `None` when filling it could differ from rendering
/// afresh; `echo` is this request's parts, used to check the template once.
fn build(answer: &Answer, r: &Render, echo: &Echo) -> Option<JsonTemplate> {
    let marked =
        Echo { question: marker(0), share_value: marker(1), shared_by: echo.shared_by.as_ref().map(|_| marker(2)) };
    let (unfitted, full_url) = blocks::layout(answer, r, &marked);
    let slots = JsonTemplate::new(unfitted.to_json()).slots().to_vec();
    if !longest_parts_fit(answer, r, &marked, &slots) {
        return None;
    }
    let template = JsonTemplate::new(ephemeral(unfitted.fitted(&full_url)));
    if template.slots() != slots {
        return None;
    }
    let fresh = ephemeral(blocks::answer(answer, r));
    let same = template.value_with(&parts(echo)) == fresh
        && template.bytes_with(&parts(echo)) == serde_json::to_vec(&fresh).unwrap_or_default();
    same.then_some(template)
}

/// True when the per-request parts at their longest break no Slack limit in the strings that
/// hold them, so the limit repair leaves those strings as they are whatever a request puts in.
fn longest_parts_fit(answer: &Answer, r: &Render, marked: &Echo, slots: &[String]) -> bool {
    let longest = Echo {
        // Each character escapes to at most five (`&amp;`).
        question: "x".repeat(ECHO_CHARS * 5),
        share_value: "x".repeat(SHARE_VALUE_CHARS),
        shared_by: marked.shared_by.as_ref().map(|_| format!("<@{}>", "U".repeat(32))),
    };
    let (message, _) = blocks::layout(answer, r, &longest);
    let violations = limits::check(&message.into_json(), Surface::Message);
    !violations.iter().any(|v| slots.contains(&v.path))
}
