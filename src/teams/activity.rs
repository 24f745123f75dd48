//! Bot Framework activities as Teams sends them, parsed leniently (every field optional, unknown
//! fields ignored), and the mention stripping that turns `<at>errkb</at> AADSTS50011` into the
//! question.
//!
//! Owns the wire shape of inbound activities and of our reply activity. Knows nothing of
//! answers, cards' contents, HTTP or authentication.

use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub service_url: Option<String>,
    pub channel_id: Option<String>,
    pub from: Option<Account>,
    pub recipient: Option<Account>,
    pub conversation: Option<Conversation>,
    pub text: Option<String>,
    pub entities: Vec<Value>,
    pub value: Option<Value>,
    pub members_added: Vec<Account>,
    pub reply_to_id: Option<String>,
    pub channel_data: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Conversation {
    pub id: String,
    pub conversation_type: Option<String>,
    pub tenant_id: Option<String>,
}

impl Account {
    /// `{id, name}` with no `name` key when there is none.
    fn to_json(&self) -> Value {
        let mut v = json!({"id": self.id});
        if let Some(name) = &self.name {
            v["name"] = json!(name);
        }
        v
    }
}

impl Activity {
    /// Parses a body; `None` for anything that is not a JSON object with a string `type`.
    pub fn parse(body: &[u8]) -> Option<Activity> {
        Activity::from_json(&serde_json::from_slice(body).ok()?)
    }

    /// The same from a body already parsed; `None` for anything but an object with a string `type`.
    pub fn from_json(value: &Value) -> Option<Activity> {
        value.get("type")?.as_str()?;
        Activity::deserialize(value).ok()
    }

    /// The Entra tenant of the conversation (`channelData.tenant.id`, else `conversation.tenantId`).
    pub fn tenant_id(&self) -> Option<String> {
        let from_data = self.channel_data.as_ref().and_then(|d| d["tenant"]["id"].as_str()).map(str::to_string);
        from_data.or_else(|| self.conversation.as_ref().and_then(|c| c.tenant_id.clone())).filter(|t| !t.is_empty())
    }

    /// True in a one-to-one chat with the bot.
    pub fn is_personal(&self) -> bool {
        self.conversation.as_ref().and_then(|c| c.conversation_type.as_deref()) == Some("personal")
    }

    /// True when this conversationUpdate added the bot itself.
    pub fn adds_the_bot(&self) -> bool {
        let Some(bot) = &self.recipient else { return false };
        self.members_added.iter().any(|m| m.id == bot.id)
    }

    /// The message text with the bot's mentions removed, whitespace collapsed.
    pub fn question_text(&self) -> String {
        let bot = self.recipient.as_ref();
        strip_mentions(self.text.as_deref().unwrap_or_default(), &self.entities, bot)
    }

    /// Our reply: a message from the bot to the sender in the same conversation, threaded
    /// under this activity, carrying one card attachment and a plain-text summary.
    pub fn reply_with_card(&self, card: Value, summary: &str) -> Value {
        let mut reply = json!({
            "type": "message",
            "attachments": [super::card::attachment(card)],
            "summary": summary,
        });
        if let Some(from) = &self.recipient {
            reply["from"] = from.to_json();
        }
        if let Some(to) = &self.from {
            reply["recipient"] = to.to_json();
        }
        if let Some(conversation) = &self.conversation {
            reply["conversation"] = json!({"id": conversation.id});
        }
        if let Some(id) = &self.id {
            reply["replyToId"] = json!(id);
        }
        reply
    }
}

/// Removes the mentions of `bot` from `text`: each mention entity's own `text`, then the
/// `<at>Name</at>` and `<at>@Name</at>` forms of the mentioned and recipient names; other `<at>`
/// tags keep their inner name. Whitespace is collapsed and trimmed.
pub fn strip_mentions(text: &str, entities: &[Value], bot: Option<&Account>) -> String {
    let mut out = text.to_string();
    let mut names: Vec<String> = bot.and_then(|b| b.name.clone()).into_iter().collect();
    for entity in entities.iter().filter(|e| e["type"] == "mention") {
        let mentioned = &entity["mentioned"];
        let is_bot = bot.is_some_and(|b| mentioned["id"].as_str() == Some(b.id.as_str()));
        if !is_bot {
            continue;
        }
        if let Some(t) = entity["text"].as_str().filter(|t| !t.is_empty()) {
            out = out.replace(t, " ");
        }
        names.extend(mentioned["name"].as_str().map(str::to_string));
    }
    for name in names.iter().filter(|n| !n.is_empty()) {
        let bare = name.trim_start_matches('@');
        for form in [format!("<at>{bare}</at>"), format!("<at>@{bare}</at>")] {
            out = out.replace(&form, " ");
        }
    }
    let out = out.replace("<at>", "").replace("</at>", "");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `<at>…</at>` mention removed, inner names included (the outgoing webhook's text starts
/// with the webhook's own mention, and its entities are not needed to find it).
pub fn strip_all_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<at>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</at>") {
            Some(end) => rest = &rest[start + end + "</at>".len()..],
            None => {
                rest = &rest[start + "<at>".len()..];
            }
        }
        out.push(' ');
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
