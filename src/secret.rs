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

/// `s` with each occurrence of `token` that is not part of a longer word
/// (alphanumerics on either side) replaced by `with`.
pub(crate) fn replace_token(s: &str, token: &str, with: &str) -> String {
    if token.is_empty() {
        return s.to_string();
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, _) in s.match_indices(token) {
        if i < last {
            continue;
        }
        let before = s[..i].chars().next_back();
        let after = s[i + token.len()..].chars().next();
        if word(before) || word(after) {
            continue;
        }
        out.push_str(&s[last..i]);
        out.push_str(with);
        last = i + token.len();
    }
    out.push_str(&s[last..]);
    out
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
        assert_eq!(
            replace_token("a literal password `pass`", "pass", "p***"),
            "a literal password `p***`"
        );
        assert_eq!(replace_token("pass:pass", "pass", "*"), "*:*");
        assert_eq!(replace_token("x", "", "*"), "x");
    }
}
