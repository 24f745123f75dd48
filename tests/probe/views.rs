//! What the probe shows in chat, for every kind of result: the Slack link message, quick-check
//! modal and results and the summary (insta snapshots, Slack's limits, Python slack_sdk's Block
//! Kit models), and the same as Teams Adaptive Cards (snapshots, size and action limits, the
//! official adaptivecards renderer). Entra text with mrkdwn or HTML in it is escaped.

use crate::fake;

use std::path::PathBuf;
use std::process::Command;

use errkb::http::probe::ProbeSummary;
use errkb::probe::{AppStatus, Cloud, EntraError, Outcome, QuickReport, TenantStatus, Valid};
use errkb::slack::limits::{Surface, check};
use errkb::slack::probe_view as slack;
use errkb::teams::card::{MAX_ACTIONS, MAX_CARD_BYTES, size};
use errkb::teams::probe_cards as teams;
use fake::{CLIENT, TENANT};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn outcomes() -> Vec<(&'static str, Outcome)> {
    let valid = |roles: Vec<String>, warnings: Vec<String>| Valid {
        app_id: Some(CLIENT.into()),
        tenant_id: Some(TENANT.into()),
        object_id: None,
        audience: Some("https://graph.microsoft.com".into()),
        roles,
        expires_in: Some(3599),
        authenticated_with: "secret".into(),
        token_version: Some("1.0".into()),
        warnings,
    };
    let rejected = EntraError {
        code: Some(7000215),
        error: "invalid_client".into(),
        message: "Invalid client secret provided for app <!channel> *bold* <https://evil.example|click>.".into(),
        trace_id: Some("0c7a1f2e-1111-4a6b-9d3e-7f00c0de0001".into()),
        correlation_id: Some("5d2b7c9a-2222-4e1f-8a6b-3c00c0de0002".into()),
        timestamp: Some("2026-11-29 10:00:00Z".into()),
        http_status: 401,
        ..EntraError::default()
    };
    vec![
        ("valid", Outcome::Valid(valid(vec!["User.Read.All".into()], vec![]))),
        ("valid-no-roles", Outcome::Valid(valid(vec![], vec!["The token has no application permissions.".into()]))),
        ("rejected", Outcome::Rejected(rejected.clone())),
        ("unreachable", Outcome::Unreachable { reason: "no answer within 10 s".into(), entra: None }),
    ]
}

fn summary(outcome: Outcome) -> ProbeSummary {
    let guide = outcome.guide_code().map(|c| (c.clone(), format!("{c}: Invalid client secret is provided")));
    ProbeSummary {
        user_id: "U0ALICE".into(),
        cloud: Cloud::Public,
        tenant: TENANT.into(),
        client_id: CLIENT.into(),
        guide_url: guide.as_ref().map(|(c, _)| format!("https://errkb.example.com/guides/{c}")),
        guide,
        outcome,
    }
}

fn quick_reports() -> Vec<(&'static str, QuickReport)> {
    let found = TenantStatus::Found { tenant_id: Some(TENANT.into()), other_cloud: None };
    let report = |tenant_status, app_status| QuickReport {
        cloud: Cloud::Public,
        tenant: "contoso.onmicrosoft.com".into(),
        tenant_status,
        app_status,
    };
    vec![
        ("registered", report(found.clone(), AppStatus::Registered)),
        ("app-not-found", report(found, AppStatus::NotFound)),
        ("tenant-not-found", report(TenantStatus::NotFound { entra: None }, AppStatus::NotChecked)),
    ]
}

