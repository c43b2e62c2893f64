//! The overwrite guard: reports and baselines never land on a file the run
//! reads (an input, the configuration, a rule file, the baseline in use),
//! a baseline never replaces a file that is not one, and two files of a run
//! never go to one place. Decided before anything is written.

use super::CheckArgs;
use crate::discover;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::suppress::baseline::Loaded;
use crate::yaml::files::Role;
use std::path::{Path, PathBuf};

/// Files of the run that reports and baselines must not overwrite, by
/// their real path, with what they are.
#[derive(Default)]
pub(super) struct Guarded {
    files: Vec<(PathBuf, &'static str)>,
}

impl Guarded {
    pub(super) fn add(&mut self, path: &Path, what: &'static str) {
        if let Ok(real) = path.canonicalize() {
            self.files.push((real, what));
        }
    }

    /// A `--rules` path or `rule-dirs` entry: the file, or every rule file
    /// under the directory, as the rule loader finds them (links followed).
    pub(super) fn add_rules(&mut self, path: &Path) {
        self.add_yaml(path, Role::Rule, "a rule file of this run");
    }

    /// An `--apis` path or `api-dirs` entry, likewise.
    pub(super) fn add_apis(&mut self, path: &Path) {
        self.add_yaml(path, Role::Api, "an API profile of this run");
    }

    fn add_yaml(&mut self, path: &Path, role: Role, what: &'static str) {
        self.add(path, what);
        for file in crate::yaml::files::list(path, role).0 {
            self.add(&file, what);
        }
    }

    pub(super) fn add_inputs(&mut self, inputs: &[discover::Input]) {
        for input in inputs {
            if let discover::InputSource::Path(p) = &input.source {
                self.add(p, "one of this run's inputs");
            }
        }
    }

    fn find(&self, key: &Path) -> Option<&'static str> {
        self.files
            .iter()
            .find(|(p, _)| p == key)
            .map(|(_, what)| *what)
    }
}

/// Which of the run's files may be written, decided before anything is.
pub(super) struct Targets {
    /// `--write-baseline` may be written.
    pub(crate) baseline: bool,
    /// The baseline already at `--write-baseline`, when it is not the
    /// `--baseline` one.
    pub(crate) existing_baseline: Option<Loaded>,
    /// Per `--output`, whether it may be written.
    pub(crate) outputs: Vec<bool>,
    pub(crate) problems: Vec<ConfigError>,
}

const ELSEWHERE: &str = "name another file; storylint never overwrites what it reads";

fn refuse(path: &Path, message: String, help: &str) -> ConfigError {
    ConfigError::new(
        ConfigErrorKind::OutputRefused,
        &path.display().to_string(),
        message,
    )
    .with_help(help)
}

/// Refuses to write over an input of the run (or its configuration, rule
/// files or the baseline in use), to write a baseline over a file that is
/// not one, and to write two files of the run to the same place.
pub(super) fn check_targets(
    args: &CheckArgs,
    cwd: &Path,
    guarded: &Guarded,
    write_baseline: bool,
) -> Targets {
    let mut targets = Targets {
        baseline: true,
        existing_baseline: None,
        outputs: Vec::new(),
        problems: Vec::new(),
    };
    // Where each path leads: symbolic links followed, the directory
    // resolved when the file does not exist yet.
    let in_use = args.baseline.as_deref().map(|p| crate::paths::key(cwd, p));
    let mut taken: Vec<PathBuf> = Vec::new();
    if let (Some(path), true) = (&args.write_baseline, write_baseline) {
        baseline_target(path, cwd, guarded, in_use.as_deref(), &mut targets);
        // A FIFO or device takes each write in turn, as with `>`.
        if targets.baseline && !crate::paths::is_special(path) {
            taken.push(crate::paths::key(cwd, path));
        }
    }
    for spec in &args.output {
        let key = crate::paths::key(cwd, &spec.path);
        let what = guarded
            .find(&key)
            .or_else(|| (in_use.as_deref() == Some(&key)).then_some("the baseline in use"))
            .or_else(|| {
                taken
                    .contains(&key)
                    .then_some("written by this run already (another --output or --write-baseline)")
            });
        match what {
            Some(what) => {
                targets.problems.push(refuse(
                    &spec.path,
                    format!("refusing to write a report over this file: it is {what}"),
                    ELSEWHERE,
                ));
                targets.outputs.push(false);
            }
            None => {
                if !crate::paths::is_special(&spec.path) {
                    taken.push(key);
                }
                targets.outputs.push(true);
            }
        }
    }
    targets
}

/// Whether the baseline may be written at `path`, and the baseline already
/// there (when it is not the one in use, `in_use`).
fn baseline_target(
    path: &Path,
    cwd: &Path,
    guarded: &Guarded,
    in_use: Option<&Path>,
    targets: &mut Targets,
) {
    let key = crate::paths::key(cwd, path);
    let is_in_use = in_use == Some(key.as_path());
    let is_file = std::fs::metadata(&key).is_ok_and(|m| m.is_file() && m.len() > 0);
    // A baseline already there is storylint's own file, safe to
    // replace even when a walk also read it as an input.
    let existing = if is_file && !is_in_use {
        Some(Loaded::load(path, cwd))
    } else {
        None
    };
    let input = guarded.find(&key).filter(|_| !is_in_use);
    match (existing, input) {
        (Some(Ok(loaded)), _) => targets.existing_baseline = Some(loaded),
        (_, Some(what)) => {
            targets.problems.push(refuse(
                path,
                format!("refusing to replace this file with a baseline: it is {what}"),
                ELSEWHERE,
            ));
            targets.baseline = false;
        }
        (Some(Err(e)), None) => {
            let mut r = refuse(
                path,
                format!(
                    "refusing to replace this file with a baseline: it is not a storylint baseline ({})",
                    e.message
                ),
                "name another file, or delete this one first if it really is an old baseline",
            );
            r.location = e.location;
            targets.problems.push(r);
            targets.baseline = false;
        }
        (None, None) => {}
    }
}
