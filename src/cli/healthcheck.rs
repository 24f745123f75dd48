//! `errkb healthcheck [--url URL]`: asks a running errkb whether it answers, for container health
//! checks where there is no shell or curl (the distroless image). Exit 0 when the URL answers 2xx,
//! 1 otherwise, with one line on stderr saying why.
//!
//! An edge: one HTTP GET. The default URL is `/healthz` on the address `errkb serve` listens on
//! (`ERRKB_LISTEN` or errkb.toml's `listen`; an unspecified address such as 0.0.0.0 means loopback).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::config::Config;

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The URL to ask (default: http://<ERRKB_LISTEN>/healthz, 0.0.0.0 read as 127.0.0.1).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Config file to read `listen` from (default: ./errkb.toml when it exists).
    #[arg(long, env = "ERRKB_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Seconds to wait for the answer.
    #[arg(long, value_name = "SECS", default_value_t = 3)]
    timeout: u64,
}

pub fn run(args: HealthcheckArgs) -> anyhow::Result<ExitCode> {
    let url = match args.url {
        Some(url) => url,
        None => default_url(Config::load(args.config.as_deref())?.listen),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    let verdict = runtime.block_on(probe(&url, Duration::from_secs(args.timeout.max(1))));
    Ok(match verdict {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("errkb healthcheck: {url}: {why}");
            ExitCode::from(1)
        }
    })
}

/// `/healthz` on the listen address, with an unspecified address read as loopback.
pub fn default_url(listen: SocketAddr) -> String {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/healthz", SocketAddr::new(ip, listen.port()))
}

async fn probe(url: &str, timeout: Duration) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let response = client.get(url).send().await.map_err(|e| format!("no answer ({})", without_url(e)))?;
    let status = response.status();
    if status.is_success() { Ok(()) } else { Err(format!("answered {status}")) }
}

/// reqwest's message without the URL (already printed once).
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_url_reads_an_unspecified_listen_address_as_loopback() {
        assert_eq!(default_url("0.0.0.0:3000".parse().unwrap()), "http://127.0.0.1:3000/healthz");
        assert_eq!(default_url("[::]:8080".parse().unwrap()), "http://[::1]:8080/healthz");
        assert_eq!(default_url("127.0.0.2:3001".parse().unwrap()), "http://127.0.0.2:3001/healthz");
    }
}
