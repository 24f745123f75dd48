//! The Teams bot: Bot Framework auth (with botframework-connector as the oracle), activities, Adaptive
//! Cards (checked by the adaptivecards renderer), the connector client, the outgoing webhook's HMAC, the
//! app manifest, the live-check entry points and the routes on the real router. One binary per area.

#[path = "../fakes/bot_framework.rs"]
mod bot_framework;
#[path = "../common/mod.rs"]
mod common;

mod anonymous;
mod auth;
mod bot;
mod cards;
mod connector;
mod hmac;
mod manifest;
mod probe;
mod routes;
