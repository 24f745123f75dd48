//! CORE: the live credential probe. Given a cloud, tenant, client id and a secret or
//! certificate, it checks the input locally for the classic mistakes ([`preflight`]), asks Entra
//! for a client-credentials token at the cloud's fixed authority ([`Prober::probe`]) and explains
//! the answer as an [`Outcome`]; [`Prober::quick_check`] tells whether a tenant and an app exist
//! without any secret. A `.pfx` is checked for size and key-derivation cost ([`pfx`]) before it
//! is opened.
//!
//! Knows reqwest and the Entra wire format; must not know axum, the store, chat platforms or
//! who is asking: the guards (who may probe, rate limits, audit, one-time links) live in
//! [`crate::http::probe`]. Secrets stay in `secrecy` wrappers, are never logged, never part of
//! an error message and never in an [`Outcome`].

pub mod cert;
pub mod client;
pub mod cloud;
pub mod input;
pub mod outcome;
pub mod pfx;
pub mod quick;
pub mod response;
pub mod tenant;

pub use cert::{CertError, Certificate};
pub use client::{MAX_RESPONSE_BYTES, Prober, ProberError, ProberOptions};
pub use cloud::Cloud;
pub use input::{Credential, CredentialInput, Field, Mistake, ProbeInput, Ready, check_app, check_secret, preflight};
pub use outcome::{EntraError, Outcome, Valid};
pub use quick::{AppStatus, QuickReport, SIGN_IN_LOG_NOTE, TenantStatus};
pub use tenant::{Tenant, TenantError};
