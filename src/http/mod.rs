//! Shared web plumbing for every adapter: the [`AppState`] handlers receive, [`ApiError`],
//! health and readiness, Prometheus metrics, the middleware stack (body limit, timeout, trace
//! spans with the matched route), the JSON answer API and the hot-swappable engine.
//!
//! Knows axum and the answer core; must not know Slack, Teams or HTML. Handlers stay thin: they
//! parse, call [`AppState::ask`] or the store, and render.

mod api;
mod cache;
mod error;
mod health;
mod layers;
mod metrics;
pub mod reload;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use secrecy::SecretString;

pub use cache::AnswerCache;
pub use error::ApiError;
pub use layers::apply as apply_layers;
pub use metrics::Metrics;
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
    pub store: Store,
    pub query_log: QueryLog,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
}

/// The request-time settings handlers need (secrets stay wrapped).
#[derive(Debug)]
pub struct Settings {
    /// errkb's public URL without a trailing slash.
    pub public_url: String,
    /// `None` turns `/admin` off.
    pub admin_token: Option<SecretString>,
    pub user_hash_salt: SecretString,
    pub body_limit_bytes: usize,
    pub request_timeout: std::time::Duration,
}

impl AppState {
    /// Answers raw user text from `platform` (`web`, `api`, `slack`, ...), from the answer cache
    /// when the same question was answered by the same index; counts the answer kind and queues
    /// the query log row. Never waits on the database.
    pub fn ask(&self, raw: &str, platform: &'static str) -> Result<Answer, QuestionError> {
        let question = Question::parse(raw)?;
        let (engine, generation) = self.engine.snapshot();
        let answer =
            self.cache.get_or_compute(generation, question.text(), || answer(&engine, &question, ANSWER_LIMIT));
        self.metrics.count_answer(answer.kind());
        self.query_log.record(QueryRecord {
            at: self.store.now(),
            platform: platform.to_string(),
            query: answer.query.clone(),
            detected_code: answer.lead_code().map(ToString::to_string),
            answer_kind: answer.kind().to_string(),
            guide_code: answer.hits().first().map(|h| h.guide.code.to_string()),
        });
        Ok(answer)
    }
}

/// Routes this module serves itself: health, readiness, metrics and the JSON answer API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/api/v1/answer", get(api::answer_get).post(api::answer_post))
}
