//! The `bar-raiser` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    bar_raiser::telemetry::init();
    let cli = bar_raiser::cli::Cli::parse();
    match bar_raiser::cli::main(cli) {
        Ok(code) => code,
        Err(error) => {
            // One readable line with the cause chain, not a backtrace.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
