//! Baselines: adopt storylint in a repository with existing findings.
//! `--write-baseline FILE` records the fingerprints of today's findings;
//! `--baseline FILE` sets those findings aside and reports only new ones.
//! Fingerprints (see [`crate::finding::fingerprint`]) ignore formatting,
//! positions and the order of actions, so re-exporting a story does not
//! bring its accepted findings back. Entries that no longer match a finding
//! of a file checked in this run are reported as stale. Entry files are
//! relative to the baseline's directory; see [`Loaded::apply`] for matching
//! and [`Baseline::for_run`] for what a rewrite keeps.

use crate::error::{ConfigError, ConfigErrorKind, InputWarning, InputWarningKind};
use crate::finding::{FileReport, FileStatus, Fingerprint};
use crate::finding::{Suppressed, SuppressedBy};
use crate::rules::RuleSet;
use crate::source::LineIndex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// Why a finding in the baseline is set aside (one text for them all).
static IN_BASELINE: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("in the baseline"));

/// Version of the baseline file format.
pub(crate) const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Baseline {
    pub(crate) version: u32,
    pub(crate) findings: Vec<Entry>,
}

/// One accepted finding. `fingerprint` and `file` (relative to the
/// baseline's directory, with `/`) are used for matching; the rest helps a
/// reviewer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub(crate) fingerprint: String,
    pub(crate) rule: String,
    pub(crate) file: String,
    pub(crate) pointer: String,
    pub(crate) message: String,
}

/// How an entry was used by [`Loaded::apply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Use {
    /// Matched no finding.
    Unused,
    /// Matched a finding of its own file.
    Own,
    /// Matched a finding of another file: its own file is gone and was not
    /// part of the run (renamed or moved).
    Moved,
    /// Its rule does not run on its file (turned off, or not loaded in
    /// this run): kept as it is, neither matched nor stale.
    Dormant,
}

/// A baseline read from a file, with the file of each entry resolved.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) baseline: Baseline,
    /// Per entry: the normalised absolute path of its file.
    keys: Vec<PathBuf>,
}

/// The key that identifies file `name` (relative to `base`, a directory;
/// see [`crate::paths::key`]). Two spellings of the same file
/// (`stories/a.json`, `./stories/a.json`, `/repo/stories/a.json`, or
/// `a.json` from inside `stories`) get the same key, whether it exists or
/// is gone.
pub(crate) fn file_key(base: &Path, name: &str) -> PathBuf {
    crate::paths::key(base, Path::new(&*crate::paths::slashed(name)))
}

/// The directory holding `file`, as a key (see [`crate::paths::key`]):
/// what entry paths in a baseline at `file` are relative to.
pub(crate) fn dir_of(file: &Path, cwd: &Path) -> PathBuf {
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::paths::key(cwd, parent)
}

