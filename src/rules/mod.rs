//! Stage 4: rules. Rules are data (YAML files under `rules/`, embedded in
//! the binary, plus any the user adds); this module loads and compiles them
//! once and evaluates them against the actions of a recognised export.

pub(crate) mod compile;
pub(crate) mod condition;
pub(crate) mod engine;
pub(crate) mod memo;
pub(crate) mod path;
pub(crate) mod prefilter;
pub(crate) mod spec;

use crate::error::{RuleError, RuleErrorKind};
use crate::severity::Severity;
use condition::Condition;
use path::PathPattern;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub(crate) use engine::{RawFinding, check};

/// What a rule underlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Highlight {
    /// The narrowest part a condition matched, else the value.
    Match,
    Value,
    Key,
}

/// A placeholder in a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Var {
    /// The targeted value (decoded).
    Value,
    /// The highlighted text.
    Match,
    /// The member name of the targeted value.
    Key,
    /// The action's name.
    Action,
    /// The action's type.
    Type,
    /// The fix a condition suggested (`similar-to`, `replacement`).
    Suggestion,
    /// Why it matters, from a condition's `reason`.
    Reason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Lit(String),
    Var(Var),
}

/// A message template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Message(pub Vec<Piece>);

impl Message {
    /// Whether every placeholder of the template has a value.
    pub(crate) fn fills(&self, has: impl Fn(Var) -> bool) -> bool {
        self.0.iter().all(|p| match p {
            Piece::Lit(_) => true,
            Piece::Var(v) => has(*v),
        })
    }

    pub(crate) fn render(&self, lookup: impl Fn(Var) -> String) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Lit(s) => out.push_str(s),
                Piece::Var(v) => out.push_str(&lookup(*v)),
            }
        }
        out
    }
}

/// Where a rule came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleOrigin {
    Builtin,
    File(PathBuf),
}

/// How certain a fix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The meaning is certain: `--fix` applies it.
    Safe,
    /// Likely but not certain: only `--unsafe-fixes` applies it.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A rule's fix: replacement templates, the first whose placeholders all
/// have a value being used.
#[derive(Clone, Debug)]
pub(crate) struct RuleFix {
    pub(crate) applicability: Applicability,
    pub(crate) replace: Vec<Message>,
    /// No fix where the underlined text matches this.
    pub(crate) unless: Option<regex::Regex>,
}

/// A snippet from a rule file's `examples`.
#[derive(Clone, Debug)]
pub struct Example {
    pub name: Option<String>,
    pub input: String,
    /// Source text each finding must underline, in order.
    pub highlight: Vec<String>,
    /// Line of the example in its rule file.
    pub line: Option<usize>,
    /// The input with every fix of the rule applied.
    pub fixed: Option<String>,
}

/// A compiled rule, ready to run.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
    pub(crate) message: Message,
    pub(crate) label: Option<Message>,
    pub help: Option<String>,
    pub rationale: Option<String>,
    pub action_types: Vec<String>,
    /// The paths whose values the rule looks at (at least one).
    pub(crate) paths: Vec<PathPattern>,
    pub skip_templated: bool,
    pub(crate) when: Condition,
    pub(crate) highlight: Highlight,
    pub(crate) fix: Option<RuleFix>,
    pub valid: Vec<Example>,
    pub invalid: Vec<Example>,
    pub origin: RuleOrigin,
    /// False when the configuration turns the rule off.
    pub enabled: bool,
}

impl Rule {
    pub(crate) fn applies_to(&self, action_type: Option<&str>) -> bool {
        self.action_types.is_empty()
            || action_type.is_some_and(|t| self.action_types.iter().any(|a| a == t))
    }
}

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// The rule files compiled into the binary: `(file name, YAML, JSON)`,
/// the JSON being what `build.rs` made of the YAML for checking files
/// (without the examples).
pub(crate) fn builtin_sources() -> &'static [(&'static str, &'static str, Option<&'static str>)] {
    builtin::RULES
}

