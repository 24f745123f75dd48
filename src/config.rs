//! Configuration: the typed [`Config`] of `errkb serve`, where the knowledge base is, and how
//! errkb is reached from outside.
//!
//! Owns the setting names (DESIGN.md: ecosystem names for Slack and Teams, `ERRKB_*` for the
//! rest), their defaults and the precedence defaults < optional `errkb.toml` < environment.
//! Secrets are held as [`SecretString`] and never printed: [`Config::describe`] masks them. Knows
//! nothing of how the values are used (no HTTP, no database, no chat platform).

mod settings;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

pub use settings::{SETTINGS, Setting};

/// The public URL guide links point at when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:3000";

/// Finds the knowledge base: an explicit directory wins, then `ERRKB_KB_DIR` (read by clap into
/// `explicit`), then `./kb`, then `kb/` beside the binary or up to two levels above it (so
/// `target/release/errkb` finds the repository's kb/).
pub fn resolve_kb_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    let cwd = PathBuf::from("kb");
    if cwd.is_dir() {
        return Some(cwd);
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors().skip(1).take(3).map(|dir| dir.join("kb")).find(|dir| dir.is_dir())
}

/// errkb's public base URL from `ERRKB_PUBLIC_URL`, or the default.
pub fn public_url_from_env() -> String {
    std::env::var("ERRKB_PUBLIC_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_string())
}

/// A configuration that cannot be used. Messages name the setting, never a secret's value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the config file {path} is not valid TOML: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("unknown setting `{0}` in the config file (see `errkb serve --check-config` for the known names)")]
    UnknownKey(String),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where a setting's effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Env,
    /// A command-line flag (`--listen`, `--kb`, `--socket-mode`).
    Flag,
    Unset,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "errkb.toml",
            Source::Env => "environment",
            Source::Flag => "command line",
            Source::Unset => "unset",
        }
    }
}

/// Slack credentials (all optional; without them the Slack routes are off).
#[derive(Debug, Clone, Default)]
pub struct SlackConfig {
    pub signing_secret: Option<SecretString>,
    pub bot_token: Option<SecretString>,
    pub app_token: Option<SecretString>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    /// The Web API base URL (tests point it at a local fake).
    pub api_url: String,
    /// Receive Slack over Socket Mode (`errkb serve --socket-mode`, needs SLACK_APP_TOKEN).
    pub socket_mode: bool,
}

/// Microsoft Teams (Bot Framework) credentials and the outgoing-webhook secret.
#[derive(Debug, Clone, Default)]
pub struct TeamsConfig {
    pub app_id: Option<String>,
    pub app_password: Option<SecretString>,
    pub tenant_id: Option<String>,
    pub webhook_secret: Option<SecretString>,
    /// Test and dev overrides of the Bot Framework endpoints; `None`/empty means the built-in ones.
    pub openid_metadata_url: Option<String>,
    pub authority_url: Option<String>,
    pub service_url_hosts: Vec<String>,
    /// Dev only: unauthenticated activities, refused unless listening on loopback.
    pub anonymous: bool,
    /// The anonymous mode's one loopback serviceUrl (the Agents Playground's).
    pub anonymous_service_url: Option<String>,
}

/// The credentials of an authenticated (single-tenant) Teams bot, when all three are set.
#[derive(Debug, Clone, Copy)]
pub struct TeamsBot<'a> {
    pub app_id: &'a str,
    pub app_password: &'a SecretString,
    pub tenant_id: &'a str,
}

impl TeamsConfig {
    /// The bot's credentials, or why the bot is off. The anonymous dev mode is decided apart.
    pub fn bot(&self) -> Result<TeamsBot<'_>, &'static str> {
        match (&self.app_id, &self.app_password, &self.tenant_id) {
            (None, ..) => Err("MICROSOFT_APP_ID is not set"),
            (Some(_), None, _) => Err("MICROSOFT_APP_PASSWORD is not set"),
            (Some(_), Some(_), None) => Err("MICROSOFT_APP_TENANT_ID is not set (errkb is a single-tenant bot)"),
            (Some(app_id), Some(app_password), Some(tenant_id)) => Ok(TeamsBot { app_id, app_password, tenant_id }),
        }
    }
}

/// Everything `errkb serve` needs, typed. `Debug` never shows a secret.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_url: String,
    pub kb_dir: Option<PathBuf>,
    /// `sqlite:PATH` (the default, a file created on first start) or `postgres://...`.
    pub database_url: SecretString,
    pub admin_token: Option<SecretString>,
    /// Who may change a channel's settings besides Slack workspace admins and owners: platform
    /// user ids, `U0123` (any platform) or `slack:U0123`, `teams:29:1a...` (`ERRKB_CHANNEL_ADMINS`).
    pub channel_admins: Vec<String>,
    pub probe: ProbeConfig,
    pub hot_reload: bool,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// Connections served at once (503 beyond) and the time a client has to send its headers.
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub query_log_capacity: usize,
    /// Answers kept for repeated questions (0 turns the cache off).
    pub answer_cache_size: usize,
    /// `None`: a random salt made once per installation and kept in the store.
    pub user_hash_salt: Option<SecretString>,
    /// Seals OAuth-installed workspace tokens in the database.
    pub token_encryption_key: Option<SecretString>,
    /// The key before a rotation: still opens old rows, which are re-sealed with the current one.
    pub token_encryption_key_previous: Option<SecretString>,
    /// Query-log rows older than this many days are purged daily (0 keeps them forever).
    pub query_log_retention_days: u32,
    pub slack: SlackConfig,
    pub teams: TeamsConfig,
    /// Where each setting's value came from, by name (for `--check-config`).
    pub sources: BTreeMap<&'static str, Source>,
}

