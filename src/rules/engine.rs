//! Running compiled rules over the actions of one document.

use super::condition::{Ctx, Subject, value_text};
use super::memo::{FastHash, TextTable};
use super::prefilter::Prefilter;
use super::{Applicability, Highlight, RuleSet, Var};
use crate::export::story::LazyStories;
use crate::export::{Action, Shape, templates};
use crate::parse::strings::{Decoded, decode_text_in};
use crate::parse::{DecodedStr, Document, Kind};
use crate::secret::mask_secret;
use std::ops::Range;
use std::sync::Arc;

/// A finding before it is placed in a file: rule, node and byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawFinding {
    /// Index of the rule in the rule set.
    pub(crate) rule: usize,
    /// The node the finding is about (its JSON pointer is reported).
    pub(crate) node: u32,
    /// Byte span to underline.
    pub(crate) span: Range<usize>,
    /// Shared by the findings of the file that say the same.
    pub(crate) message: Arc<str>,
    pub(crate) label: Option<Arc<str>>,
    /// A replacement for the underlined text.
    pub(crate) suggestion: Option<Box<str>>,
    /// The underlined text, decoded, when it is a secret: outputs must
    /// show only a masked form of it (see [`mask_secret`]).
    pub(crate) secret: Option<String>,
    /// The underlined text, decoded (what a fingerprint is made of).
    pub(crate) text: String,
    /// Index of the action in the list given to [`check`].
    pub(crate) action: usize,
    /// What replaces the underlined text to fix the finding.
    /// Boxed: few findings have one.
    pub(crate) fix: Option<Box<RawFix>>,
}

/// A fix: the text that replaces a finding's span, decoded (it is encoded
/// as the file writes strings when the finding is placed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawFix {
    pub(crate) applicability: Applicability,
    pub(crate) text: String,
}

/// Longest value quoted in a message, in characters.
const MAX_QUOTED: usize = 80;

/// Evaluates every rule on every action. Findings come out in document
/// order; a rule reports a stretch of bytes at most once.
///
/// Work is shared across rules: paths are resolved once per action, and
/// shared beginnings of paths once, and each value is scanned once by the literal prefilter
/// (see [`super::prefilter`]), so a rule's conditions run only on values
/// that hold the literals they need.
pub(crate) fn check<'t>(
    rules: &RuleSet,
    doc: &Document<'t>,
    actions: &[Action],
    shape: Shape,
) -> Vec<RawFinding> {
    let stories = LazyStories::new(doc, actions, shape);
    let prepared = rules.prepared();
    let mut out: Vec<RawFinding> = Vec::new();
    let mut targets = super::path::Resolution::default();
    let mut scans = ScanCache::default();
    let mut applicable: Vec<usize> = Vec::new();
    let mut applies = Applies::default();
    let mut reported = Reported::new(rules.rules.len());
    let mut texts = Texts::default();
    let mut quiet = Quiet::take((prepared.id, rules.now));
    let references = std::cell::RefCell::default();
    for (ai, action) in actions.iter().enumerate() {
        let ctx = Ctx {
            doc,
            action: action.node,
            options: action.options,
            action_index: ai,
            stories: &stories,
            references: &references,
            apis: &rules.apis,
            called: std::cell::OnceCell::new(),
            now: rules.now,
            guards: rules.use_prefilter,
        };
        prepared.paths.start(action.node, &mut targets);
        scans.reset(doc, action.node);
        let runs = applies.to(rules, action.action_type.as_deref());
        // Value by value, each path's targets once: a value is looked up
        // once for all the rules on its path.
        for (end, on_path) in &prepared.rules_by_end {
            applicable.clear();
            applicable.extend(on_path.iter().copied().filter(|&ri| runs[ri]));
            if applicable.is_empty() {
                continue;
            }
            for &target in prepared.paths.get(doc, *end, &mut targets) {
                let bits = if rules.use_prefilter {
                    scans.bits(doc, &prepared.prefilter, target)
                } else {
                    u64::MAX
                };
                let mut known = Known::default();
                let mut name = Name::default();
                for &ri in &applicable {
                    if !prepared.prefilter.may_hold(ri, bits) {
                        continue;
                    }
                    let (memo, guard) = match rules.use_prefilter {
                        true => (&prepared.memo[ri], prepared.key_guards[ri].as_ref()),
                        false => (&NO_MEMO, None),
                    };
                    let verdict = guard.and_then(|g| name.verdict(g, || quiet.name(doc, target)));
                    if verdict == Some(false) {
                        continue;
                    }
                    let may_hold = |b| prepared.prefilter.branch_may_hold(ri, b, bits);
                    if known.rule_is_quiet(memo, may_hold, || quiet.get(doc, target)) {
                        continue;
                    }
                    let rule = &rules.rules[ri];
                    let text = scans.text(doc, target);
                    let text = text.as_ref();
                    let kind = doc.kind(target);
                    if rule.skip_templated
                        && kind == Kind::String
                        && templates::is_templated(&text.text)
                    {
                        continue;
                    }
                    let subject = Subject::whole(text, kind, target);
                    if let (Some(g), None) = (guard, verdict) {
                        let holds = rule.when.key_guard_holds(&g.parts, &ctx, &subject);
                        name.learn(g, holds);
                        if !holds {
                            continue;
                        }
                    }
                    let keep = Keep {
                        may_hold,
                        memo,
                        known: &known,
                    };
                    let hits = rule.when.hits_where(&ctx, &subject, &keep);
                    if hits.is_empty() {
                        known.learn(memo.whole);
                    }
                    for hit in hits {
                        let finding =
                            finding(rule, ri, doc, (ai, action), (target, text), hit, &mut texts);
                        if reported.claim(ri, &finding.span) {
                            out.push(finding);
                        }
                    }
                }
                quiet.finish(known);
                quiet.finish_name(name);
            }
        }
    }
    quiet.put_back();
    out.sort_by_key(|f| (f.span.start, f.rule));
    out
}

