//! Incoming Slack payloads, parsed leniently: slash-command forms, Events API envelopes and
//! interaction payloads become small typed values with every field optional.
//!
//! Owns the shapes errkb reads and nothing else. slack-morphism's models are strict (a field
//! Slack drops or renames fails the whole request, and a 4xx makes Slack retry: research/slack.md
//! §1.12), so only the fields used here are read, with defaults. Knows no HTTP and no answers.

use serde::Deserialize;
use serde_json::Value;

/// Why a payload was refused (the route answers 400 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not valid UTF-8")]
    NotUtf8,
    #[error("the body is not JSON: {0}")]
    Json(String),
    #[error("the form has no `payload` field")]
    NoPayload,
    #[error("unknown payload type {0:?}")]
    UnknownType(String),
}

/// A slash command (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    pub ssl_check: bool,
    pub command: String,
    pub text: String,
    pub team_id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub user_id: String,
    pub response_url: String,
    pub trigger_id: String,
}

/// Reads a slash-command form; unknown fields are ignored, missing ones are empty.
pub fn command(body: &[u8]) -> Command {
    let mut c = Command::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        let value = value.into_owned();
        match key.as_ref() {
            "ssl_check" => c.ssl_check = value == "1",
            "command" => c.command = value,
            "text" => c.text = value,
            "team_id" => c.team_id = value,
            "channel_id" => c.channel_id = value,
            "channel_name" => c.channel_name = value,
            "user_id" => c.user_id = value,
            "response_url" => c.response_url = value,
            "trigger_id" => c.trigger_id = value,
            _ => {}
        }
    }
    c
}

/// A slash command as Socket Mode delivers it (a JSON object with the form's fields).
pub fn command_from_json(value: &Value) -> Command {
    let field = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    Command {
        ssl_check: false,
        command: field("command"),
        text: field("text"),
        team_id: field("team_id"),
        channel_id: field("channel_id"),
        channel_name: field("channel_name"),
        user_id: field("user_id"),
        response_url: field("response_url"),
        trigger_id: field("trigger_id"),
    }
}

/// An Events API request.
#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    UrlVerification { challenge: String },
    Callback(Box<Callback>),
    RateLimited,
}

/// `event_callback`: the envelope and its inner event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Callback {
    pub team_id: String,
    pub event_id: String,
    pub authorizations: Vec<Authorization>,
    pub event: Event,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Authorization {
    pub user_id: String,
    pub is_bot: bool,
}

/// The inner event: the union of the fields errkb reads from any event type.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    pub subtype: Option<String>,
    pub user: String,
    pub bot_id: Option<String>,
    pub text: String,
    pub channel: String,
    pub channel_type: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub tab: String,
}

impl Callback {
    /// True when the event comes from a bot: errkb itself or any other.
    pub fn from_a_bot(&self) -> bool {
        let e = &self.event;
        e.bot_id.is_some()
            || e.subtype.as_deref() == Some("bot_message")
            || self.authorizations.iter().any(|a| a.is_bot && !a.user_id.is_empty() && a.user_id == e.user)
    }
}

/// Reads an Events API body.
pub fn push(body: &[u8]) -> Result<Push, PayloadError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| PayloadError::Json(e.to_string()))?;
    match value.get("type").and_then(Value::as_str).unwrap_or_default() {
        "url_verification" => {
            let challenge = value.get("challenge").and_then(Value::as_str).unwrap_or_default().to_string();
            Ok(Push::UrlVerification { challenge })
        }
        "event_callback" => {
            let callback: Callback = serde_json::from_value(value).map_err(|e| PayloadError::Json(e.to_string()))?;
            Ok(Push::Callback(Box::new(callback)))
        }
        "app_rate_limited" => Ok(Push::RateLimited),
        other => Err(PayloadError::UnknownType(other.chars().take(40).collect())),
    }
}

