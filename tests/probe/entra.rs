//! The probe core against a local fake Entra token endpoint that speaks the documented wire
//! format: each answer shape maps to the right outcome and to a guide in the shipped kb/; the
//! request carries exactly the client-credentials fields; redirects, timeouts, oversized and junk
//! answers are reported as unreachable.

use crate::fake;

use std::sync::OnceLock;
use std::time::Duration;

use errkb::probe::{
    Cloud, CredentialInput, MAX_RESPONSE_BYTES, Outcome, ProbeInput, Prober, ProberOptions, Ready, preflight,
};
use errkb::search::Engine;
use fake::*;
use serde_json::json;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let kb = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("kb");
        Engine::from_report(errkb::kb::load_dir(&kb).expect("kb loads")).expect("index builds")
    })
}

fn prober(server: &MockServer, timeout: Duration) -> Prober {
    Prober::new(&ProberOptions { timeout, authority_override: Some(server.uri()) }).expect("prober")
}

fn ready(secret: &str) -> Ready {
    let input = ProbeInput {
        cloud: Cloud::Public,
        tenant: TENANT.into(),
        client_id: CLIENT.into(),
        credential: CredentialInput::Secret(secret.to_string().into()),
        scope: None,
    };
    preflight(input, 1_800_000_000).expect("input passes pre-flight")
}

async fn probe_against(status: u16, body: serde_json::Value) -> Outcome {
    let server = MockServer::start().await;
    answer_token(&server, status, body).await;
    prober(&server, Duration::from_secs(5)).probe(&ready(SECRET), 1_800_000_000).await
}

fn assert_rejected_with_guide(outcome: &Outcome, code: u32, error: &str) {
    let Outcome::Rejected(e) = outcome else { panic!("expected rejected, got {outcome:?}") };
    assert_eq!(e.code, Some(code));
    assert_eq!(e.error, error);
    assert_eq!(e.trace_id.as_deref(), Some("0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001"));
    assert_eq!(e.correlation_id.as_deref(), Some("5d2b7c9a-2222-4e1f-8a6b-3c00c0de0002"));
    assert!(!e.message.contains("Trace ID"), "message should end before the ids: {}", e.message);
    let guide = outcome.guide_code().expect("a guide code");
    assert!(engine().get(&guide).is_some(), "no guide in kb/ for {guide}");
}

#[tokio::test]
async fn each_documented_error_shape_maps_to_rejected_with_its_code_ids_and_guide() {
    let cases = [
        (
            7000215,
            "invalid_client",
            401,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'.",
        ),
        (
            7000222,
            "invalid_client",
            401,
            "The provided client secret keys for app '11111111-2222-3333-4444-555555555555' are expired. Visit the Azure portal to create new keys for your app.",
        ),
        (
            700016,
            "unauthorized_client",
            400,
            "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'Contoso'.",
        ),
        (
            90002,
            "invalid_tenant",
            400,
            "Tenant '72f988bf-86f1-41af-91ab-2d7cd011db47' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
        ),
        (
            900023,
            "invalid_request",
            400,
            "Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.",
        ),
        (
            7000218,
            "invalid_client",
            401,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ),
        (
            50196,
            "invalid_request",
            400,
            "The server terminated an operation because it encountered a client request loop.",
        ),
    ];
    for (i, (code, error, status, message)) in cases.into_iter().enumerate() {
        let outcome = probe_against(status, error_body(code, error, message, i % 2 == 0)).await;
        assert_rejected_with_guide(&outcome, code, error);
    }
}

