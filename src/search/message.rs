//! Entra's own messages found in a paste, with or without their code.
//!
//! Each guide's message templates (kb::MessageTemplate) are compiled once: one Aho-Corasick pass
//! over the pasted words finds every template's anchor (its opening words), then each candidate is
//! checked word by word, placeholders absorbing what the server filled in. A message cut off after
//! its opening words still counts when enough of it was seen. Knows nothing of codes or answers;
//! it reports which guide's message matched, how much of it, and where.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use crate::kb::{Finding, Guide, MessageTemplate, word_spans};

/// A partial match needs this many literal words (a message cut off, or its tail left out).
pub const MIN_PARTIAL_WORDS: usize = 6;
/// How many pasted words one placeholder may stand for (a long URL is many words).
const MAX_GAP: usize = 48;
/// Anchors are a template's first words: enough to be selective, few enough to survive a cut.
const ANCHOR_WORDS: usize = 3;

/// A template found in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MessageHit {
    /// Ordinal of the guide the template belongs to.
    pub guide: usize,
    /// Literal words of the template seen in the text, and how many it has.
    pub matched_words: usize,
    pub total_words: usize,
    /// Byte range of the match in the searched text.
    pub start: usize,
    pub end: usize,
    /// The text went on with other words where the template still had words to match: a
    /// different message that shares an opening, rather than this one cut off.
    pub diverged: bool,
}

impl MessageHit {
    /// Every literal word of the template was found.
    pub fn is_complete(&self) -> bool {
        self.matched_words == self.total_words
    }

    /// Evidence strong enough to overrule a pasted number: the whole message, or a cut-off one
    /// that never disagreed with the template.
    pub fn is_strong(&self) -> bool {
        self.is_complete() || (self.matched_words >= MIN_PARTIAL_WORDS && !self.diverged)
    }

    /// Share of the template's literal words that were found (0..=1).
    pub fn coverage(&self) -> f32 {
        self.matched_words as f32 / self.total_words.max(1) as f32
    }

    fn rank(&self) -> (usize, u32) {
        (self.matched_words, (self.coverage() * 1000.0) as u32)
    }
}

struct Compiled {
    guide: usize,
    segments: Vec<Vec<String>>,
    sentence_ends: Vec<Vec<bool>>,
    /// The segment the anchor opens.
    anchor_segment: usize,
    words: usize,
}

/// Every template of a knowledge base, ready to be found in text.
#[derive(Default)]
pub struct MessageIndex {
    templates: Vec<Compiled>,
    anchors: Option<AhoCorasick>,
    /// Anchor pattern → the templates it opens.
    owners: Vec<Vec<usize>>,
}

impl MessageIndex {
    /// Compiles the templates of every guide (guide ordinals are positions in `guides`).
    pub fn from_guides(guides: &[Guide]) -> MessageIndex {
        let parsed = templates_of(guides);
        MessageIndex::build(parsed.iter().map(|(i, t)| (*i, t)))
    }

    /// Compiles `(guide ordinal, template)` pairs.
    pub fn build<'a>(templates: impl IntoIterator<Item = (usize, &'a MessageTemplate)>) -> MessageIndex {
        let mut compiled = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut by_pattern: HashMap<String, usize> = HashMap::new();
        for (guide, template) in templates {
            let segments = template.segments.clone();
            let anchor_segment = segments.iter().position(|s| s.len() >= 2).unwrap_or(0);
            let Some(first) = segments.get(anchor_segment) else { continue };
            let pattern = format!(" {} ", first[..first.len().min(ANCHOR_WORDS)].join(" "));
            let id = *by_pattern.entry(pattern.clone()).or_insert_with(|| {
                patterns.push(pattern);
                owners.push(Vec::new());
                owners.len() - 1
            });
            owners[id].push(compiled.len());
            let sentence_ends = template.sentence_ends.clone();
            compiled.push(Compiled { guide, words: template.word_count(), segments, sentence_ends, anchor_segment });
        }
        let anchors = (!patterns.is_empty()).then(|| AhoCorasick::new(&patterns).expect("word patterns compile"));
        MessageIndex { templates: compiled, anchors, owners }
    }

    pub fn len(&self) -> usize {
        self.templates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The best match per guide in `text`, best first (most words seen, then most of the template).
    pub fn find(&self, text: &str) -> Vec<MessageHit> {
        let Some(anchors) = &self.anchors else { return Vec::new() };
        let query = Words::new(text);
        let mut best: HashMap<usize, MessageHit> = HashMap::new();
        for m in anchors.find_overlapping_iter(&query.haystack) {
            let Some(at) = query.word_at(m.start() + 1) else { continue };
            for &t in &self.owners[m.pattern().as_usize()] {
                let template = &self.templates[t];
                let Some(hit) = verify(template, &query, at) else { continue };
                let accepted = hit.is_complete() || hit.matched_words >= MIN_PARTIAL_WORDS;
                if accepted && best.get(&template.guide).is_none_or(|b| hit.rank() > b.rank()) {
                    best.insert(template.guide, hit);
                }
            }
        }
        let mut hits: Vec<MessageHit> = best.into_values().collect();
        hits.sort_by(|a, b| b.rank().cmp(&a.rank()).then(a.start.cmp(&b.start)));
        hits
    }
}

