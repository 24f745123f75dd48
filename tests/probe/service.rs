//! The `/probe/{token}` page in the running service, against a fake Entra: a link shows the form
//! without being used, works once, refuses reuse and expiry, and leaves an audit row naming the
//! chat user it was issued to; pre-flight mistakes and tenant injection re-show the form with
//! nothing sent; only allowed users get links; rate limits hold across two app instances that
//! share the store.

use crate::common;
use crate::fake;
use crate::page;

use errkb::http::probe::{Refusal, Requester};
use errkb::store::NewProbeLink;
use fake::*;
use page::*;
use wiremock::MockServer;

async fn refusing_fake() -> MockServer {
    let server = MockServer::start().await;
    let message = "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.";
    answer_token(&server, 401, error_body(7000215, "invalid_client", message, true)).await;
    server
}

#[tokio::test]
async fn a_link_shows_the_form_works_once_and_its_audit_row_names_the_chat_user() {
    let fake = refusing_fake().await;
    let app = probe_app(&fake.uri(), &[]).await;
    let token = issue(&app, ALICE).await;
    let (status, body) = get(&app, &token).await;
    assert_eq!(status, 200);
    assert!(body.contains("U0ALICE-name") && body.contains("name=\"secret\""));
    let (status, _) = get(&app, &token).await;
    assert_eq!(status, 200, "viewing the page does not use the link");

    let (status, body) = post(&app, &token, secret_form(TENANT, CLIENT, SECRET)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("AADSTS7000215") && body.contains("data-outcome=\"rejected\""));
    assert!(body.contains("href=\"/guides/AADSTS7000215\""), "the matching guide is linked");
    assert!(body.contains("0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001"), "trace id shown");
    assert!(!body.contains(SECRET));

    let (status, body) = post(&app, &token, secret_form(TENANT, CLIENT, SECRET)).await;
    assert_eq!(status, 410, "a used link is refused");
    assert!(body.contains("already used"));
    assert_eq!(get(&app, &token).await.0, 410);
    assert_eq!(fake.received_requests().await.unwrap().len(), 1, "exactly one probe was sent");

    let audit = app.state.store.probe_audit(10).await.unwrap();
    assert_eq!(audit.len(), 1);
    let row = &audit[0];
    assert_eq!((row.platform.as_str(), row.user_id.as_str(), row.via.as_str()), ("slack", ALICE, "link"));
    assert_eq!((row.tenant.as_str(), row.client_id.as_str(), row.cloud.as_str()), (TENANT, CLIENT, "public"));
    assert_eq!((row.outcome.as_str(), row.error_code.as_deref()), ("rejected", Some("AADSTS7000215")));

    let admin = app.client.get(app.url("/admin")).bearer_auth(common::ADMIN_TOKEN).send().await.unwrap();
    let admin = admin.text().await.unwrap();
    let table = &admin[admin.find("id=\"live-checks\"").expect("a live checks section")..];
    assert!(table.contains("slack:U0ALICE") && table.contains(TENANT) && table.contains("rejected AADSTS7000215"));
}

