//! `references`: the references a value makes, and what they resolve to in
//! the story around the action (see [`crate::export::story`]).

use super::{Ctx, Hit, Narrow, ReferencePart, ReferenceTest, Subject};
use crate::export::references::{Parser, Reference};
use std::ops::Range;

/// Whether `s` may hold a reference at all: a pill, Liquid, or a formula.
fn may_reference(s: &str) -> bool {
    s.starts_with('=') || memchr::memchr2(b'<', b'{', s.as_bytes()).is_some()
}

/// The references of the text last read, kept for the next condition that
/// asks about the same text (by node and byte range), and the parser's
/// buffers.
#[derive(Debug, Default)]
pub(crate) struct ReferenceCache {
    key: Option<(u32, Range<usize>)>,
    refs: Read,
    parser: Parser,
}

/// The references of a text, and what the names they start with resolve
/// to once asked.
#[derive(Debug, Default)]
struct Read {
    refs: Vec<Reference>,
    roots: Roots,
}

/// What names resolve to from one action, by name: an action's values
/// mostly name the same few actions.
#[derive(Debug, Default)]
struct Roots {
    action: usize,
    memo: Vec<(Box<str>, Memo)>,
}

/// Names remembered per action, at most: looking one up stays cheap.
const MAX_ROOTS: usize = 32;

impl Roots {
    /// The answer `field` of the memo holds for `root` from `action`,
    /// worked out with `work` when not known yet.
    fn get(
        &mut self,
        action: usize,
        root: &str,
        field: impl Fn(&mut Memo) -> &mut Option<Option<bool>>,
        work: impl FnOnce() -> Option<bool>,
    ) -> Option<bool> {
        if self.action != action {
            self.action = action;
            self.memo.clear();
        }
        let at = match self.memo.iter().position(|(r, _)| &**r == root) {
            Some(at) => at,
            None if self.memo.len() < MAX_ROOTS => {
                self.memo.push((root.into(), Memo::default()));
                self.memo.len() - 1
            }
            None => return work(),
        };
        *field(&mut self.memo[at].1).get_or_insert_with(work)
    }
}

/// What a reference resolves to, worked out when first asked (`None`) and
/// kept for the rules that ask next.
#[derive(Clone, Copy, Debug, Default)]
struct Memo {
    resolves: Option<Option<bool>>,
    upstream: Option<Option<bool>>,
}

/// The references of the subject, parsed once for all the conditions that
/// ask about the same text. Give them back with [`give_back`].
fn take(ctx: &Ctx, subject: &Subject) -> Read {
    let key = (subject.node, subject.range.clone());
    let mut cache = ctx.references.borrow_mut();
    let cache = &mut *cache;
    if cache.key.as_ref() != Some(&key) {
        let read = &mut cache.refs;
        cache.parser.parse(subject.str(), &mut read.refs);
    }
    // Taken, the cache holds nothing until they are given back.
    cache.key = None;
    std::mem::take(&mut cache.refs)
}

/// Returns to the cache the references [`take`] gave for `subject`.
fn give_back(ctx: &Ctx, subject: &Subject, read: Read) {
    let mut cache = ctx.references.borrow_mut();
    cache.key = Some((subject.node, subject.range.clone()));
    cache.refs = read;
}

/// A hit for each reference of the subject that passes `test` (the first,
/// unless `every`).
pub(super) fn references(
    test: &ReferenceTest,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
) -> Vec<Hit> {
    if !may_reference(subject.str()) {
        return Vec::new();
    }
    let mut read = take(ctx, subject);
    let mut out = Vec::new();
    for r in &read.refs {
        if let Some(hit) = hit(test, ctx, subject, r, &mut read.roots) {
            out.push(hit);
            if !every {
                break;
            }
        }
    }
    give_back(ctx, subject, read);
    out
}

/// The hit reference `r` of the subject makes, if it passes `test`.
fn hit(
    test: &ReferenceTest,
    ctx: &Ctx,
    subject: &Subject,
    r: &Reference,
    roots: &mut Roots,
) -> Option<Hit> {
    if !test.kinds.is_empty() && !test.kinds.contains(&r.kind) {
        return None;
    }
    if !test.syntaxes.is_empty() && !test.syntaxes.contains(&r.syntax) {
        return None;
    }
    let s = subject.str();
    let root = &s[r.root.clone()];
    let stories = ctx.stories.get();
    let ai = ctx.action_index;
    if let Some(want) = test.resolves {
        let have = roots.get(ai, root, |m| &mut m.resolves, || stories.resolves(ai, root));
        if have != Some(want) {
            return None;
        }
    }
    if let Some(want) = test.upstream {
        let have = roots.get(ai, root, |m| &mut m.upstream, || stories.upstream(ai, root));
        if have != Some(want) {
            return None;
        }
    }
    if test
        .receives_events
        .is_some_and(|want| ctx.stories.receives_events(ai) != Some(want))
    {
        return None;
    }
    if let Some(inner) = &test.name {
        let name = r.name.as_ref()?;
        if !inner.holds(ctx, &subject.part(name.clone())) {
            return None;
        }
    }
    let part = match test.highlight {
        ReferencePart::Root => r.root.clone(),
        ReferencePart::Path => r.path.clone(),
        ReferencePart::Name => r.name.clone().unwrap_or(r.root.clone()),
    };
    // For a name that resolves to nothing: the nearest that would.
    let nearest = (test.resolves == Some(false))
        .then(|| stories.nearest(ai, root))
        .flatten();
    // Without one, the rule says why in its own words (`reason:`).
    let reason = nearest.as_ref().map(|n| format!("did you mean `{n}`?"));
    Some(Hit {
        narrow: subject.located.then(|| Narrow {
            span: subject.source_span(part.clone()),
            node: subject.node,
            text: s[part].to_string(),
        }),
        suggestion: nearest,
        reason,
        ..Hit::default()
    })
}
