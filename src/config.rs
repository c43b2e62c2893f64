//! Stage 0: settings. A `.storylint.yaml` (found from the current directory
//! upward, or named with `--config`) turns rules off or changes their
//! severity, sets `fail-on`, narrows which files are checked, adds rule
//! directories, overrides rules per path, and ignores findings by story,
//! action or action name with a required reason. Every key is checked: an
//! unknown one is a located error.

use crate::error::{ConfigError, ConfigErrorKind};
use crate::paths::normalise;
use crate::severity::Severity;
use crate::source::LineIndex;
use crate::yaml::{span_of, yaml_message};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// File names looked for, in order, in each directory.
pub(crate) const FILE_NAMES: [&str; 2] = [".storylint.yaml", ".storylint.yml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigSpec {
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    show: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    rule_dirs: Vec<Spanned<String>>,
    #[serde(default)]
    api_dirs: Vec<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    overrides: Vec<Spanned<OverrideSpec>>,
    #[serde(default)]
    ignore: Vec<Spanned<IgnoreSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OverrideSpec {
    files: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct IgnoreSpec {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    story: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    action_name: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// What a configuration says about one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleSetting {
    Off,
    Severity(Severity),
}

impl RuleSetting {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(RuleSetting::Off),
            other => Severity::parse(other).map(RuleSetting::Severity),
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RuleSetting::Off => "off",
            RuleSetting::Severity(s) => s.as_str(),
        }
    }
}

/// A rule id as written in the configuration, with where it was written.
#[derive(Clone, Debug)]
pub(crate) struct RuleRef {
    pub(crate) id: String,
    span: Option<Range<usize>>,
}

/// Settings for files matching some globs.
#[derive(Debug)]
pub(crate) struct Override {
    pub(crate) patterns: Vec<String>,
    files: GlobSet,
    pub(crate) rules: Vec<(RuleRef, RuleSetting)>,
}

/// Findings to hide, with why.
#[derive(Clone, Debug)]
pub(crate) struct Ignore {
    /// Rule ids; empty means every rule.
    pub(crate) rules: Vec<RuleRef>,
    pub(crate) story: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) action_name: Option<String>,
    pub(crate) reason: String,
    /// Where the entry is in the configuration file.
    span: Option<std::ops::Range<usize>>,
}

impl Ignore {
    /// Whether this entry hides a finding of `rule` in the action described.
    pub(crate) fn matches(
        &self,
        rule: &str,
        story: Option<&str>,
        action: Option<&str>,
        action_name: Option<&str>,
    ) -> bool {
        let want = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        (self.rules.is_empty() || self.rules.iter().any(|r| r.id == rule))
            && want(&self.story, story)
            && want(&self.action, action)
            && want(&self.action_name, action_name)
    }
}

/// The effective configuration.
#[derive(Debug, Default)]
pub(crate) struct Config {
    /// The file it came from, if any.
    pub(crate) source: Option<PathBuf>,
    /// Directory that relative paths and globs are resolved against.
    pub(crate) root: PathBuf,
    pub(crate) fail_on: Option<Severity>,
    /// The lowest severity the human format lists.
    pub(crate) show: Option<Severity>,
    pub(crate) rules: Vec<(RuleRef, RuleSetting)>,
    pub(crate) rule_dirs: Vec<PathBuf>,
    /// Files and directories of the user's API profiles.
    pub(crate) api_dirs: Vec<PathBuf>,
    pub(crate) include: Vec<String>,
    pub(crate) exclude: Vec<String>,
    include_set: Option<GlobSet>,
    exclude_set: Option<GlobSet>,
    pub(crate) overrides: Vec<Override>,
    /// Every override's globs in one set, and the override of each: a
    /// file is matched against all of them at once.
    override_globs: GlobSet,
    override_of: Vec<usize>,
    pub(crate) ignores: Vec<Ignore>,
    /// The `ignore` entries by the story, action guid and action name
    /// they name (each has at least one).
    ignore_index: IgnoreIndex,
    /// Per `ignore` entry: whether it set a finding aside in this run
    /// (files are checked in parallel).
    ignore_used: Vec<std::sync::atomic::AtomicBool>,
    /// The file's text, kept to locate warnings found later.
    yaml: String,
    /// The working directory and `root` made absolute and normalised,
    /// worked out once: a run asks for every file it checks.
    bases: std::sync::OnceLock<(PathBuf, PathBuf)>,
}

