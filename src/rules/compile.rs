//! Turning a rule file into a checked, ready-to-run [`Rule`]: YAML is
//! deserialised into the spec, then every regex, path, glob, severity and
//! message placeholder is validated. Problems are reported at the YAML
//! bytes they come from.

use super::condition::api::{ApiTest, Want};
use super::condition::{Condition, LazyRegex, ReferencePart, ReferenceTest, Similar, TemplateTest};
use super::path::PathPattern;
use super::spec::{
    ApiConditionSpec, ConditionSpec, ExampleSpec, OneOrMany, ReferencesSpec, RuleSpec,
};
use super::{Applicability, Example, Highlight, Message, Piece, Rule, RuleFix, RuleOrigin, Var};
use crate::error::{RuleError, RuleErrorKind};
use crate::parse::Kind;
use crate::severity::Severity;
use crate::yaml::{Reader, span_of, valid_id};
use globset::{GlobBuilder, GlobSetBuilder};
use serde_saphyr::Spanned;
use std::ops::Range;

/// Reads one rule file.
pub(crate) fn compile_rule(
    name: &str,
    yaml: &str,
    origin: RuleOrigin,
) -> Result<Rule, Vec<RuleError>> {
    let cx = Cx {
        r: Reader::new(name, yaml),
        // Built-in regexes are compiled (and so checked) by the test suite;
        // a user's are compiled now, so that every error is reported here.
        eager: origin != RuleOrigin::Builtin,
    };
    cx.run(origin)
}

/// Reads one built-in rule file from the JSON form `build.rs` made of it;
/// from `yaml` should it have none or should that not read.
pub(crate) fn compile_builtin_rule(
    name: &str,
    yaml: &str,
    json: Option<&str>,
) -> Result<Rule, Vec<RuleError>> {
    let cx = Cx {
        r: Reader::builtin(name, yaml, json),
        eager: false,
    };
    cx.run(RuleOrigin::Builtin)
}

/// The tests a condition holds, by their key in the rule file.
type Tests = Vec<(&'static str, Condition)>;

struct Cx<'a> {
    r: Reader<'a>,
    /// Compile regexes now rather than on first use.
    eager: bool,
}

