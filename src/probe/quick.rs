//! The quick check, which needs no secret: does the tenant exist in this cloud (OpenID
//! discovery), and is the app registered in it (a token request with a deliberately wrong
//! secret: 7000215 means the app exists, 700016 means it does not). The second step shows as one
//! failed sign-in in the app's sign-in logs, and every reply says so.

use serde::Serialize;
use serde_json::Value;

use super::client::Prober;
use super::cloud::Cloud;
use super::outcome::EntraError;
use super::response::parse_error;
use super::tenant::Tenant;

/// What the quick check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuickReport {
    pub cloud: Cloud,
    pub tenant: String,
    pub tenant_status: TenantStatus,
    pub app_status: AppStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TenantStatus {
    /// Discovery answered; `tenant_id` from its issuer, `other_cloud` when discovery says the
    /// tenant lives in another cloud than the one asked.
    Found {
        tenant_id: Option<String>,
        other_cloud: Option<Cloud>,
    },
    NotFound {
        entra: Option<EntraError>,
    },
    Unknown {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AppStatus {
    Registered,
    NotFound,
    Disabled { code: u32 },
    Other { entra: EntraError },
    NotChecked,
    Unknown { reason: String },
}

/// Said with every app check.
pub const SIGN_IN_LOG_NOTE: &str =
    "The app check sends a deliberately wrong secret, so it shows as one failed sign-in in the app's sign-in logs.";

impl QuickReport {
    /// The AADSTS code behind the result (`AADSTS700016`), for the matching guide.
    pub fn guide_code(&self) -> Option<String> {
        match (&self.tenant_status, &self.app_status) {
            (TenantStatus::NotFound { .. }, _) => Some("AADSTS90002".into()),
            (_, AppStatus::NotFound) => Some("AADSTS700016".into()),
            (_, AppStatus::Disabled { code }) => Some(format!("AADSTS{code}")),
            (_, AppStatus::Other { entra }) => entra.code.map(|c| format!("AADSTS{c}")),
            _ => None,
        }
    }

    /// Sentences for people, without secrets.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.tenant_status {
            TenantStatus::Found { tenant_id, other_cloud } => {
                let id = tenant_id.as_deref().map(|t| format!(" (tenant ID {t})")).unwrap_or_default();
                out.push(format!("Tenant {} exists in the {} cloud{id}.", self.tenant, self.cloud));
                if let Some(other) = other_cloud {
                    out.push(format!("Discovery says it belongs to the {other} cloud: probe it there."));
                }
            }
            TenantStatus::NotFound { .. } => {
                out.push(format!("Tenant {} was not found in the {} cloud (AADSTS90002).", self.tenant, self.cloud))
            }
            TenantStatus::Unknown { reason } => out.push(format!("The tenant could not be checked: {reason}")),
        }
        match &self.app_status {
            AppStatus::Registered => out.push("The app is registered in this tenant.".into()),
            AppStatus::NotFound => out.push("The app was not found in this tenant (AADSTS700016).".into()),
            AppStatus::Disabled { code } => out.push(format!("The app is disabled in this tenant (AADSTS{code}).")),
            AppStatus::Other { entra } => out.push(format!(
                "Entra answered the app check with {}{}.",
                entra.code.map(|c| format!("AADSTS{c}: ")).unwrap_or_default(),
                entra.message
            )),
            AppStatus::NotChecked => {}
            AppStatus::Unknown { reason } => out.push(format!("The app could not be checked: {reason}")),
        }
        if !matches!(self.app_status, AppStatus::NotChecked) {
            out.push(SIGN_IN_LOG_NOTE.into());
        }
        out
    }
}

impl Prober {
    /// Runs the quick check for a validated tenant and a GUID client id.
    pub async fn quick_check(&self, cloud: Cloud, tenant: &Tenant, client_id: &str) -> QuickReport {
        let tenant_status = self.discover(cloud, tenant).await;
        self.quick_check_after(cloud, tenant, client_id, tenant_status).await
    }

    /// The quick check's app step, once [`Prober::discover`] has answered for the tenant.
    pub async fn quick_check_after(
        &self,
        cloud: Cloud,
        tenant: &Tenant,
        client_id: &str,
        tenant_status: TenantStatus,
    ) -> QuickReport {
        let app_status = match tenant_status {
            TenantStatus::NotFound { .. } => AppStatus::NotChecked,
            _ => self.app_check(cloud, tenant, client_id).await,
        };
        QuickReport { cloud, tenant: tenant.to_string(), tenant_status, app_status }
    }

    /// OpenID discovery of `tenant` in `cloud`: whether it exists there, and its directory id.
    pub async fn discover(&self, cloud: Cloud, tenant: &Tenant) -> TenantStatus {
        let answer = match self.get(self.discovery_url(cloud, tenant)).await {
            Ok(a) => a,
            Err(reason) => return TenantStatus::Unknown { reason },
        };
        if answer.status == 200 {
            let doc: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
            let tenant_id = doc.get("issuer").and_then(Value::as_str).and_then(tenant_in_issuer);
            let other_cloud = doc
                .get("cloud_instance_name")
                .and_then(Value::as_str)
                .and_then(Cloud::from_instance_name)
                .filter(|c| *c != cloud);
            return TenantStatus::Found { tenant_id, other_cloud };
        }
        match parse_error(answer.status, &answer.body, None) {
            Some(e) if e.code == Some(90002) || e.error == "invalid_tenant" => {
                TenantStatus::NotFound { entra: Some(e) }
            }
            Some(e) => TenantStatus::Unknown { reason: format!("AADSTS{}: {}", e.code.unwrap_or(0), e.message) },
            None => TenantStatus::Unknown { reason: format!("discovery answered HTTP {}", answer.status) },
        }
    }

    async fn app_check(&self, cloud: Cloud, tenant: &Tenant, client_id: &str) -> AppStatus {
        let wrong = format!("errkb-quick-check-{}", nonce());
        let form = [
            ("client_id", client_id),
            ("scope", cloud.default_scope()),
            ("grant_type", "client_credentials"),
            ("client_secret", wrong.as_str()),
        ];
        tracing::info!(%cloud, %tenant, client_id, "probe: quick app check");
        let answer = match self.post_token(self.token_url(cloud, tenant), &form).await {
            Ok(a) => a,
            Err(reason) => return AppStatus::Unknown { reason },
        };
        match parse_error(answer.status, &answer.body, None) {
            Some(e) => match e.code {
                Some(7000215 | 7000222 | 7000218 | 700027) => AppStatus::Registered,
                Some(700016) => AppStatus::NotFound,
                Some(code @ (7000112 | 70001 | 1000031)) => AppStatus::Disabled { code },
                _ => AppStatus::Other { entra: e },
            },
            None => AppStatus::Unknown { reason: format!("the token endpoint answered HTTP {}", answer.status) },
        }
    }
}

/// The GUID in `https://login.../{guid}/v2.0`.
fn tenant_in_issuer(issuer: &str) -> Option<String> {
    issuer.split('/').find(|s| super::tenant::is_guid(s)).map(str::to_string)
}

fn nonce() -> String {
    let mut b = [0u8; 12];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}
