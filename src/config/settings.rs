//! The table of settings (name, file key, default, secret or not), the layered lookup, the
//! `errkb.toml` reader and the masked description. Only [`super`] uses it.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use secrecy::ExposeSecret;

use super::{Config, ConfigError, Integration, Source};

/// One setting: its environment name, its key in `errkb.toml`, its default and whether it is
/// a secret (masked everywhere).
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    pub file_key: &'static str,
    pub default: Option<&'static str>,
    pub secret: bool,
}

const fn s(name: &'static str, file_key: &'static str, default: Option<&'static str>, secret: bool) -> Setting {
    Setting { name, file_key, default, secret }
}

/// Every setting `errkb serve` reads, in the order `--check-config` prints them.
pub const SETTINGS: &[Setting] = &[
    s("ERRKB_LISTEN", "listen", Some("127.0.0.1:3000"), false),
    s("ERRKB_PUBLIC_URL", "public_url", Some(super::DEFAULT_PUBLIC_URL), false),
    s("ERRKB_KB_DIR", "kb_dir", None, false),
    s("ERRKB_DATABASE_URL", "database_url", Some("sqlite:errkb.sqlite3"), true),
    s("ERRKB_ADMIN_TOKEN", "admin_token", None, true),
    s("ERRKB_CHANNEL_ADMINS", "channel_admins", None, false),
    s("ERRKB_PROBE_ENABLED", "probe_enabled", Some("false"), false),
    s("ERRKB_PROBE_ALLOWED_USERS", "probe.allowed_users", None, false),
    s("ERRKB_PROBE_USER_LIMIT", "probe.user_limit", Some("5"), false),
    s("ERRKB_PROBE_TENANT_LIMIT", "probe.tenant_limit", Some("5"), false),
    s("ERRKB_PROBE_WINDOW_SECS", "probe.window_secs", Some("600"), false),
    s("ERRKB_PROBE_AUTHORITY_OVERRIDE", "probe.authority_override", None, false),
    s("ERRKB_HOT_RELOAD", "hot_reload", Some("true"), false),
    s("ERRKB_BODY_LIMIT_BYTES", "body_limit_bytes", Some("1048576"), false),
    s("ERRKB_REQUEST_TIMEOUT_SECS", "request_timeout_secs", Some("15"), false),
    s("ERRKB_MAX_CONNECTIONS", "max_connections", Some("512"), false),
    s("ERRKB_HEADER_READ_TIMEOUT_SECS", "header_read_timeout_secs", Some("10"), false),
    s("ERRKB_QUERY_LOG_CAPACITY", "query_log_capacity", Some("4096"), false),
    s("ERRKB_QUERY_LOG_RETENTION_DAYS", "query_log_retention_days", Some("90"), false),
    s("ERRKB_ANSWER_CACHE_SIZE", "answer_cache_size", Some("4096"), false),
    s("ERRKB_USER_HASH_SALT", "user_hash_salt", None, true),
    s("ERRKB_TOKEN_ENCRYPTION_KEY", "token_encryption_key", None, true),
    s("ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS", "token_encryption_key_previous", None, true),
    s("SLACK_SIGNING_SECRET", "slack.signing_secret", None, true),
    s("SLACK_BOT_TOKEN", "slack.bot_token", None, true),
    s("SLACK_APP_TOKEN", "slack.app_token", None, true),
    s("SLACK_CLIENT_ID", "slack.client_id", None, false),
    s("SLACK_CLIENT_SECRET", "slack.client_secret", None, true),
    s("ERRKB_SLACK_API_URL", "slack.api_url", Some("https://slack.com/api"), false),
    s("ERRKB_SLACK_SOCKET_MODE", "slack.socket_mode", Some("false"), false),
    s("MICROSOFT_APP_ID", "teams.app_id", None, false),
    s("MICROSOFT_APP_PASSWORD", "teams.app_password", None, true),
    s("MICROSOFT_APP_TENANT_ID", "teams.tenant_id", None, false),
    s("TEAMS_WEBHOOK_SECRET", "teams.webhook_secret", None, true),
    s("ERRKB_TEAMS_OPENID_METADATA_URL", "teams.openid_metadata_url", None, false),
    s("ERRKB_TEAMS_AUTHORITY_URL", "teams.authority_url", None, false),
    s("ERRKB_TEAMS_SERVICE_URL_HOSTS", "teams.service_url_hosts", None, false),
    s("ERRKB_TEAMS_ANONYMOUS", "teams.anonymous", Some("false"), false),
    s("ERRKB_TEAMS_ANONYMOUS_SERVICE_URL", "teams.anonymous_service_url", None, false),
];

