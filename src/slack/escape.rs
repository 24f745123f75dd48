//! Slack text safety: the three mrkdwn control characters (`&`, `<`, `>`) escaped in every piece
//! of user or knowledge-base text, guide spans turned into mrkdwn, and the few control sequences
//! errkb itself writes (links, user mentions) built only from checked parts.
//!
//! Owns what may reach a Slack mrkdwn field or a message's `text`. Knows nothing of Block Kit
//! layout or HTTP. Because every `<` a user or a guide writes becomes `&lt;`, `<!channel>` in a
//! query can never ping. (plain_text objects are shown verbatim, with nothing parsed.)

use crate::kb::Span;

/// Escapes `&`, `<` and `>` (and only those, as Slack asks).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A link label: escaped, without the characters that would end or restyle the link.
pub fn link_label(text: &str) -> String {
    let cleaned: String =
        text.chars().map(|c| if matches!(c, '|' | '*' | '_' | '`' | '~' | '\n') { ' ' } else { c }).collect();
    escape(cleaned.split_whitespace().collect::<Vec<_>>().join(" ").as_str())
}

/// An `http(s)` URL fit to sit inside `<...|...>`; `None` for other schemes.
pub fn link_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            c if c.is_whitespace() || c.is_control() => out.push_str("%20"),
            c => out.push(c),
        }
    }
    Some(out)
}

/// `<url|label>`, or the escaped label alone when the URL is not http(s).
pub fn link(url: &str, label: &str) -> String {
    let label = link_label(label);
    match link_url(url) {
        Some(url) if label.is_empty() => format!("<{url}>"),
        Some(url) => format!("<{url}|{label}>"),
        None => label,
    }
}

/// `<@U123>` for a well-formed Slack user id, else `None` (never echo an unchecked id).
pub fn user_mention(user_id: &str) -> Option<String> {
    let ok = !user_id.is_empty()
        && user_id.len() <= 32
        && user_id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    ok.then(|| format!("<@{user_id}>"))
}

/// Guide spans as mrkdwn: bold, italics, code and links kept, all text escaped.
pub fn mrkdwn(spans: &[Span]) -> String {
    let mut out = String::new();
    for span in spans {
        match span {
            Span::Text { text } => out.push_str(&escape(text)),
            Span::Strong { text } => wrap(&mut out, text, '*'),
            Span::Emphasis { text } => wrap(&mut out, text, '_'),
            Span::Code { text } => wrap(&mut out, &text.replace('`', "'"), '`'),
            Span::Link { text, url } => out.push_str(&link(url, text)),
        }
    }
    out.trim().to_string()
}

/// `*text*` keeping the spaces around the text outside the markers (Slack needs that).
fn wrap(out: &mut String, text: &str, marker: char) {
    let inner = text.trim();
    if inner.is_empty() {
        out.push_str(text);
        return;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    out.push_str(lead);
    out.push(marker);
    out.push_str(&escape(inner));
    out.push(marker);
    out.push_str(trail);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_control_characters_are_escaped_and_nothing_else() {
        assert_eq!(escape("a & b <c> \"d\" 'e'"), "a &amp; b &lt;c&gt; \"d\" 'e'");
    }

    #[test]
    fn a_channel_ping_in_user_text_cannot_survive_escaping() {
        let out = escape("help <!channel> <!here> <@U123> <https://evil.example|click>");
        assert!(!out.contains('<') && !out.contains('>'), "{out}");
    }

    #[test]
    fn links_keep_http_urls_and_drop_other_schemes() {
        assert_eq!(link("https://x.example/a?b=1&c=2", "Docs | more"), "<https://x.example/a?b=1&amp;c=2|Docs more>");
        assert_eq!(link("javascript:alert(1)", "x<y"), "x&lt;y");
        assert_eq!(link("https://x.example/<!channel>", "a"), "<https://x.example/%3C!channel%3E|a>");
    }

    #[test]
    fn only_well_formed_user_ids_become_mentions() {
        assert_eq!(user_mention("U024BE7LH").as_deref(), Some("<@U024BE7LH>"));
        assert_eq!(user_mention("U1> <!channel"), None);
        assert_eq!(user_mention(""), None);
    }

    #[test]
    fn spans_become_mrkdwn_with_escaped_text() {
        let spans = vec![
            Span::Strong { text: "Check <it>".into() },
            Span::Text { text: ": run ".into() },
            Span::Code { text: "az `x` & y".into() },
            Span::Link { text: "Docs".into(), url: "https://learn.microsoft.com/a".into() },
        ];
        assert_eq!(mrkdwn(&spans), "*Check &lt;it&gt;*: run `az 'x' &amp; y`<https://learn.microsoft.com/a|Docs>");
    }
}
