//! A fake Entra token endpoint (wiremock) that replays the documented answer shapes
//! (research/aadsts.md, section a), and helpers shared by the probe tests.
#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
/// A secret shaped like a real Entra secret value (never a GUID).
pub const SECRET: &str = "Xq38Q~s3cr3tV4lue.Th4tMustN3v3rL34k-0123";

/// An Entra error body; `crlf` picks the description's line-break style.
pub fn error_body(code: u32, error: &str, message: &str, crlf: bool) -> Value {
    let sep = if crlf { "\r\n" } else { " " };
    let description = format!(
        "AADSTS{code}: {message}{sep}Trace ID: 0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001{sep}Correlation ID: \
         5d2b7c9a-2222-4e1f-8a6b-3c00c0de0002{sep}Timestamp: 2026-11-29 10:00:00Z"
    );
    json!({
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": "2026-11-29 10:00:00Z",
        "trace_id": "0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001",
        "correlation_id": "5d2b7c9a-2222-4e1f-8a6b-3c00c0de0002",
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    })
}

/// An unsigned access token with `claims` (the probe never verifies it, only decodes).
pub fn access_token(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"typ": "JWT", "alg": "RS256", "x5t": "abc"}).to_string());
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk")
}

/// A success body whose token has `roles`.
pub fn success_body(roles: &[&str]) -> (Value, String) {
    let mut claims = json!({
        "aud": "https://graph.microsoft.com", "iss": format!("https://sts.windows.net/{TENANT}/"),
        "appid": CLIENT, "appidacr": "1", "tid": TENANT, "oid": "99999999-8888-7777-6666-555555555555",
        "idtyp": "app", "ver": "1.0", "iat": 1, "nbf": 1, "exp": 2,
    });
    if !roles.is_empty() {
        claims["roles"] = json!(roles);
    }
    let token = access_token(claims);
    (json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}), token)
}

/// Mounts one answer for any token request.
pub async fn answer_token(server: &MockServer, status: u16, body: Value) {
    Mock::given(method("POST"))
        .and(path_regex(r"^/[^/]+/oauth2/v2\.0/token$"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

/// Mounts a discovery answer for any tenant.
pub async fn answer_discovery(server: &MockServer, status: u16, body: Value) {
    Mock::given(method("GET"))
        .and(path_regex(r"^/[^/]+/v2\.0/\.well-known/openid-configuration$"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

/// A discovery document for `TENANT` in the public cloud.
pub fn discovery_doc() -> Value {
    json!({
        "issuer": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "token_endpoint": format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"),
        "cloud_instance_name": "microsoftonline.com",
        "tenant_region_scope": "EU",
    })
}

/// The form fields of a captured request body.
pub fn form_of(body: &[u8]) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
