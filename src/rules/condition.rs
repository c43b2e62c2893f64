//! Compiled conditions and their evaluation. A condition is tested against
//! a subject: a piece of decoded text (a value, a key, or part of one) that
//! knows where its bytes are in the source file. When a condition holds it
//! may narrow the highlight to the part that matched.

use super::path::PathPattern;
use crate::export::templates;
use crate::parse::strings::OffsetMap;
use crate::parse::{DecodedStr, Document, Kind};
use crate::suggest::edit_distance;
use base64::Engine as _;
use globset::GlobSet;
use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::OnceLock;

/// Largest compiled regex a rule may use (bytes); the regex crate runs in
/// linear time, and this bounds its memory too.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule's regex, compiled when it is first needed. Building a regex costs
/// far more than a short run uses it, and the literal prefilter means that
/// most regexes never see a value in a typical run: compiling them lazily
/// keeps start-up (what a pre-commit hook on one file pays) small. Rule
/// files from users are compiled up front so that errors are reported with
/// the rule; built-in rules are compiled by the test suite.
#[derive(Debug)]
pub struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
    /// Its literals and the shape of its `span` group, from its syntax.
    facts: OnceLock<super::prefilter::RegexFacts>,
    /// An automaton over `literals`: a value without any of them is
    /// rejected before the regex is compiled.
    guard: OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl LazyRegex {
    /// A regex to compile on first use. Should it fail to build (the test
    /// suite compiles every built-in one), it matches nothing.
    pub fn new(pattern: &str) -> Self {
        LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
            facts: OnceLock::new(),
            guard: OnceLock::new(),
        }
    }

    /// An already compiled regex.
    pub fn compiled(regex: Regex) -> Self {
        let lazy = LazyRegex::new(regex.as_str());
        let _ = lazy.compiled.set(Some(regex));
        lazy
    }

    pub fn build(pattern: &str) -> Result<Regex, regex::Error> {
        regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The compiled regex; `None` only if it could not be built.
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Self::build(&self.pattern).ok())
            .as_ref()
    }

    /// Lower-case literals one of which every match on ASCII text holds
    /// (see [`super::prefilter::regex_literals`]).
    pub fn literals(&self) -> Option<&BTreeSet<Vec<u8>>> {
        self.facts().literals.as_ref()
    }

    /// Whether the `span` group (if any) always covers the whole match, so
    /// a plain search finds what it underlines.
    pub fn span_is_match(&self) -> bool {
        self.facts().span_is_match
    }

    fn facts(&self) -> &super::prefilter::RegexFacts {
        self.facts
            .get_or_init(|| super::prefilter::analyse(&self.pattern))
    }

    /// False when the regex cannot match `s`, decided without compiling it.
    /// Once it is compiled, its own literal search does the same job, so
    /// this answers true.
    pub fn may_match(&self, s: &str) -> bool {
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

/// How a `template` test classifies a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateTest {
    /// Holds an expression anywhere, or is a formula field.
    Any,
    /// Is exactly one expression (ignoring surrounding whitespace) or a
    /// formula field.
    Whole,
    /// Holds no expression at all.
    None,
}

#[derive(Debug)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Key(Box<Condition>),
    At(PathPattern, Box<Condition>),
    Exists,
    Matches {
        regex: LazyRegex,
        captured: Option<Box<Condition>>,
        /// The suggested fix: the match expanded with group references.
        replacement: Option<String>,
    },
    OneOf {
        values: Vec<String>,
        ignore_case: bool,
    },
    Type(Vec<Kind>),
    Base64,
    Template(TemplateTest),
    HostMatches(GlobSet),
    SimilarTo(Similar),
    DuplicateKey {
        ignore_case: bool,
    },
    Base64Decoded(Box<Condition>),
    JwtExpired(bool),
    /// Sets the reason of the hits of the inner condition.
    Reason(String, Box<Condition>),
    /// Marks the hits of the inner condition as secrets.
    Redact(Box<Condition>),
}

/// A compiled `similar-to`.
#[derive(Debug)]
pub struct Similar {
    pub names: Vec<String>,
    /// Wrong spelling (lower-cased when ignoring case) to the name it means.
    pub aliases: Vec<(String, String)>,
    pub max_distance: usize,
    pub ignore_case: bool,
}