#[tokio::test]
async fn an_expired_or_unknown_link_is_refused_and_sends_nothing() {
    let fake = refusing_fake().await;
    let app = probe_app(&fake.uri(), &[]).await;
    let link = NewProbeLink {
        token: "expired-token-0123456789",
        platform: "teams",
        user_id: "29:1abc",
        user_name: "Carol",
        guide_code: None,
        reply: "{}",
        ttl_secs: -1,
    };
    app.state.store.create_probe_link(&link).await.unwrap();
    let (status, body) = get(&app, link.token).await;
    assert_eq!(status, 410);
    assert!(body.contains("expired"));
    assert_eq!(post(&app, link.token, secret_form(TENANT, CLIENT, SECRET)).await.0, 410);
    assert_eq!(get(&app, "no-such-token").await.0, 404);
    assert_eq!(get(&app, &"x".repeat(5000)).await.0, 404);
    assert!(fake.received_requests().await.unwrap().is_empty());
    assert!(app.state.store.probe_audit(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn mistakes_and_tenant_injection_on_the_page_keep_the_link_and_send_nothing() {
    let fake = refusing_fake().await;
    let app = probe_app(&fake.uri(), &[]).await;
    let token = issue(&app, ALICE).await;
    let cases = [
        (TENANT, CLIENT, "8a4d5c1e-9b7f-4e2a-b3c6-d1e0f9a8b7c6", "secret_is_secret_id"),
        (TENANT, CLIENT, "'Xq38Q~abc'", "secret_quoted"),
        ("evil.com/x", CLIENT, SECRET, "tenant_malformed"),
        ("x?y=z", CLIENT, SECRET, "tenant_malformed"),
        ("a\r\nb.com", CLIENT, SECRET, "tenant_malformed"),
        ("organizations", CLIENT, SECRET, "tenant_alias"),
        (TENANT, "not-a-guid", SECRET, "client_id_not_guid"),
    ];
    for (tenant, client, secret, code) in cases {
        let (status, body) = post(&app, &token, secret_form(tenant, client, secret)).await;
        assert_eq!(status, 422, "{code}");
        assert!(body.contains(&format!("data-mistake=\"{code}\"")), "{code} not shown");
        assert!(body.contains("Nothing was sent to Entra"));
        assert!(!body.contains(secret) || secret == SECRET, "a refused secret is not echoed back");
    }
    assert!(fake.received_requests().await.unwrap().is_empty());
    assert_eq!(get(&app, &token).await.0, 200, "the link is still usable");
}

#[tokio::test]
async fn only_allowed_users_get_links_and_the_page_is_off_with_the_probe() {
    let fake = refusing_fake().await;
    let app = probe_app(&fake.uri(), &[]).await;
    let probe = app.state.probe.as_ref().unwrap();
    let mallory = Requester { platform: "slack", user_id: "U0MALLORY", user_name: "mallory" };
    let refused = probe.issue_link(&app.state.store, "http://x", &mallory, None, "{}").await;
    assert!(matches!(refused, Err(Refusal::NotAllowed)));
    assert!(probe.is_allowed("slack", ALICE) && !probe.is_allowed("teams", ALICE), "slack: prefix binds the platform");
    assert!(probe.is_allowed("teams", BOB), "a bare id applies to any platform");

    let off = common::spawn(common::Options::default()).await;
    assert!(off.state.probe.is_none());
    assert_eq!(off.get("/probe/anything").await.status().as_u16(), 404);
}

#[tokio::test]
async fn rate_limits_hold_across_two_instances_sharing_the_store() {
    let fake = refusing_fake().await;
    let pg = common::fresh_postgres("rate_limits_hold_across_two_instances_sharing_the_store").await;
    let dir = tempfile::tempdir().unwrap();
    let db = pg.clone().unwrap_or_else(|| format!("sqlite:{}", dir.path().join("shared.sqlite3").display()));
    let limits = [("ERRKB_PROBE_USER_LIMIT", "2"), ("ERRKB_PROBE_TENANT_LIMIT", "3")];
    let mut options = probe_options(&fake.uri(), &limits);
    options.database_url = Some(db);
    let a = common::spawn(options.clone()).await;
    let b = common::spawn(options).await;
    let carol_allowed = a.state.probe.as_ref().unwrap().is_allowed("slack", "U0CAROL");
    assert!(!carol_allowed);

    let mut statuses = Vec::new();
    for (app, user) in [(&a, ALICE), (&b, ALICE), (&a, ALICE), (&b, BOB), (&a, BOB)] {
        let token = issue(app, user).await;
        statuses.push(post(app, &token, secret_form(TENANT, CLIENT, SECRET)).await.0);
    }
    // Alice: 2 allowed, the 3rd refused on the other instance; Bob: the tenant's 3rd, then its 4th refused.
    assert_eq!(statuses, [200, 200, 429, 200, 429]);
    assert_eq!(fake.received_requests().await.unwrap().len(), 3);
    if let Some(url) = pg {
        common::drop_postgres(&url).await;
    }
}
