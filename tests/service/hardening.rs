//! Hardening of the service against hostile input and clients (issue 14): the token-sealing key
//! and the binding of a sealed token to its row, the per-installation user-hash salt, the admin
//! sign-in and its throttle, slow and excess connections, and refusals counted, not flooded.

use crate::common;

use common::{Options, spawn};
use std::time::Duration;

use errkb::app::Application;
use errkb::store::{Installation, hash_user};
use secrecy::{ExposeSecret, SecretString};

fn with_env(pairs: &[(&str, &str)]) -> Options {
    let extra_env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Options { extra_env, ..Options::default() }
}

fn installation(team_id: &str, token: &str) -> Installation {
    Installation {
        platform: "slack".into(),
        team_id: team_id.into(),
        enterprise_id: None,
        bot_user_id: "UBOT".into(),
        bot_token: SecretString::from(token.to_string()),
        scopes: "chat:write".into(),
        installed_by: "U1".into(),
    }
}

#[tokio::test]
async fn a_token_key_that_is_not_32_bytes_stops_the_start_naming_the_variable_never_the_value() {
    let short_base64 = "c2l4dGVlbiBieXRlcyBrZXk=";
    for bad in ["k", "a-passphrase-is-not-a-key-Q7", short_base64, "00112233445566778899aabbccddeeff"] {
        let dir = tempfile::tempdir().unwrap();
        let options = with_env(&[("ERRKB_TOKEN_ENCRYPTION_KEY", bad)]);
        let config = common::config(dir.path(), &common::repo_kb(), &options);
        let Err(error) = Application::build(config).await else {
            panic!("a {}-character key was accepted", bad.len());
        };
        let text = format!("{error} / {error:?}");
        assert!(text.contains("ERRKB_TOKEN_ENCRYPTION_KEY"), "{text}");
        assert!(text.contains("32"), "the message says what a key is: {text}");
        if bad.len() > 1 {
            assert!(!text.contains(bad), "the key's value reached the error: {text}");
        }
    }
}

#[tokio::test]
async fn a_sealed_token_copied_into_another_workspace_row_does_not_open() {
    let app = spawn(Options::default()).await;
    let store = &app.state.store;
    store.save_installation(&installation("T1", "xoxb-token-of-workspace-one")).await.unwrap();
    store.save_installation(&installation("T2", "xoxb-token-of-workspace-two")).await.unwrap();
    let url = format!("sqlite:{}", app.dir.path().join("errkb.sqlite3").display());
    let db = sqlx::SqlitePool::connect(&url).await.unwrap();
    let copy = "UPDATE installations SET bot_token = (SELECT bot_token FROM installations WHERE team_id = 'T1') \
                WHERE team_id = 'T2'";
    assert_eq!(sqlx::query(copy).execute(&db).await.unwrap().rows_affected(), 1);
    db.close().await;
    let moved = store.installation("slack", "T2").await;
    assert!(moved.is_err(), "T1's sealed token opened in T2's row: {:?}", moved.map(|i| i.map(|i| i.team_id)));
    let own = store.installation("slack", "T1").await.unwrap().expect("T1 is still there");
    assert_eq!(own.bot_token.expose_secret(), "xoxb-token-of-workspace-one");
}

fn salt_of(app: &common::TestApp) -> String {
    app.state.settings.user_hash_salt.expose_secret().to_string()
}

#[tokio::test]
async fn each_installation_gets_its_own_random_user_hash_salt_kept_across_restarts() {
    let one = spawn(Options::default()).await;
    let two = spawn(Options::default()).await;
    let (a, b) = (salt_of(&one), salt_of(&two));
    assert_ne!(a, "errkb", "the old constant default");
    assert!(a.len() >= 32, "at least 128 bits of salt: {} characters", a.len());
    assert_ne!(a, b, "two installations share a salt");
    assert_ne!(hash_user(&a, "slack", "U1"), hash_user("errkb", "slack", "U1"));
    let database_url = Some(format!("sqlite:{}", one.dir.path().join("errkb.sqlite3").display()));
    let restarted = spawn(Options { database_url, ..Options::default() }).await;
    assert_eq!(salt_of(&restarted), a, "a restart on the same database keeps the salt");
    let configured = spawn(with_env(&[("ERRKB_USER_HASH_SALT", "configured-salt-from-the-vault")])).await;
    assert_eq!(salt_of(&configured), "configured-salt-from-the-vault", "a configured salt wins");
}