/// What a rule evaluation sees: the document, the action being checked and
/// the clock time-dependent conditions compare against (Unix seconds).
pub struct Ctx<'d, 't> {
    pub doc: &'d Document<'t>,
    pub action: u32,
    pub now: i64,
    /// Reject values with a regex's literal guard before compiling it
    /// (see [`LazyRegex::may_match`]).
    pub guards: bool,
}

/// Text under test and where it sits in the file.
pub struct Subject<'s, 't> {
    pub text: &'s DecodedStr<'t>,
    pub range: Range<usize>,
    pub kind: Kind,
    pub node: u32,
    /// False when the text is derived (e.g. base64-decoded) and has no
    /// bytes of its own in the file to point at.
    pub located: bool,
}

impl<'s, 't> Subject<'s, 't> {
    /// The whole of a decoded value.
    pub fn whole(text: &'s DecodedStr<'t>, kind: Kind, node: u32) -> Self {
        Subject {
            range: 0..text.text.len(),
            text,
            kind,
            node,
            located: true,
        }
    }

    pub fn str(&self) -> &str {
        &self.text.text[self.range.clone()]
    }

    /// File byte range of `rel`, a range within this subject's text.
    pub fn source_span(&self, rel: Range<usize>) -> Range<usize> {
        let base = self.range.start;
        self.text.map.to_source(base + rel.start..base + rel.end)
    }
}

/// The part of the file a holding condition pointed at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narrow {
    pub span: Range<usize>,
    pub node: u32,
    pub text: String,
}

/// A condition held; `narrow` is set when it identified a specific part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hit {
    pub narrow: Option<Narrow>,
    /// A replacement for the highlighted text (`{suggestion}`).
    pub suggestion: Option<String>,
    /// Why it matters (`{reason}`).
    pub reason: Option<String>,
    /// The highlighted text is a secret.
    pub redact: bool,
}

impl Hit {
    /// Fills what this hit lacks from `other`.
    fn enrich(&mut self, other: &Hit) {
        if self.suggestion.is_none() {
            self.suggestion.clone_from(&other.suggestion);
        }
        if self.reason.is_none() {
            self.reason.clone_from(&other.reason);
        }
        self.redact |= other.redact;
    }
}

/// The decoded text of a node's value: strings are decoded, other values
/// are their source text.
pub fn value_text<'t>(doc: &Document<'t>, node: u32) -> DecodedStr<'t> {
    match doc.string(node) {
        Some(d) => d,
        None => DecodedStr {
            text: Cow::Borrowed(doc.raw(node)),
            map: OffsetMap::Identity {
                base: doc.node(node).start as usize,
            },
        },
    }
}

impl Condition {
    /// Calls `f` on every regex in the condition.
    pub fn for_each_regex(&self, f: &mut dyn FnMut(&LazyRegex)) {
        match self {
            Condition::All(items) | Condition::Any(items) => {
                items.iter().for_each(|c| c.for_each_regex(f));
            }
            Condition::Matches {
                regex, captured, ..
            } => {
                f(regex);
                if let Some(c) = captured {
                    c.for_each_regex(f);
                }
            }
            Condition::Not(c)
            | Condition::Key(c)
            | Condition::At(_, c)
            | Condition::Base64Decoded(c)
            | Condition::Reason(_, c)
            | Condition::Redact(c) => c.for_each_regex(f),
            _ => {}
        }
    }

    /// Whether the condition holds, when how does not matter (under `not`):
    /// a regex without `captured` is only tested, not searched.
    pub fn holds(&self, ctx: &Ctx, subject: &Subject) -> bool {
        match self {
            Condition::Matches {
                regex,
                captured: None,
                ..
            } => {
                if subject.kind != Kind::String {
                    return false;
                }
                let s = subject.str();
                (!ctx.guards || regex.may_match(s)) && regex.get().is_some_and(|r| r.is_match(s))
            }
            _ => self.eval(ctx, subject).is_some(),
        }
    }

    /// The first way the condition holds, if it does.
    pub fn eval(&self, ctx: &Ctx, subject: &Subject) -> Option<Hit> {
        self.collect(ctx, subject, false, None).into_iter().next()
    }

