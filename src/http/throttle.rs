//! Failed sign-ins counted per client address, in memory: after [`MAX_FAILURES`] failures in a
//! [`WINDOW`], that address is refused (even with the right token) until the window ends, so a
//! guesser gets a handful of tries per quarter hour. Each replica counts its own; behind a
//! reverse proxy every client shares the proxy's address, and so its allowance.
//!
//! Knows only addresses and clocks; the caller decides what a failure is.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per address in a window.
pub const MAX_FAILURES: u32 = 5;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses tracked at most; older windows are dropped first when it fills.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Failures per client address.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

impl Throttle {
    /// `Err(wait)` when `client` used up its failures in the current window.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match failures.get(&client) {
            Some(f) if f.count >= MAX_FAILURES && now.duration_since(f.since) < WINDOW => {
                Err(WINDOW - now.duration_since(f.since))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure for `client`.
    pub fn fail(&self, client: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() >= CAPACITY && !failures.contains_key(&client) {
            failures.retain(|_, f| now.duration_since(f.since) < WINDOW);
        }
        if failures.len() >= CAPACITY && !failures.contains_key(&client) {
            return;
        }
        let entry = failures.entry(client).or_insert(Failures { count: 0, since: now });
        if now.duration_since(entry.since) >= WINDOW {
            *entry = Failures { count: 0, since: now };
        }
        entry.count += 1;
    }

    /// Forgets `client`'s failures (it signed in).
    pub fn succeed(&self, client: IpAddr) {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_failures_until_the_window_ends() {
        let throttle = Throttle::default();
        let (guesser, other): (IpAddr, IpAddr) = ("192.0.2.7".parse().unwrap(), "192.0.2.8".parse().unwrap());
        let t0 = Instant::now();
        for i in 0..MAX_FAILURES {
            assert_eq!(throttle.check(guesser, t0), Ok(()), "try {i}");
            throttle.fail(guesser, t0);
        }
        assert_eq!(throttle.check(guesser, t0 + Duration::from_secs(60)), Err(WINDOW - Duration::from_secs(60)));
        assert_eq!(throttle.check(other, t0), Ok(()), "other addresses are not affected");
        assert_eq!(throttle.check(guesser, t0 + WINDOW), Ok(()), "a new window");
        throttle.fail(guesser, t0 + WINDOW);
        assert_eq!(throttle.check(guesser, t0 + WINDOW), Ok(()), "the count restarted");
        throttle.succeed(guesser);
        assert_eq!(throttle.check(guesser, t0), Ok(()));
    }
}
