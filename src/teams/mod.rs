//! ADAPTER: Microsoft Teams. Adaptive Card rendering of answers (cached per answer shape and
//! knowledge-base generation in [`rendered`]), the outgoing-webhook HMAC check (lite mode),
//! inbound Bot Framework JWT validation with its own OpenID key cache and a bounded memory of
//! tokens already verified ([`verified_tokens`]), the connector client that replies to
//! activities, and the routes (`POST /api/messages`, `POST /teams/webhook`).
//!
//! The only module that knows the Bot Framework wire formats and jsonwebtoken. Must not know
//! Slack or HTML pages; the core (kb, search, answer) never imports this module.

pub mod activity;
pub mod auth;
pub mod bot;
pub mod card;
pub mod channels;
pub mod clock;
pub mod connector;
pub mod escalation;
pub mod keys;
pub mod manifest;
pub mod probe;
pub mod probe_cards;
pub mod rendered;
pub mod routes;
pub mod service;
pub mod support;
pub mod text;
pub mod token;
pub mod verified_tokens;
pub mod webhook_auth;

pub use probe::register as register_probe_notifier;
pub use routes::routes;
pub use service::{TeamsApp, TeamsOptions, TeamsSetupError};
