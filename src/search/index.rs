//! The tantivy index: schema, analyzer, build (in RAM or on disk), open, and scored text search.
//!
//! The only module that knows tantivy. Guides are stored in the index as JSON so that an index
//! written by `errkb index --out DIR` can be opened without the Markdown. Knows nothing of query
//! understanding or answers.

use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term, doc};

use crate::kb::{Guide, GuideKind, SectionKind};

const ANALYZER: &str = "errkb_en";
/// Per-field weights: what a guide is about counts more than what it mentions.
const BOOSTS: [(&str, f32); 5] = [("title", 3.0), ("aliases", 3.0), ("causes", 1.5), ("steps", 1.0), ("body", 0.6)];
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
        Ok(TextIndex { reader, fields, analyzer: analyzer(), docs })
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

    /// The best guides for free text: BM25 over the weighted fields; words no guide contains
    /// (typos) are matched within one edit; full guides are preferred over short entries.
    pub fn search(&self, text: &str, limit: usize) -> Vec<(usize, f32)> {
        let terms = self.terms(text);
        if terms.is_empty() || limit == 0 {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let typed = terms.len() <= MAX_TYPED_TERMS;
        for term in &terms {
            let unknown = typed && self.is_unknown(&searcher, term);
            for (field, (_, boost)) in self.fields.text.iter().zip(BOOSTS) {
                let t = Term::from_field_text(*field, term);
                let q = TermQuery::new(t.clone(), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
                if unknown && term.chars().count() >= 4 && boost >= 1.0 {
                    let fuzzy = FuzzyTermQuery::new(t, 1, true);
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), 0.5 * boost))));
                }
            }
        }
        let query = BooleanQuery::new(clauses);
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(limit * 3 + 10).order_by_score()) else {
            return Vec::new();
        };
        let mut hits: Vec<(usize, f32)> = top
            .into_iter()
            .filter_map(|(score, addr)| {
                let (ord, full) = *self.docs.get(addr.segment_ord as usize)?.get(addr.doc_id as usize)?;
                Some((ord as usize, if full { score * 1.3 } else { score }))
            })
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1));
        hits.truncate(limit);
        hits
    }

    /// A term no guide contains: probably a typo, so it is matched within one edit instead.
    fn is_unknown(&self, searcher: &tantivy::Searcher, term: &str) -> bool {
        self.fields.text.iter().all(|f| searcher.doc_freq(&Term::from_field_text(*f, term)).map_or(true, |n| n == 0))
    }

    /// The analysed, de-duplicated terms of a query, capped at [`MAX_TERMS`].
    fn terms(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
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
