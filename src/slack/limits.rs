//! Slack's Block Kit limits, as ONE rule walk used two ways: [`check`] lists every violation (for
//! tests), [`fit`] repairs them (applied to every outgoing message and view, by the Web API client
//! and the acks). Repairs never reject: long text is cut on a safe boundary with a link to the
//! full guide, extra blocks make way for a "read the full guide" notice, extra elements are dropped.
//!
//! Owns the numbers (research/slack.md §2.5). Knows JSON Block Kit only, not answers or guides.

use serde_json::Value;

/// Blocks in a message.
pub const MESSAGE_BLOCKS: usize = 50;
/// Blocks in a modal or the Home tab.
pub const VIEW_BLOCKS: usize = 100;
pub const SECTION_TEXT: usize = 3000;
pub const SECTION_FIELDS: usize = 10;
pub const FIELD_TEXT: usize = 2000;
pub const HEADER_TEXT: usize = 150;
pub const BUTTON_TEXT: usize = 75;
pub const ACTIONS_ELEMENTS: usize = 25;
pub const CONTEXT_ELEMENTS: usize = 10;
pub const URL: usize = 3000;
pub const BUTTON_VALUE: usize = 2000;
pub const ID: usize = 255;
pub const MARKDOWN_TEXT: usize = 12_000;
pub const MESSAGE_TEXT: usize = 40_000;
pub const VIEW_TITLE: usize = 24;
pub const PRIVATE_METADATA: usize = 3000;

/// Where the blocks go: a message allows 50, a modal or Home tab 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Message,
    View,
}

/// One broken limit, with a JSON-pointer-like path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub actual: usize,
    pub max: usize,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} > {}", self.path, self.actual, self.max)
    }
}

/// How a too-long string is repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// mrkdwn: cut on a line or word, never inside `<...>` or an `&...;` entity, then a link.
    Mrkdwn,
    /// plain_text, ids and values: cut with an ellipsis (ids and values without).
    Plain,
    Bare,
    /// A URL cannot be cut: it is replaced by the full guide's URL.
    Url,
}

trait Visitor {
    fn text(&mut self, path: &str, s: &mut String, max: usize, kind: Kind);
    fn list(&mut self, path: &str, list: &mut Vec<Value>, max: usize);
}

/// Every broken limit in a message (`{"text", "blocks"}`) or view (`{"type", "blocks", ...}`).
pub fn check(payload: &Value, surface: Surface) -> Vec<Violation> {
    struct Recorder(Vec<Violation>);
    impl Visitor for Recorder {
        fn text(&mut self, path: &str, s: &mut String, max: usize, _: Kind) {
            let actual = s.chars().count();
            if actual > max {
                self.0.push(Violation { path: path.to_string(), actual, max });
            }
        }
        fn list(&mut self, path: &str, list: &mut Vec<Value>, max: usize) {
            if list.len() > max {
                self.0.push(Violation { path: path.to_string(), actual: list.len(), max });
            }
        }
    }
    let mut copy = payload.clone();
    let mut recorder = Recorder(Vec::new());
    walk(&mut copy, surface, &mut recorder);
    recorder.0
}

/// Repairs every broken limit in place. `full_url` is where the whole text can be read.
pub fn fit(payload: &mut Value, surface: Surface, full_url: &str) {
    struct Fixer<'a>(&'a str);
    impl Visitor for Fixer<'_> {
        fn text(&mut self, _: &str, s: &mut String, max: usize, kind: Kind) {
            if s.chars().count() > max {
                *s = repair(s, max, kind, self.0);
            }
        }
        fn list(&mut self, _: &str, list: &mut Vec<Value>, max: usize) {
            list.truncate(max);
        }
    }
    let max = match surface {
        Surface::Message => MESSAGE_BLOCKS,
        Surface::View => VIEW_BLOCKS,
    };
    if let Some(blocks) = payload.get_mut("blocks").and_then(Value::as_array_mut) {
        trim_blocks(blocks, max, full_url);
    }
    walk(payload, surface, &mut Fixer(full_url));
}

