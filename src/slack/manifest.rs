//! The Slack app manifest (manifest/slack/manifest.yaml, compiled in) printed for a given public
//! URL, optionally switched to Socket Mode, optionally with automatic answers' events and scopes.
//!
//! Owns the manifest text and the placeholder it is written with. Knows nothing of the routes
//! themselves; a test checks the two agree.

/// The manifest as shipped, with [`PLACEHOLDER`] as the public URL.
pub const TEMPLATE: &str = include_str!("../../manifest/slack/manifest.yaml");
/// The public URL the shipped manifest is written with.
pub const PLACEHOLDER: &str = "https://errkb.example.com";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("{0:?} is not an http(s) URL such as https://errkb.example.org")]
    BadUrl(String),
}

/// The manifest for `public_url` (scheme and host, optionally a path prefix).
pub fn render(public_url: &str, socket_mode: bool) -> Result<String, ManifestError> {
    let base = public_url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(base).map_err(|_| ManifestError::BadUrl(public_url.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() || parsed.query().is_some() {
        return Err(ManifestError::BadUrl(public_url.to_string()));
    }
    let text = TEMPLATE.replace(PLACEHOLDER, base);
    Ok(if socket_mode { text.replace("socket_mode_enabled: false", "socket_mode_enabled: true") } else { text })
}

/// The manifest for Socket Mode without a public URL: no request URLs and no OAuth redirect
/// (Slack reaches errkb over the WebSocket errkb opens; the app is installed from its settings).
pub fn render_socket_mode() -> String {
    let kept: Vec<&str> = TEMPLATE
        .lines()
        .filter(|line| !line.contains(PLACEHOLDER) && line.trim() != "redirect_urls:")
        .map(|line| if line.trim() == "socket_mode_enabled: false" { "  socket_mode_enabled: true" } else { line })
        .collect();
    kept.join("\n") + "\n"
}

/// The same manifest with what automatic answers need (`--auto-answer`): the `message.channels`
/// and `message.groups` events and the `channels:history` / `groups:history` scopes. Reading a
/// channel's every message is something a workspace admin should approve knowingly, so it is
/// never in the default manifest.
pub fn with_auto_answer(manifest: &str) -> String {
    let scopes: String = super::AUTO_ANSWER_SCOPES.split(',').map(|s| format!("      - {s}\n")).collect();
    let events: String = super::AUTO_ANSWER_EVENTS.iter().map(|e| format!("      - {e}\n")).collect();
    manifest.replacen("    bot:\n", &format!("    bot:\n{scopes}"), 1).replacen(
        "      - message.im\n",
        &format!("{events}      - message.im\n"),
        1,
    )
}

/// Checks a manifest (as JSON) against slack-morphism's typed `SlackAppManifest`.
pub fn check_shape(manifest: &serde_json::Value) -> Result<(), String> {
    serde_json::from_value::<slack_morphism::SlackAppManifest>(manifest.clone()).map(drop).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_is_printed_for_the_given_url() {
        let text = render("https://kb.contoso.com/", false).unwrap();
        assert!(text.contains("url: https://kb.contoso.com/slack/commands"));
        assert!(!text.contains(PLACEHOLDER));
        assert!(render("https://kb.contoso.com", true).unwrap().contains("socket_mode_enabled: true"));
    }

    #[test]
    fn the_socket_mode_manifest_needs_no_url() {
        let text = render_socket_mode();
        assert!(text.contains("socket_mode_enabled: true"), "{text}");
        assert!(!text.contains("url:") && !text.contains("request_url") && !text.contains("redirect_urls"), "{text}");
        let json: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
        check_shape(&json).unwrap();
    }

    #[test]
    fn auto_answer_adds_the_channel_message_events_and_history_scopes() {
        let text = with_auto_answer(&render("https://kb.contoso.com", false).unwrap());
        let json: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
        check_shape(&json).unwrap();
        let bot = json["oauth_config"]["scopes"]["bot"].to_string();
        let events = json["settings"]["event_subscriptions"]["bot_events"].to_string();
        for needed in ["channels:history", "groups:history"] {
            assert!(bot.contains(needed), "{bot}");
        }
        for needed in ["message.channels", "message.groups", "message.im", "app_mention"] {
            assert!(events.contains(needed), "{events}");
        }
        assert!(!render("https://kb.contoso.com", false).unwrap().contains("message.channels"));
    }

    #[test]
    fn a_url_that_is_not_http_is_refused() {
        for bad in ["kb.contoso.com", "ftp://kb.contoso.com", "https://kb.contoso.com/?x=1", ""] {
            assert!(render(bad, false).is_err(), "{bad}");
        }
    }
}
