//! CORE: answers. A validated [`Question`] in, a platform-neutral [`Answer`] out:
//! `Found {guide, alternatives}`, `Ambiguous {candidates}` or `NotFound {code, suggestions}`.
//!
//! Owns the answering policy: exact code first, then a legacy code, else free text with typo
//! tolerance; near-miss codes become "did you mean". Knows nothing of Slack, Teams, HTML or HTTP;
//! adapters render an `Answer` their own way. Also owns the JSON shape of `errkb ask --json`.

mod json;
mod question;

use std::sync::Arc;

pub use json::{AnswerJson, ResultJson};
pub use question::{MAX_QUESTION_CHARS, Question, QuestionError};

use crate::kb::{Code, Guide};
use crate::search::{Detected, Engine};

/// How a guide came to be in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The query named the guide's code.
    Code,
    /// The query named an older code that the guide now covers.
    Legacy,
    /// Free-text relevance, or a near-miss code suggestion.
    Text,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub guide: Arc<Guide>,
    pub score: f32,
    pub matched: Match,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Found { best: Hit, alternatives: Vec<Hit> },
    Ambiguous { candidates: Vec<Hit> },
    NotFound { code: Option<Code>, suggestions: Vec<Hit> },
}

/// The answer to one question.
#[derive(Debug, Clone)]
pub struct Answer {
    pub query: String,
    pub detected: Vec<Code>,
    pub outcome: Outcome,
}

/// Free-text hits closer than this ratio to the best one make the answer ambiguous.
const AMBIGUOUS_RATIO: f32 = 0.88;

impl Answer {
    /// Guides in the order they should be shown, best first.
    pub fn hits(&self) -> Vec<&Hit> {
        match &self.outcome {
            Outcome::Found { best, alternatives } => std::iter::once(best).chain(alternatives).collect(),
            Outcome::Ambiguous { candidates } => candidates.iter().collect(),
            Outcome::NotFound { suggestions, .. } => suggestions.iter().collect(),
        }
    }

    pub fn is_found(&self) -> bool {
        !matches!(self.outcome, Outcome::NotFound { .. })
    }

    /// The code the answer is about: the lead detected code, else the best guide's.
    pub fn lead_code(&self) -> Option<&Code> {
        match &self.outcome {
            Outcome::NotFound { code: Some(code), .. } => Some(code),
            Outcome::Found { best, .. } if best.matched != Match::Text => Some(&best.guide.code),
            _ => self.detected.first().or_else(|| self.hits().first().map(|h| &h.guide.code)),
        }
    }

    /// The official lookup URL for the lead code, when its family has one.
    pub fn lookup_url(&self) -> Option<String> {
        self.lead_code().and_then(Code::lookup_url)
    }

    /// A short label for logs and metrics: `found`, `ambiguous` or `not_found`.
    pub fn kind(&self) -> &'static str {
        match self.outcome {
            Outcome::Found { .. } => "found",
            Outcome::Ambiguous { .. } => "ambiguous",
            Outcome::NotFound { .. } => "not_found",
        }
    }
}

/// Answers a question from the engine. `limit` caps the guides in the answer (at least 1).
pub fn answer(engine: &Engine, question: &Question, limit: usize) -> Answer {
    let limit = limit.max(1);
    let detected = engine.detect(question.text());
    let codes: Vec<Code> = detected.iter().map(|d| d.code.clone()).collect();
    let outcome =
        by_code(engine, question, &detected, limit).unwrap_or_else(|| by_text(engine, question, &detected, limit));
    Answer { query: question.text().to_string(), detected: codes, outcome }
}

/// Exact and legacy matches for the detected codes. The lead is chosen by, in order: written
/// with its prefix (or under an error-code key) rather than bare; a full guide rather than a
/// short entry (so a full guide that lists an old code as legacy beats the old code's short
/// entry); not on a DEBUG/INFO log line; first in the text; an exact match before a legacy one;
/// and, when an old code now maps to several guides, the one the rest of the text fits best.
fn by_code(engine: &Engine, question: &Question, detected: &[Detected], limit: usize) -> Option<Outcome> {
    let mut hits: Vec<(usize, Hit)> = Vec::new();
    for (pos, d) in detected.iter().enumerate() {
        if let Some(guide) = engine.get(d.code.key()) {
            hits.push((pos, Hit { guide: guide.clone(), score: 1.0, matched: Match::Code }));
        }
        for guide in engine.by_legacy(&d.code) {
            hits.push((pos, Hit { guide: guide.clone(), score: 0.9, matched: Match::Legacy }));
        }
    }
    let split_legacy = detected.iter().any(|d| engine.by_legacy(&d.code).len() > 1);
    let text_rank: Vec<String> = if split_legacy {
        engine.search_text(question.text(), 10).into_iter().map(|(g, _)| g.code.key().to_string()).collect()
    } else {
        Vec::new()
    };
    let rank = |g: &Guide| text_rank.iter().position(|k| k == g.code.key()).unwrap_or(usize::MAX);
    hits.sort_by_key(|(pos, hit)| {
        let d = &detected[*pos];
        (!d.prefixed, hit.guide.is_short(), d.quiet, *pos, hit.matched != Match::Code, rank(&hit.guide))
    });
    let mut unique: Vec<Hit> = Vec::new();
    for (_, hit) in hits {
        push_unique(&mut unique, hit);
    }
    if unique.is_empty() {
        return None;
    }
    unique.truncate(limit);
    let best = unique.remove(0);
    Some(Outcome::Found { best, alternatives: unique })
}

/// Free-text relevance; an unknown code becomes "not found" with near-miss suggestions.
fn by_text(engine: &Engine, question: &Question, detected: &[Detected], limit: usize) -> Outcome {
    let text_hits: Vec<Hit> = engine
        .search_text(question.text(), limit.max(3))
        .into_iter()
        .map(|(guide, score)| Hit { guide: guide.clone(), score, matched: Match::Text })
        .collect();
    if let Some(unknown) = detected.first() {
        let mut suggestions: Vec<Hit> = engine
            .near_codes(&unknown.code, 3)
            .into_iter()
            .map(|g| Hit { guide: g.clone(), score: 0.0, matched: Match::Text })
            .collect();
        for hit in text_hits {
            push_unique(&mut suggestions, hit);
        }
        suggestions.truncate(limit.max(3));
        return Outcome::NotFound { code: Some(unknown.code.clone()), suggestions };
    }
    let mut hits = text_hits;
    if hits.is_empty() {
        return Outcome::NotFound { code: None, suggestions: Vec::new() };
    }
    let close = hits.len() > 1 && hits[1].score >= hits[0].score * AMBIGUOUS_RATIO;
    hits.truncate(limit);
    if close && limit > 1 {
        return Outcome::Ambiguous { candidates: hits.into_iter().take(3).collect() };
    }
    let best = hits.remove(0);
    Outcome::Found { best, alternatives: hits }
}

fn push_unique(hits: &mut Vec<Hit>, hit: Hit) {
    if !hits.iter().any(|h| h.guide.code == hit.guide.code) {
        hits.push(hit);
    }
}
