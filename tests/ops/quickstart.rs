//! The quick starts, run as written: each documented command block is given to bash with the
//! built `errkb` first on PATH. Slack's Socket Mode path ends in an answer from a local fake Slack
//! (apps.connections.open and a WebSocket speaking Socket Mode envelopes); the Teams outgoing
//! webhook's ends in a signed request answered with a card; the README's terminal commands and
//! the guide-linting CI command run too.

use crate::markdown;
use crate::serve;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use markdown::{Doc, repo};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_tungstenite::tungstenite::Message;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The body of the `sh` block of `doc` that contains `needle`.
fn block_with(doc: &str, needle: &str) -> String {
    let doc = Doc::read(doc);
    markdown::blocks(&doc.text)
        .into_iter()
        .find(|b| b.info == "sh" && b.body.contains(needle))
        .unwrap_or_else(|| panic!("no sh block with {needle:?} in {}", doc.name()))
        .body
}

/// The one line of a block that contains `needle`.
fn line_with(block: &str, needle: &str) -> String {
    markdown::commands(block)
        .into_iter()
        .find(|c| c.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} in {block}"))
}

/// bash running `script` in `dir` with the built errkb first on PATH, nothing else of errkb's set.
fn bash(script: &str, dir: &Path) -> Command {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_errkb")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut bash = Command::new("bash");
    bash.args(["-euo", "pipefail", "-c", script]).current_dir(dir).env("PATH", path);
    // The same clean slate as the binary tests: errkb's variables unset unless a test sets them.
    for (key, _) in serve::errkb().get_envs() {
        bash.env_remove(key);
    }
    bash
}

fn ok(out: Output, what: &str) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{what}: {}\n{text}{}", out.status, String::from_utf8_lossy(&out.stderr));
    text
}

/// A fake Slack: `apps.connections.open` (for the app token the doc shows) hands out a WebSocket
/// URL on loopback, whose listener is returned.
async fn fake_slack(app_token: &str) -> (MockServer, tokio::net::TcpListener) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link/?ticket=quick-start", listener.local_addr().unwrap());
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/apps.connections.open"))
        .and(header("authorization", format!("Bearer {app_token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "url": ws_url})))
        .mount(&api)
        .await;
    (api, listener)
}

/// Accepts errkb's connection, says hello, sends `/aadsts 7000215` and returns the ack.
async fn slash_command_over_the_socket(listener: &tokio::net::TcpListener) -> Value {
    let (tcp, _) =
        tokio::time::timeout(Duration::from_secs(15), listener.accept()).await.expect("errkb connects").unwrap();
    let mut socket = tokio_tungstenite::accept_async(tcp).await.unwrap();
    socket.send(Message::text(json!({"type": "hello", "num_connections": 1}).to_string())).await.unwrap();
    let command =
        json!({"command": "/aadsts", "text": "7000215", "team_id": "T1", "channel_id": "C1", "user_id": "U1"});
    let envelope = json!({"type": "slash_commands", "envelope_id": "quick-1", "accepts_response_payload": true, "payload": command});
    socket.send(Message::text(envelope.to_string())).await.unwrap();
    loop {
        let frame =
            tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("an ack").unwrap().unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slack_socket_mode_quick_start_gets_from_the_binary_to_an_answer() {
    let dir = tempfile::tempdir().unwrap();
    // Step 1, as written.
    let step1 = block_with("docs/slack.md", "errkb manifest slack --socket-mode");
    ok(bash(&step1, dir.path()).output().unwrap(), "step 1");
    let manifest: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(dir.path().join("slack-manifest.yaml")).unwrap()).unwrap();
    errkb::slack::manifest::check_shape(&manifest).unwrap();
    assert_eq!(manifest["settings"]["socket_mode_enabled"], true);

    // Step 5, as written, against a fake Slack; the tokens are the doc's own placeholders.
    let step5 = line_with(&block_with("docs/slack.md", "--socket-mode\n"), "errkb serve --socket-mode");
    let app_token = step5.split_whitespace().find_map(|w| w.strip_prefix("SLACK_APP_TOKEN=")).unwrap().to_string();
    let (api, listener) = fake_slack(&app_token).await;
    let mut cmd = bash(&step5, &repo());
    cmd.env("ERRKB_SLACK_API_URL", format!("{}/api", api.uri()))
        .env("ERRKB_LISTEN", "127.0.0.1:0")
        .env("ERRKB_LOG_FORMAT", "json")
        .env("ERRKB_HOT_RELOAD", "false")
        .env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("errkb.sqlite3").display()));
    let served = serve::serve_as_given(cmd);
    assert_eq!(served.integration("slack")["on"], true, "{:#?}", served.log);
    assert_eq!(served.lines("ERRKB_PUBLIC_URL is http://localhost:3000").len(), 1, "the doc promises this warning");
    // Step 6: the answer.
    let ack = slash_command_over_the_socket(&listener).await;
    assert_eq!(ack["envelope_id"], "quick-1");
    let text = ack["payload"]["blocks"][0]["text"]["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("AADSTS7000215"), "{ack}");
    drop(served);
}

const WEBHOOK_SECRET: &str = "cXVpY2stc3RhcnQgb3V0Z29pbmcgd2ViaG9vayBrZXkhIQ==";

#[test]
fn the_teams_webhook_quick_start_answers_a_signed_mention() {
    let dir = tempfile::tempdir().unwrap();
    let line = line_with(&block_with("docs/teams.md", "TEAMS_WEBHOOK_SECRET="), "errkb serve");
    let line = line.replace("<security-token>", WEBHOOK_SECRET);
    let mut cmd = bash(&line, &repo());
    cmd.env("ERRKB_LISTEN", "127.0.0.1:0")
        .env("ERRKB_LOG_FORMAT", "json")
        .env("ERRKB_HOT_RELOAD", "false")
        .env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("errkb.sqlite3").display()));
    let served = serve::serve_as_given(cmd);
    assert_eq!(served.integration("teams_webhook")["on"], true);
    let body = json!({"type": "message", "text": "<at>errkb</at> AADSTS7000215"}).to_string();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&STANDARD.decode(WEBHOOK_SECRET).unwrap()).unwrap();
    mac.update(body.as_bytes());
    let auth = format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()));
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let (status, reply) = serve::request(served.port, "POST", "/teams/webhook", &headers, &body);
    assert_eq!(status, 200, "{reply}");
    let reply: Value = serde_json::from_str(&reply).expect("JSON reply");
    assert_eq!(reply["attachments"][0]["content"]["body"][0]["text"], "AADSTS7000215");
    assert!(reply.to_string().contains("https://errkb.example.org/guides/AADSTS7000215"), "{reply}");
}

