//! Failover, breakers and routing over stub and mock providers: every branch of the policy as
//! the mechanism applies it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kyc_core::testing::ErrorExt;
use kyc_core::{
    BreakerConfig, BreakerState, Capabilities, ClientId, Denial, DocumentType, Error, ErrorKind,
    ExpectedDocument, Failover, FailoverPolicy, Feature, Field, FieldError, KindCapabilities,
    Locale, MockVerificationSession, OnUnknownOutcome, Outcome, Router, Rule, SessionRequest,
    StubProvider, VerificationKind, VerificationSession,
};

fn request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-1").unwrap())
}

fn stub(name: &str) -> Arc<StubProvider> {
    Arc::new(StubProvider::new(name))
}

/// Fast retries, so tests take milliseconds.
fn quick() -> FailoverPolicy {
    FailoverPolicy::default()
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .with_deadline(Duration::from_secs(5))
}

fn chain(providers: &[&Arc<StubProvider>]) -> Failover {
    let providers =
        providers.iter().map(|p| Arc::clone(p) as Arc<dyn VerificationSession>).collect();
    Failover::new(providers).with_policy(quick())
}

#[tokio::test]
async fn the_first_healthy_provider_serves_in_one_attempt() {
    let (a, b) = (stub("a"), stub("b"));
    let session = chain(&[&a, &b]).create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "a");
    assert_eq!(session.attempts.len(), 1);
    assert_eq!((session.attempts[0].provider.as_str(), session.attempts[0].error), ("a", None));
    assert!(b.requests().is_empty());
}

#[tokio::test]
async fn providers_that_cannot_serve_are_skipped_without_a_call() {
    let narrow = Arc::new(
        StubProvider::new("narrow")
            .with_capabilities(Capabilities::new().with_identity(KindCapabilities::new())),
    );
    let wide = stub("wide");
    let passport =
        request().with_document(ExpectedDocument::default().with_type(DocumentType::Passport));
    let session = chain(&[&narrow, &wide]).create_session(&passport).await.unwrap();
    assert_eq!(session.provider, "wide");
    assert!(narrow.requests().is_empty());
    // The skip leaves a trace, with its reason, but no call and no credit.
    assert_eq!(session.attempts.len(), 2, "{:?}", session.attempts);
    let skip = &session.attempts[0];
    assert_eq!(skip.provider, "narrow");
    assert_eq!(skip.skipped, Some(Feature::Field(Field::DocumentTypes)));
    assert!(!skip.was_called() && !skip.may_have_created_session);
    assert_eq!((session.attempts[1].provider.as_str(), session.attempts[1].error), ("wide", None));

    // A mock that must never be called, because it declares nothing.
    let mut never = MockVerificationSession::new();
    never.expect_provider().return_const("never".to_owned());
    never.expect_capabilities().return_const(Capabilities::new());
    never.expect_create_session().times(0);
    let failover = Failover::new(vec![Arc::new(never), Arc::clone(&wide) as _]);
    assert_eq!(failover.create_session(&request()).await.unwrap().provider, "wide");
}

#[tokio::test]
async fn when_no_provider_can_serve_the_refusal_is_returned() {
    let narrow = Arc::new(
        StubProvider::new("narrow")
            .with_capabilities(Capabilities::new().with_identity(KindCapabilities::new())),
    );
    let error =
        chain(&[&narrow]).create_session(&request().with_locale(Locale::Lt)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert_eq!(error.unsupported_feature(), Some(&Feature::Field(Field::Locale)));
    assert_eq!(error.outcome(), Outcome::NotSent);
    // The error carries the skip too, and says nobody was called.
    assert_eq!(error.attempts().len(), 1);
    assert_eq!(error.attempts()[0].skipped, Some(Feature::Field(Field::Locale)));
    assert!(error.to_string().ends_with("(1 provider passed over)"), "{error}");
}

#[tokio::test]
async fn an_invalid_request_stops_at_the_first_provider() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::invalid_request(vec![FieldError::new("person.firstName", "x")]));
    let error = chain(&[&a, &b]).create_session(&request()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(b.requests().is_empty());
    assert_eq!(error.attempts().len(), 1);
}

#[tokio::test]
async fn a_refusal_of_the_request_stops() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::rejected("a", 400).with_vendor_code("BAD_VALUE"));
    let error = chain(&[&a, &b]).create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Rejected, Some("BAD_VALUE")));
    assert_eq!(a.requests().len(), 1);
    assert!(b.requests().is_empty());
}

