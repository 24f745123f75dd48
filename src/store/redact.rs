//! Masks what must never be stored from user text: tokens (JWTs, bearer tokens), secrets
//! (`client_secret=...`, Entra client secrets, long opaque strings), GUIDs (tenant, client and
//! correlation ids) and e-mail addresses. Error codes and ordinary words are kept.

use std::sync::LazyLock;

use regex::{Captures, Regex};

struct Rule {
    re: Regex,
    with: &'static str,
}

fn rule(pattern: &str, with: &'static str) -> Rule {
    Rule { re: Regex::new(pattern).unwrap_or_else(|e| unreachable!("redaction pattern is valid: {e}")), with }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", "[token]"),
        rule(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", "$1 [token]"),
        rule(
            r#"(?i)\b(client_secret|client_assertion|password|passwd|pwd|secret|api[_-]?key|access_token|refresh_token|id_token|assertion|sig|signature|token)(["']?\s*[=:]\s*["']?)[^\s"'&,;}]+"#,
            "$1$2[secret]",
        ),
        rule(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "[guid]"),
        rule(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", "[email]"),
        rule(r"[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{30,}", "[secret]"),
    ]
});

static OPAQUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+_~=-]{24,}").unwrap_or_else(|e| unreachable!("pattern is valid: {e}")));

/// The text with secrets, tokens, GUIDs and e-mail addresses replaced by `[secret]`, `[token]`,
/// `[guid]` and `[email]`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for rule in RULES.iter() {
        if rule.re.is_match(&out) {
            out = rule.re.replace_all(&out, rule.with).into_owned();
        }
    }
    // A long run mixing letters and digits is a key or token of some kind.
    OPAQUE
        .replace_all(&out, |c: &Captures| {
            let s = &c[0];
            let mixed = s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_alphabetic());
            if mixed && !s.starts_with("AADSTS") { "[secret]".to_string() } else { s.to_string() }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn codes_and_words_survive_redaction() {
        let text = "AADSTS7000215: Invalid client secret provided. Trace ID: ok";
        assert_eq!(redact(text), text);
    }

    #[test]
    fn guids_emails_and_tokens_are_masked() {
        let text = "user alice@contoso.com tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 \
                    Authorization: Bearer abcdefghijk123456 id eyJhbGciOi.eyJzdWIiOiIx.sig-part";
        let out = redact(text);
        for secret in ["alice@contoso.com", "72f988bf", "abcdefghijk123456", "eyJhbGciOi"] {
            assert!(!out.contains(secret), "{secret} survived: {out}");
        }
        assert!(out.contains("[email]") && out.contains("[guid]") && out.contains("[token]"), "{out}");
    }

    #[test]
    fn secrets_in_key_value_pairs_and_client_secret_shapes_are_masked() {
        let text = r#"client_secret=hunter2&grant_type=client_credentials {"password": "p@ss"} Abc8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"#;
        let out = redact(text);
        assert!(!out.contains("hunter2") && !out.contains("p@ss") && !out.contains("Abc8Q~"), "{out}");
        assert!(out.contains("grant_type=client_credentials"), "{out}");
    }

    #[test]
    fn long_opaque_strings_are_masked() {
        let out = redact("key 0123456789abcdefABCDEF0123456789 end");
        assert_eq!(out, "key [secret] end");
    }
}
