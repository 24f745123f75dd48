//! `/aadsts settings`: a channel's settings in a modal (answer mode, who "Still stuck" calls in:
//! people and a user group, live-check buttons), for the people allowed to change them: those in
//! `ERRKB_CHANNEL_ADMINS` and the workspace's admins and owners (`users.info`). Everyone else is
//! told, politely and privately, who can.
//!
//! The submission is checked at once (a malformed user group gets a field error); it is then
//! saved in the background (permission checked again, a group handle looked up with
//! `usergroups.list`) and the admin gets a private summary. Owns the modal's layout and ids.

use std::sync::Arc;

use secrecy::SecretString;
use serde_json::{Value, json};

use super::blocks::{Message, notice};
use super::channel_answer;
use super::dispatch::Ack;
use super::escalation::{is_group_id, mentions};
use super::escape::escape;
use super::payload::{Command, Interaction};
use super::probe::{Private, tell_with};
use super::service::{COMMAND, SlackApp};
use crate::http::AppState;
use crate::store::{AnswerMode, ChannelSettings, EscalationTarget};

/// The settings modal's callback id.
pub const CALLBACK: &str = "channel_settings";
pub const BLOCK_MODE: &str = "answer_mode";
pub const BLOCK_PEOPLE: &str = "experts";
pub const BLOCK_GROUP: &str = "expert_group";
pub const BLOCK_PROBE: &str = "probe_buttons";
/// Every input's action id.
pub const INPUT: &str = "value";
const GROUP_HINT: &str = "Type the user group's handle, such as @aad-support, or its ID (S0123ABCD).";

/// True for `/aadsts settings`.
pub fn is_settings(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("settings")
}

/// The slash command: acknowledged at once; the modal (or a refusal) follows.
pub fn command(state: &AppState, slack: &Arc<SlackApp>, c: &Command) -> Ack {
    if channel_answer::is_dm(&c.channel_id, "") {
        let text = format!("Settings are per channel: run `{COMMAND} settings` in the channel you want to set up.");
        let mut body = Message { text: text.clone(), blocks: vec![section(&text)] }.to_json();
        body["response_type"] = json!("ephemeral");
        return Ack::Json(body);
    }
    tokio::spawn(open(state.clone(), slack.clone(), c.clone()));
    Ack::Empty
}

async fn open(state: AppState, slack: Arc<SlackApp>, c: Command) {
    let Some(token) = slack.token_for(&state.store, &c.team_id).await else {
        return tracing::warn!(team = %c.team_id, "no Slack bot token: the settings modal cannot open");
    };
    let to = Private {
        team: c.team_id.clone(),
        channel: c.channel_id.clone(),
        user: c.user_id.clone(),
        response_url: c.response_url.clone(),
    };
    if !may_change(&state, &slack, &token, &c.user_id).await {
        return super::probe::tell(&state, &slack, &to, &refusal()).await;
    }
    let current = channel_answer::settings(&state, &c.channel_id).await;
    let view = modal(&c.channel_id, &c.channel_name, &current, state.probe.is_some());
    if let Err(e) = slack.api.views_open(&token, &c.trigger_id, view).await {
        tracing::warn!(error = %e, "opening the settings modal failed");
        super::probe::tell(&state, &slack, &to, &notice("The settings could not be opened; please try again.")).await;
    }
}

fn refusal() -> Message {
    let text = format!(
        "Sorry, only channel admins can change errkb's settings: workspace admins and owners, and the people listed \
         in ERRKB_CHANNEL_ADMINS. Ask one of them to run `{COMMAND} settings` here."
    );
    Message { text: text.clone(), blocks: vec![section(&text)] }
}

/// Listed in `ERRKB_CHANNEL_ADMINS`, or a workspace admin or owner according to `users.info`.
pub async fn may_change(state: &AppState, slack: &SlackApp, token: &SecretString, user: &str) -> bool {
    if user.is_empty() {
        return false;
    }
    if state.settings.is_channel_admin("slack", &[user]) {
        return true;
    }
    match slack.api.call_form("users.info", token, &[("user", user)]).await {
        Ok(reply) => ["is_admin", "is_owner", "is_primary_owner"].iter().any(|f| reply["user"][*f] == true),
        Err(e) => {
            tracing::warn!(error = %e, "users.info failed: only ERRKB_CHANNEL_ADMINS may change settings now");
            false
        }
    }
}

