//! ADAPTER: Slack. The routes (`/slack/commands`, `/slack/events`, `/slack/interactions`, the
//! OAuth install), their signature check, lenient payload parsing, the flows behind them, Block
//! Kit rendering of answers within Slack's limits (cached per answer shape and knowledge-base
//! generation in [`rendered`]), mrkdwn escaping, the App Home tab and the Web API client.
//!
//! The only module that knows slack-morphism and Slack's wire formats. Must not know Teams or
//! HTML pages; the core (kb, search, answer) never imports this module. The live probe's chat
//! entry points ([`probe`]) reach the probe only through [`crate::http::probe`]. [`app`](crate::app)
//! mounts [`routes`] with a [`SlackApp`] built from the config.

pub mod api;
mod auto_answer;
pub mod blocks;
pub mod channel_answer;
pub mod channels;
mod dispatch;
pub mod escalation;
pub mod escape;
mod events;
mod flows;
pub mod home;
mod interactions;
pub mod limits;
pub mod manifest;
pub mod model_check;
pub mod oauth;
pub mod payload;
pub mod probe;
mod probe_notify;
pub mod probe_view;
mod recent;
pub mod rendered;
mod routes;
mod service;
pub mod signature;
pub mod socket;

pub use probe_notify::{SlackNotifier, register as register_probe_notifier};
pub use routes::routes;
pub use service::{AUTO_ANSWER_EVENTS, AUTO_ANSWER_SCOPES, BOT_SCOPES, COMMAND, EXPLAIN_ERROR, OAuthClient, SlackApp};
