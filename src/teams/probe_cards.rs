//! Adaptive Cards for the live credential probe in Teams: the private one-time-link card, the
//! quick-check form (tenant, client id, cloud), the quick-check result, the summary sent back
//! after a probe from a link, and a plain notice (refusals).
//!
//! Pure functions to card JSON (version 1.5). Text from Entra or a user goes through
//! [`neutralise`] before it reaches a markdown `TextBlock`. Knows no HTTP, store or Bot
//! Framework; holds no secret (results and summaries carry none).

use serde_json::{Value, json};

use super::card::{CONTENT_TYPE, VERSION};
use super::text::{neutralise, safe_url};
use crate::http::probe::{LINK_TTL_SECS, ProbeSummary};
use crate::kb::Guide;
use crate::probe::{Cloud, EntraError, Outcome, QuickReport};

/// `Action.Submit` verb of the quick-check form; data `{verb, tenant, client_id, cloud}`.
pub const VERB_QUICK_RUN: &str = "probe_quick_run";
/// Input ids of the quick-check form.
pub const INPUT_TENANT: &str = "tenant";
pub const INPUT_CLIENT_ID: &str = "client_id";
pub const INPUT_CLOUD: &str = "cloud";

/// The private card carrying a one-time link.
pub fn link_card(url: &str) -> Value {
    let minutes = LINK_TTL_SECS / 60;
    let body = vec![
        block("Your live check link", true),
        block(
            &format!(
                "It works once, for {minutes} minutes, and only for you. Enter the secret or certificate on \
                 errkb's own page, never in Teams."
            ),
            false,
        ),
    ];
    let actions: Vec<Value> = safe_url(url)
        .map(|u| json!({"type": "Action.OpenUrl", "title": "Open the live check", "url": u}))
        .into_iter()
        .collect();
    card(body, actions, &format!("Your live check link (works once, for {minutes} minutes)."))
}

/// The quick-check form.
pub fn quick_form_card() -> Value {
    let choices: Vec<Value> = Cloud::ALL.iter().map(|c| json!({"title": c.label(), "value": c.as_str()})).collect();
    let body = vec![
        block("Quick check", true),
        block(
            "Checks, without any secret, whether the tenant exists in that cloud and whether the app is registered \
             in it. The app check shows as one failed sign-in in the app's sign-in logs.",
            false,
        ),
        json!({"type": "Input.Text", "id": INPUT_TENANT, "label": "Tenant", "isRequired": true, "maxLength": 300,
            "placeholder": "contoso.onmicrosoft.com or the tenant ID", "errorMessage": "Enter the tenant"}),
        json!({"type": "Input.Text", "id": INPUT_CLIENT_ID, "label": "Client ID", "isRequired": true,
            "maxLength": 100, "placeholder": "00000000-0000-0000-0000-000000000000",
            "errorMessage": "Enter the Application (client) ID"}),
        json!({"type": "Input.ChoiceSet", "id": INPUT_CLOUD, "label": "Cloud", "style": "compact",
            "value": Cloud::Public.as_str(), "choices": choices}),
    ];
    let actions = vec![json!({"type": "Action.Submit", "title": "Check", "data": {"verb": VERB_QUICK_RUN}})];
    card(body, actions, "Quick check: enter a tenant and a client ID.")
}

/// The quick check's result: its sentences (with the sign-in-log note) and the matching guide.
pub fn quick_result_card(report: &QuickReport, guide: Option<&Guide>, public_url: &str) -> Value {
    let mut body = vec![block(&format!("Quick check ({} cloud)", report.cloud), true)];
    body.extend(report.lines().iter().map(|l| block(l, false)));
    let actions = guide_action(guide, public_url).into_iter().collect();
    let fallback = report.lines().first().map(|l| neutralise(l)).unwrap_or_default();
    card(body, actions, &fallback)
}

/// The summary of a probe run from a one-time link.
pub fn summary_card(s: &ProbeSummary) -> Value {
    let mut facts = vec![fact("Cloud", s.cloud.as_str()), fact("Tenant", &s.tenant), fact("Client ID", &s.client_id)];
    if let Some(e) = entra(&s.outcome) {
        facts.push(fact("Entra error", &e.code.map(|c| format!("AADSTS{c} ({})", e.error)).unwrap_or(e.error.clone())));
        facts.push(fact("Message", &e.message));
        if let Some(trace) = &e.trace_id {
            facts.push(fact("Trace ID", trace));
        }
    }
    if let Some((_, title)) = &s.guide {
        facts.push(fact("Guide", title));
    }
    let body = vec![
        block("Live check result", true),
        block(&s.outcome.summary(), false),
        json!({"type": "FactSet", "facts": facts}),
    ];
    let actions = s
        .guide_url
        .as_deref()
        .and_then(safe_url)
        .map(|u| json!({"type": "Action.OpenUrl", "title": "Open the guide", "url": u}))
        .into_iter()
        .collect();
    card(body, actions, &neutralise(&format!("Live check result: {}", s.outcome.summary())))
}

/// A one-paragraph card (refusals, notices).
pub fn notice_card(text: &str) -> Value {
    card(vec![block(text, false)], Vec::new(), &neutralise(text))
}

fn guide_action(guide: Option<&Guide>, public_url: &str) -> Option<Value> {
    let g = guide?;
    let url = format!("{}/guides/{}", public_url.trim_end_matches('/'), g.code.as_str());
    let title = format!("Guide: {}", g.code.as_str());
    safe_url(&url).map(|u| json!({"type": "Action.OpenUrl", "title": title, "url": u}))
}

fn entra(outcome: &Outcome) -> Option<&EntraError> {
    match outcome {
        Outcome::Rejected(e) | Outcome::Unreachable { entra: Some(e), .. } => Some(e),
        _ => None,
    }
}

/// FactSet values are markdown too: neutralised.
fn fact(title: &str, value: &str) -> Value {
    json!({"title": title, "value": neutralise(value)})
}

fn block(text: &str, bold: bool) -> Value {
    let mut b = json!({"type": "TextBlock", "text": neutralise(text), "wrap": true});
    if bold {
        b["weight"] = json!("Bolder");
        b["size"] = json!("Medium");
    }
    b
}

fn card(body: Vec<Value>, actions: Vec<Value>, fallback: &str) -> Value {
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "fallbackText": fallback,
        "body": body,
        "actions": actions,
    })
}

/// A card as a message activity's attachment list.
pub fn message(card: Value, summary: &str) -> Value {
    json!({"type": "message", "summary": summary, "attachments": [{"contentType": CONTENT_TYPE, "content": card}]})
}
