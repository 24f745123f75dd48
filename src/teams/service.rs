//! The Teams adapter assembled from configuration: the bot (JWT validator + connector client), the
//! outgoing-webhook key, and the dev-only anonymous mode.
//!
//! Owns which Teams pieces are on and the guards of the anonymous mode: refused off loopback,
//! refused beside real Teams credentials, and replying only to one configured loopback
//! serviceUrl (the Agents Playground's). The
//! outbound base URLs (OpenID metadata, token authority, serviceUrl host allow-list) come from
//! `ERRKB_TEAMS_*` variables with the public-cloud defaults. Knows nothing of routes or cards.

use std::net::SocketAddr;

use secrecy::SecretString;

use super::auth::{CHANNEL_METADATA_URL, ChannelAuth};
use super::clock::Clock;
use super::connector::{Connector, DEFAULT_ALLOWED_HOSTS, RetryPolicy, pinned_service_url};
use super::token::{DEFAULT_AUTHORITY, TokenSource};
use super::webhook_auth::{HmacError, WebhookKey};
use crate::config::TeamsConfig;

#[derive(Debug, thiserror::Error)]
pub enum TeamsSetupError {
    #[error("ERRKB_TEAMS_ANONYMOUS is refused: the server listens on {0}, not on a loopback address")]
    AnonymousOffLoopback(SocketAddr),
    #[error(
        "ERRKB_TEAMS_ANONYMOUS is refused: Teams credentials (MICROSOFT_APP_ID or MICROSOFT_APP_PASSWORD) are set, \
         and the unauthenticated dev mode never runs beside a real bot"
    )]
    AnonymousWithCredentials,
    #[error(
        "ERRKB_TEAMS_ANONYMOUS needs ERRKB_TEAMS_ANONYMOUS_SERVICE_URL, the Agents Playground's serviceUrl \
         (http://127.0.0.1:PORT/_connector), the only place replies go: {0}"
    )]
    AnonymousServiceUrl(&'static str),
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
    /// The anonymous mode's one serviceUrl (`ERRKB_TEAMS_ANONYMOUS_SERVICE_URL`).
    pub anonymous_service_url: Option<String>,
    pub retry: RetryPolicy,
}

impl Default for TeamsOptions {
    fn default() -> TeamsOptions {
        TeamsOptions {
            metadata_url: CHANNEL_METADATA_URL.to_string(),
            authority: DEFAULT_AUTHORITY.to_string(),
            allowed_hosts: DEFAULT_ALLOWED_HOSTS.iter().map(|h| h.to_string()).collect(),
            anonymous: false,
            anonymous_service_url: None,
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
        o.anonymous_service_url = teams.anonymous_service_url.clone();
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
            Some(anonymous_bot(teams, listen, options)?)
        } else {
            authenticated_bot(teams, options)
        };
        if bot.is_none() && webhook.is_none() {
            return Ok(None);
        }
        Ok(Some(TeamsApp { bot, webhook }))
    }
}

/// The dev-only bot: loopback only, never beside real credentials, JSON bodies only (checked by
/// the route), replies only to the configured serviceUrl.
fn anonymous_bot(teams: &TeamsConfig, listen: SocketAddr, options: &TeamsOptions) -> Result<Bot, TeamsSetupError> {
    if !listen.ip().is_loopback() {
        return Err(TeamsSetupError::AnonymousOffLoopback(listen));
    }
    if teams.app_id.is_some() || teams.app_password.is_some() {
        return Err(TeamsSetupError::AnonymousWithCredentials);
    }
    let raw = options.anonymous_service_url.as_deref().ok_or(TeamsSetupError::AnonymousServiceUrl("it is not set"))?;
    let service_url = pinned_service_url(raw).map_err(TeamsSetupError::AnonymousServiceUrl)?;
    tracing::warn!(
        %listen,
        service_url = %service_url,
        "TEAMS ANONYMOUS MODE IS ON: /api/messages accepts JSON activities WITHOUT authentication and replies \
         without a token, only to this serviceUrl. Dev only (Agents Playground); never in production."
    );
    Ok(Bot { auth: None, connector: Connector::anonymous(service_url, options.retry) })
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