    /// Every way the condition holds: each match of a regex, each branch of
    /// an `any`. Empty when it does not hold.
    pub fn hits(&self, ctx: &Ctx, subject: &Subject) -> Vec<Hit> {
        self.collect(ctx, subject, true, None)
    }

    /// Like [`Condition::hits`], where the condition is (under `reason` and
    /// `redact`) an `any` whose branches `keep` says could hold: the others
    /// are known not to and are skipped (see [`super::prefilter`]).
    pub fn hits_where(
        &self,
        ctx: &Ctx,
        subject: &Subject,
        keep: &dyn Fn(usize) -> bool,
    ) -> Vec<Hit> {
        self.collect(ctx, subject, true, Some(keep))
    }

    /// The top-level branches [`Condition::hits_where`] filters: those of an
    /// `any`, under any `reason` and `redact`.
    pub fn top_branches(&self) -> Option<&[Condition]> {
        match self {
            Condition::Any(items) => Some(items),
            Condition::Reason(_, inner) | Condition::Redact(inner) => inner.top_branches(),
            _ => None,
        }
    }

    /// `keep`, when given, filters the branches of the top-level `any`.
    fn collect(
        &self,
        ctx: &Ctx,
        subject: &Subject,
        all: bool,
        keep: Option<&dyn Fn(usize) -> bool>,
    ) -> Vec<Hit> {
        let one = |holds: bool| {
            if holds {
                vec![Hit::default()]
            } else {
                Vec::new()
            }
        };
        match self {
            Condition::All(items) => {
                let mut results = Vec::with_capacity(items.len());
                for c in items {
                    let h = c.collect(ctx, subject, all, None);
                    if h.is_empty() {
                        return h;
                    }
                    results.push(h);
                }
                // The hits of the first item that pointed somewhere, enriched
                // with what the other items found.
                let lead = results
                    .iter()
                    .position(|h| h.iter().any(|h| h.narrow.is_some()))
                    .unwrap_or(0);
                let mut out = match results.get_mut(lead) {
                    Some(h) => std::mem::take(h),
                    None => return vec![Hit::default()],
                };
                for (i, other) in results.iter().enumerate() {
                    if i != lead {
                        for hit in &mut out {
                            hit.enrich(&other[0]);
                        }
                    }
                }
                out
            }
            Condition::Any(items) => {
                let mut out: Vec<Hit> = Vec::new();
                for (i, c) in items.iter().enumerate() {
                    if keep.is_some_and(|keep| !keep(i)) {
                        continue;
                    }
                    for h in c.collect(ctx, subject, all, None) {
                        if !out
                            .iter()
                            .any(|o| o.narrow.is_some() && o.narrow == h.narrow)
                        {
                            out.push(h);
                        }
                    }
                    if !all && !out.is_empty() {
                        break;
                    }
                }
                out
            }
            Condition::Not(inner) => one(!inner.holds(ctx, subject)),
            Condition::Key(inner) => {
                let Some(key) = ctx.doc.key_decoded(subject.node) else {
                    return Vec::new();
                };
                let sub = Subject::whole(&key, Kind::String, subject.node);
                // A rule underlines a key with `highlight: key`; a test on
                // the key does not move the underline off the value.
                inner
                    .collect(ctx, &sub, all, None)
                    .into_iter()
                    .map(|h| Hit { narrow: None, ..h })
                    .collect()
            }
            Condition::At(path, inner) => {
                let mut out = Vec::new();
                for n in path.resolve(ctx.doc, ctx.action) {
                    let text = value_text(ctx.doc, n);
                    let sub = Subject::whole(&text, ctx.doc.kind(n), n);
                    out.extend(inner.collect(ctx, &sub, all, None));
                    if !all && !out.is_empty() {
                        break;
                    }
                }
                out
            }
            Condition::Exists => one(true),
            Condition::Matches {
                regex,
                captured,
                replacement,
            } => {
                if subject.kind != Kind::String {
                    return Vec::new();
                }
                let lazy = regex;
                let s = subject.str();
                if ctx.guards && !lazy.may_match(s) {
                    return Vec::new();
                }
                let Some(regex) = lazy.get() else {
                    return Vec::new();
                };
                let whole = replacement.is_none() && lazy.span_is_match();
                // Most values do not match: finding that out costs far less
                // than setting up a search for capture groups. (A plain
                // search costs about the same as the test, so it needs none.)
                if !whole && !regex.is_match(s) {
                    return Vec::new();
                }
                let mut out = Vec::new();
                // What one match contributes; false to stop looking.
                let mut take = |m: Range<usize>, caps: Option<&regex::Captures>| {
                    let narrow = subject.located.then(|| Narrow {
                        span: subject.source_span(m.clone()),
                        node: subject.node,
                        text: s[m.clone()].to_string(),
                    });
                    let suggestion = replacement.as_ref().zip(caps).map(|(r, caps)| {
                        let mut dst = String::new();
                        caps.expand(r, &mut dst);
                        dst
                    });
                    let base = Hit {
                        narrow,
                        suggestion,
                        ..Hit::default()
                    };
                    match captured {
                        Some(inner) => {
                            let sub = Subject {
                                text: subject.text,
                                range: subject.range.start + m.start..subject.range.start + m.end,
                                kind: Kind::String,
                                node: subject.node,
                                located: subject.located,
                            };
                            for mut h in inner.collect(ctx, &sub, all, None) {
                                if h.narrow.is_none() {
                                    h.narrow.clone_from(&base.narrow);
                                }
                                h.enrich(&base);
                                out.push(h);
                            }
                        }
                        None => out.push(base),
                    }
                    all || out.is_empty()
                };
                if whole {
                    // The `span` group, if any, is the whole match: no need
                    // for the slower search that reports groups.
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
            Condition::OneOf {
                values,
                ignore_case,
            } => {
                let s = subject.str();
                one(values.iter().any(|v| {
                    if *ignore_case {
                        v.eq_ignore_ascii_case(s)
                    } else {
                        v == s
                    }
                }))
            }
            Condition::Type(kinds) => one(kinds.contains(&subject.kind)),
            Condition::Base64 => one(subject.kind == Kind::String && is_base64(subject.str())),
            Condition::Template(test) => {
                if subject.kind != Kind::String {
                    return Vec::new();
                }
                let s = subject.str();
                one(match test {
                    TemplateTest::Any => templates::is_templated(s),
                    TemplateTest::Whole => templates::is_whole_template(s),
                    TemplateTest::None => !templates::is_templated(s),
                })
            }
            Condition::HostMatches(globs) => {
                if subject.kind != Kind::String {
                    return Vec::new();
                }
                one(host_of(subject.str()).is_some_and(|h| globs.is_match(h.as_str())))
            }
            Condition::SimilarTo(similar) => {
                if subject.kind != Kind::String {
                    return Vec::new();
                }
                match similar.suggest(subject.str()) {
                    Some(name) => vec![Hit {
                        suggestion: Some(name.to_string()),
                        ..Hit::default()
                    }],
                    None => Vec::new(),
                }
            }
            Condition::DuplicateKey { ignore_case } => {
                match earlier_same_key(ctx.doc, subject.node, *ignore_case) {
                    Some(first) => vec![Hit {
                        reason: Some(format!("`{first}` is set earlier in the same object")),
                        ..Hit::default()
                    }],
                    None => Vec::new(),
                }
            }
            Condition::Base64Decoded(inner) => {
                if subject.kind != Kind::String {
                    return Vec::new();
                }
                let Some(bytes) = decode_base64(subject.str()) else {
                    return Vec::new();
                };
                let text = DecodedStr {
                    text: Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
                    map: OffsetMap::Identity { base: 0 },
                };
                let sub = Subject {
                    located: false,
                    ..Subject::whole(&text, Kind::String, subject.node)
                };
                // Decoded text has no bytes in the file: keep what the inner
                // condition says, but point at the encoded text.
                inner
                    .collect(ctx, &sub, all, None)
                    .into_iter()
                    .map(|h| Hit { narrow: None, ..h })
                    .collect()
            }
            Condition::JwtExpired(want) => {
                if subject.kind != Kind::String {
                    return Vec::new();
                }
                match jwt_exp(subject.str()) {
                    Some(exp) if (exp < ctx.now) == *want => vec![Hit {
                        reason: Some(format!(
                            "its `exp` claim is {}",
                            jiff::Timestamp::from_second(exp)
                                .map(|t| t.to_string())
                                .unwrap_or_else(|_| exp.to_string())
                        )),
                        ..Hit::default()
                    }],
                    _ => Vec::new(),
                }
            }
            Condition::Reason(reason, inner) => inner
                .collect(ctx, subject, all, keep)
                .into_iter()
                .map(|mut h| {
                    if h.reason.is_none() {
                        h.reason = Some(reason.clone());
                    }
                    h
                })
                .collect(),
            Condition::Redact(inner) => inner
                .collect(ctx, subject, all, keep)
                .into_iter()
                .map(|h| Hit { redact: true, ..h })
                .collect(),
        }
    }
}

impl Similar {
    /// The name `s` most likely means, when `s` is not itself one of the
    /// names but an alias or a near miss.
    pub fn suggest(&self, s: &str) -> Option<&str> {
        let is_name = self.names.iter().any(|n| {
            if self.ignore_case {
                n.eq_ignore_ascii_case(s)
            } else {
                n == s
            }
        });
        if is_name {
            return None;
        }
        // Aliases are stored folded when case is ignored.
        let alias = self.aliases.iter().find(|(a, _)| {
            if self.ignore_case {
                a.eq_ignore_ascii_case(s)
            } else {
                a == s
            }
        });
        if let Some((_, name)) = alias {
            return Some(name);
        }
        // Distances are measured ignoring case, so `Content_Type` suggests
        // `content_type` even when case matters for membership.
        let len = s.chars().count();
        let mut lower: Option<String> = None;
        self.names
            .iter()
            .filter_map(|n| {
                let n_len = n.chars().count();
                let limit = self.max_distance.min(n_len / 3).max(1);
                // The distance is at least the difference in length: most
                // names are ruled out without computing it.
                if len.abs_diff(n_len) > limit {
                    return None;
                }
                let lower = lower.get_or_insert_with(|| s.to_ascii_lowercase());
                let d = edit_distance(lower, &n.to_ascii_lowercase());
                (d <= limit).then_some((d, n))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n.as_str())
    }
}

/// The key of an earlier member of the same object equal to `node`'s key.
fn earlier_same_key(doc: &Document, node: u32, ignore_case: bool) -> Option<String> {
    let key = doc.key_decoded(node)?;
    let parent = doc.node(node).parent;
    if parent == crate::parse::NONE {
        return None;
    }
    for sibling in doc.children(parent) {
        if sibling == node {
            return None;
        }
        if let Some(k) = doc.key_decoded(sibling) {
            let same = if ignore_case {
                k.text.eq_ignore_ascii_case(&key.text)
            } else {
                k.text == key.text
            };
            if same {
                return Some(k.text.into_owned());
            }
        }
    }
    None
}

/// The `exp` claim of a JWT (`header.payload.signature`, base64url), in
/// Unix seconds.
fn jwt_exp(token: &str) -> Option<i64> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.trim().split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    exp.as_i64()
        .or_else(|| exp.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() {
        return None;
    }
    BASE64.decode(s).ok()
}

/// Whether `s` is non-empty standard base64 (padding optional).
pub fn is_base64(s: &str) -> bool {
    decode_base64(s).is_some()
}

/// The lower-case host of a URL, with template expressions masked so that
/// `https://sqs.<<RESOURCE.region>>.amazonaws.com` still has a host.
pub fn host_of(url: &str) -> Option<String> {
    let masked = templates::mask(url.trim());
    let parsed = url::Url::parse(&masked).ok()?;
    parsed.host_str().map(|h| h.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_hosts() {
        assert!(is_base64("dXNlcjpwYXNz"));
        assert!(is_base64("dXNlcjpwYXM"));
        assert!(!is_base64("user:pass"));
        assert!(!is_base64(""));
        assert!(!is_base64("admin"));
        let host = host_of("https://sqs.<<RESOURCE.aws_region>>.amazonaws.com/123/q").unwrap();
        assert!(
            host.starts_with("sqs.xxx") && host.ends_with("x.amazonaws.com"),
            "{host}"
        );
        assert_eq!(
            host_of("HTTPS://API.Example.com:8443/x").as_deref(),
            Some("api.example.com")
        );
        assert_eq!(host_of("<<RESOURCE.base_url>>/v1"), None);
    }
}
