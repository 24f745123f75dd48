//! CORE: answers. A validated [`Question`] in, a platform-neutral [`Answer`] out:
//! `Found {guide, alternatives}`, `Ambiguous {candidates}` or `NotFound {code, suggestions}`.
//!
//! Owns the answering policy: exact code first, then a legacy code, with Entra's own message text
//! as evidence (an old number with another code's wording leads with that code; an uncovered
//! number or no number at all is answered by the message), else free text with typo tolerance;
//! near-miss codes become "did you mean". Knows nothing of Slack, Teams, HTML or HTTP; adapters
//! render an `Answer` their own way. Also owns the JSON shape of `errkb ask --json`.

mod evidence;
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
    /// Entra's own message text for the guide's code is in the query (with or without a code).
    Message,
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

/// Why the lead guide is not the one the pasted number names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The number has an entry of its own, but its wording is what Entra now reports under the
    /// lead guide's code (ADAL-era `AADSTS50012: Invalid client secret is provided.`).
    OldWording { asked: Code },
    /// The knowledge base has no entry for the number; the wording matched the lead guide.
    NumberNotCovered { asked: Code },
}

/// The answer to one question.
#[derive(Debug, Clone)]
pub struct Answer {
    pub query: String,
    pub detected: Vec<Code>,
    pub outcome: Outcome,
    /// Set when the lead guide was chosen by the message over the number.
    pub reason: Option<Reason>,
}

/// Free-text hits closer than this ratio to the best one make the answer ambiguous.
const AMBIGUOUS_RATIO: f32 = 0.88;
/// When a free-text question is answered at all. Its best guide needs strength (the score in
/// units of one rare word, comparable across knowledge bases) of at least [`MIN_TEXT_STRENGTH`],
/// and below [`WEAK_TEXT_STRENGTH`] it must also hold [`MIN_WEAK_COVERAGE`] of the question's terms
/// (weighted by rarity); or it holds nearly all of them ([`FULL_COVERAGE`]) with some strength (a
/// small knowledge base scores low even on a perfect match). Otherwise the question is "not
/// found", with the guides as suggestions, and counted as unanswered. Calibrated on tests/eval (the
/// `noise` kind against `described`): 95% of the noise stays unanswered while every described
/// question whose right guide ranks first is kept.
const MIN_TEXT_STRENGTH: f32 = 11.0;
const WEAK_TEXT_STRENGTH: f32 = 15.5;
const MIN_WEAK_COVERAGE: f32 = 0.25;
const FULL_COVERAGE: f32 = 0.9;
const FULL_COVERAGE_STRENGTH: f32 = 6.0;

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
        if let Some(Reason::NumberNotCovered { asked }) = &self.reason {
            return Some(asked);
        }
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

    /// One plain sentence saying why the lead guide is the answer, when it is not simply the
    /// pasted number's own entry or a free-text match. Renderers escape it for their surface.
    pub fn why(&self) -> Option<String> {
        let Outcome::Found { best, .. } = &self.outcome else { return None };
        let code = &best.guide.code;
        match (&self.reason, best.matched) {
            (Some(Reason::OldWording { asked }), _) => Some(format!(
                "{asked} with this wording is what Entra now reports as {code}, so {code} comes first; {asked}'s own entry is next."
            )),
            (Some(Reason::NumberNotCovered { asked }), _) => Some(format!(
                "{asked} itself is not covered here yet, but the message you pasted is Entra's message for {code}."
            )),
            (None, Match::Message) => Some(format!("Matched by Entra's own message for {code}.")),
            (None, Match::Legacy) => {
                let asked = self.detected.iter().find(|c| best.guide.meta.legacy_codes.contains(c))?;
                Some(format!("You asked about {asked}, an older code now covered by {code}."))
            }
            (None, Match::Code | Match::Text) => None,
        }
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
    let understood = engine.understand(question.text());
    let detected = &understood.detected;
    let codes: Vec<Code> = detected.iter().map(|d| d.code.clone()).collect();
    let by_number = by_code(engine, question, detected, limit);
    let (outcome, reason) = match evidence::weigh(engine, &understood, by_number, limit) {
        Some(weighed) => weighed,
        None => (by_text(engine, question, detected, limit), None),
    };
    Answer { query: question.text().to_string(), detected: codes, outcome, reason }
}

/// Exact and legacy matches for the detected codes. The lead is chosen by, in order: written
/// with its prefix (or under an error-code key) rather than bare; a code with a full guide of its
/// own rather than one with a short entry or none; not on a DEBUG/INFO log line; the codes' own
/// entries before guides that list them as legacy (an old number keeps its own meaning: its
/// wording, weighed in `evidence`, decides when another guide leads); first in the text; and,
/// when an old code now maps to several guides, the one the rest of the text fits best.
fn by_code<'a>(
    engine: &Engine,
    question: &Question,
    detected: &'a [Detected],
    limit: usize,
) -> Option<evidence::ByNumber<'a>> {
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
    // A code without a full guide of its own (a short entry, or only an older number) yields to
    // one with a full guide; within one code, its own entry comes before guides that took it over.
    let own_short = |d: &Detected| engine.get(d.code.key()).is_none_or(|g| g.is_short());
    hits.sort_by_key(|(pos, hit)| {
        let d = &detected[*pos];
        (!d.prefixed, own_short(d), d.quiet, hit.matched != Match::Code, *pos, hit.guide.is_short(), rank(&hit.guide))
    });
    let asked = &detected[hits.first()?.0];
    let mut unique: Vec<Hit> = Vec::new();
    for (_, hit) in hits {
        push_unique(&mut unique, hit);
    }
    unique.truncate(limit);
    let best = unique.remove(0);
    Some(evidence::ByNumber { outcome: Outcome::Found { best, alternatives: unique }, asked })
}

/// Free-text relevance; an unknown code becomes "not found" with near-miss suggestions, and so
/// does a question whose best guide holds too little of it (only a common word or two).
fn by_text(engine: &Engine, question: &Question, detected: &[Detected], limit: usize) -> Outcome {
    let scored = engine.search_scored(question.text(), limit.max(3));
    let confident = scored.first().is_some_and(|(_, hit)| {
        let strong = hit.strength >= WEAK_TEXT_STRENGTH || hit.coverage >= MIN_WEAK_COVERAGE;
        (hit.strength >= MIN_TEXT_STRENGTH && strong)
            || (hit.coverage >= FULL_COVERAGE && hit.strength >= FULL_COVERAGE_STRENGTH)
    });
    let text_hits: Vec<Hit> = scored
        .into_iter()
        .map(|(guide, hit)| Hit { guide: guide.clone(), score: hit.score, matched: Match::Text })
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
    if hits.is_empty() || !confident {
        hits.truncate(3);
        return Outcome::NotFound { code: None, suggestions: hits };
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
