//! Literal prefilters: the text a condition cannot hold without.
//!
//! Most values in an export are URLs, names, ids and payload text that no
//! rule cares about, and running every rule's regexes on each of them is
//! most of the cost of a run. Before a rule evaluates a value, one
//! Aho-Corasick pass over the value (and one over its member name) tells
//! which rules could possibly hold on it: a rule is skipped unless the text
//! contains one of the literals its condition needs.
//!
//! What a condition needs is worked out from the conditions themselves,
//! generically: a regex needs the literals every match must contain (from its
//! syntax tree), `one-of` needs one of its values, `key` moves the need to the
//! member name, `any` needs what any branch needs, and `all` needs what its
//! most selective item needs. Anything else (`not`, `type`, `at`, ...) needs
//! nothing, and a rule whose condition needs nothing always runs. Literals
//! are compared ignoring ASCII case, which can only let more values through:
//! a prefilter may run a rule for nothing, but never skips one that holds.

use super::condition::Condition;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// Most literals kept for one part of a regex before giving up on it.
const MAX_LITERALS: usize = 64;
/// Longest literal kept; a longer one is cut, and its start is still needed.
const MAX_LITERAL_LEN: usize = 32;
/// Largest character class turned into literals, in characters.
const MAX_CLASS: u32 = 8;

/// Where a needed literal must appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Place {
    /// In the value under test (decoded).
    Value,
    /// In its member name (decoded).
    Key,
    /// At the start of the value under test (decoded).
    Start,
}

/// A literal a condition may need.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Atom {
    pub(crate) place: Place,
    /// Lower-case ASCII where the text is ASCII.
    pub(crate) literal: Vec<u8>,
    /// Only a string can hold it (a regex never matches other values),
    /// so an object or array never does.
    pub(crate) strings_only: bool,
}

/// A condition holds only if at least one of these literals (compared
/// ignoring ASCII case) appears in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Needs(pub Vec<Atom>);

impl Needs {
    /// Higher is more selective: the shortest literal's length first, then
    /// fewer literals.
    fn score(&self) -> (usize, std::cmp::Reverse<usize>) {
        let shortest = self.0.iter().map(|a| a.literal.len()).min().unwrap_or(0);
        (shortest, std::cmp::Reverse(self.0.len()))
    }

    fn from_set(set: BTreeSet<Vec<u8>>, strings_only: bool) -> Option<Self> {
        if set.is_empty() || set.iter().any(Vec::is_empty) {
            return None;
        }
        Some(Needs(
            set.into_iter()
                .map(|literal| Atom {
                    place: Place::Value,
                    literal,
                    strings_only,
                })
                .collect(),
        ))
    }
}

/// The most selective of several alternatives that are all needed.
fn best(candidates: impl IntoIterator<Item = Option<Needs>>) -> Option<Needs> {
    candidates.into_iter().flatten().max_by_key(|n| n.score())
}

/// What `condition` needs to hold on a value, or `None` if it could hold on
/// any value.
pub(crate) fn needs(condition: &Condition) -> Option<Needs> {
    match condition {
        Condition::All(items) => best(items.iter().map(needs)),
        Condition::Any(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(needs(item)?.0);
            }
            out.sort();
            out.dedup();
            (!out.is_empty()).then_some(Needs(out))
        }
        Condition::Key(inner) => {
            let inner = needs(inner)?;
            // The inner condition sees the member name as its value; a
            // member name has no member name of its own.
            if inner.0.iter().any(|a| a.place == Place::Key) {
                return None;
            }
            Some(Needs(
                inner
                    .0
                    .into_iter()
                    .map(|a| Atom {
                        place: Place::Key,
                        ..a
                    })
                    .collect(),
            ))
        }
        Condition::Matches {
            regex, captured, ..
        } => {
            // What `captured` needs is needed in the match, so in the value.
            let own = regex
                .literals()
                .and_then(|set| Needs::from_set(set.clone(), true));
            best([own, captured.as_deref().and_then(needs)])
        }
        Condition::OneOf { values, .. } => {
            Needs::from_set(values.iter().map(|v| lower(v.as_bytes())).collect(), false)
        }
        Condition::Reason(_, inner) | Condition::Redact(inner) => needs(inner),
        // A reference is in a pill, in Liquid, or in a formula field, which
        // starts with `=`.
        Condition::References(_) => Some(Needs(
            [
                ("<<", Place::Value),
                ("{{", Place::Value),
                ("{%", Place::Value),
                ("=", Place::Start),
            ]
            .into_iter()
            .map(|(l, place)| Atom {
                place,
                literal: l.as_bytes().to_vec(),
                strings_only: true,
            })
            .collect(),
        )),
        _ => None,
    }
}

