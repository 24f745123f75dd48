//! `errkb serve`: read the configuration, then run the service until SIGTERM or ctrl-c.
//! `--check-config` prints the effective configuration (secrets masked) and which integrations
//! are on, and exits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::app::Application;
use crate::config::Config;

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

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if args.kb.is_some() {
        config.kb_dir = args.kb;
    }
    config.slack.socket_mode |= args.socket_mode;
    if args.check_config {
        print!("{}", config.describe());
        match config.resolved_kb_dir() {
            Some(dir) => println!("\nknowledge base: {}", dir.display()),
            None => println!("\nknowledge base: not found (set ERRKB_KB_DIR)"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    for i in config.integrations() {
        tracing::info!(integration = i.name, on = i.on, why = %i.why, "integration");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let app = Application::build(config).await?;
        tracing::info!(port = app.port(), backend = app.state().store.backend(), "errkb serving");
        app.run_until_stopped().await.context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}
