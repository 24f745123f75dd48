//! Tokens at rest: bot tokens from OAuth installs are sealed (XChaCha20-Poly1305, a random nonce
//! per value) with the 32-byte key from `ERRKB_TOKEN_ENCRYPTION_KEY` before they reach the
//! database, so a database dump or backup holds no usable token. Each sealed value is bound to
//! its row (`platform|team_id` is the associated data), so a value copied into another row does
//! not open. Owns the key format (32 bytes as base64 or hex) and the sealed format
//! (`sealed:v2:<base64url(nonce || ciphertext)>`); knows nothing of Slack or SQL.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

/// The setting the key comes from (named in errors, never its value).
pub const KEY_VARIABLE: &str = "ERRKB_TOKEN_ENCRYPTION_KEY";
const PREFIX: &str = "sealed:v2:";
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// Why a value could not be sealed or opened. Never carries the value or the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("no ERRKB_TOKEN_ENCRYPTION_KEY is configured: tokens are not stored without one")]
    NoKey,
    #[error(
        "ERRKB_TOKEN_ENCRYPTION_KEY must be 32 random bytes written as base64 or as 64 hex digits \
         (make one with `openssl rand -base64 32`)"
    )]
    BadKey,
    #[error(
        "a stored token could not be decrypted (another ERRKB_TOKEN_ENCRYPTION_KEY, or a value moved from another row?)"
    )]
    Unreadable,
    #[error("the system random generator failed")]
    Random,
}

/// The row a sealed value belongs to; bound as associated data (`platform|team_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    pub platform: &'a str,
    pub team_id: &'a str,
}

impl Row<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!("{}|{}", self.platform, self.team_id).into_bytes()
    }
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
    /// A sealer keyed by the configured key: exactly 32 bytes, as base64 (standard or URL-safe,
    /// padded or not) or as 64 hex digits. Anything else is [`SealError::BadKey`].
    pub fn new(key: &SecretString) -> Result<Sealer, SealError> {
        let bytes = parse_key(key.expose_secret().trim()).ok_or(SealError::BadKey)?;
        Ok(Sealer { cipher: XChaCha20Poly1305::new(Key::from_slice(bytes.as_slice())) })
    }

    /// Seals `plain` for `row`; only the same row opens it.
    pub fn seal(&self, plain: &SecretString, row: &Row<'_>) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        let aad = row.associated_data();
        let payload = Payload { msg: plain.expose_secret().as_bytes(), aad: &aad };
        let sealed = self.cipher.encrypt(XNonce::from_slice(&nonce), payload).map_err(|_| SealError::Unreadable)?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Opens a value sealed for `row`.
    pub fn open(&self, stored: &str, row: &Row<'_>) -> Result<SecretString, SealError> {
        let body = stored.strip_prefix(PREFIX).ok_or(SealError::Unreadable)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Unreadable)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SealError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let aad = row.associated_data();
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &aad })
                .map_err(|_| SealError::Unreadable)?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| SealError::Unreadable)?;
        Ok(SecretString::from(text))
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

    pub fn seal(&self, plain: &SecretString, row: &Row<'_>) -> Result<String, SealError> {
        self.current.seal(plain, row)
    }

    /// Opens a stored value of `row` and says which key did it.
    pub fn open(&self, stored: &str, row: &Row<'_>) -> Result<(SecretString, KeyUsed), SealError> {
        match self.current.open(stored, row) {
            Ok(plain) => Ok((plain, KeyUsed::Current)),
            Err(first) => match &self.previous {
                Some(previous) => previous.open(stored, row).map(|plain| (plain, KeyUsed::Previous)),
                None => Err(first),
            },
        }
    }
}

