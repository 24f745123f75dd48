//! Every Slack message, modal and Home view errkb renders, judged by slack-morphism's typed Block
//! Kit models (the crate errkb is built on; no Python needed): each block is a known `SlackBlock`
//! that keeps every field through a round trip, each view a `SlackView`. The support channels'
//! new messages and modals also pass the limit checker and Python slack_sdk's models
//! (tests/slack/validate_blocks.py, views included).

use std::path::PathBuf;
use std::process::Command;

use errkb::answer::{Question, answer};
use errkb::kb::load_dir;
use errkb::search::Engine;
use errkb::slack::blocks::{self, Render};
use errkb::slack::channel_answer::{Asked, NOT_USEFUL, SOLVED, STILL_STUCK, decorate};
use errkb::slack::channels::{modal, summary};
use errkb::slack::escalation::{escalation_message, updated};
use errkb::slack::limits::{Surface, check};
use errkb::slack::model_check::{block_problems, view_problems};
use errkb::slack::{home, probe_view};
use errkb::store::{AnswerMode, ChannelSettings, EscalationTarget};
use serde_json::{Value, json};

const PUBLIC: &str = "https://errkb.test";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn engine() -> Engine {
    let report = load_dir(&root().join("kb")).unwrap();
    Engine::build(report.guides).unwrap().with_thesaurus(report.thesaurus)
}

fn asked(code: &str, question: &str) -> Asked {
    Asked { code: code.into(), at: 1_795_900_000, user: "U0ASKER".into(), question: question.into() }
}

fn settings(mode: AnswerMode, escalation: Vec<EscalationTarget>, probe: bool) -> ChannelSettings {
    ChannelSettings {
        answer_mode: mode,
        escalation,
        probe_buttons: probe,
        ..ChannelSettings::default_for("slack", "C0SUPPORT")
    }
}

/// The support channels' own messages and views, `(name, message or view, surface)`.
fn support_corpus(engine: &Engine) -> Vec<(String, Value, Surface)> {
    let mut out = Vec::new();
    let targets = vec![
        EscalationTarget { kind: "group".into(), id: "S0HELPERS".into(), name: "helpers".into() },
        EscalationTarget { kind: "user".into(), id: "U0EXPERT".into(), name: String::new() },
    ];
    for q in ["AADSTS50011", "AADSTS99999999", "redirect uri", "nothing matches qqqq"] {
        let a = answer(engine, &Question::parse(q).unwrap(), 3);
        let r = Render { probe: true, ..Render::new(PUBLIC) };
        let code = a.hits().first().map(|h| h.guide.code.to_string()).unwrap_or_default();
        for auto in [false, true] {
            let message = decorate(blocks::answer(&a, &r), &asked(&code, q), auto);
            out.push((format!("channel answer {q} auto={auto}"), message.to_json(), Surface::Message));
            let solved =
                updated(message.blocks.clone(), &[SOLVED, STILL_STUCK, NOT_USEFUL], "✅ *Solved*. Confirmed by <@U2>.");
            out.push((format!("solved {q}"), json!({"text": "Solved", "blocks": solved}), Surface::Message));
            let stuck =
                updated(message.blocks, &[STILL_STUCK, NOT_USEFUL], "🙋 Still stuck: <@U0EXPERT> called in by <@U1>.");
            out.push((format!("stuck {q}"), json!({"text": "Still stuck", "blocks": stuck}), Surface::Message));
        }
    }
    let long = format!("```{}``` <!channel> & <b>", "AADSTS50011 ".repeat(400));
    for (name, guide) in [
        ("with guide", Some(("https://errkb.test/guides/AADSTS50011", "AADSTS50011: Redirect URI mismatch"))),
        ("no guide", None),
    ] {
        let message = escalation_message(guide, "U1", &asked("AADSTS50011", &long), "<!subteam^S0HELPERS> <@U0EXPERT>");
        out.push((format!("escalation {name}"), message.to_json(), Surface::Message));
    }
    let filled = settings(AnswerMode::Auto, targets.clone(), false);
    for (name, s, problem) in [
        ("default", settings(AnswerMode::Mention, vec![], true), None),
        ("filled", filled.clone(), Some("No user group @x was found.")),
    ] {
        out.push((
            format!("settings modal {name}"),
            modal("C0SUPPORT", "support", &s, name == "default"),
            Surface::View,
        ));
        out.push((format!("settings modal {name} unnamed"), modal("C0SUPPORT", "", &s, true), Surface::View));
        out.push((format!("settings summary {name}"), summary(&s, "U0ADMIN", problem).to_json(), Surface::Message));
    }
    out
}

