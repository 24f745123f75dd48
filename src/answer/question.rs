//! A validated question: trimmed, control characters dropped, capped in length.

/// Longer input is cut here (on a character boundary) before anything else looks at it.
pub const MAX_QUESTION_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    #[error("the question is empty: paste an error message or type a code such as AADSTS50011")]
    Empty,
}

/// User text that is safe to answer: at most [`MAX_QUESTION_CHARS`] characters, no control
/// characters other than line breaks and tabs, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    text: String,
    truncated: bool,
}

impl Question {
    pub fn parse(raw: &str) -> Result<Question, QuestionError> {
        let mut truncated = false;
        let mut text = String::with_capacity(raw.len().min(MAX_QUESTION_CHARS * 4));
        for (count, c) in raw.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).enumerate() {
            if count == MAX_QUESTION_CHARS {
                truncated = true;
                break;
            }
            text.push(if c == '\t' { ' ' } else { c });
        }
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err(QuestionError::Empty);
        }
        Ok(Question { text, truncated })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the input was longer than [`MAX_QUESTION_CHARS`] and was cut.
    pub fn was_truncated(&self) -> bool {
        self.truncated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_input_is_refused() {
        assert_eq!(Question::parse("  \n\t "), Err(QuestionError::Empty));
        assert_eq!(Question::parse("\u{0}\u{7}"), Err(QuestionError::Empty));
    }

    #[test]
    fn control_characters_are_dropped_and_length_capped() {
        let q = Question::parse(" AADSTS\u{0}50011\u{1b} ").unwrap();
        assert_eq!(q.text(), "AADSTS50011");
        let long = "é".repeat(MAX_QUESTION_CHARS + 10);
        let q = Question::parse(&long).unwrap();
        assert_eq!(q.text().chars().count(), MAX_QUESTION_CHARS);
        assert!(q.was_truncated());
    }
}
