//! manifest/slack/manifest.yaml agrees with the router: every request URL it names is served,
//! and its command, shortcut callback id, scopes and events are the ones the code handles.

use errkb::slack::manifest::{PLACEHOLDER, check_shape, render};
use errkb::slack::{BOT_SCOPES, COMMAND, EXPLAIN_ERROR};
use serde_json::Value;

use super::harness::start;

fn manifest() -> Value {
    serde_yaml_ng::from_str(&render(PLACEHOLDER, false).unwrap()).unwrap()
}

fn urls(m: &Value) -> Vec<String> {
    let mut out = vec![
        m["features"]["slash_commands"][0]["url"].as_str().unwrap().to_string(),
        m["settings"]["event_subscriptions"]["request_url"].as_str().unwrap().to_string(),
        m["settings"]["interactivity"]["request_url"].as_str().unwrap().to_string(),
    ];
    out.extend(m["oauth_config"]["redirect_urls"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_string()));
    out
}

#[test]
fn the_manifest_has_slacks_shape_and_names_what_the_code_handles() {
    let m = manifest();
    check_shape(&m).unwrap();
    assert_eq!(m["features"]["slash_commands"][0]["command"], COMMAND);
    assert!(m["features"]["slash_commands"][0]["usage_hint"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(m["features"]["shortcuts"][0]["callback_id"], EXPLAIN_ERROR);
    assert_eq!(m["features"]["shortcuts"][0]["type"], "message");
    let scopes: Vec<&str> =
        m["oauth_config"]["scopes"]["bot"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(scopes.join(","), BOT_SCOPES);
    let events: Vec<&str> = m["settings"]["event_subscriptions"]["bot_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(events, ["app_home_opened", "app_mention", "app_uninstalled", "message.im", "tokens_revoked"]);
    assert_eq!(m["settings"]["interactivity"]["is_enabled"], true);
    assert_eq!(m["features"]["app_home"]["home_tab_enabled"], true);
}

#[tokio::test]
async fn every_url_in_the_manifest_is_a_route_of_the_router() {
    let bench = start().await;
    let m = manifest();
    let urls = urls(&m);
    assert_eq!(urls.len(), 4);
    for url in urls {
        let path = url.strip_prefix(PLACEHOLDER).unwrap_or_else(|| panic!("{url} is under the public URL"));
        let response = if path.ends_with("/callback") {
            bench.client.get(bench.url(path)).send().await.unwrap()
        } else {
            bench.client.post(bench.url(path)).body("x=1").send().await.unwrap()
        };
        let expected = if path.ends_with("/callback") { 400 } else { 401 };
        assert_eq!(response.status(), expected, "{path}");
    }
    let install = bench.client.get(bench.url("/slack/install")).send().await.unwrap();
    assert!(install.status().is_redirection());
}
