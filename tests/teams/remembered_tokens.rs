//! The memory of verified Bot Connector tokens: a remembered token skips only the RS256 check.
//! Each activity is still checked against it (serviceUrl, channel, endorsement), its lifetime
//! against the clock with the verifier's skew, a token differing in any byte is verified afresh,
//! and a key a refresh removed or replaced stops accepting the tokens it verified.

use std::sync::atomic::Ordering;

use errkb::teams::auth::{AuthError, ChannelAuth, SKEW_SECS};
use errkb::teams::clock::Clock;
use serde_json::json;
use wiremock::MockServer;

use super::auth::{APP_ID, SERVICE_URL, claims, jwk, now, rs256, serve_keys, standard_server};

fn auth_for(server: &MockServer, clock: Clock) -> ChannelAuth {
    ChannelAuth::new(APP_ID, format!("{}/meta", server.uri()), clock)
}

#[tokio::test]
async fn a_remembered_token_is_still_refused_for_another_service_url_or_channel() {
    let server = standard_server().await;
    let auth = auth_for(&server, Clock::system());
    let good = rs256(&claims(json!({})), "test-key-a", "key-a");
    for _ in 0..3 {
        assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Ok(()));
    }
    assert_eq!(auth.remembered_tokens(), 1, "verified once, remembered");
    let other_urls = ["https://evil.example/", "https://smba.trafficmanager.net/amer", ""];
    for url in other_urls {
        assert_eq!(auth.validate(Some(&good), url, "msteams").await, Err(AuthError::ServiceUrl), "{url:?}");
    }
    for channel in ["webchat", "", "MSTEAMS"] {
        assert_eq!(auth.validate(Some(&good), SERVICE_URL, channel).await, Err(AuthError::Channel), "{channel:?}");
    }
    let web = rs256(&claims(json!({})), "test-key-b", "key-web");
    for _ in 0..2 {
        assert_eq!(auth.validate(Some(&web), SERVICE_URL, "msteams").await, Err(AuthError::Endorsement));
    }
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Ok(()), "and the right one still passes");
}

#[tokio::test]
async fn a_remembered_token_is_refused_once_expired_with_the_same_skew_as_a_fresh_one() {
    let server = standard_server().await;
    let start = now();
    let (clock, time) = Clock::manual(start);
    let auth = auth_for(&server, clock);
    let exp = start + 100;
    let token = rs256(&claims(json!({"nbf": start - 60, "exp": exp})), "test-key-a", "key-a");
    assert_eq!(auth.validate(Some(&token), SERVICE_URL, "msteams").await, Ok(()));
    assert_eq!(auth.remembered_tokens(), 1);
    time.store(exp + SKEW_SECS - 1, Ordering::SeqCst);
    assert_eq!(auth.validate(Some(&token), SERVICE_URL, "msteams").await, Ok(()), "within the skew");
    time.store(exp + SKEW_SECS, Ordering::SeqCst);
    assert_eq!(auth.validate(Some(&token), SERVICE_URL, "msteams").await, Err(AuthError::Lifetime));
    time.store(exp + 3600, Ordering::SeqCst);
    assert_eq!(auth.validate(Some(&token), SERVICE_URL, "msteams").await, Err(AuthError::Lifetime));
}

/// The token with the byte at `at` (counted from the end) of its signature changed.
fn with_other_signature_byte(header: &str, at: usize) -> String {
    let mut bytes = header.as_bytes().to_vec();
    let i = bytes.len() - at;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_token_differing_from_a_remembered_one_is_verified_afresh_and_refused() {
    let server = standard_server().await;
    let auth = auth_for(&server, Clock::system());
    let good = rs256(&claims(json!({})), "test-key-a", "key-a");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Ok(()));
    for at in [10, 100, 300] {
        let tampered = with_other_signature_byte(&good, at);
        assert_ne!(tampered, good);
        assert_eq!(auth.validate(Some(&tampered), SERVICE_URL, "msteams").await, Err(AuthError::Invalid), "{at}");
    }
    // The remembered token's signature on other claims (another serviceurl, the same signature).
    let other = rs256(&claims(json!({"serviceurl": "https://evil.example/"})), "test-key-a", "key-a");
    let signature = good.rsplit_once('.').unwrap().1;
    let forged = format!("{}.{signature}", other.rsplit_once('.').unwrap().0);
    assert_eq!(auth.validate(Some(&forged), "https://evil.example/", "msteams").await, Err(AuthError::Invalid));
    assert_eq!(auth.remembered_tokens(), 1, "only the good token is remembered");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Ok(()));
}

