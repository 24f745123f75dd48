//! The deployment, run on this machine without Docker: Caddy (the Debian package) with the
//! project's own deploy/compose/Caddyfile, on a loopback https port with its internal CA, in front
//! of two `errkb serve` replicas sharing a fresh PostgreSQL database. A signed Slack command and a
//! signed Teams outgoing-webhook request are answered through https://localhost; `/metrics` is not
//! reachable through the proxy; with one replica stopped, answers keep coming.
//!
//! Needs `caddy` on PATH and `ERRKB_TEST_DATABASE_URL`; skips with a message otherwise, unless
//! `ERRKB_REQUIRE_CADDY` is set (as .ci/run does), when a missing caddy fails the test.

use crate::common;
use crate::serve;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const SIGNING_SECRET: &str = "deployment-test-slack-signing-secret";
const WEBHOOK_SECRET: &str = "ZXJya2IgZGVwbG95bWVudCB0ZXN0IHdlYmhvb2sga2V5LCAzMiBieXRlcyE=";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True when the test should run; false (after saying why) when it should skip.
fn caddy_is_installed() -> bool {
    let found = Command::new("caddy").arg("version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("ERRKB_REQUIRE_CADDY").is_none(),
            "ERRKB_REQUIRE_CADDY is set but caddy is not installed (apt-get install caddy)"
        );
        eprintln!(
            "skipping the deployment test: caddy is not installed (apt-get install caddy; ERRKB_REQUIRE_CADDY=1 makes this a failure)"
        );
    }
    found
}

/// Caddy 2.6 (Debian 12) loses a request's body when it retries after a refused dial unless it
/// buffers requests; later versions replay it by themselves and refuse that option (see the
/// Caddyfile).
fn caddy_2_6_options() -> &'static str {
    let version = Command::new("caddy").arg("version").output().map(|o| o.stdout).unwrap_or_default();
    let version = String::from_utf8_lossy(&version);
    if version.trim_start_matches('v').starts_with("2.6.") { "buffer_requests" } else { "" }
}

/// A port nobody listens on right now (bound and released; Caddy takes it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `caddy run` with the project's Caddyfile; killed when dropped. Its state (the internal CA)
/// lives in a temp dir.
struct Caddy {
    child: Child,
    dir: tempfile::TempDir,
    https: u16,
    http: u16,
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Caddy {
    fn start(https: u16, upstreams: &[u16]) -> Caddy {
        let dir = tempfile::tempdir().unwrap();
        let http = free_port();
        let log = std::fs::File::create(dir.path().join("caddy.log")).unwrap();
        let upstreams: Vec<String> = upstreams.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let child = Command::new("caddy")
            .env("CADDY_REVERSE_PROXY_OPTIONS", caddy_2_6_options())
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(repo().join("deploy/compose/Caddyfile"))
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("ERRKB_DOMAIN", format!("localhost:{https}"))
            .env("ERRKB_TLS", "internal")
            .env("ERRKB_UPSTREAMS", upstreams.join(" "))
            .env("CADDY_HTTP_PORT", http.to_string())
            .env("CADDY_HTTPS_PORT", https.to_string())
            .env("CADDY_ADMIN", "off")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("caddy starts");
        Caddy { child, dir, https, http }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("caddy.log")).unwrap_or_default()
    }

    fn base(&self) -> String {
        format!("https://localhost:{}", self.https)
    }