/// Literals (lower-cased) one of which every match of `pattern` on ASCII
/// text contains.
///
/// The pattern is read without Unicode, which is much cheaper and which
/// only leaves out non-ASCII case variants (`(?i)k` also matches the Kelvin
/// sign): so the literals hold for ASCII text only, and
/// [`Prefilter::scan`] lets every rule through for other text.
#[cfg(test)]
pub(crate) fn regex_literals(pattern: &str) -> Option<BTreeSet<Vec<u8>>> {
    analyse(pattern).literals
}

/// What the prefilter and the engine learn from a regex's syntax, from one
/// parse (read without Unicode; see [`regex_literals`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RegexFacts {
    /// See [`regex_literals`].
    pub(crate) literals: Option<BTreeSet<Vec<u8>>>,
    /// See [`span_is_match`].
    pub(crate) span_is_match: bool,
}

/// The [`RegexFacts`] of `pattern`; nothing is known of one that does not
/// parse.
pub(crate) fn analyse(pattern: &str) -> RegexFacts {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return RegexFacts::default();
    };
    RegexFacts {
        literals: required(&hir).map(minimise),
        span_is_match: span_covers_match(&hir),
    }
}

/// Whether `pattern` has no `span` group, or one that always covers the
/// whole match: the group is the whole pattern, or has only zero-width
/// assertions (`\b`, `^`, ...) beside it.
#[cfg(test)]
pub(crate) fn span_is_match(pattern: &str) -> bool {
    analyse(pattern).span_is_match
}

fn span_covers_match(hir: &Hir) -> bool {
    fn has_span(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Capture(c) => c.name.as_deref() == Some("span") || has_span(&c.sub),
            HirKind::Repetition(r) => has_span(&r.sub),
            HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().any(has_span),
            _ => false,
        }
    }
    let is_span =
        |h: &Hir| matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("span"));
    match hir.kind() {
        _ if !has_span(hir) => true,
        HirKind::Capture(_) => is_span(hir),
        HirKind::Concat(items) => {
            items.iter().filter(|h| is_span(h)).count() == 1
                && items
                    .iter()
                    .all(|h| is_span(h) || matches!(h.kind(), HirKind::Look(_)))
        }
        _ => false,
    }
}

/// `set` without the literals that contain another of its literals: where
/// `credentials` occurs, `credential` does too.
fn minimise(set: BTreeSet<Vec<u8>>) -> BTreeSet<Vec<u8>> {
    let implied = |l: &Vec<u8>| {
        set.iter()
            .any(|o| o.len() < l.len() && l.windows(o.len()).any(|w| w == o.as_slice()))
    };
    set.iter().filter(|l| !implied(l)).cloned().collect()
}

fn lower(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    v.truncate(MAX_LITERAL_LEN);
    v
}

