//! Tests of one string: `one-of`, `base64`, `template`, `host-matches`,
//! `similar-to`, `base64-decoded` and `jwt-expired`. The caller has
//! already checked that the subject is a string, except for `one-of`,
//! which also compares the source text of numbers and literals.

use super::{Condition, Ctx, Hit, Similar, Subject, TemplateTest};
use crate::export::templates;
use crate::parse::strings::OffsetMap;
use crate::parse::{DecodedStr, Kind};
use crate::suggest::edit_distance;
use base64::Engine as _;
use std::borrow::Cow;

/// `s` is one of `values`.
pub(super) fn one_of(values: &[String], ignore_case: bool, s: &str) -> bool {
    values.iter().any(|v| {
        if ignore_case {
            v.eq_ignore_ascii_case(s)
        } else {
            v == s
        }
    })
}

/// How `s` holds template expressions.
pub(super) fn template(test: TemplateTest, s: &str) -> bool {
    match test {
        TemplateTest::Any => templates::is_templated(s),
        TemplateTest::Whole => templates::is_whole_template(s),
        TemplateTest::None => !templates::is_templated(s),
    }
}

/// `s` is a near miss of one of the names: the suggestion is the name.
pub(super) fn similar(similar: &Similar, s: &str) -> Vec<Hit> {
    match similar.suggest(s) {
        Some((name, certain)) => vec![Hit {
            suggestion: Some(name.to_string()),
            uncertain: !certain,
            ..Hit::default()
        }],
        None => Vec::new(),
    }
}

/// `inner` holds of the subject's base64-decoded text. Decoded text has no
/// bytes in the file: keep what the inner condition says, but point at the
/// encoded text.
pub(super) fn base64_decoded(
    inner: &Condition,
    ctx: &Ctx,
    subject: &Subject,
    every: bool,
) -> Vec<Hit> {
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
    inner
        .collect(ctx, &sub, every, None)
        .into_iter()
        .map(|h| Hit { narrow: None, ..h })
        .collect()
}

/// `s` is a JWT whose `exp` claim has passed (`want`), or has not.
pub(super) fn jwt_expired(want: bool, ctx: &Ctx, s: &str) -> Vec<Hit> {
    match jwt_exp(s) {
        Some(exp) if (exp < ctx.now) == want => vec![Hit {
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

impl Similar {
    /// The name `s` most likely means, when `s` is not itself one of the
    /// names but an alias or a near miss, and whether that is certain: a
    /// near miss is when no other name is as near.
    pub(crate) fn suggest(&self, s: &str) -> Option<(&str, bool)> {
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
            return Some((name, !self.uncertain_aliases));
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
            .fold(
                None,
                |best: Option<(usize, &String, bool)>, (d, n)| match best {
                    Some((b, bn, _)) if b == d => Some((b, bn, false)),
                    Some(b) if b.0 < d => Some(b),
                    _ => Some((d, n, true)),
                },
            )
            .map(|(_, n, unique)| (n.as_str(), unique))
    }
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
pub(crate) fn is_base64(s: &str) -> bool {
    decode_base64(s).is_some()
}

/// The lower-case host of a URL, with template expressions masked so that
/// `https://sqs.<<RESOURCE.region>>.amazonaws.com` still has a host.
pub(crate) fn host_of(url: &str) -> Option<String> {
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