/// Everything else errkb renders for Slack: every guide's answer, usage, notices, the Home tab
/// and the probe's link message and modal.
fn other_corpus(engine: &Engine) -> Vec<(String, Value, Surface)> {
    let mut out = Vec::new();
    for guide in engine.guides() {
        let a = answer(engine, &Question::parse(guide.code.as_str()).unwrap(), 3);
        for (label, r) in [
            ("preview", Render { shareable: true, probe: true, ..Render::new(PUBLIC) }),
            ("all", Render { all_steps: true, shared_by: Some("U1"), ..Render::new(PUBLIC) }),
        ] {
            out.push((format!("{} {label}", guide.code), blocks::answer(&a, &r).to_json(), Surface::Message));
        }
    }
    let seed = answer(engine, &Question::parse("AADSTS7000215").unwrap(), 3);
    out.push((
        "thanked".into(),
        json!({"blocks": blocks::thank(blocks::answer(&seed, &Render::new(PUBLIC)).blocks, true)}),
        Surface::Message,
    ));
    out.push(("help".into(), blocks::help("/aadsts").to_json(), Surface::Message));
    out.push(("notice".into(), blocks::notice("Sorry <!channel> & co").to_json(), Surface::Message));
    out.push(("home".into(), home::view(PUBLIC, "/aadsts", &[("AADSTS50011".into(), 3)]), Surface::View));
    out.push(("home empty".into(), home::view(PUBLIC, "/aadsts", &[]), Surface::View));
    out.push((
        "probe link".into(),
        probe_view::link_message("https://errkb.test/probe/tok").to_json(),
        Surface::Message,
    ));
    out.push(("probe modal".into(), probe_view::quick_modal("probe_quick", "C0123"), Surface::View));
    out
}

fn problems(payload: &Value, surface: Surface) -> Vec<String> {
    let mut out: Vec<String> = check(payload, surface).iter().map(ToString::to_string).collect();
    out.extend(match surface {
        Surface::View => view_problems(payload),
        Surface::Message => block_problems(payload["blocks"].as_array().map_or(&[][..], |b| b.as_slice())),
    });
    out
}

#[test]
fn every_message_modal_and_home_view_errkb_renders_is_a_known_slack_morphism_model() {
    let engine = engine();
    let corpus: Vec<_> = support_corpus(&engine).into_iter().chain(other_corpus(&engine)).collect();
    assert!(corpus.len() > 750, "{} payloads", corpus.len());
    let failures: Vec<String> = corpus
        .iter()
        .flat_map(|(name, payload, surface)| {
            problems(payload, *surface).into_iter().map(move |p| format!("{name}: {p}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} problems, first ones:\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_broken_block_is_caught_by_the_model_check() {
    let button_without_text = json!({"type": "actions", "elements": [{"type": "button", "action_id": "x"}]});
    assert!(!block_problems(&[button_without_text]).is_empty());
    let unknown_field = json!({"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "colour": "red"});
    assert!(block_problems(&[unknown_field])[0].contains("colour is dropped"), "a field Slack would not know");
    let modal_without_title = json!({"type": "modal", "blocks": []});
    assert!(!view_problems(&modal_without_title).is_empty());
}

#[test]
fn the_support_channels_messages_and_modals_pass_slack_sdk() {
    let corpus: Vec<Value> = support_corpus(&engine())
        .into_iter()
        .map(|(name, payload, surface)| match surface {
            Surface::View => json!({"name": name, "view": payload}),
            Surface::Message => json!({"name": name, "blocks": payload["blocks"]}),
        })
        .collect();
    let available = Command::new("python3").args(["-c", "import slack_sdk"]).output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var_os("ERRKB_REQUIRE_SLACK_SDK").is_none(), "python3 with slack_sdk is required here");
        return eprintln!("skipped: python3 with slack_sdk is not installed (pip install slack_sdk)");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let path = target.join("slack-blocks").join("channels.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_vec(&corpus).unwrap()).unwrap();
    let out = Command::new("python3").arg(root().join("tests/slack/validate_blocks.py")).arg(&path).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && report.contains(" 0 rejected"), "{report}{}", String::from_utf8_lossy(&out.stderr));
}