/// The finding a hit of rule `ri` on `target` (whose decoded value is
/// `text`) makes: what it underlines, its message, and the secret it shows.
fn finding(
    rule: &super::Rule,
    ri: usize,
    doc: &Document,
    (ai, action): (usize, &Action),
    (target, text): (u32, &DecodedStr),
    mut hit: super::condition::Hit,
    texts: &mut Texts,
) -> RawFinding {
    let value_span = content_span(doc, target);
    let (node, span, matched) = match (rule.highlight, hit.narrow.take()) {
        (Highlight::Key, _) if doc.node(target).has_key() => {
            let n = doc.node(target);
            (
                target,
                n.key_start as usize + 1..n.key_end as usize - 1,
                doc.key(target).map(|k| k.into_owned()),
            )
        }
        (Highlight::Match, Some(n)) => (n.node, n.span, Some(n.text)),
        _ => (target, value_span, None),
    };
    let secret = hit
        .redact
        .then(|| matched.clone().unwrap_or_else(|| text.text.to_string()));
    let shown = |s: &str| match &secret {
        Some(secret) if !secret.is_empty() => s.replace(secret.as_str(), &mask_secret(secret)),
        _ => s.to_string(),
    };
    let lookup = |v: Var| match v {
        Var::Value => quote(&shown(&text.text)),
        Var::Match => quote(&shown(matched.as_deref().unwrap_or(&text.text))),
        Var::Key => quote(&doc.key(target).unwrap_or_default()),
        Var::Action => action
            .name
            .clone()
            .unwrap_or_else(|| "(unnamed action)".into()),
        Var::Type => action
            .action_type
            .clone()
            .unwrap_or_else(|| "(no type)".into()),
        Var::Suggestion => quote(hit.suggestion.as_deref().unwrap_or_default()),
        Var::Reason => hit.reason.clone().unwrap_or_default(),
    };
    let fix = fix_of(
        rule,
        doc,
        (target, node),
        matched.as_deref().unwrap_or(&text.text),
        &hit,
        &secret,
        &lookup,
    );
    RawFinding {
        fix,
        rule: ri,
        node,
        message: texts.get(rule.message.render(lookup)),
        label: rule.label.as_ref().map(|l| texts.get(l.render(lookup))),
        span,
        suggestion: hit.suggestion.map(Box::from),
        text: matched.clone().unwrap_or_else(|| text.text.to_string()),
        secret,
        action: ai,
    }
}

