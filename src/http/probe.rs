//! The probe's guards, shared by the `/probe` page, `errkb serve`'s chat adapters and their
//! tests: [`ProbeService`] is present only when `ERRKB_PROBE_ENABLED=true`; it lets only the
//! users in `ERRKB_PROBE_ALLOWED_USERS` probe, counts per-user and per-tenant rate limits in
//! the store (so they hold across replicas, a tenant counted by its directory id), issues
//! one-time links to `/probe/{token}` (single use, bound to the chat user, 10 minutes), writes
//! one audit row per probe before it is sent and completes it after, and hands the
//! secret-free summary back to the chat adapter that issued the link ([`ProbeNotifier`]).
//!
//! Knows the probe core and the store; must not know axum handlers, HTML or chat payloads.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::ProbeConfig;
use crate::probe::{
    Cloud, Mistake, Outcome, Prober, ProberError, ProberOptions, QuickReport, Ready, Tenant, TenantStatus, check_app,
};
use crate::store::{AuditRow, NewProbeLink, ProbeLink, Store, StoreError};

/// How long a one-time link lives.
pub const LINK_TTL_SECS: i64 = 600;

/// Who is asking, as the chat platform (or `cli` / `web`) identifies them.
#[derive(Debug, Clone, Copy)]
pub struct Requester<'a> {
    pub platform: &'a str,
    pub user_id: &'a str,
    pub user_name: &'a str,
}

/// Why a probe or a link was refused. Messages are safe to show the user.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("the live check is turned off on this errkb (ERRKB_PROBE_ENABLED)")]
    Disabled,
    #[error("you are not on this errkb's list of people allowed to run live checks (ERRKB_PROBE_ALLOWED_USERS)")]
    NotAllowed,
    #[error("too many live checks {0}: try again in a few minutes")]
    RateLimited(&'static str),
    #[error("the live check could not be recorded, so it was not run")]
    Store(#[from] StoreError),
    #[error("the one-time link could not be made (no randomness available)")]
    NoRandomness,
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Mistakes(Vec<Mistake>),
}

/// What goes back to chat after a probe from a one-time link: no secret, no token.
#[derive(Debug, Clone)]
pub struct ProbeSummary {
    pub user_id: String,
    pub cloud: Cloud,
    pub tenant: String,
    pub client_id: String,
    pub outcome: Outcome,
    /// `(code, title)` of the guide that explains the outcome.
    pub guide: Option<(String, String)>,
    /// Absolute URL of that guide.
    pub guide_url: Option<String>,
}

/// A boxed future, for the object-safe notifier trait.
pub type BoxFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Delivers a probe summary to the chat user who asked for the link; `reply` is the JSON the
/// adapter stored with the link (channel, conversation, ...).
pub trait ProbeNotifier: Send + Sync {
    fn notify<'a>(&'a self, reply: &'a str, summary: &'a ProbeSummary) -> BoxFuture<'a>;
}

/// The guarded probe.
pub struct ProbeService {
    pub prober: Prober,
    allowed: Vec<String>,
    user_limit: i64,
    tenant_limit: i64,
    window_secs: i64,
    notifiers: RwLock<HashMap<String, Arc<dyn ProbeNotifier>>>,
}

impl std::fmt::Debug for ProbeService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeService")
            .field("allowed_users", &self.allowed.len())
            .field("user_limit", &self.user_limit)
            .field("tenant_limit", &self.tenant_limit)
            .field("window_secs", &self.window_secs)
            .finish_non_exhaustive()
    }
}

impl ProbeService {
    /// `None` when the probe is off.
    pub fn from_config(config: &ProbeConfig) -> Result<Option<Arc<ProbeService>>, ProberError> {
        if !config.enabled {
            return Ok(None);
        }
        let options = ProberOptions { authority_override: config.authority_override.clone(), ..Default::default() };
        Ok(Some(Arc::new(ProbeService {
            prober: Prober::new(&options)?,
            allowed: config.allowed_users.clone(),
            user_limit: i64::from(config.user_limit),
            tenant_limit: i64::from(config.tenant_limit),
            window_secs: config.window.as_secs().max(1) as i64,
            notifiers: RwLock::new(HashMap::new()),
        })))
    }