fn repair(s: &str, max: usize, kind: Kind, full_url: &str) -> String {
    match kind {
        Kind::Mrkdwn => {
            let more = crate::slack::escape::link(full_url, "Read the full guide");
            let suffix = format!("\n… {more}");
            let budget = max.saturating_sub(suffix.chars().count());
            if budget == 0 {
                return cut_plain(s, max, "");
            }
            format!("{}{suffix}", cut_mrkdwn(s, budget))
        }
        Kind::Plain => cut_plain(s, max, "…"),
        Kind::Bare => cut_plain(s, max, ""),
        Kind::Url if full_url.chars().count() <= max => full_url.to_string(),
        Kind::Url => String::new(),
    }
}

/// Too many blocks: keep a trailing actions block (feedback), make room for a notice.
fn trim_blocks(blocks: &mut Vec<Value>, max: usize, full_url: &str) {
    if blocks.len() <= max {
        return;
    }
    let tail = match blocks.last() {
        Some(b) if b.get("type").and_then(Value::as_str) == Some("actions") => blocks.pop(),
        _ => None,
    };
    let room = max - 1 - usize::from(tail.is_some());
    blocks.truncate(room);
    let link = crate::slack::escape::link(full_url, "read the full guide");
    let text = format!("_This answer is longer than Slack allows: {link}._");
    blocks.push(serde_json::json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
    blocks.extend(tail);
}

/// The first `max` characters, ending with `ellipsis` when cut.
pub fn cut_plain(s: &str, max: usize, ellipsis: &str) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(ellipsis.chars().count());
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(ellipsis);
    out
}

/// At most `max` characters of mrkdwn, cut at a line (or space) near the end, never inside a
/// `<...>` sequence, an `&...;` entity or an open code fence.
pub fn cut_mrkdwn(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() == s.len() {
        return out;
    }
    if let Some(open) = out.rfind('<')
        && out[open..].find('>').is_none()
    {
        out.truncate(open);
    }
    if let Some(amp) = out.rfind('&')
        && !out[amp..].contains(';')
    {
        out.truncate(amp);
    }
    let floor = out.len() * 2 / 3;
    if let Some(nl) = out.rfind('\n').filter(|&i| i >= floor) {
        out.truncate(nl);
    } else if let Some(sp) = out.rfind(' ').filter(|&i| i >= floor) {
        out.truncate(sp);
    }
    if out.matches("```").count() % 2 == 1 {
        out.push_str("\n```");
        if out.chars().count() > max {
            return cut_plain(&out.replace("```", "'''"), max, "");
        }
    }
    out.trim_end().to_string()
}

fn walk(payload: &mut Value, surface: Surface, v: &mut dyn Visitor) {
    str_at(payload, "text", "/text", MESSAGE_TEXT, Kind::Plain, v);
    if surface == Surface::View {
        for key in ["title", "submit", "close"] {
            if let Some(obj) = payload.get_mut(key) {
                str_at(obj, "text", &format!("/{key}/text"), VIEW_TITLE, Kind::Plain, v);
            }
        }
        str_at(payload, "private_metadata", "/private_metadata", PRIVATE_METADATA, Kind::Bare, v);
    }
    let max = if surface == Surface::Message { MESSAGE_BLOCKS } else { VIEW_BLOCKS };
    let Some(blocks) = payload.get_mut("blocks").and_then(Value::as_array_mut) else { return };
    v.list("/blocks", blocks, max);
    for (i, block) in blocks.iter_mut().enumerate() {
        walk_block(block, &format!("/blocks/{i}"), v);
    }
}

