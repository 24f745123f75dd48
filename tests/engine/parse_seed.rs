//! The user's own example guide (tests/fixtures/seed, byte-identical to the seed) parses exactly.

use std::path::Path;

use errkb::kb::{Block, SectionKind, parse_guide};

fn seed() -> errkb::kb::Guide {
    let path = Path::new("tests/fixtures/seed/AADSTS7000215.md");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    parse_guide(&text, path).expect("the seed parses")
}

#[test]
fn the_seed_has_its_code_and_meaning() {
    let g = seed();
    assert_eq!(g.code.as_str(), "AADSTS7000215");
    assert!(g.meaning.starts_with("Invalid client secret is provided."), "{}", g.meaning);
    assert_eq!(g.line, 1);
    assert!(errkb::kb::plain(&g.intro[0]).starts_with("Error Code AADSTS7000215 indicates"));
}

#[test]
fn the_seed_has_six_sections_of_the_right_kinds() {
    let kinds: Vec<SectionKind> = seed().sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::Diagnostics,
            SectionKind::Causes,
            SectionKind::Resolution,
            SectionKind::Notes,
            SectionKind::References,
            SectionKind::DataCollection
        ]
    );
    let g = seed();
    assert_eq!(g.sections[0].heading, "Initial Diagnostic Steps");
    assert_eq!(g.sections[0].anchor, "initial-diagnostic-steps");
    assert_eq!(g.sections[0].items().count(), 3);
    assert_eq!(g.sections[1].items().count(), 6);
}

#[test]
fn the_seed_has_six_numbered_steps_with_their_sub_bullets() {
    let g = seed();
    let steps = g.steps();
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[0].label().as_deref(), Some("Check Azure AD App Registration"));
    assert_eq!(steps[0].children.len(), 3);
    assert_eq!(steps[1].children.len(), 1, "'If you suspect...' with its own nested list");
    assert_eq!(steps[1].children[0].children.len(), 2);
    assert_eq!(steps[5].label().as_deref(), Some("Check Configuration Files"));
    let resolution = g.section(SectionKind::Resolution).unwrap();
    assert!(matches!(resolution.blocks[0], Block::List { ordered: true, .. }));
}

#[test]
fn the_seed_has_three_reference_links_with_text_and_url() {
    let links = seed().reference_links();
    assert_eq!(links.len(), 3);
    assert_eq!(links[0].text, "Azure AD App Registration");
    assert_eq!(links[0].url, "https://docs.microsoft.com/en-us/azure/active-directory/develop/quickstart-register-app");
    assert_eq!(links[2].text, "MSAL Docs");
    assert_eq!(links[0].line, 58);
}

#[test]
fn the_seed_mojibake_is_repaired() {
    let g = seed();
    let data = g.section(SectionKind::DataCollection).unwrap().text();
    assert!(data.contains("server\u{2019}s response"), "{data}");
    assert!(!data.contains("â€"));
}

#[test]
fn the_parsed_seed_matches_its_snapshot() {
    insta::assert_json_snapshot!("seed_guide", seed());
}
