//! Query understanding: find every error code in whatever a user pasted.
//!
//! Handles prefixed and bare codes in any case and separator, JSON (`"error_codes":[7000215]`),
//! escaped strings (`\r\n`, `\\r\\n`, `\"`), URL-encoded text, HTML entities (Slack escapes `&<>`)
//! and stack traces. Never matches a code inside a longer number, a GUID, a trace id, a timestamp,
//! an IP address or a version. Knows the vocabulary of codes only through [`Vocabulary`]; nothing of
//! the index or of answers.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::kb::Code;

/// One code found in a query, in order of appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub code: Code,
    /// Written with its family prefix or under an explicit key (`error_codes`, `Error code:`),
    /// rather than as a bare number.
    pub prefixed: bool,
    /// Byte offset in the normalised text, for ordering.
    pub at: usize,
    /// Found on a log line marked DEBUG, INFO or TRACE: context rather than the failure.
    pub quiet: bool,
}

/// The codes the knowledge base knows, and the families it holds besides AADSTS.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    keys: HashSet<String>,
    family_pattern: Option<Regex>,
    hex: bool,
}

impl Vocabulary {
    pub fn new<'a>(codes: impl IntoIterator<Item = &'a Code>) -> Vocabulary {
        let mut keys = HashSet::new();
        let mut families = HashSet::new();
        let mut hex = false;
        for code in codes {
            keys.insert(code.key().to_string());
            match code.family() {
                "AADSTS" | "" => {}
                "0X" => hex = true,
                family => {
                    families.insert(regex::escape(family));
                }
            }
        }
        let family_pattern = (!families.is_empty()).then(|| {
            let mut list: Vec<_> = families.into_iter().collect();
            list.sort_by_key(|f| std::cmp::Reverse(f.len()));
            let pattern = format!(r"(?i)\b({})[\s_:\-]?(\d{{1,9}})\b", list.join("|"));
            Regex::new(&pattern).expect("escaped alternation is a valid regex")
        });
        Vocabulary { keys, family_pattern, hex }
    }

    pub fn knows(&self, key: &str) -> bool {
        self.keys.contains(key)
    }
}

static PERCENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"%[0-9A-Fa-f]{2}").unwrap());
static ESCAPES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\\+(?:[rnt]|u000[aAdD9])"#).unwrap());
static ESCAPED_QUOTE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\\+(?:"|u0022)"#).unwrap());
static MASKS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
        r"\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\b",
        r"\b\d{1,3}(?:\.\d{1,3}){3}\b",
        r"\b\d+(?:\.\d+)+\b",
        r"(?i)\b[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*\b|\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b",
    ]
    .iter()
    .map(|p| Regex::new(p).unwrap())
    .collect()
});
static PREFIXED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)aadsts[\s_:#\-\p{Pd}]*(\d+)").unwrap());
static KEYED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:error\?code|error[_\s-]?codes?|errorcodes?|error[_\s-]?no|errno|error[_\s-]?number|sign-?in\s+error\s+code)["'\s]*[:=]?\s*\[?\s*(\d+(?:\s*,\s*\d+)*)"#,
    )
    .unwrap()
});
static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\b0x([0-9a-f]{8})\b").unwrap());
static QUIET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:DEBUG|INFO|TRACE|VERBOSE|DBG)\b|(?i:level=(?:debug|info|trace))").unwrap());
static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});").unwrap());
const NAMED_ENTITIES: &[(&str, char)] = &[
    ("quot", '"'),
    ("apos", '\''),
    ("lt", '<'),
    ("gt", '>'),
    ("amp", '&'),
    ("nbsp", ' '),
    ("rsquo", '\u{2019}'),
    ("lsquo", '\u{2018}'),
    ("ldquo", '\u{201C}'),
    ("rdquo", '\u{201D}'),
    ("hellip", '\u{2026}'),
    ("ndash", '\u{2013}'),
    ("mdash", '\u{2014}'),
];
/// A prefix that is almost `AADSTS` (`ADSTS`, `AADST`, `AASTS`, `AAD STS`) before 5 to 7 digits.
static NEAR_PREFIXED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([a-z]{2,4}[ _\-]?[a-z]{1,4})[\s_:#\-\p{Pd}]*(\d{5,7})\b").unwrap());
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").unwrap());
static WORDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{L}\p{N}]+").unwrap());

/// Words that do not make a query more than "just the number".
const FILLER: &[&str] = &[
    "aadsts", "error", "errors", "err", "code", "codes", "meaning", "mean", "means", "what", "whats", "is", "does",
    "do", "the", "a", "an", "of", "for", "about", "explain", "help", "me", "with", "on", "get", "getting", "got", "i",
    "im", "am", "lookup", "look", "up", "please", "pls", "this", "it", "info", "details", "fix", "how", "to", "azure",
    "entra", "ad", "aad", "id", "msal", "sts", "number",
];
/// Words that, right before a bare number, mark it as an error code.
const CUES: &[&str] = &["aadsts", "error", "err", "code", "codes", "errorcode", "fehler", "erreur", "código", "codigo"];

