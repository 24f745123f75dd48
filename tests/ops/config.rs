//! Configuration that tells the truth, run through the built binary: `--check-config` names the
//! command line as the source of flag values; the Slack Socket Mode manifest needs no URL; a
//! loopback `ERRKB_PUBLIC_URL` with chat on is warned about; and whether the Teams bot is on is
//! decided once, so `--check-config`, the start-up log and the routes agree.

use crate::serve;

use errkb::config::{Config, Source};
use serve::{errkb, request};

fn config(pairs: &[(&str, &str)]) -> Config {
    let map: std::collections::BTreeMap<String, String> =
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_parts(None, move |name| map.get(name).cloned()).expect("valid test config")
}

fn check_config(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().expect("errkb runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The `NAME = value  (source)` line of `--check-config` for one setting.
fn line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or_else(|| panic!("no {name} in:\n{text}"))
}

#[test]
fn check_config_names_the_command_line_as_the_source_of_flag_values() {
    let dir = tempfile::tempdir().unwrap();
    let kb = env!("CARGO_MANIFEST_DIR").to_string() + "/kb";
    let text = check_config(
        errkb()
            .args(["serve", "--check-config", "--listen", "127.0.0.1:4321", "--kb", &kb, "--socket-mode"])
            .env("ERRKB_LISTEN", "127.0.0.1:9999")
            .env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("x.sqlite3").display())),
    );
    assert!(line(&text, "ERRKB_LISTEN").ends_with("= 127.0.0.1:4321  (command line)"), "{text}");
    assert!(line(&text, "ERRKB_KB_DIR").ends_with(&format!("= {kb}  (command line)")), "{text}");
    assert!(line(&text, "ERRKB_SLACK_SOCKET_MODE").ends_with("= true  (command line)"), "{text}");
    assert!(line(&text, "ERRKB_DATABASE_URL").ends_with("(environment)"), "{text}");
    assert!(line(&text, "ERRKB_HOT_RELOAD").ends_with("= true  (default)"), "{text}");
    assert!(line(&text, "ERRKB_QUERY_LOG_RETENTION_DAYS").ends_with("= 90  (default)"), "{text}");
    assert!(line(&text, "ERRKB_LOG_FORMAT").ends_with("= text  (default)"), "{text}");
    assert!(line(&text, "ERRKB_CONFIG").contains("(none"), "{text}");
}

#[test]
fn check_config_names_the_config_file_and_the_log_format_with_their_sources() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("errkb.toml");
    std::fs::write(&file, "public_url = \"https://kb.example.org\"\nquery_log_retention_days = 30\n").unwrap();
    let text = check_config(
        errkb().args(["serve", "--check-config"]).env("ERRKB_CONFIG", &file).env("ERRKB_LOG_FORMAT", "json"),
    );
    assert!(line(&text, "ERRKB_PUBLIC_URL").ends_with("= https://kb.example.org  (errkb.toml)"), "{text}");
    assert!(line(&text, "ERRKB_QUERY_LOG_RETENTION_DAYS").ends_with("= 30  (errkb.toml)"), "{text}");
    assert!(line(&text, "ERRKB_CONFIG").ends_with(&format!("= {}  (environment)", file.display())), "{text}");
    assert!(line(&text, "ERRKB_LOG_FORMAT").ends_with("= json  (environment)"), "{text}");
    let flagged =
        check_config(errkb().args(["--log-format", "json", "serve", "--check-config", "--config"]).arg(&file));
    assert!(line(&flagged, "ERRKB_CONFIG").ends_with("(command line)"), "{flagged}");
    assert!(line(&flagged, "ERRKB_LOG_FORMAT").ends_with("= json  (command line)"), "{flagged}");
}

