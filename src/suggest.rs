//! "Did you mean …?": the nearest of some known names to a word that is
//! none of them.

/// The candidate nearest to `word` by edit distance, if it is near enough.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    candidates
        .iter()
        .filter_map(|c| {
            let c_len = c.chars().count();
            let limit = (c_len.max(len) / 3).max(2);
            // The distance is at least the difference in length: most
            // candidates are ruled out without computing it.
            if len.abs_diff(c_len) > limit {
                return None;
            }
            edit_distance_within(word, c, limit).map(|d| (d, *c))
        })
        .min()
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of adjacent characters each cost one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    edit_distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`edit_distance`], if it is at most `limit`: the work stops at the
/// first row whose every cell is beyond it.
pub(crate) fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let mut row_min = d[i * w];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        // A swap reaches back two rows, so only two rows beyond the limit
        // rule every later cell out.
        if row_min > limit && (i < 2 || (0..w).all(|j| d[(i - 1) * w + j] > limit)) {
            return None;
        }
    }
    Some(d[a.len() * w + b.len()]).filter(|&x| x <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("authorizaiton", "authorization"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn a_bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "kitten",
            "sitting",
            "get_token",
            "get_tokne",
            "receive_alert",
            "recieve_alrt",
            "café",
            "cafe",
        ];
        for a in words {
            for b in words {
                let full = edit_distance(a, b);
                for limit in 0..8 {
                    let want = (full <= limit).then_some(full);
                    assert_eq!(edit_distance_within(a, b, limit), want, "{a} {b} {limit}");
                }
            }
        }
    }

    #[test]
    fn suggests_near_rule_ids() {
        let ids = ["missing-bearer-prefix", "basic-auth-not-base64"];
        assert_eq!(
            closest("missing-bearer", &ids),
            Some("missing-bearer-prefix")
        );
        assert_eq!(
            closest("basic-auth-not-base46", &ids),
            Some("basic-auth-not-base64")
        );
        assert_eq!(closest("totally-different", &ids), None);
    }
}
