//! errkb: an error-code knowledge-base bot for Slack and Microsoft Teams.
//!
//! Crate map and the dependency rule. Data flows one way: adapters → answer → search → kb.
//! - CORE (no HTTP, no platform types): [`kb`] guides and their parser; [`search`] code
//!   extraction and the tantivy index; [`answer`] questions to platform-neutral answers.
//! - Edges: [`config`] typed configuration; [`telemetry`] logging; [`cli`] the `errkb` commands.
//!
//! The core modules never import the edges, and adapters never import each other.

pub mod answer;
pub mod cli;
pub mod config;
pub mod kb;
pub mod search;
pub mod telemetry;
