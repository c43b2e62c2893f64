//! The command line: parses arguments, runs the subcommand, and returns the
//! exit code. Output goes through [`crate::report`]; nothing here prints.

mod args;
mod catalog;
mod check;
mod fix;
mod guard;

pub(crate) use args::*;

use crate::report;
use std::io::{IsTerminal, Write};

/// Parses the process arguments and runs; returns the exit code.
pub fn main() -> u8 {
    match <Cli as clap::Parser>::try_parse() {
        Ok(cli) => run(cli),
        Err(e) => report::usage_error(&e),
    }
}

pub(crate) fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check::check(args),
        Command::Rules(args) => catalog::list_rules(args),
        Command::Explain(args) => catalog::explain(args),
        Command::Apis(args) => catalog::list_apis(args),
        Command::TestRules(args) => catalog::test_rules(args),
        Command::Completions(args) => with_stdout(|out| {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "storylint", out);
            report::exit::CLEAN
        }),
    }
}

/// Runs `f` on buffered stdout, flushed at the end; returns its exit code.
fn with_stdout(f: impl FnOnce(&mut dyn Write) -> u8) -> u8 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = f(&mut out);
    let _ = out.flush();
    code
}

/// Options for the human format.
fn human_options(color: ColorChoice, statistics: bool) -> report::human::Options {
    report::human::Options {
        color: use_color(color),
        width: terminal_width(),
        statistics,
        brief: false,
        show: crate::severity::Severity::Info,
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let set =
                |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
            if set("NO_COLOR") {
                false
            } else if set("CLICOLOR_FORCE") {
                true
            } else {
                std::io::stdout().is_terminal()
            }
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_code_constants() {
        use crate::report::exit;
        assert_eq!((exit::CLEAN, exit::FINDINGS, exit::ERROR), (0, 1, 2));
    }
}
