//! `errkb backup --out FILE`: an online copy of the SQLite database `errkb serve` uses, taken
//! while it runs. PostgreSQL is backed up with `pg_dump` (docs/operations.md).
//!
//! An edge: reads the configuration for the database URL and calls the store, which opens the
//! database as it is (no migration), so a backup taken before an upgrade is the old schema.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (must not exist).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Config file to read `database_url` from (default: ./errkb.toml when it exists).
    #[arg(long, env = "ERRKB_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(args.config.as_deref())?;
    if !config.database_url.expose_secret().starts_with("sqlite:") {
        anyhow::bail!("{}", crate::store::StoreError::BackupNeedsPgDump);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let store = Store::open_existing(config.database_url.expose_secret())
            .await
            .with_context(|| format!("opening {}", config.database_url_masked()))?;
        let done = store.backup_to(&args.out).await;
        store.close().await;
        done.with_context(|| format!("backing up {}", config.database_url_masked()))
    })?;
    println!("wrote {} (a consistent copy of {})", args.out.display(), config.database_url_masked());
    Ok(ExitCode::SUCCESS)
}
