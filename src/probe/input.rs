//! Raw probe input as a user supplies it ([`ProbeInput`]) and the pre-flight checks that turn it
//! into a [`Ready`] request, or into the list of classic mistakes found locally, before anything
//! is sent: a Secret ID pasted instead of the Value, whitespace or quotes around the secret, a
//! URL-encoded secret, a client id that is not a GUID, a malformed or multi-tenant tenant, a
//! scope without `/.default`, and certificate problems (see [`super::cert`]).
//!
//! Messages name the field and the fix, never the secret.

use secrecy::{ExposeSecret, SecretSlice, SecretString};

use super::cert::{CertError, Certificate};
use super::cloud::Cloud;
use super::tenant::{Tenant, TenantError, is_guid};

/// What a user typed, uploaded or piped in.
#[derive(Debug)]
pub struct ProbeInput {
    pub cloud: Cloud,
    pub tenant: String,
    pub client_id: String,
    pub credential: CredentialInput,
    /// `None` or blank: Microsoft Graph's `/.default` for the cloud.
    pub scope: Option<String>,
}

/// The credential as supplied. `Debug` shows no secret material.
#[derive(Debug)]
pub enum CredentialInput {
    Secret(SecretString),
    /// PEM text: the certificate, and the private key either in `key` or in the same text (so
    /// the certificate text is kept as a secret too).
    Pem {
        cert: SecretString,
        key: Option<SecretString>,
    },
    /// A PKCS#12 (.pfx / .p12) file and its password.
    Pkcs12 {
        data: SecretSlice<u8>,
        password: SecretString,
    },
}

/// A request that passed every pre-flight check.
#[derive(Debug)]
pub struct Ready {
    pub cloud: Cloud,
    pub tenant: Tenant,
    /// Lower-case GUID.
    pub client_id: String,
    pub scope: String,
    pub credential: Credential,
}

/// A checked credential.
#[derive(Debug)]
pub enum Credential {
    Secret(SecretString),
    Certificate(Box<Certificate>),
}

impl Credential {
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::Secret(_) => "secret",
            Credential::Certificate(_) => "certificate",
        }
    }
}

/// Which input a mistake is about (forms show the message beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Tenant,
    ClientId,
    Secret,
    Certificate,
    Scope,
}

/// A classic mistake caught locally. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mistake {
    #[error(transparent)]
    Tenant(#[from] TenantError),
    #[error(
        "the client id must be the app's Application (client) ID, a GUID like 11111111-2222-3333-4444-555555555555"
    )]
    ClientIdNotGuid,
    #[error("the secret is empty")]
    SecretEmpty,
    #[error(
        "the secret looks like a GUID: that is the Secret ID column. Entra wants the secret's Value, shown once \
         when the secret was created (create a new secret if you no longer have it)"
    )]
    SecretLooksLikeSecretId,
    #[error("the secret has spaces, tabs or line breaks around or inside it: paste exactly the Value, nothing more")]
    SecretWhitespace,
    #[error("the secret is wrapped in quotes: remove them; the quotes are not part of the Value")]
    SecretQuoted,
    #[error(
        "the secret contains %XX sequences, so it looks URL-encoded (%7E is ~, %2B is +): paste the raw Value; \
         errkb encodes it for the request itself"
    )]
    SecretUrlEncoded,
    #[error("the scope must be one resource followed by /.default, for example {}", Cloud::Public.default_scope())]
    ScopeNotDefault,
    #[error(transparent)]
    Certificate(#[from] CertError),
}

impl Field {
    /// The form field's name (`tenant`, `client_id`, `secret`, `certificate`, `scope`).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Tenant => "tenant",
            Field::ClientId => "client_id",
            Field::Secret => "secret",
            Field::Certificate => "certificate",
            Field::Scope => "scope",
        }
    }
}

impl Mistake {
    pub fn field(&self) -> Field {
        match self {
            Mistake::Tenant(_) => Field::Tenant,
            Mistake::ClientIdNotGuid => Field::ClientId,
            Mistake::ScopeNotDefault => Field::Scope,
            Mistake::Certificate(_) => Field::Certificate,
            _ => Field::Secret,
        }
    }

    /// A short stable name for the audit log and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Mistake::Tenant(TenantError::MultiTenantAlias(_)) => "tenant_alias",
            Mistake::Tenant(_) => "tenant_malformed",
            Mistake::ClientIdNotGuid => "client_id_not_guid",
            Mistake::SecretEmpty => "secret_empty",
            Mistake::SecretLooksLikeSecretId => "secret_is_secret_id",
            Mistake::SecretWhitespace => "secret_whitespace",
            Mistake::SecretQuoted => "secret_quoted",
            Mistake::SecretUrlEncoded => "secret_url_encoded",
            Mistake::ScopeNotDefault => "scope_not_default",
            Mistake::Certificate(e) => e.code(),
        }
    }
}

