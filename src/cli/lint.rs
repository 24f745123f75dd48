//! `errkb lint`: print findings, exit 1 when any is an error.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::kb::{lint_report, load_dir};
use crate::search::message_overlaps;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Knowledge-base directory (default: ./kb, then kb/ beside the binary).
    #[arg(value_name = "DIR", env = "ERRKB_KB_DIR")]
    dir: Option<PathBuf>,
    /// Print findings as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let Some(dir) = crate::config::resolve_kb_dir(args.dir.as_deref()) else {
        anyhow::bail!("no knowledge base found: pass a directory");
    };
    let loaded = load_dir(&dir)?;
    let overlaps = message_overlaps(&loaded.guides);
    let mut report = lint_report(loaded);
    report.findings.extend(overlaps);
    report.findings.sort_by(|a, b| (&a.path, a.line, a.rule).cmp(&(&b.path, b.line, b.rule)));
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "guides": report.guides,
            "errors": report.error_count(),
            "warnings": report.warning_count(),
            "findings": report.findings,
        });
        writeln!(out, "{json}")?;
    } else {
        for finding in &report.findings {
            writeln!(out, "{finding}")?;
        }
        eprintln!("{} guides, {} errors, {} warnings", report.guides, report.error_count(), report.warning_count());
    }
    Ok(if report.error_count() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
