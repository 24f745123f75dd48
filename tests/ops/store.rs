//! Operations on the store, on SQLite always and on PostgreSQL when `ERRKB_TEST_DATABASE_URL` is
//! set (a fresh database per test): the query-log retention purge (and the app applying it at
//! start), rotating `ERRKB_TOKEN_ENCRYPTION_KEY` (the previous key opens old rows, which are
//! sealed again with the new one), and an older errkb refusing a database a newer one migrated.

use crate::common::{self, on_both_backends};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use errkb::store::{Installation, QueryRecord, Reseal, Store, StoreError};
use secrecy::{ExposeSecret, SecretString};

const DAY: i64 = 86_400;
const NOW: i64 = 1_795_900_000;

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite:{}", dir.path().join("errkb.sqlite3").display())
}

async fn store_at(url: &str, now: i64) -> (Store, Arc<AtomicI64>) {
    let clock = Arc::new(AtomicI64::new(now));
    let c = clock.clone();
    let store =
        Store::connect(url).await.expect("store connects").with_clock(Arc::new(move || c.load(Ordering::SeqCst)));
    (store, clock)
}

fn row(at: i64, query: &str) -> QueryRecord {
    QueryRecord {
        at,
        platform: "web".into(),
        query: query.into(),
        detected_code: None,
        answer_kind: "not_found".into(),
        guide_code: None,
    }
}

fn install(team: &str, token: &str) -> Installation {
    Installation {
        platform: "slack".into(),
        team_id: team.into(),
        enterprise_id: None,
        bot_user_id: "UBOT".into(),
        bot_token: SecretString::from(token.to_string()),
        scopes: "chat:write".into(),
        installed_by: "U1".into(),
    }
}

fn key(k: &str) -> SecretString {
    // ERRKB_TOKEN_ENCRYPTION_KEY is 32 bytes (hex or base64): a label becomes one, a real key stays.
    if k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()) || k.len() >= 43 && !k.contains('-') {
        return SecretString::from(k.to_string());
    }
    let hex: String = k.bytes().cycle().take(32).map(|b| format!("{b:02x}")).collect();
    SecretString::from(hex)
}

async fn the_retention_purge_deletes_only_rows_older_than_the_retention(url: &str) {
    let (store, clock) = store_at(url, NOW).await;
    let ages = [120, 91, 89, 0];
    let rows: Vec<QueryRecord> = ages.iter().map(|d| row(NOW - d * DAY, &format!("{d} days old"))).collect();
    store.insert_queries(&rows).await.unwrap();
    assert_eq!(store.purge_query_log(0).await.unwrap(), 0, "0 keeps every row");
    assert_eq!(store.purge_query_log(90).await.unwrap(), 2);
    let left: Vec<String> = store.recent_queries(10).await.unwrap().into_iter().map(|r| r.query).collect();
    assert_eq!(left, ["0 days old", "89 days old"]);
    clock.fetch_add(2 * DAY, Ordering::SeqCst);
    assert_eq!(store.purge_query_log(90).await.unwrap(), 1, "a day later the 89-day row has aged out");
    assert_eq!(store.query_count().await.unwrap(), 1);
}

async fn the_service_applies_the_retention_when_it_starts(url: &str) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (store, _) = store_at(url, now).await;
    store.insert_queries(&[row(now - 40 * DAY, "old"), row(now - 5 * DAY, "recent")]).await.unwrap();
    store.close().await;
    let options = common::Options {
        database_url: Some(url.to_string()),
        extra_env: vec![("ERRKB_QUERY_LOG_RETENTION_DAYS".into(), "30".into())],
        ..Default::default()
    };
    let app = common::spawn(options).await;
    let purged = common::eventually(Duration::from_secs(10), || async {
        app.state.store.query_count().await.unwrap_or(-1) == 1
    })
    .await;
    assert!(purged, "the start-up purge left {:?}", app.state.store.recent_queries(10).await);
    assert_eq!(app.state.store.recent_queries(1).await.unwrap()[0].query, "recent");
}

