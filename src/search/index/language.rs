//! Which language a question is written in, told by its function words, so that a question in
//! German or Spanish is not searched for `die` or `que`. The guides are written in English; a
//! question's own-language stop words are dropped only when they clearly outnumber English ones.
//! Part of the index module because the word lists are tantivy's; knows nothing of scoring.

use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, StopWordFilter, TextAnalyzer, TokenStream};

/// The languages whose stop words are recognised (people at work write in these besides English).
const FOREIGN: [Language; 6] =
    [Language::German, Language::French, Language::Spanish, Language::Portuguese, Language::Dutch, Language::Italian];

/// English function words, counted to tell an English question apart (many are stop words in
/// another language too: `in`, `was`, `over`, `me`).
const ENGLISH: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    "i", "my", "we", "our", "you", "your", "he", "she", "his", "her", "has", "have", "had", "after", "since", "when",
    "from", "what", "can", "does", "do", "get", "gets", "got", "now", "just", "all", "me", "us", "again", "because",
    "so", "how", "why", "any", "some", "its", "were", "been", "which", "who", "still", "only", "even", "though",
    "over", "out", "up", "off", "says", "said", "keeps", "any", "cant", "doesnt", "dont",
];

/// Language detection by stop words.
#[derive(Clone)]
pub struct Languages {
    /// Words of a question, lowercased.
    words: TextAnalyzer,
    /// Words of a question that are not English function words.
    not_english: TextAnalyzer,
    /// Per language: what is left once that language's stop words are gone too.
    each: Vec<(Language, TextAnalyzer)>,
}

fn english() -> StopWordFilter {
    StopWordFilter::remove(ENGLISH.iter().map(|w| w.to_string()))
}

fn count(analyzer: &TextAnalyzer, text: &str) -> usize {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut n = 0;
    while stream.advance() {
        n += 1;
    }
    n
}

impl Languages {
    pub fn new() -> Languages {
        let base = || TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser);
        let each = FOREIGN
            .iter()
            .filter_map(|&lang| {
                let stop = StopWordFilter::new(lang)?;
                Some((lang, base().filter(english()).filter(stop).build()))
            })
            .collect();
        Languages { words: base().build(), not_english: base().filter(english()).build(), each }
    }

    /// The languages [`Languages::detect`] can return.
    pub fn supported(&self) -> impl Iterator<Item = Language> + '_ {
        self.each.iter().map(|(lang, _)| *lang)
    }

    /// The language other than English whose function words the question uses, when it uses at
    /// least two of them and more than English ones.
    pub fn detect(&self, text: &str) -> Option<Language> {
        let words = count(&self.words, text);
        let rest = count(&self.not_english, text);
        let english = words - rest;
        let (lang, foreign) =
            self.each.iter().map(|(lang, a)| (*lang, rest - count(a, text))).max_by_key(|(_, n)| *n)?;
        (foreign >= 2 && foreign > english).then_some(lang)
    }
}

/// The stop words of `lang` as a filter (the languages [`Languages::detect`] returns have them).
pub fn stop_words(lang: Language) -> Option<StopWordFilter> {
    StopWordFilter::new(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_in_spanish_or_german_is_told_apart_from_english() {
        let l = Languages::new();
        assert_eq!(l.detect("el secreto de cliente no es válido, lo copié del portal"), Some(Language::Spanish));
        assert_eq!(
            l.detect("der Benutzer kann sich nicht anmelden, das Passwort ist abgelaufen"),
            Some(Language::German)
        );
        assert_eq!(l.detect("over the weekend the user had me reset his password"), None);
        assert_eq!(l.detect("invalid client secret"), None);
    }
}