/// `key` relative to the directory `base` (both absolute and normalised),
/// with `/` separators, going up with `..` where needed; `key` itself when
/// they share no root (another drive).
pub(crate) fn relative_name(base: &Path, key: &Path) -> String {
    let b: Vec<_> = base.components().collect();
    let k: Vec<_> = key.components().collect();
    let common = b.iter().zip(&k).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return crate::paths::slashed(&key.to_string_lossy()).into_owned();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        k[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Whether a file was read, parsed and checked in full in this run, so
/// that its findings are all there are.
fn checked(file: &FileReport) -> bool {
    file.status != FileStatus::Failed && file.errors.is_empty()
}

impl Baseline {
    /// The baseline `--write-baseline TARGET` writes: the findings of this
    /// run (those reported and those the baseline in use set aside) for
    /// every file checked in full, and for every other file (not part of
    /// the run, or not read or parsed) the entries of the `previous`
    /// baselines (the one at TARGET and the `--baseline` one), so that a
    /// run over some files never forgets the others. Entries that moved to
    /// another file (see [`Use::Moved`]) are recorded under the new name
    /// only. Entry files are relative to TARGET's directory.
    pub(crate) fn for_run(
        files: &[FileReport],
        rules: &RuleSet,
        target: &Path,
        cwd: &Path,
        previous: &[(&Loaded, &[Use])],
    ) -> Self {
        let dir = dir_of(target, cwd);
        let entry = |key: &Path, f: &crate::finding::Finding| Entry {
            fingerprint: f.fingerprint.to_string(),
            rule: rules.rules[f.rule].id.clone(),
            file: relative_name(&dir, key),
            pointer: f.pointer(),
            message: f.message.to_string(),
        };
        // Entries per file, by key; for files not checked in full, each
        // source's entries are merged keeping the most copies any source
        // has of a fingerprint.
        let mut done: BTreeMap<PathBuf, Vec<Entry>> = BTreeMap::new();
        let mut partial: BTreeMap<PathBuf, Vec<Vec<Entry>>> = BTreeMap::new();
        for file in files {
            let key = file_key(cwd, &file.file);
            // Findings the current baseline hid are still accepted: writing
            // a baseline over the one in use keeps them.
            let current: Vec<Entry> = file
                .findings
                .iter()
                .chain(
                    file.suppressed
                        .iter()
                        .filter(|s| s.by == SuppressedBy::Baseline)
                        .map(|s| &s.finding),
                )
                .map(|f| entry(&key, f))
                .collect();
            if checked(file) {
                done.entry(key).or_default().extend(current);
            } else {
                partial.entry(key).or_default().push(current);
            }
        }
        let dormant = keep_previous(previous, &done, &mut partial, &dir);
        let mut findings: Vec<Entry> = done.into_values().flatten().chain(dormant).collect();
        for sources in partial.into_values() {
            let mut merged: Vec<Entry> = Vec::new();
            for source in sources {
                let mut have: HashMap<String, usize> = HashMap::new();
                for e in &merged {
                    *have.entry(e.fingerprint.clone()).or_default() += 1;
                }
                let mut seen: HashMap<String, usize> = HashMap::new();
                for e in source {
                    let n = seen.entry(e.fingerprint.clone()).or_default();
                    *n += 1;
                    if *n > have.get(&e.fingerprint).copied().unwrap_or(0) {
                        merged.push(e);
                    }
                }
            }
            findings.extend(merged);
        }
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
    pub(crate) fn read(path: &Path) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Baseline,
                &name,
                format!("cannot read baseline: {}", crate::error::io_message(&e)),
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
    /// [`crate::paths::replace_file`]).
    pub(crate) fn write(&self, path: &Path) -> Result<(), ConfigError> {
        crate::paths::replace_file(path, |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::other)?;
            writeln!(w)
        })
        .map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Output,
                &path.display().to_string(),
                format!("cannot write baseline: {}", crate::error::io_message(&e)),
            )
        })
    }
}

impl Loaded {
    /// How many entries the baseline has for each rule and fingerprint in
    /// the file whose key (see [`file_key`]) is `key`.
    pub(crate) fn counts_in(&self, key: &Path) -> HashMap<(String, String), usize> {
        let mut counts = HashMap::new();
        for (e, k) in self.baseline.findings.iter().zip(&self.keys) {
            if k == key {
                *counts
                    .entry((e.rule.clone(), e.fingerprint.clone()))
                    .or_insert(0) += 1;
            }
        }
        counts
    }

    /// Reads the baseline at `path` and resolves its entries' files
    /// against its directory.
    pub(crate) fn load(path: &Path, cwd: &Path) -> Result<Self, ConfigError> {
        let baseline = Baseline::read(path)?;
        let dir = dir_of(path, cwd);
        let mut cache: HashMap<&str, PathBuf> = HashMap::new();
        let keys = baseline
            .findings
            .iter()
            .map(|e| {
                cache
                    .entry(e.file.as_str())
                    .or_insert_with(|| file_key(&dir, &e.file))
                    .clone()
            })
            .collect();
        Ok(Loaded { baseline, keys })
    }