/// All rules in force for a run.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// The clock time-dependent conditions (`jwt-expired`) compare against,
    /// in Unix seconds: the time the set was made, or `--now`.
    pub now: i64,
    /// Skip work with literal prefilters (see [`prefilter`]) and with what
    /// rules remember of values they found nothing in (see [`Memo`]).
    /// Always on in a run; tests turn it off to check that it never
    /// changes a result.
    pub use_prefilter: bool,
    /// The API profiles the `api` condition consults.
    pub apis: crate::apis::ApiSet,
    /// What the engine derives from the rules once, on first use.
    prepared: OnceLock<Prepared>,
}

/// Derived from the rules' conditions and paths (not from their severity or
/// whether they are enabled), so it stays valid until rules are added.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) prefilter: prefilter::Prefilter,
    /// The rules' paths together: shared beginnings are resolved once.
    pub(crate) paths: path::PathTrie,
    /// Per rule, where its paths end in `paths`.
    #[cfg(test)]
    pub(crate) path_end: Vec<Vec<usize>>,
    /// Each distinct path end with its rules, in rule order.
    pub(crate) rules_by_end: Vec<(usize, Vec<usize>)>,
    /// Per rule, where [`engine`] remembers that it found nothing in a
    /// value (see [`Memo`]).
    pub(crate) memo: Vec<Memo>,
    /// Per rule, the part of its condition that reads only the member
    /// name, where it has one (see [`KeyGuard`]).
    pub(crate) key_guards: Vec<Option<KeyGuard>>,
    /// Told apart from every other rule set's in this process.
    pub(crate) id: u64,
}

/// Where a rule's "found nothing in this value" is remembered: a bit for
/// the whole rule, or one for each branch of its top-level `any`, where
/// what it finds follows from a value's text and member name alone
/// ([`Condition::reads_text_only`]). Bits run out after [`Memo::BITS`].
#[derive(Debug, Default)]
pub(crate) struct Memo {
    pub(crate) whole: Option<u8>,
    pub(crate) branches: Vec<Option<u8>>,
}

/// The part of a rule's condition that reads only the member name of a
/// value and must hold for the rule to find anything
/// ([`Condition::key_guard`]): what it makes of a name is remembered by the
/// name, whatever the value (an object, a number, a text never seen).
/// Option keys and header names repeat far more than values do.
#[derive(Debug)]
pub(crate) struct KeyGuard {
    /// Items of the condition's top-level `all`; none for the whole.
    pub(crate) parts: Vec<usize>,
    /// Its bits among the guards': `2 * bit` set when it fails for a
    /// name, `2 * bit + 1` when it holds.
    pub(crate) bit: u8,
}

impl KeyGuard {
    /// Most guards: two bits each in a `u128`.
    const MAX: usize = 64;

    fn assign(rules: &[Rule]) -> Vec<Option<KeyGuard>> {
        let mut next = 0;
        rules
            .iter()
            .map(|r| {
                let parts = r.when.key_guard().filter(|_| next < Self::MAX)?;
                next += 1;
                Some(KeyGuard {
                    parts,
                    bit: (next - 1) as u8,
                })
            })
            .collect()
    }

    /// The guard is the whole condition: a value's text adds nothing.
    pub(crate) fn is_whole(&self) -> bool {
        self.parts.is_empty()
    }
}

impl Memo {
    pub(crate) const BITS: usize = 128;

    /// A rule whose whole condition is a guard ([`KeyGuard::is_whole`])
    /// needs no bit: its guard answers for every value.
    fn assign(rules: &[Rule], guards: &[Option<KeyGuard>]) -> Vec<Memo> {
        let mut next = 0;
        let mut bit = |text_only: bool| {
            let b = (text_only && next < Self::BITS).then_some(next as u8);
            next += usize::from(b.is_some());
            b
        };
        rules
            .iter()
            .zip(guards)
            .map(|(r, guard)| match r.when.top_branches() {
                _ if guard.as_ref().is_some_and(KeyGuard::is_whole) => Memo::default(),
                Some(branches) => Memo {
                    whole: None,
                    branches: branches.iter().map(|b| bit(b.reads_text_only())).collect(),
                },
                None => Memo {
                    whole: bit(r.when.reads_text_only()),
                    branches: Vec::new(),
                },
            })
            .collect()
    }

