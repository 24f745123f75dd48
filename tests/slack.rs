//! The Slack app: Block Kit rendering and limits, signature checks against vectors from Python
//! slack_sdk, and the Web API client against a wiremock Slack.
//! One test binary for the whole adapter (linking is the slow part of a build here).

#[path = "slack/api.rs"]
mod api;
#[path = "slack/blocks.rs"]
mod blocks;
#[path = "slack/signature.rs"]
mod signature;