    /// True when `user_id` on `platform` is listed (bare, or as `platform:user_id`).
    pub fn is_allowed(&self, platform: &str, user_id: &str) -> bool {
        !user_id.is_empty()
            && self.allowed.iter().any(|entry| {
                entry == user_id || entry.strip_prefix(platform).and_then(|r| r.strip_prefix(':')) == Some(user_id)
            })
    }

    fn require_allowed(&self, who: &Requester<'_>) -> Result<(), Refusal> {
        if self.is_allowed(who.platform, who.user_id) { Ok(()) } else { Err(Refusal::NotAllowed) }
    }

    /// Issues a one-time link for an allowed user; returns its absolute URL.
    pub async fn issue_link(
        &self,
        store: &Store,
        public_url: &str,
        who: &Requester<'_>,
        guide_code: Option<&str>,
        reply: &str,
    ) -> Result<String, Refusal> {
        self.require_allowed(who)?;
        let token = new_token().ok_or(Refusal::NoRandomness)?;
        let link = NewProbeLink {
            token: &token,
            platform: who.platform,
            user_id: who.user_id,
            user_name: who.user_name,
            guide_code,
            reply,
            ttl_secs: LINK_TTL_SECS,
        };
        store.create_probe_link(&link).await?;
        tracing::info!(platform = who.platform, user = who.user_id, "probe: one-time link issued");
        Ok(format!("{}/probe/{token}", public_url.trim_end_matches('/')))
    }

    /// Counts this probe against the user's limit, then the tenant's; refuses over either (a
    /// user over their limit does not use up the tenant's). The tenant is counted by its
    /// directory id, so its GUID and each of its verified domains share one allowance: a domain
    /// is looked up with OpenID discovery (one GET, no sign-in) once the user's limit allows it.
    pub async fn check_limits(
        &self,
        store: &Store,
        who: &Requester<'_>,
        cloud: Cloud,
        tenant: &Tenant,
    ) -> Result<Option<TenantStatus>, Refusal> {
        self.check_user_limit(store, who).await?;
        let discovered = match tenant {
            Tenant::Id(_) => None,
            Tenant::Domain(_) => Some(self.prober.discover(cloud, tenant).await),
        };
        self.check_tenant_limit(store, &tenant_key(tenant, discovered.as_ref())).await?;
        Ok(discovered)
    }

    async fn check_user_limit(&self, store: &Store, who: &Requester<'_>) -> Result<(), Refusal> {
        let user = store.count_probe_hit(&format!("user:{}:{}", who.platform, who.user_id), self.window_secs).await?;
        if user > self.user_limit {
            return Err(Refusal::RateLimited("from you"));
        }
        Ok(())
    }

    async fn check_tenant_limit(&self, store: &Store, key: &str) -> Result<(), Refusal> {
        let tenant = store.count_probe_hit(&format!("tenant:{key}"), self.window_secs).await?;
        if tenant > self.tenant_limit {
            return Err(Refusal::RateLimited("against this tenant"));
        }
        Ok(())
    }

    /// Runs a checked probe for `who` (rate limits first) and returns the outcome. Its audit row
    /// is written before the request is sent and completed with the outcome after.
    pub async fn run(&self, store: &Store, who: &Requester<'_>, via: &str, ready: &Ready) -> Result<Outcome, Refusal> {
        self.check_limits(store, who, ready.cloud, &ready.tenant).await?;
        let row = audit_row(who, via, ready.cloud, ready.tenant.as_str(), &ready.client_id, STARTED, None);
        let id = store.begin_probe_audit(&row).await?;
        let outcome = self.prober.probe(ready, store.now()).await;
        let code = outcome.guide_code();
        complete(store, id, outcome.kind(), code.as_deref()).await;
        tracing::info!(outcome = outcome.kind(), code = code.as_deref().unwrap_or(""), "probe finished");
        Ok(outcome)
    }

