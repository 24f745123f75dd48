//! The Teams bot: Bot Framework auth (with botframework-connector as the oracle) and its memory of
//! verified tokens, activities, Adaptive Cards (checked by the adaptivecards renderer), the
//! connector client, the outgoing webhook's HMAC, the app manifest (with and without the RSC
//! permission), the live-check entry points, the routes on the real router and the support
//! channels. One binary per area.

#[path = "../fakes/bot_framework.rs"]
mod bot_framework;
#[path = "../common/mod.rs"]
mod common;

mod anonymous;
mod auth;
mod bot;
mod cards;
mod channel_settings;
mod connector;
mod hmac;
mod manifest;
mod manifest_rsc;
mod probe;
mod remembered_tokens;
mod rendered;
mod routes;
mod support;
