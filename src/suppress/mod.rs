//! Stage 6: setting aside the findings a user has accepted. They are
//! counted and reported as suppressed, never silently dropped. Three
//! sources, applied in this order by a [`Suppressor`]:
//!
//! 1. `storylint: ignore[...]` directives in an action's description
//!    ([`directives`]), read while the file's document is open;
//! 2. the configuration: a rule turned off or given another severity for
//!    a path, then its `ignore` entries ([`ignores`]);
//! 3. a baseline of fingerprints ([`baseline`]), once every file is checked.

pub(crate) mod baseline;
mod directives;
mod ignores;

use crate::config::{Config, RuleSetting};
use crate::export::Action;
use crate::finding::{FileReport, Finding};
use crate::parse::Document;
use crate::rules::RuleSet;
use crate::source::Shown;
use std::path::{Path, PathBuf};

pub(crate) use crate::finding::{Suppressed, SuppressedBy};

/// A file whose document is open: what directives are read from and
/// their notes are placed in.
pub(crate) struct FileContext<'a, 't> {
    pub(crate) doc: &'a Document<'t>,
    pub(crate) actions: &'a [Action],
    /// The file, its secrets masked where notes show it.
    pub(crate) shown: &'a Shown<'a>,
}

/// Sets findings aside for one run.
pub(crate) struct Suppressor<'a> {
    rules: &'a RuleSet,
    config: Option<&'a Config>,
    /// False with `--no-ignores`: directives, `ignore` entries and the
    /// baseline set nothing aside (per-path rule settings still apply).
    ignores: bool,
    /// The baseline in use, for `--fix`: a finding it accepts is not
    /// fixed. (The baseline itself is applied across the run, once every
    /// file is checked.)
    held: Option<(&'a baseline::Loaded, PathBuf)>,
}

impl<'a> Suppressor<'a> {
    pub(crate) fn new(rules: &'a RuleSet, config: Option<&'a Config>, ignores: bool) -> Self {
        Suppressor {
            rules,
            config,
            ignores,
            held: None,
        }
    }

    /// Remembers the baseline in use (with the directory file names are
    /// relative to), so that [`Suppressor::held`] knows the findings it
    /// will set aside.
    pub(crate) fn hold(&mut self, baseline: &'a baseline::Loaded, cwd: &Path) {
        if self.ignores {
            self.held = Some((baseline, cwd.to_path_buf()));
        }
    }

    /// Which of the findings of file `name` the baseline in use accepts:
    /// as many of each rule and fingerprint as it has entries for the file,
    /// in order, as the baseline itself matches them.
    pub(crate) fn held(&self, name: &str, findings: &[Finding]) -> Vec<bool> {
        let Some((baseline, cwd)) = &self.held else {
            return vec![false; findings.len()];
        };
        let mut counts = baseline.counts_in(&baseline::file_key(cwd, name));
        findings
            .iter()
            .map(|f| {
                let key = (
                    self.rules.rules[f.rule].id.clone(),
                    f.fingerprint.to_string(),
                );
                match counts.get_mut(&key) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        true
                    }
                    _ => false,
                }
            })
            .collect()
    }

    /// Sets aside the new findings of one file, while its document is
    /// open: by directive, then by configuration. `placed` pairs each
    /// finding with the index of its action in `file.actions`.
    pub(crate) fn in_file(
        &self,
        placed: Vec<(usize, Finding)>,
        file: &FileContext,
        report: &mut FileReport,
    ) {
        if self.ignores {
            directives::apply(placed, file, self.rules, report);
        } else {
            report.findings.extend(placed.into_iter().map(|(_, f)| f));
        }
        if let Some(config) = self.config {
            ignores::apply(report, config, self.rules, self.ignores);
        }
    }

    /// A note for each configuration `ignore` entry that set nothing
    /// aside in this run (none with `--no-ignores`, which applies none).
    pub(crate) fn unused_config_ignores(&self) -> Vec<crate::error::ConfigError> {
        match self.config {
            Some(config) if self.ignores => config.unused_ignores(),
            _ => Vec::new(),
        }
    }

    /// Sets aside, across the files of the run, the findings `baseline`
    /// holds (see [`baseline::Loaded::apply`]); returns how each entry was
    /// used. Nothing is set aside with `--no-ignores`.
    pub(crate) fn across_run(
        &self,
        baseline: &baseline::Loaded,
        files: &mut [FileReport],
        unread: &[String],
        cwd: &Path,
    ) -> Vec<baseline::Use> {
        if !self.ignores {
            return Vec::new();
        }
        let ids: Vec<&str> = self.rules.rules.iter().map(|r| r.id.as_str()).collect();
        let mut settings: std::collections::HashMap<PathBuf, Vec<Option<RuleSetting>>> =
            std::collections::HashMap::new();
        // Whether `rule` runs on `file`: loaded, enabled, and not turned off
        // for the file's path.
        let mut runs = |rule: &str, file: &Path| {
            let Some(i) = ids.iter().position(|id| *id == rule) else {
                return false;
            };
            let Some(config) = self.config else {
                return self.rules.rules[i].enabled;
            };
            let here = settings
                .entry(file.to_path_buf())
                .or_insert_with(|| config.settings_in(file, &ids));
            self.rules.rules[i].enabled && here[i] != Some(RuleSetting::Off)
        };
        baseline.apply(files, unread, cwd, &mut runs)
    }
}
