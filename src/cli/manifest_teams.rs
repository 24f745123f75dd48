//! `errkb manifest teams --app-id ID --url https://HOST --out errkb-teams.zip`: writes the Teams
//! app package (manifest.json, color.png, outline.png at the zip root) to upload in Teams.
//!
//! An edge: argument handling and the file write; the package itself lives in the Teams adapter.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub struct TeamsManifestArgs {
    /// The bot's Microsoft App ID (a GUID); also used as the Teams app id.
    #[arg(long, env = "MICROSOFT_APP_ID", value_name = "ID")]
    pub app_id: String,
    /// errkb's public URL (https://HOST).
    #[arg(long, env = "ERRKB_PUBLIC_URL", value_name = "URL")]
    pub url: String,
    /// Where to write the package.
    #[arg(long, value_name = "FILE", default_value = "errkb-teams.zip")]
    pub out: PathBuf,
    /// Ask for resource-specific consent to read channel messages (ChannelMessage.Read.Group), so
    /// channels set to answer pasted errors automatically get them without a mention.
    #[arg(long)]
    pub auto_answer: bool,
}

pub fn run(args: TeamsManifestArgs) -> anyhow::Result<ExitCode> {
    let zip = crate::teams::manifest::package_with(&args.app_id, &args.url, args.auto_answer)?;
    std::fs::write(&args.out, zip).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("wrote {} (manifest.json, color.png, outline.png)", args.out.display());
    Ok(ExitCode::SUCCESS)
}