fn setting(name: &str) -> &'static Setting {
    SETTINGS.iter().find(|s| s.name == name).unwrap_or_else(|| unreachable!("setting {name} is in SETTINGS"))
}

/// A parse error of the file, before the path is known.
pub(super) struct FileError(ConfigError);

impl FileError {
    pub(super) fn with_path(self, path: &Path) -> ConfigError {
        match self.0 {
            ConfigError::Toml { message, .. } => ConfigError::Toml { path: path.to_path_buf(), message },
            other => other,
        }
    }
}

/// Reads `errkb.toml` text into values keyed by setting name. Top-level keys and the `[slack]`
/// and `[teams]` tables are accepted; anything else is an error naming the key.
pub(super) fn parse_file(text: &str) -> Result<BTreeMap<&'static str, String>, FileError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        // The message may quote the offending line; keep only the description.
        let message = e.message().to_string();
        FileError(ConfigError::Toml { path: Default::default(), message })
    })?;
    let mut out = BTreeMap::new();
    for (key, value) in flatten(&table) {
        let Some(setting) = SETTINGS.iter().find(|s| s.file_key == key) else {
            return Err(FileError(ConfigError::UnknownKey(key)));
        };
        out.insert(setting.name, value);
    }
    Ok(out)
}

fn flatten(table: &toml::Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in table {
        match value {
            toml::Value::Table(inner) => {
                out.extend(flatten(inner).into_iter().map(|(k, v)| (format!("{key}.{k}"), v)));
            }
            toml::Value::String(s) => out.push((key.clone(), s.clone())),
            toml::Value::Integer(i) => out.push((key.clone(), i.to_string())),
            toml::Value::Float(f) => out.push((key.clone(), f.to_string())),
            toml::Value::Boolean(b) => out.push((key.clone(), b.to_string())),
            other => out.push((key.clone(), format!("{other:?}"))),
        }
    }
    out
}

/// Looks each setting up in the environment, then the file, then its default, and remembers
/// where the value came from. Blank values count as unset.
pub(super) struct Resolver<'a, E> {
    file: Option<&'a BTreeMap<&'static str, String>>,
    env: E,
    sources: BTreeMap<&'static str, Source>,
}

impl<'a, E: Fn(&str) -> Option<String>> Resolver<'a, E> {
    pub(super) fn new(file: Option<&'a BTreeMap<&'static str, String>>, env: E) -> Self {
        Resolver { file, env, sources: BTreeMap::new() }
    }

    pub(super) fn optional(&mut self, name: &'static str) -> Option<String> {
        let set = setting(name);
        let from_env = (self.env)(name).filter(|v| !v.trim().is_empty()).map(|v| (v, Source::Env));
        let from_file =
            || self.file.and_then(|f| f.get(name)).filter(|v| !v.trim().is_empty()).map(|v| (v.clone(), Source::File));
        let from_default = || set.default.map(|d| (d.to_string(), Source::Default));
        let found = from_env.or_else(from_file).or_else(from_default);
        self.sources.insert(name, found.as_ref().map_or(Source::Unset, |(_, s)| *s));
        found.map(|(v, _)| v.trim().to_string())
    }

    pub(super) fn string(&mut self, name: &'static str) -> String {
        self.optional(name).unwrap_or_default()
    }

    pub(super) fn parse<T: FromStr>(&mut self, name: &'static str) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        let raw = self.string(name);
        raw.parse().map_err(|e: T::Err| {
            let reason = if setting(name).secret { "cannot be parsed".to_string() } else { format!("{raw:?}: {e}") };
            ConfigError::Invalid { name, reason }
        })
    }

