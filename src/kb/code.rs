//! Error-code identity: how a code is written in a guide title, and the key it is matched by.
//!
//! Owns the canonical spelling (`AADSTS7000215`, `ORA-12154`, `0x80070005`, `HTTP-429`) and the
//! separator-free match key. Knows nothing of Markdown, the index or where a code came from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An error code as a guide declares it, e.g. `AADSTS50011` or `ORA-12154`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code {
    display: String,
    key: String,
}

impl Code {
    /// Parses a code as written by a guide author. Returns `None` for text that is not a code:
    /// it must hold a digit, be at most 40 characters and be made of letters, digits and one
    /// kind of separator (space, `-`, `_`).
    pub fn parse(raw: &str) -> Option<Code> {
        let raw = raw.trim();
        if raw.is_empty() || raw.chars().count() > 40 || !raw.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')) {
            return None;
        }
        if let Some(hex) = raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
            if hex.chars().all(|c| c.is_ascii_hexdigit()) && !hex.is_empty() {
                let display = format!("0x{}", hex.to_ascii_uppercase());
                return Some(Code::from_display(display));
            }
            return None;
        }
        let upper = raw.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("AADSTS") {
            let digits = rest.trim_start_matches([' ', '-', '_', ':']);
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                return Some(Code::aadsts(digits));
            }
            return None;
        }
        let display: String = upper.split_whitespace().collect::<Vec<_>>().join("-");
        Some(Code::from_display(display))
    }

    /// The AADSTS code for a bare number (`50011` → `AADSTS50011`).
    pub fn aadsts(number: &str) -> Code {
        let number = number.trim_start_matches('0');
        let number = if number.is_empty() { "0" } else { number };
        Code::from_display(format!("AADSTS{number}"))
    }

    fn from_display(display: String) -> Code {
        let key = match_key(&display);
        Code { display, key }
    }

    /// How the code is shown: `AADSTS50011`.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// Separator-free, upper-case key used for matching: `ORA-12154` → `ORA12154`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The letters before the number (`AADSTS`, `ORA`, `HTTP`, `0X` for hex codes).
    pub fn family(&self) -> &str {
        let end = self.key.find(|c: char| c.is_ascii_digit()).unwrap_or(self.key.len());
        if self.key.starts_with("0X") {
            return "0X";
        }
        &self.key[..end]
    }

    /// The number part for AADSTS codes (`AADSTS50011` → `50011`).
    pub fn aadsts_number(&self) -> Option<&str> {
        self.key.strip_prefix("AADSTS").filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Microsoft's official lookup page for AADSTS codes; `None` for other families.
    pub fn lookup_url(&self) -> Option<String> {
        self.aadsts_number().map(|n| format!("https://login.microsoftonline.com/error?code={n}"))
    }
}

/// The match key of any spelling of a code: upper case, letters and digits only.
pub fn match_key(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl TryFrom<String> for Code {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Code::parse(&value).ok_or_else(|| format!("not an error code: {value:?}"))
    }
}

impl From<Code> for String {
    fn from(code: Code) -> String {
        code.display
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_spellings_share_one_key() {
        for raw in ["AADSTS50011", "aadsts 50011", "AADSTS-50011", "Aadsts_050011"] {
            assert_eq!(Code::parse(raw).unwrap().as_str(), "AADSTS50011", "{raw}");
        }
    }

    #[test]
    fn other_families_keep_their_spelling() {
        assert_eq!(Code::parse("ORA-12154").unwrap().key(), "ORA12154");
        assert_eq!(Code::parse("0x80070005").unwrap().as_str(), "0x80070005");
        assert_eq!(Code::parse("HTTP 429").unwrap().as_str(), "HTTP-429");
        assert_eq!(Code::parse("HTTP 429").unwrap().family(), "HTTP");
    }

    #[test]
    fn text_without_digits_is_not_a_code() {
        assert!(Code::parse("Troubleshooting").is_none());
        assert!(Code::parse("a/b 1").is_none());
        assert!(Code::parse("").is_none());
    }

    #[test]
    fn only_aadsts_codes_have_a_lookup_url() {
        assert_eq!(
            Code::aadsts("7000215").lookup_url().unwrap(),
            "https://login.microsoftonline.com/error?code=7000215"
        );
        assert!(Code::parse("ORA-12154").unwrap().lookup_url().is_none());
    }
}
