//! Block Kit answers: snapshots of a found, an ambiguous and a not-found answer, every guide in
//! kb/ within Slack's limits (and written to target/ for the slack_sdk cross-check), and escaping.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use errkb::answer::{Answer, Hit, Match, Outcome, Question, answer};
use errkb::kb::{Code, Guide, load_dir, parse_guide};
use errkb::search::Engine;
use errkb::slack::blocks::{self, Render};
use errkb::slack::limits::{Surface, check};
use serde_json::{Value, json};

const PUBLIC: &str = "https://errkb.example";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> Arc<Guide> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    Arc::new(parse_guide(&text, Path::new(path)).unwrap())
}

fn seed() -> Arc<Guide> {
    fixture("tests/fixtures/seed/AADSTS7000215.md")
}

fn hit(guide: Arc<Guide>, matched: Match) -> Hit {
    Hit { guide, score: 1.0, matched }
}

fn kb_engine() -> Engine {
    let report = load_dir(&root().join("kb")).unwrap();
    Engine::from_report(report).unwrap()
}

fn seed_answer() -> Answer {
    let code = Code::parse("AADSTS7000215").unwrap();
    Answer {
        query: "AADSTS7000215".into(),
        detected: vec![code],
        outcome: Outcome::Found { best: hit(seed(), Match::Code), alternatives: vec![] },
        reason: None,
    }
}

fn private() -> Render<'static> {
    Render { shareable: true, ..Render::new(PUBLIC) }
}

fn assert_within_limits(label: &str, message: &blocks::Message) {
    let violations = check(&message.to_json(), Surface::Message);
    assert!(
        violations.is_empty(),
        "{label}: {}",
        violations.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    );
}

#[test]
fn the_seed_guide_renders_as_a_private_answer_with_three_steps_and_show_all() {
    let message = blocks::answer(&seed_answer(), &private());
    assert_within_limits("seed", &message);
    insta::assert_json_snapshot!("found_seed_7000215", message.to_json());
}

#[test]
fn show_all_steps_renders_every_step_of_the_seed_guide() {
    let r = Render { all_steps: true, shared_by: Some("U024BE7LH"), ..Render::new(PUBLIC) };
    let message = blocks::answer(&seed_answer(), &r);
    assert_within_limits("seed all", &message);
    let text = message.to_json().to_string();
    assert!(!text.contains("show_all_steps"), "no button once every step is shown");
    assert!(!text.contains("\"share\""), "a shared answer offers no share button");
    assert!(text.contains("Shared by <@U024BE7LH>"));
    insta::assert_json_snapshot!("found_seed_all_steps", message.to_json());
}

#[test]
fn an_ambiguous_answer_offers_did_you_mean_buttons_and_escapes_the_query() {
    let families = ["0x80070005", "HTTP-429", "ORA-12154"]
        .map(|c| hit(fixture(&format!("tests/fixtures/kb-families/{c}.md")), Match::Text));
    let a = Answer {
        query: "<!channel> access & <@U1> denied".into(),
        detected: vec![],
        outcome: Outcome::Ambiguous { candidates: families.to_vec() },
        reason: None,
    };
    let message = blocks::answer(&a, &private());
    assert_within_limits("ambiguous", &message);
    insta::assert_json_snapshot!("ambiguous_families", message.to_json());
}

#[test]
fn a_not_found_code_links_the_official_lookup_and_suggests_near_codes() {
    let a = Answer {
        query: "AADSTS7000216".into(),
        detected: vec![Code::parse("AADSTS7000216").unwrap()],
        outcome: Outcome::NotFound { code: Code::parse("AADSTS7000216"), suggestions: vec![hit(seed(), Match::Text)] },
        reason: None,
    };
    let message = blocks::answer(&a, &private());
    assert_within_limits("not found", &message);
    insta::assert_json_snapshot!("not_found_7000216", message.to_json());
}

#[test]
fn a_question_with_no_code_and_no_match_gets_a_polite_hint() {
    let a = Answer {
        query: "zzzz".into(),
        detected: vec![],
        outcome: Outcome::NotFound { code: None, suggestions: vec![] },
        reason: None,
    };
    let message = blocks::answer(&a, &Render::new(PUBLIC));
    assert!(message.text.contains("No guide matches"));
    assert!(message.to_json().to_string().contains("AADSTS50011"));
    assert_within_limits("nothing", &message);
}

