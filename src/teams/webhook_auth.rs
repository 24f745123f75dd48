//! The outgoing-webhook HMAC check (lite mode): `Authorization: HMAC <base64>` where the value is
//! HMAC-SHA256 over the raw request body, keyed with the base64-decoded `TEAMS_WEBHOOK_SECRET`.
//!
//! Owns the header parsing and the constant-time comparison. Knows nothing of HTTP frameworks or
//! activities; the secret never appears in an error or in `Debug` output.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::Sha256;

/// Why a request was refused. Deliberately without detail about the expected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HmacError {
    #[error("the webhook secret is not valid base64")]
    BadSecret,
    #[error("no Authorization header")]
    Missing,
    #[error("the Authorization header does not use the HMAC scheme")]
    WrongScheme,
    #[error("the signature does not match")]
    Mismatch,
}

/// The decoded webhook key.
pub struct WebhookKey(SecretSlice<u8>);

impl std::fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookKey([redacted])")
    }
}

impl WebhookKey {
    /// Decodes the base64 security token Teams shows when the webhook is created.
    pub fn from_secret(secret: &SecretString) -> Result<WebhookKey, HmacError> {
        let bytes = STANDARD.decode(secret.expose_secret().trim()).map_err(|_| HmacError::BadSecret)?;
        if bytes.is_empty() {
            return Err(HmacError::BadSecret);
        }
        Ok(WebhookKey(SecretSlice::from(bytes)))
    }

    /// Checks an `Authorization` header value against the raw body, in constant time.
    pub fn verify(&self, authorization: Option<&str>, body: &[u8]) -> Result<(), HmacError> {
        let header = authorization.ok_or(HmacError::Missing)?.trim();
        let (scheme, value) = header.split_once(' ').ok_or(HmacError::WrongScheme)?;
        if !scheme.eq_ignore_ascii_case("HMAC") {
            return Err(HmacError::WrongScheme);
        }
        let given = STANDARD.decode(value.trim()).map_err(|_| HmacError::Mismatch)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret()).map_err(|_| HmacError::BadSecret)?;
        mac.update(body);
        mac.verify_slice(&given).map_err(|_| HmacError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_redacted_in_debug_output() {
        let key = WebhookKey::from_secret(&SecretString::from("c2VjcmV0LWtleQ==")).unwrap();
        assert_eq!(format!("{key:?}"), "WebhookKey([redacted])");
    }

    #[test]
    fn a_secret_that_is_not_base64_is_refused() {
        assert_eq!(WebhookKey::from_secret(&SecretString::from("not base64!")).unwrap_err(), HmacError::BadSecret);
    }
}