/// Words that make a text about signing in to Microsoft's cloud: a bare number in such a text,
/// when it is a known code, is read as one (`getting 50058 when logging in`); elsewhere it needs
/// an `error` cue or a short question (`50011 localhost`): `chcp 65001 so the console prints
/// umlauts`, `zip code 90002` and `PO 530035 is waiting for approval` are not sign-in errors.
const SIGN_IN_WORDS: &[&str] = &[
    "aadsts",
    "azure",
    "entra",
    "aad",
    "microsoft",
    "msal",
    "adal",
    "oauth",
    "oidc",
    "saml",
    "sso",
    "signin",
    "sign",
    "signing",
    "login",
    "logging",
    "logon",
    "auth",
    "authentication",
    "authenticate",
    "token",
    "tokens",
    "tenant",
    "consent",
    "mfa",
    "2fa",
    "teams",
    "outlook",
    "sharepoint",
    "onedrive",
    "office",
    "m365",
    "o365",
    "intune",
    "password",
    "account",
    "guest",
    "az",
    "powershell",
    "graph",
    "app",
    "application",
    "redirect",
    "secret",
];

/// Words that, right before a bare number, say it is something else (a port, an id, a count).
const ANTI_CUES: &[&str] = &[
    "port", "pid", "line", "ln", "id", "ticket", "case", "incident", "order", "build", "version", "thread", "process",
    "count", "size", "row", "rows", "issue", "pr", "commit", "job", "run", "step", "page", "tenant",
];
/// Words that, right after a bare number, make it a quantity.
const UNITS: &[&str] = &[
    "ms", "s", "sec", "secs", "seconds", "minutes", "users", "bytes", "kb", "mb", "gb", "items", "rows", "times",
    "requests", "people", "accounts", "devices", "calls",
];

/// Decodes the layers pasted text arrives in: URL encoding, JSON/C escapes, HTML entities.
pub fn normalise(text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..2 {
        if !PERCENT.is_match(&out) {
            break;
        }
        let plus = out.replace('+', " ");
        out = percent_encoding::percent_decode_str(&plus).decode_utf8_lossy().into_owned();
    }
    let out = ESCAPES.replace_all(&out, " ");
    let out = ESCAPED_QUOTE.replace_all(&out, "\"");
    let out = decode_entities(&decode_entities(&out));
    fold_width(&out)
}

/// Decodes HTML character references: numeric (`&#39;`, `&#x27;`) and the named ones pasted text
/// carries. Anything else, a stray `&` included, is left as it is.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    ENTITY
        .replace_all(text, |c: &regex::Captures| {
            let name = &c[1];
            let decoded = match name.strip_prefix('#') {
                Some(num) => match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                }
                .and_then(char::from_u32)
                .filter(|c| !c.is_control() || c.is_whitespace()),
                None => NAMED_ENTITIES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c),
            };
            decoded.map_or_else(|| c[0].to_string(), String::from)
        })
        .into_owned()
}

/// Full-width forms (`ＡＡＤＳＴＳ５００１１`) and the ideographic space, as their ASCII equivalents.
fn fold_width(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .collect()
}

/// The words of a query worth scoring: decoded, with GUIDs, timestamps and ids blanked out, and
/// a Latin word glued to Japanese or Chinese text set apart (`MFAが通らない` → `MFA が通らない`).
pub fn text_for_search(text: &str) -> String {
    space_between_scripts(&mask(&normalise(text)))
}

/// True for the scripts written without spaces between words (Han, kana, Hangul, Thai).
pub(crate) fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0E7F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
}

