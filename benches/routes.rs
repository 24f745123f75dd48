//! errkb's own cost per request, without the network: each request goes through the whole
//! router (every middleware layer, signature checks, parsing, the answer cache, rendering) with
//! `tower::ServiceExt::oneshot` on one thread, and its response body is read to the end. The
//! first benchmark is an empty axum handler on the same runtime, the floor to compare with.
//! `bench/load.sh` measures the same paths over loopback, where the kernel and wrk share the
//! machine; this bench says which part of a figure is errkb's.
//!
//! `cargo bench --bench routes` (shipped kb/, SQLite in a temporary directory, Slack and the
//! Teams webhook configured with made-up secrets).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::Request;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use errkb::app::Application;
use errkb::config::Config;
use hmac::Mac as _;
use tower::ServiceExt;

const SIGNING_SECRET: &str = "bench-signing-secret";
const WEBHOOK_SECRET: &str = "YmVuY2ggd2ViaG9vayBzZWNyZXQsIDMyIGJ5dGVzIGxvbmch";

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The shipped kb/, a new SQLite file, Slack and the Teams outgoing webhook on.
fn config(dir: &std::path::Path) -> Config {
    let kb = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("kb");
    let env: BTreeMap<&str, String> = BTreeMap::from([
        ("ERRKB_LISTEN", "127.0.0.1:0".to_string()),
        ("ERRKB_KB_DIR", kb.display().to_string()),
        ("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.join("errkb.sqlite3").display())),
        ("ERRKB_HOT_RELOAD", "false".to_string()),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET.to_string()),
        ("TEAMS_WEBHOOK_SECRET", WEBHOOK_SECRET.to_string()),
    ]);
    Config::from_parts(None, move |name| env.get(name).cloned()).expect("bench config is valid")
}

fn slash_command(text: &str) -> Request<Body> {
    let body = format!(
        "command=%2Faadsts&text={}&team_id=T0BENCH&channel_id=C0BENCH&user_id=U0BENCH&trigger_id=1.2.3",
        text.replace(' ', "+")
    );
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string();
    let signature = hmac_sha256(SIGNING_SECRET.as_bytes(), format!("v0:{ts}:{body}").as_bytes());
    let hex: String = signature.iter().map(|b| format!("{b:02x}")).collect();
    Request::post("/slack/commands")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", format!("v0={hex}"))
        .body(Body::from(body))
        .unwrap()
}

fn webhook(text: &str) -> Request<Body> {
    let body = serde_json::json!({"type": "message", "id": "1", "text": format!("<at>errkb</at> {text}"),
        "from": {"id": "29:1", "name": "A User"}, "conversation": {"id": "19:c"}, "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/emea/"})
    .to_string();
    let key = STANDARD.decode(WEBHOOK_SECRET).unwrap();
    let authorization = format!("HMAC {}", STANDARD.encode(hmac_sha256(&key, body.as_bytes())));
    Request::post("/teams/webhook")
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .body(Body::from(body))
        .unwrap()
}

fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn routes(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = rt.block_on(Application::build(config(dir.path()))).expect("errkb starts");
    let router = app.router();
    let hello: Router = Router::new().route("/", get(|| async { "Hello, World!" }));
    let call = |router: &Router, request: Request<Body>| {
        rt.block_on(async {
            let response = router.clone().oneshot(request).await.unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            black_box(to_bytes(response.into_body(), usize::MAX).await.unwrap())
        })
    };
    let state = app.state().clone();
    let (limit, timeout) = (state.settings.body_limit_bytes, state.settings.request_timeout);
    let layered: Router =
        errkb::http::apply_layers(Router::new().route("/", get(|| async { "Hello, World!" })), &state, limit, timeout)
            .with_state(state);
    let mut group = c.benchmark_group("routes");
    group.bench_function("empty axum handler", |b| b.iter(|| call(&hello, get_request("/"))));
    group.bench_function("empty handler inside errkb's middleware", |b| b.iter(|| call(&layered, get_request("/"))));
    group.bench_function("GET /healthz", |b| b.iter(|| call(&router, get_request("/healthz"))));
    group.bench_function("GET /api/v1/answer (a code)", |b| {
        b.iter(|| call(&router, get_request("/api/v1/answer?q=AADSTS7000215")))
    });
    let pasted = "AADSTS50011%3A%20The%20redirect%20URI%20specified%20in%20the%20request%20does%20not%20match";
    group.bench_function("GET /api/v1/answer (a pasted line)", |b| {
        b.iter(|| call(&router, get_request(&format!("/api/v1/answer?q={pasted}"))))
    });
    group.bench_function("POST /slack/commands, signed (a code)", |b| {
        b.iter_batched(|| slash_command("AADSTS7000215"), |r| call(&router, r), criterion::BatchSize::SmallInput)
    });
    group.bench_function("POST /teams/webhook, HMAC (a code)", |b| {
        b.iter_batched(|| webhook("AADSTS7000215"), |r| call(&router, r), criterion::BatchSize::SmallInput)
    });
    group.finish();
}

criterion_group!(benches, routes);
criterion_main!(benches);
