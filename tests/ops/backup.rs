//! Backup and restore, as docs/operations.md tells an admin to do them: `errkb backup --out FILE`
//! copies a SQLite database while the service runs; `pg_dump -Fc` and `pg_restore` do PostgreSQL.
//! Each test fills a running service's database, backs it up, restores the copy elsewhere, starts
//! a service on the restored copy and checks the data came back and it answers.

use crate::common;

use std::path::Path;
use std::process::Command;

use errkb::store::{Installation, QueryRecord, Store};
use secrecy::{ExposeSecret, SecretString};

fn install() -> Installation {
    Installation {
        platform: "slack".into(),
        team_id: "TBACKUP".into(),
        enterprise_id: None,
        bot_user_id: "UBOT".into(),
        bot_token: SecretString::from("xoxb-survives-a-restore"),
        scopes: "chat:write".into(),
        installed_by: "U1".into(),
    }
}

/// Puts a query row and a sealed installation into the live service's store.
async fn fill(store: &Store) {
    let now = store.now();
    let row = QueryRecord {
        at: now,
        platform: "web".into(),
        query: "AADSTS7000215 before the backup".into(),
        detected_code: Some("AADSTS7000215".into()),
        answer_kind: "found".into(),
        guide_code: Some("AADSTS7000215".into()),
    };
    store.insert_queries(&[row]).await.unwrap();
    store.save_installation(&install()).await.unwrap();
}

/// A service on the restored database: the rows are there, the token opens, answers are served.
async fn serves_from(url: &str) {
    let app = common::spawn(common::Options { database_url: Some(url.to_string()), ..Default::default() }).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let store = &app.state.store;
    let rows = store.recent_queries(10).await.unwrap();
    assert!(rows.iter().any(|r| r.query == "AADSTS7000215 before the backup"), "{rows:?}");
    let restored = store.installation("slack", "TBACKUP").await.unwrap().expect("the installation came back");
    assert_eq!(restored.bot_token.expose_secret(), "xoxb-survives-a-restore");
    let answer: serde_json::Value = app.get("/api/v1/answer?q=AADSTS7000215").await.json().await.unwrap();
    assert_eq!(answer["answer"], "found");
    let admin = app.client.get(app.url("/admin")).bearer_auth(common::ADMIN_TOKEN).send().await.unwrap();
    assert!(admin.text().await.unwrap().contains("AADSTS7000215"), "the admin page counts the restored query");
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed: {text}");
    text
}

#[tokio::test]
async fn a_sqlite_backup_taken_while_serving_restores_and_serves() {
    let app = common::spawn(common::Options::default()).await;
    fill(&app.state.store).await;
    let live = app.dir.path().join("errkb.sqlite3");
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("errkb-backup.sqlite3");
    let printed = run(Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["backup", "--out"])
        .arg(&backup)
        .env("ERRKB_DATABASE_URL", format!("sqlite:{}", live.display()))
        .env_remove("ERRKB_CONFIG"));
    assert!(printed.contains("wrote"), "{printed}");
    let again = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["backup", "--out"])
        .arg(&backup)
        .env("ERRKB_DATABASE_URL", format!("sqlite:{}", live.display()))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "an existing backup file is never overwritten");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(app.get("/readyz").await.status(), 200, "the service kept serving during the backup");

    // Restore as the docs say: the copy becomes the database file of a (new) service.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = restored_dir.path().join("errkb.sqlite3");
    std::fs::copy(&backup, &restored).unwrap();
    serves_from(&format!("sqlite:{}", restored.display())).await;
}

#[tokio::test]
async fn errkb_backup_points_postgresql_users_at_pg_dump() {
    let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["backup", "--out", "/nonexistent/never-written"])
        .env("ERRKB_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pg_dump") && err.contains("docs/operations.md"), "{err}");
    assert!(!Path::new("/nonexistent/never-written").exists());
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn a_postgresql_dump_restores_into_a_new_database_and_serves() {
    let Some(source) = common::fresh_postgres("a_postgresql_dump_restores").await else { return };
    if !have("pg_dump") || !have("pg_restore") {
        common::drop_postgres(&source).await;
        assert!(std::env::var("CI").is_err(), "pg_dump and pg_restore are needed in CI (postgresql-client)");
        eprintln!("skipping the PostgreSQL restore test: pg_dump/pg_restore are not installed");
        return;
    }
    let app = common::spawn(common::Options { database_url: Some(source.clone()), ..Default::default() }).await;
    fill(&app.state.store).await;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("errkb.dump");
    run(Command::new("pg_dump").args(["--format=custom", "--no-owner", "--file"]).arg(&dump).arg(&source));
    assert!(Path::new(&dump).metadata().unwrap().len() > 0);

    let target = common::fresh_postgres("a_postgresql_dump_restores (target)").await.expect("a second database");
    run(Command::new("pg_restore").args(["--no-owner", "--exit-on-error", "--dbname", &target]).arg(&dump));
    serves_from(&target).await;
    drop(app);
    common::drop_postgres(&source).await;
    common::drop_postgres(&target).await;
}
