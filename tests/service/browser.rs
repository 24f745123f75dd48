//! Headless Chromium against the running app (tests/browser/check.mjs): paste an error, submit,
//! see the guide title and numbered steps; screenshots land in target/screenshots/. Skips (and
//! passes) when /usr/bin/chromium or tests/browser/node_modules is missing. tests/browser/probe.mjs fills
//! the one-time `/probe` page against a fake Entra.

use crate::common;
use crate::fake;
use crate::page;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{ADMIN_TOKEN, Options, spawn};
use errkb::store::{Feedback, hash_user};

/// Some traffic and votes so the admin page has something to draw.
async fn seed(app: &common::TestApp) {
    let queries = [
        "AADSTS50011",
        "AADSTS50011",
        "AADSTS7000215",
        "AADSTS700016",
        "AADSTS53003",
        "AADSTS99999999",
        "printer on fire",
    ];
    for q in queries {
        app.client.get(app.url("/api/v1/answer")).query(&[("q", q)]).send().await.unwrap();
    }
    for (i, (code, vote)) in
        [("AADSTS50011", 1), ("AADSTS50011", 1), ("AADSTS50011", -1), ("AADSTS7000215", 1)].into_iter().enumerate()
    {
        let user_hash = hash_user("seed", "web", &format!("u{i}"));
        let feedback = Feedback { answer_id: "seed", guide_code: code, vote, platform: "web", user_hash };
        app.state.store.record_feedback(&feedback).await.unwrap();
    }
    let store = app.state.store.clone();
    common::eventually(Duration::from_secs(5), || async { store.query_count().await.unwrap_or(0) >= 7 }).await;
}

/// Debian's Chromium and playwright-core are installed (else a skip message).
fn browser_ready(script_dir: &Path) -> bool {
    let ready = Path::new("/usr/bin/chromium").exists() && script_dir.join("node_modules/playwright-core").exists();
    if !ready {
        eprintln!("skipping the browser test: needs /usr/bin/chromium and `npm ci --prefix tests/browser`");
    }
    ready
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_error_submitted_in_a_real_browser_shows_the_guide_title_and_numbered_steps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    if !browser_ready(&script_dir) {
        return;
    }
    let app = spawn(Options::default()).await;
    seed(&app).await;
    let shots = root.join("target/screenshots");
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script_dir.join("check.mjs")).arg(&base).arg(ADMIN_TOKEN).arg(&shots).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "browser check failed:\n{log}");
    for shot in ["search.png", "answer.png", "guide.png", "admin.png"] {
        assert!(root.join("target/screenshots").join(shot).exists(), "{shot} missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_page_filled_in_a_real_browser_shows_mistakes_then_the_outcome_from_the_fake_entra() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    if !browser_ready(&script_dir) {
        return;
    }
    let fake = wiremock::MockServer::start().await;
    let refusal = fake::error_body(7000215, "invalid_client", "Invalid client secret provided.", true);
    wiremock::Mock::given(wiremock::matchers::body_string_contains("Th4tMustN3v3rL34k"))
        .respond_with(wiremock::ResponseTemplate::new(401).set_body_json(refusal))
        .mount(&fake)
        .await;
    let (success, _) = fake::success_body(&["Directory.Read.All"]);
    wiremock::Mock::given(wiremock::matchers::body_string_contains("Th4tW0rks"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(success))
        .mount(&fake)
        .await;
    let app = page::probe_app(&fake.uri(), &[]).await;
    let first = app.url(&format!("/probe/{}", page::issue(&app, page::ALICE).await));
    let second = app.url(&format!("/probe/{}", page::issue(&app, page::ALICE).await));
    let shots = root.join("target/screenshots");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script_dir.join("probe.mjs")).arg(&first).arg(&second).arg(&shots).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "browser check of /probe failed:\n{log}");
    assert_eq!(fake.received_requests().await.unwrap().len(), 2, "the Secret ID mistake sent nothing");
    assert!(root.join("target/screenshots/probe-valid.png").exists());
}
