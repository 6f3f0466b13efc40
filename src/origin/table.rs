//! A compact open-addressing index over byte strings kept in an arena
//! owned by the caller: eight bytes per slot, at most half the slots used.
//!
//! Each slot holds an entry's offset in the arena, its length, one byte the
//! caller attaches to it (`aux`) and a few bits of its hash (the tag, so that
//! a probe compares bytes only when the tag agrees). Linear probing over a
//! table at most half full: an unsuccessful lookup reads one or two slots on
//! average, whatever the number of entries.

/// Longest entry the index can hold (9 bits of length); an origin is at
/// most `safari-web-extension://` + 253 + `:65535`, well below.
pub(crate) const MAX_ENTRY_LEN: usize = 511;

const LEN_MASK: u32 = 0x1ff;
const AUX_SHIFT: u32 = 9;
const TAG_SHIFT: u32 = 17;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    off: u32,
    /// `len | aux << 9 | tag << 17`; 0 for an empty slot (lengths are >= 1).
    meta: u32,
}

/// A found entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) off: usize,
    pub(crate) len: usize,
    pub(crate) aux: u8,
}

/// The index; see the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    slots: Box<[Slot]>,
    len: usize,
}

#[inline]
fn tag(hash: u64) -> u32 {
    ((hash as u32) & 0x7fff) << TAG_SHIFT
}

#[inline]
fn home(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

impl Index {
    /// An index with room for `n` entries without growing.
    pub(crate) fn with_capacity(n: usize) -> Self {
        if n == 0 {
            return Index::default();
        }
        let cap = n.saturating_mul(2).max(8).next_power_of_two();
        Index {
            slots: vec![Slot::default(); cap].into_boxed_slice(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entry with this hash for which `eq(off, len)` holds.
    /// Allocation-free; ends at the first empty slot (there always is one).
    #[inline]
    pub(crate) fn find(
        &self,
        hash: u64,
        mut eq: impl FnMut(usize, usize) -> bool,
    ) -> Option<Found> {
        if self.len == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let want = tag(hash);
        let mut i = home(hash, mask);
        // At most half the slots are used, so this ends within `len + 1` steps.
        for _ in 0..=self.len {
            let slot = *self.slots.get(i)?;
            if slot.meta == 0 {
                return None;
            }
            if slot.meta & !((1 << TAG_SHIFT) - 1) == want {
                let len = (slot.meta & LEN_MASK) as usize;
                if eq(slot.off as usize, len) {
                    return Some(Found {
                        off: slot.off as usize,
                        len,
                        aux: (slot.meta >> AUX_SHIFT) as u8,
                    });
                }
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Adds an entry unless `eq` finds it already in, in one probe: `Some(true)`
    /// when added (the caller then stores it at `off`), `Some(false)` when
    /// present, `None` when it cannot be held (too long, offset over 4 GiB).
    /// `rehash(off, len)` gives the hash of an entry already in, for when the
    /// index grows.
    pub(crate) fn insert(
        &mut self,
        hash: u64,
        (off, len, aux): (usize, usize, u8),
        mut eq: impl FnMut(usize, usize) -> bool,
        rehash: impl Fn(usize, usize) -> u64,
    ) -> Option<bool> {
        let (Ok(off), true) = (u32::try_from(off), (1..=MAX_ENTRY_LEN).contains(&len)) else {
            return None;
        };
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(&rehash);
        }
        let mask = self.slots.len() - 1;
        let want = tag(hash);
        let mut i = home(hash, mask);
        loop {
            let slot = self.slots[i];
            if slot.meta == 0 {
                let meta = len as u32 | u32::from(aux) << AUX_SHIFT | want;
                self.slots[i] = Slot { off, meta };
                self.len += 1;
                return Some(true);
            }
            if slot.meta & !((1 << TAG_SHIFT) - 1) == want
                && eq(slot.off as usize, (slot.meta & LEN_MASK) as usize)
            {
                return Some(false);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self, rehash: &impl Fn(usize, usize) -> u64) {
        let cap = (self.slots.len() * 2).max(8);
        let old = std::mem::replace(
            &mut self.slots,
            vec![Slot::default(); cap].into_boxed_slice(),
        );
        for slot in old.iter().filter(|s| s.meta != 0) {
            let hash = rehash(slot.off as usize, (slot.meta & LEN_MASK) as usize);
            self.place(hash, *slot);
        }
    }

    fn place(&mut self, hash: u64, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = home(hash, mask);
        while self.slots[i].meta != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::super::hash::hash_bytes;
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let mut arena = Vec::new();
        let mut index = Index::with_capacity(1);
        let words: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        for w in &words {
            let off = arena.len();
            arena.extend_from_slice(w.as_bytes());
            let a = &arena;
            let added = index.insert(
                hash_bytes(w.as_bytes()),
                (off, w.len(), 7),
                |o, l| &a[o..o + l] == w.as_bytes(),
                |o, l| hash_bytes(&a[o..o + l]),
            );
            assert_eq!(added, Some(true));
        }
        assert_eq!(index.len(), 1000);
        for w in &words {
            let found = index.find(hash_bytes(w.as_bytes()), |o, l| {
                &arena[o..o + l] == w.as_bytes()
            });
            assert_eq!(found.map(|f| f.aux), Some(7), "{w}");
        }
        for miss in ["w1000", "", "w", "x1"] {
            assert!(index
                .find(hash_bytes(miss.as_bytes()), |o, l| &arena[o..o + l]
                    == miss.as_bytes())
                .is_none());
        }
        assert_eq!(
            index.insert(
                hash_bytes(b"w1"),
                (0, 2, 0),
                |o, l| &arena[o..o + l] == b"w1",
                |_, _| 0
            ),
            Some(false)
        );
        assert_eq!(
            index.insert(1, (0, MAX_ENTRY_LEN + 1, 0), |_, _| false, |_, _| 0),
            None
        );
        assert_eq!(index.insert(1, (0, 0, 0), |_, _| false, |_, _| 0), None);
        assert!(Index::default().find(0, |_, _| true).is_none());
    }
}
