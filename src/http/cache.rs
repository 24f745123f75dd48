//! A small answer cache: the same question against the same index gets the same answer, and chat
//! users ask the same few codes again and again. Two generations of entries approximate LRU
//! cheaply (a hit in the older one is promoted; when the newer fills up, the older is dropped).
//! Entries are tied to the engine generation, so a hot reload empties the cache. Used for answers
//! and for the JSON API's serialized responses.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::answer::Answer;

/// Questions longer than this (pasted logs) are rarely repeated and are not cached.
pub const MAX_KEY_BYTES: usize = 512;

#[derive(Debug)]
struct Generations<V> {
    engine_generation: u64,
    current: HashMap<String, V>,
    previous: HashMap<String, V>,
}

impl<V> Default for Generations<V> {
    fn default() -> Self {
        Generations { engine_generation: 0, current: HashMap::new(), previous: HashMap::new() }
    }
}

/// Values computed from a question, kept per engine generation.
#[derive(Debug)]
pub struct Cache<V> {
    inner: Mutex<Generations<V>>,
    /// Entries per generation; 0 turns the cache off.
    half: usize,
}

/// Answers by question.
pub type AnswerCache = Cache<Answer>;

impl<V: Clone> Cache<V> {
    /// A cache holding up to about `capacity` values.
    pub fn new(capacity: usize) -> Cache<V> {
        Cache { inner: Mutex::new(Generations::default()), half: capacity / 2 }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations<V>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached answer to `question` for `engine_generation`, else `compute()` (run without
    /// holding the lock) and remember it.
    pub fn get_or_compute(&self, engine_generation: u64, question: &str, compute: impl FnOnce() -> V) -> V {
        if self.half == 0 || question.len() > MAX_KEY_BYTES {
            return compute();
        }
        if let Some(hit) = self.lookup(engine_generation, question) {
            return hit;
        }
        let answer = compute();
        self.insert(engine_generation, question, answer.clone());
        answer
    }

    fn lookup(&self, engine_generation: u64, question: &str) -> Option<V> {
        let mut g = self.lock();
        if g.engine_generation != engine_generation {
            return None;
        }
        if let Some(hit) = g.current.get(question) {
            return Some(hit.clone());
        }
        let promoted = g.previous.remove(question)?;
        g.current.insert(question.to_string(), promoted.clone());
        Some(promoted)
    }

    fn insert(&self, engine_generation: u64, question: &str, answer: V) {
        let mut g = self.lock();
        if g.engine_generation != engine_generation {
            if engine_generation < g.engine_generation {
                return;
            }
            *g = Generations { engine_generation, current: HashMap::new(), previous: HashMap::new() };
        }
        if g.current.len() >= self.half {
            g.previous = std::mem::take(&mut g.current);
        }
        g.current.insert(question.to_string(), answer);
    }

    /// The cached value of `question` for `engine_generation`, if any (nothing is computed).
    pub fn get(&self, engine_generation: u64, question: &str) -> Option<V> {
        if self.half == 0 || question.len() > MAX_KEY_BYTES {
            return None;
        }
        self.lookup(engine_generation, question)
    }

    /// Answers held (both generations).
    pub fn len(&self) -> usize {
        let g = self.lock();
        g.current.len() + g.previous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Outcome;

    fn answer(text: &str) -> Answer {
        Answer {
            query: text.to_string(),
            detected: Vec::new(),
            outcome: Outcome::NotFound { code: None, suggestions: Vec::new() },
            reason: None,
        }
    }

    #[test]
    fn a_repeated_question_is_computed_once_per_engine_generation() {
        let cache = AnswerCache::new(8);
        let mut computed = 0;
        for _ in 0..3 {
            cache.get_or_compute(0, "q", || {
                computed += 1;
                answer("q")
            });
        }
        assert_eq!(computed, 1);
        cache.get_or_compute(1, "q", || {
            computed += 1;
            answer("q")
        });
        assert_eq!(computed, 2, "a reload makes the cache miss");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn the_cache_stays_bounded_and_long_questions_are_not_kept() {
        let cache = AnswerCache::new(8);
        for i in 0..100 {
            let q = format!("q{i}");
            cache.get_or_compute(0, &q, || answer(&q));
        }
        assert!(cache.len() <= 8);
        let long = "x".repeat(MAX_KEY_BYTES + 1);
        cache.get_or_compute(0, &long, || answer(&long));
        assert!(cache.len() <= 8);
    }
}
