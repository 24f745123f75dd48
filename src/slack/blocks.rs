//! Block Kit rendering of an [`Answer`]: pure functions from the platform-neutral answer to a
//! [`Message`] (`text` fallback plus `blocks`), already passed through [`limits::fit`]. What
//! belongs to one request rather than to the answer's shape (the question echoed back, who
//! shared it) comes in as an [`Echo`], so [`rendered`](super::rendered) can cache the rest.
//!
//! Owns the layout of a Slack answer (header, causes, numbered steps with "Show all steps",
//! doc-link, full-guide and official-lookup buttons, "Did you mean" choices, Helpful / Not
//! helpful, Share) and the action ids the interaction handler routes on. Knows nothing of HTTP,
//! the store or who asked. Every piece of mrkdwn and the `text` fallback go through [`escape`];
//! plain_text (headers, button labels) is shown verbatim by Slack and is left as written.

use serde_json::{Value, json};

use super::escape::{escape, link, mrkdwn, user_mention};
use super::limits::{self, Surface, cut_plain};
use crate::answer::{Answer, Hit, Match, Outcome, Reason};
use crate::http::go::go_url;
use crate::kb::{Guide, Item, SectionKind, Span};

pub const SHARE: &str = "share";
pub const HELPFUL: &str = "feedback_helpful";
pub const NOT_HELPFUL: &str = "feedback_not_helpful";
pub const SHOW_ALL_STEPS: &str = "show_all_steps";
/// Prefix of the "Did you mean" buttons (`did_you_mean:0`, ...); the value is the code.
pub const DID_YOU_MEAN: &str = "did_you_mean";
/// Prefix of the doc-link URL buttons (`doc_link:0`, ...); the value is the code.
pub const DOC_LINK: &str = "doc_link";
pub const FULL_GUIDE: &str = "full_guide";
pub const OFFICIAL_LOOKUP: &str = "official_lookup";
/// "Run live check": a private one-time link to errkb's `/probe` page; the value is the code.
pub const PROBE_LINK: &str = "probe_link";
/// "Quick check": opens the quick-check modal; the value is the code.
pub const PROBE_QUICK: &str = "probe_quick";

/// Steps shown before "Show all steps".
pub const PREVIEW_STEPS: usize = 3;
const MAX_CAUSES: usize = 6;
const MAX_DOC_LINKS: usize = 5;
/// The share button carries the question in its value (Slack allows 2,000 characters).
pub const SHARE_VALUE_CHARS: usize = 1_900;

/// A Slack message body: `text` (notifications, screen readers) and `blocks`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Value>,
}

impl Message {
    /// `{"text": ..., "blocks": [...]}`, ready to extend with `channel`, `response_type`, ...
    pub fn to_json(&self) -> Value {
        self.clone().into_json()
    }

    /// Like [`Message::to_json`], without copying the blocks.
    pub fn into_json(self) -> Value {
        let mut body = serde_json::Map::new();
        body.insert("text".into(), Value::String(self.text));
        body.insert("blocks".into(), Value::Array(self.blocks));
        Value::Object(body)
    }

    /// The `text` and `blocks` of a message body (others fields are dropped).
    pub fn from_json(mut value: Value) -> Message {
        let text = match value.get_mut("text").map(Value::take) {
            Some(Value::String(text)) => text,
            _ => String::new(),
        };
        let blocks = match value.get_mut("blocks").map(Value::take) {
            Some(Value::Array(blocks)) => blocks,
            _ => Vec::new(),
        };
        Message { text, blocks }
    }

    /// Applies Slack's limits, with `full_url` as the "read more" target.
    pub fn fitted(self, full_url: &str) -> Message {
        let mut value = self.into_json();
        limits::fit(&mut value, Surface::Message, full_url);
        Message::from_json(value)
    }
}

/// The parts of a rendered answer that belong to one request, not to the answer's shape: the
/// question echoed back and who shared the answer, each already escaped and cut as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// The question as "Best match for: _…_" and "Several guides match _…_" show it.
    pub question: String,
    /// The question as the Share button carries it (its value).
    pub share_value: String,
    /// `<@U…>` of the user who shared the answer (only a well-formed id).
    pub shared_by: Option<String>,
}

/// Characters of the question echoed back (before escaping).
pub const ECHO_CHARS: usize = 200;

impl Echo {
    /// The parts `answer` and `r` give.
    pub fn of(answer: &Answer, r: &Render) -> Echo {
        Echo {
            question: escape(&cut_plain(&answer.query, ECHO_CHARS, "…")),
            share_value: cut_plain(&answer.query, SHARE_VALUE_CHARS, ""),
            shared_by: r.shared_by.and_then(user_mention),
        }
    }
}

