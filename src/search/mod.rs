//! CORE: search. The in-memory catalogue of guides by code and legacy code, query understanding
//! (code extraction, Entra's own messages found by their templates, the thesaurus's synonyms) and
//! the tantivy text index with typo correction, behind one [`Engine`].
//!
//! The only module that knows tantivy (in `index`) and aho-corasick (in `message`). Must not know
//! answers' shapes, HTTP or any chat platform; it returns guides, scores and matches.

mod extract;
mod index;
mod message;
mod synonyms;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

pub use extract::{Detected, Vocabulary, extract, extract_normalised, normalise, text_for_search};
use index::TextIndex;
pub use index::{IndexError, TextHit};
pub use message::{MIN_PARTIAL_WORDS, MessageHit, MessageIndex, message_overlaps};
pub use synonyms::{Expansion, Synonyms};

use crate::kb::{Code, Guide, GuideKind, Thesaurus};

const THESAURUS_FILE: &str = "thesaurus.json";

/// Guides, their codes and the text index, built once and shared read-only.
pub struct Engine {
    guides: Vec<Arc<Guide>>,
    by_key: HashMap<String, usize>,
    legacy: HashMap<String, Vec<usize>>,
    vocab: Vocabulary,
    text: TextIndex,
    messages: MessageIndex,
    synonyms: Synonyms,
}

/// What a question says once decoded: the codes in it and the Entra messages it quotes.
#[derive(Debug, Clone)]
pub struct Understood {
    /// The question decoded (URL encoding, escapes, HTML entities, full-width forms): the text
    /// every offset below points into.
    pub text: String,
    pub detected: Vec<Detected>,
    /// Message matches, best first; offsets are comparable with [`Detected::at`].
    pub messages: Vec<(Arc<Guide>, MessageHit)>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("guides", &self.guides.len()).finish_non_exhaustive()
    }
}

impl Engine {
    /// Builds the engine with the text index in RAM.
    pub fn build(guides: Vec<Guide>) -> Result<Engine, IndexError> {
        let text = TextIndex::build(&guides, None)?;
        Ok(Engine::assemble(guides, text))
    }

    /// Builds the engine from a loaded knowledge base: its guides and its thesaurus.
    pub fn from_report(report: crate::kb::LoadReport) -> Result<Engine, IndexError> {
        Ok(Engine::build(report.guides)?.with_thesaurus(report.thesaurus))
    }

    /// Builds the engine and writes its index to `dir` (which must exist and be empty).
    pub fn build_in_dir(guides: Vec<Guide>, dir: &Path) -> Result<Engine, IndexError> {
        let text = TextIndex::build(&guides, Some(dir))?;
        Ok(Engine::assemble(guides, text))
    }

    /// Opens an index written by [`Engine::build_in_dir`]; the guides come from the index, the
    /// thesaurus from the `thesaurus.json` [`Engine::save_thesaurus`] wrote beside it.
    pub fn open(dir: &Path) -> Result<Engine, IndexError> {
        let (text, guides) = TextIndex::open(dir)?;
        let engine = Engine::assemble(guides, text);
        let thesaurus = match std::fs::read(dir.join(THESAURUS_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| IndexError::Stored(e.to_string()))?,
            Err(_) => Thesaurus::default(),
        };
        Ok(engine.with_thesaurus(thesaurus))
    }

    /// The engine with `thesaurus` expanding free-text questions.
    pub fn with_thesaurus(self, thesaurus: Thesaurus) -> Engine {
        Engine { synonyms: Synonyms::new(thesaurus), ..self }
    }