/// The fix rule `rule` offers for `hit`, whose underlined text is
/// `current`, if it offers one there. None is offered for a secret (a fix
/// would show it), a guessed suggestion, a value that is not a string, a
/// replacement that changes nothing, or a key renamed to one its object
/// already has (in any casing).
fn fix_of(
    rule: &super::Rule,
    doc: &Document,
    (target, node): (u32, u32),
    current: &str,
    hit: &super::condition::Hit,
    secret: &Option<String>,
    lookup: &dyn Fn(Var) -> String,
) -> Option<Box<RawFix>> {
    let fix = rule.fix.as_ref()?;
    let on_key = rule.highlight == Highlight::Key && doc.node(target).has_key();
    let on_text =
        on_key || (doc.kind(node) == Kind::String && doc.node(node).end - doc.node(node).start > 2);
    if secret.is_some() || hit.uncertain || !on_text {
        return None;
    }
    let has = |v: Var| match v {
        Var::Suggestion => hit.suggestion.is_some(),
        Var::Reason => hit.reason.is_some(),
        _ => true,
    };
    let template = fix.replace.iter().find(|t| t.fills(has))?;
    let raw = |v: Var| match v {
        Var::Suggestion => hit.suggestion.clone().unwrap_or_default(),
        Var::Reason => hit.reason.clone().unwrap_or_default(),
        Var::Match => current.to_string(),
        Var::Value => value_text(doc, target).text.into_owned(),
        Var::Key => doc.key(target).unwrap_or_default().into_owned(),
        other => lookup(other),
    };
    let text = template.render(raw);
    // Renaming one of two members with one name would bring the other,
    // shadowed one, back to life.
    let clash = on_key && sibling_named(doc, target, [&text, current]);
    if text == current || clash || fix.unless.as_ref().is_some_and(|r| r.is_match(current)) {
        return None;
    }
    Some(Box::new(RawFix {
        applicability: fix.applicability,
        text,
    }))
}

/// Whether another member of `member`'s object is called one of `names`,
/// in any casing (header names are case-insensitive, and two option keys
/// that differ only in case are a trap of their own): one pass over the
/// object.
fn sibling_named(doc: &Document, member: u32, names: [&str; 2]) -> bool {
    let parent = doc.node(member).parent;
    doc.children(parent).filter(|&c| c != member).any(|c| {
        doc.key(c)
            .is_some_and(|k| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
    })
}

/// Which rules run on an action of the type last asked about: most
/// actions of a story share a few types, and comparing type names for
/// every path of every action was a tenth of the string comparisons of a
/// run.
#[derive(Default)]
struct Applies<'a> {
    action_type: Option<Option<&'a str>>,
    rules: Vec<bool>,
}

impl<'a> Applies<'a> {
    /// Per rule, whether it is on and runs on actions of `action_type`.
    fn to(&mut self, rules: &RuleSet, action_type: Option<&'a str>) -> &[bool] {
        if self.action_type != Some(action_type) {
            self.action_type = Some(action_type);
            self.rules.clear();
            let runs = |r: &super::Rule| r.enabled && r.applies_to(action_type);
            self.rules.extend(rules.rules.iter().map(runs));
        }
        &self.rules
    }
}

/// The messages and labels of a file's findings, each text kept once: a
/// file with a hundred thousand findings of one rule says the same thing
/// a hundred thousand times.
#[derive(Default)]
struct Texts(std::collections::HashMap<String, Arc<str>>);

impl Texts {
    fn get(&mut self, s: String) -> Arc<str> {
        if let Some(t) = self.0.get(&s) {
            return Arc::clone(t);
        }
        let t: Arc<str> = Arc::from(s.as_str());
        self.0.insert(s, Arc::clone(&t));
        t
    }
}

/// The rules that found nothing in a string value, by the value's raw
/// text and member name, for the rules whose conditions read nothing else
/// ([`super::Memo`]): such a rule finds nothing in a repeat of the value
/// either. Kept per thread from file to file, for one rule set at a time.
struct Quiet {
    /// The [`super::Prepared::id`] of the rules it is about, and their
    /// clock ([`RuleSet::now`]).
    rules: (u64, i64),
    /// The bits of [`super::Memo`] of each value.
    table: TextTable<u128>,
    /// The bits of [`super::KeyGuard`] of each member name, by its raw text.
    names: TextTable<u128>,
}

thread_local! {
    static QUIET: std::cell::RefCell<Option<Quiet>> = const { std::cell::RefCell::new(None) };
}

/// Most values, and bytes of them, a thread's [`Quiet`] remembers.
const MAX_QUIET: usize = 1 << 13;
const MAX_QUIET_BYTES: usize = 2 << 20;

/// Most member names, and bytes of them, a thread's [`Quiet`] remembers.
const MAX_NAMES: usize = 1 << 12;
const MAX_NAMES_BYTES: usize = 256 << 10;

/// What a rule remembers when the shortcuts are off
/// ([`RuleSet::use_prefilter`]): nothing.
static NO_MEMO: super::Memo = super::Memo {
    whole: None,
    branches: Vec::new(),
};