fn walk_block(block: &mut Value, path: &str, v: &mut dyn Visitor) {
    str_at(block, "block_id", &format!("{path}/block_id"), ID, Kind::Bare, v);
    let kind = block.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    match kind.as_str() {
        "header" => text_obj(block, "text", &format!("{path}/text"), HEADER_TEXT, v),
        "section" => {
            text_obj(block, "text", &format!("{path}/text"), SECTION_TEXT, v);
            if let Some(fields) = block.get_mut("fields").and_then(Value::as_array_mut) {
                v.list(&format!("{path}/fields"), fields, SECTION_FIELDS);
                for (i, field) in fields.iter_mut().enumerate() {
                    str_at(field, "text", &format!("{path}/fields/{i}/text"), FIELD_TEXT, kind_of(field), v);
                }
            }
            if let Some(accessory) = block.get_mut("accessory") {
                walk_element(accessory, &format!("{path}/accessory"), v);
            }
        }
        "markdown" => str_at(block, "text", &format!("{path}/text"), MARKDOWN_TEXT, Kind::Bare, v),
        "actions" | "context" => {
            let max = if kind == "actions" { ACTIONS_ELEMENTS } else { CONTEXT_ELEMENTS };
            if let Some(elements) = block.get_mut("elements").and_then(Value::as_array_mut) {
                v.list(&format!("{path}/elements"), elements, max);
                for (i, element) in elements.iter_mut().enumerate() {
                    walk_element(element, &format!("{path}/elements/{i}"), v);
                }
            }
        }
        _ => {}
    }
}

fn walk_element(element: &mut Value, path: &str, v: &mut dyn Visitor) {
    let is_button = element.get("type").and_then(Value::as_str) == Some("button");
    if is_button {
        text_obj(element, "text", &format!("{path}/text"), BUTTON_TEXT, v);
    } else if element.get("text").is_some_and(Value::is_string) {
        let kind = kind_of(element);
        str_at(element, "text", &format!("{path}/text"), SECTION_TEXT, kind, v);
    }
    str_at(element, "action_id", &format!("{path}/action_id"), ID, Kind::Bare, v);
    str_at(element, "url", &format!("{path}/url"), URL, Kind::Url, v);
    str_at(element, "value", &format!("{path}/value"), BUTTON_VALUE, Kind::Bare, v);
}

/// A text object (`{"type": "mrkdwn"|"plain_text", "text": ...}`) under `key`.
fn text_obj(parent: &mut Value, key: &str, path: &str, max: usize, v: &mut dyn Visitor) {
    if let Some(obj) = parent.get_mut(key) {
        let kind = kind_of(obj);
        str_at(obj, "text", &format!("{path}/text"), max, kind, v);
    }
}

fn kind_of(text_object: &Value) -> Kind {
    match text_object.get("type").and_then(Value::as_str) {
        Some("mrkdwn") => Kind::Mrkdwn,
        _ => Kind::Plain,
    }
}