#[test]
fn the_teams_package_command_writes_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let line = line_with(&block_with("docs/teams.md", "errkb manifest teams"), "errkb manifest teams");
    let mut cmd = bash(&line, dir.path());
    cmd.env("APP_ID", "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11");
    let printed = ok(cmd.output().unwrap(), "errkb manifest teams");
    assert!(printed.contains("errkb-teams.zip"));
    let zip = std::fs::read(dir.path().join("errkb-teams.zip")).unwrap();
    assert!(zip.starts_with(b"PK"), "a zip file");
}

#[test]
fn the_readmes_terminal_commands_answer() {
    let block = block_with("README.md", "errkb ask AADSTS7000215");
    for line in markdown::commands(&block).into_iter().filter(|l| l.starts_with("errkb ask")) {
        let out = bash(&line, &repo()).output().unwrap();
        let text = ok(out, &line);
        assert!(text.contains("AADSTS"), "{line}: {text}");
    }
    let check =
        line_with(&block_with("docs/operations.md", "errkb serve --check-config"), "errkb serve --check-config");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bash(&check, &repo());
    cmd.env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("x.sqlite3").display()));
    assert!(ok(cmd.output().unwrap(), &check).contains("# integrations"));
}

#[test]
fn the_guide_linting_ci_command_passes_good_guides_and_fails_a_broken_one() {
    let line = line_with(&block_with("docs/kb-authoring.md", "errkb lint ."), "errkb lint .");
    let guides = tempfile::tempdir().unwrap();
    let fixture = repo().join("tests/fixtures/kb-families/ORA-12154.md");
    std::fs::copy(&fixture, guides.path().join("ORA-12154.md")).unwrap();
    std::fs::write(guides.path().join("README.md"), "# Our guides\n").unwrap();
    ok(bash(&line, guides.path()).output().unwrap(), "lint of good guides");
    let broken = std::fs::read_to_string(&fixture)
        .unwrap()
        .replace("## Resolution", "## Nothing")
        .replace("1. **Check", "- **Check");
    std::fs::write(guides.path().join("ORA-12154.md"), broken).unwrap();
    let out = bash(&line, guides.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a guide without steps fails the job");
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[no-steps]"));
}