#[tokio::test]
async fn out_of_credits_and_refused_credentials_move_on() {
    for error in [
        Error::out_of_funds("a", 402),
        Error::forbidden("a", Denial::AccountInactive, 403),
        Error::forbidden("a", Denial::WrongEnvironment, 403),
        Error::forbidden("a", Denial::FeatureNotEnabled, 403),
        Error::unauthenticated("a", 401),
        Error::config("a", "x"),
    ] {
        let (a, b) = (stub("a"), stub("b"));
        let kind = error.kind();
        a.push_error(error);
        let session = chain(&[&a, &b]).create_session(&request()).await.unwrap();
        assert_eq!(session.provider, "b", "{kind}");
        assert_eq!(session.attempts[0].error, Some(kind));
        assert!(!session.attempts[0].may_have_created_session);
    }
}

#[tokio::test]
async fn a_session_state_conflict_and_a_forged_answer_stop() {
    for error in [
        Error::conflict("a", 409, "the session is in progress"),
        Error::invalid_response_signature("a", 201),
    ] {
        let (a, b) = (stub("a"), stub("b"));
        let (kind, outcome) = (error.kind(), error.outcome());
        a.push_error(error);
        let error = chain(&[&a, &b]).create_session(&request()).await.unwrap_err();
        assert_eq!((error.kind(), error.outcome()), (kind, outcome));
        assert!(b.requests().is_empty(), "{kind}: nothing another provider would change");
    }
}

#[tokio::test]
async fn what_provably_never_arrived_is_retried_on_the_same_provider() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::transport("a", false));
    a.push_error(Error::unavailable("a", 503));
    let session = chain(&[&a, &b]).create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "a", "served after two retries");
    assert_eq!(a.requests().len(), 3);
    let kinds: Vec<Option<ErrorKind>> = session.attempts.iter().map(|a| a.error).collect();
    assert_eq!(kinds, [Some(ErrorKind::Transport), Some(ErrorKind::Unavailable), None]);
    assert!(session.attempts[..2].iter().all(|a| !a.may_have_created_session));
    assert!(b.requests().is_empty());
}

#[tokio::test]
async fn retries_are_bounded_then_it_moves_on() {
    let (a, b) = (stub("a"), stub("b"));
    for _ in 0..5 {
        a.push_error(Error::rate_limited("a", None));
    }
    let failover = chain(&[&a, &b]).with_policy(quick().with_max_retries(2));
    let session = failover.create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "b");
    assert_eq!(a.requests().len(), 3, "one try and two retries");
    assert_eq!(session.attempts.len(), 4, "three failed, then b");
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_moves_on_at_once() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::rate_limited("a", Some(Duration::from_secs(30))));
    let failover = chain(&[&a, &b]).with_policy(quick().with_deadline(Duration::from_secs(2)));
    let started = Instant::now();
    let session = failover.create_session(&request()).await.unwrap();
    // Waiting would have taken 30 s.
    assert!(started.elapsed() < Duration::from_secs(10), "did not wait for Retry-After");
    assert_eq!((session.provider.as_str(), a.requests().len()), ("b", 1));
}

#[tokio::test]
async fn a_retry_after_within_the_deadline_is_waited() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::rate_limited("a", Some(Duration::from_millis(150))));
    let started = Instant::now();
    let session = chain(&[&a, &b]).create_session(&request()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(session.provider, "a");
}

#[tokio::test]
async fn ambiguous_outcomes_move_on_or_stop_as_configured() {
    for error in [
        || Error::unavailable("a", 500),
        || Error::timeout("a", true),
        || Error::transport("a", true),
    ] {
        let (a, b) = (stub("a"), stub("b"));
        a.push_error(error());
        let session = chain(&[&a, &b]).create_session(&request()).await.unwrap();
        assert_eq!(session.provider, "b");
        assert!(session.attempts[0].may_have_created_session, "{:?}", session.attempts);

        let (a, b) = (stub("a"), stub("b"));
        a.push_error(error());
        let stop = quick().with_on_unknown_outcome(OnUnknownOutcome::Stop);
        let error =
            chain(&[&a, &b]).with_policy(stop).create_session(&request()).await.unwrap_err();
        assert_eq!(error.outcome(), Outcome::Unknown);
        assert!(b.requests().is_empty(), "no second credit spent");
        assert!(error.attempts()[0].may_have_created_session);
    }
}

