//! The Teams adapter assembled from configuration: the bot (JWT validator + connector client), the
//! outgoing-webhook key, and the dev-only anonymous mode.
//!
//! Owns which Teams pieces are on and the refusal to start the anonymous mode off loopback. The
//! outbound base URLs (OpenID metadata, token authority, serviceUrl host allow-list) come from
//! `ERRKB_TEAMS_*` variables with the public-cloud defaults. Knows nothing of routes or cards.

use std::net::SocketAddr;

use secrecy::SecretString;

use super::auth::{CHANNEL_METADATA_URL, ChannelAuth};
use super::clock::Clock;
use super::connector::{Connector, DEFAULT_ALLOWED_HOSTS, RetryPolicy};
use super::token::{DEFAULT_AUTHORITY, TokenSource};
use super::webhook_auth::{HmacError, WebhookKey};
use crate::config::TeamsConfig;

#[derive(Debug, thiserror::Error)]
pub enum TeamsSetupError {
    #[error("ERRKB_TEAMS_ANONYMOUS is refused: the server listens on {0}, not on a loopback address")]
    AnonymousOffLoopback(SocketAddr),
    #[error("TEAMS_WEBHOOK_SECRET: {0}")]
    WebhookSecret(HmacError),
}

/// Outbound endpoints and the dev switch; defaults are Microsoft's public cloud.
#[derive(Debug, Clone)]
pub struct TeamsOptions {
    pub metadata_url: String,
    pub authority: String,
    pub allowed_hosts: Vec<String>,
    /// Dev only: accept activities without a token and reply without one (loopback only).
    pub anonymous: bool,
    pub retry: RetryPolicy,
}

impl Default for TeamsOptions {
    fn default() -> TeamsOptions {
        TeamsOptions {
            metadata_url: CHANNEL_METADATA_URL.to_string(),
            authority: DEFAULT_AUTHORITY.to_string(),
            allowed_hosts: DEFAULT_ALLOWED_HOSTS.iter().map(|h| h.to_string()).collect(),
            anonymous: false,
            retry: RetryPolicy::default(),
        }
    }
}

impl TeamsOptions {
    /// The options the configuration asks for (`ERRKB_TEAMS_OPENID_METADATA_URL`,
    /// `ERRKB_TEAMS_AUTHORITY_URL`, `ERRKB_TEAMS_SERVICE_URL_HOSTS`, `ERRKB_TEAMS_ANONYMOUS`);
    /// unset ones keep the Bot Framework defaults.
    pub fn from_config(teams: &TeamsConfig) -> TeamsOptions {
        let mut o = TeamsOptions::default();
        if let Some(url) = &teams.openid_metadata_url {
            o.metadata_url = url.clone();
        }
        if let Some(url) = &teams.authority_url {
            o.authority = url.clone();
        }
        if !teams.service_url_hosts.is_empty() {
            o.allowed_hosts = teams.service_url_hosts.clone();
        }
        o.anonymous = teams.anonymous;
        o
    }
}

/// The bot side: how activities are authenticated and how replies are sent.
#[derive(Debug)]
pub struct Bot {
    /// `None` in the anonymous mode.
    pub auth: Option<ChannelAuth>,
    pub connector: Connector,
}

/// Everything the Teams routes need.
#[derive(Debug)]
pub struct TeamsApp {
    pub bot: Option<Bot>,
    pub webhook: Option<WebhookKey>,
}

impl TeamsApp {
    /// The Teams pieces the configuration turns on, or `None` when none is. The bot needs
    /// `MICROSOFT_APP_ID`, `MICROSOFT_APP_PASSWORD` and `MICROSOFT_APP_TENANT_ID` (a single-tenant
    /// bot); the lite mode needs `TEAMS_WEBHOOK_SECRET`.
    pub fn from_config(
        teams: &TeamsConfig,
        listen: SocketAddr,
        options: &TeamsOptions,
    ) -> Result<Option<TeamsApp>, TeamsSetupError> {
        let webhook = teams
            .webhook_secret
            .as_ref()
            .map(WebhookKey::from_secret)
            .transpose()
            .map_err(TeamsSetupError::WebhookSecret)?;
        let bot = if options.anonymous {
            if !listen.ip().is_loopback() {
                return Err(TeamsSetupError::AnonymousOffLoopback(listen));
            }
            tracing::warn!(
                %listen,
                "TEAMS ANONYMOUS MODE IS ON: /api/messages accepts activities WITHOUT authentication and replies \
                 without a token. Dev only (Agents Playground); never in production."
            );
            Some(Bot { auth: None, connector: Connector::anonymous(options.retry) })
        } else {
            authenticated_bot(teams, options)
        };
        if bot.is_none() && webhook.is_none() {
            return Ok(None);
        }
        Ok(Some(TeamsApp { bot, webhook }))
    }
}

fn authenticated_bot(teams: &TeamsConfig, options: &TeamsOptions) -> Option<Bot> {
    // The same decision `--check-config` and the start-up log report (config::TeamsConfig::bot).
    let creds = teams.bot().ok()?;
    let clock = Clock::system();
    let password = SecretString::clone(creds.app_password);
    let tokens = TokenSource::new(&options.authority, creds.tenant_id, creds.app_id, password, clock.clone());
    Some(Bot {
        auth: Some(ChannelAuth::new(creds.app_id.to_string(), options.metadata_url.clone(), clock)),
        connector: Connector::new(tokens, options.allowed_hosts.clone(), options.retry),
    })
}
