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

/// A cheap digest of a text: its length and its ends. Texts that share it
/// are told apart by comparing them whole.
pub(crate) fn digest(text: &str) -> u64 {
    use std::hash::Hasher;
    let b = text.as_bytes();
    let mut h = Fnv(0xcbf2_9ce4_8422_2325 ^ b.len() as u64);
    h.write(&b[..b.len().min(24)]);
    h.write(&b[b.len().saturating_sub(8)..]);
    h.finish()
}

/// What is known of texts, by a pair of them (a value and its member
/// name, or a text and nothing), up to a number of entries and of bytes.
#[derive(Debug)]
pub(crate) struct TextTable<V> {
    /// By the digest of the pair: each pair that has it.
    entries: HashMap<u64, Vec<Entry<V>>, FastHash>,
    len: usize,
    bytes: usize,
    max_len: usize,
    max_bytes: usize,
}

/// A pair of texts and what is known of it.
type Entry<V> = (Box<str>, Option<Box<str>>, V);

impl<V> TextTable<V> {
    pub(crate) fn new(max_len: usize, max_bytes: usize) -> Self {
        TextTable {
            entries: HashMap::default(),
            len: 0,
            bytes: 0,
            max_len,
            max_bytes,
        }
    }

    fn digest(text: &str, second: Option<&str>) -> u64 {
        digest(text) ^ second.map_or(0, digest).rotate_left(7)
    }

    pub(crate) fn get(&self, text: &str, second: Option<&str>) -> Option<&V> {
        let list = self.entries.get(&Self::digest(text, second))?;
        let found = list
            .iter()
            .find(|(t, s, _)| &**t == text && s.as_deref() == second);
        found.map(|(_, _, v)| v)
    }

    /// Sets what is known of the pair; a new pair is kept only while the
    /// table has room.
    pub(crate) fn set(&mut self, text: &str, second: Option<&str>, value: V) {
        let list = self.entries.entry(Self::digest(text, second)).or_default();
        if let Some(entry) = list
            .iter_mut()
            .find(|(t, s, _)| &**t == text && s.as_deref() == second)
        {
            entry.2 = value;
            return;
        }
        let size = text.len() + second.map_or(0, str::len);
        if self.len < self.max_len && self.bytes + size <= self.max_bytes {
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
        let mut t = TextTable::new(3, 1 << 20);
        // Same length and ends: one digest, three texts.
        let a = format!("{}a{}", "x".repeat(24), "y".repeat(8));
        let b = format!("{}b{}", "x".repeat(24), "y".repeat(8));
        assert_eq!(digest(&a), digest(&b));
        t.set(&a, None, 1);
        t.set(&b, None, 2);
        t.set(&a, Some("k"), 3);
        assert_eq!(
            (t.get(&a, None), t.get(&b, None), t.get(&a, Some("k"))),
            (Some(&1), Some(&2), Some(&3))
        );
        assert_eq!(t.get(&a, Some("j")), None);
        // Full: a known pair is updated, a new one is not kept.
        t.set(&a, None, 4);
        t.set("new", None, 5);
        assert_eq!((t.get(&a, None), t.get("new", None)), (Some(&4), None));
        let mut small = TextTable::new(10, 5);
        small.set("abc", None, ());
        small.set("def", None, ());
        assert_eq!(
            (small.get("abc", None), small.get("def", None)),
            (Some(&()), None)
        );
    }
}