    pub(super) fn flag(&mut self, name: &'static str) -> Result<bool, ConfigError> {
        match self.string(name).to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            other => Err(ConfigError::Invalid { name, reason: format!("{other:?} is not true or false") }),
        }
    }

    pub(super) fn into_sources(self) -> BTreeMap<&'static str, Source> {
        self.sources
    }
}

pub(super) fn integrations(c: &Config) -> Vec<Integration> {
    let on = |name, why: &str| Integration { name, on: true, why: why.to_string() };
    let off = |name, why: &str| Integration { name, on: false, why: why.to_string() };
    let slack = match (&c.slack.signing_secret, &c.slack.bot_token, &c.slack.client_id, &c.slack.client_secret) {
        (None, ..) => off("slack", "SLACK_SIGNING_SECRET is not set"),
        (Some(_), Some(_), ..) => on("slack", "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set"),
        (Some(_), None, Some(_), Some(_)) if c.token_encryption_key.is_none() => {
            off("slack", "OAuth install needs ERRKB_TOKEN_ENCRYPTION_KEY to store workspace tokens sealed")
        }
        (Some(_), None, Some(_), Some(_)) => {
            on("slack", "SLACK_SIGNING_SECRET and OAuth install (SLACK_CLIENT_ID/SECRET) are set")
        }
        (Some(_), None, ..) => off("slack", "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) is not set"),
    };
    let slack = match (c.slack.socket_mode, &c.slack.app_token, &c.slack.bot_token) {
        (true, Some(_), Some(_)) => on("slack", "Socket Mode: SLACK_APP_TOKEN and SLACK_BOT_TOKEN are set"),
        (true, None, _) => off("slack", "Socket Mode needs SLACK_APP_TOKEN"),
        (true, Some(_), None) => off("slack", "Socket Mode needs SLACK_BOT_TOKEN"),
        (false, ..) => slack,
    };
    let teams = match c.teams.bot() {
        _ if c.teams.anonymous => on("teams", "ERRKB_TEAMS_ANONYMOUS is on: unauthenticated dev mode, loopback only"),
        Ok(_) => on("teams", "MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID are set"),
        Err(why) => off("teams", why),
    };
    let webhook = match &c.teams.webhook_secret {
        Some(_) => on("teams_webhook", "TEAMS_WEBHOOK_SECRET is set"),
        None => off("teams_webhook", "TEAMS_WEBHOOK_SECRET is not set"),
    };
    let probe = match (c.probe.enabled, c.probe.allowed_users.is_empty()) {
        (true, false) => on("probe", "ERRKB_PROBE_ENABLED is true and ERRKB_PROBE_ALLOWED_USERS lists who may use it"),
        (true, true) => {
            on("probe", "ERRKB_PROBE_ENABLED is true, but ERRKB_PROBE_ALLOWED_USERS is empty: nobody may use it")
        }
        (false, _) => off("probe", "ERRKB_PROBE_ENABLED is not true"),
    };
    let admin = match &c.admin_token {
        Some(t) if t.expose_secret().len() < 16 => {
            on("admin", "ERRKB_ADMIN_TOKEN is set (warning: shorter than 16 characters)")
        }
        Some(_) => on("admin", "ERRKB_ADMIN_TOKEN is set"),
        None => off("admin", "ERRKB_ADMIN_TOKEN is not set: /admin answers 404"),
    };
    vec![slack, teams, webhook, probe, admin]
}

pub(super) fn describe(c: &Config) -> String {
    let mut out = String::from("# effective configuration (secrets masked)\n");
    for set in SETTINGS {
        let source = c.sources.get(set.name).copied().unwrap_or(Source::Unset);
        let value = match (source, set.secret, set.name) {
            (Source::Unset, ..) => "(unset)".to_string(),
            (_, _, "ERRKB_DATABASE_URL") => c.database_url_masked(),
            (_, true, _) => "****".to_string(),
            _ => plain_value(c, set.name),
        };
        let from = if source == Source::Unset { String::new() } else { format!("  ({})", source.as_str()) };
        out.push_str(&format!("{:<32} = {value}{from}\n", set.name));
    }
    out.push_str("\n# integrations\n");
    for i in integrations(c) {
        out.push_str(&format!("{:<14} {:<3}  {}\n", i.name, if i.on { "on" } else { "off" }, i.why));
    }
    let warnings = warnings(c);
    if !warnings.is_empty() {
        out.push_str("\n# warnings\n");
        for w in warnings {
            out.push_str(&format!("- {w}\n"));
        }
    }
    out
}

