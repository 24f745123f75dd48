//! Support channels in the service: channel settings, answers, resolutions and link clicks in the
//! store on both backends (SQLite always, PostgreSQL when `ERRKB_TEST_DATABASE_URL` is set) with
//! the admin statistics they add up to; `GET /go/{code}/{n}` redirecting to the knowledge base's
//! own link and counting it, never anywhere else; and the admin page's support panels.

use crate::common::{self, on_both_backends};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use errkb::store::{
    AnswerMode, ChannelAnswer, ChannelSettings, EscalationTarget, Feedback, Outcome, QueryRecord, Resolution, Store,
    hash_user,
};

async fn store_with_clock(url: &str) -> (Store, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(1_795_900_000));
    let clock = now.clone();
    let store = Store::connect(url).await.unwrap().with_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
    (store, now)
}

fn resolution<'a>(channel: &'a str, answer: &'a str, outcome: Outcome, code: &'a str, user: &str) -> Resolution<'a> {
    Resolution {
        platform: "slack",
        channel_id: channel,
        answer_id: answer,
        outcome,
        guide_code: Some(code),
        user_hash: hash_user("s", "slack", user),
        seconds: (outcome == Outcome::Solved).then_some(0),
        escalated: outcome == Outcome::Stuck,
    }
}

async fn channel_settings_round_trip_and_keep_a_known_name(url: &str) {
    let (store, _) = store_with_clock(url).await;
    assert_eq!(store.channel_settings("slack", "C1").await.unwrap(), None);
    let defaults = store.effective_channel_settings("slack", "C1").await.unwrap();
    assert_eq!(
        (defaults.answer_mode, defaults.probe_buttons, defaults.escalation.len()),
        (AnswerMode::Mention, true, 0)
    );
    let set = ChannelSettings {
        channel_name: Some("support".into()),
        answer_mode: AnswerMode::Auto,
        escalation: vec![EscalationTarget { kind: "group".into(), id: "S1".into(), name: "helpers".into() }],
        probe_buttons: false,
        updated_by: "U0ADMIN".into(),
        ..defaults
    };
    store.save_channel_settings(&set).await.unwrap();
    let back = store.channel_settings("slack", "C1").await.unwrap().unwrap();
    assert_eq!(back, ChannelSettings { updated_at: 1_795_900_000, ..set.clone() });
    store
        .save_channel_settings(&ChannelSettings { channel_name: None, answer_mode: AnswerMode::Mention, ..set })
        .await
        .unwrap();
    let again = store.channel_settings("slack", "C1").await.unwrap().unwrap();
    assert_eq!(
        (again.answer_mode, again.channel_name.as_deref()),
        (AnswerMode::Mention, Some("support")),
        "a known name stays"
    );
    assert_eq!(store.channel_settings("teams", "C1").await.unwrap(), None, "platforms are separate");
}

async fn each_outcome_is_recorded_once_per_answer(url: &str) {
    let (store, _) = store_with_clock(url).await;
    assert!(store.record_resolution(&resolution("C1", "a1", Outcome::Solved, "AADSTS50011", "U1")).await.unwrap());
    assert!(!store.record_resolution(&resolution("C1", "a1", Outcome::Solved, "AADSTS50011", "U2")).await.unwrap());
    assert!(store.record_resolution(&resolution("C1", "a1", Outcome::Stuck, "AADSTS50011", "U2")).await.unwrap());
    assert!(store.record_resolution(&resolution("C2", "a1", Outcome::Solved, "AADSTS50011", "U1")).await.unwrap());
    assert_eq!(store.resolutions("slack", "C1").await.unwrap().len(), 2);
}

async fn support_statistics_add_up_per_guide_and_per_channel(url: &str) {
    let (store, now) = store_with_clock(url).await;
    let at = now.load(Ordering::SeqCst);
    let row = |code: &str| QueryRecord {
        at,
        platform: "slack".into(),
        query: code.into(),
        detected_code: Some(code.into()),
        answer_kind: "found".into(),
        guide_code: Some(code.into()),
    };
    store.insert_query_counts(&[(row("AADSTS50011"), 5), (row("AADSTS7000215"), 2)]).await.unwrap();
    for (i, auto) in [true, true, false].into_iter().enumerate() {
        let id = format!("a{i}");
        let answer = ChannelAnswer {
            platform: "slack",
            channel_id: "C1",
            answer_id: &id,
            guide_code: Some("AADSTS50011"),
            auto,
        };
        store.record_channel_answer(&answer).await.unwrap();
    }
    store
        .record_channel_answer(&ChannelAnswer {
            platform: "slack",
            channel_id: "C1",
            answer_id: "a0",
            guide_code: None,
            auto: false,
        })
        .await
        .unwrap();
    for (answer, seconds) in [("a0", 600), ("a1", 60), ("a2", 3_600)] {
        let mut r = resolution("C1", answer, Outcome::Solved, "AADSTS50011", "U1");
        r.seconds = Some(seconds);
        store.record_resolution(&r).await.unwrap();
    }
    store.record_resolution(&resolution("C1", "a0", Outcome::Stuck, "AADSTS7000215", "U2")).await.unwrap();
    store.record_resolution(&resolution("C1", "a1", Outcome::Stuck, "AADSTS7000215", "U2")).await.unwrap();
    store.record_resolution(&resolution("C1", "a2", Outcome::Hidden, "AADSTS50011", "U2")).await.unwrap();
    let vote = |answer_id, vote, user| Feedback {
        answer_id,
        guide_code: "AADSTS50011",
        vote,
        platform: "slack",
        user_hash: hash_user("s", "slack", user),
    };
    store.record_feedback(&vote("a0", 1, "U1")).await.unwrap();
    store.record_feedback(&vote("a0", -1, "U2")).await.unwrap();
    store.record_link_click("teams", "AADSTS50011", "doc:0").await.unwrap();
    store.record_link_click("slack", "AADSTS50011", "full_guide").await.unwrap();
    store
        .save_channel_settings(&ChannelSettings {
            channel_name: Some("support".into()),
            ..ChannelSettings::default_for("slack", "C1")
        })
        .await
        .unwrap();
    let stats = store.support_stats(14, 20).await.unwrap();
    let g = &stats.guides[0];
    assert_eq!(g.guide_code, "AADSTS50011", "most shown first");
    assert_eq!((g.shown, g.solved, g.escalated, g.helpful, g.votes, g.link_clicks), (5, 3, 0, 1, 2, 2));
    assert_eq!(g.helpful_rate(), Some(0.5));
    assert_eq!((stats.guides[1].guide_code.as_str(), stats.guides[1].escalated), ("AADSTS7000215", 2));
    assert_eq!(stats.most_stuck, [("AADSTS7000215".to_string(), 2)]);
    let c = &stats.channels[0];
    assert_eq!((c.channel_name.as_deref(), c.questions, c.auto_answers, c.escalations), (Some("support"), 3, 2, 2));
    assert_eq!((c.solved, c.median_solve_secs), (3, Some(600)), "the middle of 60, 600 and 3600 s");
    now.fetch_add(15 * 86_400, Ordering::SeqCst);
    assert_eq!(store.support_stats(14, 20).await.unwrap(), Default::default(), "only the window counts");
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite:{}", dir.path().join("store.sqlite3").display())
}

