//! Where a string holds Tines template expressions: formula pills
//! (`<<...>>`), Liquid output (`{{ ... }}`) and tags (`{% ... %}`), and
//! formula fields (a stored value that starts with `=`).
//!
//! A value with such an expression is computed at run time, so rules that
//! check its literal text must skip it or look only at the parts around it.

use std::ops::Range;

/// Byte ranges of the complete template expressions in `s`, in order.
/// An opener without its closer is not an expression.
pub(crate) fn expressions(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    each_expression(s, |r| {
        out.push(r);
        true
    });
    out
}

/// Calls `f` on the byte range of each complete template expression in
/// `s`, in order, while it returns true.
fn each_expression(s: &str, mut f: impl FnMut(Range<usize>) -> bool) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(rel) = memchr::memchr2(b'<', b'{', &bytes[i..]) {
        let at = i + rel;
        let close: &[u8] = match (bytes[at], bytes.get(at + 1)) {
            (b'<', Some(b'<')) => b">>",
            (b'{', Some(b'{')) => b"}}",
            (b'{', Some(b'%')) => b"%}",
            _ => {
                i = at + 1;
                continue;
            }
        };
        match find_pair(&bytes[at + 2..], close) {
            Some(rel) => {
                let end = at + 2 + rel + 2;
                if !f(at..end) {
                    return;
                }
                i = end;
            }
            None => i = at + 2,
        }
    }
}

/// Where the two bytes `pair` first occur in `hay`: a search for its
/// first byte (a `memmem` searcher costs more to build than this search).
pub(crate) fn find_pair(hay: &[u8], pair: &[u8]) -> Option<usize> {
    memchr::memchr_iter(pair[0], hay).find(|&i| hay.get(i + 1) == pair.get(1))
}

/// A formula field: the whole value is one formula, evaluated by Tines.
pub(crate) fn is_formula_field(s: &str) -> bool {
    s.starts_with('=')
}

/// Whether any part of `s` is computed at run time.
pub(crate) fn is_templated(s: &str) -> bool {
    let mut any = false;
    each_expression(s, |_| {
        any = true;
        false
    });
    is_formula_field(s) || any
}

/// Whether the whole of `s` (ignoring surrounding whitespace) is one
/// template expression or a formula field.
pub(crate) fn is_whole_template(s: &str) -> bool {
    if is_formula_field(s) {
        return true;
    }
    let trimmed = s.trim();
    let offset = s.len() - s.trim_start().len();
    let exprs = expressions(s);
    exprs.len() == 1 && exprs[0] == (offset..offset + trimmed.len())
}

/// `s` with every template expression replaced by `x` characters of the same
/// byte length, so that a parser sees a plausible literal and positions
/// still line up with the original.
pub(crate) fn mask(s: &str) -> String {
    let mut out = s.as_bytes().to_vec();
    each_expression(s, |r| {
        out[r].fill(b'x');
        true
    });
    // Whole expressions between ASCII delimiters were replaced, so the
    // bytes are still UTF-8; the fallback only keeps this free of panics.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition: at each byte, an opener starts an expression
    /// that ends at its first closer.
    fn naive(s: &str) -> Vec<Range<usize>> {
        let pairs = [("<<", ">>"), ("{{", "}}"), ("{%", "%}")];
        let (bytes, mut out, mut i) = (s.as_bytes(), Vec::new(), 0);
        while i + 1 < bytes.len() {
            match pairs
                .iter()
                .find(|(open, _)| bytes[i..].starts_with(open.as_bytes()))
            {
                Some((_, close)) => match s[i + 2..].find(close) {
                    Some(rel) => {
                        out.push(i..i + 2 + rel + 2);
                        i += 2 + rel + 2;
                    }
                    None => i += 2,
                },
                None => i += 1,
            }
        }
        out
    }

    #[test]
    fn expressions_agree_with_the_plain_definition() {
        let alphabet = ["<", ">", "{", "}", "%", "a", " ", "é"];
        let mut lcg = crate::testing::Lcg(0x2545_f491);
        for _ in 0..20_000 {
            let s = lcg.text(&alphabet, 17);
            assert_eq!(expressions(&s), naive(&s), "{s:?}");
        }
    }

    #[test]
    fn finds_expressions() {
        let s = "Basic <<CREDENTIAL.u>>:{{ .CREDENTIAL.p }} {% credential x %} << open";
        let got: Vec<&str> = expressions(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(
            got,
            [
                "<<CREDENTIAL.u>>",
                "{{ .CREDENTIAL.p }}",
                "{% credential x %}"
            ]
        );
    }

    #[test]
    fn classifies_values() {
        assert!(is_templated("{{ method }}"));
        assert!(is_templated("=IF(a, 'get', 'post')"));
        assert!(!is_templated("get"));
        assert!(!is_templated("a << b"));
        assert!(is_whole_template("  <<CREDENTIAL.x>> "));
        assert!(!is_whole_template("<<CREDENTIAL.u>>:<<CREDENTIAL.p>>"));
        assert!(!is_whole_template("Bearer <<CREDENTIAL.x>>"));
        assert!(is_whole_template("<<BASE64_ENCODE(a & \":\" & b)>>"));
    }

    #[test]
    fn masks_with_same_length() {
        let s = "https://sqs.{{ .RESOURCE.region }}.amazonaws.com/q";
        let m = mask(s);
        assert_eq!(m.len(), s.len());
        assert!(m.starts_with("https://sqs.xxxx"));
        assert!(m.ends_with(".amazonaws.com/q"));
    }
}
