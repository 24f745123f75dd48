//! Adaptive Card rendering of an [`Answer`] for Teams: pure functions from the platform-neutral
//! answer to card JSON (version 1.5), plus the plain-text fallback, the welcome card and the
//! message-extension preview.
//!
//! Owns the layout (code and meaning, causes, first steps with "All steps", documentation
//! buttons, full guide and official lookup, Helpful / Not helpful, "Did you mean"), the
//! `Action.Execute` verbs the invoke handler routes on and the limits: at most
//! [`MAX_ACTIONS`] actions per action set and a serialized card under [`MAX_CARD_BYTES`]. In
//! [`Mode::Lite`] (outgoing webhook) only `Action.OpenUrl` is used. Knows nothing of HTTP, the
//! Bot Framework or who asked; text goes through [`text`](super::text).

use serde_json::{Value, json};

use super::text::{self, MAX_TEXT_CHARS, cut, neutralise, user_text};
use crate::answer::{Answer, Hit, Outcome, Reason};
use crate::http::go::go_url;
use crate::kb::{Guide, SectionKind};

pub const CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";
pub const VERSION: &str = "1.5";
/// Teams' host config allows 6 actions per action set.
pub const MAX_ACTIONS: usize = 6;
/// Our budget for a serialized card (Teams' hard limits are 28 KB and more).
pub const MAX_CARD_BYTES: usize = 24 * 1024;
/// `Action.Execute` verb for Helpful / Not helpful; data `{code, helpful}`.
pub const VERB_FEEDBACK: &str = "feedback";
/// `Action.Execute` verb for "Did you mean"; data `{code}`.
pub const VERB_SHOW: &str = "show";
/// `Action.Submit` verb of "Run live check"; data `{verb, code}`.
pub const VERB_PROBE_LINK: &str = "probe_link";
/// `Action.Submit` verb of "Quick check"; data `{verb, code}`.
pub const VERB_PROBE_QUICK: &str = "probe_quick";
/// Steps shown before "All steps".
pub const PREVIEW_STEPS: usize = 3;
const MAX_STEPS: usize = 12;
const MAX_CAUSES: usize = 5;
const MAX_DOC_BUTTONS: usize = 3;
const ALL_STEPS_ID: &str = "all-steps";

/// Bot (every control) or lite mode (outgoing webhook: open-URL buttons only, steps inline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bot,
    Lite,
}

/// Where guide pages live and which controls to offer.
#[derive(Debug, Clone, Copy)]
pub struct Render<'a> {
    /// errkb's public URL; a trailing slash is ignored.
    pub public_url: &'a str,
    pub mode: Mode,
    /// Offer "Run live check" and "Quick check" (the live probe is on; bot mode only).
    pub probe: bool,
}

impl Render<'_> {
    pub fn guide_url(&self, code: &str) -> String {
        format!("{}/guides/{}", self.public_url.trim_end_matches('/'), code)
    }
}

/// Characters of the question a "Did you mean" card echoes back.
pub const ECHO_CHARS: usize = 300;

/// The answer card. Always within [`MAX_CARD_BYTES`].
pub fn answer_card(answer: &Answer, r: &Render) -> Value {
    answer_card_echoing(answer, r, &echo(answer))
}

/// The question as a "Did you mean" card shows it (the only part of an answer card that belongs
/// to the request rather than to the answer's shape).
pub fn echo(answer: &Answer) -> String {
    user_text(&answer.query, ECHO_CHARS)
}

/// [`answer_card`] with `echo` as the question shown.
pub fn answer_card_echoing(answer: &Answer, r: &Render, echo: &str) -> Value {
    match &answer.outcome {
        Outcome::Found { best, .. } => fitted_guide_card(&best.guide, Note::of(answer).as_ref(), r),
        Outcome::Ambiguous { candidates } => {
            choices_card("Several guides match your question.", answer, candidates, r, echo)
        }
        Outcome::NotFound { code, suggestions } => {
            let intro = match code {
                Some(code) => format!("No guide for {code} yet."),
                None => "No guide matches your question.".to_string(),
            };
            choices_card(&intro, answer, suggestions, r, echo)
        }
    }
}

/// Why an answer leads with its guide, and the official lookup of the number asked when the
/// knowledge base does not cover it.
struct Note {
    why: String,
    lookup: Option<(String, String)>,
}

