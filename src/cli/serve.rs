//! `errkb serve`: read the configuration, then run the service until SIGTERM or ctrl-c.
//! `--check-config` prints the effective configuration (secrets masked) and which integrations
//! are on, and exits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::app::Application;
use crate::config::Config;
use crate::telemetry::LogFormat;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Config file (default: ./errkb.toml when it exists). The environment overrides it.
    #[arg(long, env = "ERRKB_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the effective configuration with secrets masked, and which integrations are on, then exit.
    #[arg(long)]
    check_config: bool,
    /// Listen address (overrides ERRKB_LISTEN).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Knowledge-base directory (overrides ERRKB_KB_DIR).
    #[arg(long, value_name = "DIR")]
    kb: Option<PathBuf>,
    /// Receive Slack over Socket Mode (needs SLACK_APP_TOKEN; no public URL needed).
    #[arg(long)]
    socket_mode: bool,
}

pub fn run(args: ServeArgs, log_format: LogFormat) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
        config.set_by_flag("ERRKB_LISTEN");
    }
    if args.kb.is_some() {
        config.kb_dir = args.kb;
        config.set_by_flag("ERRKB_KB_DIR");
    }
    if args.socket_mode {
        config.slack.socket_mode = true;
        config.set_by_flag("ERRKB_SLACK_SOCKET_MODE");
    }
    if args.check_config {
        print!("{}", config.describe());
        println!("\n# read by the command line, not errkb.toml");
        println!("{:<32} = {}", "ERRKB_CONFIG", config_file_line(args.config.as_deref()));
        println!("{:<32} = {}", "ERRKB_LOG_FORMAT", log_format_line(log_format));
        match config.resolved_kb_dir() {
            Some(dir) => println!("\nknowledge base: {}", dir.display()),
            None => println!("\nknowledge base: not found (set ERRKB_KB_DIR)"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    for i in config.integrations() {
        tracing::info!(integration = i.name, on = i.on, why = %i.why, "integration");
    }
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let app = Application::build(config).await?;
        tracing::info!(port = app.port(), backend = app.state().store.backend(), "errkb serving");
        app.run_until_stopped().await.context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Which config file was read, and why (`--config`, `ERRKB_CONFIG`, or `./errkb.toml` by default).
fn config_file_line(given: Option<&Path>) -> String {
    match given {
        Some(path) => format!("{}  ({})", path.display(), flag_or_env("ERRKB_CONFIG", &path.to_string_lossy())),
        None if Path::new("errkb.toml").is_file() => "errkb.toml  (default: found in the working directory)".into(),
        None => "(none: no --config, no ERRKB_CONFIG, no ./errkb.toml)".into(),
    }
}

fn log_format_line(format: LogFormat) -> String {
    let name = match format {
        LogFormat::Text => "text",
        LogFormat::Json => "json",
    };
    let source = match std::env::var("ERRKB_LOG_FORMAT") {
        Ok(_) => flag_or_env("ERRKB_LOG_FORMAT", name),
        Err(_) if format == LogFormat::Text => "default",
        Err(_) => "command line",
    };
    format!("{name}  ({source})")
}

/// clap takes a flag over its environment variable: a value equal to the variable's came from it.
fn flag_or_env(env: &str, value: &str) -> &'static str {
    match std::env::var(env) {
        Ok(v) if v.trim().eq_ignore_ascii_case(value.trim()) => "environment",
        _ => "command line",
    }
}
