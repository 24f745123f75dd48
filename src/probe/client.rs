//! The only module that talks to Entra: [`Prober`] sends the client-credentials token request
//! (and, for the quick check, OpenID discovery) to the cloud's fixed authority host over HTTPS,
//! with redirects off, a 10-second timeout and a response-size cap. The tenant enters the URL as
//! one path segment through a URL builder.
//!
//! The authority can be replaced only by a test-only loopback URL from the configuration,
//! never from a request. The secret goes only in the POST body and is never logged; the form
//! borrows it from its `SecretString` (reqwest's encoded body is the one copy outside a wrapper).

use std::time::Duration;

use secrecy::ExposeSecret;
use url::Url;

use super::cloud::Cloud;
use super::input::{Credential, Ready};
use super::outcome::Outcome;
use super::response::interpret;
use super::tenant::Tenant;

/// Largest token-endpoint answer read (Entra's are a few KB).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// How the prober reaches Entra.
#[derive(Debug, Clone)]
pub struct ProberOptions {
    pub timeout: Duration,
    /// Test only: a loopback base URL used instead of every cloud's authority host.
    pub authority_override: Option<String>,
}

impl Default for ProberOptions {
    fn default() -> Self {
        ProberOptions { timeout: Duration::from_secs(10), authority_override: None }
    }
}

/// The probe could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ProberError {
    #[error("the authority override must be a loopback http(s) URL (it is a test-only setting)")]
    BadOverride,
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Sends probes. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Prober {
    http: reqwest::Client,
    authority_override: Option<Url>,
    timeout: Duration,
}

/// A raw HTTP answer, capped.
pub(super) struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

impl Prober {
    pub fn new(options: &ProberOptions) -> Result<Prober, ProberError> {
        let authority_override = match &options.authority_override {
            Some(raw) if is_loopback_url(raw) => Some(Url::parse(raw).map_err(|_| ProberError::BadOverride)?),
            Some(_) => return Err(ProberError::BadOverride),
            None => None,
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .https_only(authority_override.is_none())
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .user_agent(concat!("errkb-probe/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProberError::Client(e.to_string()))?;
        Ok(Prober { http, authority_override, timeout: options.timeout })
    }

    /// `https://{host}/` for the cloud (or the test override).
    fn base(&self, cloud: Cloud) -> Url {
        match &self.authority_override {
            Some(url) => url.clone(),
            None => Url::parse(&format!("https://{}/", cloud.authority_host()))
                .unwrap_or_else(|_| unreachable!("authority hosts are valid")),
        }
    }

    /// `{base}/{tenant}/{segments...}`, each pushed as an encoded path segment.
    fn url(&self, cloud: Cloud, tenant: &Tenant, segments: &[&str]) -> Url {
        let mut url = self.base(cloud);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push(tenant.as_str()).extend(segments);
        }
        url
    }

    pub fn token_url(&self, cloud: Cloud, tenant: &Tenant) -> Url {
        self.url(cloud, tenant, &["oauth2", "v2.0", "token"])
    }

    pub fn discovery_url(&self, cloud: Cloud, tenant: &Tenant) -> Url {
        self.url(cloud, tenant, &["v2.0", ".well-known", "openid-configuration"])
    }

    /// Asks for a token with the checked credential and explains the answer.
    pub async fn probe(&self, ready: &Ready, now: i64) -> Outcome {
        let url = self.token_url(ready.cloud, &ready.tenant);
        // The form borrows the secret (or the signed assertion) from its `SecretString`: no
        // plain copy is made here. The one copy left is the request body reqwest encodes from
        // it, which reqwest owns and does not wipe.
        let assertion = match &ready.credential {
            Credential::Secret(_) => None,
            Credential::Certificate(cert) => match cert.assertion(&ready.client_id, url.as_str(), now) {
                Ok(assertion) => Some(assertion),
                Err(e) => {
                    return Outcome::Unreachable { reason: format!("cannot sign the assertion: {e}"), entra: None };
                }
            },
        };
        let mut form: Vec<(&str, &str)> =
            vec![("client_id", &ready.client_id), ("scope", &ready.scope), ("grant_type", "client_credentials")];
        let secret = match (&ready.credential, &assertion) {
            (Credential::Secret(s), _) => {
                form.push(("client_secret", s.expose_secret()));
                Some(s.expose_secret())
            }
            (_, Some(assertion)) => {
                form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
                form.push(("client_assertion", assertion.expose_secret()));
                None
            }
            (_, None) => None,
        };
        tracing::info!(cloud = %ready.cloud, tenant = %ready.tenant, client_id = %ready.client_id, credential = ready.credential.kind(), "probe: token request");
        let sent = self.http.post(url).form(&form).send().await;
        drop(form);
        let mut outcome = match self.read(sent).await {
            Ok(answer) => interpret(answer.status, answer.retry_after.as_deref(), &answer.body, secret),
            Err(reason) => Outcome::Unreachable { reason, entra: None },
        };
        if let (Outcome::Valid(valid), Credential::Certificate(cert)) = (&mut outcome, &ready.credential) {
            valid.warnings.extend(cert.expiry_warning(now));
        }
        outcome
    }

    /// Sends a token request whose secret is deliberately wrong (the quick app check).
    pub(super) async fn post_token(&self, url: Url, form: &[(&str, &str)]) -> Result<Answer, String> {
        self.read(self.http.post(url).form(form).send().await).await
    }

    pub(super) async fn get(&self, url: Url) -> Result<Answer, String> {
        self.read(self.http.get(url).send().await).await
    }

    /// The status and at most [`MAX_RESPONSE_BYTES`] of body, or why there is none.
    async fn read(&self, sent: reqwest::Result<reqwest::Response>) -> Result<Answer, String> {
        let mut response = sent.map_err(|e| self.describe(&e))?;
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(&e))? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(format!(
                    "the answer was larger than {} KiB; errkb stopped reading",
                    MAX_RESPONSE_BYTES / 1024
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, retry_after, body })
    }

    /// A reason without URLs or bodies.
    fn describe(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            format!("no answer within {} s", self.timeout.as_secs())
        } else if e.is_connect() {
            "cannot connect to the authority host".into()
        } else if e.is_redirect() {
            "the authority tried to redirect; errkb never follows redirects".into()
        } else {
            "the connection failed while reading the answer".into()
        }
    }
}

/// True for an http(s) URL whose host is a loopback address or `localhost`.
pub fn is_loopback_url(raw: &str) -> bool {
    let Ok(url) = Url::parse(raw) else { return false };
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    matches!(url.scheme(), "http" | "https") && loopback
}
