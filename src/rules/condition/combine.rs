//! Conditions made of other conditions, or that move the subject: `all`,
//! `any`, `key`, `at`, and `reason` and `redact`, which mark the hits of
//! the condition they wrap.

use super::{Branches, Condition, Ctx, Hit, Subject, value_text};
use crate::parse::Kind;
use crate::rules::path::PathPattern;

/// Every item holds: the hits of the first item that pointed somewhere,
/// enriched with what the other items found.
pub(super) fn all(items: &[Condition], ctx: &Ctx, subject: &Subject, every: bool) -> Vec<Hit> {
    // Allocated only once an item holds: most `all`s fail on their first.
    let mut results = Vec::new();
    for c in items {
        let h = c.collect(ctx, subject, every, None);
        if h.is_empty() {
            return h;
        }
        results.push(h);
    }
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

/// Some item holds: the hits of each (or of the first that holds, when
/// one way is enough), once per place. `keep` filters the items.
pub(super) fn any(
    items: &[Condition],
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
    keep: Option<&dyn Branches>,
) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if keep.is_some_and(|keep| !keep.keep(i)) {
            continue;
        }
        let hits = c.collect(ctx, subject, every, None);
        if let (Some(keep), true) = (keep, hits.is_empty()) {
            keep.found_nothing(i);
        }
        for h in hits {
            if !out
                .iter()
                .any(|o| o.narrow.is_some() && o.narrow == h.narrow)
            {
                out.push(h);
            }
        }
        if !every && !out.is_empty() {
            break;
        }
    }
    out
}

/// The condition holds of the member name of the subject. A rule
/// underlines a key with `highlight: key`; a test on the key does not move
/// the underline off the value.
pub(super) fn key(inner: &Condition, ctx: &Ctx, subject: &Subject, every: bool) -> Vec<Hit> {
    let Some(key) = ctx.doc.key_decoded(subject.node) else {
        return Vec::new();
    };
    let sub = Subject::whole(&key, Kind::String, subject.node);
    inner
        .collect(ctx, &sub, every, None)
        .into_iter()
        .map(|h| Hit { narrow: None, ..h })
        .collect()
}

/// The condition holds of a value `path` leads to from the action.
pub(super) fn at(path: &PathPattern, inner: &Condition, ctx: &Ctx, every: bool) -> Vec<Hit> {
    let mut out = Vec::new();
    for n in path.resolve(ctx.doc, ctx.action) {
        let text = value_text(ctx.doc, n);
        let sub = Subject::whole(&text, ctx.doc.kind(n), n);
        out.extend(inner.collect(ctx, &sub, every, None));
        if !every && !out.is_empty() {
            break;
        }
    }
    out
}

/// The hits of `inner`, each given `reason` unless it has one.
pub(super) fn reason(
    reason: &str,
    inner: &Condition,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
    keep: Option<&dyn Branches>,
) -> Vec<Hit> {
    let mut hits = inner.collect(ctx, subject, every, keep);
    for h in &mut hits {
        if h.reason.is_none() {
            h.reason = Some(reason.to_string());
        }
    }
    hits
}

/// The hits of `inner`, each marked as a secret.
pub(super) fn redact(
    inner: &Condition,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
    keep: Option<&dyn Branches>,
) -> Vec<Hit> {
    let mut hits = inner.collect(ctx, subject, every, keep);
    for h in &mut hits {
        h.redact = true;
    }
    hits
}
