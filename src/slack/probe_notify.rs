//! Sends the secret-free summary of a probe run from a one-time link back to the Slack user the
//! link was issued to: chat.postEphemeral in the channel the link was asked for, else a direct
//! message. [`register`] hands the notifier to the [`ProbeService`](crate::http::probe::ProbeService).
//!
//! Owns the meaning of the link's `reply` JSON for Slack (`team`, `channel`, `user`). Knows no
//! routes and never sees a secret: a [`ProbeSummary`] holds none.

use std::sync::Arc;

use serde_json::Value;

use super::probe::{Private, tell_with};
use super::probe_view::summary_message;
use super::service::SlackApp;
use crate::http::AppState;
use crate::http::probe::{BoxFuture, ProbeNotifier, ProbeSummary};
use crate::store::Store;

/// The Slack [`ProbeNotifier`].
pub struct SlackNotifier {
    slack: Arc<SlackApp>,
    store: Store,
}

impl SlackNotifier {
    pub fn new(slack: Arc<SlackApp>, store: Store) -> SlackNotifier {
        SlackNotifier { slack, store }
    }

    async fn send(&self, reply: &str, summary: &ProbeSummary) {
        let reply: Value = serde_json::from_str(reply).unwrap_or(Value::Null);
        let field = |name: &str| reply[name].as_str().unwrap_or_default().to_string();
        let to = Private { team: field("team"), channel: field("channel"), user: field("user"), ..Private::default() };
        if to.user.is_empty() {
            return tracing::warn!("a Slack probe link without a user: no summary sent");
        }
        let Some(token) = self.slack.token_for(&self.store, &to.team).await else {
            return tracing::warn!(team = %to.team, "no Slack bot token: the probe summary was not sent");
        };
        tell_with(&self.slack, &token, &to, &summary_message(summary)).await;
    }
}

impl ProbeNotifier for SlackNotifier {
    fn notify<'a>(&'a self, reply: &'a str, summary: &'a ProbeSummary) -> BoxFuture<'a> {
        Box::pin(self.send(reply, summary))
    }
}

/// Lets the probe send Slack users their summaries (a no-op when the probe is off).
pub fn register(state: &AppState, slack: &Arc<SlackApp>) {
    if let Some(probe) = &state.probe {
        probe.register_notifier("slack", Arc::new(SlackNotifier::new(slack.clone(), state.store.clone())));
    }
}
