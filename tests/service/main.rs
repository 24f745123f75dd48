//! The service: HTTP routes and limits, the web pages (and a browser test), the store on both
//! backends, hot reload, serving, and the layering rule. One test binary per area.

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
mod web;
