//! Shared web plumbing for every adapter: the [`AppState`] handlers receive, [`ApiError`],
//! health and readiness, Prometheus metrics and refusal counts, the middleware stack (body limit,
//! timeout, trace spans with the matched route), the server loop (header-read timeout, connection
//! cap), the JSON answer API, the hot-swappable engine, and the caches tied to its generation
//! (answers, and [`template`]s the adapters fill per request).
//!
//! Knows axum and the answer core; must not know Slack, Teams or HTML. Handlers stay thin: they
//! parse, call [`AppState::ask`] or the store, and render.

mod api;
pub mod background;
mod cache;
pub mod certain;
mod error;
pub mod go;
mod health;
mod layers;
mod metrics;
pub mod pacer;
pub mod probe;
mod refusals;
pub mod reload;
pub mod serve;
pub mod template;
pub mod throttle;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use secrecy::SecretString;

pub use cache::{AnswerCache, Cache, MAX_KEY_BYTES as MAX_CACHE_KEY_BYTES};
pub use error::ApiError;
pub use layers::{PAGE_CSP, apply as apply_layers, page_headers};
pub use metrics::Metrics;
pub use refusals::refused;
pub use reload::EngineCell;

use crate::answer::{Answer, Question, QuestionError, answer};
use crate::store::{QueryLog, QueryRecord, Store};

/// How many guides an answer lists at most.
pub const ANSWER_LIMIT: usize = 3;

/// What every handler can reach: one `Arc`, so the clone per request is one counter bump.
/// Fields are reached through `Deref` (`state.engine`, `state.store`, ...).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub engine: Arc<EngineCell>,
    pub cache: Arc<AnswerCache>,
    /// `GET /api/v1/answer` bodies, serialized once per question and index.
    pub json_cache: Arc<Cache<Arc<JsonAnswer>>>,
    /// Chat renderings of answers by shape, per index ([`template`]).
    pub renderings: Arc<template::Renderings>,
    /// Serialized slash-command and webhook replies per question and index ([`template::Replies`]).
    pub replies: Arc<template::Replies>,
    /// The budget of work chat routes start after acknowledging ([`background`]).
    pub background: Arc<background::Background>,
    pub store: Store,
    pub query_log: QueryLog,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
    /// The live credential probe's guards; `None` unless `ERRKB_PROBE_ENABLED=true`.
    pub probe: Option<Arc<probe::ProbeService>>,
    /// Spaces automatic answers in each channel (Slack allows about one message a second).
    pub pacer: Arc<pacer::Pacer>,
    /// Failed admin sign-ins per client address.
    pub admin_throttle: Arc<throttle::Throttle>,
}

/// The request-time settings handlers need (secrets stay wrapped).
#[derive(Debug)]
pub struct Settings {
    /// errkb's public URL without a trailing slash.
    pub public_url: String,
    /// `None` turns `/admin` off.
    pub admin_token: Option<SecretString>,
    pub user_hash_salt: SecretString,
    /// `ERRKB_CHANNEL_ADMINS`: who may change channel settings (see [`Settings::is_channel_admin`]).
    pub channel_admins: Vec<String>,
    pub body_limit_bytes: usize,
    pub request_timeout: std::time::Duration,
}

impl Settings {
    /// True when one of a user's ids on `platform` is in `ERRKB_CHANNEL_ADMINS` (bare, or as
    /// `platform:id`).
    pub fn is_channel_admin(&self, platform: &str, user_ids: &[&str]) -> bool {
        user_ids.iter().filter(|id| !id.is_empty()).any(|id| {
            self.channel_admins
                .iter()
                .any(|entry| entry == id || entry.strip_prefix(platform).and_then(|r| r.strip_prefix(':')) == Some(*id))
        })
    }
}

impl AppState {
    /// Answers raw user text from `platform` (`web`, `api`, `slack`, ...), from the answer cache
    /// when the same question was answered by the same index; counts the answer kind and queues
    /// the query log row. Never waits on the database.
    pub fn ask(&self, raw: &str, platform: &'static str) -> Result<Answer, QuestionError> {
        self.ask_tagged(raw, platform).map(|(answer, _)| answer)
    }

