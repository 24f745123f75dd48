//! Query-time synonyms from the knowledge base's thesaurus: a question that says `callback url`
//! also searches `redirect uri` and `reply url`.
//!
//! Owns phrase lookup in a question's words (one pass, phrases keyed by their first word, a
//! plural `s` folded). Knows nothing of tantivy or of answers: it returns the extra words.

use std::collections::HashMap;

use crate::kb::{Thesaurus, words};

/// A thesaurus ready to expand questions.
#[derive(Debug, Default, Clone)]
pub struct Synonyms {
    thesaurus: Thesaurus,
    /// Folded first word → (group, phrase) pairs starting with it.
    starts: HashMap<String, Vec<(usize, usize)>>,
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
        for (g, group) in thesaurus.groups.iter().enumerate() {
            for (p, phrase) in group.iter().enumerate() {
                starts.entry(fold(&phrase[0]).to_string()).or_default().push((g, p));
            }
        }
        Synonyms { thesaurus, starts }
    }

    pub fn thesaurus(&self) -> &Thesaurus {
        &self.thesaurus
    }

    /// The other phrases of every group one of whose phrases occurs in `text`, space-separated
    /// (empty when none does).
    pub fn expand(&self, text: &str) -> String {
        if self.starts.is_empty() {
            return String::new();
        }
        let query: Vec<String> = words(text).collect();
        let folded: Vec<&str> = query.iter().map(|w| fold(w)).collect();
        let mut hit_groups: Vec<(usize, usize)> = Vec::new();
        for i in 0..folded.len() {
            for &(g, p) in self.starts.get(folded[i]).into_iter().flatten() {
                let phrase = &self.thesaurus.groups[g][p];
                let fits =
                    phrase.len() <= folded.len() - i && phrase.iter().zip(&folded[i..]).all(|(a, b)| fold(a) == *b);
                if fits && !hit_groups.iter().any(|&(hg, hp)| hg == g && hp == p) {
                    hit_groups.push((g, p));
                }
            }
        }
        let mut out = String::new();
        for &(g, p) in &hit_groups {
            for (other, phrase) in self.thesaurus.groups[g].iter().enumerate() {
                if other != p && !hit_groups.contains(&(g, other)) {
                    out.push(' ');
                    out.push_str(&phrase.join(" "));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms() -> Synonyms {
        Synonyms::new(
            Thesaurus::parse("groups:\n  - [reply url, redirect uri, callback url]\n  - [2fa, mfa]\n").unwrap(),
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
}