impl Default for Config {
    /// The embedded defaults, with nothing read from a file or the environment.
    fn default() -> Config {
        Config::from_parts(None, |_| None).unwrap_or_else(|_| unreachable!("defaults are valid"))
    }
}

impl Config {
    /// Reads `file` (or `./errkb.toml` when it exists) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let default_file = PathBuf::from("errkb.toml");
        let path = file.map(Path::to_path_buf).or_else(|| default_file.is_file().then_some(default_file));
        let text = match &path {
            Some(p) => {
                Some(std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.clone(), source })?)
            }
            None => None,
        };
        let parsed = match (&path, &text) {
            (Some(p), Some(t)) => Some(settings::parse_file(t).map_err(|e| e.with_path(p))?),
            _ => None,
        };
        Config::from_parts(parsed.as_ref(), |name| std::env::var(name).ok())
    }

    /// Builds a config from parsed file values (keyed by setting name) and an environment lookup.
    pub fn from_parts(
        file: Option<&BTreeMap<&'static str, String>>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut r = settings::Resolver::new(file, env);
        let config = Config {
            listen: r.parse("ERRKB_LISTEN")?,
            public_url: r.string("ERRKB_PUBLIC_URL").trim_end_matches('/').to_string(),
            kb_dir: r.optional("ERRKB_KB_DIR").map(PathBuf::from),
            database_url: r.string("ERRKB_DATABASE_URL").into(),
            admin_token: r.optional("ERRKB_ADMIN_TOKEN").map(SecretString::from),
            channel_admins: list(r.optional("ERRKB_CHANNEL_ADMINS")),
            probe: ProbeConfig {
                enabled: r.flag("ERRKB_PROBE_ENABLED")?,
                allowed_users: list(r.optional("ERRKB_PROBE_ALLOWED_USERS")),
                user_limit: r.parse("ERRKB_PROBE_USER_LIMIT")?,
                tenant_limit: r.parse("ERRKB_PROBE_TENANT_LIMIT")?,
                window: Duration::from_secs(r.parse("ERRKB_PROBE_WINDOW_SECS")?),
                authority_override: r.optional("ERRKB_PROBE_AUTHORITY_OVERRIDE"),
            },
            hot_reload: r.flag("ERRKB_HOT_RELOAD")?,
            body_limit_bytes: r.parse("ERRKB_BODY_LIMIT_BYTES")?,
            request_timeout: Duration::from_secs(r.parse("ERRKB_REQUEST_TIMEOUT_SECS")?),
            max_connections: r.parse("ERRKB_MAX_CONNECTIONS")?,
            header_read_timeout: Duration::from_secs(r.parse("ERRKB_HEADER_READ_TIMEOUT_SECS")?),
            query_log_capacity: r.parse("ERRKB_QUERY_LOG_CAPACITY")?,
            answer_cache_size: r.parse("ERRKB_ANSWER_CACHE_SIZE")?,
            user_hash_salt: r.optional("ERRKB_USER_HASH_SALT").map(SecretString::from),
            token_encryption_key: r.optional("ERRKB_TOKEN_ENCRYPTION_KEY").map(SecretString::from),
            token_encryption_key_previous: r.optional("ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS").map(SecretString::from),
            query_log_retention_days: r.parse("ERRKB_QUERY_LOG_RETENTION_DAYS")?,
            slack: SlackConfig {
                signing_secret: r.optional("SLACK_SIGNING_SECRET").map(SecretString::from),
                bot_token: r.optional("SLACK_BOT_TOKEN").map(SecretString::from),
                app_token: r.optional("SLACK_APP_TOKEN").map(SecretString::from),
                client_id: r.optional("SLACK_CLIENT_ID"),
                client_secret: r.optional("SLACK_CLIENT_SECRET").map(SecretString::from),
                api_url: r.string("ERRKB_SLACK_API_URL").trim_end_matches('/').to_string(),
                socket_mode: r.flag("ERRKB_SLACK_SOCKET_MODE")?,
            },
            teams: TeamsConfig {
                app_id: r.optional("MICROSOFT_APP_ID"),
                app_password: r.optional("MICROSOFT_APP_PASSWORD").map(SecretString::from),
                tenant_id: r.optional("MICROSOFT_APP_TENANT_ID"),
                webhook_secret: r.optional("TEAMS_WEBHOOK_SECRET").map(SecretString::from),
                openid_metadata_url: r.optional("ERRKB_TEAMS_OPENID_METADATA_URL"),
                authority_url: r.optional("ERRKB_TEAMS_AUTHORITY_URL"),
                service_url_hosts: list(r.optional("ERRKB_TEAMS_SERVICE_URL_HOSTS")),
                anonymous: r.flag("ERRKB_TEAMS_ANONYMOUS")?,
                anonymous_service_url: r.optional("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL"),
            },
            sources: BTreeMap::new(),
        };
        config.validate()?;
        Ok(Config { sources: r.into_sources(), ..config })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let db = self.database_url.expose_secret();
        if !(db.starts_with("sqlite:") || db.starts_with("postgres://") || db.starts_with("postgresql://")) {
            let reason = "expected sqlite:PATH or postgres://USER@HOST/DB".to_string();
            return Err(ConfigError::Invalid { name: "ERRKB_DATABASE_URL", reason });
        }
        if url::Url::parse(&self.public_url).is_err() {
            let reason = format!("{:?} is not an absolute URL", self.public_url);
            return Err(ConfigError::Invalid { name: "ERRKB_PUBLIC_URL", reason });
        }
        if self.body_limit_bytes < 1024 || self.request_timeout.is_zero() || self.query_log_capacity == 0 {
            let reason = "limits must be positive (body limit at least 1024 bytes)".to_string();
            return Err(ConfigError::Invalid { name: "ERRKB_BODY_LIMIT_BYTES", reason });
        }
        if self.max_connections == 0 || self.header_read_timeout.is_zero() {
            let reason = "the connection limit and the header read timeout must be positive".to_string();
            return Err(ConfigError::Invalid { name: "ERRKB_MAX_CONNECTIONS", reason });
        }
        if self.probe.enabled && !self.public_url.starts_with("https://") && !is_loopback_url(&self.public_url) {
            let reason = "the live check takes secrets on errkb's /probe page: ERRKB_PUBLIC_URL must be https:// \
                          (or a loopback address for local testing)"
                .to_string();
            return Err(ConfigError::Invalid { name: "ERRKB_PROBE_ENABLED", reason });
        }
        if self.token_encryption_key_previous.is_some() && self.token_encryption_key.is_none() {
            let reason =
                "set ERRKB_TOKEN_ENCRYPTION_KEY to the new key: the previous key only opens old rows".to_string();
            return Err(ConfigError::Invalid { name: "ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS", reason });
        }
        if let Some(raw) = &self.probe.authority_override
            && !is_loopback_url(raw)
        {
            let reason = "test-only: must be an http(s) URL on 127.0.0.1, [::1] or localhost".to_string();
            return Err(ConfigError::Invalid { name: "ERRKB_PROBE_AUTHORITY_OVERRIDE", reason });
        }
        Ok(())
    }

    /// The kb/ directory to serve: the configured one, else the usual lookup.
    pub fn resolved_kb_dir(&self) -> Option<PathBuf> {
        resolve_kb_dir(self.kb_dir.as_deref())
    }

    /// The database URL with any password replaced by `****`.
    pub fn database_url_masked(&self) -> String {
        mask_url_password(self.database_url.expose_secret())
    }

    /// Which integrations are on, each with the reason (no secret values).
    pub fn integrations(&self) -> Vec<Integration> {
        settings::integrations(self)
    }

    /// Records that a command-line flag set `name` (for `--check-config`).
    pub fn set_by_flag(&mut self, name: &'static str) {
        self.sources.insert(name, Source::Flag);
    }

    /// Whether the Teams bot (`/api/messages`) is on, and why: the one decision `--check-config`,
    /// the start-up log and the routes share.
    pub fn teams_bot(&self) -> Result<TeamsBot<'_>, &'static str> {
        self.teams.bot()
    }

    /// Settings that work but will surprise: each a sentence saying what to set.
    pub fn warnings(&self) -> Vec<String> {
        settings::warnings(self)
    }

    /// The effective configuration as text: one line per setting (secrets masked, with where the
    /// value came from), then the integrations.
    pub fn describe(&self) -> String {
        settings::describe(self)
    }
}

/// The live credential probe's guards.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// Off unless `ERRKB_PROBE_ENABLED=true`.
    pub enabled: bool,
    /// Who may probe, by platform user id: `U0123` (any platform) or `slack:U0123`, `teams:29:1a...`.
    pub allowed_users: Vec<String>,
    /// Probes per user, and per tenant, in each window (kept in the store, shared by replicas).
    pub user_limit: u32,
    pub tenant_limit: u32,
    pub window: Duration,
    /// Test only: a loopback base URL that replaces the cloud's authority host.
    pub authority_override: Option<String>,
}

/// A comma-separated list, trimmed, blanks dropped.
fn list(raw: Option<String>) -> Vec<String> {
    raw.map(|h| h.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()).unwrap_or_default()
}

pub use crate::probe::client::is_loopback_url;

/// One integration's state for `--check-config` and the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub name: &'static str,
    pub on: bool,
    pub why: String,
}

fn mask_url_password(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("****"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests;
