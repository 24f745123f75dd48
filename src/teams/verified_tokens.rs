//! Bot Connector tokens already verified, remembered by the SHA-256 of the whole token so the
//! RS256 signature check runs once per token rather than once per activity (the channel sends
//! the same token with every activity for about an hour).
//!
//! Owns the bounded map and its eviction: at most a fixed number of tokens, each kept until the
//! `until` its caller gives (at most [`MAX_REMEMBER_SECS`] after it was stored); when full,
//! expired entries go first, then the one that would expire soonest. Keys are digests of the
//! whole token (header, claims and signature), so a token differing in any byte, a tampered
//! signature included, is a different entry; the token itself is never stored, and `Debug`
//! shows only counts. Knows nothing of JWTs, keys or HTTP: [`ChannelAuth`](super::auth::ChannelAuth)
//! decides what is remembered and runs the per-activity checks on every request, remembered or not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

/// How many verified tokens are remembered at most.
pub const MAX_ENTRIES: usize = 1024;
/// No token is remembered longer than this after it was verified, whatever its `exp`.
pub const MAX_REMEMBER_SECS: u64 = 600;

/// The SHA-256 of a whole token: what the map is keyed by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenId([u8; 32]);

impl TokenId {
    pub fn of(token: &str) -> TokenId {
        TokenId(Sha256::digest(token.as_bytes()).into())
    }
}

impl std::fmt::Debug for TokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenId(..)")
    }
}

struct Entry<V> {
    value: Arc<V>,
    /// Unix seconds; the entry is gone from this second on.
    until: u64,
}

/// Verified tokens and what verification established about each (`V`).
pub struct VerifiedTokens<V> {
    capacity: usize,
    entries: Mutex<HashMap<TokenId, Entry<V>>>,
}

impl<V> std::fmt::Debug for VerifiedTokens<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedTokens").field("entries", &self.len()).field("capacity", &self.capacity).finish()
    }
}

impl<V> Default for VerifiedTokens<V> {
    fn default() -> VerifiedTokens<V> {
        VerifiedTokens::with_capacity(MAX_ENTRIES)
    }
}

impl<V> VerifiedTokens<V> {
    pub fn with_capacity(capacity: usize) -> VerifiedTokens<V> {
        VerifiedTokens { capacity: capacity.max(1), entries: Mutex::new(HashMap::new()) }
    }

    /// What was remembered for this token, unless its time is up at `now`.
    pub fn get(&self, id: &TokenId, now: u64) -> Option<Arc<V>> {
        self.lock().get(id).filter(|e| now < e.until).map(|e| e.value.clone())
    }

    /// Remembers `value` for this token until `until`, capped at [`MAX_REMEMBER_SECS`] from `now`.
    /// Nothing is stored when that is already past.
    pub fn remember(&self, id: TokenId, value: Arc<V>, until: u64, now: u64) {
        let until = until.min(now.saturating_add(MAX_REMEMBER_SECS));
        if until <= now {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&id) {
            entries.retain(|_, e| now < e.until);
            if entries.len() >= self.capacity {
                if let Some(soonest) = entries.iter().min_by_key(|(_, e)| e.until).map(|(k, _)| *k) {
                    entries.remove(&soonest);
                }
            }
        }
        entries.insert(id, Entry { value, until });
    }

    /// Forgets this token (its signing key changed or is gone).
    pub fn forget(&self, id: &TokenId) {
        self.lock().remove(id);
    }

    /// How many tokens are held (expired ones not yet evicted included).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The map; a panic elsewhere while it was held leaves it usable (every entry is whole).
    fn lock(&self) -> MutexGuard<'_, HashMap<TokenId, Entry<V>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_found_by_its_whole_text_and_only_until_its_time_is_up() {
        let memo = VerifiedTokens::default();
        memo.remember(TokenId::of("h.c.sig"), Arc::new(1), 1_100, 1_000);
        assert_eq!(memo.get(&TokenId::of("h.c.sig"), 1_099).as_deref(), Some(&1));
        assert_eq!(memo.get(&TokenId::of("h.c.sig"), 1_100), None, "gone at `until`");
        assert_eq!(memo.get(&TokenId::of("h.c.sih"), 1_000), None, "one byte of the signature differs");
        assert_eq!(memo.get(&TokenId::of("h.c.si"), 1_000), None);
    }

    #[test]
    fn nothing_is_remembered_longer_than_the_cap_or_past_its_end() {
        let memo = VerifiedTokens::default();
        memo.remember(TokenId::of("long"), Arc::new(()), 1_000 + 86_400, 1_000);
        assert!(memo.get(&TokenId::of("long"), 1_000 + MAX_REMEMBER_SECS - 1).is_some());
        assert!(memo.get(&TokenId::of("long"), 1_000 + MAX_REMEMBER_SECS).is_none());
        memo.remember(TokenId::of("over"), Arc::new(()), 999, 1_000);
        memo.remember(TokenId::of("now"), Arc::new(()), 1_000, 1_000);
        assert_eq!(memo.len(), 1, "tokens already past their end are not stored");
    }

    #[test]
    fn the_map_stays_bounded_dropping_expired_entries_then_the_soonest_to_expire() {
        let memo = VerifiedTokens::with_capacity(3);
        memo.remember(TokenId::of("a"), Arc::new('a'), 1_050, 1_000);
        memo.remember(TokenId::of("b"), Arc::new('b'), 1_300, 1_000);
        memo.remember(TokenId::of("c"), Arc::new('c'), 1_200, 1_000);
        memo.remember(TokenId::of("d"), Arc::new('d'), 1_400, 1_100);
        assert_eq!(memo.len(), 3);
        assert!(memo.get(&TokenId::of("a"), 1_100).is_none(), "the expired one went first");
        memo.remember(TokenId::of("e"), Arc::new('e'), 1_500, 1_100);
        assert_eq!(memo.len(), 3);
        assert!(memo.get(&TokenId::of("c"), 1_100).is_none(), "then the one ending soonest");
        for live in ["b", "d", "e"] {
            assert!(memo.get(&TokenId::of(live), 1_100).is_some(), "{live}");
        }
        for i in 0..10_000 {
            memo.remember(TokenId::of(&format!("t{i}")), Arc::new('t'), 2_000, 1_100);
        }
        assert_eq!(memo.len(), 3);
    }

    #[test]
    fn a_forgotten_token_is_gone_and_debug_shows_only_counts() {
        let memo = VerifiedTokens::default();
        memo.remember(TokenId::of("eyJhbGciOiJSUzI1NiJ9.secret-claims.sig"), Arc::new(()), 1_100, 1_000);
        let shown = format!("{memo:?} {:?}", TokenId::of("eyJhbGciOiJSUzI1NiJ9.secret-claims.sig"));
        assert_eq!(shown, "VerifiedTokens { entries: 1, capacity: 1024 } TokenId(..)");
        memo.forget(&TokenId::of("eyJhbGciOiJSUzI1NiJ9.secret-claims.sig"));
        assert!(memo.is_empty());
    }
}