/// A string value as the file writes it, and its member name.
struct Seen<'t> {
    key: Option<&'t str>,
    raw: &'t str,
}

/// What [`Quiet`] knows of one value while the rules on its path run,
/// looked up when a rule it can answer for first asks.
#[derive(Default)]
struct Known<'t> {
    seen: Option<Seen<'t>>,
    looked_up: bool,
    /// The bits of [`super::Memo`] known or learned to find nothing here.
    quiet: std::cell::Cell<u128>,
    learned: std::cell::Cell<bool>,
}

impl Quiet {
    /// This thread's, for the rule set `rules` (emptied if it was about
    /// another); give it back with [`Quiet::put_back`].
    fn take(rules: (u64, i64)) -> Self {
        match QUIET.with(|q| q.borrow_mut().take()) {
            Some(quiet) if quiet.rules == rules => quiet,
            _ => Quiet {
                rules,
                table: TextTable::new(MAX_QUIET, MAX_QUIET_BYTES),
                names: TextTable::new(MAX_NAMES, MAX_NAMES_BYTES),
            },
        }
    }

    fn put_back(self) {
        QUIET.with(|q| *q.borrow_mut() = Some(self));
    }

    /// What is known of `node`; only strings are remembered.
    fn get<'t>(&self, doc: &Document<'t>, node: u32) -> Known<'t> {
        let seen = (doc.kind(node) == Kind::String).then(|| Seen {
            key: doc.raw_key(node),
            raw: doc.raw(node),
        });
        let quiet = seen.as_ref().map_or(0, |seen| {
            self.table.get(seen.raw, seen.key).copied().unwrap_or(0)
        });
        Known {
            seen,
            looked_up: true,
            quiet: quiet.into(),
            learned: false.into(),
        }
    }

    fn finish(&mut self, known: Known) {
        if let (true, Some(seen)) = (known.learned.get(), known.seen) {
            self.table.set(seen.raw, seen.key, known.quiet.get());
        }
    }

    /// What is known of `node`'s member name; nothing of an array item.
    fn name<'t>(&self, doc: &Document<'t>, node: u32) -> Name<'t> {
        let key = doc.raw_key(node);
        Name {
            looked_up: true,
            bits: key.map_or(0, |k| self.names.get(k, None).copied().unwrap_or(0)),
            key,
            learned: false,
        }
    }

    fn finish_name(&mut self, name: Name) {
        if let (true, Some(key)) = (name.learned, name.key) {
            self.names.set(key, None, name.bits);
        }
    }
}

/// What [`Quiet`] knows of one value's member name while the rules on its
/// path run: whether each [`super::KeyGuard`] holds of it.
#[derive(Default)]
struct Name<'t> {
    key: Option<&'t str>,
    looked_up: bool,
    bits: u128,
    learned: bool,
}

impl<'t> Name<'t> {
    /// Whether `guard` holds of the name, if known; what is known is
    /// looked up with `look_up` when a guard first asks.
    fn verdict(&mut self, guard: &super::KeyGuard, look_up: impl FnOnce() -> Self) -> Option<bool> {
        if !self.looked_up {
            *self = look_up();
        }
        let fails = self.bits & 1 << (2 * guard.bit) != 0;
        let holds = self.bits & 1 << (2 * guard.bit + 1) != 0;
        (fails || holds).then_some(holds)
    }

    fn learn(&mut self, guard: &super::KeyGuard, holds: bool) {
        if self.key.is_some() {
            self.bits |= 1 << (2 * guard.bit + u8::from(holds));
            self.learned = true;
        }
    }
}

impl<'t> Known<'t> {
    fn is(&self, bit: Option<u8>) -> bool {
        bit.is_some_and(|b| self.quiet.get() & 1 << b != 0)
    }

    /// Whether the rule of `memo` is known to find nothing here: as a
    /// whole, or in each branch that `may_hold` lets run. What is known
    /// is looked up with `look_up` when a rule first can be.
    fn rule_is_quiet(
        &mut self,
        memo: &super::Memo,
        may_hold: impl Fn(usize) -> bool,
        look_up: impl FnOnce() -> Self,
    ) -> bool {
        if !memo.any() {
            return false;
        }
        if !self.looked_up {
            *self = look_up();
        }
        if memo.branches.is_empty() {
            return self.is(memo.whole);
        }
        memo.branches
            .iter()
            .enumerate()
            .all(|(i, &bit)| !may_hold(i) || self.is(bit))
    }

