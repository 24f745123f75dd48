//! Certificate credentials: reading a PEM certificate and private key, or a PKCS#12 file,
//! checking them locally (RSA key, key matches certificate, validity window) and signing the
//! client assertion JWT Entra expects: RS256 with `x5t` (SHA-1 thumbprint) and `x5t#S256`
//! headers, the token URL as audience, the client id as issuer and subject, a random `jti`
//! and a 5-minute lifetime.
//!
//! The only module that knows x509-parser, p12-keystore and ring. Key bytes stay in a
//! [`SecretSlice`] (zeroized on drop); `Debug` shows only the certificate's public facts.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, X509Certificate};

/// How long a client assertion is valid.
pub const ASSERTION_LIFETIME_SECS: i64 = 300;

/// A certificate credential that parsed, with its private key.
pub struct Certificate {
    der: Vec<u8>,
    key: PrivateKey,
    pub subject: String,
    /// SHA-1 thumbprint, upper-case hex (as the portal shows it).
    pub thumbprint: String,
    pub not_before: i64,
    pub not_after: i64,
    /// The validity bounds as the certificate states them (for messages).
    not_before_text: String,
    not_after_text: String,
}

enum PrivateKey {
    Pkcs8(SecretSlice<u8>),
    Pkcs1(SecretSlice<u8>),
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("thumbprint", &self.thumbprint)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// Why a certificate credential cannot be used. Never includes key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("no certificate found: paste the PEM block that starts with -----BEGIN CERTIFICATE-----")]
    NoCertificate,
    #[error("the certificate cannot be read: {0}")]
    Unreadable(String),
    #[error(
        "no private key found: Entra needs the certificate's private key to sign the assertion \
         (a .cer file has none; use the PEM key or a .pfx)"
    )]
    NoPrivateKey,
    #[error("the private key is encrypted: decrypt it first (openssl pkey -in key.pem -out plain.pem) or use a .pfx")]
    EncryptedKey,
    #[error("the private key is not an RSA key: Entra certificate credentials use RSA")]
    NotRsa,
    #[error("the private key does not belong to this certificate")]
    KeyMismatch,
    #[error("the .pfx file cannot be opened: wrong password, or not a PKCS#12 file")]
    Pkcs12,
    #[error(
        "the .pfx file is larger than {} KiB: a certificate with its key takes a few KiB, so export only the \
         app's certificate and its private key",
        super::pfx::MAX_BYTES / 1024
    )]
    Pkcs12TooLarge,
    #[error(
        "the .pfx file's password protection asks for more work than errkb does for an upload (over {} \
         iterations, or over {} MiB of scrypt memory): export it again with the usual settings \
         (for example `openssl pkcs12 -export`), or paste the PEM certificate and key instead",
        super::pfx::MAX_ITERATIONS,
        super::pfx::MAX_SCRYPT_BYTES / (1024 * 1024)
    )]
    Pkcs12TooCostly,
    #[error("the certificate expired on {0}: upload a new certificate to the app registration")]
    Expired(String),
    #[error("the certificate is not valid before {0}: check the clock, or wait")]
    NotYetValid(String),
}

impl CertError {
    pub fn code(&self) -> &'static str {
        match self {
            CertError::NoCertificate | CertError::Unreadable(_) => "cert_unreadable",
            CertError::NoPrivateKey => "cert_no_private_key",
            CertError::EncryptedKey => "cert_key_encrypted",
            CertError::NotRsa => "cert_not_rsa",
            CertError::KeyMismatch => "cert_key_mismatch",
            CertError::Pkcs12 => "cert_pkcs12",
            CertError::Pkcs12TooLarge => "cert_pkcs12_too_large",
            CertError::Pkcs12TooCostly => "cert_pkcs12_too_costly",
            CertError::Expired(_) => "cert_expired",
            CertError::NotYetValid(_) => "cert_not_yet_valid",
        }
    }
}

impl Certificate {
    /// The first certificate in `cert` and the private key from `key` (or from `cert` when the
    /// key is in the same text).
    pub fn from_pem(cert: &str, key: Option<&SecretString>) -> Result<Certificate, CertError> {
        let mut der = None;
        let mut found_key = None;
        let key_text = key.map(|k| k.expose_secret().as_bytes()).unwrap_or_default();
        for text in [cert.as_bytes(), key_text] {
            for pem in Pem::iter_from_buffer(text) {
                let pem = pem.map_err(|e| CertError::Unreadable(e.to_string()))?;
                match pem.label.as_str() {
                    "CERTIFICATE" if der.is_none() => der = Some(pem.contents),
                    "PRIVATE KEY" => found_key = Some(PrivateKey::Pkcs8(pem.contents.into())),
                    "RSA PRIVATE KEY" => found_key = Some(PrivateKey::Pkcs1(pem.contents.into())),
                    "ENCRYPTED PRIVATE KEY" => return Err(CertError::EncryptedKey),
                    "EC PRIVATE KEY" => return Err(CertError::NotRsa),
                    _ => {}
                }
            }
        }
        let der = der.ok_or(CertError::NoCertificate)?;
        Certificate::new(der, found_key.ok_or(CertError::NoPrivateKey)?)
    }

