//! Failover across providers: the mechanism. What to do after each error is the policy's
//! (`policy::next_step`, the table on [`Failover`]); this module tries providers in order, retries one only when the policy says
//! the request provably created nothing, keeps a circuit breaker per provider, and records every
//! attempt.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tracing::Instrument;

use crate::breaker::{Admission, BreakerConfig, CircuitBreaker};
use crate::capabilities::Capabilities;
use crate::error::{Error, Outcome};
use crate::kit::ErrorExt;
use crate::policy::{Next, OnUnknownOutcome, counts_against_provider, next_step};
use crate::provider::VerificationSession;
use crate::request::SessionRequest;
use crate::session::{Attempt, Session};

/// How a [`Failover`] retries and how long it may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailoverPolicy {
    /// After an error that leaves it unknown whether a session was created: move on (default)
    /// or stop.
    pub on_unknown_outcome: OnUnknownOutcome,
    /// How often one provider is tried again after errors that provably created nothing
    /// (connection refused, 429, 503); then failover moves on. Default 2.
    pub max_retries: u32,
    /// The first backoff before trying a provider again (default 200 ms); it doubles with each
    /// retry up to `max_backoff` (default 5 s), with full jitter, and is never shorter than the
    /// provider's `Retry-After`.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The overall time budget (default 60 s): no attempt starts after it, and no backoff that
    /// would end after it is waited; the failover moves on instead. Each provider's own timeout
    /// bounds an attempt in flight.
    pub deadline: Duration,
}

impl Default for FailoverPolicy {
    fn default() -> Self {
        Self {
            on_unknown_outcome: OnUnknownOutcome::MoveOn,
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            deadline: Duration::from_secs(60),
        }
    }
}

impl FailoverPolicy {
    /// Sets what to do after an ambiguous outcome.
    pub fn with_on_unknown_outcome(mut self, on_unknown: OnUnknownOutcome) -> Self {
        self.on_unknown_outcome = on_unknown;
        self
    }