/// An auth whose keys were first fetched an hour ago (so an unknown kid may refresh them now),
/// and `good`, verified just now under key-a and remembered.
async fn remembered_an_hour_after_the_first_fetch(server: &MockServer) -> (ChannelAuth, String) {
    let start = now();
    let (clock, time) = Clock::manual(start);
    let auth = auth_for(server, clock);
    let first = rs256(&claims(json!({"exp": start + 600})), "test-key-a", "key-a");
    assert_eq!(auth.validate(Some(&first), SERVICE_URL, "msteams").await, Ok(()));
    time.store(start + 3_601, Ordering::SeqCst);
    let good = rs256(&claims(json!({"exp": start + 7_200})), "test-key-a", "key-a");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Ok(()));
    assert_eq!(auth.remembered_tokens(), 2);
    (auth, good)
}

#[tokio::test]
async fn a_remembered_token_is_refused_once_a_refresh_removes_its_key() {
    let server = standard_server().await;
    let (auth, good) = remembered_an_hour_after_the_first_fetch(&server).await;
    serve_keys(&server, vec![jwk("test-key-b", "key-new", &["msteams"])]).await;
    let new = rs256(&claims(json!({})), "test-key-b", "key-new");
    assert_eq!(auth.validate(Some(&new), SERVICE_URL, "msteams").await, Ok(()), "the unknown kid refreshed the keys");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Err(AuthError::UnknownKey));
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Err(AuthError::UnknownKey));
}

#[tokio::test]
async fn a_remembered_token_is_refused_once_a_refresh_puts_other_key_material_under_its_kid() {
    let server = standard_server().await;
    let (auth, good) = remembered_an_hour_after_the_first_fetch(&server).await;
    serve_keys(&server, vec![jwk("test-key-b", "key-a", &["msteams"]), jwk("test-key-b", "key-new", &["msteams"])])
        .await;
    let new = rs256(&claims(json!({})), "test-key-b", "key-new");
    assert_eq!(auth.validate(Some(&new), SERVICE_URL, "msteams").await, Ok(()), "the unknown kid refreshed the keys");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Err(AuthError::Invalid));
    let rotated = rs256(&claims(json!({})), "test-key-b", "key-a");
    assert_eq!(auth.validate(Some(&rotated), SERVICE_URL, "msteams").await, Ok(()));
}

#[tokio::test]
async fn a_remembered_token_is_refused_once_a_refresh_withdraws_its_keys_endorsement() {
    let server = standard_server().await;
    let (auth, good) = remembered_an_hour_after_the_first_fetch(&server).await;
    serve_keys(&server, vec![jwk("test-key-a", "key-a", &["webchat"]), jwk("test-key-b", "key-new", &["msteams"])])
        .await;
    let new = rs256(&claims(json!({})), "test-key-b", "key-new");
    assert_eq!(auth.validate(Some(&new), SERVICE_URL, "msteams").await, Ok(()), "the unknown kid refreshed the keys");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Err(AuthError::Endorsement));
}

#[tokio::test]
async fn debug_output_never_shows_a_token() {
    let server = standard_server().await;
    let auth = auth_for(&server, Clock::system());
    let good = rs256(&claims(json!({})), "test-key-a", "key-a");
    assert_eq!(auth.validate(Some(&good), SERVICE_URL, "msteams").await, Ok(()));
    let shown = format!("{auth:?} {auth:#?}");
    let token = good.strip_prefix("Bearer ").unwrap();
    for part in token.split('.') {
        assert!(!shown.contains(part), "a token part is in {shown}");
    }
    assert!(shown.contains("entries: 1"), "{shown}");
}
