//! `errkb manifest slack --url https://HOST` or `errkb manifest slack --socket-mode` (no URL
//! needed): prints the Slack app manifest, ready to paste into "Create an app from a manifest".
//!
//! An edge: argument parsing and printing; the manifest itself lives in the Slack adapter.

use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct ManifestArgs {
    #[command(subcommand)]
    target: Target,
}

#[derive(Debug, Subcommand)]
enum Target {
    /// The Slack app manifest (YAML).
    Slack {
        /// errkb's public URL (https://HOST): the request URLs point under it. Not needed with
        /// --socket-mode.
        #[arg(long, env = "ERRKB_PUBLIC_URL", value_name = "URL", required_unless_present = "socket_mode")]
        url: Option<String>,
        /// Turn on Socket Mode (no public URL needed; set SLACK_APP_TOKEN).
        #[arg(long)]
        socket_mode: bool,
        /// Also receive new channel messages (message.channels, message.groups; channels:history,
        /// groups:history), for channels set to answer pasted errors automatically.
        #[arg(long)]
        auto_answer: bool,
    },
    /// The Teams app package (a zip with manifest.json and the two icons).
    Teams(super::manifest_teams::TeamsManifestArgs),
}

pub fn run(args: ManifestArgs) -> anyhow::Result<ExitCode> {
    match args.target {
        Target::Slack { url, socket_mode, auto_answer } => {
            let text = match url {
                Some(url) => crate::slack::manifest::render(&url, socket_mode)?,
                None => crate::slack::manifest::render_socket_mode(),
            };
            print!("{}", if auto_answer { crate::slack::manifest::with_auto_answer(&text) } else { text })
        }
        Target::Teams(args) => return super::manifest_teams::run(args),
    }
    Ok(ExitCode::SUCCESS)
}