    /// Sets how often one provider is tried again.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the first and the longest backoff.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the overall time budget.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

/// Providers tried in order until one creates the session, without spending credits twice
/// where it can be avoided. It implements [`VerificationSession`] itself, so it nests under a
/// [`Router`](crate::Router) or another failover, and callers cannot tell it from one vendor.
///
/// For each provider in order:
/// - skipped, without a call, when its [`Capabilities`] cannot serve the request or its circuit
///   breaker is open;
/// - on an error, the policy (the table below) decides: stop (an invalid request, or the vendor
///   refusing the request's content: the next provider would repeat the refusal), try the same
///   provider again after a jittered backoff (only when nothing was created there), or move on;
/// - every attempt is recorded (provider, error kind, elapsed time, whether it may have
///   created a session) on the returned [`Session`], the successful one last, or on the final
///   error.
///
/// # The policy
///
/// Creating a session is not idempotent (the vendors take no idempotency key, and each session
/// costs a credit), so only what provably never arrived is sent again. `on_unknown` is
/// [`FailoverPolicy::on_unknown_outcome`].
///
/// | error | next step |
/// |---|---|
/// | `InvalidRequest` | stop: every provider would refuse it the same way (a provider option of the wrong type included) |
/// | `Rejected` (a 4xx other than 404) | stop: the vendor refused this request's content |
/// | `Rejected` with 404 (wrong base URL) | move on: the configuration is at fault, not the request |
/// | `OutOfFunds` (iDenfy's 402) | move on: nothing was created, and another vendor's account has its own credit |
/// | `Forbidden` (an inactive account, a feature not enabled, keys of another environment) | move on: this account cannot serve it, another may |
/// | `Conflict` | stop: the state of a session at this provider, nothing another would change |
/// | `Decode` after a success status | stop: a session exists, another would cost a second credit |
/// | `Unsupported` (a feature, or a value only this provider's rules refuse) | move on: another provider may take it |
/// | `Config`, `Unauthenticated` | move on (see below) |
/// | `RateLimited`; `Unavailable` with 503 | retry the same provider: nothing was processed |
/// | `Transport`, `Timeout` that never got out | retry the same provider |
/// | `Unavailable` (other 5xx), `Transport`, `Timeout` after sending | `on_unknown` |
///
/// Authentication failures move on: credentials belong to one provider, so a refused key, an
/// inactive account or keys of the wrong environment say nothing about the next provider's, and
/// the person can still be served. They count against the provider's circuit breaker, which
/// soon stops sending it traffic until its credentials are fixed.
///
/// Retries of the same provider are bounded and must fit the deadline; when they do not, the
/// mechanism moves on instead.
///
/// With every breaker open, it fails fast with an `Unavailable` error saying so, whose
/// `retry_after` is when the first breaker lets a probe through: a dead chain costs nothing
/// until then, rather than one more timeout.
///
/// # How long one call can take
///
/// With the defaults (a 60 s [`deadline`](FailoverPolicy::deadline), 2 retries of a provider
/// that provably created nothing, backoffs of 200 ms doubling up to 5 s but never shorter than a
/// `Retry-After`, and the adapters' 30 s timeout per exchange, 10 s of it to connect), one
/// `create_session` takes at most about **90 s**: no attempt starts after the deadline and no
/// backoff that would end after it is waited, but an attempt begun just before it runs to its
/// own timeout. A vendor answering `Retry-After: 3600` is moved past, not waited for; a
/// `Retry-After` that fits in what is left of the deadline is waited in full (the vendor asked
/// for it, and `max_backoff` does not shorten it). A chain nested in another (directly, or
/// behind a router) has a deadline of its own, which can begin just before the outer one ends:
/// bound the inner chains too.
///
/// For an interactive sign-up page, bound both: a short deadline and no retries on the chain,
/// and short timeouts on each adapter (their builders' `with_timeout` and
/// `with_connect_timeout`). With a 5 s deadline and 3 s adapter timeouts, a call ends within
/// about 8 s:
///
/// ```
/// # use std::time::Duration;
/// # use kyc_core::FailoverPolicy;
/// let interactive = FailoverPolicy::default()
///     .with_deadline(Duration::from_secs(5))
///     .with_max_retries(0);
/// # let _ = interactive;
/// ```
///
/// A caller may also drop the future (`tokio::time::timeout` around `create_session`): nothing
/// is left half-done on this side (a breaker's probe slot is given back), though a request
/// already sent may still create a session at the vendor.
///
/// ```
/// use std::sync::Arc;
/// use kyc_core::testing::ErrorExt;
/// use kyc_core::{ClientId, Error, Failover, SessionRequest, StubProvider, VerificationSession};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let primary = Arc::new(StubProvider::new("primary"));
/// primary.push_error(Error::unavailable("primary", 500)); // may have created a session
/// let secondary = Arc::new(StubProvider::new("secondary"));
/// let failover = Failover::new(vec![primary.clone() as _, secondary.clone() as _]);
///
/// let session = failover
///     .create_session(&SessionRequest::new(ClientId::new("user-1").unwrap()))
///     .await
///     .unwrap();
/// assert_eq!(session.provider, "secondary");
/// assert_eq!(session.attempts.len(), 2, "the failed attempt, then the one that served");
/// assert!(session.attempts[0].may_have_created_session);
/// assert_eq!(session.attempts[1].error, None);
/// # }
/// ```
pub struct Failover {
    name: String,
    members: Vec<Member>,
    policy: FailoverPolicy,
    capabilities: Capabilities,
}

struct Member {
    provider: Arc<dyn VerificationSession>,
    breaker: CircuitBreaker,
}

impl Failover {
    /// Failover over `providers`, in order, with the default policy and breakers.
    pub fn new(providers: Vec<Arc<dyn VerificationSession>>) -> Self {
        let names: Vec<&str> = providers.iter().map(|p| p.provider()).collect();
        let name = format!("failover({})", names.join(","));
        Self::assemble(name, providers, FailoverPolicy::default(), BreakerConfig::default())
    }

    fn assemble(
        name: String,
        providers: Vec<Arc<dyn VerificationSession>>,
        policy: FailoverPolicy,
        breaker: BreakerConfig,
    ) -> Self {
        let capabilities = Capabilities::union(providers.iter().map(|p| p.capabilities()));
        let members = providers
            .into_iter()
            .map(|provider| Member { provider, breaker: CircuitBreaker::new(breaker) })
            .collect();
        Self { name, members, policy, capabilities }
    }