    /// The key and its certificate from a PKCS#12 file, once its size and the cost of its key
    /// derivations are known to be within [`super::pfx`]'s caps.
    pub fn from_pkcs12(data: &[u8], password: &SecretString) -> Result<Certificate, CertError> {
        use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
        super::pfx::check(data).map_err(|refused| match refused {
            super::pfx::Refused::TooLarge => CertError::Pkcs12TooLarge,
            super::pfx::Refused::TooCostly => CertError::Pkcs12TooCostly,
            super::pfx::Refused::Unreadable => CertError::Pkcs12,
        })?;
        let store = KeyStore::from_pkcs12(data, password.expose_secret(), Pkcs12ImportPolicy::Relaxed)
            .map_err(|_| CertError::Pkcs12)?;
        let chain = store.entries().find_map(|(_, e)| match e {
            KeyStoreEntry::PrivateKeyChain(chain) => Some(chain),
            _ => None,
        });
        let Some(chain) = chain else {
            return Err(if !store.entries().is_empty() { CertError::NoPrivateKey } else { CertError::NoCertificate });
        };
        let key = PrivateKey::Pkcs8(chain.key().as_der().to_vec().into());
        let pair = key.pair()?;
        let leaf = chain
            .certs()
            .iter()
            .find(|c| public_key_of(c.as_der()).is_ok_and(|pk| pk == pair.public().as_ref()))
            .or_else(|| chain.certs().first())
            .ok_or(CertError::NoCertificate)?;
        Certificate::new(leaf.as_der().to_vec(), key)
    }

    fn new(der: Vec<u8>, key: PrivateKey) -> Result<Certificate, CertError> {
        let (_, x509) = X509Certificate::from_der(&der).map_err(|e| CertError::Unreadable(e.to_string()))?;
        if x509.public_key().subject_public_key.data.as_ref() != key.pair()?.public().as_ref() {
            return Err(CertError::KeyMismatch);
        }
        let thumbprint = Sha1::digest(&der).iter().map(|b| format!("{b:02X}")).collect();
        Ok(Certificate {
            subject: x509.subject().to_string(),
            thumbprint,
            not_before: x509.validity().not_before.timestamp(),
            not_after: x509.validity().not_after.timestamp(),
            not_before_text: x509.validity().not_before.to_string(),
            not_after_text: x509.validity().not_after.to_string(),
            der,
            key,
        })
    }

    /// Refuses a certificate outside its validity window at `now`.
    pub fn check_validity(&self, now: i64) -> Result<(), CertError> {
        if now > self.not_after {
            return Err(CertError::Expired(self.not_after_text.clone()));
        }
        if now < self.not_before {
            return Err(CertError::NotYetValid(self.not_before_text.clone()));
        }
        Ok(())
    }

    /// A warning when the certificate expires within 30 days of `now`.
    pub fn expiry_warning(&self, now: i64) -> Option<String> {
        let days = (self.not_after - now).div_euclid(86_400);
        (self.not_after - now <= 30 * 86_400).then(|| {
            format!(
                "The certificate expires in {days} day{} ({}): upload its successor to the app registration \
                 before then, or sign-ins will fail with AADSTS700027.",
                if days == 1 { "" } else { "s" },
                self.not_after_text
            )
        })
    }

    /// `x5t`: base64url of the DER's SHA-1.
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha1::digest(&self.der))
    }

    /// `x5t#S256`: base64url of the DER's SHA-256.
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(&self.der))
    }

    /// The certificate as PEM (public; for tests and display).
    pub fn pem(&self) -> String {
        let body = STANDARD.encode(&self.der);
        let lines: Vec<&str> = body.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
    }

    /// A signed client assertion for `token_url`, issued at `now` with a random `jti`.
    pub fn assertion(&self, client_id: &str, token_url: &str, now: i64) -> Result<SecretString, CertError> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": self.x5t(), "x5t#S256": self.x5t_s256()});
        let claims = serde_json::json!({
            "aud": token_url, "iss": client_id, "sub": client_id, "jti": random_jti(),
            "nbf": now, "iat": now, "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let pair = self.key.pair()?;
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut signature)
            .map_err(|_| CertError::NotRsa)?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)).into())
    }
}

impl PrivateKey {
    fn pair(&self) -> Result<RsaKeyPair, CertError> {
        match self {
            PrivateKey::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.expose_secret()).map_err(|_| CertError::NotRsa),
            PrivateKey::Pkcs1(der) => RsaKeyPair::from_der(der.expose_secret()).map_err(|_| CertError::NotRsa),
        }
    }
}

/// The certificate's RSA public key (the DER `RSAPublicKey` inside its SubjectPublicKeyInfo).
fn public_key_of(der: &[u8]) -> Result<Vec<u8>, CertError> {
    let (_, x509) = X509Certificate::from_der(der).map_err(|e| CertError::Unreadable(e.to_string()))?;
    Ok(x509.public_key().subject_public_key.data.to_vec())
}

/// 128 random bits as a UUID-shaped string.
fn random_jti() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: fall back to a hash of the clock, still unique per call.
        let seed = format!("{:?}{:?}", std::time::SystemTime::now(), std::thread::current().id());
        b.copy_from_slice(&Sha256::digest(seed)[..16]);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}