/// The app to check: a validated tenant and a lower-case GUID client id, or every mistake in
/// them (the quick check needs no more; the full probe checks this first).
pub fn check_app(tenant: &str, client_id: &str) -> Result<(Tenant, String), Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let tenant = Tenant::parse(tenant).map_err(|e| mistakes.push(e.into())).ok();
    let client_id = client_id.trim().to_ascii_lowercase();
    if !is_guid(&client_id) {
        mistakes.push(Mistake::ClientIdNotGuid);
    }
    match tenant {
        Some(tenant) if mistakes.is_empty() => Ok((tenant, client_id)),
        _ => Err(mistakes),
    }
}

/// Runs every pre-flight check at Unix time `now`; all mistakes are reported at once.
pub fn preflight(input: ProbeInput, now: i64) -> Result<Ready, Vec<Mistake>> {
    let (app, mut mistakes) = match check_app(&input.tenant, &input.client_id) {
        Ok(app) => (Some(app), Vec::new()),
        Err(mistakes) => (None, mistakes),
    };
    let scope = match input.scope.as_deref().map(str::trim) {
        None | Some("") => input.cloud.default_scope().to_string(),
        Some(s) => s.to_string(),
    };
    if !scope_ok(&scope) {
        mistakes.push(Mistake::ScopeNotDefault);
    }
    let credential = match input.credential {
        CredentialInput::Secret(secret) => match check_secret(secret.expose_secret()) {
            Some(m) => {
                mistakes.push(m);
                None
            }
            None => Some(Credential::Secret(secret)),
        },
        CredentialInput::Pem { cert, key } => {
            certificate(Certificate::from_pem(cert.expose_secret(), key.as_ref()), now, &mut mistakes)
        }
        CredentialInput::Pkcs12 { data, password } => {
            certificate(Certificate::from_pkcs12(data.expose_secret(), &password), now, &mut mistakes)
        }
    };
    match (app, credential) {
        (Some((tenant, client_id)), Some(credential)) if mistakes.is_empty() => {
            Ok(Ready { cloud: input.cloud, tenant, client_id, scope, credential })
        }
        _ => Err(mistakes),
    }
}

fn certificate(parsed: Result<Certificate, CertError>, now: i64, out: &mut Vec<Mistake>) -> Option<Credential> {
    match parsed.and_then(|c| c.check_validity(now).map(|()| c)) {
        Ok(c) => Some(Credential::Certificate(Box::new(c))),
        Err(e) => {
            out.push(e.into());
            None
        }
    }
}

/// One `https://resource/.default` (or `api://.../.default`, or `GUID/.default`) scope.
fn scope_ok(scope: &str) -> bool {
    scope.ends_with("/.default")
        && scope.len() > "/.default".len()
        && !scope.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The first classic mistake in a secret, if any.
pub fn check_secret(secret: &str) -> Option<Mistake> {
    if secret.is_empty() {
        return Some(Mistake::SecretEmpty);
    }
    let trimmed = secret.trim();
    if trimmed.is_empty() {
        return Some(Mistake::SecretEmpty);
    }
    let quotes = ['"', '\'', '`', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}'];
    if trimmed.chars().count() >= 2 && trimmed.starts_with(quotes) && trimmed.ends_with(quotes) {
        return Some(Mistake::SecretQuoted);
    }
    if trimmed.len() != secret.len() || secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(Mistake::SecretWhitespace);
    }
    if is_guid(&secret.to_ascii_lowercase()) {
        return Some(Mistake::SecretLooksLikeSecretId);
    }
    if has_percent_escape(secret) {
        return Some(Mistake::SecretUrlEncoded);
    }
    None
}

fn has_percent_escape(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_checks_name_the_classic_mistakes() {
        assert_eq!(check_secret("abc8Q~x.y_z-0123456789abcdefghijklmnopqr"), None);
        assert_eq!(check_secret(""), Some(Mistake::SecretEmpty));
        assert_eq!(check_secret("  \n"), Some(Mistake::SecretEmpty));
        assert_eq!(check_secret("2b1c3e5a-0f9d-4c5e-8a7b-6d5e4f3a2b1c"), Some(Mistake::SecretLooksLikeSecretId));
        assert_eq!(check_secret(" abc8Q~xyz"), Some(Mistake::SecretWhitespace));
        assert_eq!(check_secret("abc8Q~xyz\n"), Some(Mistake::SecretWhitespace));
        assert_eq!(check_secret("\"abc8Q~xyz\""), Some(Mistake::SecretQuoted));
        assert_eq!(check_secret("\u{201c}abc8Q~xyz\u{201d}"), Some(Mistake::SecretQuoted));
        assert_eq!(check_secret("abc8Q%7Exyz"), Some(Mistake::SecretUrlEncoded));
    }

    #[test]
    fn scopes_must_be_one_default_scope() {
        assert!(scope_ok("https://graph.microsoft.com/.default"));
        assert!(scope_ok("api://11111111-2222-3333-4444-555555555555/.default"));
        assert!(!scope_ok("https://graph.microsoft.com/User.Read"));
        assert!(!scope_ok("https://graph.microsoft.com/.default offline_access"));
        assert!(!scope_ok("/.default"));
    }
}
