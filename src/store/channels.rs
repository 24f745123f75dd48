//! Support channels in the store: per-channel settings (answer mode, who "Still stuck" calls in,
//! live-check buttons), the answers errkb posted in channels, what people said about them
//! (Solved / Still stuck / Not useful here, at most one of each per answer, so two replicas or two
//! clicks record it once) and clicks on answers' links. Plain SQL that both SQLite and PostgreSQL
//! accept.
//!
//! Knows nothing of Slack or Teams payloads: callers pass plain values (platform names, channel
//! and message ids, user ids already hashed where the schema says so). Never a message's text.

use serde::{Deserialize, Serialize};

use super::{Db, Store, StoreError, with_pool};

/// When errkb answers in a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerMode {
    /// Only when mentioned (or asked with the slash command): the default.
    #[default]
    Mention,
    /// Also a person's new message that holds an error code or one of Entra's messages.
    Auto,
}

impl AnswerMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerMode::Mention => "mention",
            AnswerMode::Auto => "auto",
        }
    }

    /// `auto` is auto; anything else is the default.
    pub fn parse(raw: &str) -> AnswerMode {
        if raw.trim().eq_ignore_ascii_case("auto") { AnswerMode::Auto } else { AnswerMode::Mention }
    }
}

/// Someone "Still stuck" calls in: `kind` is `user`, `group` (a Slack user group) or `tag` (a
/// Teams tag); `id` is the platform's id, `name` what to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationTarget {
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One channel's settings. A channel without a row has the defaults ([`ChannelSettings::default_for`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSettings {
    pub platform: String,
    pub channel_id: String,
    pub channel_name: Option<String>,
    pub answer_mode: AnswerMode,
    pub escalation: Vec<EscalationTarget>,
    pub probe_buttons: bool,
    /// The platform user id of who last changed them (an audit of an admin action).
    pub updated_by: String,
    pub updated_at: i64,
}

impl ChannelSettings {
    /// Today's behaviour: answer when mentioned, nobody to call in, live-check buttons shown.
    pub fn default_for(platform: &str, channel_id: &str) -> ChannelSettings {
        ChannelSettings {
            platform: platform.to_string(),
            channel_id: channel_id.to_string(),
            channel_name: None,
            answer_mode: AnswerMode::Mention,
            escalation: Vec::new(),
            probe_buttons: true,
            updated_by: String::new(),
            updated_at: 0,
        }
    }
}

/// An answer errkb posted in a channel: `answer_id` is the message's id (Slack `ts`, Teams
/// activity id).
#[derive(Debug, Clone)]
pub struct ChannelAnswer<'a> {
    pub platform: &'a str,
    pub channel_id: &'a str,
    pub answer_id: &'a str,
    pub guide_code: Option<&'a str>,
    pub auto: bool,
}

/// What someone said about an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Solved,
    Stuck,
    /// "Not useful here": the answer was hidden.
    Hidden,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Solved => "solved",
            Outcome::Stuck => "stuck",
            Outcome::Hidden => "hidden",
        }
    }
}

/// One Solved / Still stuck / Not useful here. `user_hash` comes from [`super::hash_user`].
#[derive(Debug, Clone)]
pub struct Resolution<'a> {
    pub platform: &'a str,
    pub channel_id: &'a str,
    pub answer_id: &'a str,
    pub outcome: Outcome,
    pub guide_code: Option<&'a str>,
    pub user_hash: String,
    /// From the question to "Solved".
    pub seconds: Option<i64>,
    /// Someone was called in (Still stuck with an escalation target).
    pub escalated: bool,
}

type SettingsRow = (String, String, Option<String>, String, String, i64, String, i64);
/// answer_id, outcome, guide_code, seconds, escalated.
type ResolutionTuple = (String, String, Option<String>, Option<i64>, i64);

impl Store {
    /// The stored settings of a channel, or `None` when nobody has set any.
    pub async fn channel_settings(
        &self,
        platform: &str,
        channel_id: &str,
    ) -> Result<Option<ChannelSettings>, StoreError> {
        let sql = "SELECT platform, channel_id, channel_name, answer_mode, escalation, probe_buttons, updated_by, updated_at \
                   FROM channel_settings WHERE platform = $1 AND channel_id = $2";
        let row: Option<SettingsRow> = with_pool!(&self.db, pool => sqlx::query_as(sql).bind(platform).bind(channel_id).fetch_optional(pool).await?);
        Ok(row.map(settings_of))
    }

    /// The settings that apply to a channel: the stored ones, else the defaults.
    pub async fn effective_channel_settings(
        &self,
        platform: &str,
        channel_id: &str,
    ) -> Result<ChannelSettings, StoreError> {
        Ok(self
            .channel_settings(platform, channel_id)
            .await?
            .unwrap_or_else(|| ChannelSettings::default_for(platform, channel_id)))
    }

