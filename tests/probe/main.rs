//! The live credential probe: certificates, the CLI, the fake Entra wire format, secret hygiene, the
//! one-time page service and the chat views. One test binary per area.

#[path = "../common/mod.rs"]
mod common;
mod fake;
mod page;

mod cert;
mod cli;
mod entra;
mod guards;
mod hygiene;
mod service;
mod views;
