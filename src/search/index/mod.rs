//! The tantivy index: schema, analyzer, build (in RAM or on disk), open, and scored text search.
//!
//! The only module that knows tantivy. Guides are stored in the index as JSON so that an index
//! written by `errkb index --out DIR` can be opened without the Markdown. Knows nothing of query
//! understanding or answers.

use std::collections::HashMap;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term, doc};
use tantivy::{DocSet, TERMINATED};

use super::synonyms::Expansion;
use crate::kb::{Guide, GuideKind, SectionKind};
use language::Languages;

mod language;
mod query;

use query::QueryTerm;

const ANALYZER: &str = "errkb_en";
/// Per-field weights: what a guide is about counts more than what it mentions.
const BOOSTS: [(&str, f32); 5] = [("title", 3.0), ("aliases", 3.0), ("causes", 1.5), ("steps", 1.0), ("body", 0.6)];
/// How much a full guide is preferred over a short entry with the same text score (checked on
/// both halves of tests/eval's described set: more makes short entries lose where they are right).
const FULL_GUIDE_PREFERENCE: f32 = 1.0;
/// At most this many distinct query terms are scored (a pasted log can be long).
const MAX_TERMS: usize = 48;
/// Typo tolerance is for what people type: queries longer than this are pastes, matched exactly.
const MAX_TYPED_TERMS: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("stored guide is unreadable (index from another errkb version?): {0}")]
    Stored(String),
}

#[derive(Clone, Copy)]
struct Fields {
    code: Field,
    legacy: Field,
    text: [Field; 5],
    ord: Field,
    full: Field,
    guide: Field,
}

/// A built or opened index, with each document's guide ordinal resolved up front.
pub struct TextIndex {
    reader: IndexReader,
    fields: Fields,
    analyzer: TextAnalyzer,
    /// Per segment: doc id → (guide ordinal, is a full guide).
    docs: Vec<Vec<(u32, bool)>>,
    /// Every indexed term of the text fields, by length in characters: the dictionary typos
    /// are corrected against.
    vocabulary: HashMap<usize, Vec<String>>,
    languages: Languages,
    /// The analyzer with a language's stop words removed too, for questions in that language.
    by_language: Vec<(Language, TextAnalyzer)>,
}

/// A guide found by free text: its BM25 score and how much of the question it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextHit {
    pub ord: usize,
    pub score: f32,
    /// The question's terms (typos corrected) found in the guide, weighted by how rare each is,
    /// over all of the question's terms (0..=1). Low coverage: the guide merely shares a word.
    pub coverage: f32,
    /// The score in units of the weight a word found in one guide only carries in this index
    /// (BM25 weights grow with the number of guides): comparable across knowledge bases of any size.
    pub strength: f32,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing =
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(indexing);
    let code = b.add_text_field("code", STRING | STORED);
    let legacy = b.add_text_field("legacy", STRING);
    let fields = BOOSTS.map(|(name, _)| b.add_text_field(name, text.clone()));
    let ord = b.add_u64_field("ord", INDEXED | STORED | FAST);
    let full = b.add_u64_field("full", STORED | FAST);
    let guide = b.add_text_field("guide", STORED);
    (b.build(), Fields { code, legacy, text: fields, ord, full, guide })
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::English).expect("English stop words are built in"))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The index's analyzer that also drops `lang`'s stop words: for a question written in `lang`.
fn analyzer_for(lang: Language) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::English).expect("English stop words are built in"));
    match language::stop_words(lang) {
        Some(stop) => builder.filter(stop).filter(Stemmer::new(Language::English)).build(),
        None => analyzer(),
    }
}

