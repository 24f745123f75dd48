//! `errkb manifest teams --auto-answer`: the package asks for resource-specific consent to read
//! channel messages (`ChannelMessage.Read.Group`, with the `webApplicationInfo` RSC needs) and
//! validates with npm @microsoft/app-manifest; without the flag there is no such permission.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const APP_ID: &str = "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The manifest.json inside the package `errkb manifest teams` writes with `extra` flags.
fn manifest(dir: &Path, extra: &[&str]) -> (PathBuf, Value) {
    let zip = dir.join(format!("errkb-{}.zip", extra.len()));
    let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["manifest", "teams", "--app-id", APP_ID, "--url", "https://bot.example.org", "--out"])
        .arg(&zip)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = dir.join(format!("files-{}", extra.len()));
    let unzip = "import sys,zipfile\nzipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])";
    assert!(Command::new("python3").args(["-c", unzip]).arg(&zip).arg(&files).status().unwrap().success());
    let path = files.join("manifest.json");
    let json = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, json)
}

#[test]
fn the_auto_answer_package_asks_for_channel_message_consent_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let (plain_path, plain) = manifest(dir.path(), &[]);
    assert!(plain.get("authorization").is_none() && plain.get("webApplicationInfo").is_none(), "only when asked");
    let (path, rsc) = manifest(dir.path(), &["--auto-answer"]);
    let permissions = &rsc["authorization"]["permissions"]["resourceSpecific"];
    assert_eq!(permissions, &serde_json::json!([{"name": "ChannelMessage.Read.Group", "type": "Application"}]));
    assert_eq!(rsc["webApplicationInfo"]["id"], APP_ID);
    assert!(rsc["webApplicationInfo"]["resource"].as_str().is_some_and(|r| !r.is_empty()));
    let ready = root().join("tests/teams/node_modules/@microsoft/app-manifest").is_dir();
    if !ready {
        assert!(std::env::var_os("ERRKB_REQUIRE_TEAMS_NODE").is_none(), "tests/teams/node_modules missing");
        return eprintln!("skipped schema validation: npm ci --prefix tests/teams");
    }
    for manifest in [&plain_path, &path] {
        let out =
            Command::new("node").arg(root().join("tests/teams/manifest_check.js")).arg(manifest).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("valid against manifest schema v1.24"), "{stdout}");
    }
}
