//! `references`: the references a value makes, and what they resolve to in
//! the story around the action (see [`crate::export::story`]).

use super::{Ctx, Hit, Narrow, ReferencePart, ReferenceTest, Subject};
use crate::export::references::references as parse;
use crate::parse::Kind;

/// Whether `s` may hold a reference at all: a pill, Liquid, or a formula.
fn may_reference(s: &str) -> bool {
    s.starts_with('=') || memchr::memchr2(b'<', b'{', s.as_bytes()).is_some()
}

/// The references of the subject, parsed once for all the conditions that
/// ask about the same text.
fn cached(ctx: &Ctx, subject: &Subject) -> std::rc::Rc<[crate::export::references::Reference]> {
    let key = (subject.node, subject.range.clone());
    let mut cache = ctx.references.borrow_mut();
    if let Some((k, refs)) = cache.as_ref() {
        if *k == key {
            return std::rc::Rc::clone(refs);
        }
    }
    let refs: std::rc::Rc<[_]> = parse(subject.str()).into();
    *cache = Some((key, std::rc::Rc::clone(&refs)));
    refs
}

/// A hit for each reference of the subject that passes `test` (the first,
/// unless `every`).
pub(super) fn references(
    test: &ReferenceTest,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
) -> Vec<Hit> {
    let s = subject.str();
    if !may_reference(s) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for r in cached(ctx, subject).iter() {
        if !test.kinds.is_empty() && !test.kinds.contains(&r.kind) {
            continue;
        }
        if !test.syntaxes.is_empty() && !test.syntaxes.contains(&r.syntax) {
            continue;
        }
        let root = &s[r.root.clone()];
        let stories = ctx.stories.get();
        let ai = ctx.action_index;
        let agrees = |want: Option<bool>, have: &dyn Fn() -> Option<bool>| {
            want.is_none_or(|w| have() == Some(w))
        };
        if !agrees(test.resolves, &|| stories.resolves(ai, root))
            || !agrees(test.upstream, &|| stories.upstream(ai, root))
            || !agrees(test.receives_events, &|| ctx.stories.receives_events(ai))
        {
            continue;
        }
        if let Some(inner) = &test.name {
            let Some(name) = &r.name else {
                continue;
            };
            let sub = Subject {
                text: subject.text,
                range: subject.range.start + name.start..subject.range.start + name.end,
                kind: Kind::String,
                node: subject.node,
                located: subject.located,
            };
            if !inner.holds(ctx, &sub) {
                continue;
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
        let reason = (test.resolves == Some(false)).then(|| match &nearest {
            Some(n) => format!("did you mean `{n}`?"),
            None => "no action of the story has that name".to_string(),
        });
        out.push(Hit {
            narrow: subject.located.then(|| Narrow {
                span: subject.source_span(part.clone()),
                node: subject.node,
                text: s[part].to_string(),
            }),
            suggestion: nearest,
            reason,
            ..Hit::default()
        });
        if !every {
            break;
        }
    }
    out
}