impl TextIndex {
    /// Builds an index of `guides` in RAM, or in `dir` when given.
    pub fn build(guides: &[Guide], dir: Option<&Path>) -> Result<TextIndex, IndexError> {
        let (schema, fields) = schema();
        let index = match dir {
            Some(dir) => Index::create_in_dir(dir, schema)?,
            None => Index::create_in_ram(schema),
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let mut writer = index.writer_with_num_threads(1, 30_000_000)?;
        for (ord, guide) in guides.iter().enumerate() {
            writer.add_document(document(&fields, ord, guide))?;
        }
        writer.commit()?;
        TextIndex::from_index(index, fields)
    }

    /// Opens an index written by [`TextIndex::build`] with a directory; returns it and its guides.
    pub fn open(dir: &Path) -> Result<(TextIndex, Vec<Guide>), IndexError> {
        let index = Index::open_in_dir(dir)?;
        let (_, fields) = schema();
        index.tokenizers().register(ANALYZER, analyzer());
        let text = TextIndex::from_index(index, fields)?;
        let guides = text.stored_guides()?;
        Ok((text, guides))
    }

    fn from_index(index: Index, fields: Fields) -> Result<TextIndex, IndexError> {
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let mut docs = Vec::new();
        for segment in searcher.segment_readers() {
            let ords = segment.fast_fields().u64("ord")?;
            let full = segment.fast_fields().u64("full")?;
            let per: Vec<(u32, bool)> = (0..segment.max_doc())
                .map(|d| (ords.first(d).unwrap_or(0) as u32, full.first(d).unwrap_or(0) == 1))
                .collect();
            docs.push(per);
        }
        let vocabulary = vocabulary(&searcher, &fields)?;
        let languages = Languages::new();
        let by_language = languages.supported().map(|lang| (lang, analyzer_for(lang))).collect();
        Ok(TextIndex { reader, fields, analyzer: analyzer(), docs, vocabulary, languages, by_language })
    }

    fn stored_guides(&self) -> Result<Vec<Guide>, IndexError> {
        let searcher = self.reader.searcher();
        let mut out: Vec<(u64, Guide)> = Vec::new();
        for (seg, per) in self.docs.iter().enumerate() {
            for doc_id in 0..per.len() as u32 {
                let doc: TantivyDocument = searcher.doc(DocAddress::new(seg as u32, doc_id))?;
                let ord = doc.get_first(self.fields.ord).and_then(|v| v.as_u64()).unwrap_or(0);
                let json = doc.get_first(self.fields.guide).and_then(|v| v.as_str()).unwrap_or("");
                let guide = serde_json::from_str(json).map_err(|e| IndexError::Stored(e.to_string()))?;
                out.push((ord, guide));
            }
        }
        out.sort_by_key(|(ord, _)| *ord);
        Ok(out.into_iter().map(|(_, g)| g).collect())
    }

    /// The best guides for free text: BM25 over the weighted fields. Words no guide contains
    /// (typos) are replaced by the indexed words one edit away, or by their thesaurus translations;
    /// the thesaurus's `expansions` are searched at a lower weight. Full guides are preferred over
    /// short entries.
    pub fn search(&self, text: &str, expansions: &[Expansion], limit: usize) -> Vec<TextHit> {
        let searcher = self.reader.searcher();
        let terms = self.query_terms(&searcher, text, expansions);
        if terms.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &terms {
            for variant in &term.variants {
                for (field, (_, boost)) in self.fields.text.iter().zip(BOOSTS) {
                    let q = TermQuery::new(Term::from_field_text(*field, variant), IndexRecordOption::WithFreqs);
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost * term.weight))));
                }
            }
        }
        let query = BooleanQuery::new(clauses);
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(limit * 3 + 10).order_by_score()) else {
            return Vec::new();
        };
        let mut hits: Vec<(DocAddress, TextHit)> = top
            .into_iter()
            .filter_map(|(score, addr)| {
                let (ord, full) = *self.docs.get(addr.segment_ord as usize)?.get(addr.doc_id as usize)?;
                // A full guide is preferred over a short entry of the same relevance (for ranking
                // only: `strength`, which decides whether to answer at all, uses the plain score).
                let ranked = if full { score * FULL_GUIDE_PREFERENCE } else { score };
                Some((addr, TextHit { ord: ord as usize, score: ranked, coverage: 0.0, strength: score }))
            })
            .collect();
        hits.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
        hits.truncate(limit);
        self.fill_coverage(&searcher, &terms, &mut hits);
        hits.into_iter().map(|(_, h)| h).collect()
    }

    /// In how many guides the term occurs, in its most common field.
    fn doc_freq(&self, searcher: &tantivy::Searcher, term: &str) -> u64 {
        self.fields
            .text
            .iter()
            .map(|f| searcher.doc_freq(&Term::from_field_text(*f, term)).unwrap_or(0))
            .max()
            .unwrap_or(0)
    }

    /// Indexed terms one edit away from `term`, the most common first (at most two).
    fn corrections(&self, searcher: &tantivy::Searcher, term: &str) -> Vec<String> {
        let len = term.chars().count();
        let mut found: Vec<(u64, &String)> = (len - 1..=len + 1)
            .filter_map(|l| self.vocabulary.get(&l))
            .flatten()
            .filter(|known| super::one_edit_apart(term, known))
            .map(|known| (self.doc_freq(searcher, known), known))
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        found.into_iter().take(2).map(|(_, t)| t.clone()).collect()
    }

    /// Sets each hit's coverage (the rarity-weighted share of the typed terms the guide holds) and
    /// strength.
    /// One posting-list read per term and field, whatever the number of hits.
    fn fill_coverage(&self, searcher: &tantivy::Searcher, terms: &[QueryTerm], hits: &mut [(DocAddress, TextHit)]) {
        // The weight of a word found in exactly one guide: BM25's unit in this index.
        let docs = searcher.num_docs().max(1) as f32;
        let unit = (1.0 + (docs - 0.5) / 1.5).ln().max(0.1);
        for (_, hit) in hits.iter_mut() {
            hit.strength /= unit;
        }
        let total: f32 = terms.iter().map(|t| t.idf).sum();
        if total <= 0.0 {
            return;
        }
        let mut found = vec![0.0f32; hits.len()];
        for term in terms.iter().filter(|t| t.idf > 0.0) {
            let mut held = vec![false; hits.len()];
            for variant in &term.variants {
                for field in &self.fields.text {
                    self.mark_holders(searcher, &Term::from_field_text(*field, variant), hits, &mut held);
                }
            }
            for (i, h) in held.iter().enumerate() {
                if *h {
                    found[i] += term.idf;
                }
            }
        }
        for ((_, hit), f) in hits.iter_mut().zip(found) {
            hit.coverage = (f / total).min(1.0);
        }
    }

    fn mark_holders(
        &self,
        searcher: &tantivy::Searcher,
        term: &Term,
        hits: &[(DocAddress, TextHit)],
        held: &mut [bool],
    ) {
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            let mut wanted: Vec<(u32, usize)> = hits
                .iter()
                .enumerate()
                .filter(|(i, (addr, _))| !held[*i] && addr.segment_ord as usize == seg)
                .map(|(i, (addr, _))| (addr.doc_id, i))
                .collect();
            if wanted.is_empty() {
                continue;
            }
            wanted.sort_unstable();
            let Ok(inverted) = reader.inverted_index(term.field()) else { continue };
            let Ok(Some(mut postings)) = inverted.read_postings(term, IndexRecordOption::Basic) else { continue };
            for (doc, i) in wanted {
                if postings.doc() > doc {
                    continue;
                }
                if postings.seek(doc) == doc {
                    held[i] = true;
                } else if postings.doc() == TERMINATED {
                    break;
                }
            }
        }
    }

    /// The analysed, de-duplicated terms of a query, capped at [`MAX_TERMS`].
    fn terms(&self, text: &str) -> Vec<String> {
        analysed(&self.analyzer, text)
    }
}

