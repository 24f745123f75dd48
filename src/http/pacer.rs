//! Pacing of automatic answers per channel: jobs for one key (`slack:C0123`, `teams:19:...`) run
//! one at a time, in the order they arrived, each starting at least one interval after the
//! previous one finished (Slack allows about one message a second per channel). A burst is
//! queued, never dropped silently: past [`MAX_WAITING`] jobs in one channel a job is refused with
//! [`Full`], which the caller logs, and it is counted.
//!
//! Plumbing shared by the chat adapters; knows nothing of Slack, Teams or answers.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Slack's pace for posting into one channel.
pub const SLACK_CHANNEL_INTERVAL: Duration = Duration::from_secs(1);
/// Jobs that may wait in one channel before new ones are refused.
pub const MAX_WAITING: usize = 200;
/// Past this many remembered channels, idle ones are forgotten.
const MAX_LANES: usize = 10_000;

/// Too many automatic answers are already waiting in this channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} automatic answers are already waiting in this channel")]
pub struct Full(pub usize);

#[derive(Debug, Default)]
struct Lane {
    /// When the previous job finished; the lock is the queue (tokio's mutex is fair: FIFO).
    last: tokio::sync::Mutex<Option<Instant>>,
    waiting: AtomicUsize,
}

/// Per-channel pacing; one per service, shared by every replica's adapters in this process.
#[derive(Debug)]
pub struct Pacer {
    interval_ms: AtomicU64,
    lanes: Mutex<HashMap<String, Arc<Lane>>>,
    refused: AtomicU64,
}

/// Takes a job off the waiting count however it ends (done, refused or cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Pacer {
    pub fn new(interval: Duration) -> Pacer {
        Pacer {
            interval_ms: AtomicU64::new(interval.as_millis() as u64),
            lanes: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
        }
    }

    /// Changes the gap between two jobs of one key (tests use a short one).
    pub fn set_interval(&self, interval: Duration) {
        self.interval_ms.store(interval.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms.load(Ordering::SeqCst))
    }

    /// Jobs refused since start because their channel's queue was full.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Runs `job` after every earlier job of `key`, at least one interval after the previous one
    /// finished. `Err(Full)` when [`MAX_WAITING`] jobs of `key` are already waiting.
    pub async fn run<T>(&self, key: &str, job: impl Future<Output = T>) -> Result<T, Full> {
        let lane = self.lane(key);
        let waiting = lane.waiting.fetch_add(1, Ordering::SeqCst) + 1;
        let _waiting = Waiting(&lane.waiting);
        if waiting > MAX_WAITING {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(Full(waiting - 1));
        }
        let mut last = lane.last.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until((previous + self.interval()).into()).await;
        }
        let out = job.await;
        *last = Some(Instant::now());
        Ok(out)
    }

    fn lane(&self, key: &str) -> Arc<Lane> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if lanes.len() >= MAX_LANES && !lanes.contains_key(key) {
            lanes.retain(|_, lane| lane.waiting.load(Ordering::SeqCst) > 0);
        }
        lanes.entry(key.to_string()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lower bounds only: the pacer guarantees them whatever the machine's load.
    #[tokio::test]
    async fn jobs_of_one_key_run_in_order_an_interval_apart_and_other_keys_do_not_wait() {
        let gap = Duration::from_millis(40);
        let pacer = Arc::new(Pacer::new(gap));
        let mut tasks = Vec::new();
        for (i, key) in ["a", "a", "a", "b"].into_iter().enumerate() {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move { pacer.run(key, async move { (i, Instant::now()) }).await.unwrap() }));
            tokio::task::yield_now().await;
        }
        let mut done = Vec::new();
        for t in tasks {
            done.push(t.await.unwrap());
        }
        let (a, b): (Vec<_>, Vec<_>) = done.into_iter().partition(|(i, _)| *i < 3);
        assert_eq!(a.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(a[1].1 - a[0].1 >= gap && a[2].1 - a[1].1 >= gap, "a's jobs are spaced");
        assert!(b[0].1 < a[2].1, "another channel does not wait behind a");
    }

    #[tokio::test]
    async fn a_full_queue_refuses_and_counts() {
        let pacer = Arc::new(Pacer::new(Duration::from_millis(1)));
        let (release, hold) = tokio::sync::oneshot::channel::<()>();
        let first = {
            let pacer = pacer.clone();
            tokio::spawn(async move { pacer.run("c", async move { hold.await.ok() }).await })
        };
        let mut tasks = Vec::new();
        while pacer.lane("c").waiting.load(Ordering::SeqCst) < MAX_WAITING {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move { pacer.run("c", async {}).await }));
            tokio::task::yield_now().await;
        }
        assert_eq!(pacer.run("c", async {}).await, Err(Full(MAX_WAITING)));
        assert_eq!(pacer.refused(), 1);
        release.send(()).unwrap();
        assert!(first.await.unwrap().is_ok());
        for t in tasks {
            assert!(t.await.unwrap().is_ok(), "every queued job ran");
        }
    }
}