#[test]
fn the_slack_socket_mode_manifest_needs_no_url() {
    let out = errkb().args(["manifest", "slack", "--socket-mode"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let manifest: serde_json::Value = serde_yaml_ng::from_str(&text).expect("YAML");
    errkb::slack::manifest::check_shape(&manifest).expect("Slack's manifest shape");
    assert_eq!(manifest["settings"]["socket_mode_enabled"], true);
    assert!(
        !text.contains("url:") && !text.contains("errkb.example"),
        "no request URL in a Socket Mode manifest:\n{text}"
    );
    assert_eq!(manifest["features"]["slash_commands"][0]["command"], "/aadsts");
    let without = errkb().args(["manifest", "slack"]).output().unwrap();
    assert_eq!(without.status.code(), Some(2), "HTTP mode still needs --url");
    assert!(String::from_utf8_lossy(&without.stderr).contains("--url"));
}

#[test]
fn a_loopback_public_url_is_warned_about_only_when_chat_is_on() {
    let quiet = config(&[]);
    assert!(quiet.warnings().is_empty(), "no chat, no warning: {:?}", quiet.warnings());
    let public = config(&[("TEAMS_WEBHOOK_SECRET", "c2VjcmV0"), ("ERRKB_PUBLIC_URL", "https://kb.example.org")]);
    assert!(public.warnings().is_empty(), "{:?}", public.warnings());
    let loopback = config(&[("SLACK_SIGNING_SECRET", "s"), ("SLACK_BOT_TOKEN", "xoxb-1")]);
    let warnings = loopback.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("http://localhost:3000") && warnings[0].contains("Set ERRKB_PUBLIC_URL"),
        "{warnings:?}"
    );
    assert!(loopback.describe().contains("# warnings\n- ERRKB_PUBLIC_URL is http://localhost:3000"));
}

#[test]
fn teams_without_a_tenant_is_off_in_check_config_the_start_up_log_and_the_routes() {
    let c = config(&[("MICROSOFT_APP_ID", "app"), ("MICROSOFT_APP_PASSWORD", "pw")]);
    let teams = c.integrations().into_iter().find(|i| i.name == "teams").unwrap();
    assert!(!teams.on && teams.why.contains("MICROSOFT_APP_TENANT_ID"), "{teams:?}");
    assert!(c.teams_bot().is_err());

    let dir = tempfile::tempdir().unwrap();
    let mut cmd = errkb();
    cmd.env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("db.sqlite3").display()))
        .env("ERRKB_HOT_RELOAD", "false")
        .env("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
        .env("MICROSOFT_APP_PASSWORD", "not-a-real-password")
        .env("TEAMS_WEBHOOK_SECRET", "c2VjcmV0LWtleS1mb3ItdGVzdHM=");
    let mut served = serve::serve(cmd, &[]);
    let line = served.integration("teams");
    assert_eq!(line["on"], false, "{line}");
    assert!(line["why"].as_str().unwrap().contains("MICROSOFT_APP_TENANT_ID"), "{line}");
    let (status, _) = request(served.port, "POST", "/api/messages", &[("Content-Type", "application/json")], "{}");
    assert_eq!(status, 404, "the route agrees: the bot is off");
    let (status, _) = request(served.port, "POST", "/teams/webhook", &[], "{}");
    assert_eq!(status, 401, "the outgoing webhook is on and wants its HMAC");
    let warned = served.lines("ERRKB_PUBLIC_URL is http://localhost:3000");
    assert_eq!(warned.len(), 1, "serve warns about the loopback public URL: {:#?}", served.log);
    assert_eq!(warned[0]["level"], "WARN");
    assert!(served.stop(), "serve stops on SIGTERM");
}

#[test]
fn teams_with_app_id_password_and_tenant_is_on_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = errkb();
    cmd.env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("db.sqlite3").display()))
        .env("ERRKB_HOT_RELOAD", "false")
        .env("ERRKB_PUBLIC_URL", "https://kb.example.org")
        .env("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
        .env("MICROSOFT_APP_PASSWORD", "not-a-real-password")
        .env("MICROSOFT_APP_TENANT_ID", "00000000-0000-0000-0000-000000000002")
        .env("ERRKB_TEAMS_OPENID_METADATA_URL", "http://127.0.0.1:9/metadata");
    let text =
        check_config(errkb().args(["serve", "--check-config"]).envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?)))));
    assert!(
        text.contains("teams          on   MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID"),
        "{text}"
    );
    assert!(!text.contains("# warnings"), "an https public URL needs no warning:\n{text}");
    let served = serve::serve(cmd, &[]);
    assert_eq!(served.integration("teams")["on"], true);
    let (status, _) = request(served.port, "POST", "/api/messages", &[("Content-Type", "application/json")], "{}");
    assert_eq!(status, 401, "the route is mounted and wants a Bot Connector token");
    assert!(served.lines("ERRKB_PUBLIC_URL is").is_empty());
}

#[test]
fn the_previous_token_key_alone_is_refused_with_the_setting_named() {
    let map = [("ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS", "prev-key-7f3a")];
    let err = Config::from_parts(None, |n| map.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())).unwrap_err();
    assert!(err.to_string().contains("ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS"), "{err}");
    assert!(!err.to_string().contains("prev-key-7f3a"), "{err}");
    let c = config(&[
        ("ERRKB_TOKEN_ENCRYPTION_KEY", "new-key-9c1d"),
        ("ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS", "prev-key-7f3a"),
    ]);
    assert_eq!(c.sources["ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS"], Source::Env);
    let text = c.describe();
    assert!(line(&text, "ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS").ends_with("= ****  (environment)"), "{text}");
    assert!(!text.contains("prev-key-7f3a") && !text.contains("new-key-9c1d"), "{text}");
}
