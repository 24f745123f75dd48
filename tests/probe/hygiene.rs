//! Secret hygiene, with every log at TRACE (errkb, reqwest, hyper, sqlx): a failing and a passing
//! probe through the one-time page leave neither the secret nor the access token in the logs, the
//! pages, the summaries sent to chat (the real Slack notifier against a fake Slack API, and a
//! recording notifier), any Debug output or the database files.

use crate::common;
use crate::fake;
use crate::page;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use errkb::http::probe::{BoxFuture, ProbeNotifier, ProbeSummary};
use errkb::probe::{Cloud, CredentialInput, ProbeInput, preflight};
use fake::*;
use page::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        captured
    })
}

/// Records what would go back to chat.
#[derive(Default)]
struct ChatSink(Mutex<Vec<String>>);

impl ProbeNotifier for ChatSink {
    fn notify<'a>(&'a self, reply: &'a str, summary: &'a ProbeSummary) -> BoxFuture<'a> {
        Box::pin(async move {
            let text = format!("{reply} {summary:?} {}", summary.outcome.summary());
            self.0.lock().unwrap().push(text);
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_and_a_passing_probe_leave_no_secret_or_token_anywhere_even_at_trace() {
    let logs = logs();
    let fake = MockServer::start().await;
    let refusal = error_body(7000215, "invalid_client", "Invalid client secret provided.", true);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(refusal))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&fake)
        .await;
    let (success, token) = success_body(&["Directory.Read.All"]);
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(success)).mount(&fake).await;
    let slack_api = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true, "ts": "1.2"})))
        .mount(&slack_api)
        .await;
    let slack_url = format!("{}/api", slack_api.uri());
    let slack_env = [
        ("SLACK_SIGNING_SECRET", "hygiene-signing-secret"),
        ("SLACK_BOT_TOKEN", "xoxb-hygiene-bot-token"),
        ("ERRKB_SLACK_API_URL", slack_url.as_str()),
    ];
    let app = probe_app(&fake.uri(), &slack_env).await;
    let sink = Arc::new(ChatSink::default());
    app.state.probe.as_ref().unwrap().register_notifier("teams", sink.clone());

    let mut pages = String::new();
    let mut link_tokens = Vec::new();
    for (expected, platform, user) in [("rejected", "slack", ALICE), ("valid", "teams", BOB), ("valid", "slack", ALICE)]
    {
        let link = issue_on(&app, platform, user, r#"{"team":"T1","channel":"C1","user":"U0ALICE"}"#).await;
        link_tokens.push(link.rsplit('/').next().unwrap().to_string());
        pages.push_str(&get(&app, &link).await.1);
        let (status, body) = post(&app, &link, secret_form(TENANT, CLIENT, SECRET)).await;
        assert_eq!(status, 200);
        assert!(body.contains(&format!("data-outcome=\"{expected}\"")), "{body}");
        pages.push_str(&body);
    }
    let chat = sink.clone();
    assert!(
        common::eventually(std::time::Duration::from_secs(5), || async { chat.0.lock().unwrap().len() == 1 }).await
    );
    let posted = || async { slack_api.received_requests().await.unwrap_or_default().len() >= 2 };
    assert!(common::eventually(std::time::Duration::from_secs(5), posted).await, "both Slack summaries were posted");
    let sent = fake.received_requests().await.unwrap();
    assert_eq!(form_of(&sent[0].body)["client_secret"], SECRET, "the secret did reach the fake Entra");

    let log_text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(log_text.contains("probe: token request"), "TRACE logging was captured");
    assert!(
        log_text.contains("hyper") && log_text.contains("sqlx"),
        "TRACE logs of the HTTP client and the store were captured"
    );
    assert!(log_text.contains(r#"route="/probe/{token}""#), "the request spans were captured");
    for link_token in &link_tokens {
        assert!(
            link_token.len() >= 20 && !log_text.contains(link_token.as_str()),
            "a one-time link token is in the logs"
        );
    }
    let mut chat_text = sink.0.lock().unwrap().join("\n");
    for r in slack_api.received_requests().await.unwrap() {
        chat_text.push_str(&String::from_utf8_lossy(&r.body));
    }
    assert!(chat_text.contains("Live check result"), "the Slack summaries were captured");
    let audit = format!("{:?}", app.state.store.probe_audit(10).await.unwrap());
    let input = ProbeInput {
        cloud: Cloud::Public,
        tenant: TENANT.into(),
        client_id: CLIENT.into(),
        credential: CredentialInput::Secret(SECRET.to_string().into()),
        scope: None,
    };
    let debug_input = format!("{input:?}");
    let debug_ready = format!("{:?}", preflight(input, 0).unwrap());
    app.state.store.close().await;
    let mut db = Vec::new();
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        db.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
    }
    assert!(db.len() > 4096, "the database files were read");
    let db_text = String::from_utf8_lossy(&db).into_owned();

    for (place, text) in [
        ("logs", &log_text),
        ("pages", &pages),
        ("chat summary", &chat_text),
        ("audit", &audit),
        ("Debug of the input", &debug_input),
        ("Debug of the checked request", &debug_ready),
        ("database", &db_text),
    ] {
        assert!(!text.contains(SECRET), "the secret is in the {place}");
        assert!(!text.contains(&token), "the access token is in the {place}");
        assert!(!text.contains(token.split('.').nth(1).unwrap()), "the token's claims segment is in the {place}");
        for chat_secret in ["xoxb-hygiene-bot-token", "hygiene-signing-secret"] {
            assert!(!text.contains(chat_secret), "a Slack credential is in the {place}");
        }
    }
}

fn source(relative: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
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

/// A secret leaves its `secrecy` wrapper only as a borrow: no owned copy (`String`) is made of
/// it anywhere in errkb, except where a library insists on owning it (listed, with why). The
/// `/probe` page reads its fields through wiped buffers, never as plain text.
#[test]
fn the_secret_is_never_copied_into_a_plain_string_on_its_way_from_the_page_or_shell_to_entra() {
    // slack-morphism's signature verifier takes the signing secret as a `String`.
    let allowed = ["slack/signature.rs"];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let copies = [".expose_secret().to_string()", ".expose_secret().to_owned()", ".expose_secret().clone()"];
    let mut found = Vec::new();
    for file in &files {
        let name = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        for (n, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
            if copies.iter().any(|c| line.contains(c)) && !allowed.contains(&name.as_str()) {
                found.push(format!("src/{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "owned copies of a secret:\n{}", found.join("\n"));
    let page = source("src/web/probe.rs");
    assert!(!page.contains(".text().await"), "the /probe page reads a field as plain text");
    assert!(page.contains("Zeroizing"), "the /probe page reads its fields into wiped buffers");
    let shell = source("src/cli/probe.rs");
    assert!(!shell.contains("String::new()"), "errkb probe reads the secret into a plain String");
}
