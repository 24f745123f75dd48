//! The Slack app's runtime context, [`SlackApp`]: the signature verifier, the Web API client,
//! the single-workspace bot token or the OAuth client, the public URL and the recently seen
//! event ids, built once from the [`Config`] and shared by every Slack handler.
//!
//! Owns which credentials apply to a request (an installation from the store, else
//! `SLACK_BOT_TOKEN`). Knows no routes or payload shapes. `Debug` shows no secret.

use std::sync::Arc;

use secrecy::SecretString;

use super::api::{DEFAULT_BASE_URL, SlackApi};
use super::recent::RecentEvents;
use super::signature::Verifier;
use crate::config::Config;
use crate::store::{Clock, Store, system_clock};

/// The slash command errkb registers.
pub const COMMAND: &str = "/aadsts";
/// The message shortcut's callback id.
pub const EXPLAIN_ERROR: &str = "explain_error";
/// Bot scopes requested on install (minimal for what errkb does).
/// `users:read` answers "is this person a workspace admin?" (`/aadsts settings`) and
/// `usergroups:read` finds a user group by its handle.
pub const BOT_SCOPES: &str = "app_mentions:read,chat:write,commands,im:history,usergroups:read,users:read";
/// What automatic answers add (`errkb manifest slack --auto-answer`): new messages in public and
/// private channels.
pub const AUTO_ANSWER_SCOPES: &str = "channels:history,groups:history";
/// The events automatic answers need.
pub const AUTO_ANSWER_EVENTS: [&str; 2] = ["message.channels", "message.groups"];

/// What the Slack handlers need, built from [`Config`] (or by tests).
pub struct SlackApp {
    /// `None` without a signing secret: then only Socket Mode (unsigned) works.
    pub verifier: Option<Verifier>,
    pub api: SlackApi,
    pub bot_token: Option<SecretString>,
    pub oauth: Option<OAuthClient>,
    /// errkb's public URL without a trailing slash.
    pub public_url: String,
    pub clock: Clock,
    /// Event ids this replica has already taken (retries are acknowledged without a task).
    pub recent_events: RecentEvents,
}

/// The "Add to Slack" OAuth client.
#[derive(Clone)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: SecretString,
    /// Where Slack's authorize page lives (`https://slack.com/oauth/v2/authorize`).
    pub authorize_url: String,
}

impl std::fmt::Debug for SlackApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApp")
            .field("api", &self.api.base_url())
            .field("bot_token", &self.bot_token.as_ref().map(|_| "[redacted]"))
            .field("oauth", &self.oauth.as_ref().map(|o| &o.client_id))
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl SlackApp {
    /// The Slack app for `config`: `None` (Slack off) without `SLACK_SIGNING_SECRET`, unless
    /// Socket Mode is on with `SLACK_APP_TOKEN` (Socket Mode requests are not signed).
    pub fn from_config(config: &Config) -> Option<Arc<SlackApp>> {
        let socket = config.slack.socket_mode && config.slack.app_token.is_some();
        let secret = config.slack.signing_secret.as_ref();
        if secret.is_none() && !socket {
            return None;
        }
        let oauth = match (&config.slack.client_id, &config.slack.client_secret) {
            (Some(id), Some(secret)) => Some(OAuthClient {
                client_id: id.clone(),
                client_secret: secret.clone(),
                authorize_url: "https://slack.com/oauth/v2/authorize".into(),
            }),
            _ => None,
        };
        let api_url = if config.slack.api_url.is_empty() { DEFAULT_BASE_URL } else { &config.slack.api_url };
        let api = SlackApi::new(api_url);
        Some(Arc::new(SlackApp::new(
            secret,
            api,
            config.slack.bot_token.clone(),
            oauth,
            &config.public_url,
            system_clock(),
        )))
    }

    pub fn new(
        signing_secret: Option<&SecretString>,
        api: SlackApi,
        bot_token: Option<SecretString>,
        oauth: Option<OAuthClient>,
        public_url: &str,
        clock: Clock,
    ) -> SlackApp {
        SlackApp {
            verifier: signing_secret.map(|s| Verifier::new(s, clock.clone())),
            api,
            bot_token,
            oauth,
            public_url: public_url.trim_end_matches('/').to_string(),
            clock,
            recent_events: RecentEvents::default(),
        }
    }

    /// The bot token for a workspace: its stored installation, else `SLACK_BOT_TOKEN`.
    pub async fn token_for(&self, store: &Store, team_id: &str) -> Option<SecretString> {
        if !team_id.is_empty() {
            match store.installation("slack", team_id).await {
                Ok(Some(install)) => return Some(install.bot_token),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "reading the Slack installation failed"),
            }
        }
        self.bot_token.clone()
    }
}