#[tokio::test]
async fn the_secret_id_hint_and_the_700027_reason_are_pointed_out() {
    let outcome = probe_against(401, error_body(7000215, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", true)).await;
    let Outcome::Rejected(e) = &outcome else { panic!("{outcome:?}") };
    assert!(e.hints.iter().any(|h| h.contains("not its Secret ID")), "{:?}", e.hints);

    let message = "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: 'ABCDEF0123', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '11111111-2222-3333-4444-555555555555'.]";
    let outcome = probe_against(401, error_body(700027, "invalid_client", message, false)).await;
    assert_rejected_with_guide(&outcome, 700027, "invalid_client");
    let Outcome::Rejected(e) = &outcome else { unreachable!() };
    assert!(e.hints.iter().any(|h| h.starts_with("Entra's reason: The key was not found.")), "{:?}", e.hints);
}

#[tokio::test]
async fn a_conditional_access_block_keeps_its_claims_challenge_and_suberror() {
    let mut body = error_body(
        53003,
        "invalid_grant",
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        true,
    );
    body["suberror"] = json!("message_only");
    body["claims"] = json!("{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"a1b2c3\"]}}}");
    let outcome = probe_against(400, body).await;
    assert_rejected_with_guide(&outcome, 53003, "invalid_grant");
    let Outcome::Rejected(e) = &outcome else { unreachable!() };
    assert!(e.claims.as_deref().is_some_and(|c| c.contains("capolids")));
    assert_eq!(e.suberror.as_deref(), Some("message_only"));
    assert!(e.hints.iter().any(|h| h.contains("Conditional Access")));
}

#[tokio::test]
async fn success_reports_claims_and_roles_and_warns_when_no_permission_is_granted() {
    let (body, token) = success_body(&["User.Read.All", "Group.Read.All"]);
    let outcome = probe_against(200, body).await;
    let Outcome::Valid(v) = &outcome else { panic!("{outcome:?}") };
    assert_eq!(v.roles, ["User.Read.All", "Group.Read.All"]);
    assert_eq!(v.app_id.as_deref(), Some(CLIENT));
    assert_eq!(v.tenant_id.as_deref(), Some(TENANT));
    assert_eq!((v.authenticated_with.as_str(), v.expires_in), ("secret", Some(3599)));
    assert!(v.warnings.is_empty());
    assert!(!format!("{outcome:?}").contains(&token), "the token must not be kept");

    let (body, token) = success_body(&[]);
    let outcome = probe_against(200, body).await;
    let Outcome::Valid(v) = &outcome else { panic!("{outcome:?}") };
    assert!(v.roles.is_empty());
    assert!(v.warnings.iter().any(|w| w.contains("no application permissions")), "{:?}", v.warnings);
    assert!(!serde_json::to_string(&outcome).unwrap().contains(&token));
}

#[tokio::test]
async fn server_errors_redirects_junk_and_timeouts_are_unreachable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
        .mount(&server)
        .await;
    let outcome = prober(&server, Duration::from_secs(5)).probe(&ready(SECRET), 0).await;
    assert!(matches!(&outcome, Outcome::Unreachable { reason, .. } if reason.contains("HTTP 500")), "{outcome:?}");

    let outcome = probe_against(
        503,
        error_body(90033, "temporarily_unavailable", "A transient error has occurred. Please try again.", true),
    )
    .await;
    let Outcome::Unreachable { entra: Some(e), .. } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(e.code, Some(90033));

    let server = MockServer::start().await;
    let to = format!("{}/elsewhere", server.uri());
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", to.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = prober(&server, Duration::from_secs(5)).probe(&ready(SECRET), 0).await;
    assert!(matches!(&outcome, Outcome::Unreachable { reason, .. } if reason.contains("redirect")), "{outcome:?}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let outcome = prober(&server, Duration::from_millis(300)).probe(&ready(SECRET), 0).await;
    assert!(
        matches!(&outcome, Outcome::Unreachable { reason, .. } if reason.contains("no answer within")),
        "{outcome:?}"
    );

    let server = MockServer::start().await;
    let huge = format!("{{\"error\":\"invalid_client\",\"error_description\":\"{}\"}}", "x".repeat(MAX_RESPONSE_BYTES));
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400).set_body_string(huge)).mount(&server).await;
    let outcome = prober(&server, Duration::from_secs(5)).probe(&ready(SECRET), 0).await;
    assert!(matches!(&outcome, Outcome::Unreachable { reason, .. } if reason.contains("larger than")), "{outcome:?}");

    let outcome = probe_against(400, json!({"unexpected": true})).await;
    assert!(matches!(outcome, Outcome::Unreachable { .. }), "{outcome:?}");
}

#[tokio::test]
async fn the_request_is_a_client_credentials_form_post_to_the_tenant_token_path() {
    let server = MockServer::start().await;
    answer_token(&server, 401, error_body(7000215, "invalid_client", "Invalid client secret provided.", true)).await;
    let input = ProbeInput {
        cloud: Cloud::UsGov,
        tenant: "Contoso.onmicrosoft.us".into(),
        client_id: CLIENT.to_uppercase(),
        credential: CredentialInput::Secret(SECRET.to_string().into()),
        scope: None,
    };
    let ready = preflight(input, 0).unwrap();
    prober(&server, Duration::from_secs(5)).probe(&ready, 0).await;
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.url.path(), "/contoso.onmicrosoft.us/oauth2/v2.0/token");
    assert_eq!(r.url.query(), None);
    assert_eq!(r.headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");
    let form = form_of(&r.body);
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], CLIENT);
    assert_eq!(form["scope"], "https://graph.microsoft.us/.default");
    assert_eq!(form["client_secret"], SECRET);
    assert_eq!(form.len(), 4);
}

