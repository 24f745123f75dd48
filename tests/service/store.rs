//! The store on both backends: SQLite always, PostgreSQL when `ERRKB_TEST_DATABASE_URL` is set
//! (each test in its own fresh database). Includes two app instances on one PostgreSQL
//! de-duplicating the same event ids.

use crate::common::{self, on_both_backends};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use errkb::store::{Feedback, NewProbeLink, QueryLog, QueryRecord, Store, hash_user};

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite:{}", dir.path().join("store.sqlite3").display())
}

/// A store whose clock the test moves by hand.
async fn store_with_clock(url: &str) -> (Store, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(1_795_900_000));
    let clock = now.clone();
    let store =
        Store::connect(url).await.expect("store connects").with_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
    (store, now)
}

async fn events_are_claimed_once_until_they_expire(url: &str) {
    let (store, now) = store_with_clock(url).await;
    let ttl = Duration::from_secs(3600);
    assert!(store.claim_event("slack", "Ev1", ttl).await.unwrap());
    assert!(!store.claim_event("slack", "Ev1", ttl).await.unwrap());
    assert!(store.claim_event("teams", "Ev1", ttl).await.unwrap(), "platforms are separate");
    now.fetch_add(3601, Ordering::SeqCst);
    assert!(store.claim_event("slack", "Ev1", ttl).await.unwrap(), "an expired claim can be taken again");
    assert!(!store.claim_event("slack", "Ev1", ttl).await.unwrap());
    now.fetch_add(7200, Ordering::SeqCst);
    assert_eq!(store.purge_expired_events().await.unwrap(), 2);
}

async fn feedback_keeps_one_vote_per_user_and_answer(url: &str) {
    let (store, _) = store_with_clock(url).await;
    let vote = |answer_id, vote, user| Feedback {
        answer_id,
        guide_code: "AADSTS50011",
        vote,
        platform: "slack",
        user_hash: hash_user("s", "slack", user),
    };
    store.record_feedback(&vote("a1", 1, "U1")).await.unwrap();
    store.record_feedback(&vote("a1", -1, "U1")).await.unwrap();
    store.record_feedback(&vote("a1", 1, "U2")).await.unwrap();
    store.record_feedback(&vote("a2", 1, "U1")).await.unwrap();
    assert!(store.record_feedback(&vote("a3", 5, "U1")).await.is_err());
    let stats = store.admin_stats(14, 10).await.unwrap();
    assert_eq!(stats.ratings.len(), 1);
    assert_eq!((stats.ratings[0].helpful, stats.ratings[0].votes), (2, 3));
}

fn record(at: i64, query: &str, code: Option<&str>, kind: &str) -> QueryRecord {
    QueryRecord {
        at,
        platform: "web".into(),
        query: query.into(),
        detected_code: code.map(Into::into),
        answer_kind: kind.into(),
        guide_code: code.map(Into::into),
    }
}

async fn stats_count_days_codes_and_gaps(url: &str) {
    let (store, now) = store_with_clock(url).await;
    let t = now.load(Ordering::SeqCst);
    let rows = vec![
        record(t - 86_400, "AADSTS50011", Some("AADSTS50011"), "found"),
        record(t, "AADSTS50011 again", Some("AADSTS50011"), "found"),
        record(t, "printer on fire", None, "not_found"),
        record(t, "printer on fire", None, "not_found"),
        record(t - 30 * 86_400, "too old", None, "not_found"),
    ];
    store.insert_queries(&rows).await.unwrap();
    let stats = store.admin_stats(14, 10).await.unwrap();
    assert_eq!(stats.per_day.len(), 14);
    assert_eq!(stats.per_day.last().unwrap().1, 3);
    assert_eq!(stats.per_day[12].1, 1);
    assert_eq!(stats.total_queries, 4);
    assert_eq!(stats.top_codes, vec![("AADSTS50011".to_string(), 2)]);
    assert_eq!(stats.top_unanswered, vec![("printer on fire".to_string(), 2)]);
}

async fn reconnecting_keeps_the_data_and_the_schema(url: &str) {
    let store = Store::connect(url).await.unwrap();
    store.insert_queries(&[record(1, "x", None, "not_found")]).await.unwrap();
    store.close().await;
    let again = Store::connect(url).await.unwrap();
    assert_eq!(again.query_count().await.unwrap(), 1);
    assert!(again.ping().await);
}

fn link<'a>(token: &'a str, ttl_secs: i64) -> NewProbeLink<'a> {
    NewProbeLink {
        token,
        platform: "slack",
        user_id: "U1",
        user_name: "Ann",
        guide_code: Some("AADSTS7000215"),
        reply: "{\"channel\":\"C1\"}",
        ttl_secs,
    }
}