/// The configuration file that applies in `dir`: the nearest
/// `.storylint.yaml` (or `.yml`) in it or an ancestor.
pub(crate) fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find_map(|d| FILE_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()))
}

/// The configuration file a run uses: none with `--no-config`, the one
/// `--config` names, else the nearest one from `cwd` upward.
pub(crate) fn locate(explicit: Option<&Path>, no_config: bool, cwd: &Path) -> Option<PathBuf> {
    match (explicit, no_config) {
        (_, true) => None,
        (Some(path), false) => Some(path.to_path_buf()),
        (None, false) => find(cwd),
    }
}

impl Config {
    /// No file: everything at its defaults, paths relative to `root`.
    pub(crate) fn empty(root: PathBuf) -> Self {
        Config {
            root,
            ..Config::default()
        }
    }

    /// The configuration at `path`, or the defaults (relative to `cwd`)
    /// when there is none.
    pub(crate) fn load_or_empty(
        path: Option<&Path>,
        cwd: &Path,
    ) -> Result<Config, Vec<ConfigError>> {
        match path {
            Some(path) => Config::load(path),
            None => Ok(Config::empty(cwd.to_path_buf())),
        }
    }

    /// Reads and checks the configuration at `path`.
    pub(crate) fn load(path: &Path) -> Result<Config, Vec<ConfigError>> {
        let name = path.display().to_string();
        let yaml = std::fs::read_to_string(path).map_err(|e| {
            vec![ConfigError::new(
                ConfigErrorKind::Unreadable,
                &name,
                format!(
                    "cannot read configuration: {}",
                    crate::error::io_message(&e)
                ),
            )]
        })?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Config::parse(&name, yaml, root, Some(path.to_path_buf()))
    }

    /// Checks configuration text; `root` resolves its relative paths.
    pub(crate) fn parse(
        name: &str,
        yaml: String,
        root: PathBuf,
        source: Option<PathBuf>,
    ) -> Result<Config, Vec<ConfigError>> {
        let mut cx = Checker {
            name,
            index: LineIndex::new(&yaml),
            yaml: &yaml,
            errors: Vec::new(),
        };
        let spec = cx.spec().map_err(|()| std::mem::take(&mut cx.errors))?;
        let fail_on = spec.fail_on.as_ref().and_then(|f| cx.severity(f));
        let show = spec.show.as_ref().and_then(|f| cx.severity(f));
        let rules = cx.settings(&spec.rules);
        let include_set = (!spec.include.is_empty())
            .then(|| cx.globs(&spec.include))
            .flatten();
        let exclude_set = (!spec.exclude.is_empty())
            .then(|| cx.globs(&spec.exclude))
            .flatten();
        let overrides: Vec<Override> = spec.overrides.iter().map(|o| cx.an_override(o)).collect();
        let ignores: Vec<Ignore> = spec.ignore.iter().map(|i| cx.ignore(i)).collect();
        for dir in &spec.rule_dirs {
            cx.yaml_dir(&root, dir, "rule-dirs", "rule file");
        }
        for dir in &spec.api_dirs {
            cx.yaml_dir(&root, dir, "api-dirs", "API profile");
        }
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        let (override_globs, override_of) = all_globs(&overrides);
        Ok(Config {
            source,
            rule_dirs: spec.rule_dirs.iter().map(|d| root.join(&d.value)).collect(),
            api_dirs: spec.api_dirs.iter().map(|d| root.join(&d.value)).collect(),
            root,
            fail_on,
            show,
            rules,
            include: spec.include.iter().map(|s| s.value.clone()).collect(),
            exclude: spec.exclude.iter().map(|s| s.value.clone()).collect(),
            include_set,
            exclude_set,
            override_globs,
            override_of,
            ignore_index: IgnoreIndex::new(&ignores),
            ignore_used: ignores.iter().map(|_| Default::default()).collect(),
            overrides,
            ignores,
            yaml,
            bases: Default::default(),
        })
    }

    fn name(&self) -> String {
        self.source
            .as_ref()
            .map_or_else(|| "configuration".into(), |p| p.display().to_string())
    }

