//! Compiled conditions and their evaluation. A condition is tested against
//! a subject: a piece of decoded text (a value, a key, or part of one) that
//! knows where its bytes are in the source file. When a condition holds it
//! may narrow the highlight to the part that matched.
//!
//! One evaluator per kind of condition, as ast-grep keeps one matcher per
//! kind: [`combine`] for those that combine or move to other conditions
//! (`all`, `any`, `not`, `key`, `at`, `reason`, `redact`), [`regex`] for
//! `matches`, [`text`] for the tests of one string, and [`tree`] for those
//! that look at the document around the value.

pub(crate) mod api;
mod combine;
mod regex;
mod story;
mod text;
mod tree;

pub(crate) use self::regex::LazyRegex;
pub(crate) use text::{host_of, is_base64};

use super::path::PathPattern;
use crate::parse::strings::OffsetMap;
use crate::parse::{DecodedStr, Document, Kind};
use globset::GlobSet;
use std::borrow::Cow;
use std::ops::Range;

/// How a `template` test classifies a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TemplateTest {
    /// Holds an expression anywhere, or is a formula field.
    Any,
    /// Is exactly one expression (ignoring surrounding whitespace) or a
    /// formula field.
    Whole,
    /// Holds no expression at all.
    None,
}

#[derive(Debug)]
pub(crate) enum Condition {
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
    /// The value is empty after trimming whitespace.
    Empty(bool),
    /// The value makes references that pass the test.
    References(ReferenceTest),
    /// What the called API makes of the credential the value sends.
    Api(api::ApiTest),
    /// Sets the reason of the hits of the inner condition.
    Reason(String, Box<Condition>),
    /// Marks the hits of the inner condition as secrets.
    Redact(Box<Condition>),
}

/// A compiled `references`: which of a value's references it looks for.
#[derive(Debug)]
pub(crate) struct ReferenceTest {
    /// Kinds of first name; empty for any.
    pub(crate) kinds: Vec<crate::export::references::RootKind>,
    /// How they are written; empty for any.
    pub(crate) syntaxes: Vec<crate::export::references::Syntax>,
    /// The first name names an action (or page) of the story, or not.
    pub(crate) resolves: Option<bool>,
    /// The action it names is upstream of this one (or this one), or not.
    pub(crate) upstream: Option<bool>,
    /// This action can receive an event, or not.
    pub(crate) receives_events: Option<bool>,
    /// A test of the name a `CREDENTIAL` or `RESOURCE` reference asks for.
    pub(crate) name: Option<Box<Condition>>,
    /// What a hit points at.
    pub(crate) highlight: ReferencePart,
}

/// A part of a reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReferencePart {
    /// Its first name.
    Root,
    /// The whole path.
    Path,
    /// The name a `CREDENTIAL` or `RESOURCE` reference asks for.
    Name,
}

/// A compiled `similar-to`.
#[derive(Debug)]
pub(crate) struct Similar {
    pub(crate) names: Vec<String>,
    /// Wrong spelling (lower-cased when ignoring case) to the name it means.
    pub(crate) aliases: Vec<(String, String)>,
    pub(crate) max_distance: usize,
    pub(crate) ignore_case: bool,
    /// An alias's name is likely, not certain (see [`Hit::uncertain`]).
    pub(crate) uncertain_aliases: bool,
}

/// Which branches of a rule's top-level `any` to run on a value
/// ([`Condition::hits_where`]), and what became of them.
pub(crate) trait Branches {
    /// Whether branch `i` could hold, and so is run.
    fn keep(&self, i: usize) -> bool;
    /// Branch `i` ran and found nothing.
    fn found_nothing(&self, i: usize);
}

/// What a rule evaluation sees: the document, the action being checked and
/// the clock time-dependent conditions compare against (Unix seconds).
pub(crate) struct Ctx<'d, 't> {
    pub(crate) doc: &'d Document<'t>,
    pub(crate) action: u32,
    /// The action's `options` member.
    pub(crate) options: Option<u32>,
    /// The action's index in the file's action list.
    pub(crate) action_index: usize,
    /// The stories of the file, for what references resolve to.
    pub(crate) stories: &'d crate::export::story::LazyStories<'d, 't>,
    /// The references of the text last read (by node and byte range):
    /// the rules on one value ask for them one after another.
    pub(crate) references: &'d std::cell::RefCell<story::ReferenceCache>,
    /// The API profiles in force.
    pub(crate) apis: &'d crate::apis::ApiSet,
    /// The action's request and the API it calls, worked out on first use.
    pub(crate) called: std::cell::OnceCell<Option<api::Called<'d>>>,
    pub(crate) now: i64,
    /// Reject values with a regex's literal guard before compiling it
    /// (see [`LazyRegex::may_match`]).
    pub(crate) guards: bool,
}

