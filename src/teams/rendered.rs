//! Cached Adaptive Card renderings of answers. An answer card depends on the answer's shape (the
//! guides, how and why they matched, the lead code, the rendering options) and, on a "Did you
//! mean" card only, on the question echoed back. The shape is rendered (and fitted to the card
//! size budget) once per knowledge-base generation as the outgoing webhook's reply, with a
//! marker where the question goes ([`JsonTemplate`]); a request then puts its question in, into a
//! copy of the card or straight into the serialized reply.
//!
//! A shape is cached only when the template filled with the first request's question is exactly
//! the fresh rendering; otherwise it is rendered afresh every time. Entries belong to the engine
//! generation whose guides they show, so a hot reload empties the cache.
//!
//! Owns the shape key (`teams|…` in the service's [`Renderings`]) and the card templates. Knows
//! cards only through [`card`]; knows no routes, tokens or store.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::{Value, json};

use super::card::{self, Render};
use crate::answer::{Answer, Outcome};
use crate::http::template::{JsonTemplate, Renderings, marker};
use crate::http::{EngineCell, MAX_CACHE_KEY_BYTES};

/// The answer card, equal to [`card::answer_card`], from `cache` when its shape was rendered for
/// `generation` (the engine generation the answer's guides come from).
pub fn answer_card(cache: &Renderings, generation: u64, answer: &Answer, r: &Render) -> Value {
    let echo = card::echo(answer);
    match template(cache, generation, answer, r, &echo).as_ref() {
        Some(t) => {
            let mut reply = t.value_with(&[&echo]);
            reply.pointer_mut("/attachments/0/content").map(Value::take).unwrap_or_default()
        }
        None => card::answer_card(answer, r),
    }
}

/// The outgoing webhook's reply, serialized: `{"type": "message", "attachments": [the card]}`.
pub fn webhook_reply(cache: &Renderings, generation: u64, answer: &Answer, r: &Render) -> Bytes {
    let echo = card::echo(answer);
    match template(cache, generation, answer, r, &echo).as_ref() {
        Some(t) => t.bytes_with(&[&echo]).into(),
        None => serde_json::to_vec(&reply(card::answer_card(answer, r))).unwrap_or_default().into(),
    }
}

/// A message activity carrying `card`: how the outgoing webhook answers.
pub fn reply(card: Value) -> Value {
    json!({"type": "message", "attachments": [card::attachment(card)]})
}

/// The current engine generation when the answer's guides are its guides (for an answer that
/// did not come with its generation); `None` after a reload.
pub fn generation_of(engines: &EngineCell, answer: &Answer) -> Option<u64> {
    let (engine, generation) = engines.snapshot();
    let current =
        answer.hits().iter().all(|h| engine.get(h.guide.code.key()).is_some_and(|g| Arc::ptr_eq(g, &h.guide)));
    current.then_some(generation)
}

/// True when `answer`'s shape is kept as a template for `generation` (rendered now if it was
/// not), false for a shape rendered afresh every time.
pub fn has_template(cache: &Renderings, generation: u64, answer: &Answer, r: &Render) -> bool {
    template(cache, generation, answer, r, &card::echo(answer)).is_some()
}

fn template(cache: &Renderings, generation: u64, answer: &Answer, r: &Render, echo: &str) -> Arc<Option<JsonTemplate>> {
    let key = shape_key(answer, r);
    if key.len() > MAX_CACHE_KEY_BYTES {
        return Arc::new(None);
    }
    cache.get_or_compute(generation, &key, || Arc::new(build(answer, r, echo)))
}

/// Everything the card reads besides the echoed question: the outcome, each guide's code and how
/// it matched, the code asked about, the reason and its sentence, the lead code, the options.
fn shape_key(answer: &Answer, r: &Render) -> String {
    let mut key = String::with_capacity(160);
    let lead = answer.lead_code().map_or("", |c| c.as_str());
    let _ = write!(key, "teams|{}|{}|{:?}|{}|{lead}", answer.kind(), r.public_url, r.mode, r.probe);
    for hit in answer.hits() {
        let _ = write!(key, "|{}:{:?}", hit.guide.code.as_str(), hit.matched);
    }
    if let Outcome::NotFound { code, .. } = &answer.outcome {
        let _ = write!(key, "|{}", code.as_ref().map_or("", |c| c.as_str()));
    }
    let _ = write!(key, "|{:?}|{:?}", answer.reason, answer.why());
    key
}

fn build(answer: &Answer, r: &Render, echo: &str) -> Option<JsonTemplate> {
    let template = JsonTemplate::new(reply(card::answer_card_echoing(answer, r, &marker(0))));
    let fresh = reply(card::answer_card(answer, r));
    let same = template.value_with(&[echo]) == fresh
        && template.bytes_with(&[echo]) == serde_json::to_vec(&fresh).unwrap_or_default();
    same.then_some(template)
}