    /// Sets aside the findings the baseline holds, each entry matching one
    /// finding: first entries of the finding's own file, then entries of a
    /// file that is neither part of this run nor on disk any more (the
    /// story was renamed or moved). A copy of a baselined story is new:
    /// its findings cannot use up the original's entries. Each file
    /// checked in full gets a note for its entries that matched nothing.
    /// `others` names further inputs of the run (that could not be read).
    /// Returns how each entry was used.
    pub(crate) fn apply(
        &self,
        files: &mut [FileReport],
        others: &[String],
        cwd: &Path,
        runs: &mut dyn FnMut(&str, &Path) -> bool,
    ) -> Vec<Use> {
        let keys: Vec<PathBuf> = files.iter().map(|f| file_key(cwd, &f.file)).collect();
        let in_run: HashSet<PathBuf> = keys
            .iter()
            .cloned()
            .chain(others.iter().map(|o| file_key(cwd, o)))
            .collect();
        let mut uses: Vec<Use> = (self.baseline.findings.iter().zip(&self.keys))
            .map(|(e, key)| {
                if runs(&e.rule, key) {
                    Use::Unused
                } else {
                    Use::Dormant
                }
            })
            .collect();
        let (mut own, mut movable) = self.queues(&in_run);
        // First every file's own entries, so that no other file takes them.
        let mut pending: Vec<Vec<bool>> = Vec::with_capacity(files.len());
        for (file, key) in files.iter().zip(&keys) {
            let mut matched = Vec::with_capacity(file.findings.len());
            for f in &file.findings {
                let i = take(own.get_mut(&(key.as_path(), f.fingerprint)), &uses);
                if let Some(i) = i {
                    uses[i] = Use::Own;
                }
                matched.push(i.is_some());
            }
            pending.push(matched);
        }
        for (file, matched) in files.iter().zip(pending.iter_mut()) {
            for (f, m) in file.findings.iter().zip(matched.iter_mut()) {
                if *m {
                    continue;
                }
                if let Some(i) = take(movable.get_mut(&f.fingerprint), &uses) {
                    uses[i] = Use::Moved;
                    *m = true;
                }
            }
        }
        for (file, matched) in files.iter_mut().zip(pending) {
            set_aside(file, matched);
        }
        self.note_stale(files, &keys, &uses);
        uses
    }

    /// Entries by (file, fingerprint), and those whose file is neither in
    /// the run (`in_run`) nor on disk by fingerprint, each in file order.
    fn queues(&self, in_run: &HashSet<PathBuf>) -> (OwnQueues<'_>, MovableQueues) {
        let mut own = OwnQueues::new();
        let mut movable = MovableQueues::new();
        for (i, e) in self.baseline.findings.iter().enumerate() {
            // An entry that is no fingerprint matches no finding.
            let Some(fp) = Fingerprint::parse(&e.fingerprint) else {
                continue;
            };
            let key = self.keys[i].as_path();
            own.entry((key, fp)).or_default().push_back(i);
            if !in_run.contains(key) && !key.exists() {
                movable.entry(fp).or_default().push_back(i);
            }
        }
        (own, movable)
    }

    /// A note for each entry of a file checked in full that matched
    /// nothing: it is stale.
    fn note_stale(&self, files: &mut [FileReport], keys: &[PathBuf], uses: &[Use]) {
        let mut by_key: HashMap<&Path, usize> = HashMap::new();
        for (n, (file, key)) in files.iter().zip(keys).enumerate() {
            if checked(file) {
                by_key.entry(key.as_path()).or_insert(n);
            }
        }
        for (i, e) in self.baseline.findings.iter().enumerate() {
            if uses[i] != Use::Unused {
                continue;
            }
            let Some(&n) = by_key.get(self.keys[i].as_path()) else {
                continue;
            };
            let file = &mut files[n];
            file.warnings.push(
                InputWarning::new(
                    InputWarningKind::StaleBaseline,
                    &file.file,
                    format!(
                        "baseline entry for `{}` at {} matches no finding any more",
                        e.rule, e.pointer
                    ),
                )
                .with_help(
                    "the finding was fixed or changed; rewrite the baseline with --write-baseline",
                ),
            );
        }
    }
}