    /// Saves (or replaces) a channel's settings, stamped now.
    pub async fn save_channel_settings(&self, s: &ChannelSettings) -> Result<(), StoreError> {
        let sql = "INSERT INTO channel_settings (platform, channel_id, channel_name, answer_mode, escalation, probe_buttons, \
                   updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                   ON CONFLICT (platform, channel_id) DO UPDATE SET \
                   channel_name = COALESCE(excluded.channel_name, channel_settings.channel_name), \
                   answer_mode = excluded.answer_mode, escalation = excluded.escalation, \
                   probe_buttons = excluded.probe_buttons, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
        let escalation = serde_json::to_string(&s.escalation).unwrap_or_else(|_| "[]".into());
        let now = self.now();
        with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(&s.platform).bind(&s.channel_id).bind(&s.channel_name).bind(s.answer_mode.as_str()).bind(&escalation)
            .bind(i64::from(s.probe_buttons)).bind(&s.updated_by).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records an answer posted in a channel (a repeat of the same message is ignored).
    pub async fn record_channel_answer(&self, a: &ChannelAnswer<'_>) -> Result<(), StoreError> {
        let sql = "INSERT INTO channel_answers (platform, channel_id, answer_id, guide_code, auto, at) \
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, channel_id, answer_id) DO NOTHING";
        let now = self.now();
        with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(a.platform).bind(a.channel_id).bind(a.answer_id).bind(a.guide_code).bind(i64::from(a.auto)).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records a Solved / Still stuck / Not useful here; true the first time for that answer
    /// and outcome, false when someone (or another replica) already recorded it.
    pub async fn record_resolution(&self, r: &Resolution<'_>) -> Result<bool, StoreError> {
        let sql = "INSERT INTO resolutions (platform, channel_id, answer_id, outcome, guide_code, user_hash, seconds, \
                   escalated, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                   ON CONFLICT (platform, channel_id, answer_id, outcome) DO NOTHING";
        let now = self.now();
        let done = with_pool!(&self.db, pool => sqlx::query(sql)
            .bind(r.platform).bind(r.channel_id).bind(r.answer_id).bind(r.outcome.as_str()).bind(r.guide_code)
            .bind(&r.user_hash).bind(r.seconds).bind(i64::from(r.escalated)).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(done == 1)
    }

    /// Counts one click on an answer's link (`link` names it: `doc:0`, `full_guide`, ...).
    pub async fn record_link_click(&self, platform: &str, guide_code: &str, link: &str) -> Result<(), StoreError> {
        let sql = "INSERT INTO link_clicks (at, platform, guide_code, link) VALUES ($1, $2, $3, $4)";
        let now = self.now();
        with_pool!(&self.db, pool => sqlx::query(sql).bind(now).bind(platform).bind(guide_code).bind(link).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Link clicks stored for a guide, all time (for tests and audits).
    pub async fn link_clicks(&self, guide_code: &str) -> Result<Vec<(String, String)>, StoreError> {
        let sql = "SELECT platform, link FROM link_clicks WHERE guide_code = $1 ORDER BY id";
        Ok(with_pool!(&self.db, pool => sqlx::query_as(sql).bind(guide_code).fetch_all(pool).await?))
    }

    /// Resolutions stored for a channel, oldest first: `(answer_id, outcome, guide, seconds,
    /// escalated)` (for tests and audits).
    pub async fn resolutions(&self, platform: &str, channel_id: &str) -> Result<Vec<ResolutionRow>, StoreError> {
        let sql = "SELECT answer_id, outcome, guide_code, seconds, escalated FROM resolutions \
                   WHERE platform = $1 AND channel_id = $2 ORDER BY at, answer_id, outcome";
        let rows: Vec<ResolutionTuple> =
            with_pool!(&self.db, pool => sqlx::query_as(sql).bind(platform).bind(channel_id).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(answer_id, outcome, guide_code, seconds, escalated)| ResolutionRow {
                answer_id,
                outcome,
                guide_code,
                seconds,
                escalated: escalated != 0,
            })
            .collect())
    }

    /// Answers stored for a channel: `(answer_id, guide, auto)`, oldest first.
    pub async fn channel_answers(
        &self,
        platform: &str,
        channel_id: &str,
    ) -> Result<Vec<(String, Option<String>, bool)>, StoreError> {
        let sql = "SELECT answer_id, guide_code, auto FROM channel_answers WHERE platform = $1 AND channel_id = $2 \
                   ORDER BY at, answer_id";
        let rows: Vec<(String, Option<String>, i64)> =
            with_pool!(&self.db, pool => sqlx::query_as(sql).bind(platform).bind(channel_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(id, code, auto)| (id, code, auto != 0)).collect())
    }
}

/// A stored resolution, as [`Store::resolutions`] reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionRow {
    pub answer_id: String,
    pub outcome: String,
    pub guide_code: Option<String>,
    pub seconds: Option<i64>,
    pub escalated: bool,
}

fn settings_of(row: SettingsRow) -> ChannelSettings {
    let (platform, channel_id, channel_name, mode, escalation, probe, updated_by, updated_at) = row;
    ChannelSettings {
        platform,
        channel_id,
        channel_name,
        answer_mode: AnswerMode::parse(&mode),
        escalation: serde_json::from_str(&escalation).unwrap_or_default(),
        probe_buttons: probe != 0,
        updated_by,
        updated_at,
    }
}
