//! The HTML pages: search, guide index, guide permalinks, 404 pages and the admin page.

use crate::common;

use common::{ADMIN_TOKEN, Options, spawn};

#[tokio::test]
async fn the_search_page_has_a_labelled_box_and_answers_a_pasted_error() {
    let app = spawn(Options::default()).await;
    let empty = app.get("/").await;
    assert_eq!(empty.status(), 200);
    assert!(empty.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let html = empty.text().await.unwrap();
    assert!(html.contains(r#"<label for="q">"#) && html.contains(r#"<textarea id="q" name="q""#), "{html}");
    let pasted = "Error: AADSTS7000215: Invalid client secret provided. Trace ID: 1f1e";
    let answered = app.client.get(app.url("/")).query(&[("q", pasted)]).send().await.unwrap().text().await.unwrap();
    let guide = app.state.engine.current().get("AADSTS7000215").unwrap().clone();
    assert!(answered.contains(&maud::html! { (guide.title()) }.into_string()), "title missing");
    assert!(answered.contains(r#"<ol class="steps">"#), "numbered steps missing");
    assert!(answered.contains(r#"href="/guides/AADSTS7000215""#));
}

#[tokio::test]
async fn user_text_is_escaped_everywhere() {
    let app = spawn(Options::default()).await;
    let evil = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#;
    let page = app.client.get(app.url("/")).query(&[("q", evil)]).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("<script>alert(1)") && !page.contains("<img src=x"), "unescaped input");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let missing = app.get("/guides/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(missing.status(), 404);
    assert!(!missing.text().await.unwrap().contains("<script>alert"));
}

#[tokio::test]
async fn the_guide_index_groups_every_guide_by_category() {
    let app = spawn(Options::default()).await;
    let response = app.get("/guides").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let engine = app.state.engine.current();
    for guide in engine.guides() {
        assert!(html.contains(&format!(r#"href="/guides/{}""#, guide.code)), "{} not listed", guide.code);
    }
    let category = engine.guides().iter().find_map(|g| g.meta.category.clone()).expect("some guide has a category");
    let label = category.replace('-', " ");
    let label = format!("{}{}", label[..1].to_uppercase(), &label[1..]);
    assert!(html.contains(&maud::html! { h2 { (label) } }.into_string()), "no heading {label:?}");
}

#[tokio::test]
async fn a_guide_page_has_an_anchor_per_section_and_copyable_commands() {
    let app = spawn(Options::default()).await;
    let engine = app.state.engine.current();
    let guide = engine.get("AADSTS50011").unwrap();
    let html = app.get("/guides/AADSTS50011").await.text().await.unwrap();
    for section in &guide.sections {
        assert!(html.contains(&format!(r##"id="{0}""##, section.anchor)), "no anchor {}", section.anchor);
        assert!(html.contains(&format!(r##"href="#{0}""##, section.anchor)));
    }
    assert!(
        html.contains(r#"<div class="codeblock" data-copy="">"#) && html.contains(r#"class="copy""#),
        "no copyable command"
    );
}

#[tokio::test]
async fn a_code_in_another_spelling_redirects_to_the_permalink() {
    let app = spawn(Options::default()).await;
    let response = app.get("/guides/aadsts50011").await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/guides/AADSTS50011");
}

#[tokio::test]
async fn an_unknown_guide_gets_a_404_page_with_suggestions() {
    let app = spawn(Options::default()).await;
    assert!(app.state.engine.current().get("AADSTS500111").is_none());
    let response = app.get("/guides/AADSTS500111").await;
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("No guide for"));
    let nowhere = app.get("/nowhere").await;
    assert_eq!(nowhere.status(), 404);
    assert!(nowhere.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn admin_takes_the_token_as_a_bearer_header_or_through_the_sign_in_form_never_in_the_url() {
    let app = spawn(Options::default()).await;
    let none = app.get("/admin").await;
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let form = none.text().await.unwrap();
    assert!(form.contains(r#"action="/admin/sign-in""#) && form.contains(r#"type="password""#), "{form}");
    let in_url = app.get(&format!("/admin?token={ADMIN_TOKEN}")).await;
    assert_eq!(in_url.status(), 401, "a token in the URL ends up in history and proxy logs");
    let bearer = app.client.get(app.url("/admin")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(bearer.status(), 200);
    let html = bearer.text().await.unwrap();
    assert!(html.contains("Queries per day") && html.contains("<svg"), "{html}");
    assert!(!html.contains(ADMIN_TOKEN));

    let sign_in = |token: &str| app.client.post(app.url("/admin/sign-in")).form(&[("token", token)]).send();
    assert_eq!(sign_in("wrong").await.unwrap().status(), 401);
    let signed_in = sign_in(ADMIN_TOKEN).await.unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/admin");
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains(ADMIN_TOKEN), "the cookie holds a session, not the token: {cookie}");
    let session = cookie.split(';').next().unwrap();
    let with_cookie = app.client.get(app.url("/admin")).header("cookie", session).send().await.unwrap();
    assert_eq!(with_cookie.status(), 200);
    let last = if session.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &session[..session.len() - 1]);
    let refused = app.client.get(app.url("/admin")).header("cookie", forged).send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn admin_shows_top_codes_gaps_and_helpful_rates() {
    let app = spawn(Options::default()).await;
    for q in ["AADSTS50011", "AADSTS50011", "AADSTS7000215", "AADSTS99999999 nothing"] {
        app.client.get(app.url("/api/v1/answer")).query(&[("q", q)]).send().await.unwrap();
    }
    let store = app.state.store.clone();
    assert!(
        common::eventually(std::time::Duration::from_secs(5), || async { store.query_count().await.unwrap_or(0) >= 4 })
            .await
    );
    let user = errkb::store::hash_user("salt", "web", "u1");
    let vote = errkb::store::Feedback {
        answer_id: "a1",
        guide_code: "AADSTS50011",
        vote: 1,
        platform: "web",
        user_hash: user,
    };
    store.record_feedback(&vote).await.unwrap();
    let html = app.client.get(app.url("/admin")).bearer_auth(ADMIN_TOKEN).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("4 queries in the last 14 days"), "{html}");
    assert!(
        html.contains("AADSTS50011: 2") && html.contains("AADSTS99999999 nothing: 1") && html.contains("100% of 1"),
        "{html}"
    );
}

#[tokio::test]
async fn admin_is_off_with_a_clear_message_when_no_token_is_configured() {
    let app = spawn(Options { admin_token: None, ..Options::default() }).await;
    let response = app.get("/admin").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("ERRKB_ADMIN_TOKEN"));
}

#[tokio::test]
async fn assets_are_served() {
    let app = spawn(Options::default()).await;
    let css = app.get("/assets/app.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.text().await.unwrap().contains("prefers-color-scheme: dark"));
    assert_eq!(app.get("/assets/app.js").await.status(), 200);
}

#[tokio::test]
async fn a_vote_from_the_answer_page_counts_towards_the_helpful_rate() {
    let app = spawn(Options::default()).await;
    let page = app.client.get(app.url("/")).query(&[("q", "AADSTS50011")]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<form class="feedback" method="post" action="/feedback">"#), "no vote form");
    let vote = |v: &'static str| {
        app.client
            .post(app.url("/feedback"))
            .form(&[("guide", "AADSTS50011"), ("q", "AADSTS50011"), ("vote", v)])
            .send()
    };
    assert_eq!(vote("-1").await.unwrap().status(), 200);
    let thanks = vote("1").await.unwrap();
    assert_eq!(thanks.status(), 200);
    assert!(thanks.text().await.unwrap().contains("was recorded"));
    let stats = app.state.store.admin_stats(14, 10).await.unwrap();
    assert_eq!((stats.ratings[0].helpful, stats.ratings[0].votes), (1, 1), "a later vote replaces the earlier one");
    assert_eq!(vote("5").await.unwrap().status(), 400);
    let unknown =
        app.client.post(app.url("/feedback")).form(&[("guide", "AADSTS1"), ("vote", "1")]).send().await.unwrap();
    assert_eq!(unknown.status(), 400);
}
