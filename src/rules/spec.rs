//! The rule file format, exactly as written in YAML. Every struct denies
//! unknown keys, so a typo in a rule file is an error rather than a rule
//! that silently never fires. Values that are checked after parsing keep
//! their YAML location (`Spanned`) so errors can point at them.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RuleSpec {
    /// Stable identifier, lower-case words joined by `-`.
    pub(crate) id: Spanned<String>,
    /// `error`, `warning` or `info`.
    pub(crate) severity: Spanned<String>,
    /// One line: what the rule finds.
    pub(crate) summary: String,
    /// The finding's message; may use `{value}`, `{match}`, `{key}`,
    /// `{action}` and `{type}`.
    pub(crate) message: Spanned<String>,
    /// Short text under the highlighted bytes (same placeholders).
    #[serde(default)]
    pub(crate) label: Option<Spanned<String>>,
    /// How to fix it.
    #[serde(default)]
    pub(crate) help: Option<String>,
    /// Why it matters; shown by `explain` and in the docs.
    #[serde(default)]
    pub(crate) rationale: Option<String>,
    /// Which values of which actions the rule looks at.
    pub(crate) target: TargetSpec,
    /// What must hold for a targeted value to be reported. Without it,
    /// every targeted value is reported.
    #[serde(default)]
    pub(crate) when: Option<Spanned<ConditionSpec>>,
    /// What to underline: `match` (default: the narrowest part a condition
    /// matched, else the value), `value` or `key`.
    #[serde(default)]
    pub(crate) highlight: Option<Spanned<String>>,
    /// The edit that fixes a finding, where the fix is certain enough to
    /// offer.
    #[serde(default)]
    pub(crate) fix: Option<Spanned<FixSpec>>,
    /// Snippets the rule must stay silent on and must report.
    pub(crate) examples: ExamplesSpec,
}

/// `fix`: what replaces the highlighted text (for `highlight: key`, the
/// member's name), and how certain that is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FixSpec {
    /// `safe` (the meaning is certain) or `unsafe` (likely, not certain).
    pub(crate) applicability: Spanned<String>,
    /// The replacement, with the message placeholders; a list is tried in
    /// order and the first whose placeholders all have a value is used.
    pub(crate) replace: OneOrMany<Spanned<String>>,
    /// No fix where the underlined text matches this regex.
    #[serde(default)]
    pub(crate) unless_matches: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct TargetSpec {
    /// Action types the rule applies to (exact, e.g.
    /// `Agents::HTTPRequestAgent`); empty or absent means every action.
    #[serde(default)]
    pub(crate) action_types: Vec<String>,
    /// Path from the action object, e.g. `options.headers.*`, or a list
    /// of them: the rule looks at the values of each.
    pub(crate) path: OneOrMany<Spanned<String>>,
    /// Skip values computed at run time (formulas, Liquid). Default true.
    #[serde(default = "default_true")]
    pub(crate) skip_templated: bool,
}

fn default_true() -> bool {
    true
}