/// `text` with a space wherever a letter or digit of a spaced script meets one of an unspaced one.
fn space_between_scripts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if let Some(p) = prev
            && p.is_alphanumeric()
            && c.is_alphanumeric()
            && unspaced_script(p) != unspaced_script(c)
        {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Blanks out GUIDs, timestamps, IPs, versions and hex ids so no code is read inside them.
fn mask(text: &str) -> String {
    let mut out = text.to_string();
    for re in MASKS.iter() {
        out = re.replace_all(&out, |c: &regex::Captures| " ".repeat(c[0].len())).into_owned();
    }
    out
}

/// Every code in `text`, deduplicated, in order of appearance.
pub fn extract(text: &str, vocab: &Vocabulary) -> Vec<Detected> {
    extract_normalised(&normalise(text), vocab)
}

/// [`extract`] on text that has already been through [`normalise`].
pub fn extract_normalised(normal: &str, vocab: &Vocabulary) -> Vec<Detected> {
    let masked = mask(normal);
    let mut found = Vec::new();
    for m in PREFIXED.captures_iter(&masked) {
        let digits = &m[1];
        if (3..=9).contains(&digits.len()) {
            found.push(Detected {
                code: Code::aadsts(digits),
                prefixed: true,
                at: m.get(0).unwrap().start(),
                quiet: false,
            });
        }
    }
    for m in NEAR_PREFIXED.captures_iter(&masked) {
        let letters: String = m[1].chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_lowercase();
        if letters == "aadsts" || crate::search::one_edit_apart(&letters, "aadsts") {
            found.push(Detected {
                code: Code::aadsts(&m[2]),
                prefixed: true,
                at: m.get(0).unwrap().start(),
                quiet: false,
            });
        }
    }
    for m in KEYED.captures_iter(&masked) {
        let list = m.get(1).unwrap();
        for d in DIGITS.find_iter(list.as_str()) {
            if (4..=9).contains(&d.as_str().len()) {
                found.push(Detected {
                    code: Code::aadsts(d.as_str()),
                    prefixed: true,
                    at: list.start() + d.start(),
                    quiet: false,
                });
            }
        }
    }
    extract_families(&masked, vocab, &mut found);
    extract_bare(&masked, vocab, &mut found);
    found.sort_by_key(|d| d.at);
    for d in &mut found {
        d.quiet = is_quiet_line(&masked, d.at);
    }
    let mut seen = HashSet::new();
    found.retain(|d| seen.insert(d.code.key().to_string()));
    found
}

fn extract_families(masked: &str, vocab: &Vocabulary, found: &mut Vec<Detected>) {
    if let Some(re) = &vocab.family_pattern {
        for m in re.captures_iter(masked) {
            let key = format!("{}{}", m[1].to_ascii_uppercase(), &m[2]);
            if let Some(code) = Code::parse(&format!("{}-{}", &m[1], &m[2])).filter(|_| vocab.knows(&key)) {
                found.push(Detected { code, prefixed: true, at: m.get(0).unwrap().start(), quiet: false });
            }
        }
    }
    if vocab.hex {
        for m in HEX.captures_iter(masked) {
            if let Some(code) = Code::parse(&m[0]) {
                found.push(Detected { code, prefixed: true, at: m.get(0).unwrap().start(), quiet: false });
            }
        }
    }
}

/// Bare numbers count when the query is essentially just the number, or when the number is a
/// known code and the query is short, a cue word (`error`, `#`) precedes it, or the text is about
/// signing in.
fn extract_bare(masked: &str, vocab: &Vocabulary, found: &mut Vec<Detected>) {
    let words: Vec<(usize, String)> = WORDS.find_iter(masked).map(|m| (m.start(), m.as_str().to_lowercase())).collect();
    let numbers: Vec<usize> = (0..words.len()).filter(|&i| is_bare_code(masked, &words[i])).collect();
    let just_number = numbers.len() == 1
        && words.iter().enumerate().all(|(i, (_, w))| i == numbers[0] || FILLER.contains(&w.as_str()));
    let about_sign_in = words.iter().any(|(_, w)| SIGN_IN_WORDS.contains(&w.as_str()));
    let short = words.len() <= 6;
    for &i in &numbers {
        let (at, digits) = &words[i];
        let code = Code::aadsts(digits);
        let prev = if i > 0 { words[i - 1].1.as_str() } else { "" };
        let next = words.get(i + 1).map_or("", |(_, w)| w.as_str());
        if ANTI_CUES.contains(&prev) || UNITS.contains(&next) {
            continue;
        }
        let cued = (CUES.contains(&prev) && prev != "code") || masked[..*at].ends_with('#');
        if just_number || (vocab.knows(code.key()) && (cued || short || about_sign_in)) {
            found.push(Detected { code, prefixed: false, at: *at, quiet: false });
        }
    }
}

/// A standalone 4-9 digit number, not glued to letters, dots, colons, slashes or dashes.
fn is_bare_code(text: &str, (at, word): &(usize, String)) -> bool {
    if !(4..=9).contains(&word.len()) || !word.bytes().all(|b| b.is_ascii_digit()) || word.starts_with('0') {
        return false;
    }
    let glued =
        |c: char| c.is_alphanumeric() || matches!(c, '.' | ':' | '/' | '-' | '_' | '\\' | '=' | '+' | '%' | '@');
    let before = text[..*at].chars().next_back();
    let after = text[at + word.len()..].chars().next();
    before.is_none_or(|c| !glued(c))
        && after.is_none_or(|c| !glued(c) || matches!(c, '.' | ':') && is_sentence_end(text, at + word.len()))
}

/// A `.` or `:` after a number that ends a sentence or a label, not one inside a dotted token.
fn is_sentence_end(text: &str, after: usize) -> bool {
    text[after + 1..].chars().next().is_none_or(char::is_whitespace)
}

/// True when the line holding `at` carries a low log level.
fn is_quiet_line(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    QUIET.is_match(&text[start..end])
}