/// The settings modal for `channel`, showing `current`.
pub fn modal(channel: &str, name: &str, current: &ChannelSettings, probe_on: bool) -> Value {
    let mode_options = [
        (AnswerMode::Mention, "Only when asked", "Answer @errkb mentions and /aadsts, as before."),
        (
            AnswerMode::Auto,
            "Also answer pasted errors",
            "A new message with an error code or one of Entra's messages gets one answer in its thread.",
        ),
    ]
    .map(|(mode, label, help)| json!({"text": plain(label), "value": mode.as_str(), "description": plain(help)}));
    let initial_mode = mode_options.iter().find(|o| o["value"] == current.answer_mode.as_str()).cloned();
    let users: Vec<&str> = current.escalation.iter().filter(|t| t.kind == "user").map(|t| t.id.as_str()).collect();
    let group = current.escalation.iter().find(|t| t.kind == "group").map(group_label);
    let probe_option = json!({"text": plain("Show the live-check buttons"), "value": "on",
        "description": plain(if probe_on { "Run live check and Quick check under each answer." } else { "The live check is off on this errkb; this takes effect once it is on." })});
    let mut mode = json!({"type": "radio_buttons", "action_id": INPUT, "options": mode_options});
    if let Some(initial) = initial_mode {
        mode["initial_option"] = initial;
    }
    let mut people = json!({"type": "multi_users_select", "action_id": INPUT, "placeholder": plain("Choose people")});
    if !users.is_empty() {
        people["initial_users"] = json!(users);
    }
    let mut group_input = json!({"type": "plain_text_input", "action_id": INPUT, "placeholder": plain("@aad-support"), "max_length": 100});
    if let Some(group) = group {
        group_input["initial_value"] = json!(group);
    }
    let mut probe = json!({"type": "checkboxes", "action_id": INPUT, "options": [probe_option.clone()]});
    if current.probe_buttons {
        probe["initial_options"] = json!([probe_option]);
    }
    let title = match (name.is_empty(), channel.chars().all(|c| c.is_ascii_alphanumeric())) {
        (false, _) => format!("#{}", escape(name)),
        (true, true) => format!("<#{channel}>"),
        (true, false) => "this channel".to_string(),
    };
    let metadata = json!({"c": channel, "n": name}).to_string();
    json!({
        "type": "modal", "callback_id": CALLBACK, "private_metadata": metadata,
        "title": plain("Channel settings"), "submit": plain("Save"), "close": plain("Cancel"),
        "blocks": [
            section(&format!("How errkb helps in {title}.")),
            {"type": "input", "block_id": BLOCK_MODE, "label": plain("Answers"), "element": mode},
            {"type": "input", "block_id": BLOCK_PEOPLE, "optional": true, "label": plain("Still stuck calls in these people"), "element": people},
            {"type": "input", "block_id": BLOCK_GROUP, "optional": true, "label": plain("…and this user group"), "element": group_input,
             "hint": plain(GROUP_HINT)},
            {"type": "input", "block_id": BLOCK_PROBE, "optional": true, "label": plain("Live check"), "element": probe},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Automatic answers need errkb in this channel (`/invite @errkb`) and the app's message events (`errkb manifest slack --auto-answer`)."}]},
        ],
    })
}

fn group_label(t: &EscalationTarget) -> String {
    if t.name.is_empty() { t.id.clone() } else { format!("@{}", t.name.trim_start_matches('@')) }
}

/// What the admin asked for.
#[derive(Debug, Clone)]
struct Choice {
    mode: AnswerMode,
    people: Vec<String>,
    group: Group,
    probe: bool,
}

/// The user group field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    None,
    Id(String),
    Handle(String),
}

/// Reads the user group field: empty, an id (`S0123`, `<!subteam^S0123|@x>`) or a handle.
pub fn parse_group(raw: &str) -> Result<Group, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Group::None);
    }
    if let Some(rest) = raw.strip_prefix("<!subteam^") {
        let id = rest.trim_end_matches('>').split('|').next().unwrap_or_default();
        return if is_group_id(id) { Ok(Group::Id(id.to_string())) } else { Err(GROUP_HINT) };
    }
    if is_group_id(raw) {
        return Ok(Group::Id(raw.to_string()));
    }
    let handle = raw.trim_start_matches('@');
    let ok = !handle.is_empty()
        && handle.len() <= 80
        && handle.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok { Ok(Group::Handle(handle.to_lowercase())) } else { Err(GROUP_HINT) }
}

/// The modal was submitted: a malformed user group gets a field error; anything else closes the
/// modal and is saved in the background.
pub fn view_submission(state: &AppState, slack: &Arc<SlackApp>, i: &Interaction) -> Ack {
    let view = i.view.clone().unwrap_or(Value::Null);
    let values = &view["state"]["values"];
    let group = match parse_group(values[BLOCK_GROUP][INPUT]["value"].as_str().unwrap_or_default()) {
        Ok(group) => group,
        Err(hint) => return Ack::Json(json!({"response_action": "errors", "errors": {BLOCK_GROUP: hint}})),
    };
    let people = values[BLOCK_PEOPLE][INPUT]["selected_users"].as_array().cloned().unwrap_or_default();
    let choice = Choice {
        mode: AnswerMode::parse(values[BLOCK_MODE][INPUT]["selected_option"]["value"].as_str().unwrap_or_default()),
        people: people
            .iter()
            .filter_map(Value::as_str)
            .filter(|u| super::escape::user_mention(u).is_some())
            .map(String::from)
            .collect(),
        group,
        probe: values[BLOCK_PROBE][INPUT]["selected_options"]
            .as_array()
            .is_some_and(|o| o.iter().any(|x| x["value"] == "on")),
    };
    let meta: Value =
        serde_json::from_str(view["private_metadata"].as_str().unwrap_or_default()).unwrap_or(Value::Null);
    let channel = meta["c"].as_str().unwrap_or_default().to_string();
    let name = meta["n"].as_str().unwrap_or_default().to_string();
    if channel.is_empty() {
        return Ack::Empty;
    }
    let to = Private { team: i.team.id.clone(), channel, user: i.user.id.clone(), response_url: String::new() };
    tokio::spawn(save(state.clone(), slack.clone(), to, name, choice));
    Ack::Empty
}

