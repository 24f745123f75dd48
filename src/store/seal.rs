//! Tokens at rest: bot tokens from OAuth installs are sealed (XChaCha20-Poly1305, a random nonce
//! per value) with a key from `ERRKB_TOKEN_ENCRYPTION_KEY` before they reach the database, so a
//! database dump or backup holds no usable token. Owns the sealed format
//! (`sealed:v1:<base64url(nonce || ciphertext)>`) and key rotation ([`Keyring`]: the current key
//! seals, the previous one still opens); knows nothing of Slack or SQL.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

/// Why a value could not be sealed or opened. Never carries the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("no ERRKB_TOKEN_ENCRYPTION_KEY is configured: tokens are not stored without one")]
    NoKey,
    #[error("a stored token could not be decrypted (another ERRKB_TOKEN_ENCRYPTION_KEY?)")]
    Unreadable,
    #[error("the system random generator failed")]
    Random,
}

/// The sealing key. `Debug` never shows it.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

impl Sealer {
    /// A sealer keyed by SHA-256 of the configured key material.
    pub fn new(key: &SecretString) -> Sealer {
        let digest = Sha256::digest(key.expose_secret().as_bytes());
        Sealer { cipher: XChaCha20Poly1305::new(&digest) }
    }

    pub fn seal(&self, plain: &SecretString) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.expose_secret().as_bytes())
            .map_err(|_| SealError::Unreadable)?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn open(&self, stored: &str) -> Result<SecretString, SealError> {
        let body = stored.strip_prefix(PREFIX).ok_or(SealError::Unreadable)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Unreadable)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SealError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), sealed).map_err(|_| SealError::Unreadable)?;
        String::from_utf8(plain).map(SecretString::from).map_err(|_| SealError::Unreadable)
    }
}

/// Which key opened a stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsed {
    Current,
    /// `ERRKB_TOKEN_ENCRYPTION_KEY_PREVIOUS`: the value should be sealed again with the current key.
    Previous,
}

/// The current sealing key and, during a rotation, the previous one. Seals with the current key
/// only; opens with the current key, then the previous. `Debug` never shows a key.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: Sealer,
    previous: Option<Sealer>,
}

impl Keyring {
    pub fn new(current: Sealer, previous: Option<Sealer>) -> Keyring {
        Keyring { current, previous }
    }

    /// True while a previous key is configured (a rotation is under way).
    pub fn rotating(&self) -> bool {
        self.previous.is_some()
    }

    pub fn seal(&self, plain: &SecretString) -> Result<String, SealError> {
        self.current.seal(plain)
    }

    /// Opens a stored value and says which key did it.
    pub fn open(&self, stored: &str) -> Result<(SecretString, KeyUsed), SealError> {
        match self.current.open(stored) {
            Ok(plain) => Ok((plain, KeyUsed::Current)),
            Err(first) => match &self.previous {
                Some(previous) => previous.open(stored).map(|plain| (plain, KeyUsed::Previous)),
                None => Err(first),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_with_the_same_key_only() {
        let token = SecretString::from("xoxb-123-secret");
        let sealer = Sealer::new(&SecretString::from("k1"));
        let stored = sealer.seal(&token).unwrap();
        assert!(stored.starts_with(PREFIX));
        assert!(!stored.contains("xoxb"));
        assert_eq!(sealer.open(&stored).unwrap().expose_secret(), "xoxb-123-secret");
        assert_ne!(sealer.seal(&token).unwrap(), stored, "a fresh nonce each time");
        let other = Sealer::new(&SecretString::from("k2"));
        assert_eq!(other.open(&stored).unwrap_err(), SealError::Unreadable);
        assert_eq!(sealer.open("xoxb-plaintext").unwrap_err(), SealError::Unreadable);
        assert!(!format!("{sealer:?}").contains("k1"));
    }

    #[test]
    fn a_keyring_opens_rows_of_the_previous_key_and_seals_with_the_current_one() {
        let token = SecretString::from("xoxb-rotate-me");
        let old = Sealer::new(&SecretString::from("old-key"));
        let new = Sealer::new(&SecretString::from("new-key"));
        let stored_old = old.seal(&token).unwrap();
        let ring = Keyring::new(new.clone(), Some(old.clone()));
        let (plain, used) = ring.open(&stored_old).unwrap();
        assert_eq!((plain.expose_secret(), used), ("xoxb-rotate-me", KeyUsed::Previous));
        let resealed = ring.seal(&plain).unwrap();
        assert_eq!(new.open(&resealed).unwrap().expose_secret(), "xoxb-rotate-me");
        assert_eq!(ring.open(&resealed).unwrap().1, KeyUsed::Current);
        assert_eq!(old.open(&resealed).unwrap_err(), SealError::Unreadable, "the old key cannot read new rows");
        let without_previous = Keyring::new(new, None);
        assert_eq!(without_previous.open(&stored_old).unwrap_err(), SealError::Unreadable);
    }
}
