//! The `errkb serve` binary: `--check-config` masks secrets and explains integrations; JSON logs;
//! a graceful stop on SIGTERM; the admin token never reaches the log.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "never-log-this-admin-token-42";

fn errkb() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_errkb"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("RUST_LOG").env_remove("ERRKB_CONFIG");
    cmd
}

#[test]
fn check_config_masks_secrets_and_says_which_integrations_are_on() {
    let out = errkb()
        .args(["serve", "--check-config"])
        .env("ERRKB_ADMIN_TOKEN", TOKEN)
        .env("SLACK_SIGNING_SECRET", TOKEN)
        .env_remove("SLACK_BOT_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(TOKEN), "secret printed:\n{text}");
    assert!(text.contains("ERRKB_ADMIN_TOKEN                = ****  (environment)"), "{text}");
    assert!(text.contains("slack          off  SLACK_BOT_TOKEN"), "{text}");
    assert!(text.contains("admin          on"), "{text}");
}

#[test]
fn serve_logs_json_never_logs_the_admin_token_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = errkb()
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .env("ERRKB_ADMIN_TOKEN", TOKEN)
        .env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("db.sqlite3").display()))
        .env("ERRKB_HOT_RELOAD", "false")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let port = loop {
        let line = lines.next().expect("serve exited before listening").unwrap();
        log.push_str(&line);
        log.push('\n');
        let json: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if json["message"] == "errkb serving" {
            break json["port"].as_u64().unwrap();
        }
    };
    let admin = |token: &str| {
        let request = format!(
            "GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        );
        exchange(port as u16, &request).split_whitespace().nth(1).unwrap_or_default().to_string()
    };
    assert_eq!(admin(TOKEN), "200");
    assert_eq!(admin("wrong"), "401");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = wait_with_timeout(&mut child, Duration::from_secs(10));
    for line in lines.map_while(Result::ok) {
        log.push_str(&line);
        log.push('\n');
    }
    assert!(status.is_some_and(|s| s.success()), "serve did not stop cleanly on SIGTERM:\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(!log.contains(TOKEN), "the admin token reached the log:\n{log}");
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

/// The whole answer of a plain HTTP/1.1 request (status line, headers and body).
fn exchange(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    if stream.write_all(request.as_bytes()).is_err() {
        return String::new();
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

fn post(port: u16, path: &str, headers: &str, body: &str) -> String {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(port, &request).split_whitespace().nth(1).unwrap_or_default().to_string()
}

#[test]
fn refused_requests_are_counted_by_reason_and_logged_a_few_lines_not_one_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = errkb()
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("db.sqlite3").display()))
        .env("ERRKB_HOT_RELOAD", "false")
        .env("SLACK_SIGNING_SECRET", "refusal-test-signing-secret")
        .env("SLACK_BOT_TOKEN", "xoxb-refusal-test")
        .env("MICROSOFT_APP_ID", "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11")
        .env("MICROSOFT_APP_PASSWORD", "refusal-test-password")
        .env("MICROSOFT_APP_TENANT_ID", "tenant-1")
        .env("ERRKB_TEAMS_OPENID_METADATA_URL", "http://127.0.0.1:9/openid")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = Vec::new();
    let port = loop {
        let line = lines.next().expect("serve exited before listening").unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        log.push(json.clone());
        if json["message"] == "errkb serving" {
            break json["port"].as_u64().unwrap() as u16;
        }
    };
    let form = "content-type: application/x-www-form-urlencoded\r\n";
    let teams = "content-type: application/json\r\nauthorization: Bearer not-a-token\r\n";
    for _ in 0..150 {
        assert_eq!(post(port, "/slack/commands", form, "command=%2Faadsts&text=50011"), "401");
        assert_eq!(post(port, "/api/messages", teams, r#"{"type":"message","channelId":"msteams"}"#), "401");
    }
    let metrics = exchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(wait_with_timeout(&mut child, Duration::from_secs(10)).is_some_and(|s| s.success()));
    log.extend(lines.map_while(Result::ok).filter_map(|l| serde_json::from_str(&l).ok()));
    assert!(metrics.contains("errkb_refusals_total{reason=\"slack_signature\"} 150"), "{metrics}");
    assert!(metrics.contains("errkb_refusals_total{reason=\"teams_token\"} 150"), "{metrics}");
    let refusal_lines: Vec<&serde_json::Value> =
        log.iter().filter(|l| l["message"].as_str().unwrap_or_default().contains("refused")).collect();
    assert!(!refusal_lines.is_empty(), "refusals are still logged");
    assert!(refusal_lines.len() <= 6, "{} log lines for 300 refusals: {refusal_lines:?}", refusal_lines.len());
    let text = format!("{log:?}");
    assert!(!text.contains("refusal-test-signing-secret") && !text.contains("refusal-test-password"));
}
