//! Short codes people type (link codes, referral codes): letters and digits
//! without the look-alikes 0/O and 1/I.

use rand::Rng;

const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random code of `len` characters. The generator is dropped before this
/// returns, so callers' futures stay `Send`.
pub fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