/// Adds the `previous` baselines' entries of files not checked in full to
/// `partial`, and returns those whose rule did not run on a file that was
/// checked (they stay as they were). Entries that moved are left out.
fn keep_previous(
    previous: &[(&Loaded, &[Use])],
    done: &BTreeMap<PathBuf, Vec<Entry>>,
    partial: &mut BTreeMap<PathBuf, Vec<Vec<Entry>>>,
    dir: &Path,
) -> Vec<Entry> {
    // Entries whose rule did not run on their file stay as they were.
    let mut dormant: Vec<Entry> = Vec::new();
    for (loaded, uses) in previous {
        let mut by_key: BTreeMap<&PathBuf, Vec<Entry>> = BTreeMap::new();
        for (i, e) in loaded.baseline.findings.iter().enumerate() {
            let key = &loaded.keys[i];
            if done.contains_key(key) && uses.get(i) == Some(&Use::Dormant) {
                dormant.push(Entry {
                    file: relative_name(dir, key),
                    ..e.clone()
                });
            }
            if done.contains_key(key) || uses.get(i) == Some(&Use::Moved) {
                continue;
            }
            by_key.entry(key).or_default().push(Entry {
                file: relative_name(dir, key),
                ..e.clone()
            });
        }
        for (key, entries) in by_key {
            partial.entry(key.clone()).or_default().push(entries);
        }
    }
    dormant.sort_by(|a, b| (&a.fingerprint, &a.pointer).cmp(&(&b.fingerprint, &b.pointer)));
    dormant.dedup_by(|a, b| {
        a.fingerprint == b.fingerprint && a.pointer == b.pointer && a.file == b.file
    });
    dormant
}

/// Entries (their indices) by file key and fingerprint, in file order.
type OwnQueues<'a> = HashMap<(&'a Path, Fingerprint), VecDeque<usize>>;
/// Entries that may have moved to another file, by fingerprint.
type MovableQueues = HashMap<Fingerprint, VecDeque<usize>>;

/// The first entry of a queue not used yet.
fn take(queue: Option<&mut VecDeque<usize>>, uses: &[Use]) -> Option<usize> {
    let queue = queue?;
    while let Some(i) = queue.pop_front() {
        if uses[i] == Use::Unused {
            return Some(i);
        }
    }
    None
}

