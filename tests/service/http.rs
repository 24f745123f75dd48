//! The service over real HTTP: health, readiness, metrics, the JSON answer API and bad input.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::{Options, eventually, spawn};
use serde_json::Value;

#[tokio::test]
async fn healthz_says_ok_and_readyz_checks_the_index_and_the_store() {
    let app = spawn(Options::default()).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["store"], "ok");
    assert!(body["guides"].as_u64().unwrap() > 50, "{body}");
}

#[tokio::test]
async fn readyz_fails_when_the_store_is_gone() {
    let app = spawn(Options::default()).await;
    app.state.store.close().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<Value>().await.unwrap()["store"], "unreachable");
}

#[tokio::test]
async fn the_answer_api_returns_exactly_what_errkb_ask_json_prints() {
    let app = spawn(Options::default()).await;
    for query in ["AADSTS7000215", "Invalid client secret provided", "AADSTS99999999", "redirect uri doesnt match"] {
        let api: Value = app
            .client
            .get(app.url("/api/v1/answer"))
            .query(&[("q", query)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let cli = Command::new(env!("CARGO_BIN_EXE_errkb"))
            .args(["ask", "--json", "--kb"])
            .arg(common::repo_kb())
            .arg(query)
            .env_remove("ERRKB_PUBLIC_URL")
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
        assert_eq!(api, cli, "API and CLI differ for {query:?}");
    }
}

#[tokio::test]
async fn the_answer_api_takes_json_and_form_posts() {
    let app = spawn(Options::default()).await;
    let json: Value = app
        .client
        .post(app.url("/api/v1/answer"))
        .json(&serde_json::json!({"q": "AADSTS50011"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["results"][0]["code"], "AADSTS50011");
    let form = app.client.post(app.url("/api/v1/answer")).form(&[("q", "AADSTS50011")]).send().await.unwrap();
    assert_eq!(form.json::<Value>().await.unwrap(), json);
}

#[tokio::test]
async fn an_empty_question_is_a_polite_400_and_bad_json_too() {
    let app = spawn(Options::default()).await;
    let empty = app.get("/api/v1/answer?q=%20%20").await;
    assert_eq!(empty.status(), 400);
    assert!(empty.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("paste an error"));
    let bad = app
        .client
        .post(app.url("/api/v1/answer"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let text = bad.text().await.unwrap();
    assert!(text.contains("send JSON like") && !text.contains("line 1"), "{text}");
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    let app = spawn(Options::default()).await;
    let big = serde_json::json!({ "q": "x".repeat(2 * 1024 * 1024) });
    let response = app.client.post(app.url("/api/v1/answer")).json(&big).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["connection"], "close", "the unread body ends the connection; the client is told");
}

fn junk(bytes: usize) -> String {
    let pieces = [
        "%%",
        "\u{0}",
        "ÿ",
        "\u{202e}",
        "AADSTS",
        "{{",
        "<script>",
        "🙂",
        "\t",
        "'; DROP TABLE query_log; --",
        "\\u0000",
    ];
    let mut out = String::new();
    let mut i = 7usize;
    while out.len() < bytes {
        i = i.wrapping_mul(31).wrapping_add(17);
        out.push_str(pieces[i % pieces.len()]);
        out.push(char::from(b'a' + (i % 26) as u8));
    }
    out
}

#[tokio::test]
async fn a_query_of_100_kb_of_junk_gets_a_polite_answer() {
    let app = spawn(Options::default()).await;
    let body = serde_json::json!({ "q": junk(100 * 1024) });
    let response = app.client.post(app.url("/api/v1/answer")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert!(["found", "ambiguous", "not_found"].contains(&answer["answer"].as_str().unwrap()));
    let page = app.client.get(app.url("/")).query(&[("q", junk(30 * 1024))]).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(!page.text().await.unwrap().contains("<script>"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_answers_by_kind_and_guides_loaded() {
    let app = spawn(Options::default()).await;
    app.get("/api/v1/answer?q=AADSTS7000215").await;
    app.get("/api/v1/answer?q=AADSTS99999999").await;
    app.get("/no/such/page").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    for expected in [
        "errkb_http_requests_total{route=\"/api/v1/answer\",method=\"GET\",status=\"200\"} 2",
        "errkb_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        "errkb_http_request_duration_seconds_bucket{route=\"/api/v1/answer\",le=\"+Inf\"} 2",
        "errkb_answers_total{kind=\"found\"} 1",
        "errkb_answers_total{kind=\"not_found\"} 1",
        "# TYPE errkb_guides_loaded gauge",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let guides: u64 = text.lines().find_map(|l| l.strip_prefix("errkb_guides_loaded ")).unwrap().parse().unwrap();
    assert_eq!(guides as usize, app.state.engine.current().len());
}

#[tokio::test]
async fn the_query_log_is_written_in_the_background_with_secrets_masked() {
    let app = spawn(Options::default()).await;
    let pasted = "AADSTS7000215 for alice@contoso.com app 72f988bf-86f1-41af-91ab-2d7cd011db47 client_secret=hunter2";
    app.client.get(app.url("/api/v1/answer")).query(&[("q", pasted)]).send().await.unwrap();
    let store = app.state.store.clone();
    assert!(eventually(Duration::from_secs(5), || async { store.query_count().await.unwrap_or(0) > 0 }).await);
    let row = &app.state.store.recent_queries(1).await.unwrap()[0];
    assert_eq!(row.platform, "api");
    assert_eq!(row.detected_code.as_deref(), Some("AADSTS7000215"));
    assert_eq!(row.answer_kind, "found");
    for secret in ["alice@contoso.com", "72f988bf", "hunter2"] {
        assert!(!row.query.contains(secret), "{secret} stored: {}", row.query);
    }
}

#[tokio::test]
async fn odd_input_on_every_route_never_gets_a_5xx() {
    let app = spawn(Options::default()).await;
    let odd = [
        "",
        " ",
        "\u{0}",
        "%",
        "%%%ZZ",
        "AADSTS",
        "AADSTS99999999999999999999999",
        "aadsts 5 0 0 1 1",
        "🙂🙂🙂",
        "\u{202e}AADSTS50011",
        "<script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "AADSTS50011\r\nX-Injected: 1",
    ];
    for text in odd {
        let enc = percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string();
        for path in [
            format!("/?q={enc}"),
            format!("/api/v1/answer?q={enc}"),
            format!("/guides/{enc}"),
            format!("/admin?token={enc}"),
            format!("/{enc}"),
        ] {
            let status = app.get(&path).await.status();
            assert!(status.as_u16() < 500, "{status} for GET {path}");
        }
        let posts = [
            app.client.post(app.url("/feedback")).form(&[("guide", text), ("q", text), ("vote", text)]),
            app.client
                .post(app.url("/api/v1/answer"))
                .body(text.to_string())
                .header("content-type", "application/json"),
            app.client.post(app.url("/api/v1/answer")).json(&serde_json::json!({ "q": text })),
        ];
        for request in posts {
            let status = request.send().await.unwrap().status();
            assert!(status.as_u16() < 500, "{status} for a POST of {text:?}");
        }
    }
}