    /// The finding of bit `bit` found nothing here.
    fn learn(&self, bit: Option<u8>) {
        if let (Some(b), true) = (bit, self.seen.is_some()) {
            self.quiet.set(self.quiet.get() | 1 << b);
            self.learned.set(true);
        }
    }
}

/// The branches of a rule's top-level `any` to run on a value: those the
/// prefilter lets through and not known to find nothing in it.
struct Keep<'k, 't, F> {
    may_hold: F,
    memo: &'k super::Memo,
    known: &'k Known<'t>,
}

impl<F: Fn(usize) -> bool> super::condition::Branches for Keep<'_, '_, F> {
    fn keep(&self, i: usize) -> bool {
        (self.may_hold)(i) && !self.known.is(self.memo.branches.get(i).copied().flatten())
    }

    fn found_nothing(&self, i: usize) {
        self.known
            .learn(self.memo.branches.get(i).copied().flatten());
    }
}

/// Per-value work under one action, each done once: prefilter scans, and
/// decoded text for the values rules evaluate. The nodes of an action's
/// subtree are contiguous, so they are indexed from the action.
#[derive(Default)]
struct ScanCache<'t> {
    base: u32,
    bits: Vec<Option<u64>>,
    /// Empty for an action too large to keep every decoded value of.
    texts: Vec<Option<DecodedStr<'t>>>,
    /// Where escaped values are decoded for scanning.
    scratch: String,
    /// Prefilter bits of each member name met in the file, by its raw
    /// text: a file repeats a few dozen names thousands of times.
    keys: std::collections::HashMap<&'t str, u64, FastHash>,
}

/// Most member names whose prefilter bits a file keeps.
const MAX_CACHED_KEYS: usize = 1 << 14;

/// Largest action subtree whose decoded values are kept.
const MAX_CACHED_TEXTS: usize = 1 << 16;

impl<'t> ScanCache<'t> {
    fn reset(&mut self, doc: &Document, action: u32) {
        self.base = action;
        let len = doc.node(action).next.saturating_sub(action) as usize;
        self.bits.clear();
        self.bits.resize(len, None);
        self.texts.clear();
        if len <= MAX_CACHED_TEXTS {
            self.texts.resize(len, None);
        }
    }

    fn slot(&self, node: u32) -> Option<usize> {
        node.checked_sub(self.base).map(|i| i as usize)
    }

    fn bits(&mut self, doc: &Document<'t>, prefilter: &Prefilter, node: u32) -> u64 {
        let slot = self.slot(node);
        if let Some(Some(bits)) = slot.and_then(|i| self.bits.get(i)) {
            return *bits;
        }
        let bits = self.key_bits(doc, prefilter, node)
            | match doc.kind(node) {
                // A container's text is the whole subtree: not worth a scan.
                Kind::Object | Kind::Array => prefilter.scan_value(None),
                // Where its decoded text is kept, a string is decoded once
                // for the scan and the rules it lets through.
                Kind::String if slot.is_some_and(|i| i < self.texts.len()) => {
                    prefilter.scan_value(Some(&self.text(doc, node).text))
                }
                Kind::String => {
                    let n = doc.node(node);
                    let text = match decode_text_in(
                        doc.text(),
                        n.start as usize,
                        n.end as usize,
                        &mut self.scratch,
                    ) {
                        Decoded::Source(s) => s,
                        Decoded::Scratch => self.scratch.as_str(),
                    };
                    prefilter.scan_value(Some(text))
                }
                _ => prefilter.scan_value(Some(doc.raw(node))),
            };
        if let Some(entry) = slot.and_then(|i| self.bits.get_mut(i)) {
            *entry = Some(bits);
        }
        bits
    }

    /// The prefilter bits of `node`'s member name (none for an array item
    /// or the root), each distinct name scanned once per file.
    fn key_bits(&mut self, doc: &Document<'t>, prefilter: &Prefilter, node: u32) -> u64 {
        let Some(raw) = doc.raw_key(node) else {
            return 0;
        };
        if let Some(&bits) = self.keys.get(raw) {
            return bits;
        }
        let bits = prefilter.scan_key(&doc.key(node).unwrap_or_default());
        // A file of endless distinct names is scanned name by name.
        if self.keys.len() < MAX_CACHED_KEYS {
            self.keys.insert(raw, bits);
        }
        bits
    }

