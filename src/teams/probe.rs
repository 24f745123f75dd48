//! The live credential probe's Teams entry points: the "Run live check" and "Quick check" card
//! buttons and the quick-check form's submission (all `Action.Submit`, so they arrive as message
//! activities with a `verb` in `value`), the private delivery of every reply (the personal chat:
//! this one when the activity came from it, else one created through the connector), and the
//! [`ProbeNotifier`] that sends a link's summary back there.
//!
//! Owns the Teams side of the probe flows and the meaning of a Teams link's `reply` JSON; the
//! guards (who may probe, rate limits, links, audit) are [`ProbeService`]'s. Never receives a
//! secret and never posts a link or a result where others can see it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::activity::Activity;
use super::card::{VERB_PROBE_LINK, VERB_PROBE_QUICK};
use super::connector::{ConnectorError, Personal, ReplyTo};
use super::probe_cards::{self as cards, INPUT_CLIENT_ID, INPUT_CLOUD, INPUT_TENANT, VERB_QUICK_RUN};
use super::service::TeamsApp;
use crate::http::AppState;
use crate::http::probe::{BoxFuture, ProbeNotifier, ProbeService, ProbeSummary, Refusal, Requester};
use crate::probe::Cloud;

/// Where a Teams user's private replies go; stored as a link's `reply` JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PersonalChat {
    pub service_url: String,
    pub tenant_id: String,
    pub user_id: String,
    pub bot_id: String,
    /// The personal conversation, when known (the activity came from it).
    pub conversation_id: Option<String>,
}

impl PersonalChat {
    fn of(a: &Activity) -> PersonalChat {
        PersonalChat {
            service_url: a.service_url.clone().unwrap_or_default(),
            tenant_id: a.tenant_id().unwrap_or_default(),
            user_id: a.from.as_ref().map(|f| f.id.clone()).unwrap_or_default(),
            bot_id: a.recipient.as_ref().map(|r| r.id.clone()).unwrap_or_default(),
            conversation_id: a.is_personal().then(|| a.conversation.as_ref().map(|c| c.id.clone())).flatten(),
        }
    }
}

/// The probe verb of a card submission, if this message activity is one.
pub fn verb(a: &Activity) -> Option<&str> {
    if a.kind != "message" {
        return None;
    }
    let verb = a.value.as_ref()?.get("verb")?.as_str()?;
    [VERB_PROBE_LINK, VERB_PROBE_QUICK, VERB_QUICK_RUN].contains(&verb).then_some(verb)
}

/// Handles a probe card submission (after the route has answered 200).
pub async fn handle(state: AppState, teams: Arc<TeamsApp>, a: Activity) {
    let to = PersonalChat::of(&a);
    let Some(probe) = state.probe.clone() else {
        return tell(&teams, &to, Some(&a), &refusal_card(&Refusal::Disabled)).await;
    };
    let name = a.from.as_ref().and_then(|f| f.name.clone()).unwrap_or_default();
    let who = Requester { platform: "teams", user_id: &to.user_id, user_name: &name };
    if !probe.is_allowed("teams", &to.user_id) {
        return tell(&teams, &to, Some(&a), &refusal_card(&Refusal::NotAllowed)).await;
    }
    let value = a.value.clone().unwrap_or(Value::Null);
    let card = match verb(&a) {
        Some(VERB_PROBE_LINK) => link(&state, &probe, &who, &to, &value).await,
        Some(VERB_PROBE_QUICK) => cards::quick_form_card(),
        Some(VERB_QUICK_RUN) => quick(&state, &probe, &who, &value).await,
        _ => return,
    };
    tell(&teams, &to, Some(&a), &card).await;
}

async fn link(state: &AppState, probe: &ProbeService, who: &Requester<'_>, to: &PersonalChat, value: &Value) -> Value {
    let code = value["code"].as_str().filter(|c| !c.is_empty());
    let reply = serde_json::to_string(to).unwrap_or_default();
    match probe.issue_link(&state.store, &state.settings.public_url, who, code, &reply).await {
        Ok(url) => cards::link_card(&url),
        Err(refusal) => refusal_card(&refusal),
    }
}

