//! MurmurHash3, x86 32-bit variant, written out by hand.
//!
//! Why not a crate: the core keeps its dependency list short, the algorithm
//! is forty lines, and the bucketing of feature flags must match Unleash
//! (and every binding) bit for bit, so it is pinned here with test vectors.

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

/// MurmurHash3 x86 32-bit of `data` with `seed` (Austin Appleby's
/// `MurmurHash3_x86_32`, the hash Unleash uses for gradual rollout).
///
/// # Example
/// ```
/// use elson_core::flags::murmur3_32;
/// assert_eq!(murmur3_32(b"", 0), 0);
/// assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
/// ```
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        h ^= mix_k(k);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        // The tail is read little-endian, like a block padded with zeros.
        let mut k: u32 = 0;
        for (i, byte) in tail.iter().enumerate() {
            k |= u32::from(*byte) << (8 * i);
        }
        h ^= mix_k(k);
    }
    // The length is mixed modulo 2³², as in the reference implementation.
    h ^= data.len() as u32;
    fmix32(h)
}

/// Scrambles one 4-byte block before it is folded into the state.
fn mix_k(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

/// Final avalanche: every input bit affects every output bit.
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

#[cfg(test)]
mod tests {
    use super::murmur3_32;

    // Reference values cross-checked with Python's `mmh3.hash(s, seed, signed=False)`.
    #[test]
    fn known_vectors() {
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"", 0xffff_ffff), 0x81f1_6f39);
        assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
        assert_eq!(murmur3_32(b"The quick brown fox jumps over the lazy dog", 0), 0x2e4f_f723);
        // One vector per tail length 1..=3 and for one and two full blocks.
        let expected = [
            0x3c25_69b2,
            0x9bbf_d75f,
            0xb3dd_93fa,
            0x43ed_676a,
            0xe89b_9af6,
            0x6181_c085,
            0x883c_9b06,
        ];
        for (n, want) in (1..8).zip(expected) {
            assert_eq!(murmur3_32(&b"abcdefgh"[..n], 0), want, "prefix of length {n}");
        }
    }

    #[test]
    fn every_tail_length_is_mixed() {
        // 0..=3 trailing bytes take different paths; each must change the hash.
        let hashes: Vec<u32> = (0..8).map(|n| murmur3_32(&b"abcdefgh"[..n], 0)).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