/// Literals one of which every match of `hir` contains; `None` when there
/// is no useful set (or it could match the empty string).
fn required(hir: &Hir) -> Option<BTreeSet<Vec<u8>>> {
    if let Some(set) = exact(hir) {
        return (!set.contains(&Vec::new())).then_some(set);
    }
    match hir.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(items) => union(items, required),
        HirKind::Concat(items) => {
            // Each item alone, and each run of items with exact sets
            // joined into longer literals.
            let mut candidates: Vec<BTreeSet<Vec<u8>>> = Vec::new();
            let mut run: Option<BTreeSet<Vec<u8>>> = None;
            for item in items {
                match exact(item) {
                    Some(set) => {
                        run = Some(match run.take() {
                            Some(prev) => match product(&prev, &set) {
                                Some(p) => p,
                                None => {
                                    candidates.push(prev);
                                    set
                                }
                            },
                            None => set,
                        });
                    }
                    None => {
                        candidates.extend(run.take());
                        candidates.extend(required(item));
                    }
                }
            }
            candidates.extend(run);
            candidates
                .into_iter()
                .filter(|s| !s.is_empty() && !s.contains(&Vec::new()))
                .max_by_key(|s| {
                    let shortest = s.iter().map(Vec::len).min().unwrap_or(0);
                    (shortest, std::cmp::Reverse(s.len()))
                })
        }
        _ => None,
    }
}

/// Every string `hir` can match, lower-cased, when there are few of them.
fn exact(hir: &Hir) -> Option<BTreeSet<Vec<u8>>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(BTreeSet::from([Vec::new()])),
        HirKind::Literal(l) => Some(BTreeSet::from([lower(&l.0)])),
        HirKind::Class(class) => class_literals(class),
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Repetition(r) => match (r.min, r.max) {
            (0, Some(1)) => {
                let mut set = exact(&r.sub)?;
                set.insert(Vec::new());
                Some(set)
            }
            (n, Some(m)) if n == m && n <= 4 => {
                let one = exact(&r.sub)?;
                let mut set = BTreeSet::from([Vec::new()]);
                for _ in 0..n {
                    set = product(&set, &one)?;
                }
                Some(set)
            }
            _ => None,
        },
        HirKind::Concat(items) => {
            let mut set = BTreeSet::from([Vec::new()]);
            for item in items {
                set = product(&set, &exact(item)?)?;
            }
            Some(set)
        }
        HirKind::Alternation(items) => union(items, exact),
    }
}

/// The sets `each` gives the branches of an alternation, together; `None`
/// if a branch has none or there would be too many.
fn union(items: &[Hir], each: fn(&Hir) -> Option<BTreeSet<Vec<u8>>>) -> Option<BTreeSet<Vec<u8>>> {
    let mut out = BTreeSet::new();
    for item in items {
        out.extend(each(item)?);
        if out.len() > MAX_LITERALS {
            return None;
        }
    }
    Some(out)
}

/// The characters of a small class as one-character literals.
fn class_literals(class: &Class) -> Option<BTreeSet<Vec<u8>>> {
    let mut set = BTreeSet::new();
    match class {
        Class::Unicode(c) => {
            let size: u32 = c
                .ranges()
                .iter()
                .map(|r| r.end() as u32 - r.start() as u32 + 1)
                .sum();
            if size == 0 || size > MAX_CLASS {
                return None;
            }
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    let mut buf = [0u8; 4];
                    set.insert(lower(ch.encode_utf8(&mut buf).as_bytes()));
                }
            }
        }
        Class::Bytes(c) => {
            let size: u32 = c
                .ranges()
                .iter()
                .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
                .sum();
            if size == 0 || size > MAX_CLASS {
                return None;
            }
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    set.insert(lower(&[b]));
                }
            }
        }
    }
    Some(set)
}

/// Every concatenation of a string of `a` with a string of `b`, or `None`
/// if there would be too many.
fn product(a: &BTreeSet<Vec<u8>>, b: &BTreeSet<Vec<u8>>) -> Option<BTreeSet<Vec<u8>>> {
    if a.len().saturating_mul(b.len()) > MAX_LITERALS {
        return None;
    }
    let mut out = BTreeSet::new();
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            s.truncate(MAX_LITERAL_LEN);
            out.insert(s);
        }
    }
    Some(out)
}