    /// Warnings for rule ids that no rule has, with the nearest known id.
    pub(crate) fn unknown_rules(&self, known: &[&str]) -> Vec<ConfigError> {
        let index = LineIndex::new(&self.yaml);
        let refs = self
            .rules
            .iter()
            .map(|(r, _)| r)
            .chain(
                self.overrides
                    .iter()
                    .flat_map(|o| o.rules.iter().map(|(r, _)| r)),
            )
            .chain(self.ignores.iter().flat_map(|i| &i.rules));
        let mut out = Vec::new();
        for r in refs {
            if known.contains(&r.id.as_str()) {
                continue;
            }
            let mut e = ConfigError::new(
                ConfigErrorKind::UnknownRule,
                &self.name(),
                format!("no rule has the id `{}`; this setting does nothing", r.id),
            );
            e = match crate::suggest::closest(&r.id, known) {
                Some(best) => e.with_help(format!("did you mean `{best}`?")),
                None => e.with_help("`storylint rules` lists the rule ids"),
            };
            if let Some(span) = r.span.clone().filter(|s| s.end <= self.yaml.len()) {
                e = e.at(&self.yaml, &index, span);
            }
            out.push(e);
        }
        out
    }

    /// `path` relative to the configuration's directory, with `/`
    /// separators, for matching globs.
    fn relative(&self, path: &Path) -> String {
        let (cwd, root) = self.bases.get_or_init(|| {
            let cwd = std::env::current_dir().unwrap_or_default();
            let root = normalise(&cwd.join(&self.root));
            (cwd, root)
        });
        let abs = cwd.join(path);
        let rel = abs.strip_prefix(root).map(Path::to_path_buf);
        let rel = rel.unwrap_or_else(|_| normalise(&abs));
        let text = crate::paths::slashed(&normalise(&rel).to_string_lossy()).into_owned();
        text.trim_start_matches("./").to_string()
    }

    /// Whether `include` and `exclude` let `path` be checked.
    pub(crate) fn selects(&self, path: &Path) -> bool {
        let rel = self.relative(path);
        self.include_set.as_ref().is_none_or(|s| s.is_match(&rel))
            && !self.exclude_set.as_ref().is_some_and(|s| s.is_match(&rel))
    }

    /// Whether a `*.json` file somewhere under the directory `dir` may be
    /// selected, for a directory that could not be walked: `false` only
    /// when no `include` glob can match below it (its literal beginning
    /// leads elsewhere), or when `exclude` covers any `*.json` name in it
    /// and below (as `dir/**` or `dir/*.json` do).
    pub(crate) fn may_select_under(&self, dir: &Path) -> bool {
        let rel = self.relative(dir);
        let below = |tail: &str| {
            if rel.is_empty() {
                tail.to_string()
            } else {
                format!("{rel}/{tail}")
            }
        };
        let included = self.include_set.is_none()
            || self.include.iter().any(|p| glob_may_match_under(p, &rel));
        let excluded = self.exclude_set.as_ref().is_some_and(|set| {
            [
                "storylint-probe.json",
                "storylint-probe/storylint-probe/storylint-probe.json",
            ]
            .iter()
            .all(|tail| set.is_match(below(tail)))
        });
        included && !excluded
    }

    /// The settings of `rules` (by id) in the file `path`, worked out once
    /// for the file: the last override that matches it and names a rule
    /// wins over the top-level `rules`.
    pub(crate) fn settings_in(&self, path: &Path, rules: &[&str]) -> Vec<Option<RuleSetting>> {
        let rel = self.relative(path);
        let mut matching: Vec<usize> = self
            .override_globs
            .matches(&rel)
            .into_iter()
            .map(|g| self.override_of[g])
            .collect();
        matching.dedup();
        rules
            .iter()
            .map(|id| {
                let over = matching.iter().rev().find_map(|&o| {
                    let rules = &self.overrides[o].rules;
                    rules.iter().find(|(r, _)| r.id == *id).map(|(_, s)| *s)
                });
                over.or_else(|| {
                    self.rules
                        .iter()
                        .find(|(r, _)| r.id == *id)
                        .map(|(_, s)| *s)
                })
            })
            .collect()
    }