/// 32 bytes from 64 hex digits or from base64 (any of the four common alphabets and paddings).
fn parse_key(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let hex = (text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        Zeroizing::new(
            text.as_bytes()
                .chunks(2)
                .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("zz"), 16).unwrap_or(0))
                .collect::<Vec<u8>>(),
        )
    });
    let base64 = || {
        [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok().map(Zeroizing::new))
    };
    hex.or_else(base64).filter(|key| key.len() == KEY_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const T1: Row<'static> = Row { platform: "slack", team_id: "T1" };

    fn keyed(key: &str) -> Result<Sealer, SealError> {
        Sealer::new(&SecretString::from(key))
    }

    #[test]
    fn a_sealed_token_opens_with_the_same_key_and_row_only() {
        let token = SecretString::from("xoxb-123-secret");
        let sealer = keyed(KEY_HEX).unwrap();
        let stored = sealer.seal(&token, &T1).unwrap();
        assert!(stored.starts_with(PREFIX));
        assert!(!stored.contains("xoxb"));
        assert_eq!(sealer.open(&stored, &T1).unwrap().expose_secret(), "xoxb-123-secret");
        assert_ne!(sealer.seal(&token, &T1).unwrap(), stored, "a fresh nonce each time");
        let other_key = keyed(&KEY_HEX.replace("1f", "ff")).unwrap();
        assert_eq!(other_key.open(&stored, &T1).unwrap_err(), SealError::Unreadable);
        for row in [Row { platform: "slack", team_id: "T2" }, Row { platform: "teams", team_id: "T1" }] {
            assert_eq!(sealer.open(&stored, &row).unwrap_err(), SealError::Unreadable, "{row:?}");
        }
        assert_eq!(sealer.open("xoxb-plaintext", &T1).unwrap_err(), SealError::Unreadable);
        assert!(!format!("{sealer:?}").contains(KEY_HEX));
    }

    #[test]
    fn the_key_is_32_bytes_in_hex_or_any_base64_and_nothing_else() {
        let token = SecretString::from("xoxb-1");
        let sealed = keyed(KEY_HEX).unwrap().seal(&token, &T1).unwrap();
        let url_safe = URL_SAFE_NO_PAD.encode(STANDARD.decode(KEY_B64).unwrap());
        for same in [KEY_B64, KEY_B64.trim_end_matches('='), url_safe.as_str(), &KEY_HEX.to_uppercase()] {
            let opened = keyed(same).unwrap().open(&sealed, &T1).unwrap();
            assert_eq!(opened.expose_secret(), "xoxb-1", "{same}");
        }
        let short_b64 = STANDARD.encode([7u8; 16]);
        let long_b64 = STANDARD.encode([7u8; 33]);
        for bad in ["k", "", "a long passphrase is not a key at all!!", &KEY_HEX[2..], &short_b64, &long_b64] {
            assert_eq!(keyed(bad).unwrap_err(), SealError::BadKey, "{bad:?}");
        }
        assert!(SealError::BadKey.to_string().contains(KEY_VARIABLE));
    }

    #[test]
    fn a_keyring_opens_rows_of_the_previous_key_and_seals_with_the_current_one() {
        let token = SecretString::from("xoxb-rotate-me");
        let old = keyed(&"1".repeat(64)).unwrap();
        let new = keyed(&"2".repeat(64)).unwrap();
        let stored_old = old.seal(&token, &T1).unwrap();
        let ring = Keyring::new(new.clone(), Some(old.clone()));
        let (plain, used) = ring.open(&stored_old, &T1).unwrap();
        assert_eq!((plain.expose_secret(), used), ("xoxb-rotate-me", KeyUsed::Previous));
        let resealed = ring.seal(&plain, &T1).unwrap();
        assert_eq!(new.open(&resealed, &T1).unwrap().expose_secret(), "xoxb-rotate-me");
        assert_eq!(ring.open(&resealed, &T1).unwrap().1, KeyUsed::Current);
        assert!(old.open(&resealed, &T1).is_err(), "the old key cannot read new rows");
        assert!(Keyring::new(new, None).open(&stored_old, &T1).is_err());
    }
}
