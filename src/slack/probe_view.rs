//! Block Kit for the live credential probe: the quick-check modal, the private one-time-link
//! message, the quick-check result and the summary sent back after a probe from a link.
//!
//! Pure functions from probe results to Slack JSON. Everything Entra or a user wrote goes through
//! [`escape`] before it reaches mrkdwn. Knows no HTTP, no store and who asked; holds no secret
//! (there is none to hold: results and summaries carry none).

use serde_json::{Value, json};

use super::blocks::{Message, guide_url};
use super::escape::{escape, link};
use crate::http::probe::{LINK_TTL_SECS, ProbeSummary};
use crate::kb::Guide;
use crate::probe::{Cloud, EntraError, Outcome, QuickReport};

/// Block ids of the quick-check modal's inputs; each input's action id is [`INPUT`].
pub const BLOCK_TENANT: &str = "tenant";
pub const BLOCK_CLIENT_ID: &str = "client_id";
pub const BLOCK_CLOUD: &str = "cloud";
pub const INPUT: &str = "value";
/// The action id of the "Open the live check" URL button.
pub const OPEN_LINK: &str = "probe_open";
pub const CLIENT_ID_NOT_GUID: &str =
    "The client ID is a GUID: the Application (client) ID on the app registration's Overview page.";

/// The quick-check modal; `channel` (where the result goes) rides in `private_metadata`.
pub fn quick_modal(callback_id: &str, channel: &str) -> Value {
    let options: Vec<Value> = Cloud::ALL.iter().map(|c| option(c.label(), c.as_str())).collect();
    let public = option(Cloud::Public.label(), Cloud::Public.as_str());
    json!({
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": channel,
        "title": plain("Quick check"),
        "submit": plain("Check"),
        "close": plain("Cancel"),
        "blocks": [
            section(
                "Checks, without any secret, whether the tenant exists in that cloud and whether the app is \
                 registered in it. The app check shows as one failed sign-in in the app's sign-in logs."
            ),
            text_input(BLOCK_TENANT, "Tenant", "contoso.onmicrosoft.com or the tenant ID"),
            text_input(BLOCK_CLIENT_ID, "Client ID", "00000000-0000-0000-0000-000000000000"),
            {"type": "input", "block_id": BLOCK_CLOUD, "label": plain("Cloud"),
             "element": {"type": "static_select", "action_id": INPUT, "options": options, "initial_option": public}},
        ],
    })
}

/// The private reply carrying a one-time link.
pub fn link_message(url: &str) -> Message {
    let minutes = LINK_TTL_SECS / 60;
    let text = format!(
        "*Your live check link* works once, for {minutes} minutes, and only for you. Enter the secret or \
         certificate on errkb's own page, never in Slack."
    );
    let button = json!({"type": "button", "text": plain("Open the live check"), "action_id": OPEN_LINK,
        "url": url, "style": "primary"});
    Message {
        text: format!("Your live check link (works once, for {minutes} minutes): {url}"),
        blocks: vec![section(&text), json!({"type": "actions", "elements": [button]})],
    }
}

/// The quick check's result: its sentences (with the sign-in-log note) and the matching guide.
pub fn quick_result(report: &QuickReport, guide: Option<&Guide>, public_url: &str) -> Message {
    let lines: Vec<String> = report.lines().iter().map(|l| format!("• {}", escape(l))).collect();
    let mut text = format!("*Quick check* ({} cloud)\n{}", report.cloud, lines.join("\n"));
    if let Some(g) = guide {
        text.push_str(&format!("\n*Guide:* {}", link(&guide_url(public_url, g.code.as_str()), &g.title())));
    }
    let fallback = format!("Quick check: {}", report.lines().first().map(String::as_str).unwrap_or_default());
    Message { text: escape(&fallback), blocks: vec![section(&text)] }
}

/// The summary of a probe run from a one-time link: outcome, tenant, client id, code, guide.
pub fn summary_message(s: &ProbeSummary) -> Message {
    let mut lines = vec![
        format!("*Live check result:* {}", escape(&s.outcome.summary())),
        format!("• Cloud: {}", escape(s.cloud.as_str())),
        format!("• Tenant: {}", escape(&s.tenant)),
        format!("• Client ID: {}", escape(&s.client_id)),
    ];
    if let Some(e) = entra(&s.outcome) {
        let code = e.code.map(|c| format!("AADSTS{c} ")).unwrap_or_default();
        lines.push(format!("• Entra error: {code}({})", escape(&e.error)));
        lines.push(format!("• Message: {}", escape(&e.message)));
        if let Some(trace) = &e.trace_id {
            lines.push(format!("• Trace ID: `{}`", escape(trace)));
        }
    }
    if let (Some((_, title)), Some(url)) = (&s.guide, &s.guide_url) {
        lines.push(format!("• Guide: {}", link(url, title)));
    }
    Message {
        text: escape(&format!("Live check result: {}", s.outcome.summary())),
        blocks: vec![section(&lines.join("\n"))],
    }
}

fn entra(outcome: &Outcome) -> Option<&EntraError> {
    match outcome {
        Outcome::Rejected(e) | Outcome::Unreachable { entra: Some(e), .. } => Some(e),
        _ => None,
    }
}

fn text_input(block_id: &str, label: &str, placeholder: &str) -> Value {
    json!({"type": "input", "block_id": block_id, "label": plain(label),
        "element": {"type": "plain_text_input", "action_id": INPUT, "placeholder": plain(placeholder),
            "max_length": 300}})
}

fn option(label: &str, value: &str) -> Value {
    json!({"text": plain(&label.chars().take(75).collect::<String>()), "value": value})
}

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text, "emoji": true})
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": true}})
}
