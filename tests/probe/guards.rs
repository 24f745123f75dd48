//! The probe's guards against a fake Entra: the audit row exists before the request reaches Entra
//! (and is completed with the outcome after), the per-tenant limit counts a tenant by its directory
//! id whether it was written as a GUID or as any of its domains, and an oversized .pfx upload is
//! refused with a message that says why.

use crate::common;
use crate::fake;
use crate::page;

use std::time::Duration;

use errkb::http::probe::{Refusal, Requester};
use errkb::probe::Cloud;
use fake::*;
use page::*;
use reqwest::multipart::{Form, Part};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REFUSED: &str = "Invalid client secret provided.";

#[tokio::test]
async fn the_audit_row_is_written_before_the_request_reaches_entra_and_completed_after() {
    let fake = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(error_body(7000215, "invalid_client", REFUSED, true))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&fake)
        .await;
    let app = probe_app(&fake.uri(), &[]).await;
    let token = issue(&app, ALICE).await;
    let submitted = {
        let (client, url) = (app.client.clone(), app.url(&format!("/probe/{token}")));
        tokio::spawn(async move { client.post(url).multipart(secret_form(TENANT, CLIENT, SECRET)).send().await })
    };
    let reached = common::eventually(Duration::from_secs(10), || async {
        !fake.received_requests().await.unwrap_or_default().is_empty()
    });
    assert!(reached.await, "the probe never reached the fake Entra");
    let while_in_flight = app.state.store.probe_audit(10).await.unwrap();
    assert_eq!(while_in_flight.len(), 1, "a probe reached Entra with no audit row");
    let row = &while_in_flight[0];
    assert_eq!((row.user_id.as_str(), row.tenant.as_str(), row.outcome.as_str()), (ALICE, TENANT, "started"));
    assert_eq!(submitted.await.unwrap().unwrap().status(), 200);
    let after = app.state.store.probe_audit(10).await.unwrap();
    assert_eq!(after.len(), 1, "the row is completed, not duplicated");
    assert_eq!((after[0].outcome.as_str(), after[0].error_code.as_deref()), ("rejected", Some("AADSTS7000215")));
}

/// A fake Entra that refuses every token request and knows `domains` as names of `TENANT`.
async fn entra_with_domains(domains: &[&str]) -> MockServer {
    let fake = MockServer::start().await;
    answer_token(&fake, 401, error_body(7000215, "invalid_client", REFUSED, true)).await;
    for domain in domains {
        Mock::given(method("GET"))
            .and(path(format!("/{domain}/v2.0/.well-known/openid-configuration")))
            .respond_with(ResponseTemplate::new(200).set_body_json(discovery_doc()))
            .mount(&fake)
            .await;
    }
    let unknown = error_body(90002, "invalid_tenant", "Tenant 'nowhere.example' not found.", false);
    Mock::given(method("GET"))
        .and(path("/nowhere.example/v2.0/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(400).set_body_json(unknown))
        .mount(&fake)
        .await;
    fake
}

#[tokio::test]
async fn the_tenant_limit_counts_a_tenant_by_its_directory_id_however_it_is_written() {
    let fake = entra_with_domains(&["contoso.com", "contoso.onmicrosoft.com"]).await;
    let app = probe_app(&fake.uri(), &[("ERRKB_PROBE_TENANT_LIMIT", "2"), ("ERRKB_PROBE_USER_LIMIT", "10")]).await;
    let mut statuses = Vec::new();
    for tenant in [TENANT, "contoso.com", "contoso.onmicrosoft.com", "nowhere.example"] {
        let token = issue(&app, ALICE).await;
        statuses.push(post(&app, &token, secret_form(tenant, CLIENT, SECRET)).await.0);
    }
    // The GUID and the first domain use the tenant's two probes; its other domain is refused; a
    // domain discovery does not know is counted as itself.
    assert_eq!(statuses, [200, 200, 429, 200]);
    let probe = app.state.probe.as_ref().unwrap();
    let alice = Requester { platform: "slack", user_id: ALICE, user_name: "alice" };
    let quick = probe.quick(&app.state.store, &alice, Cloud::Public, "Contoso.com", CLIENT).await;
    assert!(matches!(quick, Err(Refusal::RateLimited(_))), "the quick check shares the allowance: {quick:?}");
    let token_requests = fake.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(token_requests, 3, "the refused probes sent no token request");
}

#[tokio::test]
async fn an_oversized_pfx_upload_is_refused_with_a_message_that_says_why() {
    let fake = entra_with_domains(&[]).await;
    let app = probe_app(&fake.uri(), &[]).await;
    let token = issue(&app, ALICE).await;
    let form = Form::new()
        .text("cloud", "public")
        .text("tenant", TENANT)
        .text("client_id", CLIENT)
        .text("credential", "certificate")
        .part("pfx", Part::bytes(vec![0x30; 200 * 1024]).file_name("huge.pfx"))
        .text("pfx_password", "x");
    let (status, body) = post(&app, &token, form).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("data-mistake=\"cert_pkcs12_too_large\"") && body.contains("64 KiB"), "{body}");
    assert!(fake.received_requests().await.unwrap().is_empty());
}
