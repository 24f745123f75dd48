//! The built `errkb` binary: `ask`, `ask --json`, `lint` and `index`, their output and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn errkb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(args)
        .current_dir(root())
        .env_remove("ERRKB_KB_DIR")
        .env_remove("ERRKB_INDEX_DIR")
        .env_remove("ERRKB_PUBLIC_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("errkb runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json(out: &Output) -> Value {
    let text = stdout(out);
    assert_eq!(text.trim().lines().count(), 1, "exactly one JSON object: {text}");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn ask_prints_the_guide_with_numbered_steps_and_exits_zero() {
    let out = errkb(&["ask", "AADSTS7000215"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("AADSTS7000215: "), "{text}");
    assert!(text.contains("\n   1. "), "numbered steps: {text}");
    assert!(text.contains("https://login.microsoftonline.com/error?code=7000215"));
    assert!(text.contains("Full guide: http://localhost:3000/guides/AADSTS7000215"));
    assert!(!text.contains("\x1b["), "no colour when NO_COLOR is set or stdout is not a TTY");
}

#[test]
fn ask_json_follows_the_contract_field_by_field() {
    let out =
        errkb(&["ask", "--json", "--limit", "2", "error_description=AADSTS50011%3a+redirect", "and", "AADSTS65001"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["query"], "error_description=AADSTS50011%3a+redirect and AADSTS65001");
    assert_eq!(v["detected_codes"], serde_json::json!(["AADSTS50011", "AADSTS65001"]));
    assert_eq!(v["lookup_url"], "https://login.microsoftonline.com/error?code=50011");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "--limit 2");
    let first = &results[0];
    assert_eq!(first["code"], "AADSTS50011");
    assert!(first["title"].as_str().unwrap().starts_with("AADSTS50011: "));
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert_eq!(first["matched"], "code");
    assert_eq!(first["url"], "http://localhost:3000/guides/AADSTS50011");
    assert_eq!(results[1]["code"], "AADSTS65001");
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["code", "title", "score", "matched", "url"] {
        assert!(keys.contains(&key), "result has {key}");
    }
}

#[test]
fn ask_json_for_free_text_matches_by_text() {
    let out = errkb(&["ask", "--json", "client secret expired"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["detected_codes"], serde_json::json!([]));
    assert_eq!(v["results"][0]["matched"], "text");
    assert_eq!(v["results"][0]["code"], "AADSTS7000222");
}

#[test]
fn ask_for_an_unknown_code_exits_one_with_lookup_and_did_you_mean() {
    let out = errkb(&["ask", "--json", "AADSTS53013"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["answer"], "not_found");
    assert_eq!(v["lookup_url"], "https://login.microsoftonline.com/error?code=53013");
    let suggested: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(suggested.contains(&"AADSTS53003"), "{suggested:?}");
}

#[test]
fn ask_reads_a_pasted_log_from_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["ask", "--json", "-"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let body = r#"{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired.\r\nTrace ID: 0b9f2c8e-3f1d-4a52-9a7e-2a1c3b4d5e6f","error_codes":[7000222]}"#;
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json(&out)["results"][0]["code"], "AADSTS7000222");
}

#[test]
fn ask_usage_errors_exit_two() {
    assert_eq!(errkb(&["ask"]).status.code(), Some(2), "no query");
    assert_eq!(errkb(&["ask", "--limit", "0", "x"]).status.code(), Some(2), "bad limit");
    assert_eq!(errkb(&["ask", "   "]).status.code(), Some(2), "blank query");
    let out = errkb(&["ask", "--kb", "/nonexistent/kb", "50011"]);
    assert_eq!(out.status.code(), Some(2), "missing KB");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/kb"));
}

#[test]
fn lint_of_the_shipped_kb_is_clean() {
    let out = errkb(&["lint", "kb"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("error["));
}

#[test]
fn lint_reports_broken_guides_as_path_line_findings_and_exits_one() {
    let out = errkb(&["lint", "tests/fixtures/kb-broken"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for expected in [
        "kb-broken/latin1.md:1: error[encoding]",
        "kb-broken/no-title-code.md:1: error[parse]",
        "kb-broken/nested/bad-yaml.md:3: error[parse]",
        "kb-broken/nested/dup.md:1: error[duplicate-code]",
        "kb-broken/no-steps.md:1: error[no-steps]",
        "kb-broken/links.md:8: error[not-https]",
        "kb-broken/links.md:9: error[bad-url]",
        "kb-broken/links.md:7: warning[old-docs-host]",
        "kb-broken/links.md:3: warning[mojibake]",
        "kb-broken/links.md:1: warning[no-causes]",
        "kb-broken/links.md:1: warning[no-references]",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("README.md"), "README files are not guides");
    assert!(
        !text.lines().any(|l| l.starts_with("tests/fixtures/kb-broken/GOOD-1.md")),
        "the good guide has no findings"
    );
}

#[test]
fn lint_json_counts_errors_and_warnings() {
    let out = errkb(&["lint", "--json", "tests/fixtures/kb-broken"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["errors"], 7);
    assert_eq!(v["warnings"], 6);
    assert_eq!(v["guides"], 3);
    assert_eq!(v["findings"][0]["severity"], "error");
}

#[test]
fn a_broken_guide_is_skipped_and_the_rest_still_answers() {
    let out = errkb(&["ask", "--json", "--kb", "tests/fixtures/kb-broken", "GOOD-1"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["results"][0]["code"], "GOOD-1");
    let out = errkb(&["ask", "--json", "--kb", "tests/fixtures/kb-broken", "the widget exploded"]);
    assert_eq!(json(&out)["results"][0]["code"], "GOOD-1");
}

#[test]
fn index_writes_a_directory_that_ask_can_open() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("idx");
    let out = errkb(&["index", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("indexed"));
    let out = errkb(&["ask", "--json", "--index", out_dir.to_str().unwrap(), "need admin approval"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert!(v["results"][0]["code"].as_str().unwrap().starts_with("AADSTS"));
    let again = errkb(&["index", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "refuses a non-empty directory");
}

#[test]
fn ask_finds_the_shipped_kb_beside_the_binary_from_another_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["ask", "--json", "50011"])
        .current_dir(elsewhere.path())
        .env_remove("ERRKB_KB_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn guides_of_other_error_families_answer_by_code_and_words() {
    for (query, code) in [
        ("ORA-12154", "ORA-12154"),
        ("ora 12154: TNS:could not resolve", "ORA-12154"),
        ("Error 0x80070005 when copying", "0x80070005"),
        ("got HTTP 429 from the API", "HTTP-429"),
        ("tnsnames entry missing", "ORA-12154"),
    ] {
        let out = errkb(&["ask", "--json", "--kb", "tests/fixtures/kb-families", query]);
        assert_eq!(out.status.code(), Some(0), "{query}");
        assert_eq!(json(&out)["results"][0]["code"], code, "{query}");
    }
    let out = errkb(&["ask", "--json", "--kb", "tests/fixtures/kb-families", "ORA-12154"]);
    assert_eq!(json(&out)["lookup_url"], serde_json::Value::Null, "only AADSTS codes have the Microsoft lookup");
}

#[test]
fn lint_into_a_pipe_closed_early_stops_quietly_without_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["lint", "tests/fixtures/kb-broken"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`: the reader is gone before anything is written
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}
