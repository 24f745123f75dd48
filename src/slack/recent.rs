//! Event ids this replica has already taken: a bounded, in-memory first filter in front of the
//! store's event claims, so a burst of Slack retries (the same `event_id` again) is acknowledged
//! without a task or a database round trip.
//!
//! Owns only the set. The store's claim stays the judge across replicas and restarts: a first
//! sighting here still goes through it. Knows nothing of payloads or HTTP.

use std::collections::HashSet;
use std::sync::Mutex;

/// Ids kept per generation; two generations, so between this many and twice as many.
const GENERATION: usize = 10_000;
/// Longer ids are not Slack's and are not kept.
const MAX_ID_BYTES: usize = 128;

#[derive(Debug, Default)]
struct Sets {
    current: HashSet<String>,
    previous: HashSet<String>,
}

/// Recently seen event ids (bounded memory: the oldest generation is dropped when the newer one
/// fills up).
#[derive(Debug, Default)]
pub struct RecentEvents {
    sets: Mutex<Sets>,
}

impl RecentEvents {
    /// True the first time `event_id` is seen here (and always for an empty or over-long id,
    /// which is left to the store).
    pub fn first_sighting(&self, event_id: &str) -> bool {
        if event_id.is_empty() || event_id.len() > MAX_ID_BYTES {
            return true;
        }
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        if sets.current.contains(event_id) || sets.previous.contains(event_id) {
            return false;
        }
        if sets.current.len() >= GENERATION {
            sets.previous = std::mem::take(&mut sets.current);
        }
        sets.current.insert(event_id.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_id_is_new_once_and_an_empty_one_always() {
        let recent = RecentEvents::default();
        assert!(recent.first_sighting("Ev1"));
        assert!(!recent.first_sighting("Ev1"));
        assert!(recent.first_sighting("Ev2"));
        assert!(recent.first_sighting(""));
        assert!(recent.first_sighting(""));
    }

    #[test]
    fn the_set_stays_bounded_and_forgets_the_oldest_ids_first() {
        let recent = RecentEvents::default();
        for i in 0..3 * GENERATION {
            assert!(recent.first_sighting(&format!("Ev{i}")));
        }
        let sets = recent.sets.lock().unwrap();
        assert!(sets.current.len() + sets.previous.len() <= 2 * GENERATION);
        drop(sets);
        assert!(!recent.first_sighting(&format!("Ev{}", 3 * GENERATION - 1)), "a recent id is remembered");
        assert!(recent.first_sighting("Ev0"), "the oldest ids are forgotten");
    }
}