/// Every guide, rendered every way it can be sent, within limits; the corpus goes to target/ and
/// through tests/slack/validate_blocks.py (slack_sdk's models) when python3 and slack_sdk are
/// there (.ci/run installs them and sets ERRKB_REQUIRE_SLACK_SDK so a missing one fails).
#[test]
fn every_guide_in_the_kb_renders_within_slack_limits_and_slack_sdk_accepts_it() {
    let engine = kb_engine();
    let mut corpus = Vec::new();
    for guide in engine.guides() {
        let code = guide.code.as_str();
        let a = answer(&engine, &Question::parse(code).unwrap(), 3);
        for (label, r) in
            [("preview", private()), ("all", Render { all_steps: true, shared_by: Some("U1"), ..Render::new(PUBLIC) })]
        {
            let message = blocks::answer(&a, &r);
            assert_within_limits(&format!("{code} {label}"), &message);
            corpus.push(json!({"name": format!("{code} {label}"), "blocks": message.blocks}));
        }
    }
    assert!(corpus.len() > 700, "{} messages", corpus.len());
    for q in ["redirect uri", "password", "AADSTS53005", "tenant", "nothing matches qqqq", "<!channel> & <b>"] {
        let message = blocks::answer(&answer(&engine, &Question::parse(q).unwrap(), 3), &private());
        assert_within_limits(q, &message);
        corpus.push(json!({"name": q, "blocks": message.blocks}));
    }
    let thanked = blocks::thank(blocks::answer(&seed_answer(), &private()).blocks, true);
    let home = errkb::slack::home::view(PUBLIC, "/aadsts", &[("AADSTS50011".into(), 3)]);
    for (name, extra) in [
        ("help", blocks::help("/aadsts").blocks),
        ("notice", blocks::notice("Sorry <!channel> & co").blocks),
        ("thanked", thanked),
        ("home", home["blocks"].as_array().unwrap().clone()),
    ] {
        corpus.push(json!({"name": name, "blocks": extra}));
    }
    let out = corpus_path();
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, serde_json::to_vec(&corpus).unwrap()).unwrap();
    validate_with_slack_sdk(&out);
}

fn validate_with_slack_sdk(corpus: &Path) {
    let available = Command::new("python3").args(["-c", "import slack_sdk"]).output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var_os("ERRKB_REQUIRE_SLACK_SDK").is_none(), "python3 with slack_sdk is required here");
        eprintln!("skipped: python3 with slack_sdk is not installed (pip install slack_sdk)");
        return;
    }
    let script = root().join("tests/slack/validate_blocks.py");
    let out = Command::new("python3").arg(script).arg(corpus).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "slack_sdk rejected messages:\n{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains(" 0 rejected"), "{report}");
}

pub fn corpus_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    target.join("slack-blocks").join("all-guides.json")
}

#[test]
fn a_huge_guide_is_cut_to_fit_with_a_link_to_its_full_page() {
    let mut text = String::from("# AADSTS1234567: A very long guide\n\n## Causes\n\n");
    for i in 0..40 {
        text.push_str(&format!("- **Cause {i}**: {}\n", "because <reasons> & more ".repeat(40)));
    }
    text.push_str("\n## Resolution\n\n");
    for i in 0..80 {
        text.push_str(&format!(
            "{}. **Step {i}**: {}\n   - {}\n",
            i + 1,
            "do this ".repeat(200),
            "then that ".repeat(300)
        ));
    }
    let guide = Arc::new(parse_guide(&text, Path::new("long.md")).unwrap());
    let a = Answer {
        query: "AADSTS1234567".into(),
        detected: vec![],
        outcome: Outcome::Found { best: hit(guide, Match::Code), alternatives: vec![] },
        reason: None,
    };
    let message = blocks::answer(&a, &Render { all_steps: true, ..Render::new(PUBLIC) });
    assert_within_limits("huge", &message);
    let json = message.to_json().to_string();
    assert!(json.contains("<https://errkb.example/guides/AADSTS1234567|read the full guide>"), "{json}");
    assert!(json.contains("<https://errkb.example/guides/AADSTS1234567|Read the full guide>"));
    assert_eq!(message.blocks.last().unwrap()["type"], "actions", "feedback buttons survive");
}

#[test]
fn no_user_or_guide_text_can_ping_a_channel_or_inject_a_link() {
    let engine = kb_engine();
    for q in ["<!channel> AADSTS7000215", "<!here|here> help <https://evil.example|click>", "<@U123> & <#C1>"] {
        let message = blocks::answer(&answer(&engine, &Question::parse(q).unwrap(), 3), &private());
        let mut json: Value = message.to_json();
        strip_values(&mut json);
        let text = json.to_string();
        for bad in ["<!channel>", "<!here", "<@U123>", "<#C1>", "evil.example|click>"] {
            assert!(!text.contains(bad), "{bad} leaked for {q}: {text}");
        }
    }
}

/// Button values are never displayed (the share button carries the raw question back to us).
fn strip_values(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("value");
            map.values_mut().for_each(strip_values);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_values),
        _ => {}
    }
}