on_both_backends!(
    channel_settings_round_trip_and_keep_a_known_name,
    each_outcome_is_recorded_once_per_answer,
    support_statistics_add_up_per_guide_and_per_channel,
);

#[tokio::test]
async fn go_redirects_to_the_guides_own_link_and_counts_the_click() {
    let app = common::spawn(common::Options::default()).await;
    let engine = app.state.engine.current();
    let links = engine.get("AADSTS50011").unwrap().reference_links();
    for (n, from) in [(1, "teams"), (2, "slack"), (1, "somewhere")] {
        let response = app.get(&format!("/go/AADSTS50011/{n}?from={from}")).await;
        assert_eq!(response.status(), 302);
        assert_eq!(response.headers()["location"], links[n].url.trim());
    }
    assert_eq!(
        app.get("/go/aadsts50011/0").await.headers()["location"],
        links[0].url.trim(),
        "any spelling of the code"
    );
    let store = app.state.store.clone();
    let counted = common::eventually(Duration::from_secs(3), || async {
        store.link_clicks("AADSTS50011").await.unwrap().len() == 4
    });
    assert!(counted.await);
    let mut clicks = store.link_clicks("AADSTS50011").await.unwrap();
    clicks.sort();
    let expected = [("slack", "doc:2"), ("teams", "doc:1"), ("web", "doc:0"), ("web", "doc:1")];
    assert_eq!(clicks, expected.map(|(p, l)| (p.to_string(), l.to_string())), "an unknown platform counts as web");
}

#[tokio::test]
async fn go_refuses_anything_that_is_not_a_link_of_the_knowledge_base() {
    let app = common::spawn(common::Options::default()).await;
    let count = app.state.engine.current().get("AADSTS50011").unwrap().reference_links().len();
    for path in [
        format!("/go/AADSTS50011/{count}"),
        "/go/AADSTS50011/-1".to_string(),
        "/go/AADSTS50011/first".to_string(),
        "/go/AADSTS99999999/0".to_string(),
        "/go/AADSTS50011/99999999999999999999999".to_string(),
        "/go/https:%2F%2Fevil.example/0".to_string(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers().get("location").is_none(), "{path}");
    }
    let smuggled = app.get("/go/AADSTS50011/0?url=https://evil.example/&from=slack").await;
    assert_eq!(smuggled.status(), 302);
    let location = smuggled.headers()["location"].to_str().unwrap().to_string();
    assert!(
        !location.contains("evil.example") && location.starts_with("https://login.microsoftonline.com/"),
        "{location}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.state.store.link_clicks("AADSTS99999999").await.unwrap().len(), 0);
}

#[tokio::test]
async fn the_admin_page_shows_the_support_panels() {
    let app = common::spawn(common::Options::default()).await;
    let store = &app.state.store;
    store
        .record_channel_answer(&ChannelAnswer {
            platform: "slack",
            channel_id: "C1",
            answer_id: "a1",
            guide_code: Some("AADSTS50011"),
            auto: true,
        })
        .await
        .unwrap();
    let mut solved = resolution("C1", "a1", Outcome::Solved, "AADSTS50011", "U1");
    solved.seconds = Some(720);
    store.record_resolution(&solved).await.unwrap();
    store.record_resolution(&resolution("C1", "a1", Outcome::Stuck, "AADSTS7000215", "U2")).await.unwrap();
    store
        .save_channel_settings(&ChannelSettings {
            channel_name: Some("it-help".into()),
            ..ChannelSettings::default_for("slack", "C1")
        })
        .await
        .unwrap();
    let page =
        app.client.get(app.url("/admin")).bearer_auth(common::ADMIN_TOKEN).send().await.unwrap().text().await.unwrap();
    for needed in [
        "Guides in support",
        "Support channels",
        "Still stuck: the guides to improve next",
        "#it-help",
        "12 min (1)",
        "AADSTS7000215",
    ] {
        assert!(page.contains(needed), "{needed} missing from /admin");
    }
    assert!(page.contains("id=\"support-stuck\"") && page.matches("<svg").count() >= 4, "SVG charts");
}
