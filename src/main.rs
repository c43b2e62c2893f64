use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(storylint::cli::main())
}