impl Cx<'_> {
    fn error(
        &mut self,
        kind: RuleErrorKind,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        help: Option<&str>,
    ) {
        self.r.error(kind, span, message, help);
    }

    fn invalid<T>(&mut self, at: &Spanned<T>, message: impl Into<String>, help: Option<&str>) {
        self.r.at(RuleErrorKind::InvalidRule, at, message, help);
    }

    fn run(mut self, origin: RuleOrigin) -> Result<Rule, Vec<RuleError>> {
        let Some(spec): Option<RuleSpec> = self
            .r
            .parse((RuleErrorKind::InvalidYaml, RuleErrorKind::InvalidRule))
        else {
            return Err(self.r.errors);
        };
        let id = spec.id.value.clone();
        if !valid_id(&id) {
            self.invalid(
                &spec.id,
                format!("rule id `{id}` is not lower-case words joined by `-`"),
                Some("use an id such as `missing-bearer-prefix`"),
            );
        }
        let severity = match Severity::parse(&spec.severity.value) {
            Some(s) => s,
            None => {
                self.invalid(
                    &spec.severity,
                    format!("unknown severity `{}`", spec.severity.value),
                    Some("use `error`, `warning` or `info`"),
                );
                Severity::Error
            }
        };
        let message = self.message(&spec.message);
        let label = spec.label.as_ref().map(|l| self.message(l));
        let mut paths = Vec::new();
        for p in many(&spec.target.path) {
            match PathPattern::parse(&p.value) {
                Ok(path) => paths.push(path),
                Err(why) => self.invalid(p, format!("invalid path: {why}"), None),
            }
        }
        let path = (!paths.is_empty()).then_some(paths);
        let when = spec.when.as_ref().map(|c| self.condition(c));
        let highlight = match spec.highlight.as_ref().map(|h| h.value.as_str()) {
            None | Some("match") => Highlight::Match,
            Some("value") => Highlight::Value,
            Some("key") => Highlight::Key,
            Some(other) => {
                let other = other.to_string();
                if let Some(h) = spec.highlight.as_ref() {
                    self.invalid(
                        h,
                        format!("unknown highlight `{other}`"),
                        Some("use `match`, `value` or `key`"),
                    );
                }
                Highlight::Match
            }
        };
        let examples_valid = spec
            .examples
            .valid
            .iter()
            .map(|e| self.example(e))
            .collect();
        let examples_invalid: Vec<Example> = spec
            .examples
            .invalid
            .iter()
            .map(|e| self.example(e))
            .collect();
        for (ex, spec_ex) in examples_invalid.iter().zip(&spec.examples.invalid) {
            if ex.highlight.is_empty() {
                self.invalid(
                    spec_ex,
                    "an invalid example needs `highlight`: the text each finding must underline",
                    None,
                );
            }
        }
        let fix = self.fix(&spec);
        let Some(path) = path.filter(|_| self.r.errors.is_empty()) else {
            return Err(self.r.errors);
        };
        Ok(Rule {
            id,
            severity,
            summary: spec.summary.trim().to_string(),
            message,
            label,
            help: spec.help.map(|h| unwrap_lines(&h)),
            rationale: spec.rationale.map(|r| r.trim().to_string()),
            action_types: spec.target.action_types,
            paths: path,
            skip_templated: spec.target.skip_templated,
            when: when.unwrap_or(Condition::All(Vec::new())),
            highlight,
            fix,
            valid: examples_valid,
            invalid: examples_invalid,
            origin,
            enabled: true,
        })
    }

    fn example(&mut self, e: &Spanned<ExampleSpec>) -> Example {
        Example {
            name: e.value.name.clone(),
            input: e.value.input.clone(),
            highlight: e
                .value
                .highlight
                .as_ref()
                .map(|h| match h {
                    super::spec::OneOrMany::One(s) => vec![s.clone()],
                    super::spec::OneOrMany::Many(v) => v.clone(),
                })
                .unwrap_or_default(),
            line: self.r.line_of(e),
            fixed: e.value.fixed.clone(),
        }
    }

    /// The rule's fix, and a check that its examples show it: a fix is
    /// shown by an invalid example's `fixed`, which a rule without one may
    /// not have.
    fn fix(&mut self, spec: &RuleSpec) -> Option<RuleFix> {
        let fixed = spec
            .examples
            .invalid
            .iter()
            .chain(&spec.examples.valid)
            .filter(|e| e.value.fixed.is_some());
        let Some(fix) = &spec.fix else {
            for e in fixed.collect::<Vec<_>>() {
                self.invalid(e, "`fixed` shows a fix, but the rule has no `fix`", None);
            }
            return None;
        };
        if let Some(e) = spec.examples.valid.iter().find(|e| e.value.fixed.is_some()) {
            self.invalid(
                e,
                "a valid example has nothing to fix; `fixed` belongs to invalid examples",
                None,
            );
        }
        // `check` compiles the built-in rules without their examples.
        let stripped = spec.examples.valid.is_empty() && spec.examples.invalid.is_empty();
        if fixed.count() == 0 && !stripped {
            self.invalid(
                fix,
                "a rule with a `fix` needs an invalid example with `fixed`: the input once fixed",
                None,
            );
        }
        let applicability = match fix.value.applicability.value.as_str() {
            "safe" => Applicability::Safe,
            "unsafe" => Applicability::Unsafe,
            other => {
                let other = other.to_string();
                self.invalid(
                    &fix.value.applicability,
                    format!("unknown applicability `{other}`"),
                    Some("use `safe` (the meaning is certain) or `unsafe` (likely, not certain)"),
                );
                Applicability::Safe
            }
        };
        let replace = many(&fix.value.replace)
            .into_iter()
            .map(|t| self.message(t))
            .collect();
        let unless = fix
            .value
            .unless_matches
            .as_ref()
            .and_then(|p| self.regex(p, true))
            .and_then(|r| r.get().cloned());
        Some(RuleFix {
            applicability,
            replace,
            unless,
        })
    }

    fn message(&mut self, text: &Spanned<String>) -> Message {
        match parse_message(&text.value) {
            Ok(m) => m,
            Err(why) => {
                self.invalid(
                    text,
                    why,
                    Some("placeholders are {value}, {match}, {key}, {action}, {type}, {suggestion} and {reason}; write {{ or }} for a brace"),
                );
                Message(Vec::new())
            }
        }
    }

    /// A regex, compiled and checked now when compiling eagerly (user rule
    /// files) or when `compile` asks for it, else on first use.
    fn regex(&mut self, pattern: &Spanned<String>, compile: bool) -> Option<LazyRegex> {
        // Built-in regexes are checked by the test suite
        // (`every_builtin_regex_compiles`), not at every start.
        let result = if compile || self.eager {
            LazyRegex::build(&pattern.value).map(LazyRegex::compiled)
        } else {
            Ok(LazyRegex::new(&pattern.value))
        };
        match result {
            Ok(r) => Some(r),
            Err(e) => {
                let span = self.regex_error_span(pattern);
                let msg = match &e {
                    regex::Error::Syntax(s) => {
                        // The syntax error's own text repeats the pattern with a caret;
                        // keep its final line, which says what is wrong.
                        let last = s
                            .lines()
                            .rev()
                            .find(|l| l.starts_with("error:"))
                            .unwrap_or(s);
                        format!("invalid regex: {}", last.trim_start_matches("error: "))
                    }
                    other => format!("invalid regex: {other}"),
                };
                self.error(RuleErrorKind::InvalidRule, span, msg, None);
                None
            }
        }
    }

    /// The YAML bytes to blame for a regex error: the exact spot when the
    /// scalar is written without escapes, else the whole scalar.
    fn regex_error_span(&self, pattern: &Spanned<String>) -> Option<Range<usize>> {
        let whole = span_of(pattern)?;
        let raw = self.r.yaml.get(whole.clone())?;
        let inner_offset = if raw == pattern.value {
            0
        } else if raw.len() == pattern.value.len() + 2
            && raw.starts_with('\'')
            && raw[1..raw.len() - 1] == pattern.value
        {
            1
        } else {
            return Some(whole);
        };
        let ast_err = regex_syntax::ast::parse::Parser::new()
            .parse(&pattern.value)
            .err();
        match ast_err {
            Some(e) => {
                let s = e.span();
                let start = whole.start + inner_offset + s.start.offset;
                let end = whole.start + inner_offset + s.end.offset.max(s.start.offset + 1);
                Some(start..end.min(whole.end))
            }
            None => Some(whole),
        }
    }

    fn condition(&mut self, spanned: &Spanned<ConditionSpec>) -> Condition {
        let mut tests = Tests::new();
        self.combining(spanned, &mut tests);
        self.regex_tests(spanned, &mut tests);
        self.value_tests(spanned, &mut tests);
        self.text_tests(spanned, &mut tests);
        let cond = self.the_one_test(spanned, tests);
        self.wrapped(spanned, cond)
    }

    /// `all`, `any`, `not`, `key`.
    fn combining(&mut self, spanned: &Spanned<ConditionSpec>, tests: &mut Tests) {
        let c = &spanned.value;
        if let Some(items) = &c.all {
            tests.push((
                "all",
                Condition::All(items.iter().map(|i| self.condition(i)).collect()),
            ));
        }
        if let Some(items) = &c.any {
            if items.is_empty() {
                self.invalid(spanned, "`any` needs at least one condition", None);
            }
            tests.push((
                "any",
                Condition::Any(items.iter().map(|i| self.condition(i)).collect()),
            ));
        }
        if let Some(inner) = &c.not {
            tests.push(("not", Condition::Not(Box::new(self.condition(inner)))));
        }
        if let Some(inner) = &c.key {
            tests.push(("key", Condition::Key(Box::new(self.condition(inner)))));
        }
    }

    /// `matches` (with `captured` and `replacement`) and `not-matches`.
    fn regex_tests(&mut self, spanned: &Spanned<ConditionSpec>, tests: &mut Tests) {
        let c = &spanned.value;
        if let Some(p) = &c.matches {
            let captured = c.captured.as_ref().map(|i| Box::new(self.condition(i)));
            let replacement = c.replacement.as_ref().map(|r| r.value.clone());
            // A replacement is checked against the compiled regex's groups;
            // a built-in one by the test suite, like the regex
            // (`builtin_rules_pass_the_checks_of_a_rule_file`).
            if let Some(regex) = self.regex(p, false) {
                if self.eager
                    && let Some(r) = &c.replacement
                    && let Some(compiled) = regex.get()
                {
                    self.check_replacement(compiled, r);
                }
                tests.push((
                    "matches",
                    Condition::Matches {
                        regex,
                        captured,
                        replacement,
                    },
                ));
            } else {
                tests.push(("matches", Condition::All(Vec::new())));
            }
        } else {
            if c.captured.is_some() {
                self.invalid(spanned, "`captured` goes with `matches`", None);
            }
            if let Some(r) = &c.replacement {
                self.invalid(r, "`replacement` goes with `matches`", None);
            }
        }
        if let Some(p) = &c.not_matches {
            if let Some(regex) = self.regex(p, false) {
                tests.push((
                    "not-matches",
                    Condition::Not(Box::new(Condition::Matches {
                        regex,
                        captured: None,
                        replacement: None,
                    })),
                ));
            } else {
                tests.push(("not-matches", Condition::All(Vec::new())));
            }
        }
    }

    /// `one-of`, `not-one-of`, `ignore-case`, `present`, `type`, `base64`,
    /// `template`.
    fn value_tests(&mut self, spanned: &Spanned<ConditionSpec>, tests: &mut Tests) {
        let c = &spanned.value;
        let ignore_case = c.ignore_case.unwrap_or(false);
        if let Some(values) = &c.one_of {
            tests.push((
                "one-of",
                Condition::OneOf {
                    values: values.clone(),
                    ignore_case,
                },
            ));
        }
        if let Some(values) = &c.not_one_of {
            tests.push((
                "not-one-of",
                Condition::Not(Box::new(Condition::OneOf {
                    values: values.clone(),
                    ignore_case,
                })),
            ));
        }
        if c.ignore_case.is_some()
            && c.one_of.is_none()
            && c.not_one_of.is_none()
            && c.duplicate_key.is_none()
        {
            self.invalid(
                spanned,
                "`ignore-case` goes with `one-of`, `not-one-of` or `duplicate-key`",
                Some("for a regex, start it with (?i)"),
            );
        }
        if c.present.is_some() {
            if c.at.is_none() {
                self.invalid(
                    spanned,
                    "`present` goes with `at`",
                    Some("write `at: options.some_key` beside it"),
                );
            }
            // `present: false` negates the lookup itself (below, with
            // `at`), not a test on what the lookup finds.
            tests.push(("present", Condition::Exists));
        }
        if let Some(types) = &c.value_type {
            let mut kinds = Vec::new();
            let types: Vec<&Spanned<String>> = match types {
                super::spec::OneOrMany::One(t) => vec![t],
                super::spec::OneOrMany::Many(v) => v.iter().collect(),
            };
            for t in types {
                match parse_kind(&t.value) {
                    Some(k) => kinds.push(k),
                    None => self.invalid(
                        t,
                        format!("unknown type `{}`", t.value),
                        Some("use string, number, boolean, null, array or object"),
                    ),
                }
            }
            tests.push(("type", Condition::Type(kinds)));
        }
        if let Some(b) = c.base64 {
            tests.push((
                "base64",
                if b {
                    Condition::Base64
                } else {
                    Condition::Not(Box::new(Condition::Base64))
                },
            ));
        }
        if let Some(t) = &c.template {
            let test = match t.value.as_str() {
                "any" => TemplateTest::Any,
                "whole" => TemplateTest::Whole,
                "none" => TemplateTest::None,
                other => {
                    let msg = format!("unknown template test `{other}`");
                    self.invalid(t, msg, Some("use `any`, `whole` or `none`"));
                    TemplateTest::Any
                }
            };
            tests.push(("template", Condition::Template(test)));
        }
    }

    /// `host-matches`, `similar-to`, `duplicate-key`, `base64-decoded`,
    /// `jwt-expired`.
    fn text_tests(&mut self, spanned: &Spanned<ConditionSpec>, tests: &mut Tests) {
        let c = &spanned.value;
        if let Some(globs) = &c.host_matches {
            let mut set = GlobSetBuilder::new();
            for g in globs {
                match GlobBuilder::new(&g.value).case_insensitive(true).build() {
                    Ok(glob) => {
                        set.add(glob);
                    }
                    Err(e) => self.invalid(g, format!("invalid glob: {}", e.kind()), None),
                }
            }
            match set.build() {
                Ok(set) => tests.push(("host-matches", Condition::HostMatches(set))),
                Err(e) => self.invalid(spanned, format!("invalid globs: {e}"), None),
            }
        }
        if let Some(similar) = &c.similar_to {
            let spec = &similar.value;
            if spec.names.is_empty() {
                self.invalid(similar, "`similar-to` needs at least one name", None);
            }
            let fold = |s: &str| {
                if spec.ignore_case {
                    s.to_ascii_lowercase()
                } else {
                    s.to_string()
                }
            };
            tests.push((
                "similar-to",
                Condition::SimilarTo(Similar {
                    names: spec.names.clone(),
                    aliases: spec
                        .aliases
                        .iter()
                        .map(|(a, n)| (fold(a), n.clone()))
                        .collect(),
                    max_distance: spec.max_distance.unwrap_or(2),
                    ignore_case: spec.ignore_case,
                    uncertain_aliases: spec.uncertain_aliases,
                }),
            ));
        }
        if let Some(b) = c.duplicate_key {
            let test = Condition::DuplicateKey {
                ignore_case: c.ignore_case.unwrap_or(false),
            };
            tests.push((
                "duplicate-key",
                if b {
                    test
                } else {
                    Condition::Not(Box::new(test))
                },
            ));
        }
        if let Some(inner) = &c.base64_decoded {
            tests.push((
                "base64-decoded",
                Condition::Base64Decoded(Box::new(self.condition(inner))),
            ));
        }
        if let Some(b) = c.jwt_expired {
            tests.push(("jwt-expired", Condition::JwtExpired(b)));
        }
        if let Some(b) = c.empty {
            tests.push(("empty", Condition::Empty(b)));
        }
        if let Some(r) = &c.references {
            let test = self.references(r);
            tests.push(("references", Condition::References(test)));
        }
        if let Some(a) = &c.api {
            let test = self.api(a);
            tests.push(("api", Condition::Api(test)));
        }
    }

    /// An `api` test.
    fn api(&mut self, spanned: &Spanned<ApiConditionSpec>) -> ApiTest {
        let a = &spanned.value;
        let want = match a.credential.value.as_str() {
            "accepted" => Want::Accepted,
            "unaccepted" => Want::Unaccepted,
            "missing" => Want::Missing,
            other => {
                let msg = format!("unknown `credential` test `{other}`");
                self.invalid(
                    &a.credential,
                    msg,
                    Some("use accepted, unaccepted or missing"),
                );
                Want::Accepted
            }
        };
        let scheme = match a.scheme.as_ref().map(|s| s.value.as_str()) {
            None => None,
            Some("present") => Some(true),
            Some("absent") => Some(false),
            Some(other) => {
                let msg = format!("unknown `scheme` test `{other}`");
                if let Some(s) = &a.scheme {
                    self.invalid(s, msg, Some("use present or absent"));
                }
                None
            }
        };
        let lower = |v: &[String]| v.iter().map(|s| s.to_ascii_lowercase()).collect();
        ApiTest {
            want,
            scheme,
            headers: lower(&a.credential_headers),
            parameters: lower(&a.credential_parameters),
        }
    }

    /// A `references` test.
    fn references(&mut self, spanned: &Spanned<ReferencesSpec>) -> ReferenceTest {
        use crate::export::references::{RootKind, Syntax};
        let r = &spanned.value;
        let mut kinds = Vec::new();
        for k in one_or_many(&r.kind) {
            match RootKind::ALL.iter().find(|x| x.name() == k.value) {
                Some(kind) => kinds.push(*kind),
                None => self.invalid(
                    k,
                    format!("unknown kind of reference `{}`", k.value),
                    Some("use action, credential, resource, input, meta, info, global, function, local or literal"),
                ),
            }
        }
        let mut syntaxes = Vec::new();
        for s in one_or_many(&r.syntax) {
            match [Syntax::Pill, Syntax::Formula, Syntax::Liquid]
                .into_iter()
                .find(|x| x.name() == s.value)
            {
                Some(syntax) => syntaxes.push(syntax),
                None => self.invalid(
                    s,
                    format!("unknown reference syntax `{}`", s.value),
                    Some("use pill, formula or liquid"),
                ),
            }
        }
        let highlight = match r.highlight.as_ref().map(|h| h.value.as_str()) {
            None | Some("path") => ReferencePart::Path,
            Some("root") => ReferencePart::Root,
            Some("name") => ReferencePart::Name,
            Some(other) => {
                let msg = format!("unknown part of a reference `{other}`");
                if let Some(h) = &r.highlight {
                    self.invalid(h, msg, Some("use root, path or name"));
                }
                ReferencePart::Path
            }
        };
        ReferenceTest {
            kinds,
            syntaxes,
            resolves: r.resolves,
            upstream: r.upstream,
            receives_events: r.receives_events,
            name: r.name.as_ref().map(|n| Box::new(self.condition(n))),
            highlight,
        }
    }

    /// The condition's test: it must have exactly one.
    fn the_one_test(&mut self, spanned: &Spanned<ConditionSpec>, mut tests: Tests) -> Condition {
        let c = &spanned.value;
        match tests.len() {
            1 => tests
                .pop()
                .map(|(_, c)| c)
                .unwrap_or(Condition::All(Vec::new())),
            0 => {
                if c.at.is_some() {
                    self.invalid(
                        spanned,
                        "`at` needs a test beside it",
                        Some("e.g. `present: true` or `matches: ...`"),
                    );
                } else {
                    self.invalid(
                        spanned,
                        "a condition needs a test",
                        Some("e.g. `matches`, `one-of`, `type`, `all`, `any` or `not`"),
                    );
                }
                Condition::All(Vec::new())
            }
            _ => {
                let names: Vec<&str> = tests.iter().map(|(n, _)| *n).collect();
                self.invalid(
                    spanned,
                    format!(
                        "a condition holds exactly one test, this one has {}",
                        names.join(", ")
                    ),
                    Some("put them in a list under `all:` (or `any:`)"),
                );
                Condition::All(Vec::new())
            }
        }
    }

    /// The test under `at` (or `present: false`), `reason` and `redact`.
    fn wrapped(&mut self, spanned: &Spanned<ConditionSpec>, cond: Condition) -> Condition {
        let c = &spanned.value;
        let cond = match &c.at {
            Some(path) => match PathPattern::parse(&path.value) {
                Ok(p) if c.present == Some(false) => {
                    Condition::Not(Box::new(Condition::At(p, Box::new(cond))))
                }
                Ok(p) => Condition::At(p, Box::new(cond)),
                Err(why) => {
                    self.invalid(path, format!("invalid path: {why}"), None);
                    cond
                }
            },
            None => cond,
        };
        let cond = match &c.reason {
            Some(reason) => Condition::Reason(unwrap_lines(reason), Box::new(cond)),
            None => cond,
        };
        match c.redact {
            Some(true) => Condition::Redact(Box::new(cond)),
            _ => cond,
        }
    }

    /// Group references in a `replacement` must name groups of the regex.
    fn check_replacement(&mut self, regex: &regex::Regex, r: &Spanned<String>) {
        let names: Vec<&str> = regex.capture_names().flatten().collect();
        let text = &r.value;
        let mut i = 0;
        while let Some(rel) = text[i..].find('$') {
            let at = i + rel + 1;
            let rest = &text[at..];
            let (name, used) = if let Some(inner) = rest.strip_prefix('{') {
                match inner.find('}') {
                    Some(end) => (&inner[..end], end + 2),
                    None => {
                        self.invalid(r, "unclosed `${` in replacement", None);
                        return;
                    }
                }
            } else if rest.starts_with('$') {
                ("", 1)
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (&rest[..end], end)
            };
            let numbered = name
                .parse::<usize>()
                .is_ok_and(|n| n < regex.captures_len());
            if !name.is_empty() && !numbered && !names.contains(&name) {
                self.invalid(
                    r,
                    format!("replacement refers to `${name}`, which is not a group of the regex"),
                    Some("name a group with (?P<name>...) and write ${name}"),
                );
            }
            i = at + used;
        }
    }
}

