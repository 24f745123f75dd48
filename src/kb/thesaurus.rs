//! The thesaurus: groups of words and phrases that mean the same thing to people asking
//! (`reply url` = `redirect uri` = `callback url`), kept in `thesaurus.yaml` files in the
//! knowledge base so teams extend it the way they add guides.
//!
//! Owns the file format and its folding into word lists. Knows nothing of how search uses it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::template::words;

/// Phrase groups, each phrase as its folded words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thesaurus {
    pub groups: Vec<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThesaurusFile {
    groups: Vec<Vec<String>>,
}

/// A thesaurus file that could not be read; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ThesaurusError {
    pub line: usize,
    pub message: String,
}

impl Thesaurus {
    /// Parses a `thesaurus.yaml`: `groups:` a list of lists of phrases. A group needs two phrases.
    pub fn parse(text: &str) -> Result<Thesaurus, ThesaurusError> {
        let file: ThesaurusFile = serde_yaml_ng::from_str(text)
            .map_err(|e| ThesaurusError { line: e.location().map_or(1, |l| l.line()), message: e.to_string() })?;
        let mut groups = Vec::new();
        for (i, group) in file.groups.into_iter().enumerate() {
            let phrases: Vec<Vec<String>> =
                group.iter().map(|p| words(p).collect::<Vec<_>>()).filter(|w| !w.is_empty()).collect();
            if phrases.len() < 2 {
                let message = format!("group {} has fewer than two phrases: {group:?}", i + 1);
                return Err(ThesaurusError { line: 1, message });
            }
            groups.push(phrases);
        }
        Ok(Thesaurus { groups })
    }

    /// Adds another file's groups (a team's own thesaurus beside the shipped one).
    pub fn extend(&mut self, other: Thesaurus) {
        self.groups.extend(other.groups);
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// True for a file the loader reads as a thesaurus.
    pub fn is_thesaurus_file(path: &Path) -> bool {
        path.file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .is_some_and(|n| n == "thesaurus.yaml" || n.ends_with(".thesaurus.yaml"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_folded_into_words() {
        let t = Thesaurus::parse("groups:\n  - [Reply URL, redirect-uri, callback]\n").unwrap();
        assert_eq!(t.groups[0][0], ["reply", "url"]);
        assert_eq!(t.groups[0][1], ["redirect", "uri"]);
    }

    #[test]
    fn a_group_of_one_is_refused() {
        assert!(Thesaurus::parse("groups:\n  - [mfa]\n").is_err());
        assert!(Thesaurus::parse("groups: 3").is_err());
    }
}
