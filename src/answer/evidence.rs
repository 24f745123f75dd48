//! Entra's own message text as evidence beside the pasted number.
//!
//! Owns the four cases of the answer policy that involve a message: the number's own wording
//! (answer by the number), an old or reused number carrying another entry's wording (lead with
//! that entry, the number's own second), a number the knowledge base lacks (lead with the
//! message's entry, say the number is not covered), and no number at all (answer the message).
//! Knows nothing of how answers are rendered.

use super::{Hit, Match, Outcome, Reason, push_unique};
use crate::search::{Detected, Understood};

/// The answer by number (when any detected code has an entry) and the code it was chosen for.
pub(super) struct ByNumber<'a> {
    pub outcome: Outcome,
    pub asked: &'a Detected,
}

/// Combines the answer by number with the message evidence; `None` when neither exists. Only a
/// strong message match (whole, or cut off without disagreeing) is evidence: a paste that shares
/// a message's opening and then says something else is another message.
pub(super) fn weigh(
    understood: &Understood,
    by_number: Option<ByNumber>,
    limit: usize,
) -> Option<(Outcome, Option<Reason>)> {
    let message = understood.messages.iter().find(|(_, hit)| hit.is_strong());
    match (by_number, message) {
        (Some(by_number), Some(_)) => Some(overrule(understood, by_number, limit)),
        (Some(by_number), None) => Some((by_number.outcome, None)),
        (None, Some(_)) => {
            let reason = understood.detected.first().map(|d| Reason::NumberNotCovered { asked: d.code.clone() });
            Some((
                Outcome::Found {
                    best: message_hits(understood, limit).remove(0),
                    alternatives: rest(understood, limit),
                },
                reason,
            ))
        }
        (None, None) => None,
    }
}

/// An old number with another entry's wording leads with that entry, when the wording is strong
/// evidence, belongs to that number in the paste, and the number's own message is not there too.
fn overrule(understood: &Understood, by_number: ByNumber, limit: usize) -> (Outcome, Option<Reason>) {
    let ByNumber { outcome, asked } = by_number;
    let Outcome::Found { best, alternatives } = outcome else { return (outcome, None) };
    let Some((guide, hit)) = understood.messages.iter().find(|(_, hit)| hit.is_strong()) else {
        return (Outcome::Found { best, alternatives }, None);
    };
    let own_wording = understood.messages.iter().any(|(g, _)| g.code == best.guide.code);
    if guide.code == best.guide.code || own_wording || !belongs_to(understood, asked, hit.start) {
        return (Outcome::Found { best, alternatives }, None);
    }
    let lead = Hit { guide: guide.clone(), score: hit.coverage(), matched: Match::Message };
    let mut hits = vec![lead, best];
    for alt in alternatives {
        push_unique(&mut hits, alt);
    }
    hits.truncate(limit.max(2));
    let best = hits.remove(0);
    (Outcome::Found { best, alternatives: hits }, Some(Reason::OldWording { asked: asked.code.clone() }))
}

/// True when `asked` is the code the message at `start` is printed with: the nearest code before
/// it, or the first code when the message comes first.
fn belongs_to(understood: &Understood, asked: &Detected, start: usize) -> bool {
    let before = understood.detected.iter().filter(|d| d.at <= start).max_by_key(|d| d.at);
    let owner = before.or_else(|| understood.detected.first());
    owner.is_some_and(|d| d.code == asked.code)
}

fn message_hits(understood: &Understood, limit: usize) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (guide, hit) in understood.messages.iter().filter(|(_, hit)| hit.is_strong()) {
        push_unique(&mut hits, Hit { guide: guide.clone(), score: hit.coverage(), matched: Match::Message });
    }
    hits.truncate(limit);
    hits
}

fn rest(understood: &Understood, limit: usize) -> Vec<Hit> {
    message_hits(understood, limit).into_iter().skip(1).collect()
}
