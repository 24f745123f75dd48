//! Entra's own message text as evidence beside the pasted number.
//!
//! Owns the cases of the answer policy that involve a message: the number's own wording (answer
//! by the number), an old number carrying the wording of an entry that lists it as legacy (lead
//! with that entry, the number's own second), a current number printing a message another entry
//! shares (the number stands, that entry next), a number the knowledge base lacks (lead with the
//! message's entry, say the number is not covered), no number at all (answer the message), and
//! several codes where only one is printed with a message (that one is the error; the rest is
//! context).
//! Only a strong match (whole, or cut off without disagreeing) is evidence: a paste that shares a
//! message's opening and then says something else is another message. Knows nothing of rendering.

use std::sync::Arc;

use super::{Hit, Match, Outcome, Reason, push_unique};
use crate::kb::Guide;
use crate::search::{Detected, Engine, MessageHit, Understood};

/// Words from the start of a code to the start of its message: the code itself (`AAD STS 50012` is
/// three) or a log's label (`50012 Failure reason`).
const MAX_WORDS_BEFORE_MESSAGE: usize = 3;

/// The answer by number (when any detected code has an entry) and the code it was chosen for.
pub(super) struct ByNumber<'a> {
    pub outcome: Outcome,
    pub asked: &'a Detected,
}

/// A strong message match and the code it is printed with, if any.
struct Evidence<'a> {
    guide: &'a Arc<Guide>,
    hit: &'a MessageHit,
    owner: Option<&'a Detected>,
}

/// Combines the answer by number with the message evidence; `None` when neither exists.
pub(super) fn weigh(
    engine: &Engine,
    understood: &Understood,
    by_number: Option<ByNumber>,
    limit: usize,
) -> Option<(Outcome, Option<Reason>)> {
    let evidence: Vec<Evidence> = understood
        .messages
        .iter()
        .filter(|(_, hit)| hit.is_strong())
        .map(|(guide, hit)| Evidence { guide, hit, owner: owner(understood, hit.start) })
        .collect();
    match (by_number, evidence.first()) {
        (Some(by_number), _) => Some(overrule(engine, understood, &evidence, by_number, limit)),
        (None, Some(first)) if understood.detected.is_empty() || first.owner.is_some() => {
            let reason = first.owner.map(|d| Reason::NumberNotCovered { asked: d.code.clone() });
            let mut hits = message_hits(&evidence, limit.max(3));
            // Two entries' messages seen equally far (they differ only in words the paste left
            // out): let the person pick.
            if evidence.get(1).is_some_and(|second| second.hit.matched_words == first.hit.matched_words) {
                hits.truncate(3);
                return Some((Outcome::Ambiguous { candidates: hits }, reason));
            }
            hits.truncate(limit);
            let best = hits.remove(0);
            Some((Outcome::Found { best, alternatives: hits }, reason))
        }
        (None, _) => None,
    }
}

/// Leads with the entry a message points to when the message is printed with the lead code (or,
/// when the lead code carries no message, with another code) and is not the lead guide's own.
fn overrule(
    engine: &Engine,
    understood: &Understood,
    evidence: &[Evidence],
    by_number: ByNumber,
    limit: usize,
) -> (Outcome, Option<Reason>) {
    let ByNumber { outcome, asked } = by_number;
    let Outcome::Found { best, alternatives } = outcome else { return (outcome, None) };
    let own_wording = understood.messages.iter().any(|(g, _)| g.code == best.guide.code);
    let printed_with = |code: &Detected| evidence.iter().find(|e| e.owner.is_some_and(|d| d.code == code.code));
    let chosen = printed_with(asked).or_else(|| evidence.iter().find(|e| e.owner.is_some()));
    let Some(Evidence { guide, hit, owner: Some(code) }) = chosen else {
        return (Outcome::Found { best, alternatives }, None);
    };
    if own_wording || guide.code == best.guide.code {
        return (Outcome::Found { best, alternatives }, None);
    }
    let own = engine.get(code.code.key());
    let (matched, reason) = match own {
        Some(g) if g.code == guide.code => (Match::Code, None),
        // The knowledge base says this number once reported what `guide` covers today, and the
        // wording says which of its successors it is.
        Some(_) if guide.meta.legacy_codes.contains(&code.code) => {
            (Match::Message, Some(Reason::OldWording { asked: code.code.clone() }))
        }
        // A current code that prints a message another entry shares: the number stands, the
        // other entry comes next.
        Some(_) => return (Outcome::Found { best, alternatives: next_to(guide, hit, alternatives, limit) }, None),
        None => (Match::Message, Some(Reason::NumberNotCovered { asked: code.code.clone() })),
    };
    let lead =
        Hit { guide: (*guide).clone(), score: if matched == Match::Code { 1.0 } else { hit.coverage() }, matched };
    let mut hits = vec![lead];
    if let Some(g) = own.filter(|g| g.code != guide.code) {
        hits.push(Hit { guide: g.clone(), score: 1.0, matched: Match::Code });
    }
    for alt in std::iter::once(best).chain(alternatives) {
        push_unique(&mut hits, alt);
    }
    hits.truncate(limit.max(2));
    let best = hits.remove(0);
    (Outcome::Found { best, alternatives: hits }, reason)
}

/// The alternatives with the message's entry first among them.
fn next_to(guide: &Arc<Guide>, hit: &MessageHit, alternatives: Vec<Hit>, limit: usize) -> Vec<Hit> {
    let mut hits = vec![Hit { guide: guide.clone(), score: hit.coverage(), matched: Match::Message }];
    for alt in alternatives {
        push_unique(&mut hits, alt);
    }
    hits.truncate(limit.saturating_sub(1).max(1));
    hits
}

/// The code a message at `start` is printed with: the nearest code before it, when the message
/// starts right after it (`AADSTS50012: Invalid client secret is provided.`, or a sign-in log's
/// `Error code 50012 / Failure reason ...`). A message further on is only part of what the code
/// printed (`AADSTS50128: Invalid domain name - No tenant-identifying information ...` holds
/// 50059's whole message), so it speaks for no code.
fn owner(understood: &Understood, start: usize) -> Option<&Detected> {
    let code = understood.detected.iter().filter(|d| d.at <= start).max_by_key(|d| d.at)?;
    let between = understood.text.get(code.at..start).unwrap_or_default();
    (crate::kb::word_spans(between).count() <= MAX_WORDS_BEFORE_MESSAGE).then_some(code)
}

fn message_hits(evidence: &[Evidence], limit: usize) -> Vec<Hit> {
    let mut hits = Vec::new();
    for e in evidence {
        push_unique(&mut hits, Hit { guide: e.guide.clone(), score: e.hit.coverage(), matched: Match::Message });
    }
    hits.truncate(limit);
    hits
}
