//! The Slack app: Block Kit rendering and limits, signature checks against vectors from Python
//! slack_sdk, the Web API client against a wiremock Slack, and the routes and flows on the real
//! router (commands, events, interactions, OAuth install, manifest, the live-check entry points).
//! One test binary for the whole adapter (linking is the slow part of a build here).

mod common;

#[path = "slack/api.rs"]
mod api;
#[path = "slack/blocks.rs"]
mod blocks;
#[path = "slack/commands.rs"]
mod commands;
#[path = "slack/events.rs"]
mod events;
#[path = "slack/harness.rs"]
mod harness;
#[path = "slack/interactions.rs"]
mod interactions;
#[path = "slack/manifest.rs"]
mod manifest;
#[path = "slack/oauth.rs"]
mod oauth;
#[path = "slack/probe.rs"]
mod probe;
#[path = "slack/signature.rs"]
mod signature;
#[path = "slack/socket.rs"]
mod socket;
#[path = "slack/wiring.rs"]
mod wiring;