    /// The quick check (no secret) for an allowed user: validated, rate limited and audited
    /// (the row written before the app check is sent).
    pub async fn quick(
        &self,
        store: &Store,
        who: &Requester<'_>,
        cloud: Cloud,
        tenant: &str,
        client_id: &str,
    ) -> Result<QuickReport, Refusal> {
        self.require_allowed(who)?;
        let (tenant, client_id) = check_app(tenant, client_id).map_err(Refusal::Mistakes)?;
        let discovered = self.check_limits(store, who, cloud, &tenant).await?;
        let row = audit_row(who, "quick", cloud, tenant.as_str(), &client_id, "quick:started", None);
        let id = store.begin_probe_audit(&row).await?;
        let tenant_status = match discovered {
            Some(status) => status,
            None => self.prober.discover(cloud, &tenant).await,
        };
        let report = self.prober.quick_check_after(cloud, &tenant, &client_id, tenant_status).await;
        let outcome = format!("quick:{}", quick_kind(&report));
        complete(store, id, &outcome, report.guide_code().as_deref()).await;
        Ok(report)
    }

    /// Lets a chat adapter receive the summaries of links it issued.
    pub fn register_notifier(&self, platform: &str, notifier: Arc<dyn ProbeNotifier>) {
        if let Ok(mut map) = self.notifiers.write() {
            map.insert(platform.to_string(), notifier);
        }
    }

    /// Sends the summary back to the chat user the link was issued to, if that adapter is on.
    pub async fn notify(&self, link: &ProbeLink, summary: &ProbeSummary) {
        let notifier = self.notifiers.read().ok().and_then(|m| m.get(&link.platform).cloned());
        match notifier {
            Some(n) => n.notify(&link.reply, summary).await,
            None => tracing::debug!(platform = %link.platform, "no chat adapter to send the probe summary to"),
        }
    }
}

/// The outcome of an audit row whose probe has been sent and not answered yet (or whose answer
/// could not be recorded).
pub const STARTED: &str = "started";

/// Completes an audit row; a failure leaves it `started`, which the admin page shows.
async fn complete(store: &Store, id: i64, outcome: &str, code: Option<&str>) {
    if let Err(e) = store.complete_probe_audit(id, outcome, code).await {
        tracing::warn!(error = %e, "the probe's audit row could not be completed; it stays `started`");
    }
}

/// The rate-limit key of a tenant: its directory id when known (written as a GUID, or found by
/// discovery), else the domain as written.
fn tenant_key(tenant: &Tenant, discovered: Option<&TenantStatus>) -> String {
    match (tenant, discovered) {
        (Tenant::Id(id), _) => id.clone(),
        (_, Some(TenantStatus::Found { tenant_id: Some(id), .. })) => id.to_ascii_lowercase(),
        (Tenant::Domain(domain), _) => domain.clone(),
    }
}

fn quick_kind(report: &QuickReport) -> &'static str {
    use crate::probe::AppStatus;
    match (&report.tenant_status, &report.app_status) {
        (TenantStatus::NotFound { .. }, _) => "tenant_not_found",
        (_, AppStatus::Registered) => "app_registered",
        (_, AppStatus::NotFound) => "app_not_found",
        (_, AppStatus::Disabled { .. }) => "app_disabled",
        _ => "unknown",
    }
}

/// An audit row (no secret, no token).
pub fn audit_row(
    who: &Requester<'_>,
    via: &str,
    cloud: Cloud,
    tenant: &str,
    client_id: &str,
    outcome: &str,
    code: Option<String>,
) -> AuditRow {
    AuditRow {
        at: 0,
        platform: who.platform.to_string(),
        user_id: who.user_id.to_string(),
        via: via.to_string(),
        cloud: cloud.as_str().to_string(),
        tenant: tenant.to_string(),
        client_id: client_id.to_string(),
        outcome: outcome.to_string(),
        error_code: code,
    }
}

/// 256 random bits, base64url.
fn new_token() -> Option<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).ok()?;
    Some(URL_SAFE_NO_PAD.encode(b))
}