    /// A client that trusts only Caddy's internal root CA, with `localhost` on loopback. Waits
    /// until Caddy has made its CA and answers through to a replica.
    async fn client(&self) -> reqwest::Client {
        let root = self.dir.path().join("data/caddy/pki/authorities/local/root.crt");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(pem) = std::fs::read(&root) {
                let client = reqwest::Client::builder()
                    .tls_built_in_root_certs(false)
                    .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("Caddy's root CA"))
                    .resolve("localhost", ([127, 0, 0, 1], self.https).into())
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(Duration::from_secs(15))
                    .build()
                    .unwrap();
                let ready = client.get(format!("{}/readyz", self.base())).send().await;
                if ready.is_ok_and(|r| r.status() == 200) {
                    return client;
                }
            }
            assert!(std::time::Instant::now() < deadline, "Caddy did not answer over https in 30 s:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// One `errkb serve` replica with Slack and the Teams outgoing webhook on, on `database`.
fn replica(database: &str, public_url: &str) -> serve::Served {
    let mut cmd = serve::errkb();
    cmd.env("ERRKB_DATABASE_URL", database)
        .env("ERRKB_PUBLIC_URL", public_url)
        .env("ERRKB_HOT_RELOAD", "false")
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_BOT_TOKEN", "xoxb-deployment-test")
        // Nothing here needs the Web API; if something tried, it would fail on loopback.
        .env("ERRKB_SLACK_API_URL", "http://127.0.0.1:9/api")
        .env("TEAMS_WEBHOOK_SECRET", WEBHOOK_SECRET);
    serve::serve(cmd, &[])
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// `/aadsts TEXT` as Slack sends it: a form body signed `v0=HMAC(v0:ts:body)`.
async fn slack_command(client: &reqwest::Client, base: &str, text: &str) -> (u16, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("command", "/aadsts"),
            ("text", text),
            ("team_id", "T0DEPLOY"),
            ("channel_id", "C0DEPLOY"),
            ("user_id", "U0DEPLOY"),
            ("user_name", "admin"),
            ("response_url", "https://hooks.slack.com/commands/T0DEPLOY/1/x"),
            ("trigger_id", "1.2.3"),
        ])
        .finish();
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string();
    let mac = hmac(SIGNING_SECRET.as_bytes(), &[b"v0:", ts.as_bytes(), b":", body.as_bytes()]);
    let signature = format!("v0={}", mac.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let response = client
        .post(format!("{base}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
        .expect("the Slack command reaches errkb through Caddy");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

/// A channel message to the outgoing webhook as Teams sends it: `Authorization: HMAC base64(...)`.
async fn teams_webhook(client: &reqwest::Client, base: &str, text: &str) -> (u16, String) {
    let body = serde_json::to_vec(&json!({
        "type": "message",
        "id": "1700000000000",
        "text": format!("<at>errkb</at> {text}"),
        "from": {"id": "29:1deploy", "name": "Admin"},
        "conversation": {"id": "19:deploy@thread.tacv2"},
    }))
    .unwrap();
    let key = STANDARD.decode(WEBHOOK_SECRET).unwrap();
    let auth = format!("HMAC {}", STANDARD.encode(hmac(&key, &[&body])));
    let response = client
        .post(format!("{base}/teams/webhook"))
        .header("content-type", "application/json")
        .header("authorization", auth)
        .body(body)
        .send()
        .await
        .expect("the Teams webhook reaches errkb through Caddy");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

/// Both chat answers for `code`, checked: 200, the code in the answer, guide links on the public URL.
async fn both_answer(client: &reqwest::Client, caddy: &Caddy, code: &str) {
    let base = caddy.base();
    let (status, slack) = slack_command(client, &base, code).await;
    assert_eq!(status, 200, "Slack: {slack}\n{}", caddy.log());
    let blocks: Value = serde_json::from_str(&slack).expect("Block Kit JSON");
    assert!(blocks["blocks"][0]["text"]["text"].as_str().unwrap_or_default().starts_with(code), "{slack}");
    assert!(slack.contains(&format!("{base}/guides/{code}")), "guide links use ERRKB_PUBLIC_URL: {slack}");
    let (status, teams) = teams_webhook(client, &base, code).await;
    assert_eq!(status, 200, "Teams: {teams}\n{}", caddy.log());
    let reply: Value = serde_json::from_str(&teams).expect("Teams reply JSON");
    assert_eq!(reply["attachments"][0]["content"]["body"][0]["text"], code, "{teams}");
}

/// The chat requests a replica has answered (from its own /metrics, straight, not proxied).
fn chat_answered(port: u16) -> u64 {
    let (_, text) = serve::request(port, "GET", "/metrics", &[], "");
    text.lines()
        .filter(|l| l.starts_with("errkb_http_requests_total") && l.contains("status=\"200\""))
        .filter(|l| l.contains("route=\"/slack/commands\"") || l.contains("route=\"/teams/webhook\""))
        .filter_map(|l| l.rsplit(' ').next()?.trim().parse::<u64>().ok())
        .sum()
}

async fn metrics_stay_inside(client: &reqwest::Client, caddy: &Caddy, replica: u16) {
    let (status, direct) = serve::request(replica, "GET", "/metrics", &[], "");
    assert_eq!(status, 200);
    assert!(direct.contains("errkb_http_requests_total"), "a replica serves /metrics on its own port");
    for path in ["/metrics", "/METRICS", "//metrics", "/metrics/", "/%6detrics", "/metrics?format=text", "/./metrics"] {
        let response = client.get(format!("{}{path}", caddy.base())).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(!text.contains("errkb_http_requests_total"), "{path} leaked metrics through the proxy ({status})");
        assert_eq!(status, 404, "{path}");
    }
    let plain = client.get(format!("http://localhost:{}/", caddy.http)).send().await;
    let redirect = plain.map(|r| (r.status().as_u16(), r.headers().get("location").cloned()));
    assert!(
        matches!(&redirect, Ok((308, Some(to))) if to.to_str().unwrap_or_default().starts_with("https://localhost")),
        "plain HTTP is redirected to https: {redirect:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_with_the_projects_caddyfile_serves_two_replicas_on_postgresql_over_https() {
    if !caddy_is_installed() {
        return;
    }
    let Some(database) = common::fresh_postgres("the deployment test").await else { return };
    let https = free_port();
    let public_url = format!("https://localhost:{https}");
    let mut first = replica(&database, &public_url);
    let second = replica(&database, &public_url);
    let caddy = Caddy::start(https, &[first.port, second.port]);
    let client = caddy.client().await;

    for code in ["AADSTS7000215", "AADSTS50011", "AADSTS700016"] {
        both_answer(&client, &caddy, code).await;
    }
    let spread = (chat_answered(first.port), chat_answered(second.port));
    assert!(spread.0 > 0 && spread.1 > 0, "Caddy spreads requests over both replicas: {spread:?}");
    assert_eq!(spread.0 + spread.1, 6);
    metrics_stay_inside(&client, &caddy, second.port).await;

    assert!(first.stop(), "the first replica stops cleanly on SIGTERM");
    for code in ["AADSTS7000215", "AADSTS50011", "AADSTS65001", "AADSTS53003", "AADSTS700016"] {
        both_answer(&client, &caddy, code).await;
    }
    assert_eq!(chat_answered(second.port), spread.1 + 10, "the second replica took every request");
    drop(caddy);
    drop(second);
    common::drop_postgres(&database).await;
}

#[test]
fn the_caddyfile_is_valid_for_caddy_itself() {
    if !caddy_is_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("caddy")
        .env("CADDY_REVERSE_PROXY_OPTIONS", caddy_2_6_options())
        .args(["validate", "--adapter", "caddyfile", "--config"])
        .arg(repo().join("deploy/compose/Caddyfile"))
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "caddy validate refused the Caddyfile with its compose defaults:\n{text}");
    assert!(Path::new(&repo().join("deploy/compose/Caddyfile")).is_file());
}