/// How to render: where the guide pages live and which controls to offer.
#[derive(Debug, Clone, Copy)]
pub struct Render<'a> {
    /// errkb's public URL without a trailing slash.
    pub public_url: &'a str,
    /// Every resolution step instead of the first [`PREVIEW_STEPS`].
    pub all_steps: bool,
    /// Offer "Share in channel" (the answer is ephemeral).
    pub shareable: bool,
    /// The Slack user who shared the answer into the channel.
    pub shared_by: Option<&'a str>,
    /// Offer "Run live check" and "Quick check" (the live probe is on).
    pub probe: bool,
}

impl<'a> Render<'a> {
    pub fn new(public_url: &'a str) -> Render<'a> {
        Render { public_url, all_steps: false, shareable: false, shared_by: None, probe: false }
    }
}

/// The guide page served by errkb.
pub fn guide_url(public_url: &str, code: &str) -> String {
    format!("{}/guides/{}", public_url.trim_end_matches('/'), code)
}

/// The whole answer as a Slack message.
pub fn answer(answer: &Answer, r: &Render) -> Message {
    let (message, full_url) = layout(answer, r, &Echo::of(answer, r));
    message.fitted(&full_url)
}

/// The answer's message before [`Message::fitted`], with `echo` in place of the request's own
/// parts, and the URL a cut text links to ("read the full guide").
pub fn layout(answer: &Answer, r: &Render, echo: &Echo) -> (Message, String) {
    match &answer.outcome {
        Outcome::Found { best, alternatives } => {
            (found(answer, best, alternatives, r, echo), guide_url(r.public_url, best.guide.code.as_str()))
        }
        Outcome::Ambiguous { candidates } => (ambiguous(answer, candidates, r, echo), r.public_url.to_string()),
        Outcome::NotFound { .. } => (not_found(answer, r, echo), r.public_url.to_string()),
    }
}

/// Usage, for `help`, an empty command and the App Home tab.
pub fn help(command: &str) -> Message {
    let text = format!(
        "*How to use errkb*\n• `{cmd} 7000215` or `{cmd} AADSTS50011`: the guide for a code, only you see it\n\
         • `{cmd}` followed by any pasted error, log line or JSON token response: the codes are found in it\n\
         • `@errkb` and the error in a channel: the answer goes to the thread\n\
         • a direct message to errkb works the same\n\
         • *Explain this error* in any message's ⋮ menu: a private answer\n\
         • `{cmd} settings` in a channel (for its admins): answer pasted errors automatically, who *Still stuck* calls in",
        cmd = escape(command)
    );
    Message { text: "How to use errkb".into(), blocks: vec![section(&text)] }
}

/// A one-paragraph reply (apologies, notices); `text` is escaped here.
pub fn notice(text: &str) -> Message {
    let escaped = escape(text);
    Message { text: escaped.clone(), blocks: vec![section(&escaped)] }
}

fn found(answer: &Answer, best: &Hit, alternatives: &[Hit], r: &Render, echo: &Echo) -> Message {
    let g = &best.guide;
    let mut blocks = vec![header(&g.title())];
    if g.title().chars().count() > limits::HEADER_TEXT {
        blocks.push(section(&format!("*{}*", escape(&g.meaning))));
    }
    blocks.extend(shared_by(echo));
    blocks.extend(why_this_guide(answer, best, echo));
    blocks.extend(causes(g));
    blocks.extend(steps(g, r.all_steps));
    let mut links = link_buttons(g, r.public_url);
    if let Some(Reason::NumberNotCovered { asked }) = &answer.reason {
        if let Some(url) = asked.lookup_url() {
            let label = format!("Official lookup for {asked}");
            links.insert(1, url_button(&label, OFFICIAL_LOOKUP, asked.as_str(), &url));
        }
    }
    blocks.push(actions(links));
    if !alternatives.is_empty() {
        blocks.push(context("*Also relevant:*"));
        blocks.push(actions(did_you_mean_buttons(alternatives)));
    }
    blocks.push(actions(closing_buttons(answer, Some(g), r, echo)));
    let text = format!(
        "{}. Full guide: {}",
        escape(g.title().trim_end_matches('.')),
        guide_url(r.public_url, g.code.as_str())
    );
    Message { text, blocks }
}

fn shared_by(echo: &Echo) -> Option<Value> {
    let who = echo.shared_by.as_deref()?;
    Some(context(&format!("Shared by {who}")))
}

fn why_this_guide(answer: &Answer, best: &Hit, echo: &Echo) -> Option<Value> {
    match (answer.why(), best.matched) {
        (Some(why), _) => Some(context(&escape(&why))),
        (None, Match::Text) => Some(context(&format!("Best match for: _{}_", echo.question))),
        (None, _) => None,
    }
}

fn causes(g: &Guide) -> Option<Value> {
    let causes = g.section(SectionKind::Causes)?;
    let lines: Vec<String> =
        causes.items().take(MAX_CAUSES).map(|item| format!("• {}", cut_plain(&item_line(item), 240, "…"))).collect();
    (!lines.is_empty()).then(|| section(&format!("*Common causes*\n{}", lines.join("\n"))))
}

fn steps(g: &Guide, all: bool) -> Vec<Value> {
    let steps = g.steps();
    if steps.is_empty() {
        return Vec::new();
    }
    let shown = if all { steps.len() } else { steps.len().min(PREVIEW_STEPS) };
    let mut blocks = vec![section("*Resolution steps*")];
    blocks.extend(steps.iter().take(shown).enumerate().map(|(i, item)| section(&step_text(i + 1, item))));
    if shown < steps.len() {
        let label = format!("Show all {} steps", steps.len());
        blocks.push(actions(vec![button(&label, SHOW_ALL_STEPS, g.code.as_str())]));
    }
    blocks
}

/// `*3. Label*: rest`, then the nested bullets and code blocks.
fn step_text(n: usize, item: &Item) -> String {
    let mut out = match item.label() {
        Some(label) => format!("*{n}. {}*", escape(&label)),
        None => format!("*{n}.*"),
    };
    let rest = item_rest(item);
    if !rest.is_empty() {
        out.push(' ');
        out.push_str(&rest);
    }
    push_code(&mut out, &item.code);
    for child in &item.children {
        push_child(&mut out, child, 0);
    }
    out
}

fn push_child(out: &mut String, item: &Item, depth: usize) {
    let bullet = if depth == 0 { "•" } else { "◦" };
    out.push_str(&format!("\n{}{bullet} {}", "    ".repeat(depth), mrkdwn(&item.spans)));
    push_code(out, &item.code);
    for child in item.children.iter().take(10) {
        push_child(out, child, depth + 1);
    }
}

fn push_code(out: &mut String, code: &[String]) {
    for snippet in code {
        out.push_str(&format!("\n```{}```", escape(snippet.trim_end()).replace("```", "'''")));
    }
}

/// A cause or step line: `*Label*: rest` or the whole item as mrkdwn.
fn item_line(item: &Item) -> String {
    match item.label() {
        Some(label) => {
            let rest = item_rest(item);
            if rest.is_empty() { format!("*{}*", escape(&label)) } else { format!("*{}*: {rest}", escape(&label)) }
        }
        None => mrkdwn(&item.spans),
    }
}

/// The item's spans after its bold label, as mrkdwn, without the leading `:` or dash.
fn item_rest(item: &Item) -> String {
    let spans: &[Span] = match item.label() {
        Some(_) => {
            let first = item.spans.iter().position(|s| !s.text().trim().is_empty()).unwrap_or(0);
            &item.spans[first + 1..]
        }
        None => &item.spans,
    };
    let text = mrkdwn(spans);
    text.trim_start_matches([':', ' ', '-', '\u{2013}']).trim().to_string()
}

fn link_buttons(g: &Guide, public_url: &str) -> Vec<Value> {
    let code = g.code.as_str();
    let mut out = vec![url_button("Full guide", FULL_GUIDE, code, &guide_url(public_url, code))];
    let lookup = g.lookup_url();
    if let Some(url) = &lookup {
        out.push(url_button("Official lookup", OFFICIAL_LOOKUP, code, url));
    }
    // Doc links go through errkb's /go/{code}/{n} (n: the link's place in the guide), which
    // counts the click and redirects to the knowledge base's URL.
    let docs = g
        .reference_links()
        .into_iter()
        .enumerate()
        .filter(|(_, l)| super::escape::link_url(&l.url).is_some() && Some(l.url.trim()) != lookup.as_deref());
    for (i, (n, l)) in docs.take(MAX_DOC_LINKS).enumerate() {
        let label = if l.text.trim().is_empty() { "Documentation" } else { l.text.trim() };
        out.push(url_button(label, &format!("{DOC_LINK}:{i}"), code, &go_url(public_url, code, n, "slack")));
    }
    out
}

fn did_you_mean_buttons(hits: &[Hit]) -> Vec<Value> {
    hits.iter()
        .enumerate()
        .map(|(i, h)| button(&h.guide.title(), &format!("{DID_YOU_MEAN}:{i}"), h.guide.code.as_str()))
        .collect()
}

/// Share (when the answer is private), Helpful / Not helpful, then the live-check buttons (when
/// the probe is on). They stay in the last actions block, which the limit repair keeps.
fn closing_buttons(answer: &Answer, guide: Option<&Guide>, r: &Render, echo: &Echo) -> Vec<Value> {
    let code = guide.map(|g| g.code.to_string()).or_else(|| answer.lead_code().map(ToString::to_string));
    let code = code.unwrap_or_else(|| "none".into());
    let mut out = Vec::new();
    if r.shareable {
        let mut share = button("Share in channel", SHARE, &echo.share_value);
        share["style"] = json!("primary");
        out.push(share);
    }
    out.push(button("👍 Helpful", HELPFUL, &code));
    out.push(button("👎 Not helpful", NOT_HELPFUL, &code));
    if r.probe {
        out.push(button("Run live check", PROBE_LINK, &code));
        out.push(button("Quick check", PROBE_QUICK, &code));
    }
    out
}

fn ambiguous(answer: &Answer, candidates: &[Hit], r: &Render, echo: &Echo) -> Message {
    let lines: Vec<String> = candidates.iter().map(|h| hit_line(h, r.public_url)).collect();
    let intro = format!("Several guides match _{}_. Did you mean:", echo.question);
    let mut blocks: Vec<Value> = shared_by(echo).into_iter().collect();
    blocks.push(section(&format!("{intro}\n{}", lines.join("\n"))));
    blocks.push(actions(did_you_mean_buttons(candidates)));
    blocks.push(actions(closing_buttons(answer, None, r, echo)));
    let codes: Vec<&str> = candidates.iter().map(|h| h.guide.code.as_str()).collect();
    Message { text: format!("Several guides match: {}", codes.join(", ")), blocks }
}

fn not_found(answer: &Answer, r: &Render, echo: &Echo) -> Message {
    let Outcome::NotFound { code, suggestions } = &answer.outcome else { return notice("No answer.") };
    let head = match code {
        Some(code) => format!("No guide for *{}* in this knowledge base yet.", escape(code.as_str())),
        None if answer.query.chars().count() > 80 => {
            "No guide in this knowledge base matches that message yet; it is listed for the admins as unanswered."
                .to_string()
        }
        None => {
            "I found no guide for that. Try a code such as `AADSTS50011`, or paste the whole error message.".to_string()
        }
    };
    let mut blocks = vec![section(&head)];
    if let (Some(url), Some(code)) = (answer.lookup_url(), code) {
        blocks.push(actions(vec![url_button("Official lookup", OFFICIAL_LOOKUP, code.as_str(), &url)]));
    }
    if !suggestions.is_empty() {
        let lines: Vec<String> = suggestions.iter().map(|h| hit_line(h, r.public_url)).collect();
        blocks.push(section(&format!("*Did you mean:*\n{}", lines.join("\n"))));
        blocks.push(actions(did_you_mean_buttons(suggestions)));
    }
    blocks.push(actions(closing_buttons(answer, None, r, echo)));
    let text = match code {
        Some(code) => format!("No guide for {} yet.", escape(code.as_str())),
        None => "No guide matches that question.".to_string(),
    };
    Message { text, blocks }
}

/// `• AADSTS50011: meaning`, and `_this one if …_` when the guide says how to tell it apart.
fn hit_line(h: &Hit, public_url: &str) -> String {
    let code = h.guide.code.as_str();
    let mut line =
        format!("• {}: {}", link(&guide_url(public_url, code), code), escape(&cut_plain(&h.guide.meaning, 200, "…")));
    if let Some(pick) = &h.guide.meta.pick_if {
        line.push_str(&format!("\n      _this one if {}_", escape(&cut_plain(pick, 160, "…"))));
    }
    line
}

/// plain_text is shown verbatim: Slack parses no mentions, links or entities in it, so it is
/// not escaped (an escaped `&amp;` would show as such).
fn header(text: &str) -> Value {
    json!({"type": "header", "text": {"type": "plain_text", "text": text, "emoji": true}})
}

/// A section of already-escaped mrkdwn.
fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": true}})
}