/// Every template of `guides` that parses (lint reports the others), with its guide's ordinal.
fn templates_of(guides: &[Guide]) -> Vec<(usize, MessageTemplate)> {
    guides
        .iter()
        .enumerate()
        .flat_map(|(i, g)| g.meta.messages.iter().filter_map(move |m| Some((i, MessageTemplate::parse(m).ok()?))))
        .collect()
}

/// Lint: each template whose sample text (placeholders filled) also matches another entry's
/// message as well as its own, so a paste of it could be answered by the wrong entry.
pub fn message_overlaps(guides: &[Guide]) -> Vec<Finding> {
    let parsed = templates_of(guides);
    let index = MessageIndex::build(parsed.iter().map(|(i, t)| (*i, t)));
    let mut out = Vec::new();
    for (i, template) in &parsed {
        let hits = index.find(&template.sample("x"));
        let own = hits.iter().find(|h| h.guide == *i).map_or(0, |h| h.matched_words);
        for other in hits.iter().filter(|h| h.guide != *i && (h.is_complete() || h.matched_words >= own)) {
            let (g, o) = (&guides[*i], &guides[other.guide]);
            let shown: String = template.sample("…").chars().take(60).collect();
            let msg = format!(
                "message {shown:?} of {} also matches a message of {} ({})",
                g.code,
                o.code,
                o.source.display()
            );
            out.push(Finding::warning(&g.source, g.line, "message-overlap", msg));
        }
    }
    out
}

/// The words of a searched text, joined by single spaces for the anchor pass.
struct Words {
    words: Vec<String>,
    spans: Vec<(usize, usize)>,
    /// ` w1 w2 ... wn `, and where each word starts in it.
    haystack: String,
    starts: Vec<usize>,
}

impl Words {
    fn new(text: &str) -> Words {
        let spans: Vec<(usize, usize)> = word_spans(text).collect();
        let words: Vec<String> = spans.iter().map(|&(s, e)| text[s..e].to_lowercase()).collect();
        let mut haystack = String::with_capacity(text.len() + 2);
        let mut starts = Vec::with_capacity(words.len());
        haystack.push(' ');
        for w in &words {
            starts.push(haystack.len());
            haystack.push_str(w);
            haystack.push(' ');
        }
        Words { words, spans, haystack, starts }
    }

    fn word_at(&self, offset: usize) -> Option<usize> {
        self.starts.binary_search(&offset).ok()
    }
}

/// Matches `template` around an anchor found at word `at`: forward from the anchor segment, then
/// backward through the segments before it.
fn verify(template: &Compiled, query: &Words, at: usize) -> Option<MessageHit> {
    let q = &query.words;
    let mut matched = 0;
    let mut diverged = false;
    let (mut pos, mut last) = (at, at);
    for (i, segment) in template.segments[template.anchor_segment..].iter().enumerate() {
        let start = if i == 0 { Some(at) } else { find_forward(q, pos, segment) };
        let Some(start) = start else { break };
        let run = run_length(q, start, segment);
        matched += run;
        last = start + run;
        if run < segment.len() {
            // Text that goes on differently after a whole sentence of the message is a shorter
            // or older wording (no `Request origin: ...` tail), not another message.
            let sentence_done = run > 0 && template.sentence_ends[template.anchor_segment + i][run - 1];
            diverged = !sentence_done && !cut_off_at(q, last, &segment[run]);
            break;
        }
        pos = last;
    }
    let mut first = at;
    for segment in template.segments[..template.anchor_segment].iter().rev() {
        let Some(start) = find_backward(q, first, segment) else { break };
        matched += segment.len();
        first = start;
    }
    let last = last.checked_sub(1)?;
    Some(MessageHit {
        guide: template.guide,
        matched_words: matched,
        total_words: template.words,
        start: query.spans.get(first)?.0,
        end: query.spans.get(last)?.1,
        diverged,
    })
}

