//! The Slack app: Block Kit rendering and limits, signature checks against vectors from Python
//! slack_sdk, the Web API client against a wiremock Slack, and the routes and flows on the real
//! router (commands, events, interactions, OAuth install, manifest, the live-check entry points,
//! support channels), and slack-morphism's typed models over everything errkb renders.
//! One test binary for the whole adapter (linking is the slow part of a build here).

#[path = "../common/mod.rs"]
mod common;

mod api;
mod blocks;
mod channel_settings;
mod commands;
mod events;
mod harness;
mod interactions;
mod manifest;
mod models;
mod oauth;
mod probe;
mod rendered;
mod signature;
mod socket;
mod support;
mod wiring;
