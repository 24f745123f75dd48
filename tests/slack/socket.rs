//! Socket Mode against a local WebSocket server speaking Slack's envelopes: hello, events_api,
//! slash_commands and interactive envelopes acknowledged by envelope_id (a command's answer in
//! the ack's payload), then a `disconnect`, an abrupt drop, and a reconnection after each.

use std::time::Duration;

use errkb::slack::socket::{Backoff, run};
use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{WebSocketStream, accept_async};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::harness::{json_of, start_with};
use crate::common::Options;

type Conn = WebSocketStream<TcpStream>;

async fn accept(listener: &TcpListener) -> Conn {
    let (tcp, _) =
        tokio::time::timeout(Duration::from_secs(5), listener.accept()).await.expect("errkb connects").unwrap();
    let mut conn = accept_async(tcp).await.unwrap();
    conn.send(Message::text(json!({"type": "hello", "num_connections": 1}).to_string())).await.unwrap();
    conn
}

async fn send(conn: &mut Conn, envelope: Value) {
    conn.send(Message::text(envelope.to_string())).await.unwrap();
}

async fn ack(conn: &mut Conn) -> Value {
    loop {
        let frame =
            tokio::time::timeout(Duration::from_secs(5), conn.next()).await.expect("an ack arrives").unwrap().unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

fn events_api(id: &str, event_id: &str, event: Value) -> Value {
    json!({"type": "events_api", "envelope_id": id, "accepts_response_payload": false, "retry_attempt": 0,
        "payload": {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": event}})
}

#[tokio::test]
async fn socket_mode_answers_and_acks_every_envelope_and_reconnects_after_disconnect_or_drop() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link/?ticket=secret-ticket", listener.local_addr().unwrap());
    let mock = MockServer::start().await;
    Mock::given(path("/api/apps.connections.open"))
        .and(header("authorization", "Bearer xapp-1-test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "url": ws_url})))
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    let backoff = Backoff { min: Duration::from_millis(50), max: Duration::from_millis(200) };
    let client = tokio::spawn(run(
        bench.app.state.clone(),
        bench.slack.clone(),
        SecretString::from("xapp-1-test".to_string()),
        backoff,
    ));

    let mut conn = accept(&listener).await;
    let mention =
        json!({"type": "app_mention", "user": "U1", "text": "<@UBOT> AADSTS50011", "ts": "4.1", "channel": "C1"});
    send(&mut conn, events_api("e1", "EvS1", mention)).await;
    assert_eq!(ack(&mut conn).await, json!({"envelope_id": "e1"}));
    let command =
        json!({"command": "/aadsts", "text": "7000215", "team_id": "T1", "channel_id": "C1", "user_id": "U1"});
    send(
        &mut conn,
        json!({"type": "slash_commands", "envelope_id": "e2", "accepts_response_payload": true, "payload": command}),
    )
    .await;
    let answer = ack(&mut conn).await;
    assert_eq!(answer["envelope_id"], "e2");
    assert_eq!(answer["payload"]["response_type"], "ephemeral");
    assert!(answer["payload"]["blocks"][0]["text"]["text"].as_str().unwrap().starts_with("AADSTS7000215"), "{answer}");
    let click = json!({"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "response_url": bench.response_url(),
        "container": {"is_ephemeral": true}, "actions": [{"action_id": "show_all_steps", "value": "AADSTS7000215"}]});
    send(&mut conn, json!({"type": "interactive", "envelope_id": "e3", "payload": click})).await;
    assert_eq!(ack(&mut conn).await, json!({"envelope_id": "e3"}));
    send(&mut conn, json!({"type": "disconnect", "reason": "refresh_requested"})).await;

    let mut conn = accept(&listener).await;
    let dm = json!({"type": "message", "channel_type": "im", "user": "U1", "text": "AADSTS700016", "ts": "4.2", "channel": "D1"});
    send(&mut conn, events_api("e4", "EvS2", dm)).await;
    assert_eq!(ack(&mut conn).await, json!({"envelope_id": "e4"}));
    drop(conn);

    let _conn = accept(&listener).await;
    let posted = bench.wait_for("/api/chat.postMessage", 2).await;
    let channels: Vec<Value> = posted.iter().map(|r| json_of(r)["channel"].clone()).collect();
    assert!(channels.contains(&json!("C1")) && channels.contains(&json!("D1")), "{channels:?}");
    assert_eq!(bench.wait_for("/hooks/response/1", 1).await.len(), 1, "the button was handled");
    assert_eq!(bench.received("/api/apps.connections.open").await.len(), 3, "one connection, then two reconnections");
    client.abort();
}

#[tokio::test]
async fn errkb_serve_in_socket_mode_connects_with_the_app_token_and_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link/?ticket=t", listener.local_addr().unwrap());
    let mock = MockServer::start().await;
    Mock::given(path("/api/apps.connections.open"))
        .and(header("authorization", "Bearer xapp-1-serve"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "url": ws_url})))
        .mount(&mock)
        .await;
    let env = [
        ("SLACK_APP_TOKEN", "xapp-1-serve".to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-serve".to_string()),
        ("ERRKB_SLACK_SOCKET_MODE", "true".to_string()),
        ("ERRKB_SLACK_API_URL", format!("{}/api", mock.uri())),
    ];
    let extra_env = env.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let app = crate::common::spawn(Options { extra_env, ..Options::default() }).await;
    let mut conn = accept(&listener).await;
    let command = json!({"command": "/aadsts", "text": "AADSTS50011", "user_id": "U1"});
    send(&mut conn, json!({"type": "slash_commands", "envelope_id": "s1", "payload": command})).await;
    let answer = ack(&mut conn).await;
    assert_eq!(answer["envelope_id"], "s1");
    assert!(answer["payload"]["text"].as_str().unwrap().contains("AADSTS50011"), "{answer}");
    let unsigned = app.client.post(app.url("/slack/commands")).body("text=x").send().await.unwrap();
    assert_eq!(unsigned.status(), 404, "without a signing secret only Socket Mode is on");
}

/// Only rustls' ring provider is compiled in, so a wss:// connection needs no provider set up at
/// start: a failing TLS handshake is an error that is retried, never a CryptoProvider panic.
#[tokio::test]
async fn a_failing_wss_connection_is_retried_without_a_tls_provider_panic() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let wss_url = format!("wss://127.0.0.1:{}/link", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            drop(tcp);
        }
    });
    let mock = MockServer::start().await;
    Mock::given(path("/api/apps.connections.open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "url": wss_url})))
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    let backoff = Backoff { min: Duration::from_millis(20), max: Duration::from_millis(40) };
    let client =
        tokio::spawn(run(bench.app.state.clone(), bench.slack.clone(), SecretString::from("x".to_string()), backoff));
    bench.wait_for("/api/apps.connections.open", 3).await;
    assert!(!client.is_finished(), "the Socket Mode task is still alive");
    client.abort();
}

/// Half-open connections: a server that accepts TCP but never finishes the WebSocket handshake,
/// then one that says hello and goes silent (reads nothing, answers no ping). errkb gives up on
/// each after its timeout and connects again, and the third connection answers.
#[tokio::test]
async fn a_stalled_handshake_or_a_silent_connection_is_timed_out_and_replaced() {
    use errkb::slack::socket::{Keepalive, run_with};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link/?ticket=t", listener.local_addr().unwrap());
    let mock = MockServer::start().await;
    Mock::given(path("/api/apps.connections.open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "url": ws_url})))
        .mount(&mock)
        .await;
    let bench = start_with(Options::default(), mock).await;
    let backoff = Backoff { min: Duration::from_millis(50), max: Duration::from_millis(100) };
    let keepalive = Keepalive {
        connect_timeout: Duration::from_millis(500),
        ping_every: Duration::from_millis(200),
        read_timeout: Duration::from_secs(1),
    };
    let token = SecretString::from("xapp-1-silent".to_string());
    let client = tokio::spawn(run_with(bench.app.state.clone(), bench.slack.clone(), token, backoff, keepalive));
    let next = || async {
        let accepted = tokio::time::timeout(Duration::from_secs(10), listener.accept()).await;
        accepted.expect("errkb stayed on a dead connection instead of connecting again").unwrap().0
    };

    let _stalled = next().await;
    let mut silent = accept_async(next().await).await.unwrap();
    silent.send(Message::text(json!({"type": "hello"}).to_string())).await.unwrap();
    let mut working = accept_async(next().await).await.unwrap();
    working.send(Message::text(json!({"type": "hello"}).to_string())).await.unwrap();
    let command = json!({"command": "/aadsts", "text": "AADSTS50011", "user_id": "U1"});
    send(&mut working, json!({"type": "slash_commands", "envelope_id": "k1", "payload": command})).await;
    assert_eq!(ack(&mut working).await["envelope_id"], "k1");

    let mut pings = 0;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(2), silent.next()).await {
        pings += usize::from(frame.is_ping());
    }
    assert!(pings >= 1, "errkb never pinged the silent connection");
    client.abort();
}
