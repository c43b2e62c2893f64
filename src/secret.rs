//! How a secret is shown: never in full. Every finding's text and every
//! snippet of the file pass through here before anything is reported.

use std::ops::Range;

/// A secret shown safely: its first few characters (at most four, and at
/// most a quarter of it), then `*` for each remaining character, up to
/// eight of them.
pub(crate) fn mask_secret(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = (n / 4).min(4);
    let mut out: String = secret.chars().take(keep).collect();
    out.extend(std::iter::repeat_n('*', (n - keep).min(8)));
    out
}

/// `text` with the bytes in `span` after the first few characters of the
/// secret replaced by `*`, byte for byte, so offsets stay valid.
pub(crate) fn mask_bytes(text: &mut [u8], span: Range<usize>) {
    let Some(bytes) = text.get_mut(span) else {
        return;
    };
    let chars = bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count();
    let keep_chars = (chars / 4).min(4);
    let mut seen = 0;
    for b in bytes.iter_mut() {
        if (*b & 0xC0) != 0x80 {
            seen += 1;
        }
        if seen > keep_chars {
            *b = b'*';
        }
    }
}

/// The literal secrets found in one file, found again wherever the file's
/// text or a finding's text shows them: one pass over a text finds every
/// occurrence of every secret (Aho-Corasick), so masking costs the same
/// whether a file has one secret or ten thousand findings sharing one.
pub(crate) struct Masker {
    /// Over every distinct secret of at most [`SEARCHED`] bytes and the
    /// escaped forms a JSON file may write it in; `None` when there are
    /// none.
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Per pattern of the automaton, the masked form of its secret.
    masked: Vec<String>,
    /// Longer secrets, shortest first. A message quotes at most 80
    /// characters of a value, so they are looked for only in a text at
    /// least as long as they are (a fingerprint's), and in the file only
    /// at the spans where a rule found them.
    long: Vec<String>,
}

/// The longest secret searched for wherever the file shows it.
const SEARCHED: usize = 256;

/// The longest secret whose copies are searched for in a file's text.
const COPIES_SEARCHED: usize = 64 * 1024;

impl Masker {
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut seen = std::collections::BTreeSet::new();
        let (mut patterns, mut masked, mut long) = (Vec::new(), Vec::new(), Vec::new());
        for secret in secrets {
            if secret.is_empty() || !seen.insert(secret) {
                continue;
            }
            if secret.len() > SEARCHED {
                long.push(secret.to_string());
                continue;
            }
            let shown = mask_secret(secret);
            for form in written_forms(secret) {
                patterns.push(form);
                masked.push(shown.clone());
            }
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        long.sort_by_key(String::len);
        Masker {
            automaton,
            masked,
            long,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.automaton.is_none() && self.long.is_empty()
    }

    /// The whole-word occurrences of secrets in `s`: (pattern, range).
    fn occurrences<'s>(&'s self, s: &'s str) -> impl Iterator<Item = (usize, Range<usize>)> + 's {
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        self.automaton
            .iter()
            .flat_map(move |ac| ac.find_iter(s))
            .filter(move |m| {
                !word(s[..m.start()].chars().next_back()) && !word(s[m.end()..].chars().next())
            })
            .map(|m| (m.pattern().as_usize(), m.range()))
    }

    /// `s` with each occurrence of a secret that is not part of a longer
    /// word (alphanumerics on either side) replaced by its masked form.
    pub(crate) fn text(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (pattern, range) in self.occurrences(s) {
            out.push_str(&s[last..range.start]);
            out.push_str(&self.masked[pattern]);
            last = range.end;
        }
        out.push_str(&s[last..]);
        let fits = self.long.partition_point(|l| l.len() <= out.len());
        for secret in &self.long[..fits] {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &mask_secret(secret));
            }
        }
        out
    }

    /// A file's `text` as every output may show it: the bytes of each of
    /// `spans` (where secrets were found) and of every other occurrence of
    /// a secret masked byte for byte, so offsets, lines and columns stay.
    pub(crate) fn file<'t>(
        &self,
        text: &'t str,
        spans: impl Iterator<Item = Range<usize>>,
    ) -> std::borrow::Cow<'t, str> {
        if self.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for span in spans {
            mask_bytes(&mut bytes, span);
        }
        for (_, range) in self.occurrences(text) {
            mask_bytes(&mut bytes, range);
        }
        // Longer secrets are found at the spans rules report; a copy of one
        // elsewhere in the file (a backup field) is masked too, for the
        // first few up to a size where a copy is plausible (the search is
        // linear in the file for each).
        for secret in self
            .long
            .iter()
            .filter(|s| s.len() <= COPIES_SEARCHED)
            .take(64)
        {
            for at in memchr::memmem::find_iter(text.as_bytes(), secret.as_bytes()) {
                mask_bytes(&mut bytes, at..at + secret.len());
            }
        }
        // Masking replaces whole characters with ASCII, so the text stays
        // UTF-8 (and if it somehow did not, a lossy copy is still safe).
        std::borrow::Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    }
}

/// How a secret may be written in a JSON export: as it is, escaped as a
/// JSON string (quotes, backslashes, control characters), and with `<`,
/// `>` and `&` escaped as Rails writes them (`\u003c`). A line break is
/// never inside JSON text outside a string, so a form with one is left out.
fn written_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json
        .get(1..json.len().saturating_sub(1))
        .unwrap_or("")
        .to_string();
    let rails = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    for form in [json, rails] {
        if !form.is_empty() && !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms.retain(|f| !f.contains('\n'));
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_keep_a_short_prefix() {
        assert_eq!(mask_secret("ghp_0123456789abcdef"), "ghp_********");
        assert_eq!(mask_secret("hunter2"), "h******");
        assert_eq!(mask_secret("abc"), "***");
        let mut text = *b"x: \"ghp_0123456789abcdef\"";
        mask_bytes(&mut text, 4..24);
        assert_eq!(&text, b"x: \"ghp_****************\"");
        let mut short = *b"pw";
        mask_bytes(&mut short, 0..9);
        assert_eq!(&short, b"pw");
    }

    #[test]
    fn secrets_are_replaced_only_as_whole_tokens() {
        let m = Masker::new(["pass"]);
        assert_eq!(
            m.text("a literal password `pass`"),
            "a literal password `p***`"
        );
        assert_eq!(m.text("pass:pass"), "p***:p***");
        assert_eq!(Masker::new([""]).text("x"), "x");
        assert!(Masker::new([""]).is_empty());
    }

    #[test]
    fn every_secret_is_masked_in_one_pass_wherever_it_is_written() {
        let m = Masker::new([
            "ghp_0123456789abcdef",
            "a<b&c>d1234",
            "ghp_0123456789abcdef",
        ]);
        assert_eq!(
            m.text("Bearer ghp_0123456789abcdef, again ghp_0123456789abcdef"),
            "Bearer ghp_********, again ghp_********"
        );
        let text = r#"{"a": "ghp_0123456789abcdef", "b": "x ghp_0123456789abcdef", "c": "a\u003cb\u0026c\u003ed1234", "d": "ghp_0123456789abcdefg"}"#;
        let shown = m.file(text, std::iter::empty());
        assert_eq!(shown.len(), text.len());
        assert!(!shown.contains("0123456789abcdef\""), "{shown}");
        assert!(!shown.contains("c\\u003ed1234"), "{shown}");
        // Part of a longer word: another value.
        assert!(shown.contains("ghp_0123456789abcdefg"), "{shown}");
    }
}
