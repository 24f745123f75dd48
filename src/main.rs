//! The `errkb` binary: parse the command line, hand over to [`errkb::cli::run`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = errkb::cli::Cli::parse();
    errkb::cli::run(cli)
}
