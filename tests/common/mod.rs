//! Shared helpers for the service tests: spawn the whole app on port 0 with a temporary SQLite
//! file (or a fresh PostgreSQL database), a copy of kb/ when a test edits guides, and a client.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use errkb::app::Application;
use errkb::config::Config;
use errkb::http::AppState;
use tempfile::TempDir;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

pub fn repo_kb() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("kb")
}

/// The engine over the shipped kb/, built in memory.
pub fn shipped_engine() -> errkb::search::Engine {
    errkb::search::Engine::from_report(errkb::kb::load_dir(&repo_kb()).unwrap()).unwrap()
}

/// The answer a chat button gives for `code`: its guide, found by code, nothing else.
pub fn found_by_code(engine: &errkb::search::Engine, code: &str) -> errkb::answer::Answer {
    use errkb::answer::{Answer, Hit, Match, Outcome};
    let guide = engine.get(code).unwrap().clone();
    Answer {
        query: guide.code.to_string(),
        detected: vec![guide.code.clone()],
        outcome: Outcome::Found { best: Hit { guide, score: 1.0, matched: Match::Code }, alternatives: vec![] },
        reason: None,
    }
}

/// The key test apps seal OAuth-installed tokens with (32 bytes, base64).
pub const TOKEN_KEY: &str = "ZXJya2IgdGVzdCB0b2tlbiBrZXksIDMyIGJ5dGVzISE=";

/// How to start the app; `Default` is the shipped kb/, a temp SQLite file, admin on.
#[derive(Debug, Clone)]
pub struct Options {
    pub admin_token: Option<String>,
    pub copy_kb: bool,
    pub hot_reload: bool,
    pub database_url: Option<String>,
    pub extra_env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            admin_token: Some(ADMIN_TOKEN.into()),
            copy_kb: false,
            hot_reload: false,
            database_url: None,
            extra_env: Vec::new(),
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub port: u16,
    pub state: AppState,
    pub client: reqwest::Client,
    pub kb_dir: PathBuf,
    pub dir: TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }
}

pub fn config(dir: &Path, kb: &Path, options: &Options) -> Config {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("ERRKB_LISTEN".into(), "127.0.0.1:0".into());
    env.insert("ERRKB_KB_DIR".into(), kb.display().to_string());
    let db = options.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", dir.join("errkb.sqlite3").display()));
    env.insert("ERRKB_DATABASE_URL".into(), db);
    env.insert("ERRKB_HOT_RELOAD".into(), options.hot_reload.to_string());
    env.insert("ERRKB_TOKEN_ENCRYPTION_KEY".into(), TOKEN_KEY.into());
    if let Some(token) = &options.admin_token {
        env.insert("ERRKB_ADMIN_TOKEN".into(), token.clone());
    }
    env.extend(options.extra_env.iter().cloned());
    Config::from_parts(None, move |name| env.get(name).cloned()).expect("test config is valid")
}

/// Starts the app in the background and returns once it is listening.
pub async fn spawn(options: Options) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let kb_dir = if options.copy_kb {
        let copy = dir.path().join("kb");
        copy_dir(&repo_kb(), &copy);
        copy
    } else {
        repo_kb()
    };
    let app = Application::build(config(dir.path(), &kb_dir, &options)).await.expect("app builds");
    let port = app.port();
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    TestApp { base: format!("http://127.0.0.1:{port}"), port, state, client, kb_dir, dir }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read kb") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Waits until `check` is true, polling every 50 ms, for at most `limit`.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A fresh PostgreSQL database for this test, or `None` (with a skip message) when
/// `ERRKB_TEST_DATABASE_URL` is unset.
pub async fn fresh_postgres(test: &str) -> Option<String> {
    let Some(admin_url) = std::env::var("ERRKB_TEST_DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) else {
        eprintln!("skipping the PostgreSQL part of {test}: ERRKB_TEST_DATABASE_URL is not set");
        return None;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("errkb_test_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::SeqCst));
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&admin_url).await.expect("connect to ERRKB_TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("ERRKB_TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    Some(url.to_string())
}

/// Drops a database made by [`fresh_postgres`] (best effort).
pub async fn drop_postgres(url: &str) {
    let (Ok(admin_url), Ok(parsed)) = (std::env::var("ERRKB_TEST_DATABASE_URL"), url::Url::parse(url)) else {
        return;
    };
    let name = parsed.path().trim_start_matches('/').to_string();
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

/// Runs each named `async fn name(url: &str)` as two tests, `name::on_sqlite` (a temporary file,
/// from the calling module's `sqlite_url`) and `name::on_postgres` (a fresh database, skipped
/// without ERRKB_TEST_DATABASE_URL).
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$name(&super::sqlite_url(&dir)).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = super::common::fresh_postgres(stringify!($name)).await else { return };
                super::$name(&url).await;
                super::common::drop_postgres(&url).await;
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use on_both_backends;