fn str_at(parent: &mut Value, key: &str, path: &str, max: usize, kind: Kind, v: &mut dyn Visitor) {
    if let Some(Value::String(s)) = parent.get_mut(key) {
        v.text(path, s, max, kind);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn long(n: usize) -> String {
        "word ".repeat(n / 5 + 1)
    }

    #[test]
    fn a_message_within_limits_has_no_violations_and_is_left_alone() {
        let mut msg = json!({"text": "hi", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}]});
        let before = msg.clone();
        assert!(check(&msg, Surface::Message).is_empty());
        fit(&mut msg, Surface::Message, "https://kb.example/guides/X1");
        assert_eq!(msg, before);
    }

    #[test]
    fn every_kind_of_overflow_is_reported_then_repaired() {
        let button = json!({"type": "button", "text": {"type": "plain_text", "text": long(80)},
            "action_id": "a".repeat(300), "value": "v".repeat(2100), "url": format!("https://x.example/{}", "p".repeat(3100))});
        let mut msg = json!({"text": long(41_000), "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": long(200)}},
            {"type": "section", "block_id": "b".repeat(256), "text": {"type": "mrkdwn", "text": long(3500)}},
            {"type": "actions", "elements": vec![button; 26]},
            {"type": "context", "elements": vec![json!({"type": "mrkdwn", "text": "c"}); 11]},
        ]});
        let found: Vec<String> = check(&msg, Surface::Message).iter().map(|v| v.path.clone()).collect();
        for path in [
            "/text",
            "/blocks/0/text/text",
            "/blocks/1/block_id",
            "/blocks/1/text/text",
            "/blocks/2/elements",
            "/blocks/2/elements/0/text/text",
            "/blocks/2/elements/0/action_id",
            "/blocks/2/elements/0/url",
            "/blocks/2/elements/0/value",
            "/blocks/3/elements",
        ] {
            assert!(found.iter().any(|p| p == path), "{path} not in {found:?}");
        }
        fit(&mut msg, Surface::Message, "https://kb.example/guides/X1");
        assert_eq!(check(&msg, Surface::Message), vec![]);
        assert_eq!(msg["blocks"][2]["elements"][0]["url"], "https://kb.example/guides/X1");
        let section = msg["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(section.ends_with("<https://kb.example/guides/X1|Read the full guide>"), "{section}");
    }

    #[test]
    fn too_many_blocks_keep_the_closing_actions_and_point_to_the_full_guide() {
        let mut blocks: Vec<Value> =
            (0..70).map(|i| json!({"type": "section", "text": {"type": "mrkdwn", "text": i.to_string()}})).collect();
        blocks.push(json!({"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "ok"}, "action_id": "x"}]}));
        let mut msg = json!({"text": "t", "blocks": blocks});
        assert_eq!(check(&msg, Surface::Message).len(), 1);
        fit(&mut msg, Surface::Message, "https://kb.example/g");
        let blocks = msg["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), MESSAGE_BLOCKS);
        assert_eq!(blocks[49]["type"], "actions");
        assert!(blocks[48]["text"]["text"].as_str().unwrap().contains("<https://kb.example/g|read the full guide>"));
        let mut view = json!({"type": "home", "blocks": vec![json!({"type": "divider"}); 100]});
        assert!(check(&view, Surface::View).is_empty());
        fit(&mut view, Surface::View, "https://kb.example/g");
        assert_eq!(view["blocks"].as_array().unwrap().len(), 100);
    }

    #[test]
    fn mrkdwn_is_never_cut_inside_a_link_an_entity_or_a_code_fence() {
        let text = format!("{}<https://example.com/very/long|label> tail", "a".repeat(20));
        assert_eq!(cut_mrkdwn(&text, 30), "a".repeat(20));
        assert_eq!(cut_mrkdwn("abc &amp; def", 7), "abc");
        let fenced = cut_mrkdwn("intro\n```line one\nline two\nline three```", 30);
        assert_eq!(fenced.matches("```").count() % 2, 0, "{fenced}");
        assert!(fenced.chars().count() <= 30);
    }

    proptest::proptest! {
        #[test]
        fn any_text_anywhere_is_fitted_without_a_panic(text in "\\PC{0,5000}", n in 0usize..80) {
            let button = json!({"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": text, "value": text});
            let section = json!({"type": "section", "text": {"type": "mrkdwn", "text": text.repeat(3)}});
            let mut blocks = vec![section; n];
            blocks.push(json!({"type": "actions", "elements": vec![button; 30]}));
            let mut msg = json!({"text": text, "blocks": blocks});
            fit(&mut msg, Surface::Message, "https://kb.example/guides/X1");
            proptest::prop_assert!(check(&msg, Surface::Message).is_empty());
        }
    }

    #[test]
    fn plain_text_is_cut_by_characters_not_bytes() {
        assert_eq!(cut_plain("ééééé", 3, "…"), "éé…");
        assert_eq!(cut_plain("short", 10, "…"), "short");
    }
}
