//! The answer policy with Entra's own message text as evidence, on a small knowledge base made
//! here: each case of the policy on the shapes users paste (a code with its own wording, an old
//! number with another entry's wording, a number the knowledge base lacks, a message alone, HTML
//! escaped or cut off), and the cases where a message must not overrule the number.

use std::path::Path;
use std::sync::LazyLock;

use errkb::answer::{Answer, AnswerJson, Match, Outcome, Question, Reason, answer};
use errkb::kb::parse_guide;
use errkb::search::Engine;

fn guide(code: &str, meaning: &str, messages: &[&str], legacy: &str) -> String {
    let messages: String = messages.iter().map(|m| format!("  - {m:?}\n")).collect();
    format!(
        "---\nlegacy_codes: [{legacy}]\nmessages:\n{messages}---\n# {code}: {meaning}\n\n#### 3. Step-by-Step Resolution Strategies\n\n1. **Fix it**: do the thing.\n"
    )
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let secret = guide(
        "AADSTS7000215",
        "The client secret sent is not a valid secret of the app",
        &[
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{appId}'.",
            "Invalid client secret is provided.",
        ],
        "AADSTS50012",
    );
    let cert = guide(
        "AADSTS50012",
        "Client authentication failed (certificate or assertion)",
        &["Client assertion contains an invalid signature. [Reason - {reason}]"],
        "",
    );
    let app = guide(
        "AADSTS700016",
        "The app was not found in the tenant",
        &["Application with identifier '{appId}' was not found in the directory '{tenant}'."],
        "",
    );
    let mfa = guide(
        "AADSTS50079",
        "The user must register for multi-factor authentication",
        &[
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '{resource}'.",
        ],
        "",
    );
    let guest = guide(
        "AADSTS50020",
        "A user from another identity provider is not in the tenant",
        &[
            "User account '{user}' from identity provider '{idp}' does not exist in tenant '{tenant}' and cannot access the application '{appId}' in that tenant.",
        ],
        "",
    );
    let external = guide("AADSTS16000", "The external user was never added to the tenant", &[], "");
    let guides = [secret, cert, app, mfa, guest, external]
        .iter()
        .map(|md| parse_guide(md, Path::new("policy.md")).expect("test guide parses"))
        .collect();
    Engine::build(guides).expect("index builds")
});

fn ask(text: &str) -> Answer {
    answer(&ENGINE, &Question::parse(text).unwrap(), 3)
}

fn lead(a: &Answer) -> (&str, Match) {
    let Outcome::Found { best, .. } = &a.outcome else { panic!("expected an answer, got {a:?}") };
    (best.guide.code.as_str(), best.matched)
}

#[test]
fn a_code_with_its_own_wording_is_answered_by_the_code() {
    let a = ask(
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'f1d2'. Trace ID: 1",
    );
    assert_eq!(lead(&a), ("AADSTS7000215", Match::Code));
    assert_eq!(a.reason, None);
    assert_eq!(a.why(), None);
}

#[test]
fn an_old_number_with_another_entrys_wording_leads_with_that_entry_and_says_why() {
    let a = ask("AdalServiceException: AADSTS50012: Invalid client secret is provided.\r\nTrace ID: 9f1e");
    assert_eq!(lead(&a), ("AADSTS7000215", Match::Message));
    assert_eq!(a.reason, Some(Reason::OldWording { asked: errkb::kb::Code::aadsts("50012") }));
    assert_eq!(a.hits()[1].guide.code.as_str(), "AADSTS50012", "the number's own entry comes second");
    assert_eq!(a.hits()[1].matched, Match::Code);
    let why = a.why().unwrap();
    assert!(why.contains("AADSTS50012 with this wording is what Entra now reports as AADSTS7000215"), "{why}");
}

#[test]
fn the_same_old_number_with_its_own_wording_stays_with_its_own_entry() {
    let a = ask("AADSTS50012: Client assertion contains an invalid signature. [Reason - The key was not found.]");
    assert_eq!(lead(&a), ("AADSTS50012", Match::Code));
    assert_eq!(a.reason, None);
}

#[test]
fn a_current_code_printing_a_message_another_entry_shares_keeps_its_own_entry_first() {
    let a = ask(
        "AADSTS16000: User account 'a@b.com' from identity provider 'live.com' does not exist in tenant 'Contoso' and cannot access the application 'x' in that tenant.",
    );
    assert_eq!(lead(&a), ("AADSTS16000", Match::Code));
    assert_eq!(a.reason, None, "no legacy relation: the number is not an old one");
    assert_eq!((a.hits()[1].guide.code.as_str(), a.hits()[1].matched), ("AADSTS50020", Match::Message));
}

