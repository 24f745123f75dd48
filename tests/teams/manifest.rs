//! `errkb manifest teams`: the package holds exactly manifest.json, color.png (192×192) and
//! outline.png (32×32, transparent) at its root, read back by an independent zip reader (Python's
//! zipfile), and the manifest validates with npm @microsoft/app-manifest's bundled schema.

use std::path::PathBuf;
use std::process::Command;

use errkb::teams::manifest::png_info;
use serde_json::Value;

const APP_ID: &str = "5F0C2F2B-0C1D-4D55-9A36-6F0D0B7F2A11";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Python's zipfile lists the archive and extracts it into `into`.
const UNZIP: &str = "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n\
print(json.dumps(z.namelist()))\nz.extractall(sys.argv[2])";

#[test]
fn the_package_holds_the_manifest_and_both_icons_at_its_root_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("errkb-teams.zip");
    let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
        .args(["manifest", "teams", "--app-id", APP_ID, "--url", "https://bot.example.org/", "--out"])
        .arg(&zip)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = dir.path().join("files");
    let listed = Command::new("python3").args(["-c", UNZIP]).arg(&zip).arg(&files).output().unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let names: Vec<String> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(names, ["manifest.json", "color.png", "outline.png"]);
    assert_eq!(png_info(&std::fs::read(files.join("color.png")).unwrap()), Some((192, 192, false)));
    assert_eq!(png_info(&std::fs::read(files.join("outline.png")).unwrap()), Some((32, 32, true)));
    let manifest: Value = serde_json::from_slice(&std::fs::read(files.join("manifest.json")).unwrap()).unwrap();
    let id = APP_ID.to_ascii_lowercase();
    assert_eq!(manifest["id"], id.as_str());
    assert_eq!(manifest["bots"][0]["botId"], id.as_str());
    assert_eq!(manifest["composeExtensions"][0]["commands"][0]["id"], "searchKb");
    assert_eq!(manifest["validDomains"][0], "bot.example.org");
    assert_eq!(manifest["bots"][0]["scopes"], serde_json::json!(["personal", "team", "groupChat"]));
    validate(&files.join("manifest.json"));
    validate(&root().join("manifest/teams/manifest.json"));
}

#[test]
fn a_bad_app_id_or_url_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for (id, url) in [("not-a-guid", "https://x.example"), (APP_ID, "http://x.example")] {
        let out = Command::new(env!("CARGO_BIN_EXE_errkb"))
            .args(["manifest", "teams", "--app-id", id, "--url", url, "--out"])
            .arg(dir.path().join("x.zip"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(!dir.path().join("x.zip").exists());
    }
}

fn validate(manifest: &std::path::Path) {
    let ready = root().join("tests/teams/node_modules/@microsoft/app-manifest").is_dir();
    if !ready {
        assert!(std::env::var_os("ERRKB_REQUIRE_TEAMS_NODE").is_none(), "tests/teams/node_modules missing");
        eprintln!("skipped schema validation: npm ci --prefix tests/teams");
        return;
    }
    let out = Command::new("node").arg(root().join("tests/teams/manifest_check.js")).arg(manifest).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("valid against manifest schema v1.24"), "{stdout}");
}
