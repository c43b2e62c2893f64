//! Baselines: adopt storylint in a repository with existing findings.
//! `--write-baseline FILE` records the fingerprints of today's findings;
//! `--baseline FILE` sets those findings aside and reports only new ones.
//! Fingerprints (see [`crate::lint::fingerprint`]) ignore formatting,
//! positions and the order of actions, so re-exporting a story does not
//! bring its accepted findings back. Entries that no longer match a finding
//! in a checked file are reported as stale.

use crate::error::{ConfigError, ConfigErrorKind, InputWarning, InputWarningKind};
use crate::lint::FileReport;
use crate::rules::RuleSet;
use crate::source::LineIndex;
use crate::suppress::{Suppressed, SuppressedBy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding. Only `fingerprint` is used for matching; the rest
/// helps a reviewer and locates stale entries.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub file: String,
    pub pointer: String,
    pub message: String,
}

/// A file name as the baseline stores it: `/` separators, no leading `./`.
fn normal_name(name: &str) -> String {
    let s = name.replace('\\', "/");
    s.trim_start_matches("./").to_string()
}

impl Baseline {
    /// The baseline for the findings currently reported in `files`.
    pub fn from_files(files: &[FileReport], rules: &RuleSet) -> Self {
        // Findings the current baseline hid are still accepted: writing a
        // baseline over the one in use keeps them.
        let mut findings: Vec<Entry> = files
            .iter()
            .flat_map(|f| {
                f.findings.iter().chain(
                    f.suppressed
                        .iter()
                        .filter(|s| s.by == SuppressedBy::Baseline)
                        .map(|s| &s.finding),
                )
            })
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule: rules.rules[f.rule].id.clone(),
                file: normal_name(&f.file),
                pointer: f.pointer.clone(),
                message: f.message.clone(),
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.file, &a.pointer, &a.rule, &a.fingerprint).cmp(&(
                &b.file,
                &b.pointer,
                &b.rule,
                &b.fingerprint,
            ))
        });
        Baseline {
            version: VERSION,
            findings,
        }
    }

    /// Reads a baseline file; errors are located in it.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Baseline,
                &name,
                format!("cannot read baseline: {}", crate::lint::io_message(&e)),
            )
            .with_help("create one with `storylint check --write-baseline FILE`")
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            let index = LineIndex::new(&text);
            // serde_json counts lines from 1 and columns (bytes) from 1.
            let line_start: usize = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum();
            let offset = (line_start + e.column().saturating_sub(1)).min(text.len());
            let offset = (0..=offset)
                .rev()
                .find(|o| text.is_char_boundary(*o))
                .unwrap_or(0);
            let end = text[offset..]
                .chars()
                .next()
                .map_or(offset, |c| offset + c.len_utf8());
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            ConfigError::new(
                ConfigErrorKind::Baseline,
                &name,
                format!("invalid baseline: {message}"),
            )
            .with_help("regenerate it with `storylint check --write-baseline FILE`")
            .at(&text, &index, offset..end)
        })?;
        if baseline.version != VERSION {
            return Err(ConfigError::new(
                ConfigErrorKind::Baseline,
                &name,
                format!(
                    "baseline version {} is not supported (this storylint writes version {VERSION})",
                    baseline.version
                ),
            ));
        }
        Ok(baseline)
    }

    /// Writes the baseline to `path`, replacing it atomically (see
    /// [`crate::report::replace_file`]).
    pub fn write(&self, path: &Path) -> Result<(), ConfigError> {
        crate::report::replace_file(path, |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::other)?;
            writeln!(w)
        })
        .map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Output,
                &path.display().to_string(),
                format!("cannot write baseline: {}", crate::lint::io_message(&e)),
            )
        })
    }

    /// Sets aside the findings the baseline holds (each entry matches one
    /// finding) and adds a note to each checked file for its entries that
    /// matched nothing.
    pub fn apply(&self, files: &mut [FileReport]) {
        let mut remaining: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            *remaining.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        let mut used: HashMap<&str, usize> = HashMap::new();
        for file in files.iter_mut() {
            let mut kept = Vec::with_capacity(file.findings.len());
            for f in std::mem::take(&mut file.findings) {
                match remaining.get_mut(f.fingerprint.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        if let Some(e) = self
                            .findings
                            .iter()
                            .find(|e| e.fingerprint == f.fingerprint)
                        {
                            *used.entry(e.fingerprint.as_str()).or_default() += 1;
                        }
                        file.suppressed.push(Suppressed {
                            finding: f,
                            by: SuppressedBy::Baseline,
                            reason: "in the baseline".into(),
                        });
                    }
                    _ => kept.push(f),
                }
            }
            file.findings = kept;
        }
        // Entries for files in this run that matched nothing are stale.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            let n = seen.entry(e.fingerprint.as_str()).or_default();
            *n += 1;
            if *n <= used.get(e.fingerprint.as_str()).copied().unwrap_or(0) {
                continue;
            }
            let target = normal_name(&e.file);
            if let Some(file) = files
                .iter_mut()
                .find(|f| normal_name(&f.file) == target && f.errors.is_empty())
            {
                file.warnings.push(
                    InputWarning::new(
                        InputWarningKind::StaleBaseline,
                        &file.file,
                        format!(
                            "baseline entry for `{}` at {} matches no finding any more",
                            e.rule, e.pointer
                        ),
                    )
                    .with_help("the finding was fixed or changed; rewrite the baseline with --write-baseline"),
                );
            }
        }
    }
}