async fn save(state: AppState, slack: Arc<SlackApp>, to: Private, name: String, choice: Choice) {
    let Some(token) = slack.token_for(&state.store, &to.team).await else {
        return tracing::warn!(team = %to.team, "no Slack bot token: channel settings not saved");
    };
    if !may_change(&state, &slack, &token, &to.user).await {
        return tell_with(&slack, &token, &to, &refusal()).await;
    }
    let current = channel_answer::settings(&state, &to.channel).await;
    let mut escalation: Vec<EscalationTarget> = choice
        .people
        .iter()
        .map(|id| EscalationTarget { kind: "user".into(), id: id.clone(), name: String::new() })
        .collect();
    let mut problem = None;
    match &choice.group {
        Group::None => {}
        Group::Id(id) => {
            escalation.push(EscalationTarget { kind: "group".into(), id: id.clone(), name: String::new() })
        }
        Group::Handle(handle) => match find_group(&slack, &token, handle).await {
            Some(group) => escalation.push(group),
            None => {
                problem = Some(format!(
                    "No user group @{} was found (errkb needs the usergroups:read scope to look handles up), so the \
                     group was left as it was. Paste the group's ID (S…) instead.",
                    escape(handle)
                ));
                escalation.extend(current.escalation.iter().filter(|t| t.kind == "group").cloned());
            }
        },
    }
    let settings = ChannelSettings {
        channel_name: Some(name).filter(|n| !n.is_empty()),
        answer_mode: choice.mode,
        escalation,
        probe_buttons: choice.probe,
        updated_by: to.user.clone(),
        ..current
    };
    let message = match state.store.save_channel_settings(&settings).await {
        Ok(()) => summary(&settings, &to.user, problem.as_deref()),
        Err(e) => {
            tracing::warn!(error = %e, "saving channel settings failed");
            notice("The settings could not be saved (the database did not answer); please try again.")
        }
    };
    tell_with(&slack, &token, &to, &message).await;
}

/// The user group with this handle, from `usergroups.list`.
async fn find_group(slack: &SlackApp, token: &SecretString, handle: &str) -> Option<EscalationTarget> {
    let reply = match slack.api.call_form("usergroups.list", token, &[("include_disabled", "false")]).await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::warn!(error = %e, "usergroups.list failed");
            return None;
        }
    };
    let groups = reply["usergroups"].as_array()?;
    let found = groups.iter().find(|g| g["handle"].as_str().is_some_and(|h| h.eq_ignore_ascii_case(handle)))?;
    let id = found["id"].as_str().filter(|id| is_group_id(id))?;
    Some(EscalationTarget { kind: "group".into(), id: id.to_string(), name: handle.to_string() })
}

/// The private confirmation after saving.
pub fn summary(s: &ChannelSettings, by: &str, problem: Option<&str>) -> Message {
    let answers = match s.answer_mode {
        AnswerMode::Mention => "only when asked (mentions and the slash command)",
        AnswerMode::Auto => "also pasted errors, automatically, one answer per thread",
    };
    let called = mentions(&s.escalation);
    let called = if called.is_empty() { "nobody yet".to_string() } else { called.join(" ") };
    let by = super::escape::user_mention(by).unwrap_or_default();
    let mut text = format!(
        "*errkb's settings for this channel* were saved by {by}.\n• Answers: {answers}\n• Still stuck calls in: {called}\n\
         • Live-check buttons: {}",
        if s.probe_buttons { "shown" } else { "hidden" }
    );
    if s.answer_mode == AnswerMode::Auto {
        text.push_str("\n_Automatic answers need errkb in this channel (`/invite @errkb`) and the app's message events (`errkb manifest slack --auto-answer`)._");
    }
    if let Some(problem) = problem {
        text.push_str(&format!("\n⚠️ {problem}"));
    }
    Message { text: "errkb's settings for this channel were saved".into(), blocks: vec![section(&text)] }
}

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text, "emoji": true})
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn, "verbatim": true}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_group_is_read_as_an_id_a_handle_or_refused() {
        assert_eq!(parse_group(""), Ok(Group::None));
        assert_eq!(parse_group("S0614TZR7"), Ok(Group::Id("S0614TZR7".into())));
        assert_eq!(parse_group("<!subteam^S0614TZR7|@admins>"), Ok(Group::Id("S0614TZR7".into())));
        assert_eq!(parse_group(" @AAD-Support "), Ok(Group::Handle("aad-support".into())));
        assert!(parse_group("<!channel>").is_err());
        assert!(parse_group("two words").is_err());
        assert!(parse_group("<!subteam^nope>").is_err());
    }
}
