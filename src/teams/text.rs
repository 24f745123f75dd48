//! Teams-safe text for Adaptive Cards: the markdown subset Teams renders (bold, links, flat
//! lists with `\r` separators) built from guide spans, and neutralisation of anything else.
//!
//! Owns the escaping rules. Teams renders no headings, tables, code blocks, block quotes or HTML
//! in a `TextBlock`, so literal text never starts a line with `#`, `>`, `-` or `1.`, never holds
//! `<`/`>` (no tags or `<at>` mentions), `*`, backticks or `](`. Text typed by a user is never
//! put in a markdown `TextBlock` at all: it goes in a `TextRun`, which Teams does not parse.
//! Knows nothing of answers, HTTP or the card layout.

use crate::kb::{Item, Span};

/// Longest piece of guide text kept in one card element (characters).
pub const MAX_TEXT_CHARS: usize = 600;

/// Literal text made inert for a markdown `TextBlock`: one line, no markup characters.
pub fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            '<' => out.push('\u{2039}'),
            '>' => out.push('\u{203a}'),
            '*' => out.push('\u{2217}'),
            '`' => out.push('\''),
            '|' => out.push('\u{2223}'),
            '\\' => out.push('\u{29f5}'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let out = out.replace("](", "] (").replace("__", "_\u{200b}_");
    guard_line_start(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A text that would open a heading, quote, list or rule gets a leading zero-width space.
fn guard_line_start(text: String) -> String {
    let first = text.chars().next();
    let numbered = {
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && matches!(text[digits..].chars().next(), Some('.') | Some(')'))
    };
    if numbered || matches!(first, Some('#' | '-' | '+' | '=' | '~' | '_')) { format!("\u{200b}{text}") } else { text }
}

/// Plain-text user input for a `TextRun` (no markdown is parsed there): control characters
/// dropped, whitespace collapsed, cut to `max` characters.
pub fn user_text(text: &str, max: usize) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cut(&flat.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// Cuts to at most `max` characters on a character boundary, ending with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('\u{2026}');
    out
}

/// Guide spans as Teams markdown: bold kept, links kept when they are http(s), the rest literal.
pub fn markdown(spans: &[Span]) -> String {
    let mut out = String::new();
    for span in spans {
        match span {
            Span::Text { text } | Span::Emphasis { text } => out.push_str(&neutralise_inline(text)),
            Span::Code { text } => out.push_str(&neutralise_inline(text)),
            Span::Strong { text } => bold(&mut out, text),
            Span::Link { text, url } => link(&mut out, text, url),
        }
    }
    guard_line_start(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn neutralise_inline(text: &str) -> String {
    // Keep the spaces at the edges: spans are concatenated.
    let lead = if text.starts_with(char::is_whitespace) { " " } else { "" };
    let trail = if text.ends_with(char::is_whitespace) && !text.trim().is_empty() { " " } else { "" };
    let core = neutralise(text);
    let core = core.trim_start_matches('\u{200b}');
    format!("{lead}{core}{trail}")
}

fn bold(out: &mut String, text: &str) {
    let inner = neutralise(text);
    let inner = inner.trim_start_matches('\u{200b}').trim();
    if !inner.is_empty() {
        out.push_str(&format!("**{inner}**"));
    }
}

fn link(out: &mut String, text: &str, url: &str) {
    let label = neutralise(text).replace(['[', ']'], "");
    let label = label.trim_start_matches('\u{200b}').trim();
    match safe_url(url) {
        Some(url) => out.push_str(&format!("[{}]({url})", if label.is_empty() { url.as_str() } else { label })),
        None => out.push_str(label),
    }
}

/// An http(s) URL with the characters that would end a markdown link percent-encoded.
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return None;
    }
    Some(parsed.as_str().replace('(', "%28").replace(')', "%29").replace(' ', "%20"))
}

/// One list item as Teams markdown: its own text, then up to `max_children` nested items as
/// `- ` lines (Teams renders no nested lists, so they follow flat).
pub fn step(item: &Item, max_children: usize) -> String {
    let mut text = cut(&markdown(&item.spans), MAX_TEXT_CHARS).trim_start_matches('\u{200b}').to_string();
    for child in item.children.iter().take(max_children) {
        let line = cut(&markdown(&child.spans), MAX_TEXT_CHARS / 2);
        let line = line.trim_start_matches('\u{200b}');
        if !line.is_empty() {
            text.push_str("\r- ");
            text.push_str(line);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_made_inert() {
        let t = neutralise("# Title <script>x</script> **b** `c` [a](javascript:x) | t |");
        assert!(!t.contains('<') && !t.contains('>') && !t.contains("**") && !t.contains('`'));
        assert!(!t.contains("](") && !t.contains('|'));
        assert!(t.starts_with('\u{200b}'));
    }

    #[test]
    fn a_numbered_or_bulleted_start_is_guarded() {
        assert!(neutralise("1. not a list").starts_with('\u{200b}'));
        assert!(neutralise("- not a bullet").starts_with('\u{200b}'));
        assert_eq!(neutralise("AADSTS50011 fails"), "AADSTS50011 fails");
    }

    #[test]
    fn links_keep_only_http_urls() {
        let spans = vec![
            Span::Link { text: "docs".into(), url: "https://learn.microsoft.com/a_(b)".into() },
            Span::Text { text: " and ".into() },
            Span::Link { text: "evil".into(), url: "javascript:alert(1)".into() },
        ];
        assert_eq!(markdown(&spans), "[docs](https://learn.microsoft.com/a_%28b%29) and evil");
    }

    #[test]
    fn cutting_respects_character_boundaries() {
        assert_eq!(cut("ééééé", 3), "éé\u{2026}");
        assert_eq!(user_text("a\u{0}\n  b", 10), "a b");
    }
}
