//! Headless Chromium on `/admin`'s support panels (tests/browser/support.mjs): the per-guide and
//! per-channel tables and the "Still stuck" chart are visible with what was seeded through the
//! store, and a phone does not scroll the page sideways. Screenshots land in target/screenshots/.
//! Skips (and passes) when /usr/bin/chromium or tests/browser/node_modules is missing.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{ADMIN_TOKEN, Options, spawn};
use errkb::store::{ChannelAnswer, ChannelSettings, Feedback, Outcome, Resolution, hash_user};

/// Answers, outcomes, votes and clicks in two channels.
async fn seed(app: &common::TestApp) {
    for q in ["AADSTS50011", "AADSTS50011", "AADSTS7000215", "AADSTS700016", "AADSTS53003"] {
        app.client.get(app.url("/api/v1/answer")).query(&[("q", q)]).send().await.unwrap();
    }
    let store = &app.state.store;
    let outcomes = [
        ("C0HELP", "a1", "AADSTS50011", Outcome::Solved, Some(240)),
        ("C0HELP", "a2", "AADSTS50011", Outcome::Solved, Some(1_800)),
        ("C0HELP", "a3", "AADSTS7000215", Outcome::Stuck, None),
        ("19:ops@thread.tacv2", "b1", "AADSTS7000215", Outcome::Stuck, None),
        ("19:ops@thread.tacv2", "b2", "AADSTS700016", Outcome::Stuck, None),
        ("19:ops@thread.tacv2", "b3", "AADSTS53003", Outcome::Solved, Some(90)),
    ];
    for (i, (channel, answer, code, outcome, seconds)) in outcomes.into_iter().enumerate() {
        let platform = if channel.starts_with("19:") { "teams" } else { "slack" };
        let row = ChannelAnswer {
            platform,
            channel_id: channel,
            answer_id: answer,
            guide_code: Some(code),
            auto: i % 2 == 0,
        };
        store.record_channel_answer(&row).await.unwrap();
        let user_hash = hash_user("seed", platform, &format!("u{i}"));
        let r = Resolution {
            platform,
            channel_id: channel,
            answer_id: answer,
            outcome,
            guide_code: Some(code),
            user_hash,
            seconds,
            escalated: outcome == Outcome::Stuck,
        };
        store.record_resolution(&r).await.unwrap();
        let vote = Feedback {
            answer_id: answer,
            guide_code: code,
            vote: if outcome == Outcome::Solved { 1 } else { -1 },
            platform,
            user_hash: hash_user("seed", platform, &format!("u{i}")),
        };
        store.record_feedback(&vote).await.unwrap();
    }
    store.record_link_click("slack", "AADSTS50011", "doc:1").await.unwrap();
    store
        .save_channel_settings(&ChannelSettings {
            channel_name: Some("it-help".into()),
            ..ChannelSettings::default_for("slack", "C0HELP")
        })
        .await
        .unwrap();
    let ops = ChannelSettings {
        channel_name: Some("Identity ops".into()),
        ..ChannelSettings::default_for("teams", "19:ops@thread.tacv2")
    };
    store.save_channel_settings(&ops).await.unwrap();
    common::eventually(Duration::from_secs(5), || async { store.query_count().await.unwrap_or(0) >= 5 }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_support_panels_of_the_admin_page_show_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    if !Path::new("/usr/bin/chromium").exists() || !script_dir.join("node_modules/playwright-core").exists() {
        return eprintln!("skipping the browser test: needs /usr/bin/chromium and `npm ci --prefix tests/browser`");
    }
    let app = spawn(Options::default()).await;
    seed(&app).await;
    let shots = root.join("target/screenshots");
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script_dir.join("support.mjs")).arg(&base).arg(ADMIN_TOKEN).arg(&shots).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "browser check of the support panels failed:\n{log}");
    for shot in ["admin-support.png", "admin-support-phone.png"] {
        assert!(root.join("target/screenshots").join(shot).exists(), "{shot} missing");
    }
}