    /// The decoded value of `node` (see [`value_text`]).
    fn text(&mut self, doc: &Document<'t>, node: u32) -> std::borrow::Cow<'_, DecodedStr<'t>> {
        match self.slot(node).and_then(|i| self.texts.get_mut(i)) {
            Some(entry) => {
                std::borrow::Cow::Borrowed(entry.get_or_insert_with(|| value_text(doc, node)))
            }
            None => std::borrow::Cow::Owned(value_text(doc, node)),
        }
    }
}

/// The spans each rule has reported in a file: a rule reports a stretch of
/// bytes at most once. Checking a span costs a logarithm of the rule's
/// findings, so a file with a hundred thousand of them stays linear in
/// practice.
struct Reported {
    /// Per rule, its reported spans as `(start, end)`. They never overlap
    /// one another, so sorted by start their ends never decrease either.
    spans: Vec<std::collections::BTreeSet<(usize, usize)>>,
}

impl Reported {
    fn new(rules: usize) -> Self {
        Reported {
            spans: vec![std::collections::BTreeSet::new(); rules],
        }
    }

    /// Records `span` for `rule` unless it overlaps one already reported
    /// (shares a byte with it, or is the same empty span); true if new.
    fn claim(&mut self, rule: usize, span: &Range<usize>) -> bool {
        let set = &mut self.spans[rule];
        let (s, e) = (span.start, span.end);
        // Of the spans starting before `span` ends (or at it, for an empty
        // one), the last ends furthest: it overlaps if any does.
        let bound = if s == e { (s, s) } else { (e, 0) };
        let before = set.range(..bound).next_back();
        let overlaps = set.contains(&(s, e)) || before.is_some_and(|&(_, end)| end > s);
        if !overlaps {
            set.insert((s, e));
        }
        !overlaps
    }
}

/// The bytes of a value worth underlining: a string's content without its
/// quotes (or the quotes of an empty string), other values whole.
fn content_span(doc: &Document, node: u32) -> Range<usize> {
    let n = doc.node(node);
    let (s, e) = (n.start as usize, n.end as usize);
    if n.kind == Kind::String && e - s > 2 {
        s + 1..e - 1
    } else {
        s..e
    }
}

