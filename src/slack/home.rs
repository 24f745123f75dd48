//! The App Home tab: how to use errkb and this week's most-asked codes, published with
//! views.publish when a user opens the tab.
//!
//! Owns the Home view's layout (a `home` view, pure JSON). Knows nothing of HTTP; the counts come
//! from the store's admin statistics.

use serde_json::{Value, json};

use super::blocks::{guide_url, help};
use super::escape::{escape, link};

/// The Home view for the given top codes (code, times asked this week).
pub fn view(public_url: &str, command: &str, top: &[(String, i64)]) -> Value {
    let mut blocks =
        vec![json!({"type": "header", "text": {"type": "plain_text", "text": "errkb: sign-in error answers"}})];
    blocks.extend(help(command).blocks);
    blocks.push(json!({"type": "divider"}));
    let lines: Vec<String> = top
        .iter()
        .enumerate()
        .map(|(i, (code, n))| format!("{}. {} ({n}×)", i + 1, link(&guide_url(public_url, code), &escape(code))))
        .collect();
    let list = if lines.is_empty() { "Nobody has asked anything yet this week.".to_string() } else { lines.join("\n") };
    blocks.push(
        json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Most asked this week*\n{list}")}}),
    );
    let search = link(public_url, "Search every guide on the web");
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": search}]}));
    json!({"type": "home", "blocks": blocks})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_view_lists_the_top_codes_with_links_to_their_guides() {
        let v = view("https://kb.example", "/aadsts", &[("AADSTS50011".into(), 7), ("AADSTS7000215".into(), 3)]);
        let text = v.to_string();
        assert!(text.contains("1. <https://kb.example/guides/AADSTS50011|AADSTS50011> (7×)"), "{text}");
        assert!(crate::slack::limits::check(&v, crate::slack::limits::Surface::View).is_empty());
        assert!(view("https://kb.example", "/aadsts", &[]).to_string().contains("Nobody has asked"));
    }
}
