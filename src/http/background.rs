//! Work a chat route starts after it has acknowledged (answering a Slack event or button, replying
//! to a Teams activity), bounded per replica: at most [`MAX_IN_FLIGHT`] such tasks run or wait at
//! once. When they are all taken the route is told so *before* it acknowledges, and answers
//! 503 instead of 200: Slack redelivers an event that was not acknowledged, and a person can click
//! again, whereas an acknowledged request whose work is dropped (or queued without bound) is lost
//! or takes the replica's memory with it.
//!
//! Owns the permits and the 503 a refused request gets. Knows tokio and axum's responses only;
//! the adapters decide when to reserve a place (Socket Mode leaves a refused envelope unacked).

use std::future::Future;
use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Metrics;

/// Background tasks one replica runs at once. Each holds a database connection or an outbound
/// HTTP request for a moment; more than this is a flood the replica cannot finish soon anyway.
pub const MAX_IN_FLIGHT: usize = 512;

/// The replica's budget of background chat work.
#[derive(Debug)]
pub struct Background {
    permits: Arc<Semaphore>,
    size: usize,
}

/// The budget is spent: the caller should refuse the request so that it is sent again later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} background tasks are already running; try again shortly")]
pub struct Busy(pub usize);

/// A place in the budget, taken before acknowledging and given to the task it pays for.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl Default for Background {
    fn default() -> Self {
        Background::new(MAX_IN_FLIGHT)
    }
}

impl Background {
    pub fn new(max_in_flight: usize) -> Background {
        let size = max_in_flight.max(1);
        Background { permits: Arc::new(Semaphore::new(size)), size }
    }

    /// A place for one task, or [`Busy`] when every place is taken (never waits).
    pub fn reserve(&self) -> Result<Slot, Busy> {
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => Ok(Slot { _permit: permit }),
            Err(_) => Err(Busy(self.in_flight())),
        }
    }

    /// Runs `task` in the place `slot` holds; the place is free again when it ends.
    pub fn spawn(slot: Slot, task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(async move {
            let _slot = slot;
            task.await;
        });
    }

    /// Reserves a place and runs `task` in it, or returns [`Busy`] without running it.
    pub fn try_spawn(&self, task: impl Future<Output = ()> + Send + 'static) -> Result<(), Busy> {
        Background::spawn(self.reserve()?, task);
        Ok(())
    }

    /// Tasks running or reserved now.
    pub fn in_flight(&self) -> usize {
        self.size.saturating_sub(self.permits.available_permits())
    }
}

/// `503 Service Unavailable` with `Retry-After: 1`, counted as a `background_busy` refusal.
pub fn busy(metrics: &Metrics, busy: Busy) -> Response {
    super::refused(metrics, "background_busy", &busy);
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, busy.to_string()).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_budget_refuses_a_task_and_frees_a_place_when_one_ends() {
        let background = Background::new(2);
        let (release, wait) = tokio::sync::watch::channel(false);
        for _ in 0..2 {
            let mut wait = wait.clone();
            background.try_spawn(async move { wait.wait_for(|go| *go).await.map(|_| ()).unwrap_or(()) }).unwrap();
        }
        let refused = background.try_spawn(async {});
        assert!(refused.is_err(), "a third task is refused while two run");
        release.send(true).unwrap();
        let mut freed = false;
        for _ in 0..200 {
            if background.reserve().is_ok() {
                freed = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(freed, "a place is free again once a task has ended");
    }
}