impl Note {
    fn of(answer: &Answer) -> Option<Note> {
        let why = answer.why()?;
        let lookup = match &answer.reason {
            Some(Reason::NumberNotCovered { asked }) => {
                asked.lookup_url().and_then(|u| text::safe_url(&u)).map(|u| (format!("Lookup {asked}"), u))
            }
            _ => None,
        };
        Some(Note { why, lookup })
    }
}

/// The card for one guide, fitted to the size budget by showing fewer steps if needed.
pub fn guide_card(guide: &Guide, r: &Render) -> Value {
    fitted_guide_card(guide, None, r)
}

fn fitted_guide_card(guide: &Guide, note: Option<&Note>, r: &Render) -> Value {
    let mut steps = MAX_STEPS;
    loop {
        let card = build_guide_card(guide, note, r, steps);
        if size(&card) <= MAX_CARD_BYTES || steps == 0 {
            return card;
        }
        steps -= 1;
    }
}

fn build_guide_card(guide: &Guide, note: Option<&Note>, r: &Render, max_steps: usize) -> Value {
    let mut body = vec![
        text_block(&guide.code.to_string(), &[("weight", "Bolder"), ("size", "Large")]),
        text_block(&cut(&neutralise(&guide.meaning), MAX_TEXT_CHARS), &[("spacing", "None")]),
    ];
    if let Some(note) = note {
        body.push(text_block(&neutralise(&note.why), &[("isSubtle", "true"), ("spacing", "Small")]));
    }
    body.extend(causes(guide));
    body.extend(steps(guide, r.mode, max_steps));
    body.extend(doc_buttons(guide, r));
    body.extend(probe_buttons(Some(guide.code.as_str()), r));
    let mut actions = Vec::new();
    if r.mode == Mode::Bot && guide.steps().len() > PREVIEW_STEPS.min(max_steps) {
        actions
            .push(json!({"type": "Action.ToggleVisibility", "title": "All steps", "targetElements": [ALL_STEPS_ID]}));
    }
    actions.push(open_url("Full guide", &r.guide_url(guide.code.as_str())));
    if let Some((label, url)) = note.and_then(|n| n.lookup.as_ref()) {
        actions.push(open_url(label, url));
    } else if let Some(url) = guide.lookup_url().and_then(|u| text::safe_url(&u)) {
        actions.push(open_url("Official lookup", &url));
    }
    if r.mode == Mode::Bot {
        actions.push(feedback("Helpful", guide, true));
        actions.push(feedback("Not helpful", guide, false));
    }
    card(body, actions, &fallback_for_guide(guide, r))
}

fn causes(guide: &Guide) -> Vec<Value> {
    let Some(section) = guide.section(SectionKind::Causes) else { return Vec::new() };
    let items: Vec<String> =
        section.items().take(MAX_CAUSES).map(|i| format!("- {}", text::step(i, 0))).filter(|s| s.len() > 2).collect();
    if items.is_empty() {
        return Vec::new();
    }
    vec![heading("Common causes"), text_block(&items.join("\r"), &[("spacing", "Small")])]
}

fn steps(guide: &Guide, mode: Mode, max_steps: usize) -> Vec<Value> {
    let all = guide.steps();
    if all.is_empty() || max_steps == 0 {
        return Vec::new();
    }
    let lines: Vec<Value> = all
        .iter()
        .take(max_steps)
        .enumerate()
        .map(|(i, item)| text_block(&format!("{}. {}", i + 1, text::step(item, 4)), &[("spacing", "Small")]))
        .collect();
    let shown = if mode == Mode::Lite { lines.len() } else { PREVIEW_STEPS.min(lines.len()) };
    let mut out = vec![heading(if shown == all.len() { "Steps" } else { "First steps" })];
    let mut lines = lines.into_iter();
    out.extend(lines.by_ref().take(shown));
    let rest: Vec<Value> = lines.collect();
    if !rest.is_empty() {
        out.push(
            json!({"type": "Container", "id": ALL_STEPS_ID, "isVisible": false, "spacing": "None", "items": rest}),
        );
    }
    if mode == Mode::Lite && all.len() > shown {
        out.push(text_block("More steps in the full guide.", &[("isSubtle", "true"), ("spacing", "Small")]));
    }
    out
}