async fn the_previous_key_opens_old_rows_which_are_sealed_again_with_the_new_key(url: &str) {
    let (old_store, _) = store_at(url, NOW).await;
    let old_store = old_store.with_token_key(Some(&key("the-old-key"))).unwrap();
    for team in ["T1", "T2", "T3"] {
        old_store.save_installation(&install(team, &format!("xoxb-{team}"))).await.unwrap();
    }
    let stranger = old_store.clone().with_token_key(Some(&key("some-other-key"))).unwrap();
    stranger.save_installation(&install("T9", "xoxb-T9")).await.unwrap();

    let (rotating, _) = store_at(url, NOW).await;
    let rotating = rotating.with_token_keys(Some(&key("the-new-key")), Some(&key("the-old-key"))).unwrap();
    let new_only = rotating.clone().with_token_key(Some(&key("the-new-key"))).unwrap();
    assert!(new_only.installation("slack", "T1").await.is_err(), "before: the new key alone cannot open T1");
    let t1 = rotating.installation("slack", "T1").await.unwrap().expect("T1 opens with the previous key");
    assert_eq!(t1.bot_token.expose_secret(), "xoxb-T1");
    let t1 = new_only.installation("slack", "T1").await.unwrap().expect("reading T1 sealed it again");
    assert_eq!(t1.bot_token.expose_secret(), "xoxb-T1");

    let report = rotating.reseal_installations().await.unwrap();
    assert_eq!(report, Reseal { current: 1, resealed: 2, unreadable: 1 });
    for team in ["T1", "T2", "T3"] {
        let i = new_only.installation("slack", team).await.unwrap().expect("opens with the new key alone");
        assert_eq!(i.bot_token.expose_secret(), format!("xoxb-{team}"));
    }
    assert!(matches!(new_only.installation("slack", "T9").await, Err(StoreError::Seal(_))), "left alone");
    let again = rotating.reseal_installations().await.unwrap();
    assert_eq!(again, Reseal { current: 3, resealed: 0, unreadable: 1 }, "a second sweep has nothing to do");
}

async fn the_service_reseals_every_token_at_start_during_a_rotation(url: &str) {
    let (store, _) = store_at(url, NOW).await;
    let old = store.with_token_key(Some(&key(common::TOKEN_KEY))).unwrap();
    old.save_installation(&install("T1", "xoxb-start")).await.unwrap();
    old.close().await;
    let options = common::Options {
        database_url: Some(url.to_string()),
        extra_env: vec![
            ("ERRKB_TOKEN_ENCRYPTION_KEY".into(), key("the-rotated-key").expose_secret().to_string()),
            ("ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS".into(), common::TOKEN_KEY.into()),
        ],
        ..Default::default()
    };
    let _app = common::spawn(options).await;
    let (check, _) = store_at(url, NOW).await;
    let new_only = check.with_token_key(Some(&key("the-rotated-key"))).unwrap();
    let resealed = common::eventually(Duration::from_secs(10), || async {
        new_only.installation("slack", "T1").await.is_ok_and(|i| i.is_some())
    })
    .await;
    assert!(resealed, "the start-up sweep did not re-seal T1 with the new key");
}

async fn an_older_errkb_refuses_a_database_a_newer_one_migrated(url: &str) {
    let (store, _) = store_at(url, NOW).await;
    store.close().await;
    let raw_sql = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                   VALUES (9999, 'from a newer errkb', TRUE, X'00', 0)";
    if url.starts_with("sqlite:") {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(raw_sql).execute(&mut conn).await.unwrap();
    } else {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(&raw_sql.replace("X'00'", "'\\x00'::bytea")).execute(&mut conn).await.unwrap();
    }
    let err = Store::connect(url).await.expect_err("an unknown applied migration stops the start");
    assert!(matches!(err, StoreError::Migrate(_)), "{err:?}");
    assert!(err.to_string().contains("9999"), "the message names the migration: {err}");
}

on_both_backends!(
    the_retention_purge_deletes_only_rows_older_than_the_retention,
    the_service_applies_the_retention_when_it_starts,
    the_previous_key_opens_old_rows_which_are_sealed_again_with_the_new_key,
    the_service_reseals_every_token_at_start_during_a_rotation,
    an_older_errkb_refuses_a_database_a_newer_one_migrated,
);