#[tokio::test]
async fn replicas_on_one_postgres_share_one_generated_salt() {
    let Some(db) = common::fresh_postgres("replicas_on_one_postgres_share_one_generated_salt").await else { return };
    let options = Options { database_url: Some(db.clone()), ..Options::default() };
    let (one, two) = tokio::join!(spawn(options.clone()), spawn(options));
    assert_eq!(salt_of(&one), salt_of(&two));
    assert_ne!(salt_of(&one), "errkb");
    common::drop_postgres(&db).await;
}

/// Opens a connection that trickles header bytes (`trickle`) or sends nothing, and returns once
/// the server closes it.
async fn slow_client(port: u16, trickle: bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let head = b"GET /healthz HTTP/1.1\r\nHost: errkb\r\nX-Slow: ".iter().chain(std::iter::repeat(&b'a'));
        for byte in head.take(if trickle { 10_000 } else { 0 }) {
            if write.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::future::pending::<()>().await;
    });
    let mut buf = [0u8; 512];
    while let Ok(n) = read.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
    writer.abort();
}

#[tokio::test]
async fn slow_or_silent_clients_are_disconnected_after_the_header_read_timeout() {
    let app = spawn(with_env(&[("ERRKB_HEADER_READ_TIMEOUT_SECS", "1")])).await;
    let clients = [true, true, false, false].map(|trickle| tokio::spawn(slow_client(app.port, trickle)));
    for (i, client) in clients.into_iter().enumerate() {
        let closed = tokio::time::timeout(Duration::from_secs(15), client).await;
        assert!(closed.is_ok(), "slow client {i} was still connected after 15 s (header read timeout: 1 s)");
    }
    assert_eq!(app.get("/healthz").await.status(), 200, "the server still answers");
}

/// Sends one complete request on a fresh connection and returns the status line.
async fn status_line(port: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: errkb\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn connections_beyond_the_configured_limit_get_a_503_and_a_freed_slot_serves_again() {
    use tokio::io::AsyncWriteExt;
    let app = spawn(with_env(&[("ERRKB_MAX_CONNECTIONS", "3"), ("ERRKB_HEADER_READ_TIMEOUT_SECS", "60")])).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        held.push(stream);
    }
    let busy = common::eventually(Duration::from_secs(5), || async { status_line(app.port).await.contains("503") });
    assert!(busy.await, "a 4th connection was served: {}", status_line(app.port).await);
    held.pop();
    let freed = common::eventually(Duration::from_secs(5), || async { status_line(app.port).await.contains("200") });
    assert!(freed.await, "a freed slot serves again");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("errkb_refusals_total{reason=\"connection_limit\"}"), "{metrics}");
}

#[tokio::test]
async fn wrong_admin_tokens_are_throttled_per_client_address() {
    let app = spawn(Options::default()).await;
    let admin = |token: &'static str| app.client.get(app.url("/admin")).bearer_auth(token).send();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(admin("a-guess").await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429], "five tries, then refused");
    let right = admin(common::ADMIN_TOKEN).await.unwrap();
    assert_eq!(right.status(), 429, "while throttled even the right token is refused (no oracle)");
    assert!(right.headers().contains_key("retry-after"));
    let form = app.client.post(app.url("/admin/sign-in")).form(&[("token", common::ADMIN_TOKEN)]).send().await;
    assert_eq!(form.unwrap().status(), 429, "the sign-in form shares the allowance");
    let other_app = spawn(Options::default()).await;
    let fresh = other_app.client.get(other_app.url("/admin")).bearer_auth(common::ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(fresh.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("errkb_refusals_total{reason=\"admin_token\"} 5"), "{metrics}");
}
