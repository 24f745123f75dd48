//! `/slack/commands` and the request gate of every Slack route on the real router: the answer in
//! the ack, usage, ssl_check, bare 401s for bad signatures, and bad input (malformed bodies,
//! unknown payload types, 1 MB payloads, odd Unicode) never a 5xx.

use serde_json::Value;

use super::harness::{Bench, SIGNING_SECRET, form, now, signature, start};

async fn json(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_slash_command_is_answered_privately_in_the_ack_with_a_share_button() {
    let bench = start().await;
    let body = json(bench.command("7000215").await).await;
    assert_eq!(body["response_type"], "ephemeral");
    assert!(body["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS7000215"), "{body}");
    let text = body.to_string();
    assert!(text.contains("\"action_id\":\"share\"") && text.contains("feedback_helpful"), "{text}");
    assert!(text.contains("https://errkb.test/guides/AADSTS7000215"));
    assert!(bench.received("/api/chat.postMessage").await.is_empty(), "nothing is posted publicly");
}

#[tokio::test]
async fn help_or_an_empty_command_gives_usage() {
    let bench = start().await;
    for text in ["", "help", "  HELP ", "\u{0}\u{7}"] {
        let body = json(bench.command(text).await).await;
        assert!(body["text"].as_str().unwrap().contains("How to use errkb"), "{text:?}: {body}");
    }
}

#[tokio::test]
async fn a_pasted_error_with_a_channel_ping_is_answered_without_pinging() {
    let bench = start().await;
    let mut body = json(
        bench.command("<!channel> got {\"error\":\"invalid_client\",\"error_description\":\"AADSTS50011: bad\"}").await,
    )
    .await;
    body["blocks"].as_array_mut().unwrap().iter_mut().flat_map(|b| b["elements"].as_array_mut()).flatten().for_each(
        |e| {
            e.as_object_mut().unwrap().remove("value"); // never displayed: the share button's copy of the question
        },
    );
    let text = body.to_string();
    assert!(text.contains("AADSTS50011"), "{text}");
    assert!(!text.contains("<!channel>"), "{text}");
}

#[tokio::test]
async fn ssl_check_is_answered_without_a_signature() {
    let bench = start().await;
    let response = bench.client.post(bench.url("/slack/commands")).body("ssl_check=1&token=x").send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn bad_signatures_get_a_bare_401_on_every_route() {
    let bench = start().await;
    let body = form(&[("command", "/aadsts"), ("text", "50011")]);
    for route in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        let stale = now() - 301;
        let cases: Vec<Vec<(&str, String)>> = vec![
            vec![],
            vec![
                ("x-slack-request-timestamp", now().to_string()),
                ("x-slack-signature", signature("wrong", now(), body.as_bytes())),
            ],
            vec![
                ("x-slack-request-timestamp", stale.to_string()),
                ("x-slack-signature", signature(SIGNING_SECRET, stale, body.as_bytes())),
            ],
            vec![("x-slack-request-timestamp", "soon".into()), ("x-slack-signature", "v0=00".into())],
        ];
        for headers in cases {
            let mut request = bench.client.post(bench.url(route)).body(body.clone());
            for (name, value) in &headers {
                request = request.header(*name, value);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{route} {headers:?}");
            assert!(response.bytes().await.unwrap().is_empty(), "no detail in a 401");
        }
    }
}

async fn post(bench: &Bench, route: &str, body: Vec<u8>) -> reqwest::Response {
    bench.post_signed(route, "application/x-www-form-urlencoded", body, &[]).await
}

#[tokio::test]
async fn malformed_bodies_and_unknown_payload_types_get_a_clear_400() {
    let bench = start().await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("/slack/events", b"not json".to_vec()),
        ("/slack/events", br#"{"type":"mystery"}"#.to_vec()),
        ("/slack/events", br#"{"type":"event_callback","event":[1,2]}"#.to_vec()),
        ("/slack/interactions", b"no_payload=1".to_vec()),
        ("/slack/interactions", form(&[("payload", "{not json")]).into_bytes()),
        ("/slack/interactions", form(&[("payload", r#"{"type":"mystery"}"#)]).into_bytes()),
        ("/slack/interactions", form(&[("payload", "{}")]).into_bytes()),
    ];
    for (route, body) in cases {
        let shown = String::from_utf8_lossy(&body).to_string();
        let response = post(&bench, route, body).await;
        assert_eq!(response.status(), 400, "{route} {shown}");
        assert!(!response.text().await.unwrap().is_empty(), "a 400 says what was wrong");
    }
}

#[tokio::test]
async fn odd_unicode_and_broken_forms_get_a_polite_reply_not_an_error() {
    let bench = start().await;
    for text in [
        "\u{202e}51005SDAA\u{202c}",
        "AADSTS\u{200b}50011",
        "🔥💥 AADSTS50011 🔥",
        "ＡＡＤＳＴＳ５００１１",
        "e\u{301}\u{301}\u{301}",
        "\u{fffd}\u{feff}",
    ] {
        let body = json(bench.command(text).await).await;
        assert!(body["text"].is_string() && body["blocks"].is_array(), "{text:?}: {body}");
    }
    let response = post(&bench, "/slack/commands", b"text=%FF%FE%00&&==&%".to_vec()).await;
    assert_eq!(response.status(), 200);
    let response = post(&bench, "/slack/commands", vec![0xff, 0xfe, 0x00, 0x80]).await;
    assert_eq!(response.status(), 401, "Slack only sends UTF-8; anything else cannot carry its signature");
}

#[tokio::test]
async fn a_one_megabyte_question_is_answered_and_a_bigger_body_refused_with_413() {
    let bench = start().await;
    let big = format!("AADSTS50011 {}", "x".repeat(1_000_000));
    let response = bench.command(&big).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("AADSTS50011"));
    let huge = form(&[("text", &"y".repeat(2_000_000))]).into_bytes();
    for route in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        let response = post(&bench, route, huge.clone()).await;
        assert_eq!(response.status(), 413, "{route}");
    }
}
