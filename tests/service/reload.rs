//! Hot reload: an edit under kb/ is served by the next query without a restart; a broken edit
//! keeps the last good index.

use crate::common;

use std::time::Duration;

use common::{Options, eventually, spawn};
use serde_json::Value;

async fn title_of(app: &common::TestApp, code: &str) -> String {
    let answer: Value =
        app.client.get(app.url("/api/v1/answer")).query(&[("q", code)]).send().await.unwrap().json().await.unwrap();
    answer["results"][0]["title"].as_str().unwrap_or_default().to_string()
}

fn guide_path(app: &common::TestApp) -> std::path::PathBuf {
    app.kb_dir.join("aadsts").join("AADSTS7000215.md")
}

#[tokio::test]
async fn a_guide_edited_on_disk_is_seen_by_the_next_query_without_a_restart() {
    let app = spawn(Options { copy_kb: true, hot_reload: true, ..Options::default() }).await;
    let before = title_of(&app, "AADSTS7000215").await;
    assert!(before.starts_with("AADSTS7000215: "), "{before}");
    let path = guide_path(&app);
    let text = std::fs::read_to_string(&path).unwrap();
    let old_title_line = text.lines().find(|l| l.starts_with("# AADSTS7000215")).unwrap().to_string();
    let edited = text.replacen(&old_title_line, "# AADSTS7000215: Edited meaning for the reload test", 1);
    std::fs::write(&path, edited).unwrap();
    let seen = eventually(Duration::from_secs(15), || async {
        title_of(&app, "AADSTS7000215").await.contains("Edited meaning")
    })
    .await;
    assert!(seen, "the edit was not picked up");
    assert!(app.state.engine.generation() >= 1);
}

#[tokio::test]
async fn a_broken_edit_keeps_the_last_good_index() {
    let app = spawn(Options { copy_kb: true, hot_reload: true, ..Options::default() }).await;
    let guides = app.state.engine.current().len();
    std::fs::write(
        app.kb_dir.join("aadsts").join("AADSTS7000215.md"),
        "# Just a title without any code\n\n#### Resolution\n\n1. Do something.\n",
    )
    .unwrap();
    let refused = eventually(Duration::from_secs(15), || async {
        let metrics = app.get("/metrics").await.text().await.unwrap();
        metrics.lines().any(|l| l.starts_with("errkb_kb_reload_failures_total ") && !l.ends_with(" 0"))
    })
    .await;
    assert!(refused, "the broken edit was not refused");
    assert_eq!(app.state.engine.generation(), 0);
    assert_eq!(app.state.engine.current().len(), guides);
    assert!(title_of(&app, "AADSTS7000215").await.starts_with("AADSTS7000215: "));
}
