//! A wiremock Bot Framework for the Teams tests: OpenID metadata and signing keys (the
//! committed test key), the bot's token endpoint for tenant `tenant-1`, conversation creation
//! and the connector's activity endpoints.
#![allow(dead_code)]

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A file under tests/fixtures/teams/.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/teams/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub async fn microsoft() -> MockServer {
    let server = MockServer::start().await;
    let keys: Value = serde_json::from_str(&fixture("test-keys.jwk.json")).unwrap();
    let jwk = json!({"kty": "RSA", "kid": "key-a", "n": keys["test-key-a"]["n"], "e": keys["test-key-a"]["e"], "endorsements": ["msteams"]});
    let meta = json!({"issuer": "https://api.botframework.com", "jwks_uri": format!("{}/keys", server.uri())});
    let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("GET")).and(path("/meta")).respond_with(ok(meta)).mount(&server).await;
    Mock::given(method("GET")).and(path("/keys")).respond_with(ok(json!({"keys": [jwk]}))).mount(&server).await;
    let token = json!({"access_token": "bot-token", "expires_in": 3600});
    Mock::given(method("POST")).and(path("/tenant-1/oauth2/v2.0/token")).respond_with(ok(token)).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/v3/conversations"))
        .respond_with(ok(json!({"id": "a:personal-new"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/v3/conversations/.+/activities(/.+)?$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "reply-1"})))
        .mount(&server)
        .await;
    server
}

/// A Bot Connector `Authorization` header for `app_id`, signed with the test key the fake
/// serves, valid for 10 minutes.
pub fn bearer(app_id: &str, service_url: &str) -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let claims = json!({"iss": "https://api.botframework.com", "aud": app_id, "serviceurl": service_url, "nbf": now - 10, "exp": now + 600});
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-a".into());
    let key = EncodingKey::from_rsa_pem(fixture("test-key-a.pem").as_bytes()).unwrap();
    format!("Bearer {}", encode(&header, &claims, &key).unwrap())
}
