//! A question turned into weighted search terms: the words typed (in the question's language,
//! its stop words dropped), a word no guide holds replaced by its thesaurus translation or its
//! typo corrections, and the thesaurus's other phrases at a lower weight. Knows the index's
//! vocabulary and document frequencies; knows nothing of answers.

use std::collections::HashMap;

use super::{MAX_TERMS, MAX_TYPED_TERMS, TextIndex, analysed};
use crate::search::synonyms::Expansion;

/// Weight of a word the question typed, of a correction of a typo, of a translation of a word
/// no guide holds, and of a synonym searched besides the typed words.
const TYPED: f32 = 1.0;
const CORRECTED: f32 = 0.7;
const TRANSLATED: f32 = 0.6;
const SYNONYM: f32 = 0.6;
/// How much a word of a question in another language that no guide holds and the thesaurus
/// does not translate counts in the question's coverage, relative to a rare word: guides are in
/// English, so such a word says less about a guide's fit than an unknown English word does.
const FOREIGN_UNKNOWN: f32 = 0.3;
/// At most this many indexed words stand for one word of the question.
const MAX_VARIANTS: usize = 6;

/// One term of a question as searched: the word itself, or what stands for it when no guide
/// holds it (its corrections or translations).
pub(super) struct QueryTerm {
    pub variants: Vec<String>,
    /// How much the term counts: 1 for what was typed, less for a correction or a synonym.
    pub weight: f32,
    /// Rarity of the term (inverse document frequency); an unknown word counts as rare, a
    /// synonym searched besides the typed words as nothing.
    pub idf: f32,
}

impl TextIndex {
    /// The question's terms with their weights.
    pub(super) fn query_terms(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
        expansions: &[Expansion],
    ) -> Vec<QueryTerm> {
        let (typed, foreign) = self.question_terms(text);
        let fix_typos = typed.len() <= MAX_TYPED_TERMS;
        let docs = searcher.num_docs().max(1) as f32;
        let idf = |df: u64| (1.0 + (docs - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        let translations = self.translations(expansions);
        let mut out: Vec<QueryTerm> = Vec::new();
        for term in &typed {
            let df = self.doc_freq(searcher, term);
            if df > 0 {
                out.push(QueryTerm { variants: vec![term.clone()], weight: TYPED, idf: idf(df) });
                continue;
            }
            let known: Vec<(&String, u64)> = (translations.get(term).into_iter().flatten())
                .map(|t| (t, self.doc_freq(searcher, t)))
                .filter(|(_, df)| *df > 0)
                .take(MAX_VARIANTS)
                .collect();
            if let Some(common) = known.iter().map(|(_, df)| *df).max() {
                let variants = known.into_iter().map(|(t, _)| t.clone()).collect();
                out.push(QueryTerm { variants, weight: TRANSLATED, idf: idf(common) });
            } else {
                let variants =
                    if fix_typos && term.chars().count() >= 4 { self.corrections(searcher, term) } else { vec![] };
                let unknown = if foreign && variants.is_empty() { idf(0) * FOREIGN_UNKNOWN } else { idf(0) };
                out.push(QueryTerm { variants, weight: CORRECTED, idf: unknown });
            }
        }
        let extra: Vec<String> = expansions.iter().flat_map(|e| &e.phrases).flat_map(|p| self.terms(p)).collect();
        for term in extra {
            let listed = typed.contains(&term) || out.iter().any(|t| t.variants.contains(&term));
            if !listed && out.len() < MAX_TERMS * 2 && self.doc_freq(searcher, &term) > 0 {
                out.push(QueryTerm { variants: vec![term], weight: SYNONYM, idf: 0.0 });
            }
        }
        out
    }

    /// The analysed terms of a question, without the stop words of the language it is written
    /// in, and whether that language is not English.
    fn question_terms(&self, text: &str) -> (Vec<String>, bool) {
        let lang = self.languages.detect(text);
        match self.by_language.iter().find(|(l, _)| Some(*l) == lang) {
            Some((_, analyzer)) => (analysed(analyzer, text), true),
            None => (self.terms(text), false),
        }
    }

    /// Each analysed word the thesaurus found in the question → the analysed words of its
    /// group's other phrases, in order, each once.
    fn translations(&self, expansions: &[Expansion]) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for e in expansions {
            let to: Vec<String> = e.phrases.iter().flat_map(|p| self.terms(p)).collect();
            for word in e.covers.iter().flat_map(|w| self.terms(w)) {
                let list = out.entry(word).or_default();
                for t in &to {
                    if !list.contains(t) {
                        list.push(t.clone());
                    }
                }
            }
        }
        out
    }
}
