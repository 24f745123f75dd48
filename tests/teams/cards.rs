//! Teams Adaptive Cards on the shipped kb/: snapshots of a few cards, Teams' limits on every
//! guide's card, and a cross-check of every card with the official `adaptivecards` renderer
//! (tests/teams/cards_check.js) plus one card rendered in headless Chromium to a PNG.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use errkb::answer::{Answer, Question, answer};
use errkb::kb::load_dir;
use errkb::search::Engine;
use errkb::teams::card::{self, MAX_ACTIONS, MAX_CARD_BYTES, Mode, Render};
use serde_json::Value;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let report = load_dir(&root().join("kb")).unwrap();
    Engine::from_report(report).unwrap()
});

const BOT: Render = Render { public_url: "https://errkb.example.com", mode: Mode::Bot, probe: false };
const LITE: Render = Render { public_url: "https://errkb.example.com/", mode: Mode::Lite, probe: false };

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ask(text: &str) -> Answer {
    answer(&ENGINE, &Question::parse(text).unwrap(), 3)
}

/// Every action collection in the card: the top-level actions and each ActionSet.
fn action_sets(v: &Value, out: &mut Vec<Vec<Value>>) {
    if let Some(actions) = v.get("actions").and_then(Value::as_array) {
        out.push(actions.clone());
    }
    for key in ["body", "items", "columns"] {
        for child in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            action_sets(child, out);
        }
    }
}

fn text_blocks(v: &Value, out: &mut Vec<String>) {
    if v["type"] == "TextBlock" {
        out.push(v["text"].as_str().unwrap_or_default().to_string());
    }
    for key in ["body", "items", "columns"] {
        for child in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            text_blocks(child, out);
        }
    }
}

fn assert_teams_safe(name: &str, c: &Value) {
    assert_eq!(c["version"], "1.5", "{name}");
    assert!(card::size(c) <= MAX_CARD_BYTES, "{name}: {} bytes", card::size(c));
    let mut sets = Vec::new();
    action_sets(c, &mut sets);
    for set in &sets {
        assert!(set.len() <= MAX_ACTIONS, "{name}: {} actions", set.len());
    }
    let mut texts = Vec::new();
    text_blocks(c, &mut texts);
    for t in texts {
        assert!(!t.is_empty(), "{name}: empty TextBlock");
        for line in t.split(['\r', '\n']) {
            assert!(!line.trim_start().starts_with('#'), "{name}: heading in {line:?}");
            assert!(!line.contains('|'), "{name}: table in {line:?}");
            assert!(!line.contains('<') && !line.contains('>'), "{name}: HTML in {line:?}");
            assert!(!line.contains("```"), "{name}: code block in {line:?}");
        }
    }
}

#[test]
fn a_found_answer_card_shows_meaning_steps_links_and_feedback() {
    let c = card::answer_card(&ask("AADSTS7000215"), &BOT);
    assert_teams_safe("7000215", &c);
    insta::assert_json_snapshot!("teams_card_found_7000215", c);
}

#[test]
fn a_lite_mode_card_uses_open_url_buttons_only() {
    let c = card::answer_card(&ask("AADSTS50011 when I sign in from localhost"), &LITE);
    assert_teams_safe("lite", &c);
    let mut sets = Vec::new();
    action_sets(&c, &mut sets);
    assert!(sets.iter().flatten().all(|a| a["type"] == "Action.OpenUrl"), "{c:#}");
    assert!(!c.to_string().contains("isVisible"), "lite cards show their steps inline");
    insta::assert_json_snapshot!("teams_card_lite_50011", c);
}

#[test]
fn an_unknown_code_offers_did_you_mean_with_the_question_as_plain_text() {
    let c = card::answer_card(&ask("AADSTS7000219 <b>*boom*</b>"), &BOT);
    assert_teams_safe("not found", &c);
    let run = &c["body"][1]["inlines"][1];
    assert_eq!(run["type"], "TextRun", "user text goes in a TextRun, which Teams does not parse as markdown");
    let mut sets = Vec::new();
    action_sets(&c, &mut sets);
    assert!(sets.iter().flatten().any(|a| a["verb"] == card::VERB_SHOW));
    insta::assert_json_snapshot!("teams_card_not_found", c);
}

#[test]
fn the_welcome_card_explains_how_to_ask() {
    let c = card::welcome_card("https://errkb.example.com");
    assert_teams_safe("welcome", &c);
    insta::assert_json_snapshot!("teams_card_welcome", c);
}

#[test]
fn feedback_replaces_the_buttons_with_a_thank_you() {
    let guide = ENGINE.get("AADSTS50011").unwrap();
    let c = card::thanks_card(guide, true, &BOT);
    assert!(!c.to_string().contains(card::VERB_FEEDBACK));
    assert!(c.to_string().contains("glad it helped"));
}

#[test]
fn the_plain_text_fallback_names_the_code_and_the_full_guide() {
    let text = card::fallback_text(&ask("AADSTS700016"), &BOT);
    assert!(text.starts_with("AADSTS700016: "), "{text}");
    assert!(text.ends_with("https://errkb.example.com/guides/AADSTS700016"), "{text}");
}

/// Writes every guide's bot and lite card (and a few others) to target/teams-cards.
fn write_all_cards() -> Vec<PathBuf> {
    let dir = root().join("target/teams-cards");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    let mut write = |name: String, c: &Value| {
        assert_teams_safe(&name, c);
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(c).unwrap()).unwrap();
        files.push(path);
    };
    for guide in ENGINE.guides() {
        write(format!("{}-bot", guide.code), &card::guide_card(guide, &BOT));
        write(format!("{}-lite", guide.code), &card::guide_card(guide, &LITE));
    }
    write("welcome".into(), &card::welcome_card(BOT.public_url));
    write("not-found".into(), &card::answer_card(&ask("AADSTS7000219"), &BOT));
    write("nothing".into(), &card::answer_card(&ask("zzzz qqqq"), &BOT));
    files
}

fn node_ready() -> bool {
    let ok = root().join("tests/teams/node_modules/adaptivecards").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("ERRKB_REQUIRE_TEAMS_NODE").is_none(), "node or tests/teams/node_modules missing");
        eprintln!("skipped: node or tests/teams/node_modules missing (npm ci --prefix tests/teams)");
    }
    ok
}

#[test]
fn every_guide_card_validates_with_the_official_renderer() {
    let files = write_all_cards();
    assert!(files.len() > 100, "{} cards", files.len());
    if !node_ready() {
        return;
    }
    let out = Command::new("node").arg(root().join("tests/teams/cards_check.js")).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("{0} of {0} cards clean", files.len())), "{stdout}");
}

#[test]
fn one_card_renders_in_headless_chromium() {
    if !node_ready() || !Path::new("/usr/bin/chromium").exists() {
        eprintln!("skipped: chromium or node missing");
        return;
    }
    let dir = root().join("target/teams-render");
    std::fs::create_dir_all(&dir).unwrap();
    let c = card::answer_card(&ask("AADSTS7000215"), &BOT);
    let card_path = dir.join("card.json");
    std::fs::write(&card_path, serde_json::to_vec(&c).unwrap()).unwrap();
    let png = dir.join("card.png");
    let _ = std::fs::remove_file(&png);
    let out =
        Command::new("node").arg(root().join("tests/teams/render_card.js")).args([&card_path, &png]).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 5_000, "{} bytes", bytes.len());
}
