//! The shipped knowledge base covers every catalogued AADSTS code by an entry of its own
//! (tests/fixtures/aadsts-codes.txt lists the codes of the research catalog, Microsoft's page and the
//! extra codes seen elsewhere), every code outside Microsoft's page names where it was seen, and every
//! full guide meets the bar of the issue.

use std::path::Path;

use errkb::answer::{Match, Question, answer};
use errkb::kb::{GuideKind, SectionKind, load_dir};
use errkb::search::Engine;

fn engine() -> Engine {
    let report = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kb")).unwrap();
    assert_eq!(report.errors().count(), 0, "{:?}", report.findings);
    Engine::from_report(report).unwrap()
}

const FULL_GUIDES: &str = "50011 50020 7000218 65001 7000215 53003 50058 700016 50076 500011 90002 7000222 \
50126 700082 650057 50194 50173 70011 54005 500113 700054 900144 700024 9002326 650056 50079 50034 50053 \
700027 7000112 900023 1002012 70021 900439 50105 70008 16000 50057 50055 50074 50097 50158 53000 53001 \
90094 90072 500571 50133 70043 70000 700025 9001023 50000 50089 50072 50128 50107 530032 50199 90038";

#[test]
fn every_catalogued_code_answers_by_its_own_entry() {
    let engine = engine();
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aadsts-codes.txt")).unwrap();
    let mut missing = Vec::new();
    for code in list.split_whitespace() {
        let q = Question::parse(&format!("AADSTS{code}")).unwrap();
        let a = answer(&engine, &q, 3);
        let ok = a
            .hits()
            .first()
            .is_some_and(|h| h.matched == Match::Code && h.guide.code.as_str() == format!("AADSTS{code}"));
        if !ok {
            missing.push(code.to_string());
        }
    }
    assert!(list.split_whitespace().count() > 350);
    assert!(missing.is_empty(), "codes without an entry: {missing:?}");
}

#[test]
fn the_sixty_most_common_codes_have_full_guides_that_meet_the_bar() {
    let engine = engine();
    let mut problems = Vec::new();
    for code in FULL_GUIDES.split_whitespace() {
        let Some(g) = engine.get(&format!("AADSTS{code}")) else {
            problems.push(format!("{code}: no guide"));
            continue;
        };
        let count = |kind| g.section(kind).map_or(0, |s| s.items().count());
        let learn = g.links().iter().filter(|l| l.url.starts_with("https://learn.microsoft.com/")).count();
        let lookup = format!("https://login.microsoftonline.com/error?code={code}");
        let checks = [
            (g.kind == GuideKind::Full, "full guide"),
            (g.sections.len() >= 6, "six sections"),
            (count(SectionKind::Diagnostics) >= 3, "3 diagnostics"),
            (count(SectionKind::Causes) >= 3, "3 causes"),
            (g.steps().len() >= 4, "4 steps"),
            (learn >= 2, "2 learn links"),
            (g.links().iter().any(|l| l.url == lookup), "lookup link"),
            (g.meta.aliases.len() >= 3, "3 aliases"),
            (g.section(SectionKind::DataCollection).is_some(), "data collection"),
        ];
        for (ok, what) in checks {
            if !ok {
                problems.push(format!("{code}: {what}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn short_entries_say_they_are_short_and_carry_the_lookup_link() {
    let engine = engine();
    let g = engine.get("AADSTS16001").expect("catalog entry");
    assert!(g.is_short());
    assert_eq!(g.lookup_url().as_deref(), Some("https://login.microsoftonline.com/error?code=16001"));
    assert!(!g.steps().is_empty());
}

#[test]
fn every_code_outside_microsofts_error_page_names_where_it_was_seen() {
    let engine = engine();
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aadsts-reference-page.txt"))
            .unwrap();
    let listed: std::collections::HashSet<&str> = page.split_whitespace().collect();
    assert!(listed.len() >= 350);
    let unsourced: Vec<String> = engine
        .guides()
        .iter()
        .filter_map(|g| g.code.aadsts_number().map(|n| (n, g)))
        .filter(|(n, g)| !listed.contains(n) && g.meta.sources.is_empty())
        .map(|(n, g)| format!("{n} ({})", g.source.display()))
        .collect();
    assert!(unsourced.is_empty(), "codes not on Microsoft's page without `sources`: {unsourced:#?}");
}
