//! The outgoing-webhook HMAC check against vectors made by an independent implementation
//! (Python's hmac and base64: tests/teams/make_hmac_vectors.py writes tests/fixtures/teams/hmac.json).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use errkb::teams::webhook_auth::{HmacError, WebhookKey};
use secrecy::SecretString;
use serde_json::Value;

/// `Authorization: HMAC …` for `body` under a base64 webhook secret, as Teams signs it (the
/// Python vectors above check the same formula independently).
pub fn authorization(secret_b64: &str, body: &[u8]) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&STANDARD.decode(secret_b64).unwrap()).unwrap();
    mac.update(body);
    format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/teams/hmac.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_python_vector_gets_the_same_verdict() {
    let v = vectors();
    let key = WebhookKey::from_secret(&SecretString::from(v["secret"].as_str().unwrap())).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let body = STANDARD.decode(case["body_base64"].as_str().unwrap()).unwrap();
        let verdict = key.verify(case["authorization"].as_str(), &body);
        assert_eq!(verdict.is_ok(), case["valid"].as_bool().unwrap(), "{}: {verdict:?}", case["name"]);
    }
}

#[test]
fn the_refusal_says_what_was_wrong_without_the_expected_value() {
    let v = vectors();
    let key = WebhookKey::from_secret(&SecretString::from(v["secret"].as_str().unwrap())).unwrap();
    let body = b"{}";
    assert_eq!(key.verify(None, body), Err(HmacError::Missing));
    assert_eq!(key.verify(Some("Bearer abc"), body), Err(HmacError::WrongScheme));
    assert_eq!(key.verify(Some("HMAC"), body), Err(HmacError::WrongScheme));
    assert_eq!(key.verify(Some("HMAC AAAA"), body), Err(HmacError::Mismatch));
    assert!(!HmacError::Mismatch.to_string().contains(v["secret"].as_str().unwrap()));
}
