//! Tests of the configuration: precedence, validation, masking and the integration report.

use std::collections::BTreeMap;

use super::*;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

#[test]
fn defaults_need_no_file_and_no_environment() {
    let c = Config::default();
    assert_eq!(c.listen.port(), 3000);
    assert_eq!(c.public_url, DEFAULT_PUBLIC_URL);
    assert!(c.database_url.expose_secret().starts_with("sqlite:"));
    assert!(c.admin_token.is_none() && c.hot_reload && !c.probe.enabled);
    assert!(c.integrations().iter().all(|i| !i.on));
}

#[test]
fn environment_beats_file_which_beats_defaults() {
    let file = settings::parse_file(
        "listen = \"0.0.0.0:8080\"\npublic_url = \"https://kb.example\"\n[slack]\nclient_id = \"123.456\"\n",
    )
    .ok()
    .unwrap();
    let c = Config::from_parts(Some(&file), env_of(&[("ERRKB_LISTEN", "127.0.0.1:9999")])).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:9999");
    assert_eq!(c.public_url, "https://kb.example");
    assert_eq!(c.slack.client_id.as_deref(), Some("123.456"));
    assert_eq!(c.sources["ERRKB_LISTEN"], Source::Env);
    assert_eq!(c.sources["ERRKB_PUBLIC_URL"], Source::File);
    assert_eq!(c.sources["ERRKB_HOT_RELOAD"], Source::Default);
}

#[test]
fn unknown_file_keys_are_refused_by_name() {
    let err = settings::parse_file("lisen = \"x\"").err().unwrap().with_path(Path::new("errkb.toml"));
    assert!(err.to_string().contains("lisen"), "{err}");
}

#[test]
fn the_admin_token_never_appears_in_debug_describe_or_errors() {
    let token = "s3cr3t-admin-token-value-123";
    let env = env_of(&[
        ("ERRKB_ADMIN_TOKEN", token),
        ("SLACK_SIGNING_SECRET", token),
        ("ERRKB_DATABASE_URL", "postgres://errkb:s3cr3t-admin-token-value-123@db/errkb"),
    ]);
    let c = Config::from_parts(None, &env).unwrap();
    for text in [format!("{c:?}"), c.describe(), format!("{:?}", c.integrations())] {
        assert!(!text.contains(token), "secret leaked: {text}");
    }
    assert!(c.describe().contains("postgres://errkb:****@db/errkb"));
    let bad = Config::from_parts(None, env_of(&[("ERRKB_LISTEN", token)])).unwrap_err();
    assert!(bad.to_string().contains("ERRKB_LISTEN"));
    let bad_db = Config::from_parts(None, env_of(&[("ERRKB_DATABASE_URL", token)])).unwrap_err();
    assert!(!format!("{bad_db} {bad_db:?}").contains(token));
}

#[test]
fn check_config_says_which_integrations_are_on_and_why() {
    let env = env_of(&[("MICROSOFT_APP_ID", "app"), ("ERRKB_ADMIN_TOKEN", "0123456789abcdef0123")]);
    let c = Config::from_parts(None, env).unwrap();
    let text = c.describe();
    assert!(text.contains("teams          off  MICROSOFT_APP_PASSWORD is not set"), "{text}");
    assert!(text.contains("admin          on   ERRKB_ADMIN_TOKEN is set"), "{text}");
    assert!(text.contains("slack          off  SLACK_SIGNING_SECRET is not set"), "{text}");
}

#[test]
fn bad_values_name_the_setting() {
    let err = Config::from_parts(None, env_of(&[("ERRKB_HOT_RELOAD", "maybe")])).unwrap_err();
    assert!(err.to_string().contains("ERRKB_HOT_RELOAD"));
    let err = Config::from_parts(None, env_of(&[("ERRKB_DATABASE_URL", "mysql://x")])).unwrap_err();
    assert!(err.to_string().contains("ERRKB_DATABASE_URL"));
}

#[test]
fn the_probe_needs_an_https_public_url_and_a_loopback_authority_override() {
    let env = env_of;
    let plain = [("ERRKB_PROBE_ENABLED", "true"), ("ERRKB_PUBLIC_URL", "http://errkb.example.com")];
    assert!(Config::from_parts(None, env(&plain)).is_err());
    let tls = [("ERRKB_PROBE_ENABLED", "true"), ("ERRKB_PUBLIC_URL", "https://errkb.example.com")];
    let c = Config::from_parts(None, env(&tls)).unwrap();
    assert!(c.probe.enabled && c.probe.user_limit == 5 && c.probe.window.as_secs() == 600);
    let remote = [("ERRKB_PROBE_AUTHORITY_OVERRIDE", "https://login.evil.example")];
    assert!(Config::from_parts(None, env(&remote)).is_err());
    let local =
        [("ERRKB_PROBE_AUTHORITY_OVERRIDE", "http://127.0.0.1:9999"), ("ERRKB_PROBE_ALLOWED_USERS", "U1, slack:U2 ,")];
    let c = Config::from_parts(None, env(&local)).unwrap();
    assert_eq!(c.probe.allowed_users, ["U1", "slack:U2"]);
}