/// Documentation buttons through errkb's `/go/{code}/{n}` (n: the link's place in the guide),
/// which counts the click and redirects to the knowledge base's URL.
fn doc_buttons(guide: &Guide, r: &Render) -> Vec<Value> {
    let mut seen = Vec::new();
    let code = guide.code.as_str();
    let buttons: Vec<Value> = guide
        .reference_links()
        .into_iter()
        .enumerate()
        .filter_map(|(n, l)| text::safe_url(&l.url).map(|u| (n, l.text, u)))
        .filter(|(_, _, u)| {
            let new = !seen.contains(u);
            seen.push(u.clone());
            new
        })
        .take(MAX_DOC_BUTTONS)
        .map(|(n, label, _)| open_url(&button_title(&label, "Documentation"), &go_url(r.public_url, code, n, "teams")))
        .collect();
    if buttons.is_empty() {
        return Vec::new();
    }
    vec![heading("Documentation"), json!({"type": "ActionSet", "spacing": "Small", "actions": buttons})]
}

/// "Did you mean" for an ambiguous or unmatched question: the user's words (as plain text
/// runs), then one button per candidate.
fn choices_card(intro: &str, answer: &Answer, hits: &[Hit], r: &Render, echo: &str) -> Value {
    let mut body = vec![
        text_block(intro, &[("weight", "Bolder"), ("size", "Medium")]),
        json!({"type": "RichTextBlock", "inlines": [
            {"type": "TextRun", "text": "You asked: ", "isSubtle": true},
            {"type": "TextRun", "text": echo, "italic": true}
        ]}),
    ];
    let mut actions: Vec<Value> = Vec::new();
    if !hits.is_empty() {
        body.push(heading("Did you mean"));
        for hit in hits.iter().take(3) {
            let mut line = format!("- **{}**: {}", hit.guide.code, cut(&neutralise(&hit.guide.meaning), 200));
            if let Some(pick) = &hit.guide.meta.pick_if {
                line.push_str(&format!(" _(this one if {})_", cut(&neutralise(pick), 160)));
            }
            body.push(text_block(&line, &[("spacing", "Small")]));
        }
        let choices: Vec<Value> = hits.iter().take(3).map(|h| show_action(&h.guide, r)).collect();
        body.push(json!({"type": "ActionSet", "spacing": "Small", "actions": choices}));
    } else {
        body.push(text_block("Try an error code such as AADSTS50011, or a few words of the message.", &[]));
    }
    body.extend(probe_buttons(answer.lead_code().map(|c| c.as_str()), r));
    actions.push(open_url("Search all guides", r.public_url.trim_end_matches('/')));
    if let Some(url) = answer.lookup_url().and_then(|u| text::safe_url(&u)) {
        actions.push(open_url("Official lookup", &url));
    }
    actions.truncate(MAX_ACTIONS);
    card(body, actions, &fallback_text(answer, r))
}

/// "Run live check" and "Quick check" in their own action set (the card's own actions are
/// already at Teams' limit), as `Action.Submit` so the answer arrives as a message activity.
fn probe_buttons(code: Option<&str>, r: &Render) -> Vec<Value> {
    if !r.probe || r.mode != Mode::Bot {
        return Vec::new();
    }
    let code = code.unwrap_or_default();
    let submit = |title: &str, verb: &str| json!({"type": "Action.Submit", "title": title, "data": {"verb": verb, "code": code}});
    let actions = vec![submit("Run live check", VERB_PROBE_LINK), submit("Quick check", VERB_PROBE_QUICK)];
    vec![
        heading("Live check"),
        text_block(
            "Check a tenant, client ID and secret against Entra. The secret is entered on errkb's own page, never here.",
            &[("isSubtle", "true"), ("spacing", "Small")],
        ),
        json!({"type": "ActionSet", "spacing": "Small", "actions": actions}),
    ]
}

fn show_action(guide: &Guide, r: &Render) -> Value {
    let code = guide.code.as_str();
    match r.mode {
        Mode::Bot => json!({"type": "Action.Execute", "title": code, "verb": VERB_SHOW, "data": {"code": code},
            "fallback": {"type": "Action.Submit", "title": code, "data": {"verb": VERB_SHOW, "code": code}}}),
        Mode::Lite => open_url(code, &r.guide_url(code)),
    }
}