#[tokio::test]
async fn when_all_fail_the_last_error_carries_every_attempt() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::unavailable("a", 500));
    b.push_error(Error::unauthenticated("b", 401));
    let error = chain(&[&a, &b]).create_session(&request()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthenticated);
    let trail: Vec<(&str, Option<ErrorKind>, bool)> = error
        .attempts()
        .iter()
        .map(|a| (a.provider.as_str(), a.error, a.may_have_created_session))
        .collect();
    assert_eq!(
        trail,
        [("a", Some(ErrorKind::Unavailable), true), ("b", Some(ErrorKind::Unauthenticated), false)]
    );
    assert_eq!(error.to_string(), "b refused the credentials (http 401) after 2 attempts");
}

#[tokio::test]
async fn nested_chains_report_the_inner_attempts() {
    let (a, b, c) = (stub("a"), stub("b"), stub("c"));
    a.push_error(Error::unavailable("a", 500));
    b.push_error(Error::unavailable("b", 502));
    let inner = Arc::new(chain(&[&a, &b]));
    let outer = Failover::new(vec![inner, Arc::clone(&c) as _]).with_policy(quick());
    let session = outer.create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "c");
    let providers: Vec<&str> = session.attempts.iter().map(|a| a.provider.as_str()).collect();
    assert_eq!(providers, ["a", "b", "c"]);
}

#[tokio::test]
async fn a_breaker_opens_skips_and_probes_after_the_cool_down() {
    let (a, b) = (stub("a"), stub("b"));
    for _ in 0..3 {
        a.push_error(Error::unavailable("a", 503));
    }
    let failover = chain(&[&a, &b])
        .with_policy(quick().with_max_retries(0))
        .with_breaker(BreakerConfig::new(2, Duration::from_millis(200)));
    for _ in 0..2 {
        assert_eq!(failover.create_session(&request()).await.unwrap().provider, "b");
    }
    assert_eq!(failover.breaker_states()[0], ("a", BreakerState::Open));
    assert_eq!(a.requests().len(), 2);

    // Open: the dead provider gets no traffic, and no attempt is recorded for it.
    let session = failover.create_session(&request()).await.unwrap();
    assert_eq!((session.provider.as_str(), session.attempts.len()), ("b", 1));
    assert_eq!(a.requests().len(), 2);

    // After the cool-down, one probe; it fails (the third scripted 503) and reopens.
    tokio::time::sleep(Duration::from_millis(250)).await;
    failover.create_session(&request()).await.unwrap();
    assert_eq!(a.requests().len(), 3);
    assert_eq!(failover.breaker_states()[0].1, BreakerState::Open);

    // The next probe succeeds (the script is empty) and closes it.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(failover.create_session(&request()).await.unwrap().provider, "a");
    assert_eq!(failover.breaker_states()[0].1, BreakerState::Closed);
}

#[tokio::test]
async fn refusals_of_the_request_do_not_open_the_breaker() {
    let a = stub("a");
    for _ in 0..5 {
        a.push_error(Error::rejected("a", 400));
    }
    let failover = chain(&[&a]).with_breaker(BreakerConfig::new(1, Duration::from_secs(60)));
    for _ in 0..5 {
        assert_eq!(
            failover.create_session(&request()).await.unwrap_err().kind(),
            ErrorKind::Rejected
        );
    }
    assert_eq!(failover.breaker_states()[0].1, BreakerState::Closed);
    assert_eq!(a.requests().len(), 5);
}

#[tokio::test]
async fn with_every_breaker_open_it_fails_fast_and_says_so() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::timeout("a", false));
    b.push_error(Error::transport("b", false));
    let failover = chain(&[&a, &b])
        .with_policy(quick().with_max_retries(0))
        .with_breaker(BreakerConfig::new(1, Duration::from_secs(60)));
    failover.create_session(&request()).await.unwrap_err();
    let error = failover.create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::NotSent));
    assert!(error.to_string().contains("circuit breaker open"), "{error}");
    assert!(error.retry_after().unwrap() > Duration::from_secs(50));
    assert!(error.attempts().is_empty());
    assert_eq!((a.requests().len(), b.requests().len()), (1, 1));
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_chain() {
    let (a, b) = (stub("a"), stub("b"));
    for _ in 0..10 {
        a.push_error(Error::rate_limited("a", Some(Duration::from_millis(100))));
        b.push_error(Error::rate_limited("b", Some(Duration::from_millis(100))));
    }
    let budget = quick().with_max_retries(10).with_deadline(Duration::from_millis(150));
    let error = chain(&[&a, &b]).with_policy(budget).create_session(&request()).await.unwrap_err();
    // a: tried, waited 100 ms, tried again; a second wait would end past 150 ms, so it moved
    // on. b: tried once at most, for the same reason. Ten retries were allowed.
    assert_eq!(a.requests().len(), 2);
    assert!(b.requests().len() <= 1);
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.attempts().len(), 2 + b.requests().len());
}