/// Moves the findings of `file` that `matched` marks to its suppressed ones.
fn set_aside(file: &mut FileReport, matched: Vec<bool>) {
    let mut kept = Vec::with_capacity(file.findings.len());
    for (f, m) in std::mem::take(&mut file.findings).into_iter().zip(matched) {
        if m {
            file.suppressed.push(Suppressed {
                finding: f,
                by: SuppressedBy::Baseline,
                reason: Arc::clone(&IN_BASELINE),
            });
        } else {
            kept.push(f);
        }
    }
    file.findings = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::lint_bytes;

    #[test]
    fn entry_files_are_relative_to_the_baseline_directory() {
        let base = Path::new("/repo/ci");
        assert_eq!(
            relative_name(base, Path::new("/repo/ci/a/b.json")),
            "a/b.json"
        );
        assert_eq!(
            relative_name(base, Path::new("/repo/stories/b.json")),
            "../stories/b.json"
        );
        assert_eq!(
            relative_name(Path::new("/"), Path::new("/x.json")),
            "x.json"
        );
    }

    #[test]
    fn one_file_has_one_key_however_it_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir(d.join("s")).unwrap();
        std::fs::write(d.join("s/a.json"), "{}").unwrap();
        let key = file_key(&d, "s/a.json");
        assert_eq!(key, d.join("s/a.json"));
        assert_eq!(file_key(&d, "./s/../s/a.json"), key);
        assert_eq!(file_key(&d.join("s"), "a.json"), key);
        assert_eq!(
            file_key(Path::new("/elsewhere"), key.to_str().unwrap()),
            key
        );
        // A file that is gone still has a key.
        assert_eq!(file_key(&d, "./s/gone.json"), d.join("s/gone.json"));
        // The same one whichever way its directory is reached, as for the
        // files a run writes (one helper for both).
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("s", d.join("linked")).unwrap();
            assert_eq!(file_key(&d, "linked/gone.json"), d.join("s/gone.json"));
            assert_eq!(file_key(&d, "linked/a.json"), key);
            assert_eq!(dir_of(Path::new("linked/b.json"), &d), d.join("s"));
            assert_eq!(dir_of(Path::new("linked/new/b.json"), &d), d.join("s/new"));
        }
    }

    const ACTION: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "A", "options": {"url": "https://x.example", "method": "HEAD"}}"#;

    #[test]
    fn entries_match_their_own_file_first_and_only_gone_files_move() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        for name in ["a.json", "b.json"] {
            std::fs::write(d.join(name), ACTION).unwrap();
        }
        let (rules, _) = RuleSet::builtin();
        let lint = |name: &str| lint_bytes(name, ACTION.as_bytes().to_vec(), &rules);
        let fp = lint("b.json").findings[0].fingerprint.to_string();
        let entry = |file: &str| Entry {
            fingerprint: fp.clone(),
            rule: "unsupported-http-method".into(),
            file: file.into(),
            pointer: "/options/method".into(),
            message: "m".into(),
        };
        let loaded = |files: &[&str]| Loaded {
            baseline: Baseline {
                version: VERSION,
                findings: files.iter().map(|f| entry(f)).collect(),
            },
            keys: files.iter().map(|f| file_key(&d, f)).collect(),
        };

        // b.json's entry is b.json's, even with a.json first in the run.
        let mut files = vec![lint("a.json"), lint("b.json")];
        let uses = loaded(&["b.json"]).apply(&mut files, &[], &d, &mut |_, _| true);
        assert_eq!(uses, [Use::Own]);
        assert_eq!((files[0].findings.len(), files[1].findings.len()), (1, 0));
        // Not in the run but on disk: not a.json's either.
        let mut files = vec![lint("a.json")];
        let uses = loaded(&["b.json"]).apply(&mut files, &[], &d, &mut |_, _| true);
        assert_eq!(uses, [Use::Unused]);
        assert_eq!(files[0].findings.len(), 1);
        assert!(files[0].warnings.is_empty(), "b.json was not checked");
        // Gone from disk: moved.
        let mut files = vec![lint("a.json")];
        let uses = loaded(&["old/gone.json"]).apply(&mut files, &[], &d, &mut |_, _| true);
        assert_eq!(uses, [Use::Moved]);
        assert!(files[0].findings.is_empty());
        // Gone but named in the run (could not be read): not movable.
        let mut files = vec![lint("a.json")];
        let uses = loaded(&["old/gone.json"]).apply(
            &mut files,
            &["old/gone.json".into()],
            &d,
            &mut |_, _| true,
        );
        assert_eq!(uses, [Use::Unused]);
        // An entry of a checked file that matches nothing is stale.
        let mut files = vec![lint("a.json"), lint("b.json")];
        let uses = loaded(&["b.json", "b.json"]).apply(&mut files, &[], &d, &mut |_, _| true);
        assert_eq!(uses, [Use::Own, Use::Unused]);
        assert_eq!(files[1].warnings.len(), 1);
        assert_eq!(files[1].warnings[0].kind, InputWarningKind::StaleBaseline);
    }
}