/// Text under test and where it sits in the file.
pub(crate) struct Subject<'s, 't> {
    pub(crate) text: &'s DecodedStr<'t>,
    pub(crate) range: Range<usize>,
    pub(crate) kind: Kind,
    pub(crate) node: u32,
    /// False when the text is derived (e.g. base64-decoded) and has no
    /// bytes of its own in the file to point at.
    pub(crate) located: bool,
}

impl<'s, 't> Subject<'s, 't> {
    /// The part of this subject at `part` (relative to it), as a string
    /// of its own: what a regex matched, the name a reference asks for.
    pub(crate) fn part(&self, part: Range<usize>) -> Self {
        Subject {
            text: self.text,
            range: self.range.start + part.start..self.range.start + part.end,
            kind: Kind::String,
            node: self.node,
            located: self.located,
        }
    }

    /// The whole of a decoded value.
    pub(crate) fn whole(text: &'s DecodedStr<'t>, kind: Kind, node: u32) -> Self {
        Subject {
            range: 0..text.text.len(),
            text,
            kind,
            node,
            located: true,
        }
    }

    pub(crate) fn str(&self) -> &str {
        &self.text.text[self.range.clone()]
    }

    /// File byte range of `rel`, a range within this subject's text.
    pub(crate) fn source_span(&self, rel: Range<usize>) -> Range<usize> {
        let base = self.range.start;
        self.text.map.to_source(base + rel.start..base + rel.end)
    }
}

/// The part of the file a holding condition pointed at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Narrow {
    pub(crate) span: Range<usize>,
    pub(crate) node: u32,
    pub(crate) text: String,
}

/// A condition held; `narrow` is set when it identified a specific part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) narrow: Option<Narrow>,
    /// A replacement for the highlighted text (`{suggestion}`).
    pub(crate) suggestion: Option<String>,
    /// Why it matters (`{reason}`).
    pub(crate) reason: Option<String>,
    /// The highlighted text is a secret.
    pub(crate) redact: bool,
    /// The suggestion is a guess (one of several names as near, or an
    /// alias said to be uncertain): no fix is made of it.
    pub(crate) uncertain: bool,
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
        self.uncertain |= other.uncertain;
    }
}