    /// Whether any of the rule's findings can be remembered.
    pub(crate) fn any(&self) -> bool {
        self.whole.is_some() || self.branches.iter().any(Option::is_some)
    }
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            rules: Vec::new(),
            now: jiff::Timestamp::now().as_second(),
            use_prefilter: true,
            apis: crate::apis::ApiSet::default(),
            prepared: OnceLock::new(),
        }
    }
}

impl RuleSet {
    /// The built-in rules. They are checked by the test suite, so an error
    /// here is a build defect; it is still reported, not panicked on.
    pub fn builtin() -> (Self, Vec<RuleError>) {
        let mut set = RuleSet::default();
        let mut errors = Vec::new();
        for (name, yaml, _) in builtin_sources() {
            set.add(
                &format!("rules/{name}"),
                yaml,
                RuleOrigin::Builtin,
                &mut errors,
            );
        }
        set.apis.add_builtin(false, &mut errors);
        (set, errors)
    }

    /// The prefilter and shared paths, made on first use.
    pub(crate) fn prepared(&self) -> &Prepared {
        self.prepared.get_or_init(|| {
            let (paths, ends) = path::PathTrie::new(self.rules.iter().flat_map(|r| r.paths.iter()));
            // Each rule's ends, in the order of its paths.
            let mut ends = ends.into_iter();
            let path_end: Vec<Vec<usize>> = self
                .rules
                .iter()
                .map(|r| ends.by_ref().take(r.paths.len()).collect())
                .collect();
            let mut rules_by_end: Vec<(usize, Vec<usize>)> = Vec::new();
            for (ri, rule_ends) in path_end.iter().enumerate() {
                for &end in rule_ends {
                    match rules_by_end.iter_mut().find(|(e, _)| *e == end) {
                        Some((_, rules)) if rules.contains(&ri) => {}
                        Some((_, rules)) => rules.push(ri),
                        None => rules_by_end.push((end, vec![ri])),
                    }
                }
            }
            let key_guards = KeyGuard::assign(&self.rules);
            Prepared {
                prefilter: prefilter::Prefilter::new(self.rules.iter().map(|r| &r.when)),
                paths,
                #[cfg(test)]
                path_end,
                rules_by_end,
                memo: Memo::assign(&self.rules, &key_guards),
                key_guards,
                id: {
                    static NEXT: std::sync::atomic::AtomicU64 =
                        std::sync::atomic::AtomicU64::new(1);
                    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                },
            }
        })
    }

