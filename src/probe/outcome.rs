//! What a probe found, ready for any adapter to render: [`Outcome::Valid`] (a token was issued;
//! the claims worth showing, the application permissions granted and warnings),
//! [`Outcome::Rejected`] (what Entra said: AADSTS code, OAuth error, message, trace and
//! correlation ids) or [`Outcome::Unreachable`] (no usable answer from Entra). Holds no secret
//! and no token.

use serde::Serialize;

/// The result of one probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Valid(Valid),
    Rejected(EntraError),
    Unreachable { reason: String, entra: Option<EntraError> },
}

/// A token was issued. Decoded for display only: never verified, never echoed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Valid {
    pub app_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The service principal's object id in the tenant.
    pub object_id: Option<String>,
    pub audience: Option<String>,
    /// Application permissions (app roles) granted and consented for the audience.
    pub roles: Vec<String>,
    pub expires_in: Option<i64>,
    /// `secret`, `certificate` or `unknown`, from `appidacr` / `azpacr`.
    pub authenticated_with: String,
    pub token_version: Option<String>,
    pub warnings: Vec<String>,
}

/// An error answer from Entra.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct EntraError {
    /// The AADSTS number.
    pub code: Option<u32>,
    /// The OAuth error (`invalid_client`, ...).
    pub error: String,
    /// The description without its `AADSTSn:` prefix and trailing ids.
    pub message: String,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    pub timestamp: Option<String>,
    pub suberror: Option<String>,
    /// A claims challenge (Conditional Access), as sent.
    pub claims: Option<String>,
    pub http_status: u16,
    /// Extra pointers for this code (beyond the guide).
    pub hints: Vec<String>,
}

impl Outcome {
    /// The code of the guide that explains this outcome, if any.
    pub fn guide_code(&self) -> Option<String> {
        match self {
            Outcome::Rejected(e) => e.code.map(|c| format!("AADSTS{c}")),
            Outcome::Unreachable { entra: Some(e), .. } => e.code.map(|c| format!("AADSTS{c}")),
            _ => None,
        }
    }

    /// `valid`, `rejected` or `unreachable` (the audit log's outcome column).
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Valid(_) => "valid",
            Outcome::Rejected(_) => "rejected",
            Outcome::Unreachable { .. } => "unreachable",
        }
    }

    /// A one-line summary without secrets, for chat and logs.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Valid(v) if v.roles.is_empty() => {
                "The credential works: Entra issued a token, but it carries no application permissions.".into()
            }
            Outcome::Valid(v) => format!(
                "The credential works: Entra issued a token with {} application permission{}.",
                v.roles.len(),
                if v.roles.len() == 1 { "" } else { "s" }
            ),
            Outcome::Rejected(e) => match e.code {
                Some(code) => format!("Entra refused it: AADSTS{code} ({}).", e.error),
                None => format!("Entra refused it: {}.", e.error),
            },
            Outcome::Unreachable { reason, .. } => format!("No answer from Entra: {reason}"),
        }
    }
}
