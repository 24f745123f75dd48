//! `errkb serve` wiring: the Slack routes come from the configuration (SLACK_* settings and
//! ERRKB_SLACK_API_URL), and are absent without a signing secret; `errkb manifest slack` prints
//! the manifest for a URL.

use serde_json::Value;
use wiremock::MockServer;

use super::harness::{BOT_TOKEN, PUBLIC, SIGNING_SECRET, form, json_of, mount_ok, now, signature};
use crate::common::{self, Options};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn the_service_mounts_slack_from_its_configuration() {
    let mock = MockServer::start().await;
    mount_ok(&mock).await;
    let api = format!("{}/api/", mock.uri());
    let extra_env = env(&[
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        ("SLACK_BOT_TOKEN", BOT_TOKEN),
        ("ERRKB_SLACK_API_URL", &api),
        ("ERRKB_PUBLIC_URL", PUBLIC),
    ]);
    let app = common::spawn(Options { extra_env, ..Options::default() }).await;
    let body = r#"{"type":"event_callback","team_id":"T1","event_id":"EvCfg","event":{"type":"app_mention","user":"U1","text":"<@UB> AADSTS50011","ts":"3.3","channel":"C3"}}"#;
    let ts = now();
    let response = app
        .client
        .post(app.url("/slack/events"))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", signature(SIGNING_SECRET, ts, body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let arrived = common::eventually(std::time::Duration::from_secs(5), || async {
        mock.received_requests().await.unwrap_or_default().iter().any(|r| r.url.path() == "/api/chat.postMessage")
    });
    assert!(arrived.await, "the answer went to ERRKB_SLACK_API_URL");
    let posted = mock.received_requests().await.unwrap();
    let answer: Value = json_of(posted.iter().find(|r| r.url.path() == "/api/chat.postMessage").unwrap());
    assert_eq!(answer["thread_ts"], "3.3");
}

#[tokio::test]
async fn without_a_signing_secret_the_slack_routes_are_off() {
    let app = common::spawn(Options::default()).await;
    let response = app.client.post(app.url("/slack/commands")).body(form(&[("text", "x")])).send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[test]
fn errkb_manifest_slack_prints_the_manifest_for_a_url() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["manifest", "slack", "--url", "https://kb.contoso.com/"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("request_url: https://kb.contoso.com/slack/events"), "{text}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["manifest", "slack", "--url", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn slack_morphism_stays_in_the_slack_adapter_and_the_adapter_stays_out_of_the_core() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let in_slack = rel.starts_with("slack/");
        assert!(in_slack || !text.contains("slack_morphism"), "{rel} uses slack-morphism");
        let core = ["kb/", "search/", "answer/", "probe/"].iter().any(|c| rel.starts_with(c));
        assert!(!core || !text.contains("crate::slack"), "{rel} (core) imports the Slack adapter");
        assert!(!in_slack || !text.contains("crate::teams"), "{rel} imports the Teams adapter");
    }
}
