//! Ids, keys and secrets from one random stream: seeded for deterministic runs, else from the OS.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::sync::Mutex;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A source of Clerk-style ids (`user_2x…`, 27 base62 characters after the prefix).
pub(crate) struct IdGen {
    rng: Mutex<ChaCha20Rng>,
}

impl IdGen {
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => ChaCha20Rng::seed_from_u64(s),
            None => ChaCha20Rng::from_seed(os_seed()),
        };
        Self {
            rng: Mutex::new(rng),
        }
    }

    /// `prefix_` + 27 base62 characters.
    pub(crate) fn id(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.token(27))
    }

    /// `len` base62 characters.
    pub(crate) fn token(&self, len: usize) -> String {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (0..len)
            .map(|_| {
                // 62 * 4 = 248: reject the top 8 byte values so every character is equally likely.
                loop {
                    let b = (rng.next_u32() & 0xff) as u8;
                    if b < 248 {
                        return char::from(BASE62[usize::from(b % 62)]);
                    }
                }
            })
            .collect()
    }

    /// `prefix_` + `len` lowercase hex digits (API key and M2M token ids).
    pub(crate) fn hex_id(&self, prefix: &str, len: usize) -> String {
        use std::fmt::Write as _;
        let mut out = format!("{prefix}_");
        let bytes = self.bytes32();
        for b in bytes.iter().take(len.div_ceil(2)) {
            let _ = write!(out, "{b:02x}");
        }
        out.truncate(prefix.len() + 1 + len);
        out
    }

    /// 32 random bytes (signing secrets).
    pub(crate) fn bytes32(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        self.rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .fill_bytes(&mut out);
        out
    }
}

pub(crate) fn os_seed() -> [u8; 32] {
    use ring::rand::SecureRandom as _;
    let mut seed = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut seed)
        .expect("the operating system's random source is available");
    seed
}