/// A condition: exactly one test, optionally with modifiers. Combinators
/// (`all`, `any`, `not`) nest conditions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConditionSpec {
    // Combinators.
    pub(crate) all: Option<Vec<Spanned<ConditionSpec>>>,
    pub(crate) any: Option<Vec<Spanned<ConditionSpec>>>,
    pub(crate) not: Option<Box<Spanned<ConditionSpec>>>,
    // Subject switches.
    /// Test the key (member name) of the targeted value instead.
    pub(crate) key: Option<Box<Spanned<ConditionSpec>>>,
    /// Test the value(s) at this path from the action instead; holds when
    /// any of them satisfies the test.
    pub(crate) at: Option<Spanned<String>>,
    // Tests.
    pub(crate) matches: Option<Spanned<String>>,
    pub(crate) not_matches: Option<Spanned<String>>,
    /// With `matches`: a condition on the text the regex captured.
    pub(crate) captured: Option<Box<Spanned<ConditionSpec>>>,
    pub(crate) one_of: Option<Vec<String>>,
    pub(crate) not_one_of: Option<Vec<String>>,
    /// With `one-of` / `not-one-of`: compare ignoring ASCII case.
    pub(crate) ignore_case: Option<bool>,
    /// With `at`: whether anything exists at the path.
    pub(crate) present: Option<bool>,
    #[serde(rename = "type")]
    pub(crate) value_type: Option<OneOrMany<Spanned<String>>>,
    pub(crate) base64: Option<bool>,
    /// `any`, `whole` or `none`.
    pub(crate) template: Option<Spanned<String>>,
    pub(crate) host_matches: Option<Vec<Spanned<String>>>,
    /// Holds when the text is not one of `names` but is close to one (an
    /// alias or within a small edit distance), and suggests that name.
    pub(crate) similar_to: Option<Spanned<SimilarSpec>>,
    /// Holds when an earlier member of the same object has the same key
    /// (with `ignore-case`, the same ignoring ASCII case).
    pub(crate) duplicate_key: Option<bool>,
    /// Holds when the text is base64 and its decoded text satisfies this
    /// condition.
    pub(crate) base64_decoded: Option<Box<Spanned<ConditionSpec>>>,
    /// Holds when the text is a JWT whose `exp` claim is before the clock
    /// (`--now`), or, with `false`, one that has not expired.
    pub(crate) jwt_expired: Option<bool>,
    pub(crate) empty: Option<bool>,
    pub(crate) references: Option<Spanned<ReferencesSpec>>,
    /// What the API the request calls (by its profile) makes of the
    /// credential this value sends.
    pub(crate) api: Option<Spanned<ApiConditionSpec>>,
    // Modifiers.
    /// With `matches`: the suggested fix, the match rewritten with `$name`
    /// or `${name}` group references.
    pub(crate) replacement: Option<Spanned<String>>,
    /// Why the condition matters; fills the `{reason}` placeholder.
    pub(crate) reason: Option<String>,
    /// The text this condition matched is a secret: every output shows only
    /// its first few characters.
    pub(crate) redact: Option<bool>,
}

/// Arguments of `similar-to`.
/// `references`: which of a value's references a condition looks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ReferencesSpec {
    #[serde(default)]
    pub(crate) kind: Option<OneOrMany<Spanned<String>>>,
    #[serde(default)]
    pub(crate) syntax: Option<OneOrMany<Spanned<String>>>,
    #[serde(default)]
    pub(crate) resolves: Option<bool>,
    #[serde(default)]
    pub(crate) upstream: Option<bool>,
    #[serde(default)]
    pub(crate) receives_events: Option<bool>,
    #[serde(default)]
    pub(crate) name: Option<Box<Spanned<ConditionSpec>>>,
    #[serde(default)]
    pub(crate) highlight: Option<Spanned<String>>,
}

/// `api`: a credential the request sends, held against the profile of the
/// API it calls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ApiConditionSpec {
    /// `accepted`, `unaccepted` or `missing`.
    pub(crate) credential: Spanned<String>,
    /// `present` or `absent`: only credentials sent with (or without) a
    /// scheme before them.
    #[serde(default)]
    pub(crate) scheme: Option<Spanned<String>>,
    /// Header names that carry a credential whatever their value, besides
    /// those the API's profile names.
    #[serde(default)]
    pub(crate) credential_headers: Vec<String>,
    /// Query parameter names that may carry one.
    #[serde(default)]
    pub(crate) credential_parameters: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SimilarSpec {
    /// The right spellings.
    pub(crate) names: Vec<String>,
    /// Known wrong spellings and the name each one means.
    #[serde(default)]
    pub(crate) aliases: std::collections::BTreeMap<String, String>,
    /// Largest edit distance (insertions, deletions, substitutions and
    /// swaps of neighbours) still taken for a misspelling. Default 2; never
    /// more than a third of the name's length.
    #[serde(default)]
    pub(crate) max_distance: Option<usize>,
    /// Compare ignoring ASCII case (a name that differs only in case is then
    /// right, not a misspelling).
    #[serde(default)]
    pub(crate) ignore_case: bool,
    /// Aliases are likely, not certain: a fix offers no alias's name.
    #[serde(default)]
    pub(crate) uncertain_aliases: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExamplesSpec {
    #[serde(default)]
    pub(crate) valid: Vec<Spanned<ExampleSpec>>,
    #[serde(default)]
    pub(crate) invalid: Vec<Spanned<ExampleSpec>>,
}

/// A JSON snippet (an action, a list of actions or a story) and, for
/// invalid examples, the source text each finding must underline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExampleSpec {
    #[serde(default)]
    pub(crate) name: Option<String>,
    pub(crate) input: String,
    #[serde(default)]
    pub(crate) highlight: Option<OneOrMany<String>>,
    /// For an invalid example of a rule with a fix: the input once every
    /// fix of the rule is applied.
    #[serde(default)]
    pub(crate) fixed: Option<String>,
}
