//! The way in for admins and operators: configuration sources and warnings, the health check,
//! backup and restore, retention and key rotation on both backends, the manifests, the documented
//! commands (they run, so the docs cannot rot) and the deployment (Caddy in front of two replicas).

#[path = "../common/mod.rs"]
mod common;
mod markdown;
mod serve;

mod backup;
mod config;
mod deploy;
mod docs;
mod healthcheck;
mod manifests;
mod quickstart;
mod store;