/// A value made safe to quote in one line of a message.
fn quote(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_QUOTED {
            out.push('…');
            break;
        }
        out.extend(
            c.escape_debug()
                .filter(|_| c.is_control())
                .chain(Some(c).filter(|c| !c.is_control())),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether two spans share a byte (or are the same empty span).
    fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
        a == b || (a.start < b.end && b.start < a.end)
    }

    #[test]
    fn a_span_is_reported_once_per_rule_as_comparing_with_every_earlier_one_would() {
        // A small linear congruential generator: spans of 0 to 3 bytes in
        // 0..40, so that overlaps, equal and empty spans are common.
        let mut x: u64 = 7;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for _ in 0..200 {
            let mut reported = Reported::new(2);
            let mut naive: Vec<(usize, Range<usize>)> = Vec::new();
            for _ in 0..30 {
                let rule = next(2) as usize;
                let start = next(40) as usize;
                let span = start..start + next(4) as usize;
                let expected = !naive.iter().any(|(r, s)| *r == rule && overlaps(s, &span));
                if expected {
                    naive.push((rule, span.clone()));
                }
                assert_eq!(
                    reported.claim(rule, &span),
                    expected,
                    "{span:?} after {naive:?}"
                );
            }
        }
    }

    /// The rules a file's findings come from, by id.
    fn rule_ids(rules: &RuleSet, text: &str) -> Vec<String> {
        let report = crate::lint::lint_bytes("a.json", text.as_bytes().to_vec(), rules);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let ids = report
            .findings
            .iter()
            .map(|f| rules.rules[f.rule].id.clone());
        ids.collect()
    }

    fn export(actions: &[(&str, &str)]) -> String {
        let agents: Vec<String> = actions
            .iter()
            .map(|(name, headers)| {
                format!(
                    r#"{{"type": "Agents::HTTPRequestAgent", "name": "{name}", "guid": "{name}",
                    "options": {{"url": "https://api.example.com/x", "method": "get",
                    "headers": {headers}}}}}"#
                )
            })
            .collect();
        // Each action leads to the next.
        let links: Vec<String> = (1..actions.len())
            .map(|i| format!(r#"{{"source": {}, "receiver": {i}}}"#, i - 1))
            .collect();
        format!(
            r#"{{"agents": [{}], "links": [{}]}}"#,
            agents.join(","),
            links.join(",")
        )
    }

    #[test]
    fn a_rule_runs_on_the_actions_of_its_types_when_it_is_on() {
        let rule = |id: &str, types: &str| {
            format!(
                "id: {id}\nseverity: error\nsummary: s\nmessage: m\ntarget:\n  path: options.x\n{types}examples: {{}}\n"
            )
        };
        let mut rules = RuleSet::default();
        let mut errors = Vec::new();
        let origin = || super::super::RuleOrigin::File("r.yaml".into());
        rules.add(
            "a.yaml",
            &rule("on-http", "  action-types: [Agents::HTTPRequestAgent]\n"),
            origin(),
            &mut errors,
        );
        rules.add("b.yaml", &rule("on-any", ""), origin(), &mut errors);
        rules.add("c.yaml", &rule("turned-off", ""), origin(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        rules.rules[2].enabled = false;
        // Types alternate, so what applies to the type last seen is asked
        // again and again.
        let types = [
            "Agents::HTTPRequestAgent",
            "Agents::EventTransformationAgent",
        ];
        let agents: Vec<String> = (0..4)
            .map(|i| {
                format!(
                    r#"{{"type": "{}", "name": "a{i}", "options": {{"x": 1}}}}"#,
                    types[i % 2]
                )
            })
            .chain([r#"{"name": "untyped", "options": {"x": 1}}"#.to_string()])
            .collect();
        let text = format!(r#"{{"agents": [{}], "links": []}}"#, agents.join(","));
        let report = crate::lint::lint_bytes("a.json", text.into_bytes(), &rules);
        let found: Vec<(String, String)> = report
            .findings
            .iter()
            .map(|f| (rules.rules[f.rule].id.clone(), f.pointer().to_string()))
            .collect();
        let expected: Vec<(String, String)> = [
            (0, "on-http"),
            (0, "on-any"),
            (1, "on-any"),
            (2, "on-http"),
            (2, "on-any"),
            (3, "on-any"),
            (4, "on-any"),
        ]
        .iter()
        .map(|(i, id)| (id.to_string(), format!("/agents/{i}/options/x")))
        .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn what_a_rule_remembers_of_a_value_follows_its_text_member_name_and_story() {
        let (rules, _) = RuleSet::builtin();
        let value = "Bearer <<get_token.body.access_token>>";
        // Found nothing under a custom header name, in a story where the
        // reference resolves...
        let quiet = export(&[
            ("Get Token", "{}"),
            ("Call", &format!(r#"{{"X-Custom": "{value}"}}"#)),
        ]);
        assert_eq!(rule_ids(&rules, &quiet), Vec::<String>::new());
        for _ in 0..2 {
            // ...the same text under a misspelt name is still judged, and
            // so is the same reference in a story without `get_token`.
            let misspelt = export(&[
                ("Get Token", "{}"),
                ("Call", &format!(r#"{{"Authorizaton": "{value}"}}"#)),
            ]);
            assert_eq!(rule_ids(&rules, &misspelt), ["misspelled-auth-header"]);
            let unresolved = export(&[("Call", &format!(r#"{{"X-Custom": "{value}"}}"#))]);
            assert_eq!(rule_ids(&rules, &unresolved), ["unresolved-reference"]);
        }
    }

    #[test]
    fn a_rule_remembers_only_the_branches_that_read_text_alone() {
        let (rules, _) = RuleSet::builtin();
        let prepared = rules.prepared();
        let memo = |id: &str| {
            let ri = rules.rules.iter().position(|r| r.id == id).unwrap();
            &prepared.memo[ri]
        };
        // Its branch that reads `basic_auth`'s second item (`at`) cannot
        // be remembered by the text of the first; the others can.
        let secret = memo("hardcoded-secret");
        assert!(secret.whole.is_none());
        let unremembered: Vec<usize> = (secret.branches.iter().enumerate())
            .filter(|(_, b)| b.is_none())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(unremembered, [6]);
        // A rule that resolves references or asks the API profiles
        // depends on the story around the value.
        for id in [
            "unresolved-reference",
            "reference-not-upstream",
            "wrong-auth-form",
        ] {
            assert!(!memo(id).any(), "{id}");
        }
        let text = memo("unsupported-http-method");
        assert!(text.whole.is_some() || text.branches.iter().all(Option::is_some));
        // Every bit is given once.
        let mut bits: Vec<u8> = (prepared.memo.iter())
            .flat_map(|m| {
                m.whole
                    .into_iter()
                    .chain(m.branches.iter().flatten().copied())
            })
            .collect();
        let n = bits.len();
        bits.sort_unstable();
        bits.dedup();
        assert_eq!(bits.len(), n);
    }

    #[test]
    fn what_a_rule_makes_of_a_member_name_is_remembered_by_the_name() {
        let (rules, _) = RuleSet::builtin();
        let prepared = rules.prepared();
        let at = |id: &str| rules.rules.iter().position(|r| r.id == id).unwrap();
        // A rule that reads only the name needs no bit for values; one
        // that reads the name and the value is guarded by the name part.
        let unknown = at("unknown-http-option");
        assert!(
            prepared.key_guards[unknown]
                .as_ref()
                .is_some_and(|g| g.is_whole())
        );
        assert!(!prepared.memo[unknown].any());
        let misspelt = at("misspelled-auth-header");
        assert!(
            prepared.key_guards[misspelt]
                .as_ref()
                .is_some_and(|g| !g.is_whole())
        );
        assert!(prepared.key_guards[at("unresolved-reference")].is_none());
        let action = |options: &str| {
            format!(
                r#"{{"agents": [{{"type": "Agents::HTTPRequestAgent", "name": "a", "guid": "a",
                "options": {{"url": "https://api.example.com/x", "method": "get", {options}}}}}]}}"#
            )
        };
        // Whatever the value (an object, a number, a text), a name's
        // verdict holds from file to file, both ways.
        for _ in 0..2 {
            for value in [r#"{"a": 1}"#, "7", r#""x""#] {
                let found = rule_ids(&rules, &action(&format!(r#""body": {value}"#)));
                assert_eq!(found, ["unknown-http-option"], "{value}");
                assert!(rule_ids(&rules, &action(&format!(r#""payload": {value}"#))).is_empty());
            }
        }
    }

    #[test]
    fn a_remembered_url_is_looked_up_again_in_another_set_of_profiles() {
        let file = r#"{"agents": [{"type": "Agents::HTTPRequestAgent", "name": "a", "guid": "a",
            "options": {"url": "https://api.internal.example/v1/x", "method": "get"}}]}"#;
        let (plain, _) = RuleSet::builtin();
        let (mut custom, _) = RuleSet::builtin();
        let mut errors = Vec::new();
        let profile = "id: internal\nname: Internal\ndocs: https://example.com/d\n\
            hosts: [api.internal.example]\ncredential: required\n\
            credential-source: {url: https://example.com/s}\n\
            accepts:\n  - header: X-Key\n    source: {url: https://example.com/f}\n\
            examples: {}\n";
        custom.apis.add(
            "internal.yaml",
            profile,
            crate::apis::Origin::Builtin,
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        // On one thread, in turn: each set answers for itself.
        for _ in 0..2 {
            assert!(rule_ids(&plain, file).is_empty());
            assert_eq!(rule_ids(&custom, file), ["missing-credential"]);
        }
    }

    #[test]
    fn an_unresolved_reference_says_why_nothing_supplies_it() {
        let (rules, _) = RuleSet::builtin();
        let messages = |text: &str| -> Vec<String> {
            let report = crate::lint::lint_bytes("a.json", text.as_bytes().to_vec(), &rules);
            (report.findings.iter())
                .filter(|f| rules.rules[f.rule].id == "unresolved-reference")
                .map(|f| f.message.to_string())
                .collect()
        };
        let ends = |found: Vec<String>, reason: &str| {
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(found[0].ends_with(reason), "{found:?}");
        };
        // A pill: the nearest name when there is one, else that there is none.
        let near = export(&[
            ("Get Token", "{}"),
            ("Call", r#"{"X": "<<get_tokn.body.t>>"}"#),
        ]);
        ends(messages(&near), "; did you mean `get_token`?");
        let far = export(&[
            ("Get Token", "{}"),
            ("Call", r#"{"X": "<<zzz_qqq.body.t>>"}"#),
        ]);
        ends(messages(&far), "; no action's name is near it");
        // Liquid: no event reaches an action nothing links to.
        let liquid = export(&[("Call", r#"{"X": "{{ tenant_id }}"}"#)]);
        ends(
            messages(&liquid),
            "; no link leads to this action and no event starts here, so nothing supplies it",
        );
    }

    #[test]
    fn quoting_escapes_controls_and_truncates() {
        assert_eq!(quote("a\nb"), "a\\nb");
        assert_eq!(quote(&"x".repeat(100)).chars().count(), MAX_QUOTED + 1);
    }
}