/// Joins the lines of each paragraph, so text written across lines in
/// YAML wraps to the reader's terminal instead of at the author's.
pub(crate) fn unwrap_lines(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The items of an optional one-or-many value.
fn one_or_many<T>(v: &Option<OneOrMany<T>>) -> Vec<&T> {
    v.as_ref().map(many).unwrap_or_default()
}

/// The items of a one-or-many value.
fn many<T>(v: &OneOrMany<T>) -> Vec<&T> {
    match v {
        OneOrMany::One(t) => vec![t],
        OneOrMany::Many(items) => items.iter().collect(),
    }
}

fn parse_kind(s: &str) -> Option<Kind> {
    Some(match s {
        "string" => Kind::String,
        "number" => Kind::Number,
        "boolean" | "bool" => Kind::Bool,
        "null" => Kind::Null,
        "array" => Kind::Array,
        "object" => Kind::Object,
        _ => return None,
    })
}

/// Parses a message template.
pub(crate) fn parse_message(text: &str) -> Result<Message, String> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("unclosed placeholder `{{{name}`")),
                    }
                }
                let var = match name.as_str() {
                    "value" => Var::Value,
                    "match" => Var::Match,
                    "key" => Var::Key,
                    "action" => Var::Action,
                    "type" => Var::Type,
                    "suggestion" => Var::Suggestion,
                    "reason" => Var::Reason,
                    _ => return Err(format!("unknown placeholder `{{{name}}}`")),
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Var(var));
            }
            '}' => return Err("a lone `}`".into()),
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(Message(pieces))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "id: demo-rule\nseverity: warning\nsummary: s\nmessage: 'm {value}'\ntarget:\n  path: options.method\nexamples: {}\n";

    /// Errors in a user's rule file (whose regexes are compiled up front).
    fn errors(yaml: &str) -> Vec<(String, Option<String>)> {
        match compile_rule("r.yaml", yaml, RuleOrigin::File("r.yaml".into())) {
            Ok(_) => vec![],
            Err(errs) => errs
                .into_iter()
                .map(|e| {
                    let at = e
                        .location
                        .as_ref()
                        .map(|l| yaml[l.span.clone()].to_string());
                    (e.message, at)
                })
                .collect(),
        }
    }

    #[test]
    fn compiles_a_minimal_rule() {
        let rule = compile_rule("r.yaml", BASE, RuleOrigin::Builtin).unwrap();
        assert_eq!(rule.id, "demo-rule");
        assert_eq!(rule.severity, Severity::Warning);
    }

    #[test]
    fn regex_errors_point_inside_the_pattern() {
        let yaml = format!("{BASE}when:\n  matches: '^(?P<span>abc'\n");
        let errs = errors(&yaml);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].0.starts_with("invalid regex"), "{errs:?}");
        assert_eq!(errs[0].1.as_deref(), Some("("));
    }

    #[test]
    fn unknown_keys_and_values_are_located() {
        let errs = errors(&format!("{BASE}when:\n  machtes: x\n"));
        assert!(errs[0].0.contains("machtes"), "{errs:?}");
        assert!(errs[0].1.is_some());
        let errs = errors(&BASE.replace("warning", "fatal"));
        assert_eq!(errs[0].1.as_deref(), Some("fatal"));
        let errs = errors(&BASE.replace("{value}", "{valeu}"));
        assert!(errs[0].0.contains("{valeu}"));
        let errs = errors(&format!("{BASE}when:\n  one-of: [a]\n  matches: b\n"));
        assert!(errs[0].0.contains("exactly one test"), "{errs:?}");
        let errs = errors(&format!("{BASE}when:\n  present: true\n"));
        assert!(errs[0].0.contains("goes with `at`"), "{errs:?}");
        let errs = errors(&BASE.replace("demo-rule", "Demo_Rule"));
        assert_eq!(errs[0].1.as_deref(), Some("Demo_Rule"));
    }

    #[test]
    fn present_and_absent_look_at_sibling_paths() {
        use crate::export::{Recognised, recognise};
        use crate::parse::Document;
        use crate::rules::condition::{Ctx, Subject, value_text};
        let rule_with = |when: &str| {
            let yaml = format!("{BASE}when:\n{when}");
            compile_rule("r.yaml", &yaml, RuleOrigin::Builtin).unwrap()
        };
        let holds = |rule: &Rule, json: &str| {
            let doc = Document::parse(json).unwrap();
            let Recognised::Export { actions, shape, .. } = recognise(&doc) else {
                panic!("not an export")
            };
            let stories = crate::export::story::LazyStories::new(&doc, &actions, shape);
            let ctx = Ctx {
                doc: &doc,
                action: actions[0].node,
                options: actions[0].options,
                action_index: 0,
                stories: &stories,
                references: &Default::default(),
                apis: &Default::default(),
                called: std::cell::OnceCell::new(),
                now: 0,
                guards: true,
            };
            let target = doc.get(doc.get(0, "options").unwrap(), "method").unwrap();
            let text = value_text(&doc, target);
            let subject = Subject::whole(&text, doc.kind(target), target);
            rule.when.eval(&ctx, &subject).is_some()
        };
        let with_auth =
            r#"{"type":"Agents::HTTPRequestAgent","options":{"method":"get","basic_auth":"a:b"}}"#;
        let without = r#"{"type":"Agents::HTTPRequestAgent","options":{"method":"get"}}"#;
        let present = rule_with("  at: options.basic_auth\n  present: true\n");
        let absent = rule_with("  at: options.basic_auth\n  present: false\n");
        assert!(holds(&present, with_auth));
        assert!(!holds(&present, without));
        assert!(!holds(&absent, with_auth));
        assert!(holds(&absent, without));
        let matching = rule_with("  at: options.basic_auth\n  matches: ':b$'\n");
        assert!(holds(&matching, with_auth));
        assert!(!holds(&matching, without));
    }

    #[test]
    fn messages_parse() {
        assert!(parse_message("a {value} {{b}}").is_ok());
        assert!(parse_message("a {value").is_err());
        assert!(parse_message("a }").is_err());
    }
}