    /// Writes the thesaurus beside an index written by [`Engine::build_in_dir`].
    pub fn save_thesaurus(&self, dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec(self.synonyms.thesaurus()).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(THESAURUS_FILE), json)
    }

    fn assemble(guides: Vec<Guide>, text: TextIndex) -> Engine {
        let mut by_key = HashMap::new();
        let mut legacy: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, guide) in guides.iter().enumerate() {
            by_key.entry(guide.code.key().to_string()).or_insert(i);
            for old in &guide.meta.legacy_codes {
                legacy.entry(old.key().to_string()).or_default().push(i);
            }
        }
        let codes = guides.iter().map(|g| &g.code).chain(guides.iter().flat_map(|g| &g.meta.legacy_codes));
        let vocab = Vocabulary::new(codes);
        let messages = MessageIndex::from_guides(&guides);
        let guides = guides.into_iter().map(Arc::new).collect();
        Engine { guides, by_key, legacy, vocab, text, messages, synonyms: Synonyms::default() }
    }

    pub fn guides(&self) -> &[Arc<Guide>] {
        &self.guides
    }

    pub fn len(&self) -> usize {
        self.guides.len()
    }

    pub fn is_empty(&self) -> bool {
        self.guides.is_empty()
    }

    /// The guide for a code, by any spelling (`aadsts 50011`, `AADSTS50011`).
    pub fn get(&self, code: &str) -> Option<&Arc<Guide>> {
        let key = crate::kb::match_key(code);
        let key = match Code::parse(code) {
            Some(c) => c.key().to_string(),
            None => key,
        };
        self.by_key.get(&key).map(|&i| &self.guides[i])
    }

    /// Guides that list `code` among their legacy codes.
    pub fn by_legacy(&self, code: &Code) -> Vec<&Arc<Guide>> {
        self.legacy.get(code.key()).map(|v| v.iter().map(|&i| &self.guides[i]).collect()).unwrap_or_default()
    }

    /// Every code in `text`, known or not, in order of appearance.
    pub fn detect(&self, text: &str) -> Vec<Detected> {
        extract(text, &self.vocab)
    }

    /// The codes and Entra messages in `text`, decoded once.
    pub fn understand(&self, text: &str) -> Understood {
        let normal = normalise(text);
        let detected = extract_normalised(&normal, &self.vocab);
        let messages = self.messages.find(&normal).into_iter().map(|h| (self.guides[h.guide].clone(), h)).collect();
        Understood { text: normal, detected, messages }
    }

    /// Guides whose Entra message appears in `text`, best first.
    pub fn find_messages(&self, text: &str) -> Vec<(&Arc<Guide>, MessageHit)> {
        self.messages.find(&normalise(text)).into_iter().map(|h| (&self.guides[h.guide], h)).collect()
    }

    /// Free-text search: guides with their scores, best first.
    pub fn search_text(&self, text: &str, limit: usize) -> Vec<(&Arc<Guide>, f32)> {
        self.search_scored(text, limit).into_iter().map(|(g, hit)| (g, hit.score)).collect()
    }

    /// Free-text search with each guide's share of the question ([`TextHit::coverage`]); the
    /// thesaurus's synonyms of the question's phrases are searched too.
    pub fn search_scored(&self, text: &str, limit: usize) -> Vec<(&Arc<Guide>, TextHit)> {
        let query = text_for_search(text);
        let expansions = self.synonyms.expansions(&query);
        self.text
            .search(&query, &expansions, limit)
            .into_iter()
            .filter_map(|hit| Some((self.guides.get(hit.ord)?, hit)))
            .collect()
    }

    /// Known codes one digit edit away from `code` (`AADSTS53013` → `AADSTS53003`), full guides
    /// first, then the numerically closest.
    pub fn near_codes(&self, code: &Code, limit: usize) -> Vec<&Arc<Guide>> {
        let family = code.family();
        let digits = &code.key()[family.len()..];
        let mut near: Vec<&Arc<Guide>> = self
            .guides
            .iter()
            .filter(|g| g.code.family() == family && g.code.key() != code.key())
            .filter(|g| one_edit_apart(digits, &g.code.key()[family.len()..]))
            .collect();
        let target: i64 = digits.parse().unwrap_or(0);
        near.sort_by_key(|g| {
            let n: i64 = g.code.key()[family.len()..].parse().unwrap_or(0);
            (g.kind != GuideKind::Full, (n - target).abs())
        });
        near.truncate(limit);
        near
    }
}

/// True when `a` becomes `b` by one substitution, insertion, deletion or adjacent swap.
pub(crate) fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match a.len() as isize - b.len() as isize {
        0 => {
            let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diff.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => (0..a.len()).any(|i| a[..i] == b[..i] && a[i + 1..] == b[i..]),
        -1 => one_edit_apart(std::str::from_utf8(b).unwrap_or(""), std::str::from_utf8(a).unwrap_or("")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::one_edit_apart;

    #[test]
    fn one_edit_covers_substitution_insertion_deletion_and_swap() {
        assert!(one_edit_apart("53005", "53003"));
        assert!(one_edit_apart("5011", "50011"));
        assert!(one_edit_apart("500111", "50011"));
        assert!(one_edit_apart("50101", "50011"));
        assert!(!one_edit_apart("53005", "50011"));
        assert!(!one_edit_apart("50011", "50011"));
    }
}
