//! The hash of the origin and pattern tables.
//!
//! A fixed, fast hash for tables built once from trusted configuration: it
//! folds eight bytes at a time (multiply-rotate, as rustc's FxHash) and ends
//! with a full avalanche (MurmurHash3's finaliser), so that both the slot
//! (high bits) and the tag (low bits) are well mixed. Request bytes are only
//! looked up, never inserted, so an attacker cannot grow a probe chain, and a
//! keyed hash would buy nothing here but time.

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// Folds `bytes` into the running hash `h`.
#[inline]
pub(crate) fn fold(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    // The last 0 to 7 bytes, little-endian, as copying them into a zeroed
    // word would give, without a call to `memcpy` for a variable length:
    // the last eight bytes, shifted, when there are eight.
    let rest = chunks.remainder();
    let word = match (rest.len(), bytes.len().checked_sub(8)) {
        (0, _) => 0,
        (n, Some(start)) => {
            let mut last = [0u8; 8];
            last.copy_from_slice(&bytes[start..]);
            u64::from_le_bytes(last) >> (8 * (8 - n))
        }
        (_, None) => rest
            .iter()
            .enumerate()
            .fold(0, |w, (i, &b)| w | u64::from(b) << (8 * i)),
    };
    // The length keeps `ab` + `c` apart from `a` + `bc` when pieces are folded
    // one after the other.
    let tail = word ^ ((bytes.len() as u64) << 56);
    (h.rotate_left(5) ^ tail).wrapping_mul(SEED)
}

/// Finishes a hash: every output bit depends on every input bit.
#[inline]
pub(crate) fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The hash of one byte string.
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    finish(fold(0, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_read_little_endian() {
        // Seven tail bytes: the same word as a zero-padded little-endian read.
        let bytes = b"abcdefgh1234567";
        let mut word = [0u8; 8];
        word[..7].copy_from_slice(&bytes[8..]);
        let h = (0u64.rotate_left(5) ^ u64::from_le_bytes(*b"abcdefgh")).wrapping_mul(SEED);
        let tail = u64::from_le_bytes(word) ^ (15u64 << 56);
        assert_eq!(fold(0, bytes), (h.rotate_left(5) ^ tail).wrapping_mul(SEED));
        // Shorter than a word: the bytes alone.
        let tail = u64::from_le_bytes(*b"abc\0\0\0\0\0") ^ (3u64 << 56);
        assert_eq!(
            fold(0, b"abc"),
            (0u64.rotate_left(5) ^ tail).wrapping_mul(SEED)
        );
    }

    #[test]
    fn pieces_do_not_run_together() {
        assert_ne!(fold(fold(0, b"ab"), b"c"), fold(fold(0, b"a"), b"bc"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
        assert_ne!(hash_bytes(b"abcdefgh"), hash_bytes(b"abcdefgh\0"));
    }
}
