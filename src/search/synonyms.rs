//! Query-time synonyms from the knowledge base's thesaurus: a question that says `callback url`
//! also searches `redirect uri` and `reply url`, and a question in German that says `Kennwort`
//! also searches `password`.
//!
//! Owns phrase lookup in a question's words (one pass, phrases keyed by their first word, a
//! plural `s` folded; phrases in scripts written without spaces, such as Japanese, are found
//! inside a word). Knows nothing of tantivy or of answers: it returns, per phrase found, the
//! question's words it covered and the group's other phrases.

use std::collections::HashMap;

use super::extract::unspaced_script;
use crate::kb::{Thesaurus, words};

/// A thesaurus ready to expand questions.
#[derive(Debug, Default, Clone)]
pub struct Synonyms {
    thesaurus: Thesaurus,
    /// Folded first word → (group, phrase) pairs starting with it.
    starts: HashMap<String, Vec<(usize, usize)>>,
    /// Phrases written without spaces between words (CJK): their joined text, group and phrase.
    unspaced: Vec<(String, usize, usize)>,
}

/// One thesaurus phrase found in a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The question's words the phrase covered (lowercased, as written).
    pub covers: Vec<String>,
    /// The group's other phrases, each as one space-separated string.
    pub phrases: Vec<String>,
}

fn fold(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem,
        _ => word,
    }
}

impl Synonyms {
    pub fn new(thesaurus: Thesaurus) -> Synonyms {
        let mut starts: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut unspaced = Vec::new();
        for (g, group) in thesaurus.groups.iter().enumerate() {
            for (p, phrase) in group.iter().enumerate() {
                if phrase.iter().any(|w| w.chars().any(unspaced_script)) {
                    unspaced.push((phrase.concat(), g, p));
                } else {
                    starts.entry(fold(&phrase[0]).to_string()).or_default().push((g, p));
                }
            }
        }
        Synonyms { thesaurus, starts, unspaced }
    }

    pub fn thesaurus(&self) -> &Thesaurus {
        &self.thesaurus
    }

    /// The other phrases of every group one of whose phrases occurs in `text`, space-separated
    /// (empty when none does).
    pub fn expand(&self, text: &str) -> String {
        self.expansions(text).iter().flat_map(|e| &e.phrases).fold(String::new(), |mut out, p| {
            out.push(' ');
            out.push_str(p);
            out
        })
    }

    /// Every thesaurus phrase found in `text`, with the words it covered and its group's other
    /// phrases (a phrase of the group also found in the question is not repeated).
    pub fn expansions(&self, text: &str) -> Vec<Expansion> {
        if self.thesaurus.is_empty() {
            return Vec::new();
        }
        let query: Vec<String> = words(text).collect();
        let found = self.found(&query);
        found
            .iter()
            .map(|&(g, p, start, len)| Expansion {
                covers: query[start..start + len].to_vec(),
                phrases: (self.thesaurus.groups[g].iter().enumerate())
                    .filter(|(other, _)| *other != p && !found.iter().any(|f| f.0 == g && f.1 == *other))
                    .map(|(_, phrase)| phrase.join(" "))
                    .collect(),
            })
            .collect()
    }

    /// (group, phrase, first word, words covered) of every phrase in `query`, each once.
    fn found(&self, query: &[String]) -> Vec<(usize, usize, usize, usize)> {
        let folded: Vec<&str> = query.iter().map(|w| fold(w)).collect();
        let mut found: Vec<(usize, usize, usize, usize)> = Vec::new();
        let mut add = |hit: (usize, usize, usize, usize)| {
            if !found.iter().any(|f| f.0 == hit.0 && f.1 == hit.1) {
                found.push(hit);
            }
        };
        for i in 0..folded.len() {
            for &(g, p) in self.starts.get(folded[i]).into_iter().flatten() {
                let phrase = &self.thesaurus.groups[g][p];
                if phrase.len() <= folded.len() - i && phrase.iter().zip(&folded[i..]).all(|(a, b)| fold(a) == *b) {
                    add((g, p, i, phrase.len()));
                }
            }
            if query[i].chars().any(unspaced_script) {
                let pair = query.get(i + 1).map(|next| format!("{}{next}", query[i]));
                for (joined, g, p) in &self.unspaced {
                    if query[i].contains(joined.as_str()) {
                        add((*g, *p, i, 1));
                    } else if pair.as_ref().is_some_and(|pair| pair.contains(joined.as_str())) {
                        add((*g, *p, i, 2));
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms() -> Synonyms {
        Synonyms::new(
            Thesaurus::parse(
                "groups:\n  - [reply url, redirect uri, callback url]\n  - [2fa, mfa]\n  - [password, パスワード]\n",
            )
            .unwrap(),
        )
    }

    #[test]
    fn a_phrase_in_the_question_brings_its_group() {
        let extra = synonyms().expand("my Callback URLs are not set up");
        assert!(extra.contains("reply url") && extra.contains("redirect uri"), "{extra}");
        assert!(!extra.contains("callback"));
    }

    #[test]
    fn words_that_only_start_a_phrase_bring_nothing() {
        assert_eq!(synonyms().expand("the callback failed"), "");
        assert_eq!(synonyms().expand("2fa"), " mfa");
    }

    #[test]
    fn an_expansion_names_the_question_words_it_covered() {
        let found = synonyms().expansions("the Callback URLs broke");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].covers, ["callback", "urls"]);
        assert_eq!(found[0].phrases, ["reply url", "redirect uri"]);
    }

    #[test]
    fn a_japanese_term_is_found_inside_a_run_of_text_without_spaces() {
        let found = synonyms().expansions("ユーザーのパスワードが期限切れ");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].covers, ["ユーザーのパスワードが期限切れ"]);
        assert_eq!(found[0].phrases, ["password"]);
    }
}