    /// [`AppState::ask_tagged`] when that needs no search: the answer from the answer cache
    /// (counted and logged like any other), or the question's parse error; `None` when the
    /// engine would have to search.
    pub fn ask_cached(&self, raw: &str, platform: &'static str) -> Option<Result<(Answer, u64), QuestionError>> {
        let question = match Question::parse(raw) {
            Ok(question) => question,
            Err(e) => return Some(Err(e)),
        };
        let generation = self.engine.generation();
        let answer = self.cache.get(generation, question.text())?;
        self.record_answer(platform, &answer);
        Some(Ok((answer, generation)))
    }

    /// Like [`AppState::ask`], with the engine generation the answer's guides come from (what
    /// caches of renderings are keyed by).
    pub fn ask_tagged(&self, raw: &str, platform: &'static str) -> Result<(Answer, u64), QuestionError> {
        let question = Question::parse(raw)?;
        let (engine, generation) = self.engine.snapshot();
        let answer =
            self.cache.get_or_compute(generation, question.text(), || answer(&engine, &question, ANSWER_LIMIT));
        self.record_answer(platform, &answer);
        Ok((answer, generation))
    }

    /// Counts the answer's kind and queues its query-log row.
    fn record_answer(&self, platform: &'static str, answer: &Answer) {
        let lead = answer.lead_code().map(ToString::to_string);
        let guide = answer.hits().first().map(|h| h.guide.code.to_string());
        self.record(platform, &answer.query, lead.as_deref(), answer.kind(), guide.as_deref());
    }

    /// Like [`AppState::ask`], but returns the `errkb ask --json` body, serialized once per
    /// question and index (the JSON API's hot path).
    pub fn ask_json(&self, raw: &str, platform: &'static str) -> Result<Arc<JsonAnswer>, QuestionError> {
        let question = Question::parse(raw)?;
        let (engine, generation) = self.engine.snapshot();
        let json = self.json_cache.get_or_compute(generation, question.text(), || {
            let answer =
                self.cache.get_or_compute(generation, question.text(), || answer(&engine, &question, ANSWER_LIMIT));
            Arc::new(JsonAnswer::new(&answer, &self.settings.public_url))
        });
        self.record(platform, &json.query, json.lead.as_deref(), json.kind, json.guide.as_deref());
        Ok(json)
    }

    /// Counts the answer kind and queues the query log row; never waits on the database.
    fn record(&self, platform: &'static str, query: &str, lead: Option<&str>, kind: &'static str, guide: Option<&str>) {
        self.metrics.count_answer(kind);
        self.query_log.record_with(|| QueryRecord {
            at: self.store.now(),
            platform: platform.to_string(),
            query: query.to_string(),
            detected_code: lead.map(str::to_string),
            answer_kind: kind.to_string(),
            guide_code: guide.map(str::to_string),
        });
    }
}

/// A serialized JSON answer with what the query log needs about it.
#[derive(Debug)]
pub struct JsonAnswer {
    pub body: axum::body::Bytes,
    pub query: String,
    pub lead: Option<String>,
    pub kind: &'static str,
    pub guide: Option<String>,
}

impl JsonAnswer {
    fn new(answer: &Answer, public_url: &str) -> JsonAnswer {
        let body = serde_json::to_vec(&crate::answer::AnswerJson::new(answer, public_url)).unwrap_or_default();
        JsonAnswer {
            body: body.into(),
            query: answer.query.clone(),
            lead: answer.lead_code().map(ToString::to_string),
            kind: answer.kind(),
            guide: answer.hits().first().map(|h| h.guide.code.to_string()),
        }
    }
}

/// Routes this module serves itself: health, readiness, metrics and the JSON answer API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/api/v1/answer", get(api::answer_get).post(api::answer_post))
        .route("/go/{code}/{n}", get(go::follow))
}