/// The decoded text of a node's value: strings are decoded, other values
/// are their source text.
pub(crate) fn value_text<'t>(doc: &Document<'t>, node: u32) -> DecodedStr<'t> {
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
    #[cfg(test)]
    pub(crate) fn for_each_regex(&self, f: &mut dyn FnMut(&LazyRegex)) {
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
    pub(crate) fn holds(&self, ctx: &Ctx, subject: &Subject) -> bool {
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
    pub(crate) fn eval(&self, ctx: &Ctx, subject: &Subject) -> Option<Hit> {
        self.collect(ctx, subject, false, None).into_iter().next()
    }

    /// Like [`Condition::hits`], where the condition is (under `reason` and
    /// `redact`) an `any` whose branches `keep` says could hold: the others
    /// are known not to and are skipped (see [`super::prefilter`]). `keep`
    /// hears of each branch that ran and found nothing.
    pub(crate) fn hits_where(&self, ctx: &Ctx, subject: &Subject, keep: &dyn Branches) -> Vec<Hit> {
        self.collect(ctx, subject, true, Some(keep))
    }

    /// The top-level branches [`Condition::hits_where`] filters: those of an
    /// `any`, under any `reason` and `redact`.
    pub(crate) fn top_branches(&self) -> Option<&[Condition]> {
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
        keep: Option<&dyn Branches>,
    ) -> Vec<Hit> {
        // The tests of text hold of strings only.
        if self.tests_text() && subject.kind != Kind::String {
            return Vec::new();
        }
        match self {
            Condition::All(items) => combine::all(items, ctx, subject, all),
            Condition::Any(items) => combine::any(items, ctx, subject, all, keep),
            Condition::Not(inner) => one(!inner.holds(ctx, subject)),
            Condition::Key(inner) => combine::key(inner, ctx, subject, all),
            Condition::At(path, inner) => combine::at(path, inner, ctx, all),
            Condition::Reason(reason, inner) => {
                combine::reason(reason, inner, ctx, subject, all, keep)
            }
            Condition::Redact(inner) => combine::redact(inner, ctx, subject, all, keep),
            Condition::Matches {
                regex,
                captured,
                replacement,
            } => regex::matches(
                regex,
                captured.as_deref(),
                replacement.as_deref(),
                ctx,
                subject,
                all,
            ),
            Condition::OneOf {
                values,
                ignore_case,
            } => one(text::one_of(values, *ignore_case, subject.str())),
            Condition::Base64 => one(is_base64(subject.str())),
            Condition::Template(test) => one(text::template(*test, subject.str())),
            Condition::HostMatches(globs) => {
                one(host_of(subject.str()).is_some_and(|h| globs.is_match(h.as_str())))
            }
            Condition::SimilarTo(similar) => text::similar(similar, subject.str()),
            Condition::Base64Decoded(inner) => text::base64_decoded(inner, ctx, subject, all),
            Condition::JwtExpired(want) => text::jwt_expired(*want, ctx, subject.str()),
            Condition::Empty(want) => one((subject.str().trim().is_empty()) == *want),
            Condition::References(test) => story::references(test, ctx, subject, all),
            Condition::Api(test) => api::api(test, ctx, subject, all),
            Condition::Exists => one(true),
            Condition::Type(kinds) => one(kinds.contains(&subject.kind)),
            Condition::DuplicateKey { ignore_case } => {
                tree::duplicate_key(ctx.doc, subject.node, *ignore_case)
            }
        }
    }

    /// Whether the condition consults the API profiles anywhere.
    pub(crate) fn uses_api(&self) -> bool {
        match self {
            Condition::Api(_) => true,
            Condition::All(items) | Condition::Any(items) => items.iter().any(Condition::uses_api),
            Condition::Not(c)
            | Condition::Key(c)
            | Condition::At(_, c)
            | Condition::Base64Decoded(c)
            | Condition::Reason(_, c)
            | Condition::Redact(c) => c.uses_api(),
            Condition::Matches { captured, .. } => {
                captured.as_deref().is_some_and(Condition::uses_api)
            }
            Condition::References(t) => t.name.as_deref().is_some_and(Condition::uses_api),
            _ => false,
        }
    }

    /// Whether what the condition makes of a value follows from the value's
    /// text and member name alone (and the run's clock), not from where it
    /// sits: no other member, no reference, no API. A rule of such
    /// conditions that finds nothing in a text finds nothing in it again.
    pub(crate) fn reads_text_only(&self) -> bool {
        match self {
            Condition::At(..)
            | Condition::DuplicateKey { .. }
            | Condition::References(_)
            | Condition::Api(_) => false,
            Condition::All(items) | Condition::Any(items) => {
                items.iter().all(Condition::reads_text_only)
            }
            Condition::Not(c)
            | Condition::Key(c)
            | Condition::Base64Decoded(c)
            | Condition::Reason(_, c)
            | Condition::Redact(c) => c.reads_text_only(),
            Condition::Matches { captured, .. } => {
                captured.as_deref().is_none_or(Condition::reads_text_only)
            }
            Condition::Exists
            | Condition::OneOf { .. }
            | Condition::Type(_)
            | Condition::Base64
            | Condition::Template(_)
            | Condition::HostMatches(_)
            | Condition::SimilarTo(_)
            | Condition::JwtExpired(_)
            | Condition::Empty(_) => true,
        }
    }

    /// Whether what the condition makes of a value follows from the
    /// value's member name alone.
    fn reads_key_only(&self) -> bool {
        match self {
            Condition::Key(c) => c.reads_text_only(),
            Condition::All(items) | Condition::Any(items) => {
                !items.is_empty() && items.iter().all(Condition::reads_key_only)
            }
            Condition::Not(c) | Condition::Reason(_, c) => c.reads_key_only(),
            _ => false,
        }
    }

    /// The part of the condition that reads the member name alone and must
    /// hold for the condition to (see [`Condition::key_guard_holds`]): the
    /// whole condition (no items), or items of its top-level `all` (under
    /// `reason` and `redact`). `None` where there is no such part.
    pub(crate) fn key_guard(&self) -> Option<Vec<usize>> {
        match self {
            Condition::Reason(_, c) | Condition::Redact(c) => c.key_guard(),
            Condition::All(items) => {
                let parts = items.iter().enumerate().filter(|(_, c)| c.reads_key_only());
                let parts: Vec<usize> = parts.map(|(i, _)| i).collect();
                (!parts.is_empty()).then_some(parts)
            }
            c => c.reads_key_only().then(Vec::new),
        }
    }

    /// Whether the part [`Condition::key_guard`] gave as `parts` holds of
    /// the subject: where it does not, neither does the condition.
    pub(crate) fn key_guard_holds(&self, parts: &[usize], ctx: &Ctx, subject: &Subject) -> bool {
        match self {
            Condition::Reason(_, c) | Condition::Redact(c) => {
                c.key_guard_holds(parts, ctx, subject)
            }
            Condition::All(items) if !parts.is_empty() => parts
                .iter()
                .all(|&i| items.get(i).is_none_or(|c| c.holds(ctx, subject))),
            c => c.holds(ctx, subject),
        }
    }

    /// Whether the condition tests text, and so holds of strings only.
    fn tests_text(&self) -> bool {
        matches!(
            self,
            Condition::Matches { .. }
                | Condition::Base64
                | Condition::Template(_)
                | Condition::HostMatches(_)
                | Condition::SimilarTo(_)
                | Condition::Base64Decoded(_)
                | Condition::JwtExpired(_)
                | Condition::Empty(_)
                | Condition::References(_)
        )
    }
}

/// One hit that points nowhere in particular, if the condition holds.
fn one(holds: bool) -> Vec<Hit> {
    if holds {
        vec![Hit::default()]
    } else {
        Vec::new()
    }
}
