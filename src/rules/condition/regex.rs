//! `matches`: a rule's regex, compiled lazily, and its evaluation.

use super::{Condition, Ctx, Hit, Narrow, Subject};
use regex::Regex;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::OnceLock;

/// Largest compiled regex a rule may use (bytes); the regex crate runs in
/// linear time, and this bounds its memory too.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule's regex, compiled when it is first needed. Building a regex costs
/// far more than a short run uses it, and the literal prefilter means that
/// most regexes never see a value in a typical run: compiling them lazily
/// keeps start-up (what a pre-commit hook on one file pays) small. Rule
/// files from users are compiled up front so that errors are reported with
/// the rule; built-in rules are compiled by the test suite.
#[derive(Debug)]
pub(crate) struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
    /// Its literals and the shape of its `span` group, from its syntax.
    facts: OnceLock<crate::rules::prefilter::RegexFacts>,
    /// An automaton over `literals`: a value without any of them is
    /// rejected before the regex is compiled.
    guard: OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl LazyRegex {
    /// A regex to compile on first use. Should it fail to build (the test
    /// suite compiles every built-in one), it matches nothing.
    pub(crate) fn new(pattern: &str) -> Self {
        LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
            facts: OnceLock::new(),
            guard: OnceLock::new(),
        }
    }

    /// An already compiled regex.
    pub(crate) fn compiled(regex: Regex) -> Self {
        let lazy = LazyRegex::new(regex.as_str());
        let _ = lazy.compiled.set(Some(regex));
        lazy
    }

    pub(crate) fn build(pattern: &str) -> Result<Regex, regex::Error> {
        regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
    }

    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The compiled regex; `None` only if it could not be built.
    pub(crate) fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Self::build(&self.pattern).ok())
            .as_ref()
    }

    /// Lower-case literals one of which every match on ASCII text holds
    /// (see [`crate::rules::prefilter::regex_literals`]).
    pub(crate) fn literals(&self) -> Option<&BTreeSet<Vec<u8>>> {
        self.facts().literals.as_ref()
    }

    /// Whether the `span` group (if any) always covers the whole match, so
    /// a plain search finds what it underlines.
    pub(crate) fn span_is_match(&self) -> bool {
        self.facts().span_is_match
    }

    fn facts(&self) -> &crate::rules::prefilter::RegexFacts {
        self.facts
            .get_or_init(|| crate::rules::prefilter::analyse(&self.pattern))
    }

    /// False when the regex cannot match `s`, decided without compiling it.
    /// Once it is compiled, its own literal search does the same job, so
    /// this answers true.
    pub(crate) fn may_match(&self, s: &str) -> bool {
        if self.compiled.get().is_some() {
            return true;
        }
        let guard = self.guard.get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                // Cheap to build; a few literals are found by its
                // prefilter anyway.
                .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                .build(self.literals()?)
                .ok()
        });
        match guard {
            Some(ac) => !s.is_ascii() || ac.is_match(s),
            None => true,
        }
    }
}

/// Each match of `lazy` in the subject (the first, unless `every`): its
/// `span` group (or the whole match) is what it points at, `replacement`
/// expanded with its groups is the suggestion, and `captured` must hold of
/// the matched text.
pub(super) fn matches(
    lazy: &LazyRegex,
    captured: Option<&Condition>,
    replacement: Option<&str>,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
) -> Vec<Hit> {
    let s = subject.str();
    if ctx.guards && !lazy.may_match(s) {
        return Vec::new();
    }
    let Some(regex) = lazy.get() else {
        return Vec::new();
    };
    let whole = replacement.is_none() && lazy.span_is_match();
    // Most values do not match: finding that out costs far less than
    // setting up a search for capture groups. (A plain search costs about
    // the same as the test, so it needs none.)
    if !whole && !regex.is_match(s) {
        return Vec::new();
    }
    let mut out = Vec::new();
    // What one match contributes; false to stop looking.
    let mut take = |m: Range<usize>, caps: Option<&regex::Captures>| {
        let base = Hit {
            narrow: subject.located.then(|| Narrow {
                span: subject.source_span(m.clone()),
                node: subject.node,
                text: s[m.clone()].to_string(),
            }),
            suggestion: replacement.zip(caps).map(|(r, caps)| {
                let mut dst = String::new();
                caps.expand(r, &mut dst);
                dst
            }),
            ..Hit::default()
        };
        match captured {
            Some(inner) => out.extend(captured_hits(inner, &base, m, ctx, subject, every)),
            None => out.push(base),
        }
        every || out.is_empty()
    };
    if whole {
        // The `span` group, if any, is the whole match: no need for the
        // slower search that reports groups.
        for m in regex.find_iter(s) {
            if !take(m.range(), None) {
                break;
            }
        }
    } else {
        for caps in regex.captures_iter(s) {
            let m = caps
                .name("span")
                .or_else(|| caps.get(0))
                .map(|m| m.range())
                .unwrap_or(0..0);
            if !take(m, Some(&caps)) {
                break;
            }
        }
    }
    out
}

/// The hits of `inner` on the text of match `m`, pointing where the match
/// does unless they point somewhere themselves.
fn captured_hits(
    inner: &Condition,
    base: &Hit,
    m: Range<usize>,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
) -> Vec<Hit> {
    let sub = subject.part(m);
    let mut hits = inner.collect(ctx, &sub, every, None);
    for h in &mut hits {
        if h.narrow.is_none() {
            h.narrow.clone_from(&base.narrow);
        }
        h.enrich(base);
    }
    hits
}
