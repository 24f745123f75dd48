//! The service: HTTP routes and limits, the web pages (and a browser test), the store on both
//! backends, hot reload, serving, the layering rule, and the support channels' store, `/go` links
//! and admin panels (with a browser test). One test binary per area.

#[path = "../common/mod.rs"]
mod common;
#[path = "../probe/fake.rs"]
mod fake;
#[path = "../probe/page.rs"]
mod page;

mod browser;
mod hardening;
mod http;
mod layering;
mod reload;
mod serve;
mod store;
mod support;
mod support_browser;
mod web;