    /// The first `ignore` entry that sets aside a finding of `rule` in the
    /// action described.
    pub(crate) fn ignore_for(
        &self,
        rule: &str,
        story: Option<&str>,
        action: Option<&str>,
        action_name: Option<&str>,
    ) -> Option<&Ignore> {
        let mut candidates = self.ignore_index.candidates(story, action, action_name);
        candidates.sort_unstable();
        let found = candidates
            .into_iter()
            .find(|&i| self.ignores[i].matches(rule, story, action, action_name))?;
        if let Some(used) = self.ignore_used.get(found) {
            used.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Some(&self.ignores[found])
    }

    /// A note for each `ignore` entry that set no finding aside in this
    /// run, as an unused directive gets one.
    pub(crate) fn unused_ignores(&self) -> Vec<ConfigError> {
        let index = LineIndex::new(&self.yaml);
        let used = |i: usize| self.ignore_used[i].load(std::sync::atomic::Ordering::Relaxed);
        (0..self.ignores.len())
            .filter(|&i| !used(i))
            .map(|i| {
                let mut e = ConfigError::new(
                    ConfigErrorKind::UnusedIgnore,
                    &self.name(),
                    "this ignore entry set no finding aside in this run".to_string(),
                )
                .with_help("remove it if its findings are gone (a run over some files only may not have met them)");
                if let Some(span) = self.ignores[i].span.clone().filter(|s| s.end <= self.yaml.len()) {
                    e = e.at(&self.yaml, &index, span);
                }
                e
            })
            .collect()
    }

    /// The setting for rule `id` in file `path`: the last matching override
    /// wins over the top-level `rules`.
    pub(crate) fn setting_for(&self, id: &str, path: Option<&Path>) -> Option<RuleSetting> {
        let rel = path.map(|p| self.relative(p));
        let over = self
            .overrides
            .iter()
            .rev()
            .filter(|o| rel.as_ref().is_some_and(|r| o.files.is_match(r)))
            .find_map(|o| o.rules.iter().find(|(r, _)| r.id == id).map(|(_, s)| *s));
        over.or_else(|| self.rules.iter().find(|(r, _)| r.id == id).map(|(_, s)| *s))
    }

    /// Whether an override gives rule `id` a setting other than `off` (for
    /// some paths).
    pub(crate) fn turned_on_somewhere(&self, id: &str) -> bool {
        self.overrides.iter().any(|o| {
            o.rules
                .iter()
                .any(|(r, s)| r.id == id && *s != RuleSetting::Off)
        })
    }

    /// The effective configuration as YAML, for `--show-config`.
    /// Text from the file (and its path) is quoted, or made visible in
    /// the comment, so that it cannot control the terminal (see
    /// [`crate::escape`]).
    pub(crate) fn to_yaml(&self, rules: &[(&str, Severity, Option<RuleSetting>)]) -> String {
        let q = |s: &str| quote(s);
        let mut out = String::new();
        out.push_str(&format!(
            "# storylint configuration from {}\n",
            self.source.as_ref().map_or_else(
                || "defaults (no .storylint.yaml found)".into(),
                |p| crate::escape::visible(&p.display().to_string()).into_owned()
            )
        ));
        out.push_str(&format!("root: {}\n", q(&self.root.display().to_string())));
        out.push_str(&format!(
            "fail-on: {}\n",
            self.fail_on.unwrap_or(Severity::Error)
        ));
        out.push_str(&format!(
            "show: {}\n",
            self.show.unwrap_or(Severity::Warning)
        ));
        out.push_str("rules:\n");
        for (id, default, setting) in rules {
            let effective = setting.map_or(default.as_str(), |s| s.as_str());
            let note = if setting.is_some() { "" } else { "  # default" };
            out.push_str(&format!("  {id}: {effective}{note}\n"));
        }
        let list = |out: &mut String, key: &str, items: &[String]| {
            if items.is_empty() {
                out.push_str(&format!("{key}: []\n"));
            } else {
                out.push_str(&format!("{key}:\n"));
                for i in items {
                    out.push_str(&format!("  - {}\n", q(i)));
                }
            }
        };
        let dirs: Vec<String> = self
            .rule_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        list(&mut out, "rule-dirs", &dirs);
        let dirs: Vec<String> = self
            .api_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        list(&mut out, "api-dirs", &dirs);
        list(&mut out, "include", &self.include);
        list(&mut out, "exclude", &self.exclude);
        if self.overrides.is_empty() {
            out.push_str("overrides: []\n");
        } else {
            out.push_str("overrides:\n");
            for o in &self.overrides {
                let files: Vec<String> = o.patterns.iter().map(|p| q(p)).collect();
                out.push_str(&format!("  - files: [{}]\n    rules:\n", files.join(", ")));
                for (r, s) in &o.rules {
                    out.push_str(&format!(
                        "      {}: {}\n",
                        plain_or_quoted(&r.id),
                        s.as_str()
                    ));
                }
            }
        }
        if self.ignores.is_empty() {
            out.push_str("ignore: []\n");
        } else {
            out.push_str("ignore:\n");
            for i in &self.ignores {
                let ids: Vec<String> = i.rules.iter().map(|r| plain_or_quoted(&r.id)).collect();
                out.push_str(&format!("  - rules: [{}]\n", ids.join(", ")));
                for (k, v) in [
                    ("story", &i.story),
                    ("action", &i.action),
                    ("action-name", &i.action_name),
                ] {
                    if let Some(v) = v {
                        out.push_str(&format!("    {k}: {}\n", q(v)));
                    }
                }
                out.push_str(&format!("    reason: {}\n", q(&i.reason)));
            }
        }
        out
    }
}

/// Every glob of `overrides`, in order, as one set, and the override each
/// belongs to.
fn all_globs(overrides: &[Override]) -> (GlobSet, Vec<usize>) {
    let mut set = GlobSetBuilder::new();
    let mut owner = Vec::new();
    for (i, o) in overrides.iter().enumerate() {
        // Each was checked when its override was read.
        for g in o.patterns.iter().filter_map(|p| Glob::new(p).ok()) {
            set.add(g);
            owner.push(i);
        }
    }
    match set.build() {
        Ok(set) => (set, owner),
        Err(_) => (GlobSet::empty(), Vec::new()),
    }
}

/// `ignore` entries by what they name, so that a finding is compared only
/// with the entries that could match it.
#[derive(Debug, Default)]
struct IgnoreIndex {
    by_story: std::collections::HashMap<String, Vec<usize>>,
    by_action: std::collections::HashMap<String, Vec<usize>>,
    by_name: std::collections::HashMap<String, Vec<usize>>,
}

impl IgnoreIndex {
    fn new(ignores: &[Ignore]) -> Self {
        let mut index = IgnoreIndex::default();
        for (i, e) in ignores.iter().enumerate() {
            // One list is enough: an entry matches only where all it
            // names agree.
            let (map, key) = match (&e.action, &e.action_name, &e.story) {
                (Some(a), _, _) => (&mut index.by_action, a),
                (None, Some(n), _) => (&mut index.by_name, n),
                (None, None, Some(s)) => (&mut index.by_story, s),
                (None, None, None) => continue,
            };
            map.entry(key.clone()).or_default().push(i);
        }
        index
    }

