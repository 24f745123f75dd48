//! The one place adapters meet: [`router`] assembles every route with the shared middleware, and
//! [`Application`] builds the whole service from a [`Config`] (knowledge base, engine, store,
//! query log writer, kb watcher, listener) and runs it until SIGTERM or ctrl-c.
//!
//! Owns wiring and lifecycle only; what a route does lives in its adapter (http/, web/, and
//! later slack/ and teams/).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::http::{self, AnswerCache, AppState, EngineCell, Metrics, Settings, Shared};
use crate::kb::{LoadError, load_dir};
use crate::search::{Engine, IndexError};
use crate::store::{QueryLog, Store, StoreError};
use crate::{slack, teams, web};

/// Why the service could not start. Messages never include a secret.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no knowledge base found: set ERRKB_KB_DIR (looked for ./kb and kb/ beside the binary)")]
    NoKb,
    #[error("cannot read the knowledge base: {0}")]
    Kb(#[from] LoadError),
    #[error("no guides could be loaded from {0}")]
    NoGuides(PathBuf),
    #[error("cannot build the search index: {0}")]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("a start-up task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Teams(#[from] teams::TeamsSetupError),
    #[error("the live credential probe cannot start: {0}")]
    Probe(#[from] crate::probe::ProberError),
}

/// Every route of the service with the shared middleware, ready to serve.
pub fn router(state: AppState, slack: Option<Arc<slack::SlackApp>>) -> Router {
    router_with_teams(state, slack, None)
}

/// [`router`] with the Teams routes too (when `teams` is `Some`).
pub fn router_with_teams(
    state: AppState,
    slack: Option<Arc<slack::SlackApp>>,
    teams: Option<Arc<teams::TeamsApp>>,
) -> Router {
    let routes = Router::new()
        .merge(http::routes())
        .merge(web::routes())
        .merge(slack::routes(slack))
        .merge(teams::routes(teams))
        .fallback(web::not_found);
    let limit = state.settings.body_limit_bytes;
    let timeout = state.settings.request_timeout;
    http::apply_layers(routes, &state, limit, timeout).with_state(state)
}

/// A bound, ready-to-run service.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    port: u16,
    log_writer: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
    slack: Option<Arc<slack::SlackApp>>,
    teams: Option<Arc<teams::TeamsApp>>,
    serve: http::serve::ServeOptions,
}

impl Application {
    /// Loads the knowledge base, connects the store (applying migrations), starts the query
    /// log writer and the kb watcher, and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> Result<Application, AppError> {
        let dir = config.resolved_kb_dir().ok_or(AppError::NoKb)?;
        let engine = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || load_engine(dir)
        })
        .await??;
        let store = Store::connect(config.database_url.expose_secret())
            .await?
            .with_token_keys(config.token_encryption_key.as_ref(), config.token_encryption_key_previous.as_ref())?;
        let salt = match &config.user_hash_salt {
            Some(configured) => configured.clone(),
            None => store.installation_salt().await?,
        };
        let (query_log, log_writer) = QueryLog::spawn(store.clone(), config.query_log_capacity);
        let state = shared_state(&config, engine, store.clone(), query_log, salt)?;
        let mut background = vec![
            tokio::spawn(purge_expired(store.clone())),
            tokio::spawn(purge_query_log(store.clone(), config.query_log_retention_days)),
        ];
        if config.token_encryption_key_previous.is_some() {
            background.push(tokio::spawn(reseal_tokens(store)));
        }
        if config.hot_reload {
            match http::reload::watch(dir, state.engine.clone(), state.metrics.clone()) {
                Ok(task) => background.push(task),
                Err(e) => tracing::warn!(error = %e, "hot reload is off: cannot watch the knowledge base"),
            }
        }
        let slack = slack::SlackApp::from_config(&config);
        if let Some(slack) = &slack {
            slack::register_probe_notifier(&state, slack);
        }
        background.extend(slack::socket::start(&config, &state, slack.as_ref()));
        let teams = teams::TeamsApp::from_config(
            &config.teams,
            config.listen,
            &teams::TeamsOptions::from_config(&config.teams),
        )?;
        let teams = teams.map(Arc::new);
        if let Some(teams) = &teams {
            teams::register_probe_notifier(&state, teams);
        }
        let listener =
            TcpListener::bind(config.listen).await.map_err(|source| AppError::Bind { addr: config.listen, source })?;
        let port = listener.local_addr().map_err(|source| AppError::Bind { addr: config.listen, source })?.port();
        let serve = http::serve::ServeOptions {
            max_connections: config.max_connections,
            header_read_timeout: config.header_read_timeout,
        };
        Ok(Application { listener, state, port, log_writer, background, slack, teams, serve })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every route with its middleware, as [`Application::run_until_stopped`] serves it (for
    /// driving requests in-process, as benches/routes.rs does).
    pub fn router(&self) -> Router {
        router_with_teams(self.state.clone(), self.slack.clone(), self.teams.clone())
    }

    /// The shared state (tests reach the store and engine through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or ctrl-c (through [`http::serve`]: header-read timeout, connection
    /// cap), letting in-flight requests finish, then flushes the query log (up to 5 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application { listener, state, log_writer, background, slack, teams, serve, .. } = self;
        let app = router_with_teams(state.clone(), slack, teams);
        let served = http::serve::serve(listener, app, serve, state.metrics.clone(), shutdown_signal()).await;
        for task in background {
            task.abort();
        }
        let store = state.store.clone();
        drop(state);
        let _ = tokio::time::timeout(Duration::from_secs(5), log_writer).await;
        store.close().await;
        tracing::info!("stopped");
        served
    }
}