    /// Sets the retry and deadline policy.
    pub fn with_policy(mut self, policy: FailoverPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Replaces every provider's circuit breaker with a closed one of `config`.
    pub fn with_breaker(mut self, config: BreakerConfig) -> Self {
        for member in &mut self.members {
            member.breaker = CircuitBreaker::new(config);
        }
        self
    }

    /// Names the chain in sessions' attempts and errors (default `failover(a,b)`).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Each provider's breaker state, in order.
    pub fn breaker_states(&self) -> Vec<(&str, crate::BreakerState)> {
        self.members.iter().map(|m| (m.provider.provider(), m.breaker.state())).collect()
    }

    /// The wait before trying a provider again: exponential from the initial backoff, with full
    /// jitter, never shorter than what the provider asked for.
    fn backoff(&self, retry: u32, asked: Option<Duration>) -> Duration {
        let policy = &self.policy;
        let ceiling = policy
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(policy.max_backoff);
        let jittered = ceiling.mul_f64(jitter());
        jittered.max(asked.unwrap_or(Duration::ZERO))
    }
}

/// A number in [0, 1) from a xorshift generator: jitter needs spread, not secrecy, and a stable
/// hash is used for routing, so no random-number crate is needed.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64);
        x = nanos | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[async_trait]
impl VerificationSession for Failover {
    fn provider(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// Passes when a member passes and none finds a mistake of the caller's: every member is
    /// asked, and the first refusal that would stop the chain (an invalid request, such as an
    /// option of the wrong type for any member) is returned, wherever the member stands in the
    /// chain; otherwise the first member's refusal, when none passes.
    fn preflight(&self, request: &SessionRequest) -> Result<(), Error> {
        request.validate()?;
        let mut passed = false;
        let mut first: Option<Error> = None;
        for member in &self.members {
            match member.provider.preflight(request) {
                Ok(()) => passed = true,
                Err(error) if next_step(&error, self.policy.on_unknown_outcome) == Next::Stop => {
                    return Err(error);
                }
                Err(error) => {
                    first.get_or_insert(error);
                }
            }
        }
        match (passed, first) {
            (true, _) => Ok(()),
            (false, Some(error)) => Err(error),
            (false, None) => Err(Error::config(&self.name, "the failover has no provider to try")),
        }
    }

    async fn create_session(&self, request: &SessionRequest) -> Result<Session, Error> {
        let span = tracing::info_span!("kyc.failover", chain = %self.name);
        self.run(request).instrument(span).await
    }
}

impl Failover {
    async fn run(&self, request: &SessionRequest) -> Result<Session, Error> {
        // A caller's mistake is found before anything is sent, whichever member it concerns:
        // otherwise a member earlier in the chain would create the session and hide it.
        if let Err(error) = self.preflight(request)
            && next_step(&error, self.policy.on_unknown_outcome) == Next::Stop
        {
            return Err(error);
        }
        let started = Instant::now();
        // A deadline too far to represent is no deadline.
        let deadline = started.checked_add(self.policy.deadline);
        let past_deadline = |at: Option<Instant>| match (at, deadline) {
            (Some(at), Some(deadline)) => at >= deadline,
            (None, _) => true,
            (_, None) => false,
        };
        let mut attempts: Vec<Attempt> = Vec::new();
        let mut last_error: Option<Error> = None;
        let mut refusal: Option<Error> = None;
        let mut soonest_probe: Option<Duration> = None;

        for member in &self.members {
            let provider = member.provider.provider();
            if let Err(feature) = member.provider.capabilities().check(request) {
                tracing::info!(provider, reason = %feature, "skipped: cannot serve the request");
                attempts.push(Attempt::passed_over(provider, feature.clone()));
                refusal.get_or_insert_with(|| Error::unsupported(provider, feature));
                continue;
            }
            let mut retries = 0;
            // This provider's last error, while retrying it.
            let mut retrying: Option<Error> = None;
            loop {
                if past_deadline(Some(Instant::now())) {
                    tracing::info!(provider, "skipped: the failover deadline has passed");
                    break;
                }
                if let Admission::Refused { retry_after } = member.breaker.admit() {
                    tracing::info!(provider, "skipped: circuit breaker open");
                    match retrying.take() {
                        // Its own failures just opened it: report those, not the breaker.
                        Some(error) => last_error = Some(error),
                        None => {
                            soonest_probe =
                                Some(soonest_probe.map_or(retry_after, |s| s.min(retry_after)));
                        }
                    }
                    break;
                }
                // Gives the half-open probe slot back if this attempt is cancelled mid-flight.
                let probe = ProbeGuard { breaker: &member.breaker, settled: false };
                let attempt_started = Instant::now();
                let error = match member.provider.create_session(request).await {
                    Ok(mut session) => {
                        probe.settle();
                        member.breaker.record_success();
                        let elapsed = attempt_started.elapsed();
                        tracing::info!(
                            provider,
                            outcome = "created",
                            elapsed_ms = elapsed.as_millis() as u64,
                            "attempt"
                        );
                        Attempt::record_success(attempts, &mut session, elapsed);
                        return Ok(session);
                    }
                    Err(error) => error,
                };
                let elapsed = attempt_started.elapsed();
                probe.settle();
                if counts_against_provider(&error) {
                    member.breaker.record_failure();
                } else if error.outcome() == Outcome::NotSent {
                    member.breaker.record_not_tried();
                } else {
                    member.breaker.record_success();
                }
                let next = next_step(&error, self.policy.on_unknown_outcome);
                tracing::info!(
                    provider,
                    error = %error.kind(),
                    outcome = %error.outcome(),
                    next = %next,
                    elapsed_ms = elapsed.as_millis() as u64,
                    "attempt"
                );
                Attempt::record_failure(&mut attempts, provider, &error, elapsed);
                match next {
                    Next::Stop => return Err(error.with_attempts(attempts)),
                    Next::RetrySame if retries < self.policy.max_retries => {
                        let wait = self.backoff(retries, error.retry_after());
                        if past_deadline(Instant::now().checked_add(wait)) {
                            last_error = Some(error);
                            break;
                        }
                        tokio::time::sleep(wait).await;
                        retries += 1;
                        retrying = Some(error);
                    }
                    _ => {
                        last_error = Some(error);
                        break;
                    }
                }
            }
        }

        let error = match (last_error, soonest_probe, refusal) {
            (Some(error), _, _) => error,
            (None, Some(wait), _) => Error::circuit_open(&self.name, wait),
            (None, None, Some(refusal)) => refusal,
            (None, None, None) => Error::config(&self.name, "the failover has no provider to try"),
        };
        Err(error.with_attempts(attempts))
    }
}

/// Releases a breaker's probe slot unless the attempt's result was recorded: a caller that drops
/// the future (a timeout around `create_session`) must not leave the provider skipped forever.
struct ProbeGuard<'a> {
    breaker: &'a CircuitBreaker,
    settled: bool,
}

impl ProbeGuard<'_> {
    fn settle(mut self) {
        self.settled = true;
    }
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker.record_not_tried();
        }
    }
}

impl fmt::Debug for Failover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failover")
            .field("name", &self.name)
            .field("breakers", &self.breaker_states())
            .field("policy", &self.policy)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_honours_retry_after() {
        let failover = Failover::new(Vec::new()).with_policy(
            FailoverPolicy::default()
                .with_backoff(Duration::from_millis(100), Duration::from_millis(300)),
        );
        for retry in 0..5 {
            let ceiling = Duration::from_millis((100 * 2u64.pow(retry)).min(300));
            for _ in 0..50 {
                assert!(failover.backoff(retry, None) <= ceiling);
            }
        }
        let spread: std::collections::BTreeSet<Duration> =
            (0..50).map(|_| failover.backoff(1, None)).collect();
        assert!(spread.len() > 10, "jittered");
        assert!(failover.backoff(0, Some(Duration::from_secs(7))) >= Duration::from_secs(7));
    }

    #[test]
    fn jitter_stays_in_the_unit_interval() {
        for _ in 0..10_000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