    /// The entries that may match an action with these details.
    fn candidates(
        &self,
        story: Option<&str>,
        action: Option<&str>,
        name: Option<&str>,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for (map, key) in [
            (&self.by_action, action),
            (&self.by_name, name),
            (&self.by_story, story),
        ] {
            if let Some(list) = key.and_then(|k| map.get(k)) {
                out.extend_from_slice(list);
            }
        }
        out
    }
}

/// Reads a configuration file's values, collecting every problem with
/// its location.
struct Checker<'a> {
    name: &'a str,
    yaml: &'a str,
    index: LineIndex,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    fn error(
        &mut self,
        kind: ConfigErrorKind,
        span: Option<Range<usize>>,
        message: String,
        help: Option<&str>,
    ) {
        let mut e = ConfigError::new(kind, self.name, message);
        if let Some(h) = help {
            e = e.with_help(h);
        }
        if let Some(span) = span.filter(|s| s.end <= self.yaml.len()) {
            e = e.at(self.yaml, &self.index, span);
        }
        self.errors.push(e);
    }

    fn invalid<T>(&mut self, at: &Spanned<T>, message: String, help: Option<&str>) {
        self.error(ConfigErrorKind::Invalid, span_of(at), message, help);
    }

    /// The document's structure; `Err` once its error is recorded.
    fn spec(&mut self) -> Result<ConfigSpec, ()> {
        if self.yaml.trim().is_empty() {
            return Ok(ConfigSpec::default());
        }
        let yaml = self.yaml;
        let spec = crate::yaml::read_past_unknown_keys(yaml, |e| {
            self.error(
                yaml_error_kind(e),
                crate::yaml::error_span(e),
                yaml_message(e),
                Some("see docs/configuration.md for the keys a configuration may have"),
            );
        });
        // Read past unknown keys, the rest is still checked; the errors
        // recorded make the configuration invalid.
        spec.ok_or(())
    }

    fn severity(&mut self, f: &Spanned<String>) -> Option<Severity> {
        let parsed = Severity::parse(&f.value);
        if parsed.is_none() {
            self.invalid(
                f,
                format!("unknown severity `{}`", f.value),
                Some("use `error`, `warning` or `info`"),
            );
        }
        parsed
    }