/// The prefilter of a rule set: which rules may hold on a value, from one
/// scan of the value and one of its member name. Where a rule's condition
/// is an `any`, each branch has its own bit, so that a value runs only the
/// branches whose literals it holds.
#[derive(Debug)]
pub(crate) struct Prefilter {
    /// Per rule: the bits any of which lets it run, or `None` when it
    /// always runs.
    rule_bits: Vec<Option<u64>>,
    /// Per rule whose condition is an `any`: each branch's bit, or `None`
    /// for a branch that always runs.
    branch_bits: Vec<Vec<Option<u64>>>,
    /// Bits of rules that may hold on an object or array: those that need
    /// a literal that values other than strings can hold.
    container_bits: u64,
    value: Scanner,
    key: Scanner,
}

/// One automaton over the literals needed in one place, and the rule bits
/// each literal stands for; and the literals needed at the start.
#[derive(Debug)]
struct Scanner {
    /// Walked byte by byte: values are short (a few dozen bytes), and a
    /// search through `AhoCorasick` costs more to start than such a walk.
    automaton: Option<DFA>,
    bits: Vec<u64>,
    /// All of `bits`.
    all: u64,
    starts: Vec<(Vec<u8>, u64)>,
}

/// `literals` with each literal once, holding the bits of all its
/// entries: rules share literals (`<<`, `credential`), and an automaton
/// with one pattern per entry reports each occurrence once per entry.
fn merged(literals: Vec<(Vec<u8>, u64)>) -> Vec<(Vec<u8>, u64)> {
    let mut by_literal: std::collections::BTreeMap<Vec<u8>, u64> = Default::default();
    for (literal, bit) in literals {
        *by_literal.entry(literal).or_default() |= bit;
    }
    by_literal.into_iter().collect()
}

impl Scanner {
    fn new(literals: Vec<(Vec<u8>, u64)>, starts: Vec<(Vec<u8>, u64)>) -> Self {
        let (literals, starts) = (merged(literals), merged(starts));
        if literals.is_empty() {
            return Scanner {
                automaton: None,
                bits: Vec::new(),
                all: 0,
                starts,
            };
        }
        let automaton = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(literals.iter().map(|(l, _)| l))
            .ok();
        // Without an automaton every bit is set: nothing is skipped.
        let bits: Vec<u64> = if automaton.is_some() {
            literals.iter().map(|(_, b)| *b).collect()
        } else {
            Vec::new()
        };
        Scanner {
            all: bits.iter().fold(0, |a, b| a | b),
            bits,
            automaton,
            starts,
        }
    }

    /// The bits of the rules whose literals occur in `text`, anywhere or
    /// at its start.
    fn scan(&self, text: &str) -> u64 {
        let head = text.as_bytes();
        let mut found = self.scan_anywhere(text);
        for (literal, bit) in &self.starts {
            if head
                .get(..literal.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(literal))
            {
                found |= bit;
            }
        }
        found
    }

    /// The bits of the rules whose literals occur anywhere in `text`.
    fn scan_anywhere(&self, text: &str) -> u64 {
        let Some(dfa) = &self.automaton else {
            return if self.bits.is_empty() { 0 } else { u64::MAX };
        };
        // Literals were taken from regexes read without Unicode, so they
        // speak for ASCII text only.
        if !text.is_ascii() {
            return u64::MAX;
        }
        let Ok(mut state) = dfa.start_state(Anchored::No) else {
            return u64::MAX;
        };
        // Every literal that ends at a byte is reported in the state the
        // byte leads to (overlapping matches, as the rules need them all).
        let mut found = 0u64;
        for &byte in text.as_bytes() {
            state = dfa.next_state(Anchored::No, state, byte);
            if dfa.is_special(state) && dfa.is_match(state) {
                for i in 0..dfa.match_len(state) {
                    found |= self.bits[dfa.match_pattern(state, i).as_usize()];
                }
                if found == self.all {
                    break;
                }
            }
        }
        found
    }
}

