//! The tenant a probe targets, validated against an allow-list before it goes anywhere near a
//! URL: a directory GUID or a DNS name (letters, digits and hyphens in dot-separated labels),
//! never `common`, `organizations`, `consumers`, `adfs` or the Microsoft-account tenant, which
//! make no sense for client credentials. The URL is built by [`super::client`] with a URL
//! builder, so even a valid tenant is one path segment.

use std::fmt;

/// The consumer (Microsoft account) tenant: client credentials are meaningless there.
const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// A validated tenant: its canonical lower-case form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tenant {
    Id(String),
    Domain(String),
}

impl Tenant {
    /// Validates raw input (surrounding whitespace is trimmed; nothing else is changed).
    pub fn parse(raw: &str) -> Result<Tenant, TenantError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(TenantError::Empty);
        }
        if t.len() > 253 {
            return Err(TenantError::Malformed);
        }
        let lower = t.to_ascii_lowercase();
        if matches!(lower.as_str(), "common" | "organizations" | "consumers") {
            return Err(TenantError::MultiTenantAlias(lower));
        }
        if lower == "adfs" {
            return Err(TenantError::Malformed);
        }
        if is_guid(&lower) {
            if lower == MSA_TENANT {
                return Err(TenantError::MultiTenantAlias("consumers".into()));
            }
            return Ok(Tenant::Id(lower));
        }
        if is_dns_name(&lower) {
            return Ok(Tenant::Domain(lower));
        }
        Err(TenantError::Malformed)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Tenant::Id(s) | Tenant::Domain(s) => s,
        }
    }
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a tenant was refused. The messages never repeat the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error(
        "the tenant is empty: enter the directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com"
    )]
    Empty,
    #[error(
        "the tenant must be a directory (tenant) ID (a GUID) or a domain name such as contoso.onmicrosoft.com: \
         letters, digits, hyphens and dots only"
    )]
    Malformed,
    #[error(
        "`{0}` is a multi-tenant alias; client credentials need the app's own tenant: use its directory (tenant) ID"
    )]
    MultiTenantAlias(String),
}

/// `8-4-4-4-12` hex digits.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// At least two labels of 1-63 letters, digits or hyphens, none starting or ending with `-`,
/// and a top-level label that is not all digits (so IP addresses are refused).
fn is_dns_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels.last().is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_and_domains_are_accepted_in_canonical_form() {
        let id = Tenant::parse(" 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ").unwrap();
        assert_eq!(id, Tenant::Id("72f988bf-86f1-41af-91ab-2d7cd011db47".into()));
        assert_eq!(Tenant::parse("Contoso.onmicrosoft.com").unwrap().as_str(), "contoso.onmicrosoft.com");
        assert!(matches!(Tenant::parse("sub.contoso-eu.co.uk"), Ok(Tenant::Domain(_))));
    }

    #[test]
    fn aliases_and_injection_attempts_are_refused() {
        for alias in ["common", "Organizations", "consumers", MSA_TENANT] {
            assert!(matches!(Tenant::parse(alias), Err(TenantError::MultiTenantAlias(_))), "{alias}");
        }
        let long = format!("{}.com", "a".repeat(300));
        for bad in [
            "evil.com/x",
            "a/../b",
            "x?y=z",
            "x#y",
            "%2F",
            "user@host",
            "a\r\nb.com",
            "a b.com",
            "contoso",
            "-a.com",
            "a-.com",
            "127.0.0.1",
            "adfs",
            "a..com",
            &long,
            "contoso.com.",
            "ex\u{0430}mple.com",
        ] {
            assert!(Tenant::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
