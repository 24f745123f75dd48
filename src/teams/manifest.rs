//! The Teams app package: `manifest/teams/manifest.json` (schema 1.24) filled in with the bot's
//! app id and errkb's public URL, and zipped with `color.png` (192×192) and `outline.png` (32×32,
//! transparent), the three files at the zip root as Teams requires.
//!
//! Owns the package layout and a minimal stored (uncompressed) zip writer, reproducible byte for
//! byte. Knows nothing of the CLI or the bot's runtime.

use serde_json::{Value, json};

pub const TEMPLATE: &str = include_str!("../../manifest/teams/manifest.json");
pub const COLOR_PNG: &[u8] = include_bytes!("../../manifest/teams/color.png");
pub const OUTLINE_PNG: &[u8] = include_bytes!("../../manifest/teams/outline.png");

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("the app id must be the bot's Microsoft App ID, a GUID such as 5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11")]
    AppId,
    #[error("the URL must be errkb's public https URL, such as https://errkb.example.com")]
    Url,
    #[error("the bundled manifest template is not valid JSON")]
    Template,
}

/// The manifest for this bot and public URL.
pub fn manifest(app_id: &str, url: &str) -> Result<Value, ManifestError> {
    let app_id = app_id.trim().to_ascii_lowercase();
    if !crate::probe::tenant::is_guid(&app_id) {
        return Err(ManifestError::AppId);
    }
    let parsed = url::Url::parse(url.trim()).map_err(|_| ManifestError::Url)?;
    let host = parsed.host_str().filter(|_| parsed.scheme() == "https").ok_or(ManifestError::Url)?.to_string();
    let base = parsed.as_str().trim_end_matches('/').to_string();
    let mut m: Value = serde_json::from_str(TEMPLATE).map_err(|_| ManifestError::Template)?;
    m["id"] = json!(app_id);
    m["bots"][0]["botId"] = json!(app_id);
    m["composeExtensions"][0]["botId"] = json!(app_id);
    m["developer"]["websiteUrl"] = json!(base);
    m["developer"]["privacyUrl"] = json!(format!("{base}/"));
    m["developer"]["termsOfUseUrl"] = json!(format!("{base}/"));
    m["validDomains"] = json!([host]);
    Ok(m)
}

/// The resource-specific consent automatic answers need: the bot receives every message of the
/// channels of a team whose owner consents (`ChannelMessage.Read.Group`), without a mention.
/// `webApplicationInfo` names the bot's Entra app, as RSC requires.
pub const RSC_CHANNEL_MESSAGES: &str = "ChannelMessage.Read.Group";

/// `m` with the RSC permission for automatic answers.
pub fn with_auto_answer(mut m: Value) -> Value {
    let app_id = m["id"].clone();
    let host = m["validDomains"][0].as_str().unwrap_or("errkb.example.com").to_string();
    m["webApplicationInfo"] = json!({"id": app_id, "resource": format!("https://{host}/rsc")});
    m["authorization"] =
        json!({"permissions": {"resourceSpecific": [{"name": RSC_CHANNEL_MESSAGES, "type": "Application"}]}});
    m
}

/// The app package: a zip with `manifest.json`, `color.png` and `outline.png` at its root.
pub fn package(app_id: &str, url: &str) -> Result<Vec<u8>, ManifestError> {
    package_with(app_id, url, false)
}

/// [`package`], with the RSC permission for automatic answers when `auto_answer` is set.
pub fn package_with(app_id: &str, url: &str, auto_answer: bool) -> Result<Vec<u8>, ManifestError> {
    let m = manifest(app_id, url)?;
    let m = if auto_answer { with_auto_answer(m) } else { m };
    let manifest = serde_json::to_vec_pretty(&m).map_err(|_| ManifestError::Template)?;
    Ok(stored_zip(&[("manifest.json", &manifest), ("color.png", COLOR_PNG), ("outline.png", OUTLINE_PNG)]))
}

/// Width and height from a PNG's IHDR chunk, and whether it has an alpha channel.
pub fn png_info(bytes: &[u8]) -> Option<(u32, u32, bool)> {
    if bytes.len() < 26 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((be(16), be(20), matches!(bytes[25], 4 | 6)))
}

/// A zip archive with each file stored uncompressed, dated 1980-01-01 (reproducible).
pub fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let common = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&[0, 0]); // extra length
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0]); // made by
        common(&mut central);
        central.extend_from_slice(&[0; 8]); // comment length, disk, internal and external attributes
        central.extend_from_slice(&[0; 2]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn the_app_id_must_be_a_guid_and_the_url_https() {
        assert_eq!(manifest("bot", "https://x.example").unwrap_err(), ManifestError::AppId);
        let id = "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11";
        assert_eq!(manifest(id, "http://x.example").unwrap_err(), ManifestError::Url);
        assert_eq!(manifest(id, "https://x.example/").unwrap()["validDomains"], json!(["x.example"]));
    }
}
