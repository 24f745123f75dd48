//! The live credential probe's Slack entry points: "Run live check" (a private one-time link to
//! errkb's own `/probe` page, where the secret is entered), "Quick check" (a modal asking for
//! tenant, client id and cloud, checked synchronously on submission, then run in the background)
//! and the private delivery of every reply (the response_url as ephemeral, else
//! chat.postEphemeral in the channel, else a DM).
//!
//! Owns the Slack side of the probe flows; the guards (who may probe, rate limits, links, audit)
//! are [`ProbeService`]'s. Never receives a secret, and never posts a link or a result in a
//! message others can see. Knows no HTTP status codes: the route turns the [`Ack`] into one.

use std::sync::Arc;

use serde_json::{Value, json};

use super::blocks::{Message, notice};
use super::dispatch::Ack;
use super::payload::Interaction;
use super::probe_view::{self, BLOCK_CLIENT_ID, BLOCK_CLOUD, BLOCK_TENANT, INPUT};
use super::service::SlackApp;
use crate::http::AppState;
use crate::http::probe::{ProbeService, Refusal, Requester};
use crate::probe::{Cloud, Mistake, check_app};

/// The quick-check modal's callback id.
pub const QUICK_CALLBACK: &str = "probe_quick";

/// Where a private reply goes: the user, in a team and channel, maybe through a response_url.
#[derive(Debug, Clone, Default)]
pub struct Private {
    pub team: String,
    pub channel: String,
    pub user: String,
    pub response_url: String,
}

impl Private {
    fn of(i: &Interaction) -> Private {
        Private {
            team: i.team.id.clone(),
            channel: i.channel_id().to_string(),
            user: i.user.id.clone(),
            response_url: i.response_url.clone(),
        }
    }
}

/// "Run live check": a one-time link for an allowed user, privately; a refusal otherwise.
pub async fn link(state: &AppState, slack: &SlackApp, i: &Interaction, code: &str) {
    let to = Private::of(i);
    let Some(probe) = enabled(state, slack, &to).await else { return };
    let who = requester(i);
    let reply = json!({"team": to.team, "channel": to.channel, "user": to.user}).to_string();
    let code = Some(code).filter(|c| !c.is_empty() && *c != "none");
    let message = match probe.issue_link(&state.store, &state.settings.public_url, &who, code, &reply).await {
        Ok(url) => probe_view::link_message(&url),
        Err(refusal) => refused(&refusal),
    };
    tell(state, slack, &to, &message).await;
}

/// "Quick check": the modal for an allowed user; a refusal otherwise.
pub async fn open_quick(state: &AppState, slack: &SlackApp, i: &Interaction) {
    let to = Private::of(i);
    let Some(probe) = enabled(state, slack, &to).await else { return };
    if !probe.is_allowed("slack", &i.user.id) {
        return tell(state, slack, &to, &refused(&Refusal::NotAllowed)).await;
    }
    let Some(token) = slack.token_for(&state.store, &to.team).await else {
        return tracing::warn!(team = %to.team, "no Slack bot token: the quick-check modal cannot open");
    };
    let view = probe_view::quick_modal(QUICK_CALLBACK, &to.channel);
    if let Err(e) = slack.api.views_open(&token, &i.trigger_id, view).await {
        tracing::warn!(error = %e, "opening the quick-check modal failed");
        tell(state, slack, &to, &notice("The quick check could not be opened; please try again.")).await;
    }
}