/// Works out, ahead of [`Prefilter::new`], the syntax facts of the regexes
/// it will read for a rule with this condition (they are kept in each
/// regex): rules can be compiled on several cores, the prefilter is built
/// on one.
pub(crate) fn warm(condition: &Condition) {
    match condition.top_branches() {
        Some(branches) => branches.iter().for_each(|b| drop(needs(b))),
        None => drop(needs(condition)),
    }
}

impl Prefilter {
    /// Builds the prefilter for rules with these conditions, in order.
    pub(crate) fn new<'c>(conditions: impl IntoIterator<Item = &'c Condition>) -> Self {
        let mut p = Prefilter {
            rule_bits: Vec::new(),
            branch_bits: Vec::new(),
            container_bits: 0,
            value: Scanner::new(Vec::new(), Vec::new()),
            key: Scanner::new(Vec::new(), Vec::new()),
        };
        let (mut value, mut key, mut starts) = (Vec::new(), Vec::new(), Vec::new());
        // Guards beyond 64 share bits: a shared bit only lets more values
        // through.
        let mut next_bit = 0u32;
        let mut guard = |needs: Option<Needs>| -> Option<u64> {
            let needs = needs?;
            let bit = 1u64 << (next_bit % 64);
            next_bit += 1;
            for atom in needs.0 {
                match atom.place {
                    Place::Value => {
                        if !atom.strings_only {
                            p.container_bits |= bit;
                        }
                        value.push((atom.literal, bit));
                    }
                    Place::Key => key.push((atom.literal, bit)),
                    Place::Start => starts.push((atom.literal, bit)),
                }
            }
            Some(bit)
        };
        for condition in conditions {
            match condition.top_branches() {
                Some(branches) => {
                    let bits: Vec<Option<u64>> = branches.iter().map(|b| guard(needs(b))).collect();
                    let rule = bits
                        .iter()
                        .try_fold(0u64, |acc, b| b.map(|b| acc | b))
                        .filter(|m| *m != 0);
                    p.rule_bits.push(rule);
                    p.branch_bits.push(bits);
                }
                None => {
                    p.rule_bits.push(guard(needs(condition)));
                    p.branch_bits.push(Vec::new());
                }
            }
        }
        p.value = Scanner::new(value, starts);
        p.key = Scanner::new(key, Vec::new());
        p
    }

    /// The bits of the rules that may hold on a value with this text (or
    /// `None` for an object or array, whose text is not scanned) and member
    /// name.
    #[cfg(test)]
    pub(crate) fn scan(&self, value: Option<&str>, key: Option<&str>) -> u64 {
        self.scan_value(value) | key.map_or(0, |k| self.scan_key(k))
    }

    /// The value's part of [`Prefilter::scan`].
    pub(crate) fn scan_value(&self, value: Option<&str>) -> u64 {
        match value {
            Some(text) => self.value.scan(text),
            None => self.container_bits,
        }
    }

    /// The member name's part of [`Prefilter::scan`].
    pub(crate) fn scan_key(&self, key: &str) -> u64 {
        self.key.scan(key)
    }

    /// Whether rule `index` may hold on a value whose scan gave `bits`.
    pub(crate) fn may_hold(&self, index: usize, bits: u64) -> bool {
        match self.rule_bits.get(index) {
            Some(Some(mask)) => bits & mask != 0,
            _ => true,
        }
    }

    /// Whether branch `branch` of rule `index`'s top-level `any` may hold
    /// on a value whose scan gave `bits`.
    pub(crate) fn branch_may_hold(&self, index: usize, branch: usize, bits: u64) -> bool {
        match self.branch_bits.get(index).and_then(|b| b.get(branch)) {
            Some(Some(bit)) => bits & bit != 0,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(pattern: &str) -> Option<Vec<String>> {
        regex_literals(pattern).map(|s| {
            s.into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect()
        })
    }

    #[test]
    fn regexes_need_their_most_selective_literals() {
        assert_eq!(lits("abc").unwrap(), ["abc"]);
        assert_eq!(lits("(?i)Basic\\s+x").unwrap(), ["basic"]);
        assert_eq!(
            lits(r"\b(?P<span>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})").unwrap(),
            ["gho_", "ghp_", "ghr_", "ghs_", "ghu_", "github_pat_"]
        );
        // The longer literal wins over the short delimiters around it.
        assert_eq!(
            lits(r"(?:<<|\{\{)\s*(?i:credentials?)\s*(?:>>|\}\})").unwrap(),
            ["credential"]
        );
        assert_eq!(
            lits("api[-_]?key").unwrap(),
            ["api-key", "api_key", "apikey"]
        );
        assert_eq!(lits("a|b").unwrap(), ["a", "b"]);
    }

    #[test]
    fn spans_that_are_the_whole_match() {
        for p in [
            r"abc",
            r"(?P<span>a+)",
            r"\b(?P<span>x[0-9]+)\b",
            r"^(?P<span>a)$",
            r"(?P<other>a)b",
        ] {
            assert!(span_is_match(p), "{p}");
        }
        for p in [
            r"a(?P<span>b)",
            r"(?P<span>a)|b",
            r"(?P<span>a)?",
            r"<<\s*(?P<span>x)\s*>>",
        ] {
            assert!(!span_is_match(p), "{p}");
        }
    }

    #[test]
    fn regexes_that_need_nothing() {
        for p in [
            r"^\s*[A-Za-z0-9]{20,}\s*$",
            "a|[a-z]+",
            "x?",
            "",
            r"\w+",
            "a*",
        ] {
            assert_eq!(lits(p), None, "{p}");
        }
    }

    #[test]
    fn text_that_is_not_ascii_lets_every_rule_through() {
        // (?i)k also matches KELVIN SIGN, which literals read without
        // Unicode leave out: non-ASCII text must not be filtered.
        let condition = regex_condition("(?i)k1");
        let p = Prefilter::new([&condition]);
        assert!(!p.may_hold(0, p.scan(Some("zz"), None)));
        assert!(p.may_hold(0, p.scan(Some("K1"), None)));
        assert!(p.may_hold(0, p.scan(Some("\u{212A}1"), None)));
        assert!(regex::Regex::new("(?i)k1").unwrap().is_match("\u{212A}1"));
    }

    fn regex_condition(p: &str) -> Condition {
        Condition::Matches {
            regex: super::super::condition::LazyRegex::new(p),
            captured: None,
            replacement: None,
        }
    }

    #[test]
    fn conditions_combine_needs() {
        let key = Condition::Key(Box::new(Condition::OneOf {
            values: vec!["Authorization".into()],
            ignore_case: true,
        }));
        let any = Condition::Any(vec![regex_condition("eyJ"), key]);
        let atom = |place, literal: &[u8], strings_only| Atom {
            place,
            literal: literal.to_vec(),
            strings_only,
        };
        assert_eq!(
            needs(&any),
            Some(Needs(vec![
                atom(Place::Value, b"eyj", true),
                atom(Place::Key, b"authorization", false)
            ]))
        );
        // `any` with a branch that needs nothing needs nothing.
        let open = Condition::Any(vec![regex_condition("eyJ"), regex_condition(".")]);
        assert_eq!(needs(&open), None);
        // `all` takes its most selective item; `not` needs nothing.
        let all = Condition::All(vec![
            Condition::Not(Box::new(regex_condition("zzzzzz"))),
            regex_condition(":"),
            regex_condition("basic"),
        ]);
        assert_eq!(
            needs(&all),
            Some(Needs(vec![atom(Place::Value, b"basic", true)]))
        );
    }

    #[test]
    fn branches_of_an_any_have_their_own_bits() {
        let rule = Condition::Redact(Box::new(Condition::Any(vec![
            regex_condition("eyJ"),
            regex_condition("ghp_"),
            regex_condition("."),
        ])));
        let p = Prefilter::new([&rule]);
        let bits = p.scan(Some("token ghp_x"), None);
        assert!(p.may_hold(0, bits));
        assert!(!p.branch_may_hold(0, 0, bits));
        assert!(p.branch_may_hold(0, 1, bits));
        assert!(
            p.branch_may_hold(0, 2, bits),
            "a branch that needs nothing runs"
        );
        // The rule runs whenever one branch needs nothing; the branches
        // that need literals are still skipped.
        let bits = p.scan(Some("plain"), None);
        assert!(p.may_hold(0, bits));
        assert!(!p.branch_may_hold(0, 0, bits) && !p.branch_may_hold(0, 1, bits));
    }

    #[test]
    fn scans_set_the_bits_of_rules_that_may_hold() {
        let conditions = [
            regex_condition("credential"),
            regex_condition("."),
            Condition::Key(Box::new(regex_condition("auth"))),
        ];
        let p = Prefilter::new(&conditions);
        let bits = p.scan(Some("see <<CREDENTIAL.x>>"), Some("X-Other"));
        assert!(p.may_hold(0, bits));
        assert!(p.may_hold(1, bits), "a rule that needs nothing always runs");
        assert!(!p.may_hold(2, bits));
        let bits = p.scan(Some("plain"), Some("Authorization"));
        assert!(!p.may_hold(0, bits));
        assert!(p.may_hold(2, bits));
        // An object or array is not scanned: a regex cannot hold on one,
        // but `one-of` compares its text, so it may.
        assert!(!p.may_hold(0, p.scan(None, None)));
        let one_of = Condition::OneOf {
            values: vec!["[]".into()],
            ignore_case: false,
        };
        let p = Prefilter::new([&one_of]);
        assert!(p.may_hold(0, p.scan(None, None)));
        assert!(!p.may_hold(0, p.scan(Some("[1]"), None)));
    }

    /// The bits a scan of `text` must give: those of every literal it
    /// holds (ignoring ASCII case), anywhere, overlapping or not.
    fn naive(literals: &[(Vec<u8>, u64)], text: &str) -> u64 {
        let text = text.to_ascii_lowercase();
        literals
            .iter()
            .filter(|(l, _)| text.as_bytes().windows(l.len()).any(|w| w == l.as_slice()))
            .fold(0, |acc, (_, b)| acc | b)
    }

    proptest::proptest! {
        #[test]
        fn a_scan_finds_every_literal_the_text_holds(
            text in "[abAB<{%=?]{0,40}",
            picks in proptest::collection::vec((0usize..9, 0u32..64), 1..8),
        ) {
            let pool = ["a", "ab", "ba", "bab", "<<", "{{", "{%", "aB<", "?"];
            let literals: Vec<(Vec<u8>, u64)> = picks
                .iter()
                .map(|&(l, bit)| (pool[l].to_ascii_lowercase().into_bytes(), 1u64 << bit))
                .collect();
            let scanner = Scanner::new(literals.clone(), Vec::new());
            proptest::prop_assert_eq!(scanner.scan(&text), naive(&literals, &text));
        }
    }

    #[test]
    fn rules_that_share_a_literal_share_one_pattern() {
        let conditions = [
            regex_condition("credential"),
            regex_condition("(?i)CREDENTIAL"),
            regex_condition("token"),
        ];
        let p = Prefilter::new(&conditions);
        let automaton = p.value.automaton.as_ref().expect("an automaton");
        assert_eq!(automaton.patterns_len(), 2, "one pattern per literal");
        let bits = p.scan(Some("<<CREDENTIAL.x>>"), None);
        assert!(p.may_hold(0, bits) && p.may_hold(1, bits));
        assert!(!p.may_hold(2, bits));
    }
}
