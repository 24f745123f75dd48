//! Query understanding over messy, real-shaped input: every code found, none invented.

use errkb::kb::Code;
use errkb::search::{Vocabulary, extract, normalise};
use proptest::prelude::*;

fn vocab() -> Vocabulary {
    let codes: Vec<Code> = [
        "AADSTS7000215",
        "AADSTS7000222",
        "AADSTS50011",
        "AADSTS65001",
        "AADSTS50076",
        "AADSTS50105",
        "AADSTS700054",
        "AADSTS53003",
        "AADSTS54005",
        "AADSTS70002",
        "AADSTS90014",
        "AADSTS50126",
        "AADSTS700016",
        "AADSTS50058",
        "ORA-12154",
        "0x80070005",
        "HTTP-429",
    ]
    .iter()
    .map(|c| Code::parse(c).unwrap())
    .collect();
    Vocabulary::new(&codes)
}

fn codes(text: &str) -> Vec<String> {
    extract(text, &vocab()).into_iter().map(|d| d.code.to_string()).collect()
}

const CASES: &[(&str, &[&str])] = &[
    // Bare and prefixed, any case and separator.
    ("7000215", &["AADSTS7000215"]),
    ("aadsts 7000215", &["AADSTS7000215"]),
    ("AADSTS7000215", &["AADSTS7000215"]),
    ("Aadsts-50011", &["AADSTS50011"]),
    ("AADSTS_65001 again", &["AADSTS65001"]),
    ("aadsts:50076", &["AADSTS50076"]),
    ("AADSTS 50011 when I sign in from localhost", &["AADSTS50011"]),
    ("50076", &["AADSTS50076"]),
    ("error 65001", &["AADSTS65001"]),
    ("#50105", &["AADSTS50105"]),
    ("code 700054 meaning", &["AADSTS700054"]),
    ("what does 53003 mean?", &["AADSTS53003"]),
    ("99999", &["AADSTS99999"]),
    ("AADSTS53005", &["AADSTS53005"]),
    // A prefix that is almost AADSTS, with 5 to 7 digits; full-width forms; HTML entities.
    ("ADSTS50058: A silent sign-in request was sent", &["AADSTS50058"]),
    ("AADST50011 redirect", &["AADSTS50011"]),
    ("AASTS7000215", &["AADSTS7000215"]),
    ("AAD STS 65001 consent", &["AADSTS65001"]),
    ("AADSTS-700016", &["AADSTS700016"]),
    ("\u{FF21}\u{FF21}\u{FF24}\u{FF33}\u{FF34}\u{FF33}\u{FF15}\u{FF10}\u{FF10}\u{FF11}\u{FF11}", &["AADSTS50011"]),
    ("error&#58; AADSTS50126&#x3A; bad password", &["AADSTS50126"]),
    ("ADS 1234 and BASTS 5001 are not codes", &[]),
    ("the PORTS50011 list", &[]),
    // Bare numbers outside a sign-in text are not codes.
    ("how do i set chcp 65001 so the console prints umlauts correctly", &[]),
    ("getting 50058 when logging in to teams on my phone again today", &["AADSTS50058"]),
    // JSON bodies, escaped once and twice.
    (
        r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#,
        &["AADSTS7000215"],
    ),
    (r#"{"error_codes":[7000222],"timestamp":"2025-01-01 12:00:00Z"}"#, &["AADSTS7000222"]),
    (r#"{"error":"invalid_grant","error_codes":[70002,54005]}"#, &["AADSTS70002", "AADSTS54005"]),
    (r#"log: "{\"error_description\":\"AADSTS50011: The redirect URI\\r\\nTrace ID: 8a7d\"}""#, &["AADSTS50011"]),
    (
        r#"msg="AADSTS65001: consent\r\nTrace ID: 0b9f2c8e-3f1d-4a52-9a7e-2a1c3b4d5e6f\r\nCorrelation ID: 5d0c7a60-1b2c-4d3e-8f9a-0b1c2d3e4f50""#,
        &["AADSTS65001"],
    ),
    (r#"\\\"error_codes\\\":[50126]"#, &["AADSTS50126"]),
    // URL-encoded redirects.
    (
        "https://app.example.com/cb?error=invalid_request&error_description=AADSTS50011%3a+The+redirect+URI+%27http%3a%2f%2flocalhost%3a3000%27",
        &["AADSTS50011"],
    ),
    ("error_description=AADSTS700054%253a%2bresponse_type", &["AADSTS700054"]),
    // Exceptions and CLI/tool output.
    (
        "Microsoft.Identity.Client.MsalServiceException: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID\n   at Microsoft.Identity.Client.Internal.Requests.RequestBase.HandleTokenRefreshErrorAsync()\nTrace ID: 1f0d2e3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        &["AADSTS7000215"],
    ),
    (
        "msal.exceptions: {'error': 'invalid_client', 'error_codes': [7000222], 'correlation_id': '2e6d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b'}",
        &["AADSTS7000222"],
    ),
    (
        "com.microsoft.aad.msal4j.MsalServiceException: AADSTS700016: Application with identifier 'b0c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e' was not found",
        &["AADSTS700016"],
    ),
    (
        "ERROR: AADSTS7000222: The provided client secret keys for app '1a2b3c4d-0000-4000-8000-123456789abc' are expired.",
        &["AADSTS7000222"],
    ),
    (
        "│ Error: building account: could not acquire access token: ClientSecretCredential authentication failed: AADSTS7000215",
        &["AADSTS7000215"],
    ),
    ("Connect-MgGraph : AADSTS53003: Access has been blocked by Conditional Access policies.", &["AADSTS53003"]),
    // Several codes, order kept.
    (
        "AADSTS70002: Error validating credentials. AADSTS54005: OAuth2 Authorization code was already redeemed",
        &["AADSTS70002", "AADSTS54005"],
    ),
    ("first AADSTS50058 then AADSTS50105", &["AADSTS50058", "AADSTS50105"]),
    // Other families the KB holds.
    ("ORA-12154: TNS:could not resolve the connect identifier specified", &["ORA-12154"]),
    ("ora 12154 again", &["ORA-12154"]),
    ("Access denied (0x80070005)", &["0x80070005"]),
    ("got HTTP 429 from graph", &["HTTP-429"]),
    // Never inside GUIDs, trace ids, timestamps, longer numbers, IPs, versions, ports.
    ("Trace ID: 50011aaa-bbbb-cccc-dddd-eeeeeeeeeeee", &[]),
    ("Correlation ID: 0b9f2c8e-3f1d-4a52-9a7e-2a1c3b450011", &[]),
    ("Timestamp: 2025-01-01 12:00:00Z", &[]),
    ("request 1650011 failed after 65001234 ms", &[]),
    ("listening on 10.0.50.11 port 50011", &[]),
    ("http://localhost:50011/signin-oidc", &[]),
    ("msal 1.50011.2 released", &[]),
    ("trace 7f3a50011bc9d2e4", &[]),
    ("build 2024.06.50011", &[]),
    // Bare numbers in long prose only count when known and cued.
    ("we have 65001 users and the sign in page shows a blank screen after a long wait with nothing", &[]),
    ("users report error 65001 when they open the reporting app from the portal after the weekend", &["AADSTS65001"]),
    ("", &[]),
    ("no code here, just words about a client secret that expired", &[]),
    // Unicode dashes, the official lookup URL, CSV exports of the sign-in log.
    ("AADSTS\u{2011}50011 from a Word document", &["AADSTS50011"]),
    ("see https://login.microsoftonline.com/error?code=65001 for details", &["AADSTS65001"]),
    ("\"2025-03-01T10:00:00Z\",\"Failure\",\"Sign-in error code\",\"50126\"", &["AADSTS50126"]),
    // Slack escapes and HTML entities.
    ("&lt;@U123&gt; AADSTS50011 &amp; more", &["AADSTS50011"]),
];

#[test]
fn every_messy_input_yields_exactly_its_codes() {
    let mut failures = Vec::new();
    for (input, expected) in CASES {
        let got = codes(input);
        if got != *expected {
            failures.push(format!("{input:?}\n   expected {expected:?}\n   got      {got:?}"));
        }
    }
    assert!(CASES.len() >= 40, "at least 40 messy inputs");
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn prefixed_codes_are_marked_and_bare_ones_are_not() {
    let found = extract("AADSTS50011 or maybe 65001", &vocab());
    assert!(found[0].prefixed);
    assert!(!found[1].prefixed);
}

#[test]
fn codes_on_debug_lines_are_marked_quiet() {
    let found = extract("DEBUG silent AADSTS50058\nERROR AADSTS50105 not assigned", &vocab());
    assert!(found[0].quiet);
    assert!(!found[1].quiet);
}

/// Maximal runs of digits, leading zeros stripped.
fn digit_runs(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .map(|r| r.trim_start_matches('0').to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn extraction_never_panics_on_any_text(text in "\\PC{0,300}") {
        let _ = extract(&text, &vocab());
    }

    #[test]
    fn every_code_returned_is_a_whole_number_of_the_input(
        text in "([a-zA-Z \\-_:#%\\[\\]\",.{}\\\\]{0,6}[0-9]{0,9}){0,12}"
    ) {
        let runs_raw = digit_runs(&text);
        let runs_decoded = digit_runs(&normalise(&text));
        for d in extract(&text, &vocab()) {
            if let Some(hex) = d.code.as_str().to_ascii_lowercase().strip_prefix("0x") {
                // A hex code (0x80070005) is its digits as written, in either case.
                let lower = text.to_ascii_lowercase();
                prop_assert!(lower.contains(&format!("0x{hex}")), "{} is not in {:?}", d.code, text);
                continue;
            }
            let number = d.code.as_str().trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-').to_string();
            prop_assert!(
                runs_raw.contains(&number) || runs_decoded.contains(&number),
                "{} is not a whole number of {:?}", d.code, text
            );
        }
    }
}
