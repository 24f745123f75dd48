//! Hardening of the service against hostile input and clients (issue 14): the token-sealing key
//! and the binding of a sealed token to its row, the per-installation user-hash salt, the admin
//! sign-in and its throttle, slow and excess connections, and refusals counted, not flooded.

use crate::common;

use common::{Options, spawn};
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
