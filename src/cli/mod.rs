//! The `errkb` command line: `ask`, `lint`, `index`, `serve`, `probe`, `manifest`, `healthcheck`
//! and `backup`.
//!
//! An edge: parses arguments with clap, loads the knowledge base, calls the core and prints. Uses
//! anyhow; exit codes are part of the contract (ask: 0 found, 1 nothing found, 2 usage or KB
//! error; lint: 0 clean, 1 errors, 2 unreadable KB; probe: 0 valid, 1 refused by Entra or
//! unreachable, 2 nothing sent; healthcheck: 0 healthy, 1 not; backup: 0 written, 2 failed).

mod ask;
mod backup;
mod healthcheck;
mod lint;
mod manifest;
mod manifest_teams;
mod probe;
mod probe_text;
mod render;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::kb::{LoadReport, load_dir};
use crate::search::Engine;
use crate::telemetry::{self, LogFormat};

#[derive(Debug, Parser)]
#[command(name = "errkb", version, about = "Error-code knowledge base: answers AADSTS and other error codes")]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "ERRKB_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer a question: a code, a pasted error or log, or a description.
    Ask(ask::AskArgs),
    /// Check guides for errors (exit 1) and warnings, as path:line findings.
    Lint(lint::LintArgs),
    /// Build the search index and write it to a directory (open it later with --index).
    Index(IndexArgs),
    /// Run the service: web pages, JSON API, health and metrics (and chat endpoints when configured).
    Serve(serve::ServeArgs),
    /// Check a tenant, client id and secret (or certificate) against Entra, live, and explain the result.
    Probe(probe::ProbeArgs),
    /// Print a chat app manifest (`errkb manifest slack --socket-mode`, `errkb manifest teams ...`).
    Manifest(manifest::ManifestArgs),
    /// Ask a running errkb whether it answers (exit 0) or not (exit 1): for container health checks.
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Copy the SQLite database while errkb runs (PostgreSQL: use pg_dump).
    Backup(backup::BackupArgs),
}

/// Where the guides come from: a Markdown directory or a prebuilt index.
#[derive(Debug, Clone, Args)]
pub struct KbArgs {
    /// Knowledge-base directory (default: ./kb, then kb/ beside the binary).
    #[arg(long, env = "ERRKB_KB_DIR", value_name = "DIR")]
    pub kb: Option<PathBuf>,
    /// Open a prebuilt index written by `errkb index --out DIR` instead of reading kb/.
    #[arg(long, env = "ERRKB_INDEX_DIR", value_name = "DIR", conflicts_with = "kb")]
    pub index: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    kb: KbArgs,
    /// Directory to write the index to (created; must be empty if it exists).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let level = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
    telemetry::init(cli.log_format, level);
    let result = match cli.command {
        Command::Ask(args) => ask::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Index(args) => index(args),
        Command::Serve(args) => serve::run(args, cli.log_format),
        Command::Manifest(args) => manifest::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Healthcheck(args) => healthcheck::run(args),
        Command::Backup(args) => backup::run(args),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`errkb lint kb | head`): stop quietly, as other tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("errkb: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Loads the resolved kb/ directory (guides and thesaurus), logging every broken file.
pub fn load_kb(dir: Option<&Path>) -> anyhow::Result<LoadReport> {
    let Some(dir) = crate::config::resolve_kb_dir(dir) else {
        bail!("no knowledge base found: pass --kb DIR or set ERRKB_KB_DIR (looked for ./kb and kb/ beside the binary)");
    };
    let report = load_dir(&dir)?;
    for finding in report.errors() {
        tracing::warn!(%finding, "guide skipped");
    }
    if report.guides.is_empty() {
        bail!("no guides could be loaded from {}", dir.display());
    }
    Ok(report)
}

/// Builds (or opens) the search engine the command asked for.
pub fn load_engine(args: &KbArgs) -> anyhow::Result<Engine> {
    if let Some(dir) = &args.index {
        return Engine::open(dir).with_context(|| format!("opening the index in {}", dir.display()));
    }
    let report = load_kb(args.kb.as_deref())?;
    Ok(Engine::from_report(report)?)
}

fn index(args: IndexArgs) -> anyhow::Result<ExitCode> {
    let report = load_kb(args.kb.kb.as_deref())?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    if std::fs::read_dir(&args.out)?.next().is_some() {
        bail!("{} is not empty: choose a new or empty directory", args.out.display());
    }
    let engine = Engine::build_in_dir(report.guides, &args.out)?.with_thesaurus(report.thesaurus);
    engine.save_thesaurus(&args.out).with_context(|| format!("writing the thesaurus into {}", args.out.display()))?;
    println!("indexed {} guides into {}", engine.len(), args.out.display());
    Ok(ExitCode::SUCCESS)
}