fn context(mrkdwn: &str) -> Value {
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn, "verbatim": true}]})
}

fn actions(elements: Vec<Value>) -> Value {
    json!({"type": "actions", "elements": elements})
}

fn button(label: &str, action_id: &str, value: &str) -> Value {
    json!({"type": "button", "text": {"type": "plain_text", "text": label, "emoji": true}, "action_id": action_id, "value": value})
}

fn url_button(label: &str, action_id: &str, value: &str, url: &str) -> Value {
    let mut b = button(label, action_id, value);
    b["url"] = json!(url);
    b
}

/// The same message with its Helpful / Not helpful buttons replaced by a thank-you line.
pub fn thank(mut blocks: Vec<Value>, helpful: bool) -> Vec<Value> {
    for block in &mut blocks {
        if let Some(elements) = block.get_mut("elements").and_then(Value::as_array_mut) {
            elements.retain(|e| e["action_id"] != HELPFUL && e["action_id"] != NOT_HELPFUL);
        }
    }
    blocks.retain(|b| b["type"] != "actions" || b["elements"].as_array().is_some_and(|e| !e.is_empty()));
    let thanks = if helpful { "👍 Thanks: glad it helped." } else { "👎 Thanks: this guide will be looked at." };
    blocks.push(context(thanks));
    blocks
}