/// The terms `analyzer` makes of `text`, de-duplicated, capped at [`MAX_TERMS`].
fn analysed(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut out: Vec<String> = Vec::new();
    while stream.advance() {
        let t = &stream.token().text;
        if t.len() >= 2 && !out.iter().any(|o| o == t) {
            out.push(t.clone());
            if out.len() == MAX_TERMS {
                break;
            }
        }
    }
    out
}

/// Every term of the text fields, grouped by length in characters.
fn vocabulary(searcher: &tantivy::Searcher, fields: &Fields) -> Result<HashMap<usize, Vec<String>>, IndexError> {
    let mut all = std::collections::BTreeSet::new();
    for reader in searcher.segment_readers() {
        for field in &fields.text {
            let inverted = reader.inverted_index(*field)?;
            let mut stream = inverted.terms().stream().map_err(|e| IndexError::Stored(e.to_string()))?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    all.insert(term.to_string());
                }
            }
        }
    }
    let mut by_len: HashMap<usize, Vec<String>> = HashMap::new();
    for term in all {
        by_len.entry(term.chars().count()).or_default().push(term);
    }
    Ok(by_len)
}

fn document(fields: &Fields, ord: usize, guide: &Guide) -> TantivyDocument {
    let section = |kind: SectionKind| -> String {
        guide.sections.iter().filter(|s| s.kind == kind).map(|s| s.text()).collect::<Vec<_>>().join("\n")
    };
    let body: Vec<String> = guide
        .intro
        .iter()
        .map(|p| crate::kb::plain(p))
        .chain(
            guide
                .sections
                .iter()
                .filter(|s| !matches!(s.kind, SectionKind::Causes | SectionKind::Resolution | SectionKind::References))
                .map(|s| s.text()),
        )
        .chain(guide.meta.tags.iter().cloned())
        .collect();
    let [title, aliases, causes, steps, body_f] = fields.text;
    let mut d = doc!(
        fields.code => guide.code.key(),
        title => guide.meaning.clone(),
        aliases => guide.meta.aliases.join("\n"),
        causes => section(SectionKind::Causes),
        steps => section(SectionKind::Resolution),
        body_f => body.join("\n"),
        fields.ord => ord as u64,
        fields.full => u64::from(guide.kind == GuideKind::Full),
        fields.guide => serde_json::to_string(guide).unwrap_or_default(),
    );
    for legacy in &guide.meta.legacy_codes {
        d.add_text(fields.legacy, legacy.key());
    }
    d
}
