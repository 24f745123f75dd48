//! errkb: an error-code knowledge-base bot for Slack and Microsoft Teams.
//!
//! Crate map and the dependency rule. Data flows one way: adapters → answer → search → kb.
//! - CORE (no HTTP, no platform types): [`kb`] guides, their parser, message templates and the
//!   thesaurus; [`search`] code extraction, Entra-message matching and the tantivy index;
//!   [`answer`] questions to platform-neutral answers (the answer policy); [`probe`] the Entra
//!   client-credentials check.
//! - Edges: [`config`] typed configuration; [`telemetry`] logging; [`cli`] the `errkb` commands;
//!   [`store`] persistence (sqlx); [`http`] shared web plumbing; [`web`] HTML pages; [`slack`]
//!   the Slack app; [`teams`] the Teams bot; [`app`] the one place the service's routes and adapters meet.
//!
//! The core modules never import the edges, and adapters never import each other.

pub mod answer;
pub mod app;
pub mod cli;
pub mod config;
pub mod http;
pub mod kb;
pub mod probe;
pub mod search;
pub mod slack;
pub mod store;
pub mod teams;
pub mod telemetry;
pub mod web;