#[test]
fn a_number_the_kb_lacks_with_a_known_message_leads_with_the_message_and_keeps_the_official_lookup() {
    let a = ask("AADSTS7777777: Application with identifier 'abc' was not found in the directory 'contoso.com'.");
    assert_eq!(lead(&a), ("AADSTS700016", Match::Message));
    assert_eq!(a.reason, Some(Reason::NumberNotCovered { asked: errkb::kb::Code::aadsts("7777777") }));
    assert_eq!(a.lookup_url().as_deref(), Some("https://login.microsoftonline.com/error?code=7777777"));
    assert!(a.why().unwrap().contains("AADSTS7777777 itself is not covered"));
    let json = serde_json::to_value(AnswerJson::new(&a, "https://errkb.example")).unwrap();
    assert_eq!(json["answer"], "found");
    assert_eq!(json["results"][0]["matched"], "message");
}

#[test]
fn a_message_without_any_code_is_answered_by_its_entry() {
    let a = ask(
        "sign-in log failure reason: Application with identifier '7d3c' was not found in the directory 'Fabrikam'.",
    );
    assert_eq!(lead(&a), ("AADSTS700016", Match::Message));
    assert_eq!(a.reason, None);
    assert!(a.why().unwrap().contains("Entra's own message"));
}

#[test]
fn an_html_escaped_message_matches_with_its_entities_decoded() {
    let a =
        ask("Application with identifier &#39;&lt;GUID&gt;&#39; was not found in the directory &#x27;contoso&#x27;.");
    assert_eq!(lead(&a), ("AADSTS700016", Match::Message));
}

#[test]
fn a_message_cut_off_after_its_opening_words_matches() {
    let a = ask("Invalid client secret provided. Ensure the secret being sent in the requ");
    assert_eq!(lead(&a), ("AADSTS7000215", Match::Message));
}

#[test]
fn a_message_that_only_shares_an_opening_does_not_overrule_the_number() {
    let a = ask(
        "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'x'.",
    );
    let Outcome::NotFound { code, .. } = &a.outcome else {
        assert_ne!(lead(&a).0, "AADSTS50079", "a diverging message is weak evidence");
        return;
    };
    assert_eq!(code.as_ref().unwrap().as_str(), "AADSTS50076");
}

#[test]
fn of_several_codes_the_one_printed_with_a_message_is_the_error_and_the_rest_context() {
    let a = ask("AADSTS700016 first failure\nthen AADSTS7000215: Invalid client secret is provided.");
    assert_eq!(lead(&a), ("AADSTS7000215", Match::Code));
    assert_eq!(a.reason, None);
    assert!(a.hits().iter().any(|h| h.guide.code.as_str() == "AADSTS700016"), "the other code stays listed");
}

#[test]
fn when_each_code_carries_its_own_message_the_first_leads_as_before() {
    let a = ask(
        "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.\nAADSTS7000215: Invalid client secret is provided.",
    );
    assert_eq!(lead(&a), ("AADSTS700016", Match::Code));
}

/// The three ways a message leads an answer, as each surface shows them.
fn renderings(name: &str, query: &str) {
    let a = ask(query);
    let base = "https://errkb.example";
    let html = errkb::web::answer_html(&a, base);
    assert!(a.why().is_some() && html.contains("class=\"why\""), "the web answer says why: {html}");
    insta::assert_snapshot!(format!("{name}_web"), html);
    let slack = errkb::slack::blocks::answer(&a, &errkb::slack::blocks::Render::new(base));
    let broken = errkb::slack::limits::check(&slack.to_json(), errkb::slack::limits::Surface::Message);
    assert!(broken.is_empty(), "Slack limits: {broken:?}");
    insta::assert_json_snapshot!(format!("{name}_slack"), slack.to_json());
    let r = errkb::teams::card::Render { public_url: base, mode: errkb::teams::card::Mode::Bot, probe: false };
    insta::assert_json_snapshot!(format!("{name}_teams"), errkb::teams::card::answer_card(&a, &r));
}

#[test]
fn matched_by_message_renders_on_web_slack_and_teams() {
    renderings("matched_by_message", "Application with identifier '7d3c' was not found in the directory 'Fabrikam'.");
}

#[test]
fn old_wording_renders_on_web_slack_and_teams() {
    renderings("old_wording", "AADSTS50012: Invalid client secret is provided.");
}

#[test]
fn number_not_covered_renders_on_web_slack_and_teams_with_the_numbers_own_lookup() {
    renderings("number_not_covered", "AADSTS7777777: Invalid client secret is provided.");
    let a = ask("AADSTS7777777: Invalid client secret is provided.");
    let slack = errkb::slack::blocks::answer(&a, &errkb::slack::blocks::Render::new("https://errkb.example")).to_json();
    assert!(slack.to_string().contains("error?code=7777777"), "the number's own official lookup is offered");
}
