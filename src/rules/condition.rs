//! Compiled conditions and their evaluation. A condition is tested against
//! a subject: a piece of decoded text (a value, a key, or part of one) that
//! knows where its bytes are in the source file. When a condition holds it
//! may narrow the highlight to the part that matched.

use super::path::PathPattern;
use crate::export::templates;
use crate::parse::strings::OffsetMap;
use crate::parse::{DecodedStr, Document, Kind};
use base64::Engine as _;
use globset::GlobSet;
use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;

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
        regex: Regex,
        captured: Option<Box<Condition>>,
    },
    OneOf {
        values: Vec<String>,
        ignore_case: bool,
    },
    Type(Vec<Kind>),
    Base64,
    Template(TemplateTest),
    HostMatches(GlobSet),
}

/// What a rule evaluation sees: the document and the action being checked.
pub struct Ctx<'d, 't> {
    pub doc: &'d Document<'t>,
    pub action: u32,
}

/// Text under test and where it sits in the file.
pub struct Subject<'s, 't> {
    pub text: &'s DecodedStr<'t>,
    pub range: Range<usize>,
    pub kind: Kind,
    pub node: u32,
}

impl Subject<'_, '_> {
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
    pub fn eval(&self, ctx: &Ctx, subject: &Subject) -> Option<Hit> {
        match self {
            Condition::All(items) => {
                let mut hit = Hit::default();
                for c in items {
                    let h = c.eval(ctx, subject)?;
                    if hit.narrow.is_none() {
                        hit.narrow = h.narrow;
                    }
                }
                Some(hit)
            }
            Condition::Any(items) => items.iter().find_map(|c| c.eval(ctx, subject)),
            Condition::Not(inner) => match inner.eval(ctx, subject) {
                Some(_) => None,
                None => Some(Hit::default()),
            },
            Condition::Key(inner) => {
                let key = ctx.doc.key_decoded(subject.node)?;
                let sub = Subject {
                    range: 0..key.text.len(),
                    text: &key,
                    kind: Kind::String,
                    node: subject.node,
                };
                inner.eval(ctx, &sub)
            }
            Condition::At(path, inner) => {
                path.resolve(ctx.doc, ctx.action).into_iter().find_map(|n| {
                    let text = value_text(ctx.doc, n);
                    let sub = Subject {
                        range: 0..text.text.len(),
                        text: &text,
                        kind: ctx.doc.kind(n),
                        node: n,
                    };
                    inner.eval(ctx, &sub)
                })
            }
            Condition::Exists => Some(Hit::default()),
            Condition::Matches { regex, captured } => {
                if subject.kind != Kind::String {
                    return None;
                }
                let s = subject.str();
                let caps = regex.captures(s)?;
                let m = caps
                    .name("span")
                    .or_else(|| caps.get(0))
                    .map(|m| m.range())
                    .unwrap_or(0..0);
                let narrow = Narrow {
                    span: subject.source_span(m.clone()),
                    node: subject.node,
                    text: s[m.clone()].to_string(),
                };
                if let Some(inner) = captured {
                    let sub = Subject {
                        text: subject.text,
                        range: subject.range.start + m.start..subject.range.start + m.end,
                        kind: Kind::String,
                        node: subject.node,
                    };
                    let h = inner.eval(ctx, &sub)?;
                    return Some(Hit {
                        narrow: h.narrow.or(Some(narrow)),
                    });
                }
                Some(Hit {
                    narrow: Some(narrow),
                })
            }
            Condition::OneOf {
                values,
                ignore_case,
            } => {
                let s = subject.str();
                let found = values.iter().any(|v| {
                    if *ignore_case {
                        v.eq_ignore_ascii_case(s)
                    } else {
                        v == s
                    }
                });
                found.then(Hit::default)
            }
            Condition::Type(kinds) => kinds.contains(&subject.kind).then(Hit::default),
            Condition::Base64 => {
                (subject.kind == Kind::String && is_base64(subject.str())).then(Hit::default)
            }
            Condition::Template(test) => {
                if subject.kind != Kind::String {
                    return None;
                }
                let s = subject.str();
                let holds = match test {
                    TemplateTest::Any => templates::is_templated(s),
                    TemplateTest::Whole => templates::is_whole_template(s),
                    TemplateTest::None => !templates::is_templated(s),
                };
                holds.then(Hit::default)
            }
            Condition::HostMatches(globs) => {
                if subject.kind != Kind::String {
                    return None;
                }
                let host = host_of(subject.str())?;
                globs.is_match(host.as_str()).then(Hit::default)
            }
        }
    }
}

/// Whether `s` is non-empty standard base64 (padding optional).
pub fn is_base64(s: &str) -> bool {
    const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    !s.is_empty() && ENGINE.decode(s).is_ok()
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