fn feedback(title: &str, guide: &Guide, helpful: bool) -> Value {
    let data = json!({"code": guide.code.as_str(), "helpful": helpful});
    let mut submit = data.clone();
    submit["verb"] = json!(VERB_FEEDBACK);
    json!({"type": "Action.Execute", "title": title, "verb": VERB_FEEDBACK, "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "data": submit}})
}

/// The welcome card sent when the bot is added to a chat or team.
pub fn welcome_card(public_url: &str) -> Value {
    let body = vec![
        text_block("Hi, I'm errkb", &[("weight", "Bolder"), ("size", "Large")]),
        text_block(
            "Send me a Microsoft Entra sign-in error and I answer with the matching troubleshooting guide: \
             what it means, common causes, first steps and documentation.",
            &[],
        ),
        text_block(
            "- A code: AADSTS7000215\r- A pasted error message or log line\r- A few words: invalid client secret",
            &[],
        ),
        text_block("In a channel or group chat, mention me first: @errkb AADSTS50011.", &[("isSubtle", "true")]),
    ];
    let actions = vec![open_url("Browse all guides", public_url.trim_end_matches('/'))];
    card(body, actions, "errkb answers Microsoft Entra (AADSTS) error codes. Send a code such as AADSTS7000215.")
}

/// A short card replacing an answer after feedback.
pub fn thanks_card(guide: &Guide, helpful: bool, r: &Render) -> Value {
    let mut c = guide_card(guide, r);
    if let Some(actions) = c["actions"].as_array_mut() {
        actions.retain(|a| a["verb"] != VERB_FEEDBACK);
    }
    let note = if helpful { "Thanks, glad it helped." } else { "Thanks, we will improve this guide." };
    if let Some(body) = c["body"].as_array_mut() {
        body.push(text_block(note, &[("isSubtle", "true"), ("separator", "true")]));
    }
    c
}

/// Plain text for clients that cannot show the card (notifications, `fallbackText`).
pub fn fallback_text(answer: &Answer, r: &Render) -> String {
    match &answer.outcome {
        Outcome::Found { best, .. } => fallback_for_guide(&best.guide, r),
        Outcome::Ambiguous { candidates: hits } | Outcome::NotFound { suggestions: hits, .. } => {
            let codes: Vec<&str> = hits.iter().take(3).map(|h| h.guide.code.as_str()).collect();
            if codes.is_empty() {
                "No matching guide. Try an error code such as AADSTS50011.".to_string()
            } else {
                format!("No exact match. Did you mean {}?", codes.join(", "))
            }
        }
    }
}

fn fallback_for_guide(guide: &Guide, r: &Render) -> String {
    let meaning = cut(&user_text(&guide.meaning, MAX_TEXT_CHARS), 200);
    format!("{}: {} Full guide: {}", guide.code, meaning, r.guide_url(guide.code.as_str()))
}

/// The thumbnail preview Teams shows for a message-extension result.
pub fn preview(guide: &Guide) -> Value {
    json!({"contentType": "application/vnd.microsoft.card.thumbnail",
        "content": {"title": guide.code.as_str(), "text": cut(&user_text(&guide.meaning, 300), 160)}})
}

/// A card as a Bot Framework attachment.
pub fn attachment(card: Value) -> Value {
    json!({"contentType": CONTENT_TYPE, "content": card})
}

/// Serialized size in bytes.
pub fn size(card: &Value) -> usize {
    serde_json::to_vec(card).map_or(usize::MAX, |v| v.len())
}

fn card(body: Vec<Value>, mut actions: Vec<Value>, fallback: &str) -> Value {
    actions.truncate(MAX_ACTIONS);
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "fallbackText": fallback,
        "msteams": {"width": "Full"},
        "body": body,
        "actions": actions,
    })
}

fn heading(title: &str) -> Value {
    text_block(title, &[("weight", "Bolder"), ("separator", "true"), ("spacing", "Medium")])
}

fn text_block(text: &str, props: &[(&str, &str)]) -> Value {
    let mut v = json!({"type": "TextBlock", "text": text, "wrap": true});
    for (k, val) in props {
        v[*k] = match *val {
            "true" => json!(true),
            other => json!(other),
        };
    }
    v
}

fn open_url(title: &str, url: &str) -> Value {
    json!({"type": "Action.OpenUrl", "title": title, "url": url})
}

fn button_title(label: &str, default: &str) -> String {
    let label = user_text(label, 40);
    if label.is_empty() { default.to_string() } else { label }
}