#[test]
fn without_an_override_the_url_is_the_fixed_https_host_of_the_cloud() {
    assert_eq!(ProberOptions::default().timeout, Duration::from_secs(10));
    assert_eq!(MAX_RESPONSE_BYTES, 64 * 1024);
    let prober = Prober::new(&ProberOptions::default()).unwrap();
    let tenant = errkb::probe::Tenant::parse(TENANT).unwrap();
    for (cloud, host) in [
        (Cloud::Public, "login.microsoftonline.com"),
        (Cloud::UsGov, "login.microsoftonline.us"),
        (Cloud::China, "login.partner.microsoftonline.cn"),
    ] {
        let url = prober.token_url(cloud, &tenant);
        assert_eq!(url.as_str(), format!("https://{host}/{TENANT}/oauth2/v2.0/token"));
    }
    for bad in ["https://evil.example.com", "http://10.0.0.1:80", "file:///etc/passwd"] {
        let options = ProberOptions { authority_override: Some(bad.into()), ..Default::default() };
        assert!(Prober::new(&options).is_err(), "{bad} must not be accepted as an override");
    }
}

#[tokio::test]
async fn the_quick_check_maps_discovery_and_the_app_check_answers() {
    use errkb::probe::{AppStatus, TenantStatus};
    let tenant = errkb::probe::Tenant::parse(TENANT).unwrap();
    let cases = [
        (700016, "unauthorized_client", AppStatus::NotFound, Some("AADSTS700016")),
        (7000112, "unauthorized_client", AppStatus::Disabled { code: 7000112 }, Some("AADSTS7000112")),
        (7000222, "invalid_client", AppStatus::Registered, None),
    ];
    for (code, error, expected, guide) in cases {
        let server = MockServer::start().await;
        let mut doc = discovery_doc();
        doc["cloud_instance_name"] = json!("microsoftonline.us");
        answer_discovery(&server, 200, doc).await;
        answer_token(&server, 400, error_body(code, error, "message", true)).await;
        let report = prober(&server, Duration::from_secs(5)).quick_check(Cloud::Public, &tenant, CLIENT).await;
        assert_eq!(report.app_status, expected);
        assert_eq!(report.guide_code().as_deref(), guide);
        let TenantStatus::Found { tenant_id, other_cloud } = &report.tenant_status else { panic!("{report:?}") };
        assert_eq!((tenant_id.as_deref(), *other_cloud), (Some(TENANT), Some(Cloud::UsGov)));
        assert!(report.lines().iter().any(|l| l.contains("usgov cloud")), "{:?}", report.lines());
    }
}

mod never_panics {
    use errkb::probe::response::{interpret, parse_error};
    use errkb::probe::{Tenant, check_secret};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_answer_bytes_and_status_give_an_outcome(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = interpret(status, Some("5"), &body, Some("s3cret"));
        }

        #[test]
        fn any_description_parses_without_its_ids_and_without_the_secret(
            description in "\\PC{0,200}", code in proptest::option::of(0u64..10_000_000)
        ) {
            let secret = "Xq38Q~secret";
            let text = format!("{description} {secret} Trace ID: t Correlation ID: c");
            let codes: Vec<u64> = code.into_iter().collect();
            let body = serde_json::json!({"error": "invalid_client", "error_description": text, "error_codes": codes});
            let e = parse_error(401, body.to_string().as_bytes(), Some(secret)).expect("an error body");
            prop_assert!(!e.message.contains(secret));
            prop_assert!(!e.message.contains("Trace ID:"));
        }

        #[test]
        fn accepted_tenants_are_one_safe_path_segment(raw in "\\PC{0,80}") {
            if let Ok(t) = Tenant::parse(&raw) {
                prop_assert!(t.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'));
                prop_assert!(!t.as_str().contains(".."));
            }
            let _ = check_secret(&raw);
        }
    }
}