#[test]
fn slack_probe_messages_are_escaped_snapshotted_and_within_limits() {
    let mut corpus = Vec::new();
    let mut add = |name: String, payload: Value, surface: Surface| {
        assert_eq!(check(&payload, surface), vec![], "{name} breaks a Slack limit");
        let typed = match surface {
            Surface::View => errkb::slack::model_check::view_problems(&payload),
            Surface::Message => errkb::slack::model_check::block_problems(payload["blocks"].as_array().unwrap()),
        };
        assert_eq!(typed, Vec::<String>::new(), "{name}: slack-morphism's models disagree");
        corpus.push(json!({"name": name, "blocks": payload["blocks"]}));
    };
    let link = slack::link_message("https://errkb.example.com/probe/tok");
    insta::assert_json_snapshot!("slack_link", link.to_json());
    add("link".into(), link.to_json(), Surface::Message);
    let modal = slack::quick_modal("probe_quick", "C0123");
    insta::assert_json_snapshot!("slack_quick_modal", modal);
    add("modal".into(), modal, Surface::View);
    for (name, outcome) in outcomes() {
        let message = slack::summary_message(&summary(outcome));
        let text = serde_json::to_string(&message.to_json()).unwrap();
        assert!(!text.contains("<!channel>") && !text.contains("<https://evil"), "{name}: unescaped");
        if name == "rejected" {
            assert!(text.contains("&lt;!channel&gt;"), "the Entra message is shown, escaped");
        }
        insta::assert_json_snapshot!(format!("slack_summary_{name}"), message.to_json());
        add(format!("summary {name}"), message.to_json(), Surface::Message);
    }
    for (name, report) in quick_reports() {
        let message = slack::quick_result(&report, None, "https://errkb.example.com");
        assert!(
            message.to_json().to_string().contains("sign-in logs")
                == !matches!(report.app_status, AppStatus::NotChecked)
        );
        add(format!("quick {name}"), message.to_json(), Surface::Message);
    }
    validate_with_slack_sdk(&corpus);
}

fn validate_with_slack_sdk(corpus: &[Value]) {
    let available = Command::new("python3").args(["-c", "import slack_sdk"]).output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var_os("ERRKB_REQUIRE_SLACK_SDK").is_none(), "python3 with slack_sdk is required here");
        return eprintln!("skipped: python3 with slack_sdk is not installed");
    }
    let path = root().join("target/slack-blocks/probe.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_vec(corpus).unwrap()).unwrap();
    let out = Command::new("python3").arg(root().join("tests/slack/validate_blocks.py")).arg(&path).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && report.contains(" 0 rejected"), "{report}{}", String::from_utf8_lossy(&out.stderr));
}

fn actions(v: &Value, out: &mut Vec<usize>) {
    if let Some(a) = v.get("actions").and_then(Value::as_array) {
        out.push(a.len());
    }
    for key in ["body", "items", "columns"] {
        for child in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            actions(child, out);
        }
    }
}

#[test]
fn teams_probe_cards_are_snapshotted_within_limits_and_valid_for_the_official_renderer() {
    let mut cards = vec![
        ("link".to_string(), teams::link_card("https://errkb.example.com/probe/tok")),
        ("quick-form".to_string(), teams::quick_form_card()),
        ("notice".to_string(), teams::notice_card("Not allowed <at>everyone</at>")),
    ];
    for (name, outcome) in outcomes() {
        cards.push((format!("summary-{name}"), teams::summary_card(&summary(outcome))));
    }
    for (name, report) in quick_reports() {
        cards.push((format!("quick-{name}"), teams::quick_result_card(&report, None, "https://errkb.example.com")));
    }
    let dir = root().join("target/teams-cards-probe");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (name, card) in &cards {
        assert_eq!(card["version"], "1.5", "{name}");
        assert!(size(card) <= MAX_CARD_BYTES, "{name}");
        let mut counts = Vec::new();
        actions(card, &mut counts);
        assert!(counts.iter().all(|&n| n <= MAX_ACTIONS), "{name}: {counts:?}");
        let text = card.to_string();
        assert!(!text.contains("<!channel>") && !text.contains("<at>"), "{name}: unescaped");
        if ["link", "quick-form", "summary-rejected", "summary-valid-no-roles"].contains(&name.as_str()) {
            insta::assert_json_snapshot!(format!("teams_{name}"), card);
        }
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(card).unwrap()).unwrap();
        files.push(path);
    }
    let ready = root().join("tests/teams/node_modules/adaptivecards").is_dir();
    if !ready {
        assert!(std::env::var_os("ERRKB_REQUIRE_TEAMS_NODE").is_none(), "tests/teams/node_modules missing");
        return eprintln!("skipped: npm ci --prefix tests/teams");
    }
    let out = Command::new("node").arg(root().join("tests/teams/cards_check.js")).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("{0} of {0} cards clean", files.len())), "{stdout}");
}
