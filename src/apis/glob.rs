//! The globs of API profiles, over hosts and over paths. Only `*` is
//! special: over a host it matches any run of characters, dots included;
//! over a path it stays within one segment, and `**` spans segments.
//! Matching is a single pass over the text per pattern token (no
//! backtracking), after a literal prefix and suffix check that rejects
//! almost every host at once.

/// A compiled glob.
#[derive(Clone, Debug)]
pub(crate) struct Glob {
    /// The literal text before the first `*`, and after the last.
    prefix: Box<[u8]>,
    suffix: Box<[u8]>,
    /// The part between them, as tokens; empty when the glob has no `*`.
    middle: Box<[Token]>,
    /// The literal runs between the `*`s of the middle.
    runs: Box<[Box<[u8]>]>,
    /// The character `*` does not cross (`/` for paths).
    separator: Option<u8>,
    /// The pattern's length, for "most specific" comparisons.
    pub(crate) len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Byte(u8),
    /// `*`: any run without the separator.
    Star,
    /// `**`: any run.
    Stars,
}

/// Why a pattern is not a glob.
pub(crate) fn problem(pattern: &str) -> Option<&'static str> {
    if pattern.is_empty() {
        return Some("the glob is empty");
    }
    pattern
        .contains(['?', '[', ']', '{', '}'])
        .then_some("only `*` and `**` are wildcards; `?`, `[...]` and `{...}` are not supported")
}

impl Glob {
    /// A host glob: case is ignored (the pattern is folded here, the host
    /// is given lower case) and `*` crosses dots.
    pub(crate) fn host(pattern: &str) -> Glob {
        Glob::new(&pattern.to_ascii_lowercase(), None)
    }

    /// A path glob: `*` stays within a segment, `**` spans segments.
    pub(crate) fn path(pattern: &str) -> Glob {
        Glob::new(pattern, Some(b'/'))
    }

    fn new(pattern: &str, separator: Option<u8>) -> Glob {
        let bytes = pattern.as_bytes();
        let (first, last) = match (pattern.find('*'), pattern.rfind('*')) {
            (Some(f), Some(l)) => (f, l + 1),
            _ => (bytes.len(), bytes.len()),
        };
        let mut middle = Vec::new();
        let mut i = first;
        while i < last {
            if bytes[i] == b'*' {
                let double = bytes.get(i + 1) == Some(&b'*');
                middle.push(if double || separator.is_none() {
                    Token::Stars
                } else {
                    Token::Star
                });
                i += if double { 2 } else { 1 };
            } else {
                middle.push(Token::Byte(bytes[i]));
                i += 1;
            }
        }
        let runs = bytes[first..last]
            .split(|&b| b == b'*')
            .filter(|r| !r.is_empty())
            .map(Box::from)
            .collect();
        Glob {
            runs,
            prefix: bytes[..first].into(),
            suffix: bytes[last.max(first)..].into(),
            middle: middle.into(),
            separator,
            len: bytes.len(),
        }
    }

    /// The text it matches, when it has no `*` (so matches only that).
    pub(crate) fn literal(&self) -> Option<String> {
        self.middle
            .is_empty()
            .then(|| String::from_utf8_lossy(&self.prefix).into_owned())
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        let text = text.as_bytes();
        if self.middle.is_empty() {
            return text == &self.prefix[..];
        }
        let fixed = self.prefix.len() + self.suffix.len();
        if text.len() < fixed || !text.starts_with(&self.prefix) || !text.ends_with(&self.suffix) {
            return false;
        }
        self.middle_matches(&text[self.prefix.len()..text.len() - self.suffix.len()])
    }

    /// Whether the tokens match all of `text`: for each token in turn,
    /// the set of text positions the pattern so far can reach.
    fn middle_matches(&self, text: &[u8]) -> bool {
        match *self.middle {
            [Token::Stars] => return true,
            [Token::Star] => return self.separator.is_none_or(|s| !text.contains(&s)),
            _ if self.separator.is_none() => return self.runs_in_order(text),
            _ => {}
        }
        let mut reach = vec![false; text.len() + 1];
        let mut next = vec![false; text.len() + 1];
        reach[0] = true;
        for &token in self.middle.iter() {
            for j in 0..=text.len() {
                next[j] = match token {
                    Token::Byte(b) => j > 0 && reach[j - 1] && text[j - 1] == b,
                    Token::Stars => reach[j] || (j > 0 && next[j - 1]),
                    Token::Star => {
                        reach[j] || (j > 0 && next[j - 1] && Some(text[j - 1]) != self.separator)
                    }
                };
            }
            std::mem::swap(&mut reach, &mut next);
        }
        reach[text.len()]
    }
}

impl Glob {
    /// With no separator every `*` matches anything, and the middle starts
    /// and ends with one, so its literal runs need only occur in order,
    /// each as early as it can.
    fn runs_in_order(&self, text: &[u8]) -> bool {
        let mut rest = text;
        for run in self.runs.iter() {
            match memchr::memmem::find(rest, run) {
                Some(at) => rest = &rest[at + run.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_globs_cross_dots_and_ignore_case() {
        let g = Glob::host("*.Okta.com");
        assert!(g.is_match("acme.okta.com") && g.is_match("a.b.okta.com"));
        assert!(!g.is_match("okta.com") && !g.is_match("acme.okta.com.evil.io"));
        let g = Glob::host("api-*.xdr.*.paloaltonetworks.com");
        assert!(g.is_match("api-acme.xdr.us.paloaltonetworks.com"));
        assert!(!g.is_match("api-acme.xdr.paloaltonetworks.com"));
        assert!(Glob::host("api.github.com").is_match("api.github.com"));
        assert!(!Glob::host("api.github.com").is_match("api.github.co"));
        assert!(Glob::host("*okta*").is_match("my_okta_domain") && Glob::host("*").is_match(""));
    }

    #[test]
    fn path_globs_keep_star_within_a_segment() {
        let g = Glob::path("/applications/*/token");
        assert!(g.is_match("/applications/Iv1.abc/token"));
        assert!(!g.is_match("/applications/a/b/token") && !g.is_match("/applications/a/token/x"));
        let g = Glob::path("/api/v2/**");
        assert!(g.is_match("/api/v2/x") && g.is_match("/api/v2/x/y/z") && g.is_match("/api/v2/"));
        assert!(!g.is_match("/api/v2") && !g.is_match("/api/v3/x"));
        let g = Glob::path("/v3/community/*");
        assert!(g.is_match("/v3/community/8.8.8.8") && !g.is_match("/v3/community/a/b"));
        assert!(
            Glob::path("/a/**/z").is_match("/a/b/c/z")
                && Glob::path("/$discovery/**").is_match("/$discovery/rest")
        );
    }

    #[test]
    fn long_texts_and_many_stars_match_in_linear_passes() {
        let text = format!("/{}", "a/".repeat(5_000));
        let g = Glob::path("/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/b");
        assert!(!g.is_match(&text));
        assert!(Glob::path("/**/a/").is_match(&text));
    }

    #[test]
    fn only_star_is_special() {
        assert!(
            problem("/api/{v1,v2}/**").is_some()
                && problem("a?.com").is_some()
                && problem("").is_some()
        );
        assert_eq!(problem("/api/**"), None);
    }
}
