//! What the test groups share: the built binary run as a user runs it, the
//! repository it was built from (fixtures, rules, docs), the built-in rule
//! set, and small helpers for files and text positions.

use serde_json::Value;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use storylint::rules::RuleSet;

/// The storylint binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_storylint");

/// One HTTP Request action (checked as an export on its own) with one
/// finding: `HEAD` is not a method Tines can send.
pub const DEFECTIVE_ACTION: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "Call API", "options": {"url": "https://api.example.com", "method": "HEAD"}}"#;

/// The repository root, where `fixtures/`, `docs/` and `Cargo.lock` are.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// storylint, run in `dir`, with no colour or width setting inherited from
/// the terminal the tests run in.
pub fn storylint(dir: &Path) -> Command {
    storylint_via(dir, &[] as &[&str])
}

/// [`storylint`] run through `prefix`, a command that runs the command
/// after it (`setpriv ...`, `sh -c ...`), or directly when `prefix` is
/// empty.
pub fn storylint_via<S: AsRef<OsStr>>(dir: &Path, prefix: &[S]) -> Command {
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut cmd = Command::new(first);
            cmd.args(rest).arg(BIN);
            cmd
        }
        None => Command::new(BIN),
    };
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    cmd
}

/// One finished run.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd`, which must exit normally (not by a signal) and print UTF-8
/// on stdout and stderr.
pub fn output_of(cmd: &mut Command) -> Out {
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `cmd` with `input` on its stdin (see [`output_of`]).
pub fn output_with_stdin(cmd: &mut Command, input: &str) -> Out {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    Out {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `storylint ARGS` in `dir` (see [`output_of`]).
pub fn run(dir: &Path, args: &[&str]) -> Out {
    output_of(storylint(dir).args(args))
}

/// Runs `check ARGS --format json` in `dir`; returns the exit code and the
/// document.
pub fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = storylint(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}) for {args:?}:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

/// The text of `path`, relative to the repository root.
pub fn read_repo_file(path: &str) -> String {
    fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The text of `fixtures/defective/NAME`.
pub fn fixture(name: &str) -> String {
    read_repo_file(&format!("fixtures/defective/{name}"))
}

/// Every story export under `fixtures/` (`clean`, `defective`, `legacy`
/// and `shapes`), sorted.
pub fn fixture_exports() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in ["clean", "defective", "legacy", "shapes"] {
        let dir = repo().join("fixtures").join(dir);
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

/// Writes `contents` to `dir/rel`, creating directories.
pub fn put<C: AsRef<[u8]> + ?Sized>(dir: &Path, rel: &str, contents: &C) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, contents.as_ref()).unwrap();
    path
}

/// 1-based line and column (characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line as u64, column as u64)
}

/// The built-in rules, which must all compile.
pub fn builtin_rules() -> RuleSet {
    let (rules, errors) = RuleSet::builtin();
    assert!(
        errors.is_empty(),
        "built-in rules must compile: {errors:#?}"
    );
    rules
}
