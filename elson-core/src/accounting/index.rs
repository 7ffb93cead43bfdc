//! The book's index: one compact, integer row per position, kept in the same
//! order as the `Position` rows.
//!
//! Why: a trade touches one position among tens. Searching 48-byte integer
//! slots by a 16-byte symbol prefix avoids a `memcmp` call per probe, and
//! keeping quantity, average price and current value as integers avoids
//! re-parsing the stored decimals on every trade. The `Position` rows remain
//! the public truth; the book updates both together and checks in debug
//! builds that they agree.

use std::cmp::Ordering;

/// Bytes of a symbol held inline in its key.
const KEY_BYTES: usize = 16;

/// A symbol's first 16 bytes, big-endian, zero-padded, plus its length.
///
/// Zero is the smallest byte, so `key(a) < key(b)` implies `a < b`; equal
/// keys of short symbols are decided by length (they can only differ by
/// trailing NULs); longer symbols fall back to comparing the strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SymbolKey {
    prefix: u128,
    len: usize,
}

impl SymbolKey {
    #[inline(always)]
    pub(crate) fn new(symbol: &str) -> SymbolKey {
        let bytes = symbol.as_bytes();
        let prefix = match bytes.first_chunk::<KEY_BYTES>() {
            Some(head) => u128::from_be_bytes(*head),
            // Short symbols (the usual case): shift the bytes in; a
            // variable-length copy would cost a `memcpy` call per trade.
            None => bytes
                .iter()
                .enumerate()
                .fold(0u128, |k, (i, &b)| k | u128::from(b) << (8 * (KEY_BYTES - 1 - i))),
        };
        SymbolKey { prefix, len: bytes.len() }
    }

    /// Orders like `a.cmp(b)` on the strings the keys were made of.
    #[inline(always)]
    pub(crate) fn cmp_with(&self, a: &str, other: &SymbolKey, b: &str) -> Ordering {
        match self.prefix.cmp(&other.prefix) {
            Ordering::Equal if self.len <= KEY_BYTES && other.len <= KEY_BYTES => {
                self.len.cmp(&other.len)
            }
            Ordering::Equal => a.cmp(b),
            unequal => unequal,
        }
    }
}

/// The integer twin of a `Position` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) key: SymbolKey,
    /// Micro-units.
    pub(crate) quantity: i64,
    /// Cents.
    pub(crate) average: i64,
    /// Cents.
    pub(crate) value: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_is_string_order() {
        let words = [
            "",
            "A",
            "A\0",
            "A\0\0",
            "AA",
            "AAPL",
            "AAPL.L",
            "B",
            "BRK.B",
            "MSFT",
            "Z",
            "ABCDEFGHIJKLMNOP",
            "ABCDEFGHIJKLMNOPQ",
            "ABCDEFGHIJKLMNOPR",
            "ABCDEFGHIJKLMNOP\0",
            "ÉLAN",
            "€",
            "ABCDEFGHIJKLMNO\u{e9}",
        ];
        for a in words {
            for b in words {
                let (ka, kb) = (SymbolKey::new(a), SymbolKey::new(b));
                assert_eq!(ka.cmp_with(a, &kb, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }
}