/// An interaction (`payload=` form field holding JSON).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Interaction {
    #[serde(rename = "type")]
    pub kind: String,
    pub callback_id: String,
    pub trigger_id: String,
    pub response_url: String,
    pub user: Id,
    pub team: Id,
    pub channel: Id,
    pub container: Container,
    pub message: Option<Value>,
    pub actions: Vec<Action>,
    pub view: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Id {
    pub id: String,
    /// A user's handle and name (interactions carry them; teams and channels do not).
    pub username: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Container {
    pub is_ephemeral: bool,
    pub message_ts: String,
    pub channel_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Action {
    pub action_id: String,
    pub value: String,
    /// A link button's URL.
    pub url: String,
}

impl Interaction {
    /// The text of the message a shortcut was used on.
    pub fn message_text(&self) -> &str {
        self.message.as_ref().and_then(|m| m.get("text")).and_then(Value::as_str).unwrap_or_default()
    }

    /// The blocks of the message a button was clicked in (absent for ephemeral messages).
    pub fn message_blocks(&self) -> Option<&Vec<Value>> {
        self.message.as_ref()?.get("blocks")?.as_array()
    }

    /// The clicked message's blocks, moved out of the payload (for a handler that rebuilds the
    /// message from them and needs no other copy).
    pub fn take_message_blocks(&mut self) -> Option<Vec<Value>> {
        match self.message.as_mut()?.get_mut("blocks")?.take() {
            Value::Array(blocks) => Some(blocks),
            _ => None,
        }
    }

    pub fn channel_id(&self) -> &str {
        if self.channel.id.is_empty() { &self.container.channel_id } else { &self.channel.id }
    }
}

/// Reads an interaction form body (`payload=<json>`).
pub fn interaction(body: &[u8]) -> Result<Interaction, PayloadError> {
    let payload = url::form_urlencoded::parse(body).find(|(k, _)| k == "payload").map(|(_, v)| v.into_owned());
    let payload = payload.ok_or(PayloadError::NoPayload)?;
    let interaction: Interaction = serde_json::from_str(&payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    if interaction.kind.is_empty() {
        return Err(PayloadError::UnknownType(String::new()));
    }
    Ok(interaction)
}

/// The question in a mention: the text without the leading `<@U...>` mentions.
pub fn strip_mentions(text: &str) -> String {
    let mut rest = text.trim_start();
    while let Some(after) = rest.strip_prefix("<@") {
        match after.find('>') {
            Some(end) => rest = after[end + 1..].trim_start(),
            None => break,
        }
    }
    rest.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_form_is_read_and_unknown_or_missing_fields_do_not_matter() {
        let c = command(b"command=%2Faadsts&text=AADSTS50011+from+%3C%21channel%3E&user_id=U1&extra=1");
        assert_eq!(
            (c.command.as_str(), c.text.as_str(), c.user_id.as_str()),
            ("/aadsts", "AADSTS50011 from <!channel>", "U1")
        );
        assert_eq!(command(b"\xff\xfe=&&=").text, "");
        assert!(command(b"ssl_check=1&token=x").ssl_check);
    }

    #[test]
    fn events_are_read_leniently_and_unknown_envelopes_refused() {
        let body = br#"{"type":"event_callback","event_id":"Ev1","team_id":"T1","event":{"type":"app_mention","user":"U1","text":"hi","channel":"C1","ts":"1.1","new_field":[1]}}"#;
        let Push::Callback(cb) = push(body).unwrap() else { panic!("callback") };
        assert_eq!(
            (cb.event.kind.as_str(), cb.event_id.as_str(), cb.event.thread_ts.as_deref()),
            ("app_mention", "Ev1", None)
        );
        assert_eq!(
            push(br#"{"type":"url_verification","challenge":"abc"}"#).unwrap(),
            Push::UrlVerification { challenge: "abc".into() }
        );
        assert!(matches!(push(br#"{"type":"mystery"}"#), Err(PayloadError::UnknownType(_))));
        assert!(matches!(push(b"not json"), Err(PayloadError::Json(_))));
        assert!(matches!(push(br#"{"type":"event_callback","event":"nope"}"#), Err(PayloadError::Json(_))));
    }

    #[test]
    fn bot_messages_and_our_own_are_recognised() {
        let mut cb = Callback {
            authorizations: vec![Authorization { user_id: "UBOT".into(), is_bot: true }],
            ..Default::default()
        };
        cb.event.user = "UBOT".into();
        assert!(cb.from_a_bot());
        cb.event.user = "U1".into();
        assert!(!cb.from_a_bot());
        cb.event.bot_id = Some("B1".into());
        assert!(cb.from_a_bot());
    }

    #[test]
    fn interactions_need_a_payload_field_with_a_type() {
        let form = format!(
            "payload={}",
            urlencode(r#"{"type":"block_actions","actions":[{"action_id":"share","value":"x"}]}"#)
        );
        let i = interaction(form.as_bytes()).unwrap();
        assert_eq!((i.kind.as_str(), i.actions[0].action_id.as_str()), ("block_actions", "share"));
        assert_eq!(interaction(b"nothing=1"), Err(PayloadError::NoPayload));
        assert!(interaction(b"payload=%7B%7D").is_err());
        assert!(interaction(b"payload=%7B").is_err());
    }

    #[test]
    fn leading_mentions_are_stripped_from_the_question() {
        assert_eq!(strip_mentions("<@U1> <@U2|bot>  AADSTS50011 <@U3>"), "AADSTS50011 <@U3>");
        assert_eq!(strip_mentions("<@U1"), "<@U1");
    }

    fn urlencode(s: &str) -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }
}