#[tokio::test]
async fn a_router_routes_by_rule_and_nests_over_failover() {
    let (kyb, lt, passports, en, fallback) =
        (stub("kyb"), stub("lt"), stub("passports"), stub("en"), stub("fallback"));
    let router = Router::new(Arc::new(chain(&[&fallback])))
        .with_route(Rule::any().with_kind(VerificationKind::Business), Arc::clone(&kyb) as _)
        .with_route(Rule::any().with_countries(["LT".parse().unwrap()]), Arc::clone(&lt) as _)
        .with_route(
            Rule::any().with_document_types([DocumentType::Passport]),
            Arc::clone(&passports) as _,
        )
        .with_route(Rule::any().with_locales([Locale::En]), Arc::clone(&en) as _);
    let served = |request: SessionRequest| {
        let router = &router;
        async move { router.create_session(&request).await.unwrap().provider }
    };
    assert_eq!(served(request().with_kind(VerificationKind::Business)).await, "kyb");
    let lithuanian =
        request().with_person(kyc_core::Person::default().with_nationality("LT".parse().unwrap()));
    assert_eq!(served(lithuanian).await, "lt", "nationality stands in for a document country");
    let passport =
        request().with_document(ExpectedDocument::default().with_type(DocumentType::Passport));
    assert_eq!(served(passport).await, "passports");
    assert_eq!(served(request().with_locale(Locale::En)).await, "en");
    assert_eq!(served(request()).await, "fallback");
    // The router's capabilities admit what any of its providers can serve.
    assert!(router.capabilities().business.is_some());
}

#[tokio::test]
async fn an_unreadable_success_stops_because_a_session_exists() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::decode("a", 201, "missing verification.url"));
    let error = chain(&[&a, &b]).create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Decode, Outcome::Unknown));
    assert!(b.requests().is_empty(), "a second provider would spend a second credit");
}

#[tokio::test]
async fn absurd_waits_and_deadlines_do_not_overflow() {
    let (a, b) = (stub("a"), stub("b"));
    a.push_error(Error::rate_limited("a", Some(Duration::MAX)));
    let endless = quick().with_deadline(Duration::MAX);
    let session = chain(&[&a, &b]).with_policy(endless).create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "b", "an unrepresentable wait is past any deadline");
}

#[tokio::test]
async fn a_cancelled_probe_gives_its_slot_back() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    /// Fails its first call (opening the breaker), then never answers.
    #[derive(Debug)]
    struct FailsThenHangs(Capabilities, AtomicUsize);
    #[async_trait::async_trait]
    impl VerificationSession for FailsThenHangs {
        fn provider(&self) -> &str {
            "flaky"
        }
        fn capabilities(&self) -> &Capabilities {
            &self.0
        }
        async fn create_session(&self, _: &SessionRequest) -> Result<kyc_core::Session, Error> {
            if self.1.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(Error::unavailable("flaky", 500));
            }
            std::future::pending().await
        }
    }
    let caps = Capabilities::new().with_identity(KindCapabilities::everything());
    let flaky = Arc::new(FailsThenHangs(caps, AtomicUsize::new(0)));
    let failover = Failover::new(vec![Arc::clone(&flaky) as _])
        .with_policy(quick())
        .with_breaker(BreakerConfig::new(1, Duration::ZERO));
    failover.create_session(&request()).await.unwrap_err();
    let request = request();
    for _ in 0..3 {
        // Each call is the half-open probe; the caller's timeout cancels it mid-flight.
        let call = failover.create_session(&request);
        let cancelled = tokio::time::timeout(Duration::from_millis(20), call).await;
        assert!(cancelled.is_err(), "the probe reached the provider and hung");
    }
    assert_eq!(flaky.1.load(Ordering::SeqCst), 4, "every probe was let through");
}

#[tokio::test]
async fn failures_that_open_the_breaker_are_reported_not_the_breaker() {
    let a = stub("a");
    for _ in 0..3 {
        a.push_error(Error::rate_limited("a", Some(Duration::from_millis(1))));
    }
    let failover = chain(&[&a]).with_breaker(BreakerConfig::new(1, Duration::from_secs(60)));
    let error = failover.create_session(&request()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert_eq!(error.retry_after(), Some(Duration::from_millis(1)));
    assert_eq!(a.requests().len(), 1);
}