/// True when the text ends at word `at`, or with a word cut short there (`req` for `request`).
fn cut_off_at(q: &[String], at: usize, expected: &str) -> bool {
    at >= q.len() || (at + 1 == q.len() && expected.starts_with(q[at].as_str()))
}

/// How many words of `segment` appear in a row in `q` from `start`.
fn run_length(q: &[String], start: usize, segment: &[String]) -> usize {
    segment.iter().zip(q.get(start..).unwrap_or(&[])).take_while(|(a, b)| a == b).count()
}

/// The start of `segment` within [`MAX_GAP`] words after `pos` (a placeholder may stand for no
/// word at all: a value masked as `'***'`): a full run if there is one, else the longest partial
/// run that reaches the end of the text (a message cut off there).
fn find_forward(q: &[String], pos: usize, segment: &[String]) -> Option<usize> {
    let end = q.len().min(pos + MAX_GAP + 1);
    let mut cut_off = None;
    for i in pos..end {
        let run = run_length(q, i, segment);
        if run == segment.len() {
            return Some(i);
        }
        if run > 0 && i + run == q.len() {
            cut_off = cut_off.or(Some(i));
        }
    }
    cut_off
}

/// The start of a full `segment` ending within [`MAX_GAP`] words before `first`, the closest.
fn find_backward(q: &[String], first: usize, segment: &[String]) -> Option<usize> {
    let n = segment.len();
    let lowest = first.saturating_sub(MAX_GAP + n);
    (lowest..first.saturating_sub(n - 1)).rev().find(|&i| i + n <= first && run_length(q, i, segment) == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(templates: &[(usize, &str)]) -> MessageIndex {
        let parsed: Vec<(usize, MessageTemplate)> =
            templates.iter().map(|(g, t)| (*g, MessageTemplate::parse(t).unwrap())).collect();
        MessageIndex::build(parsed.iter().map(|(g, t)| (*g, t)))
    }

    const TENANT: &str = "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.";
    const SECRET: &str = "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{appId}'.";

    #[test]
    fn a_whole_message_is_found_with_its_placeholders_filled() {
        let idx = index(&[(0, TENANT), (1, SECRET)]);
        let hits = idx.find(
            "error: Tenant 'contoso.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Trace ID: x",
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].guide, 0);
        assert!(hits[0].is_complete());
    }

    #[test]
    fn a_message_cut_off_after_its_opening_words_still_matches() {
        let idx = index(&[(0, TENANT), (1, SECRET)]);
        let hits = idx.find("Invalid client secret provided. Ensure the secret being sent in the req...");
        assert_eq!(hits[0].guide, 1);
        assert!(!hits[0].is_complete());
        assert!(hits[0].matched_words >= MIN_PARTIAL_WORDS);
        assert!(hits[0].is_strong());
    }

    #[test]
    fn too_few_words_of_a_long_message_do_not_count() {
        let idx = index(&[(1, SECRET)]);
        assert!(idx.find("invalid client secret").is_empty());
    }

    #[test]
    fn a_short_template_must_be_seen_whole() {
        let idx = index(&[(3, "The user account is disabled.")]);
        assert_eq!(idx.find("says: The user account is disabled. help").len(), 1);
        assert!(idx.find("the user account is").is_empty());
    }

    #[test]
    fn a_different_message_sharing_the_opening_is_weak_evidence() {
        let idx = index(&[(
            5,
            "Due to a configuration change made by your administrator, you must enroll in multi-factor authentication.",
        )]);
        let hit = idx.find(
            "Due to a configuration change made by your administrator, you must use multi-factor authentication.",
        )[0];
        assert!(hit.diverged);
        assert!(!hit.is_strong());
    }

    #[test]
    fn a_message_that_stops_after_a_whole_sentence_is_strong_evidence() {
        let idx = index(&[(
            2,
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'.",
        )]);
        let hit = idx.find("AADSTS90023: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.\nTrace ID: 5")[0];
        assert!(!hit.diverged && hit.is_strong(), "{hit:?}");
    }

    #[test]
    fn segments_before_the_anchor_are_matched_backwards() {
        let idx = index(&[(0, TENANT)]);
        let hit = idx.find("x Tenant 'a-b-c' not found. Check to make sure you have the correct tenant ID")[0];
        assert_eq!(hit.matched_words, 13);
    }
}
