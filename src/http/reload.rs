//! The serving engine and its hot reload. [`EngineCell`] holds the current engine; readers take
//! an `Arc` and keep it for the whole request, so a swap never disturbs a request in flight.
//! [`watch`] rebuilds the index in the background when kb/ changes and swaps it in atomically;
//! an edit that breaks a guide keeps the last good engine and logs the lint findings.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Metrics;
use crate::kb::{Finding, LoadError, load_dir};
use crate::search::{Engine, IndexError};

/// The engine requests are answered from, swapped whole on reload.
#[derive(Debug)]
pub struct EngineCell {
    current: RwLock<Arc<Engine>>,
    generation: AtomicU64,
}

impl EngineCell {
    pub fn new(engine: Engine) -> EngineCell {
        EngineCell { current: RwLock::new(Arc::new(engine)), generation: AtomicU64::new(0) }
    }

    /// The engine to answer with; hold it for the whole request.
    pub fn current(&self) -> Arc<Engine> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The engine and its generation, read together (for caching answers per generation).
    pub fn snapshot(&self) -> (Arc<Engine>, u64) {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        (current.clone(), self.generation.load(Ordering::SeqCst))
    }

    /// Swaps in a new engine.
    pub fn replace(&self, engine: Engine) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        *current = Arc::new(engine);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// How many swaps have happened since start.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// Why a reload was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{} guide error(s); first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Broken(Vec<Finding>),
    #[error("no guides found")]
    Empty,
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Loads `dir` strictly: any error finding refuses the whole load (used on reload, so a broken
/// edit never replaces a good index).
pub fn build_strict(dir: &Path) -> Result<Engine, ReloadError> {
    let report = load_dir(dir)?;
    let errors: Vec<Finding> = report.errors().cloned().collect();
    if !errors.is_empty() {
        return Err(ReloadError::Broken(errors));
    }
    if report.guides.is_empty() {
        return Err(ReloadError::Empty);
    }
    Ok(Engine::from_report(report)?)
}

/// Watches `dir` and reloads into `cell` after changes settle (250 ms). The returned task owns
/// the file watcher; abort it to stop watching.
pub fn watch(dir: PathBuf, cell: Arc<EngineCell>, metrics: Arc<Metrics>) -> Result<JoinHandle<()>, notify::Error> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant =
            event.is_ok_and(|e| matches!(e.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)));
        if relevant {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&dir, RecursiveMode::Recursive)?;
    Ok(tokio::spawn(reload_loop(dir, cell, metrics, rx, watcher)))
}

async fn reload_loop(
    dir: PathBuf,
    cell: Arc<EngineCell>,
    metrics: Arc<Metrics>,
    mut rx: mpsc::UnboundedReceiver<()>,
    _watcher: notify::RecommendedWatcher,
) {
    while rx.recv().await.is_some() {
        tokio::time::sleep(Duration::from_millis(250)).await;
        while rx.try_recv().is_ok() {}
        let load_dir = dir.clone();
        match tokio::task::spawn_blocking(move || build_strict(&load_dir)).await {
            Ok(Ok(engine)) => {
                let guides = engine.len();
                cell.replace(engine);
                metrics.count_reload(true);
                tracing::info!(guides, generation = cell.generation(), "knowledge base reloaded");
            }
            Ok(Err(ReloadError::Broken(findings))) => {
                metrics.count_reload(false);
                for finding in &findings {
                    tracing::warn!(%finding, "reload refused: keeping the last good index");
                }
            }
            Ok(Err(e)) => {
                metrics.count_reload(false);
                tracing::warn!(error = %e, "reload refused: keeping the last good index");
            }
            Err(e) => tracing::error!(error = %e, "reload task failed"),
        }
    }
}
