//! The query log writer: requests hand a record to a bounded channel and return at once; one
//! background task folds identical records of the same second into one row with a count,
//! redacts the text and writes batches. When the channel is full or the database fails,
//! records are dropped and counted; a request is never slowed or failed.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Store, redact};

/// At most this many records go into one transaction.
const BATCH: usize = 512;
/// How often the writer wakes to take what is queued.
const FLUSH_EVERY: Duration = Duration::from_millis(200);
/// Stored query text is cut to this many characters after redaction.
const MAX_STORED_CHARS: usize = 500;

/// One row of the query log. `query` is raw when recorded and redacted when stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueryRecord {
    pub at: i64,
    pub platform: String,
    pub query: String,
    pub detected_code: Option<String>,
    pub answer_kind: String,
    pub guide_code: Option<String>,
}

#[derive(Debug, Default)]
struct Counters {
    written: AtomicU64,
    dropped: AtomicU64,
}

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct QueryLog {
    tx: mpsc::Sender<QueryRecord>,
    counters: Arc<Counters>,
}

impl QueryLog {
    /// Starts the writer task for `store`; it ends when every `QueryLog` clone is dropped and
    /// the channel is drained.
    pub fn spawn(store: Store, capacity: usize) -> (QueryLog, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let counters = Arc::new(Counters::default());
        let handle = tokio::spawn(drain(store, rx, counters.clone()));
        (QueryLog { tx, counters }, handle)
    }

    /// Queues a record without waiting; when the queue is full the record is dropped and counted.
    pub fn record(&self, record: QueryRecord) {
        self.record_with(|| record);
    }

    /// Like [`QueryLog::record`], but builds the record only when the queue has room, so a
    /// flood that fills the queue costs no allocations for the rows it drops.
    pub fn record_with(&self, make: impl FnOnce() -> QueryRecord) {
        if self.tx.capacity() == 0 || self.tx.try_send(make()).is_err() {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records written so far.
    pub fn written(&self) -> u64 {
        self.counters.written.load(Ordering::Relaxed)
    }

    /// Records dropped so far (queue full or database failure).
    pub fn dropped(&self) -> u64 {
        self.counters.dropped.load(Ordering::Relaxed)
    }

    /// Records waiting in the queue.
    pub fn pending(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }
}

/// Wakes every [`FLUSH_EVERY`] (not per record: a wake-up per request costs more than the
/// request), takes what is queued and writes it; ends once every sender is gone and the queue
/// is empty.
async fn drain(store: Store, mut rx: mpsc::Receiver<QueryRecord>, counters: Arc<Counters>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let mut batch = Vec::new();
        let closed = loop {
            match rx.try_recv() {
                Ok(record) => batch.push(record),
                Err(mpsc::error::TryRecvError::Empty) => break false,
                Err(mpsc::error::TryRecvError::Disconnected) => break true,
            }
            if batch.len() >= BATCH {
                write(&store, std::mem::take(&mut batch), &counters).await;
            }
        };
        if !batch.is_empty() {
            write(&store, batch, &counters).await;
        }
        if closed {
            return;
        }
    }
}

/// Folds, redacts and writes one batch; counts it as written or dropped.
async fn write(store: &Store, batch: Vec<QueryRecord>, counters: &Counters) {
    let n = batch.len() as u64;
    let mut rows = fold(batch);
    for (record, _) in &mut rows {
        record.query = redact::redact(&record.query).chars().take(MAX_STORED_CHARS).collect();
    }
    match tokio::time::timeout(Duration::from_secs(5), store.insert_query_counts(&rows)).await {
        Ok(Ok(())) => {
            counters.written.fetch_add(n, Ordering::Relaxed);
        }
        Ok(Err(e)) => {
            counters.dropped.fetch_add(n, Ordering::Relaxed);
            tracing::warn!(error = %e, rows = n, "query log rows dropped");
        }
        Err(_) => {
            counters.dropped.fetch_add(n, Ordering::Relaxed);
            tracing::warn!(rows = n, "query log rows dropped: the database took longer than 5 s");
        }
    }
}

/// Identical records (same second, platform, text and answer) become one row with a count.
fn fold(batch: Vec<QueryRecord>) -> Vec<(QueryRecord, i64)> {
    let mut seen: HashMap<QueryRecord, usize> = HashMap::new();
    let mut rows: Vec<(QueryRecord, i64)> = Vec::new();
    for record in batch {
        match seen.get(&record) {
            Some(&i) => rows[i].1 += 1,
            None => {
                seen.insert(record.clone(), rows.len());
                rows.push((record, 1));
            }
        }
    }
    rows
}
