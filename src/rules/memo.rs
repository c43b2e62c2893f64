//! Tables the engine keeps of what it worked out about a text, by the
//! text: exports repeat values (the same header in every action that calls
//! one API, in every story of a tenant), and what follows from a text
//! alone need not be worked out again for a repeat.

use std::collections::HashMap;

/// A hasher for short keys (FNV-1a): the standard one costs more than the
/// scan it saves.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// A digest of the whole of a text, eight bytes a step. (A digest of
/// part of it would let values that differ only in the middle, such as
/// thousands of URLs, pile up under one digest.)
pub(crate) fn digest(text: &str) -> u64 {
    // Each step multiplies to 128 bits and folds the halves together (as
    // foldhash does): every input bit reaches every output bit.
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: [u8; 8]| {
        let p = u128::from(h ^ u64::from_le_bytes(word)) * u128::from(K);
        (p as u64) ^ (p >> 64) as u64
    };
    let bytes = text.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut h = 0x2436_f6a8_885a_308d ^ bytes.len() as u64;
    let mut word = [0u8; 8];
    for chunk in &mut chunks {
        word.copy_from_slice(chunk);
        h = step(h, word);
    }
    let rest = chunks.remainder();
    word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    h = step(h, word);
    h
}

/// Most pairs kept under one digest: whatever the input, a lookup
/// compares a bounded number of texts.
const MAX_PER_DIGEST: usize = 4;

/// What is known of texts, by a pair of them (a value and its member
/// name, or a text and nothing), up to a number of entries and of bytes.
#[derive(Debug)]
pub(crate) struct TextTable<V> {
    /// By the digest of the pair: each pair that has it.
    entries: HashMap<u64, Vec<Entry<V>>, FastHash>,
    digest: fn(&str) -> u64,
    len: usize,
    bytes: usize,
    max_len: usize,
    max_bytes: usize,
}

/// A pair of texts and what is known of it.
type Entry<V> = (Box<str>, Option<Box<str>>, V);

impl<V> TextTable<V> {
    pub(crate) fn new(max_len: usize, max_bytes: usize) -> Self {
        Self::with_digest(max_len, max_bytes, digest)
    }

    fn with_digest(max_len: usize, max_bytes: usize, digest: fn(&str) -> u64) -> Self {
        TextTable {
            entries: HashMap::default(),
            digest,
            len: 0,
            bytes: 0,
            max_len,
            max_bytes,
        }
    }

    fn digest_of(&self, text: &str, second: Option<&str>) -> u64 {
        (self.digest)(text) ^ second.map_or(0, self.digest).rotate_left(7)
    }

    pub(crate) fn get(&self, text: &str, second: Option<&str>) -> Option<&V> {
        let list = self.entries.get(&self.digest_of(text, second))?;
        let found = list
            .iter()
            .find(|(t, s, _)| &**t == text && s.as_deref() == second);
        found.map(|(_, _, v)| v)
    }

    /// Sets what is known of the pair; a new pair is kept only while the
    /// table has room.
    pub(crate) fn set(&mut self, text: &str, second: Option<&str>, value: V) {
        let key = self.digest_of(text, second);
        let size = text.len() + second.map_or(0, str::len);
        let room = self.len < self.max_len && self.bytes + size <= self.max_bytes;
        let list = match self.entries.get_mut(&key) {
            Some(list) => list,
            // A full table makes no room for a new digest either.
            None if room => self.entries.entry(key).or_default(),
            None => return,
        };
        if let Some(entry) = list
            .iter_mut()
            .find(|(t, s, _)| &**t == text && s.as_deref() == second)
        {
            entry.2 = value;
            return;
        }
        if room && list.len() < MAX_PER_DIGEST {
            list.push((text.into(), second.map(Box::from), value));
            self.len += 1;
            self.bytes += size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_tells_apart_pairs_that_share_a_digest_and_stops_growing_when_full() {
        // Every pair has one digest.
        let mut t = TextTable::with_digest(4, 1 << 20, |_| 0);
        t.set("a", None, 1);
        t.set("b", None, 2);
        t.set("a", Some("k"), 3);
        assert_eq!(
            (t.get("a", None), t.get("b", None), t.get("a", Some("k"))),
            (Some(&1), Some(&2), Some(&3))
        );
        assert_eq!(t.get("a", Some("j")), None);
        // A known pair is updated; under one digest at most four are kept.
        t.set("a", None, 4);
        t.set("c", None, 5);
        t.set("d", None, 6);
        assert_eq!(
            (t.get("a", None), t.get("c", None), t.get("d", None)),
            (Some(&4), Some(&5), None)
        );
        // Full: a new pair is not kept.
        let mut full = TextTable::new(2, 1 << 20);
        for (i, text) in ["x", "y", "z"].into_iter().enumerate() {
            full.set(text, None, i);
        }
        assert_eq!((full.get("y", None), full.get("z", None)), (Some(&1), None));
        // ...nor a place for it: the table stays the size it was.
        for i in 0..1000 {
            full.set(&i.to_string(), None, i);
        }
        assert_eq!(full.entries.len(), 2);
        let mut small = TextTable::new(10, 5);
        small.set("abc", None, ());
        small.set("def", None, ());
        assert_eq!(
            (small.get("abc", None), small.get("def", None)),
            (Some(&()), None)
        );
    }

    #[test]
    fn texts_that_differ_only_in_the_middle_have_different_digests() {
        let texts: Vec<String> = (0..10_000)
            .map(|i| format!("https://api.example.com/<<step_{i}.body.id>>/<<x.body.id>>"))
            .collect();
        let mut digests: Vec<u64> = texts.iter().map(|t| digest(t)).collect();
        digests.sort_unstable();
        digests.dedup();
        assert_eq!(digests.len(), texts.len());
        assert_ne!(digest(""), digest("\0"));
        assert_ne!(digest("ab"), digest("ab\0"));
    }
}
