//! `errkb ask`: answer one question on the terminal or as the JSON contract.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;

use super::{KbArgs, load_engine, render};
use crate::answer::{AnswerJson, Question, answer};

#[derive(Debug, Args)]
pub struct AskArgs {
    #[command(flatten)]
    kb: KbArgs,
    /// Print exactly one JSON object (the `errkb ask --json` contract) instead of text.
    #[arg(long)]
    json: bool,
    /// At most this many guides in the answer.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
    limit: u16,
    /// The question: a code, a pasted error, or words. `-` reads standard input.
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    query: Vec<String>,
}

pub fn run(args: AskArgs) -> anyhow::Result<ExitCode> {
    let raw = if args.query == ["-"] { std::io::read_to_string(std::io::stdin())? } else { args.query.join(" ") };
    let question = Question::parse(&raw)?;
    let engine = load_engine(&args.kb)?;
    let answer = answer(&engine, &question, args.limit as usize);
    let base = crate::config::public_url_from_env();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &AnswerJson::new(&answer, &base))?;
        writeln!(out)?;
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        write!(out, "{}", render::answer(&answer, &base, color))?;
    }
    Ok(if answer.is_found() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
