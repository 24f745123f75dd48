//! `errkb probe` as a process against a fake Entra endpoint (`ERRKB_PROBE_AUTHORITY_OVERRIDE`,
//! test only): every pre-flight mistake and every tenant injection attempt exits 2 with nothing
//! sent; a refused secret exits 1 with the code and the guide; a working one exits 0. The secret
//! comes from the environment or standard input and, even with RUST_LOG=trace, never appears
//! in the output.

use crate::fake;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use fake::*;
use serde_json::Value;
use wiremock::MockServer;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn run(server: &MockServer, args: Vec<String>, secret: Option<String>, stdin: Option<String>) -> Output {
    let fake = FakeUri(server.uri());
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fake.run(&args, secret.as_deref(), stdin.as_deref())
    })
    .await
    .unwrap()
}

/// The fake's address, usable from a blocking thread.
struct FakeUri(String);

impl FakeUri {
    fn run(&self, args: &[&str], secret: Option<&str>, stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_errkb"));
        cmd.arg("probe")
            .args(args)
            .env("ERRKB_KB_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/kb"))
            .env("ERRKB_PROBE_AUTHORITY_OVERRIDE", &self.0)
            .env("RUST_LOG", "trace")
            .env("NO_COLOR", "1")
            .env_remove("ERRKB_PROBE_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(s) = secret {
            cmd.env("ERRKB_PROBE_SECRET", s);
        }
        let mut child = cmd.spawn().expect("errkb runs");
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
        drop(pipe);
        child.wait_with_output().unwrap()
    }
}

fn args(tenant: &str, client: &str, extra: &[&str]) -> Vec<String> {
    let mut v = vec!["--tenant".to_string(), tenant.to_string(), "--client-id".to_string(), client.to_string()];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_pre_flight_mistake_exits_2_names_the_mistake_and_sends_nothing() {
    let server = MockServer::start().await;
    answer_token(&server, 200, success_body(&["User.Read.All"]).0).await;
    let cases = [
        (TENANT, CLIENT, "8a4d5c1e-9b7f-4e2a-b3c6-d1e0f9a8b7c6", &[][..], "secret_is_secret_id"),
        (TENANT, CLIENT, " Xq38Q~abc.def", &[][..], "secret_whitespace"),
        (TENANT, CLIENT, "Xq38Q~abc.def\t", &[][..], "secret_whitespace"),
        (TENANT, CLIENT, "\"Xq38Q~abc.def\"", &[][..], "secret_quoted"),
        (TENANT, CLIENT, "Xq38Q%7Eabc.def", &[][..], "secret_url_encoded"),
        (TENANT, CLIENT, "", &[][..], "secret_empty"),
        (TENANT, "my-app", SECRET, &[][..], "client_id_not_guid"),
        ("common", CLIENT, SECRET, &[][..], "tenant_alias"),
        ("organizations", CLIENT, SECRET, &[][..], "tenant_alias"),
        ("consumers", CLIENT, SECRET, &[][..], "tenant_alias"),
        ("contoso", CLIENT, SECRET, &[][..], "tenant_malformed"),
        (TENANT, CLIENT, SECRET, &["--scope", "https://graph.microsoft.com/User.Read"][..], "scope_not_default"),
    ];
    for (tenant, client, secret, extra, code) in cases {
        let mut a = args(tenant, client, extra);
        a.push("--json".into());
        let out = run(&server, a, Some(secret.to_string()), None).await;
        assert_eq!(out.status.code(), Some(2), "{code}: {}", text(&out));
        let body: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        assert_eq!(body["outcome"], "refused");
        assert_eq!(body["sent"], false);
        assert!(body["mistakes"].as_array().unwrap().iter().any(|m| m["code"] == code), "{code}: {body}");
        if code == "client_id_not_guid" {
            assert_eq!(body["mistakes"][0]["field"], "client_id");
        }
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing may reach Entra");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_injection_attempts_are_refused_before_any_request() {
    let server = MockServer::start().await;
    answer_token(&server, 200, success_body(&[]).0).await;
    let long = format!("{}.com", "a".repeat(300));
    let attempts = [
        "evil.com/x",
        "a/../b",
        "x?y=z",
        "x#y",
        "%2F",
        "user@host",
        "a\r\nb.com",
        "a\nHost: evil.com",
        "a b.com",
        &long,
    ];
    for tenant in attempts {
        let out = run(&server, args(tenant, CLIENT, &[]), Some(SECRET.into()), None).await;
        assert_eq!(out.status.code(), Some(2), "{tenant:?}: {}", text(&out));
        assert!(text(&out).contains("Nothing was sent"), "{tenant:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_secret_from_stdin_exits_1_with_the_code_ids_and_guide_and_never_echoes_the_secret() {
    let server = MockServer::start().await;
    let message = "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.";
    answer_token(&server, 401, error_body(7000215, "invalid_client", message, true)).await;
    let out = run(&server, args(TENANT, CLIENT, &[]), None, Some(format!("{SECRET}\n"))).await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("AADSTS7000215"));
    assert!(all.contains("0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001"), "trace id shown");
    assert!(all.contains("Invalid client secret"), "the guide follows");
    assert!(!all.contains(SECRET), "the secret leaked into the output");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(form_of(&requests[0].body)["client_secret"], SECRET, "stdin's trailing newline was removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_secret_exits_0_and_json_lists_the_roles_without_the_token() {
    let server = MockServer::start().await;
    let (body, token) = success_body(&["Mail.Send"]);
    answer_token(&server, 200, body).await;
    let mut a = args(TENANT, CLIENT, &["--json"]);
    a.extend(["--cloud".to_string(), "public".to_string()]);
    let out = run(&server, a, Some(SECRET.into()), None).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "valid");
    assert_eq!(json["roles"][0], "Mail.Send");
    assert_eq!(json["request"]["tenant"], TENANT);
    assert!(!text(&out).contains(&token) && !text(&out).contains(SECRET));
}

#[test]
fn the_secret_is_never_an_argument() {
    let out = Command::new(env!("CARGO_BIN_EXE_errkb")).args(["probe", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(!help.contains("--secret"), "{help}");
    assert!(help.contains("--tenant") && help.contains("--cert"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quick_check_needs_no_secret_and_says_it_shows_in_the_sign_in_logs() {
    let server = MockServer::start().await;
    answer_discovery(&server, 200, discovery_doc()).await;
    answer_token(&server, 401, error_body(7000215, "invalid_client", "Invalid client secret provided.", true)).await;
    let out = run(&server, args("Contoso.onmicrosoft.com", CLIENT, &["--quick"]), None, None).await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains(&format!("(tenant ID {TENANT})")) && all.contains("The app is registered in this tenant."));
    assert!(all.contains("one failed sign-in in the app's sign-in logs"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].url.path().ends_with("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"));
    let wrong = &form_of(&requests[1].body)["client_secret"];
    assert!(wrong.starts_with("errkb-quick-check-"), "a deliberately wrong secret");

    let server = MockServer::start().await;
    answer_discovery(&server, 400, error_body(90002, "invalid_tenant", "Tenant 'nope.example' not found.", true)).await;
    let out = run(&server, args("nope.example", CLIENT, &["--quick", "--json"]), None, None).await;
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tenant_status"]["status"], "not_found");
    assert_eq!(json["guide"], "AADSTS90002");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "no app check for a missing tenant");
}