async fn a_probe_link_is_redeemed_once_by_concurrent_callers_and_never_after_expiry(url: &str) {
    let (store, now) = store_with_clock(url).await;
    store.create_probe_link(&link("tok-1", 600)).await.unwrap();
    let tries = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.redeem_probe_link("tok-1").await.unwrap() })
    });
    let won: Vec<_> = futures_util::future::join_all(tries).await.into_iter().filter_map(|r| r.unwrap()).collect();
    assert_eq!(won.len(), 1, "exactly one redeem wins");
    assert_eq!((won[0].user_id.as_str(), won[0].reply.as_str()), ("U1", "{\"channel\":\"C1\"}"));
    assert!(store.probe_link("tok-1").await.unwrap().unwrap().used_at.is_some());

    store.create_probe_link(&link("tok-2", 600)).await.unwrap();
    now.fetch_add(601, Ordering::SeqCst);
    assert_eq!(store.redeem_probe_link("tok-2").await.unwrap(), None, "expired");
    assert_eq!(store.redeem_probe_link("never-issued").await.unwrap(), None);
}

async fn probe_rate_windows_count_atomically_and_reset(url: &str) {
    let (store, now) = store_with_clock(url).await;
    now.store(6_000, Ordering::SeqCst);
    let hits = (0..10).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.count_probe_hit("user:slack:U1", 600).await.unwrap() })
    });
    let mut seen: Vec<i64> = futures_util::future::join_all(hits).await.into_iter().map(Result::unwrap).collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=10).collect::<Vec<_>>(), "every hit got its own count");
    assert_eq!(store.count_probe_hit("tenant:contoso.com", 600).await.unwrap(), 1, "buckets are separate");
    now.store(6_600, Ordering::SeqCst);
    assert_eq!(store.count_probe_hit("user:slack:U1", 600).await.unwrap(), 1, "a new window starts at 1");
    store.create_probe_link(&link("old", 60)).await.unwrap();
    now.store(6_600 + 90_000, Ordering::SeqCst);
    store.purge_probe_state(86_400).await.unwrap();
    assert_eq!(store.probe_link("old").await.unwrap(), None, "old links are purged");
    assert_eq!(store.count_probe_hit("user:slack:U1", 600).await.unwrap(), 1);
}

on_both_backends!(
    events_are_claimed_once_until_they_expire,
    feedback_keeps_one_vote_per_user_and_answer,
    stats_count_days_codes_and_gaps,
    reconnecting_keeps_the_data_and_the_schema,
    a_probe_link_is_redeemed_once_by_concurrent_callers_and_never_after_expiry,
    probe_rate_windows_count_atomically_and_reset,
);

#[tokio::test]
async fn a_sqlite_file_is_created_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new").with_extension("sqlite3");
    assert!(!path.exists());
    Store::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert!(path.exists());
}

#[tokio::test]
async fn a_full_query_log_drops_and_counts_instead_of_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(&dir)).await.unwrap();
    let (log, _writer) = QueryLog::spawn(store, 1);
    let started = std::time::Instant::now();
    for i in 0..1000 {
        log.record(record(i, "AADSTS50011", None, "found"));
    }
    assert!(started.elapsed() < Duration::from_millis(200), "recording waited");
    assert!(log.dropped() > 0);
}

#[tokio::test]
async fn a_dead_database_drops_and_counts_log_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(&dir)).await.unwrap();
    store.close().await;
    let (log, _writer) = QueryLog::spawn(store, 16);
    log.record(record(1, "AADSTS50011", None, "found"));
    assert!(common::eventually(Duration::from_secs(5), || async { log.dropped() == 1 }).await);
    assert_eq!(log.written(), 0);
}

#[tokio::test]
async fn two_app_instances_on_one_postgres_deduplicate_each_event_exactly_once() {
    let Some(url) = common::fresh_postgres("two_app_instances").await else { return };
    let options = common::Options { database_url: Some(url.clone()), ..Default::default() };
    let (a, b) = tokio::join!(common::spawn(options.clone()), common::spawn(options));
    let ttl = Duration::from_secs(600);
    let mut tasks = Vec::new();
    for i in 0..50 {
        for app in [&a, &b] {
            let store = app.state.store.clone();
            tasks.push(tokio::spawn(async move { store.claim_event("slack", &format!("Ev{i}"), ttl).await.unwrap() }));
        }
    }
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 50, "each of 50 events must be won by exactly one instance");
    drop((a, b));
    common::drop_postgres(&url).await;
}

#[tokio::test]
async fn identical_queries_in_one_second_are_stored_as_one_row_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(&dir)).await.unwrap();
    let (log, _writer) = QueryLog::spawn(store.clone(), 1024);
    for _ in 0..100 {
        log.record(record(42, "AADSTS50011 for bob@contoso.com", Some("AADSTS50011"), "found"));
    }
    log.record(record(42, "something else", None, "not_found"));
    let counted = store.clone();
    assert!(
        common::eventually(Duration::from_secs(5), || async { counted.query_count().await.unwrap_or(0) == 101 }).await
    );
    let rows = store.recent_queries(1000).await.unwrap();
    assert!(rows.len() < 101, "{} rows for 101 queries", rows.len());
    assert!(rows.iter().all(|r| !r.query.contains("bob@contoso.com")));
}