    /// The built-in rules without their examples, for checking files: the
    /// examples are most of the rule files' text, and only `explain`,
    /// `test-rules` and the test suite need them.
    pub(crate) fn builtin_for_check() -> (Self, Vec<RuleError>) {
        let mut set = RuleSet::default();
        let mut errors = Vec::new();
        // For a run on a few files, start-up is most of the time: a second
        // core reads the API profiles, then helps compile the rule files
        // (each core takes the next file not yet taken).
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (mut compiled, other) = std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("apis".into())
                .spawn_scoped(scope, || {
                    let mut apis = crate::apis::ApiSet::default();
                    let mut errors = Vec::new();
                    apis.add_builtin(true, &mut errors);
                    (compile_for_check(&next), apis, errors)
                });
            let mine = compile_for_check(&next);
            (mine, other.ok().and_then(|h| h.join().ok()))
        });
        match other {
            Some((theirs, apis, mut api_errors)) => {
                compiled.extend(theirs);
                set.apis = apis;
                errors.append(&mut api_errors);
            }
            // No thread could be started (or it failed): the files it took
            // are compiled again here, and the profiles read.
            None => {
                let done: Vec<usize> = compiled.iter().map(|(i, ..)| *i).collect();
                for (i, source) in builtin_sources().iter().enumerate() {
                    if !done.contains(&i) {
                        let (name, rule) = compile_builtin(source);
                        compiled.push((i, name, rule));
                    }
                }
                set.apis.add_builtin(true, &mut errors);
            }
        }
        compiled.sort_by_key(|(i, ..)| *i);
        for (_, name, rule) in compiled {
            set.push_compiled(&name, rule, &mut errors);
        }
        (set, errors)
    }

    /// Compiles one rule file into the set; problems go to `errors`.
    pub fn add(&mut self, name: &str, yaml: &str, origin: RuleOrigin, errors: &mut Vec<RuleError>) {
        let rule = compile::compile_rule(name, yaml, origin);
        self.push_compiled(name, rule, errors);
    }

    /// Adds a compiled rule file (or its problems) to the set; a rule whose
    /// id the set already has is an error.
    fn push_compiled(
        &mut self,
        name: &str,
        rule: Result<Rule, Vec<RuleError>>,
        errors: &mut Vec<RuleError>,
    ) {
        self.prepared = OnceLock::new();
        match rule {
            Ok(rule) => {
                if let Some(existing) = self.rules.iter().find(|r| r.id == rule.id) {
                    let where_ = match &existing.origin {
                        RuleOrigin::Builtin => "a built-in rule".to_string(),
                        RuleOrigin::File(p) => p.display().to_string(),
                    };
                    errors.push(
                        RuleError::new(
                            RuleErrorKind::DuplicateId,
                            name,
                            format!("rule id `{}` is already used by {where_}", rule.id),
                        )
                        .with_help("give the rule a different id"),
                    );
                } else {
                    self.rules.push(rule);
                }
            }
            Err(errs) => errors.extend(errs),
        }
    }

    /// Adds the rule files (`*.yaml`, `*.yml`) at `path`: a file, or a
    /// directory read recursively in sorted order.
    pub(crate) fn add_path(&mut self, path: &Path, errors: &mut Vec<RuleError>) {
        let (files, unusable) = crate::yaml::files::list(path, crate::yaml::files::Role::Rule);
        errors.extend(unusable);
        for file in files {
            let name = file.display().to_string();
            match std::fs::read_to_string(&file) {
                Ok(text) => self.add(&name, &text, RuleOrigin::File(file.clone()), errors),
                Err(e) => errors.push(
                    crate::yaml::files::Role::Rule.unreadable(&file, &crate::error::io_message(&e)),
                ),
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// A compiled built-in rule file: its index in the list, its name, and the
/// rule (or its problems).
type Compiled = (usize, String, Result<Rule, Vec<RuleError>>);

/// Compiles built-in rule files for checking, taking the next file from
/// `next` until there are none, each with its index in the list.
fn compile_for_check(next: &std::sync::atomic::AtomicUsize) -> Vec<Compiled> {
    let sources = builtin_sources();
    let mut out = Vec::new();
    loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(source) = sources.get(i) else {
            return out;
        };
        let (name, rule) = compile_builtin(source);
        out.push((i, name, rule));
    }
}

/// A built-in rule file compiled from its JSON form, without its examples
/// (the whole YAML should it have none), with the syntax facts of the
/// regexes the prefilter reads next worked out.
fn compile_builtin(
    (name, yaml, json): &(&str, &str, Option<&str>),
) -> (String, Result<Rule, Vec<RuleError>>) {
    let name = format!("rules/{name}");
    let rule = compile::compile_builtin_rule(&name, yaml, *json);
    if let Ok(rule) = &rule {
        prefilter::warm(&rule.when);
    }
    (name, rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_compiles_the_same_rules_without_examples() {
        let (full, errors) = RuleSet::builtin();
        assert!(errors.is_empty(), "{errors:?}");
        let (check, errors) = RuleSet::builtin_for_check();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(full.rules.len(), check.rules.len());
        let strip = |r: &Rule| {
            format!(
                "{:?} {:?} {:?} {:?} {:?}",
                r.severity, r.message, r.paths, r.when, r.help
            )
        };
        for (a, b) in full.rules.iter().zip(&check.rules) {
            assert_eq!(a.id, b.id);
            // Compiling for a check also reads the prefilter's regex facts.
            prefilter::warm(&a.when);
            assert!(!a.valid.is_empty() && !a.invalid.is_empty(), "{}", a.id);
            assert!(b.valid.is_empty() && b.invalid.is_empty(), "{}", b.id);
            // Everything else is the same rule.
            assert_eq!(strip(a), strip(b), "{}", a.id);
        }
        // What a run compiled is read from the JSON form of each file
        // (the YAML only should one not read).
        for (name, _, json) in builtin_sources() {
            let json = json.unwrap_or_else(|| panic!("{name}: no JSON form"));
            let read = serde_json::from_str::<spec::RuleSpec>(json);
            assert!(read.is_ok(), "{name}: {read:?}");
        }
    }

    #[test]
    fn builtin_rules_pass_the_checks_of_a_rule_file() {
        // A run compiles built-in regexes on first use and skips what needs
        // them compiled (a `replacement` checked against the groups of its
        // regex): the same file read as a user's gets every check.
        for (name, yaml, _) in builtin_sources() {
            let origin = RuleOrigin::File(PathBuf::from(name));
            if let Err(errors) = compile::compile_rule(name, yaml, origin) {
                panic!("{name}: {errors:?}");
            }
        }
    }

    #[test]
    fn every_builtin_regex_compiles() {
        // Built-in regexes are compiled on first use, so a pattern that is
        // valid syntax but cannot be built (too large, say) must be caught
        // here rather than silently match nothing.
        let (rules, errors) = RuleSet::builtin();
        assert!(errors.is_empty(), "{errors:?}");
        let mut count = 0;
        for rule in &rules.rules {
            rule.when.for_each_regex(&mut |r| {
                count += 1;
                assert!(
                    r.get().is_some(),
                    "{}: `{}` does not build",
                    rule.id,
                    r.as_str()
                );
            });
        }
        assert!(count > 40, "only {count} regexes found");
    }

    /// Where a match's `span` and `name` groups are.
    type Groups = (
        Option<std::ops::Range<usize>>,
        Option<std::ops::Range<usize>>,
    );

    #[test]
    fn the_credential_key_boundaries_match_as_the_unicode_classes_did() {
        // `malformed-credential-reference` writes its boundaries with `\b`
        // (cheap to compile) where it had `[^\w.]` and `[^\w\[-]`: both
        // find the same spans and names in any text, Unicode letters
        // included.
        let (rules, _) = RuleSet::builtin();
        let rule = rules
            .rules
            .iter()
            .find(|r| r.id == "malformed-credential-reference");
        let mut found = None;
        rule.unwrap().when.for_each_regex(&mut |r| {
            if r.as_str().starts_with("(?:^|[^.])\\b") {
                found = r.get().cloned();
            }
        });
        let new = found.expect("the rule's boundary regex");
        let old = regex::Regex::new(
            r"(?:^|[^\w.])(?P<span>(?:CREDENTIALS|[Cc]redential)\.(?P<name>[a-z0-9_]+))(?:[^\w\[-]|$)",
        )
        .unwrap();
        // Text made of what sits before a key, the key, a dot, a name and
        // what follows it, twice over: every boundary case, ASCII or not.
        let slots: [&[&str]; 5] = [
            &["", " ", ".", "x", "é", "中", "<<", "\n", "_", "\u{212a}"],
            &[
                "credential",
                "CREDENTIALS",
                "Credential",
                "CREDENTIAL",
                "cred",
            ],
            &[".", "", " ."],
            &["x", "abc_9", "", "é", "A", "x-y"],
            &[
                "", " ", ">>", "[", "-", "é", "B", ".y", "中", "\u{212a}", "_",
            ],
        ];
        let (mut x, mut matched): (u64, usize) = (1, 0);
        for _ in 0..50_000 {
            let mut text = String::new();
            for slot in slots.iter().chain(slots.iter()) {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(slot[(x >> 33) as usize % slot.len()]);
            }
            let groups = |re: &regex::Regex| -> Vec<Groups> {
                re.captures_iter(&text)
                    .map(|c| {
                        (
                            c.name("span").map(|m| m.range()),
                            c.name("name").map(|m| m.range()),
                        )
                    })
                    .collect()
            };
            let (new, old) = (groups(&new), groups(&old));
            matched += old.len();
            assert_eq!(new, old, "{text:?}");
        }
        assert!(matched > 1_000, "only {matched} matches to compare");
    }

    #[test]
    fn rules_sharing_a_path_share_its_end() {
        let (rules, _) = RuleSet::builtin();
        let prepared = rules.prepared();
        for (i, a) in rules.rules.iter().enumerate() {
            for (j, b) in rules.rules.iter().enumerate() {
                assert_eq!(
                    a.paths == b.paths,
                    prepared.path_end[i] == prepared.path_end[j],
                    "{} and {}",
                    a.id,
                    b.id
                );
            }
        }
    }
}