/// The state every handler shares, from the configuration and what start-up built.
fn shared_state(
    config: &Config,
    engine: Engine,
    store: Store,
    query_log: QueryLog,
    user_hash_salt: SecretString,
) -> Result<AppState, AppError> {
    Ok(AppState::new(Shared {
        engine: Arc::new(EngineCell::new(engine)),
        cache: Arc::new(AnswerCache::new(config.answer_cache_size)),
        json_cache: Arc::new(http::Cache::new(config.answer_cache_size)),
        renderings: Arc::new(http::Cache::new(config.answer_cache_size.min(http::template::MAX_RENDERINGS))),
        replies: Arc::new(http::Cache::new(config.answer_cache_size)),
        background: Arc::default(),
        store,
        query_log,
        metrics: Arc::new(Metrics::default()),
        settings: Arc::new(Settings {
            public_url: config.public_url.clone(),
            admin_token: config.admin_token.clone(),
            user_hash_salt,
            channel_admins: config.channel_admins.clone(),
            body_limit_bytes: config.body_limit_bytes,
            request_timeout: config.request_timeout,
        }),
        probe: http::probe::ProbeService::from_config(&config.probe)?,
        pacer: Arc::new(http::pacer::Pacer::new(http::pacer::SLACK_CHANNEL_INTERVAL)),
        admin_throttle: Arc::default(),
    }))
}

/// Start-up load: broken guides are skipped with a warning (a reload is stricter).
fn load_engine(dir: PathBuf) -> Result<Engine, AppError> {
    let report = load_dir(&dir)?;
    for finding in report.errors() {
        tracing::warn!(%finding, "guide skipped");
    }
    if report.guides.is_empty() {
        return Err(AppError::NoGuides(dir));
    }
    let engine = Engine::from_report(report)?;
    tracing::info!(guides = engine.len(), kb = %dir.display(), "knowledge base loaded");
    Ok(engine)
}

/// Every 10 minutes: expired event claims, and probe links and rate windows older than a day.
async fn purge_expired(store: Store) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(e) = store.purge_expired_events().await {
            tracing::warn!(error = %e, "purging expired event claims failed");
        }
        // Rate windows and one-time links older than a day are no use to anyone.
        if let Err(e) = store.purge_probe_state(86_400).await {
            tracing::warn!(error = %e, "purging old probe links and rate windows failed");
        }
    }
}

/// Once a day (first at start): query-log rows older than the retention (`0` keeps them all).
async fn purge_query_log(store: Store, days: u32) {
    if days == 0 {
        return;
    }
    let mut every = tokio::time::interval(Duration::from_secs(86_400));
    loop {
        every.tick().await;
        match store.purge_query_log(days).await {
            Ok(purged) => tracing::info!(purged, days, "query log retention applied"),
            Err(e) => tracing::warn!(error = %e, "purging old query-log rows failed"),
        }
    }
}

/// During a key rotation: seals every workspace token again with the current key, once at start.
async fn reseal_tokens(store: Store) {
    match store.reseal_installations().await {
        Ok(r) if r.unreadable > 0 => tracing::warn!(
            resealed = r.resealed,
            unreadable = r.unreadable,
            "some workspace tokens open with neither ERRKB_TOKEN_ENCRYPTION_KEY nor ..._PREVIOUS: reinstall those workspaces"
        ),
        Ok(r) => tracing::info!(
            resealed = r.resealed,
            current = r.current,
            "workspace tokens sealed with the current key; ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS can be removed"
        ),
        Err(e) => tracing::warn!(error = %e, "re-sealing workspace tokens with the current key failed"),
    }
}

/// Completes on SIGTERM or ctrl-c. The handlers are installed when this is called, not when the
/// future is first polled, so a signal that arrives as serving starts is not missed.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (term, interrupt) = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok())
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = wait(term) => {},
                () = wait(interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    }
}
