//! The load test's stand-in for everything errkb calls out to, so bench/load.sh can drive the
//! chat paths with real outbound work and nothing leaving the machine: the Slack Web API
//! (`POST /slack-api/{method}` answers `{"ok": true, ...}`), Slack `response_url`s
//! (`POST /hooks/...`), the Bot Framework OpenID metadata (`GET /openid`) and signing keys
//! (`GET /keys`: the committed test key `test-key-a` as kid `key-a`, endorsed for `msteams`),
//! the bot's token endpoint (`POST /{tenant}/oauth2/v2.0/token`) and the Bot Connector
//! (`POST /teams/v3/conversations/...`, answering 201 with an id).
//!
//! It checks nothing: it only answers fast, like hello_baseline. It knows nothing of errkb.
//!
//! Usage: `cargo run --release --example fake_platforms -- 127.0.0.1:3104 tests/fixtures/teams/test-keys.jwk.json`

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3104".to_string());
    let keys_file = args.next().unwrap_or_else(|| "tests/fixtures/teams/test-keys.jwk.json".to_string());
    let keys: Value = serde_json::from_str(&std::fs::read_to_string(&keys_file)?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let jwk = json!({"kty": "RSA", "use": "sig", "kid": "key-a", "n": keys["test-key-a"]["n"],
            "e": keys["test-key-a"]["e"], "endorsements": ["msteams"]});
        let metadata = json!({"issuer": "https://api.botframework.com", "jwks_uri": format!("{base}/keys")});
        let jwks = json!({"keys": [jwk]});
        let app = Router::new().fallback(move |request: Request| {
            let (metadata, jwks) = (metadata.clone(), jwks.clone());
            async move { answer(request.method(), request.uri().path(), metadata, jwks) }
        });
        eprintln!("fake_platforms listening on {base}");
        axum::serve(listener, app).await
    })
}

/// What each platform answers; the request body is never read.
fn answer(method: &Method, path: &str, metadata: Value, jwks: Value) -> Response {
    match (method.as_str(), path) {
        ("GET", "/openid") => Json(metadata).into_response(),
        ("GET", "/keys") => Json(jwks).into_response(),
        ("POST", p) if p.ends_with("/oauth2/v2.0/token") => {
            Json(json!({"token_type": "Bearer", "access_token": "bench-bot-token", "expires_in": 3600})).into_response()
        }
        ("POST", p) if p.starts_with("/teams/v3/conversations") => {
            (StatusCode::CREATED, Json(json!({"id": "bench-reply-1"}))).into_response()
        }
        ("POST", p) if p.starts_with("/slack-api/") => {
            Json(json!({"ok": true, "channel": "C0BENCH", "ts": "1700000000.000100", "view": {"id": "V1"}}))
                .into_response()
        }
        ("POST", p) if p.starts_with("/hooks/") => "ok".into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
