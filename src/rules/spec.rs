//! The rule file format, exactly as written in YAML. Every struct denies
//! unknown keys, so a typo in a rule file is an error rather than a rule
//! that silently never fires. Values that are checked after parsing keep
//! their YAML location (`Spanned`) so errors can point at them.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    /// Stable identifier, lower-case words joined by `-`.
    pub id: Spanned<String>,
    /// `error`, `warning` or `info`.
    pub severity: Spanned<String>,
    /// One line: what the rule finds.
    pub summary: String,
    /// The finding's message; may use `{value}`, `{match}`, `{key}`,
    /// `{action}` and `{type}`.
    pub message: Spanned<String>,
    /// Short text under the highlighted bytes (same placeholders).
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// How to fix it.
    #[serde(default)]
    pub help: Option<String>,
    /// Why it matters; shown by `explain` and in the docs.
    #[serde(default)]
    pub rationale: Option<String>,
    /// Which values of which actions the rule looks at.
    pub target: TargetSpec,
    /// What must hold for a targeted value to be reported. Without it,
    /// every targeted value is reported.
    #[serde(default)]
    pub when: Option<Spanned<ConditionSpec>>,
    /// What to underline: `match` (default: the narrowest part a condition
    /// matched, else the value), `value` or `key`.
    #[serde(default)]
    pub highlight: Option<Spanned<String>>,
    /// Snippets the rule must stay silent on and must report.
    pub examples: ExamplesSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TargetSpec {
    /// Action types the rule applies to (exact, e.g.
    /// `Agents::HTTPRequestAgent`); empty or absent means every action.
    #[serde(default)]
    pub action_types: Vec<String>,
    /// Path from the action object, e.g. `options.headers.*`.
    pub path: Spanned<String>,
    /// Skip values computed at run time (formulas, Liquid). Default true.
    #[serde(default = "default_true")]
    pub skip_templated: bool,
}

fn default_true() -> bool {
    true
}

/// A condition: exactly one test, optionally with modifiers. Combinators
/// (`all`, `any`, `not`) nest conditions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConditionSpec {
    // Combinators.
    pub all: Option<Vec<Spanned<ConditionSpec>>>,
    pub any: Option<Vec<Spanned<ConditionSpec>>>,
    pub not: Option<Box<Spanned<ConditionSpec>>>,
    // Subject switches.
    /// Test the key (member name) of the targeted value instead.
    pub key: Option<Box<Spanned<ConditionSpec>>>,
    /// Test the value(s) at this path from the action instead; holds when
    /// any of them satisfies the test.
    pub at: Option<Spanned<String>>,
    // Tests.
    pub matches: Option<Spanned<String>>,
    pub not_matches: Option<Spanned<String>>,
    /// With `matches`: a condition on the text the regex captured.
    pub captured: Option<Box<Spanned<ConditionSpec>>>,
    pub one_of: Option<Vec<String>>,
    pub not_one_of: Option<Vec<String>>,
    /// With `one-of` / `not-one-of`: compare ignoring ASCII case.
    pub ignore_case: Option<bool>,
    /// With `at`: whether anything exists at the path.
    pub present: Option<bool>,
    #[serde(rename = "type")]
    pub value_type: Option<OneOrMany<Spanned<String>>>,
    pub base64: Option<bool>,
    /// `any`, `whole` or `none`.
    pub template: Option<Spanned<String>>,
    pub host_matches: Option<Vec<Spanned<String>>>,
    /// Holds when the text is not one of `names` but is close to one (an
    /// alias or within a small edit distance), and suggests that name.
    pub similar_to: Option<Spanned<SimilarSpec>>,
    /// Holds when an earlier member of the same object has the same key
    /// (with `ignore-case`, the same ignoring ASCII case).
    pub duplicate_key: Option<bool>,
    /// Holds when the text is base64 and its decoded text satisfies this
    /// condition.
    pub base64_decoded: Option<Box<Spanned<ConditionSpec>>>,
    /// Holds when the text is a JWT whose `exp` claim is before the clock
    /// (`--now`), or, with `false`, one that has not expired.
    pub jwt_expired: Option<bool>,
    // Modifiers.
    /// With `matches`: the suggested fix, the match rewritten with `$name`
    /// or `${name}` group references.
    pub replacement: Option<Spanned<String>>,
    /// Why the condition matters; fills the `{reason}` placeholder.
    pub reason: Option<String>,
    /// The text this condition matched is a secret: every output shows only
    /// its first few characters.
    pub redact: Option<bool>,
}

/// Arguments of `similar-to`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SimilarSpec {
    /// The right spellings.
    pub names: Vec<String>,
    /// Known wrong spellings and the name each one means.
    #[serde(default)]
    pub aliases: std::collections::BTreeMap<String, String>,
    /// Largest edit distance (insertions, deletions, substitutions and
    /// swaps of neighbours) still taken for a misspelling. Default 2; never
    /// more than a third of the name's length.
    #[serde(default)]
    pub max_distance: Option<usize>,
    /// Compare ignoring ASCII case (a name that differs only in case is then
    /// right, not a misspelling).
    #[serde(default)]
    pub ignore_case: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExamplesSpec {
    #[serde(default)]
    pub valid: Vec<Spanned<ExampleSpec>>,
    #[serde(default)]
    pub invalid: Vec<Spanned<ExampleSpec>>,
}

/// A JSON snippet (an action, a list of actions or a story) and, for
/// invalid examples, the source text each finding must underline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleSpec {
    #[serde(default)]
    pub name: Option<String>,
    pub input: String,
    #[serde(default)]
    pub highlight: Option<OneOrMany<String>>,
}