/// The quick-check modal was submitted: wrong input gets per-field errors at once (nothing is
/// sent anywhere); good input closes the modal and runs the check in the background.
pub fn view_submission(state: &AppState, slack: &Arc<SlackApp>, i: &Interaction) -> Ack {
    let view = i.view.clone().unwrap_or(Value::Null);
    let Some(probe) = state.probe.clone() else {
        return errors(json!({BLOCK_TENANT: Refusal::Disabled.to_string()}));
    };
    let tenant = input(&view, BLOCK_TENANT, "value");
    let client_id = input(&view, BLOCK_CLIENT_ID, "value");
    let cloud = input(&view, BLOCK_CLOUD, "selected_option").parse::<Cloud>().unwrap_or_default();
    let mut problems = serde_json::Map::new();
    for mistake in check_app(&tenant, &client_id).err().unwrap_or_default() {
        let (block, text) = match mistake {
            Mistake::ClientIdNotGuid => (BLOCK_CLIENT_ID, probe_view::CLIENT_ID_NOT_GUID.to_string()),
            other => (BLOCK_TENANT, other.to_string()),
        };
        problems.insert(block.into(), json!(text));
    }
    if !probe.is_allowed("slack", &i.user.id) {
        problems.insert(BLOCK_TENANT.into(), json!(Refusal::NotAllowed.to_string()));
    }
    if !problems.is_empty() {
        return errors(Value::Object(problems));
    }
    let channel = view["private_metadata"].as_str().unwrap_or_default().to_string();
    let to = Private { team: i.team.id.clone(), channel, user: i.user.id.clone(), response_url: String::new() };
    let name = user_name(i).to_string();
    tokio::spawn(run_quick(state.clone(), slack.clone(), probe, to, name, (cloud, tenant, client_id)));
    Ack::Empty
}

async fn run_quick(
    state: AppState,
    slack: Arc<SlackApp>,
    probe: Arc<ProbeService>,
    to: Private,
    name: String,
    (cloud, tenant, client_id): (Cloud, String, String),
) {
    let who = Requester { platform: "slack", user_id: &to.user, user_name: &name };
    let message = match probe.quick(&state.store, &who, cloud, &tenant, &client_id).await {
        Ok(report) => {
            let guide = report.guide_code().and_then(|c| state.engine.current().get(&c).cloned());
            probe_view::quick_result(&report, guide.as_deref(), &state.settings.public_url)
        }
        Err(refusal) => refused(&refusal),
    };
    tell(&state, &slack, &to, &message).await;
}

/// The probe, or `None` after telling the user it is off.
async fn enabled(state: &AppState, slack: &SlackApp, to: &Private) -> Option<Arc<ProbeService>> {
    if state.probe.is_none() {
        tell(state, slack, to, &refused(&Refusal::Disabled)).await;
    }
    state.probe.clone()
}

fn refused(refusal: &Refusal) -> Message {
    notice(&format!("Sorry: {refusal}."))
}

fn errors(errors: Value) -> Ack {
    Ack::Json(json!({"response_action": "errors", "errors": errors}))
}

/// A plain_text_input's `value` or a static_select's `selected_option.value` in `block`.
fn input(view: &Value, block: &str, field: &str) -> String {
    let v = &view["state"]["values"][block][INPUT][field];
    let v = if field == "selected_option" { &v["value"] } else { v };
    v.as_str().unwrap_or_default().to_string()
}

fn requester(i: &Interaction) -> Requester<'_> {
    Requester { platform: "slack", user_id: &i.user.id, user_name: user_name(i) }
}

fn user_name(i: &Interaction) -> &str {
    [&i.user.username, &i.user.name, &i.user.id].into_iter().find(|s| !s.is_empty()).map_or("", |s| s.as_str())
}

/// Sends `message` to the user alone: the response_url as ephemeral, else chat.postEphemeral in
/// the channel, else a direct message. Never a message the channel can see.
pub async fn tell(state: &AppState, slack: &SlackApp, to: &Private, message: &Message) {
    if !to.response_url.is_empty() {
        let extra = json!({"response_type": "ephemeral", "replace_original": false});
        match slack.api.respond(&to.response_url, message.clone(), extra).await {
            Ok(()) => return,
            Err(e) => tracing::info!(error = %e, "private reply through the response_url failed; trying the API"),
        }
    }
    let Some(token) = slack.token_for(&state.store, &to.team).await else {
        return tracing::warn!(team = %to.team, "no Slack bot token: a private probe reply was not sent");
    };
    tell_with(slack, &token, to, message).await;
}

/// chat.postEphemeral in the channel, else a DM (`channel` = the user id).
pub async fn tell_with(slack: &SlackApp, token: &secrecy::SecretString, to: &Private, message: &Message) {
    if !to.channel.is_empty() {
        match slack.api.post_ephemeral(token, &to.channel, &to.user, None, message).await {
            Ok(()) => return,
            Err(e) => tracing::info!(error = %e, "chat.postEphemeral failed; sending a direct message"),
        }
    }
    if let Err(e) = slack.api.post_message(token, &to.user, None, message).await {
        tracing::warn!(error = %e, "a private probe reply could not be sent");
    }
}
