//! Signature checks agree with an independent implementation: every vector in
//! tests/fixtures/slack/signatures.json was made and judged by Python slack_sdk's
//! SignatureVerifier (tests/slack/make_signature_vectors.py), with its clock fixed at "now".

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use errkb::slack::signature::{SignatureError, Verifier};
use secrecy::SecretString;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slack/signatures.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn verifier(secret: &str, now: i64) -> Verifier {
    Verifier::new(&SecretString::from(secret.to_string()), Arc::new(move || now))
}

#[test]
fn every_slack_sdk_vector_gets_the_same_verdict_from_errkb() {
    let doc = vectors();
    let secret = doc["secret"].as_str().unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 10);
    for v in vectors {
        let mut headers = HeaderMap::new();
        for (name, value) in v["headers"].as_object().unwrap() {
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
            headers.insert(name, HeaderValue::from_str(value.as_str().unwrap()).unwrap());
        }
        let body = v["body"].as_str().unwrap().as_bytes();
        let ours = verifier(secret, v["now"].as_i64().unwrap()).verify(&headers, body);
        assert_eq!(ours.is_ok(), v["valid"].as_bool().unwrap(), "{}: {ours:?}", v["name"]);
    }
}

#[test]
fn each_kind_of_failure_is_told_apart() {
    let doc = vectors();
    let secret = doc["secret"].as_str().unwrap();
    let by_name = |name: &str| doc["vectors"].as_array().unwrap().iter().find(|v| v["name"] == name).unwrap().clone();
    let verdict = |name: &str| {
        let v = by_name(name);
        let h = |k: &str| v["headers"][k].as_str();
        verifier(secret, v["now"].as_i64().unwrap()).verify_parts(
            h("X-Slack-Signature"),
            h("X-Slack-Request-Timestamp"),
            v["body"].as_str().unwrap().as_bytes(),
        )
    };
    assert_eq!(verdict("wrong secret"), Err(SignatureError::Mismatch));
    assert_eq!(verdict("tampered body"), Err(SignatureError::Mismatch));
    assert_eq!(verdict("stale by 301 seconds"), Err(SignatureError::Stale));
    assert_eq!(verdict("from 400 seconds in the future"), Err(SignatureError::Stale));
    assert_eq!(verdict("missing signature header"), Err(SignatureError::Missing));
    assert_eq!(verdict("missing timestamp header"), Err(SignatureError::Missing));
}

#[test]
fn the_slack_morphism_reference_vector_passes_at_its_own_time() {
    let v = verifier("fa2c05deeef5a4077494e89f54394de0", 1_531_420_618);
    let sig = "v0=baa91ef62d346e56607bbdd278a8acd570b91226854f15a382f43d33be42f666";
    assert_eq!(v.verify_parts(Some(sig), Some("1531420618"), b"test-body"), Ok(()));
    assert_eq!(v.verify_parts(Some(sig), Some("15314x0618"), b"test-body"), Err(SignatureError::BadTimestamp));
    assert_eq!(v.verify_parts(Some(sig), Some("1531420618"), &[0xff, 0xfe]), Err(SignatureError::Mismatch));
}

#[test]
fn the_signing_secret_never_shows_in_debug_output_or_errors() {
    let v = verifier("super-secret-signing-value", 0);
    let shown = format!("{v:?} {}", SignatureError::Mismatch);
    assert!(!shown.contains("super-secret"), "{shown}");
}