/// Settings that work but will surprise whoever runs errkb.
pub(super) fn warnings(c: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let chat: Vec<&str> = integrations(c)
        .iter()
        .filter(|i| i.on && matches!(i.name, "slack" | "teams" | "teams_webhook"))
        .map(|i| i.name)
        .collect();
    if !chat.is_empty() && super::is_loopback_url(&c.public_url) {
        out.push(format!(
            "ERRKB_PUBLIC_URL is {} (a loopback address) while chat is on ({}): the guide links in chat answers \
             point at it, and your users cannot open them. Set ERRKB_PUBLIC_URL to the https:// address people \
             reach errkb at (for example https://errkb.example.org).",
            c.public_url,
            chat.join(", ")
        ));
    }
    out
}

/// The effective (typed) value of a non-secret setting, as text.
fn plain_value(c: &Config, name: &str) -> String {
    match name {
        "ERRKB_LISTEN" => c.listen.to_string(),
        "ERRKB_PUBLIC_URL" => c.public_url.clone(),
        "ERRKB_KB_DIR" => c.kb_dir.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        "ERRKB_CHANNEL_ADMINS" => c.channel_admins.join(","),
        "ERRKB_PROBE_ENABLED" => c.probe.enabled.to_string(),
        "ERRKB_PROBE_ALLOWED_USERS" => c.probe.allowed_users.join(","),
        "ERRKB_PROBE_USER_LIMIT" => c.probe.user_limit.to_string(),
        "ERRKB_PROBE_TENANT_LIMIT" => c.probe.tenant_limit.to_string(),
        "ERRKB_PROBE_WINDOW_SECS" => c.probe.window.as_secs().to_string(),
        "ERRKB_PROBE_AUTHORITY_OVERRIDE" => c.probe.authority_override.clone().unwrap_or_default(),
        "ERRKB_HOT_RELOAD" => c.hot_reload.to_string(),
        "ERRKB_BODY_LIMIT_BYTES" => c.body_limit_bytes.to_string(),
        "ERRKB_REQUEST_TIMEOUT_SECS" => c.request_timeout.as_secs().to_string(),
        "ERRKB_MAX_CONNECTIONS" => c.max_connections.to_string(),
        "ERRKB_HEADER_READ_TIMEOUT_SECS" => c.header_read_timeout.as_secs().to_string(),
        "ERRKB_QUERY_LOG_CAPACITY" => c.query_log_capacity.to_string(),
        "ERRKB_QUERY_LOG_RETENTION_DAYS" => c.query_log_retention_days.to_string(),
        "ERRKB_ANSWER_CACHE_SIZE" => c.answer_cache_size.to_string(),
        "SLACK_CLIENT_ID" => c.slack.client_id.clone().unwrap_or_default(),
        "ERRKB_SLACK_API_URL" => c.slack.api_url.clone(),
        "ERRKB_SLACK_SOCKET_MODE" => c.slack.socket_mode.to_string(),
        "MICROSOFT_APP_ID" => c.teams.app_id.clone().unwrap_or_default(),
        "MICROSOFT_APP_TENANT_ID" => c.teams.tenant_id.clone().unwrap_or_default(),
        "ERRKB_TEAMS_OPENID_METADATA_URL" => c.teams.openid_metadata_url.clone().unwrap_or_default(),
        "ERRKB_TEAMS_AUTHORITY_URL" => c.teams.authority_url.clone().unwrap_or_default(),
        "ERRKB_TEAMS_SERVICE_URL_HOSTS" => c.teams.service_url_hosts.join(","),
        "ERRKB_TEAMS_ANONYMOUS" => c.teams.anonymous.to_string(),
        "ERRKB_TEAMS_ANONYMOUS_SERVICE_URL" => c.teams.anonymous_service_url.clone().unwrap_or_default(),
        _ => String::new(),
    }
}