    fn settings(&mut self, map: &BTreeMap<String, Spanned<String>>) -> Vec<(RuleRef, RuleSetting)> {
        let mut out = Vec::new();
        for (id, value) in map {
            match RuleSetting::parse(&value.value) {
                Some(s) => out.push((
                    RuleRef {
                        id: id.clone(),
                        span: span_of(value).and_then(|v| key_span(self.yaml, id, v.start)),
                    },
                    s,
                )),
                None => self.invalid(
                    value,
                    format!("`{}` is not a rule setting", value.value),
                    Some("use `off`, `error`, `warning` or `info`"),
                ),
            }
        }
        out
    }

    fn globs(&mut self, patterns: &[Spanned<String>]) -> Option<GlobSet> {
        let mut set = GlobSetBuilder::new();
        for p in patterns {
            match Glob::new(&p.value) {
                Ok(g) => {
                    set.add(g);
                }
                Err(e) => self.invalid(p, format!("invalid glob: {}", e.kind()), None),
            }
        }
        set.build().ok()
    }

    fn an_override(&mut self, o: &Spanned<OverrideSpec>) -> Override {
        if o.value.files.is_empty() {
            self.invalid(
                o,
                "an override needs at least one glob under `files`".into(),
                None,
            );
        }
        Override {
            patterns: o.value.files.iter().map(|f| f.value.clone()).collect(),
            files: self.globs(&o.value.files).unwrap_or_else(GlobSet::empty),
            rules: self.settings(&o.value.rules),
        }
    }

    /// A `rule-dirs` or `api-dirs` entry (`key`) must be a file or a
    /// directory: anything else (a FIFO, a device) would block or never end
    /// when read. One that does not exist is reported when its files are
    /// loaded.
    fn yaml_dir(&mut self, root: &Path, dir: &Spanned<String>, key: &str, file: &str) {
        use crate::paths::FileKind;
        let kind = std::fs::metadata(root.join(&dir.value)).map(|m| FileKind::of(&m.file_type()));
        let what = match kind {
            Ok(FileKind::Stream) => "a FIFO or device",
            Ok(FileKind::Other(what)) => what,
            _ => return,
        };
        self.invalid(
            dir,
            format!(
                "`{key}` entry `{}` is {what}, not a {file} or directory",
                dir.value
            ),
            Some(&format!("name a directory of {file}s or one `.yaml` file")),
        );
    }

    fn ignore(&mut self, entry: &Spanned<IgnoreSpec>) -> Ignore {
        let i = &entry.value;
        let reason = i.reason.as_deref().map(str::trim).unwrap_or("");
        if reason.is_empty() {
            self.invalid(
                entry,
                "an ignore entry needs a `reason`".into(),
                Some(
                    "say why the findings are acceptable, e.g. `reason: vendor API takes the key in the query`",
                ),
            );
        }
        if i.story.is_none() && i.action.is_none() && i.action_name.is_none() {
            self.invalid(
                entry,
                "an ignore entry needs `story`, `action` or `action-name`".into(),
                Some("to turn a rule off everywhere, write `rules: {rule-id: off}` instead"),
            );
        }
        Ignore {
            rules: i
                .rules
                .iter()
                .map(|r| RuleRef {
                    id: r.value.clone(),
                    span: span_of(r),
                })
                .collect(),
            story: i.story.clone(),
            action: i.action.clone(),
            action_name: i.action_name.clone(),
            reason: reason.to_string(),
            span: span_of(entry),
        }
    }
}

/// `invalid-config` for YAML that reads but does not fit the configuration
/// (an unknown key, a list where a map belongs, a missing field);
/// `config-invalid-yaml` for text that is not YAML at all.
fn yaml_error_kind(e: &serde_saphyr::Error) -> ConfigErrorKind {
    if crate::yaml::is_shape_error(e) {
        ConfigErrorKind::Invalid
    } else {
        ConfigErrorKind::InvalidYaml
    }
}

/// `s` as a double-quoted string (JSON's, which YAML reads too), with every
/// character [`crate::escape`] would make visible written as an
/// escape, so the text is shown exactly and inertly.
fn quote(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    if !json.chars().any(|c| crate::escape::picture(c).is_some()) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        match crate::escape::picture(c) {
            Some(_) => out.push_str(&format!("\\u{:04x}", c as u32)),
            None => out.push(c),
        }
    }
    out
}

/// A rule id as a YAML key: as it is when it is a plain id, else quoted.
fn plain_or_quoted(id: &str) -> String {
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain { id.to_string() } else { quote(id) }
}