async fn quick(state: &AppState, probe: &ProbeService, who: &Requester<'_>, value: &Value) -> Value {
    let field = |name: &str| value[name].as_str().unwrap_or_default().to_string();
    let Ok(cloud) = field(INPUT_CLOUD).parse::<Cloud>() else {
        return cards::notice_card("Unknown cloud: choose public, usgov or china.");
    };
    match probe.quick(&state.store, who, cloud, &field(INPUT_TENANT), &field(INPUT_CLIENT_ID)).await {
        Ok(report) => {
            let guide = report.guide_code().and_then(|c| state.engine.current().get(&c).cloned());
            cards::quick_result_card(&report, guide.as_deref(), &state.settings.public_url)
        }
        Err(refusal) => refusal_card(&refusal),
    }
}

fn refusal_card(refusal: &Refusal) -> Value {
    cards::notice_card(&format!("Sorry: {refusal}."))
}

/// Sends `card` to the user's personal chat: a reply to `from` when it came from that chat,
/// else into the known personal conversation, else into one created now. Never a channel.
async fn tell(teams: &TeamsApp, to: &PersonalChat, from: Option<&Activity>, card: &Value) {
    let activity = cards::message(card.clone(), card["fallbackText"].as_str().unwrap_or("errkb"));
    if let Err(e) = deliver(teams, to, from, &activity).await {
        tracing::warn!(error = %e, "a private Teams probe reply could not be sent");
    }
}

async fn deliver(
    teams: &TeamsApp,
    to: &PersonalChat,
    from: Option<&Activity>,
    activity: &Value,
) -> Result<(), ConnectorError> {
    let Some(bot) = &teams.bot else { return Ok(()) };
    if let (Some(a), Some(id)) = (from.filter(|a| a.is_personal()), from.and_then(|a| a.id.as_deref())) {
        let conversation = a.conversation.as_ref().map(|c| c.id.as_str()).unwrap_or_default();
        let reply = ReplyTo { service_url: &to.service_url, conversation_id: conversation, activity_id: id };
        return bot.connector.reply(&reply, activity).await.map(drop);
    }
    let conversation = match &to.conversation_id {
        Some(id) => id.clone(),
        None => {
            let who = Personal {
                service_url: &to.service_url,
                bot_id: &to.bot_id,
                user_id: &to.user_id,
                tenant_id: &to.tenant_id,
            };
            bot.connector.personal_conversation(&who).await?
        }
    };
    bot.connector.send(&to.service_url, &conversation, activity).await.map(drop)
}

/// The Teams [`ProbeNotifier`]: the summary goes to the personal chat stored with the link.
pub struct TeamsNotifier {
    teams: Arc<TeamsApp>,
}

impl TeamsNotifier {
    pub fn new(teams: Arc<TeamsApp>) -> TeamsNotifier {
        TeamsNotifier { teams }
    }

    async fn send(&self, reply: &str, summary: &ProbeSummary) {
        match serde_json::from_str::<PersonalChat>(reply) {
            Ok(to) => tell(&self.teams, &to, None, &cards::summary_card(summary)).await,
            Err(_) => tracing::warn!("a Teams probe link without a usable reply address: no summary sent"),
        }
    }
}

impl ProbeNotifier for TeamsNotifier {
    fn notify<'a>(&'a self, reply: &'a str, summary: &'a ProbeSummary) -> BoxFuture<'a> {
        Box::pin(self.send(reply, summary))
    }
}

/// Lets the probe send Teams users their summaries (a no-op when the probe or the bot is off).
pub fn register(state: &AppState, teams: &Arc<TeamsApp>) {
    if let (Some(probe), Some(_)) = (&state.probe, &teams.bot) {
        probe.register_notifier("teams", Arc::new(TeamsNotifier::new(teams.clone())));
    }
}
