//! A circuit breaker per provider, so a dead vendor costs its timeout once, not on every
//! request.
//!
//! Closed: requests flow; consecutive failures that count
//! (errors about the provider's health, not the request's content) are tallied, and any
//! other answer resets the tally. At the threshold it opens: the provider is skipped. After the
//! cool-down one probe request goes through (half-open): success closes the breaker, a counting
//! failure opens it again for another cool-down.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use strum::Display;

/// When a breaker opens and how long it stays open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BreakerConfig {
    /// Consecutive counting failures that open the breaker (at least 1).
    pub failure_threshold: u32,
    /// How long an open breaker skips its provider before letting a probe through.
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    /// 5 consecutive failures; 30 seconds of cool-down.
    fn default() -> Self {
        Self { failure_threshold: 5, cool_down: Duration::from_secs(30) }
    }
}

impl BreakerConfig {
    /// Opens after `failure_threshold` consecutive failures (at least 1) and stays open for
    /// `cool_down`.
    pub fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        Self { failure_threshold: failure_threshold.max(1), cool_down }
    }
}

/// A breaker's state, for observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Display)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum BreakerState {
    /// Requests flow.
    Closed,
    /// The provider is skipped.
    Open,
    /// One probe request is (or may be) in flight.
    HalfOpen,
}

#[derive(Debug)]
enum State {
    Closed { failures: u32 },
    Open { since: Instant },
    HalfOpen { probing: bool },
}

/// A circuit breaker for one provider. Thread-safe; cheap to consult.
#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    config: BreakerConfig,
    state: Mutex<State>,
}

/// What the breaker allows for the next request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Send it.
    Allowed,
    /// Skip the provider; it may be probed again after this long.
    Refused { retry_after: Duration },
}

impl CircuitBreaker {
    /// A closed breaker.
    pub(crate) fn new(config: BreakerConfig) -> Self {
        Self { config, state: Mutex::new(State::Closed { failures: 0 }) }
    }

    /// The current state (an open breaker whose cool-down has passed reads as half-open).
    pub(crate) fn state(&self) -> BreakerState {
        match &*self.lock() {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { since } if since.elapsed() >= self.config.cool_down => {
                BreakerState::HalfOpen
            }
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Asks to send a request: allowed while closed; after the cool-down, allowed for exactly
    /// one probe at a time.
    pub(crate) fn admit(&self) -> Admission {
        let mut state = self.lock();
        match &*state {
            State::Closed { .. } => Admission::Allowed,
            State::Open { since } => {
                let waited = since.elapsed();
                if waited >= self.config.cool_down {
                    *state = State::HalfOpen { probing: true };
                    Admission::Allowed
                } else {
                    Admission::Refused { retry_after: self.config.cool_down - waited }
                }
            }
            State::HalfOpen { probing: false } => {
                *state = State::HalfOpen { probing: true };
                Admission::Allowed
            }
            State::HalfOpen { probing: true } => Admission::Refused { retry_after: Duration::ZERO },
        }
    }

    /// The provider answered in a way that says it is healthy (a session, or a refusal of the
    /// request's content).
    pub(crate) fn record_success(&self) {
        *self.lock() = State::Closed { failures: 0 };
    }

    /// The provider failed in a way that counts.
    pub(crate) fn record_failure(&self) {
        let mut state = self.lock();
        *state = match &*state {
            State::Closed { failures } if failures + 1 < self.config.failure_threshold => {
                State::Closed { failures: failures + 1 }
            }
            // A late failure of a request admitted before it opened does not extend the wait.
            State::Open { since } => State::Open { since: *since },
            _ => State::Open { since: Instant::now() },
        };
    }

    /// The request never reached the provider for reasons of its own (refused as invalid before
    /// sending): a probe slot it took is given back, nothing else changes.
    pub(crate) fn record_not_tried(&self) {
        let mut state = self.lock();
        if let State::HalfOpen { probing: true } = &*state {
            *state = State::HalfOpen { probing: false };
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere must not disable failover.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(threshold: u32, cool_down_ms: u64) -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig::new(threshold, Duration::from_millis(cool_down_ms)))
    }

    #[test]
    fn opens_after_consecutive_failures_only() {
        let b = breaker(3, 10_000);
        b.record_failure();
        b.record_failure();
        b.record_success(); // resets the tally
        b.record_failure();
        b.record_failure();
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.admit(), Admission::Allowed);
        b.record_failure();
        assert_eq!(b.state(), BreakerState::Open);
        assert!(
            matches!(b.admit(), Admission::Refused { retry_after } if retry_after > Duration::from_secs(9))
        );
    }

    #[test]
    fn one_probe_after_the_cool_down_then_closes_or_reopens() {
        let b = breaker(1, 30);
        b.record_failure();
        assert_eq!(b.state(), BreakerState::Open);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert_eq!(b.admit(), Admission::Allowed, "the probe");
        assert_eq!(b.admit(), Admission::Refused { retry_after: Duration::ZERO }, "one at a time");
        b.record_failure();
        assert_eq!(b.state(), BreakerState::Open, "a failed probe reopens it");
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.admit(), Admission::Allowed);
        b.record_success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.admit(), Admission::Allowed);
    }

    #[test]
    fn a_probe_that_was_never_sent_is_given_back() {
        let b = breaker(1, 0);
        b.record_failure();
        assert_eq!(b.admit(), Admission::Allowed);
        b.record_not_tried();
        assert_eq!(b.admit(), Admission::Allowed, "the slot is free again");
    }

    #[test]
    fn the_threshold_is_at_least_one() {
        let b = breaker(0, 10_000);
        assert_eq!(b.admit(), Admission::Allowed);
        b.record_failure();
        assert_eq!(b.state(), BreakerState::Open);
    }
}
