use std::process::ExitCode;

// Linting allocates many small, short-lived strings and vectors (decoded
// values, match results); mimalloc serves them markedly faster than the
// system allocator (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(storylint::cli::main())
}