/// Whether glob `pattern` may match a path below the directory `dir`
/// (relative, with `/`; empty for the configuration's own directory): the
/// components before the first one with a glob character must agree with
/// `dir`'s as far as both go. A pattern with no glob character names one
/// path, which must lie below `dir`.
fn glob_may_match_under(pattern: &str, dir: &str) -> bool {
    let literal = |c: &&&str| !c.contains(['*', '?', '[', '{', '\\']);
    let parts: Vec<&str> = pattern.split('/').collect();
    let fixed = parts.iter().take_while(literal).count();
    let dir: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    let agree = dir.iter().zip(&parts[..fixed]).all(|(a, b)| a == b);
    if fixed == parts.len() {
        agree && dir.len() < parts.len()
    } else {
        agree
    }
}

/// The span of map key `key` written before the value at `value_start`
/// (on the same line), so a warning about a rule id points at the id.
fn key_span(yaml: &str, key: &str, value_start: usize) -> Option<Range<usize>> {
    let line_start = yaml.get(..value_start)?.rfind('\n').map_or(0, |i| i + 1);
    let line = &yaml[line_start..value_start];
    line.rfind(key)
        .map(|i| line_start + i..line_start + i + key.len())
        .or(Some(value_start..value_start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Config, Vec<ConfigError>> {
        Config::parse(
            ".storylint.yaml",
            yaml.to_string(),
            PathBuf::from("/repo"),
            None,
        )
    }

    fn located(errs: &[ConfigError], yaml: &str) -> Vec<(String, Option<String>)> {
        errs.iter()
            .map(|e| {
                (
                    e.message.clone(),
                    e.location
                        .as_ref()
                        .map(|l| yaml[l.span.clone()].to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn reads_every_setting() {
        let yaml = "fail-on: warning\nrules:\n  legacy-liquid-reference: off\n  hardcoded-secret: error\nrule-dirs: [ci/rules]\ninclude: ['stories/**']\nexclude: ['**/archive/**']\noverrides:\n  - files: ['stories/vendor/**']\n    rules: {credential-in-url: off}\nignore:\n  - rules: [missing-bearer-prefix]\n    action-name: Call AWS\n    reason: signed by Tines\n";
        let c = parse(yaml).unwrap();
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(
            c.setting_for("legacy-liquid-reference", None),
            Some(RuleSetting::Off)
        );
        assert_eq!(c.rule_dirs, [PathBuf::from("/repo/ci/rules")]);
        assert!(c.selects(Path::new("/repo/stories/a.json")));
        assert!(!c.selects(Path::new("/repo/stories/archive/a.json")));
        assert!(!c.selects(Path::new("/repo/other/a.json")));
        let vendor = Path::new("/repo/stories/vendor/x.json");
        assert_eq!(
            c.setting_for("credential-in-url", Some(vendor)),
            Some(RuleSetting::Off)
        );
        assert_eq!(
            c.setting_for("credential-in-url", Some(Path::new("/repo/stories/a.json"))),
            None
        );
        assert!(!c.turned_on_somewhere("credential-in-url"));
        assert!(!c.turned_on_somewhere("legacy-liquid-reference"));
        let on =
            parse("rules: {x: off}\noverrides:\n  - files: [a]\n    rules: {x: info}\n").unwrap();
        assert!(on.turned_on_somewhere("x"));
        assert!(c.ignores[0].matches("missing-bearer-prefix", None, None, Some("Call AWS")));
        assert!(!c.ignores[0].matches("missing-bearer-prefix", None, None, Some("Other")));
        assert!(!c.ignores[0].matches("hardcoded-secret", None, None, Some("Call AWS")));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located() {
        let yaml = "fail_on: warning\n";
        let errs = parse(yaml).unwrap_err();
        assert!(errs[0].message.contains("fail_on"), "{:?}", errs[0].message);
        assert!(errs[0].location.is_some());
        let yaml = "rules:\n  hardcoded-secret: loud\n";
        let errs = parse(yaml).unwrap_err();
        assert_eq!(
            located(&errs, yaml),
            [(
                "`loud` is not a rule setting".to_string(),
                Some("loud".to_string())
            )]
        );
        let yaml = "ignore:\n  - rules: [x]\n    story: abc\n";
        let errs = parse(yaml).unwrap_err();
        assert!(errs[0].message.contains("reason"), "{:?}", errs[0].message);
        let yaml = "ignore:\n  - rules: [x]\n    reason: why\n";
        let errs = parse(yaml).unwrap_err();
        assert!(errs[0].message.contains("action-name"));
    }

    #[test]
    fn unknown_keys_are_invalid_config_and_broken_yaml_is_invalid_yaml() {
        let kind = |yaml: &str| parse(yaml).unwrap_err()[0].kind;
        assert_eq!(kind("fail_on: warning\n"), ConfigErrorKind::Invalid);
        assert_eq!(
            kind("overrides:\n  - files: [a]\n    rule: {x: off}\n"),
            ConfigErrorKind::Invalid
        );
        assert_eq!(kind("rules: [a, b]\n"), ConfigErrorKind::Invalid);
        assert_eq!(
            kind("overrides:\n  - rules: {}\n"),
            ConfigErrorKind::Invalid
        );
        assert_eq!(kind("rules: {a: off\n"), ConfigErrorKind::InvalidYaml);
        assert_eq!(
            kind("rules:\n  a: off\n a: b\n"),
            ConfigErrorKind::InvalidYaml
        );
        assert_eq!(kind("fail-on: \"x\n"), ConfigErrorKind::InvalidYaml);
    }

    #[test]
    fn unknown_rule_ids_warn_with_a_suggestion() {
        let yaml = "rules:\n  hardcoded-secrets: off\n";
        let c = parse(yaml).unwrap();
        let warnings = c.unknown_rules(&["hardcoded-secret", "expired-jwt"]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].help.as_deref(),
            Some("did you mean `hardcoded-secret`?")
        );
        let at = warnings[0].location.as_ref().unwrap().span.clone();
        assert_eq!(&yaml[at], "hardcoded-secrets");
    }

    #[test]
    fn a_directory_is_out_of_the_selection_only_when_nothing_below_can_be_in_it() {
        let c = parse("include: ['stories/**', 'flows/prod/*.json', 'one/a.json']\nexclude: ['stories/archive/**', 'stories/old/*.json', 'stories/v1/x.json']\n").unwrap();
        let under = |dir: &str| c.may_select_under(Path::new("/repo").join(dir).as_path());
        // Include: a directory below, above or on the way to a glob's
        // literal beginning may hold an included file.
        for dir in [
            "",
            "stories",
            "stories/locked/deep",
            "flows",
            "flows/prod",
            "one",
        ] {
            assert!(under(dir), "{dir}");
        }
        for dir in ["other", "flows/dev", "one/a.json", "storiesx"] {
            assert!(!under(dir), "{dir}");
        }
        // Exclude: only globs that cover every `*.json` name below.
        for dir in ["stories/archive", "stories/archive/2020", "stories/old"] {
            assert!(!under(dir), "{dir}");
        }
        assert!(under("stories/v1"));
        // Files are judged as files.
        assert!(!c.selects(Path::new("/repo/stories/archive/a.json")));
        assert!(c.selects(Path::new("/repo/stories/v1/y.json")));
        // No include: everywhere; a glob from the start matches anywhere.
        let c = parse("exclude: ['vendor/**']\n").unwrap();
        assert!(c.may_select_under(Path::new("/elsewhere")));
        assert!(!c.may_select_under(Path::new("/repo/vendor")));
        let c = parse("include: ['**/prod/*.json']\n").unwrap();
        assert!(c.may_select_under(Path::new("/repo/a/b")));
    }

    #[test]
    fn show_config_quotes_what_the_file_holds() {
        assert_eq!(
            quote("a\u{202e}b\u{7f}\u{85}\n"),
            "\"a\\u202eb\\u007f\\u0085\\n\""
        );
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(
            plain_or_quoted("legacy-liquid-reference"),
            "legacy-liquid-reference"
        );
        assert_eq!(plain_or_quoted("odd\nid: x"), "\"odd\\nid: x\"");
        let c = parse("overrides:\n  - files: [\"a\\u202e/**\"]\n    rules: {\"x\\ny\": off}\n")
            .unwrap();
        let yaml = c.to_yaml(&[]);
        assert!(yaml.contains("  - files: [\"a\\u202e/**\"]\n"), "{yaml}");
        assert!(yaml.contains("      \"x\\ny\": off\n"), "{yaml}");
    }

    #[test]
    fn finds_the_nearest_file_upward() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find(&deep), None);
        std::fs::write(dir.path().join(".storylint.yaml"), "").unwrap();
        assert_eq!(find(&deep), Some(dir.path().join(".storylint.yaml")));
    }
}
