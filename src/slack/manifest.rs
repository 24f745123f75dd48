//! The Slack app manifest (manifest/slack/manifest.yaml, compiled in) printed for a given public
//! URL, optionally switched to Socket Mode.
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
    fn a_url_that_is_not_http_is_refused() {
        for bad in ["kb.contoso.com", "ftp://kb.contoso.com", "https://kb.contoso.com/?x=1", ""] {
            assert!(render(bad, false).is_err(), "{bad}");
        }
    }
}
