//! Message templates: Entra's own message text for a code, quoted verbatim with `{placeholder}`
//! holes, turned into runs of literal words separated by wildcards.
//!
//! Owns the template syntax and the word folding that both templates and pasted text go through
//! (lowercase, letters and digits only, so quotes, punctuation and spacing never matter). Knows
//! nothing of matching strategy or of the index; search/ matches compiled templates in queries.

/// A template needs at least this many literal words to tell one message from another (with a
/// placeholder between them: `Application '{appId}'({appName}) is disabled.`).
pub const MIN_TEMPLATE_WORDS: usize = 3;

/// A template in words: `segments[i]` are the literal words between placeholders;
/// `sentence_ends[i][j]` is true when a sentence of the message ends after word `j` of segment `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTemplate {
    pub segments: Vec<Vec<String>>,
    pub sentence_ends: Vec<Vec<bool>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("`{{` without a closing `}}`")]
    Unclosed,
    #[error("`}}` without an opening `{{`")]
    Unopened,
    #[error("empty placeholder `{{}}`: name it, e.g. `{{appId}}`")]
    EmptyPlaceholder,
    #[error("starts with the code: leave out the `AADSTSnnnn:` prefix")]
    HasCode,
    #[error("only {0} literal words: a template needs at least {MIN_TEMPLATE_WORDS} to be specific")]
    TooShort(usize),
}

impl MessageTemplate {
    /// Parses `The redirect URI '{redirectUri}' specified in the request does not match ...`.
    pub fn parse(text: &str) -> Result<MessageTemplate, TemplateError> {
        if text.trim_start().to_ascii_uppercase().starts_with("AADSTS") {
            return Err(TemplateError::HasCode);
        }
        let mut segments = vec![Vec::new()];
        let mut ends = vec![Vec::new()];
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(TemplateError::Unopened);
            }
            let close = rest[open..].find('}').ok_or(TemplateError::Unclosed)? + open;
            if rest[open + 1..close].contains('{') {
                return Err(TemplateError::Unclosed);
            }
            if rest[open + 1..close].trim().is_empty() {
                return Err(TemplateError::EmptyPlaceholder);
            }
            push_words(&rest[..open], segments.last_mut().expect("never empty"), ends.last_mut().expect("never empty"));
            segments.push(Vec::new());
            ends.push(Vec::new());
            rest = &rest[close + 1..];
        }
        push_words(rest, segments.last_mut().expect("never empty"), ends.last_mut().expect("never empty"));
        let (segments, sentence_ends) = segments.into_iter().zip(ends).filter(|(s, _)| !s.is_empty()).unzip();
        let template = MessageTemplate { segments, sentence_ends };
        match template.word_count() {
            n if n < MIN_TEMPLATE_WORDS => Err(TemplateError::TooShort(n)),
            _ => Ok(template),
        }
    }

    /// Literal words in all segments.
    pub fn word_count(&self) -> usize {
        self.segments.iter().map(Vec::len).sum()
    }

    /// The template with each placeholder filled by `fill`: a sample of what the server prints.
    pub fn sample(&self, fill: &str) -> String {
        let parts: Vec<String> = self.segments.iter().map(|s| s.join(" ")).collect();
        parts.join(&format!(" {fill} "))
    }
}

/// Appends the words of a literal piece, marking those a sentence ends after (`.`, `!` or `?`
/// before the next word or at the end of the piece).
fn push_words(piece: &str, words: &mut Vec<String>, ends: &mut Vec<bool>) {
    let spans: Vec<(usize, usize)> = word_spans(piece).collect();
    for (i, &(start, end)) in spans.iter().enumerate() {
        let gap = &piece[end..spans.get(i + 1).map_or(piece.len(), |next| next.0)];
        words.push(piece[start..end].to_lowercase());
        ends.push(gap.contains(['.', '!', '?']));
    }
}

/// The words of `text` as templates see them: lowercased runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    word_spans(text).map(|(start, end)| text[start..end].to_lowercase())
}

/// Byte ranges of the words of `text` (runs of letters and digits).
pub fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_split_a_template_into_word_runs() {
        let t =
            MessageTemplate::parse("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.")
                .unwrap();
        assert_eq!(t.segments[0], ["tenant"]);
        assert_eq!(t.segments[1][..3], ["not", "found", "check"]);
        assert_eq!(t.word_count(), 13);
        assert!(t.sentence_ends[1][1], "a sentence ends after `found.`");
        assert!(!t.sentence_ends[1][0]);
    }

    #[test]
    fn malformed_templates_are_refused_with_the_reason() {
        assert_eq!(MessageTemplate::parse("Application '{appId' was not found"), Err(TemplateError::Unclosed));
        assert_eq!(MessageTemplate::parse("Application appId}' was not found"), Err(TemplateError::Unopened));
        assert_eq!(MessageTemplate::parse("Application '{}' was not found"), Err(TemplateError::EmptyPlaceholder));
        assert_eq!(MessageTemplate::parse("AADSTS50011: The redirect URI"), Err(TemplateError::HasCode));
        assert_eq!(MessageTemplate::parse("User '{u}' disabled."), Err(TemplateError::TooShort(2)));
        assert!(MessageTemplate::parse("Application '{appId}'({appName}) is disabled.").is_ok());
    }

    #[test]
    fn words_ignore_quotes_punctuation_and_case() {
        let w: Vec<String> = words("Doesn’t  match: 'HTTPS://x.y/z'…").collect();
        assert_eq!(w, ["doesn", "t", "match", "https", "x", "y", "z"]);
    }
}
