//! Failover across the real iDenfy and Veriff adapters, against real servers on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kyc::{
    BreakerConfig, ClientId, ErrorKind, Failover, FailoverPolicy, Idenfy, SessionRequest, Veriff,
    VerificationSession,
};
use support::Captured;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VERIFF_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const VERIFF_CREATED: &str = r#"{"status": "success", "verification": {"id": "f04bdb47-d3be-4b28-b028-a652feb060b5", "url": "https://alchemy.veriff.com/v/token", "vendorData": "user-1", "host": "https://alchemy.veriff.com", "status": "created", "sessionToken": "token"}}"#;

fn request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-1").unwrap())
}

/// A Veriff that creates sessions.
async fn healthy_veriff() -> (MockServer, Arc<dyn VerificationSession>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/sessions"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(VERIFF_CREATED, "application/json"))
        .mount(&server)
        .await;
    let veriff = Veriff::builder(VERIFF_KEY).with_base_url(server.uri()).build().unwrap();
    (server, Arc::new(veriff))
}

/// An iDenfy whose server answers every request with `response`.
async fn idenfy_answering(
    response: ResponseTemplate,
) -> (MockServer, Arc<dyn VerificationSession>) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(response).mount(&server).await;
    let idenfy = Idenfy::builder("key", "secret")
        .with_base_url(server.uri())
        .with_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    (server, Arc::new(idenfy))
}

/// An iDenfy at a loopback port nothing listens on.
async fn idenfy_refusing_connections() -> Arc<dyn VerificationSession> {
    let port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let idenfy =
        Idenfy::builder("key", "secret").with_base_url(format!("http://127.0.0.1:{port}")).build();
    Arc::new(idenfy.unwrap())
}

fn policy() -> FailoverPolicy {
    FailoverPolicy::default()
        .with_max_retries(0)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

async fn hits(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn refused_connections_fail_over_with_one_attempt_not_sent() {
    let (veriff_server, veriff) = healthy_veriff().await;
    let failover =
        Failover::new(vec![idenfy_refusing_connections().await, veriff]).with_policy(policy());
    let session = failover.create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "veriff");
    assert_eq!(session.attempts.len(), 2, "iDenfy's, then Veriff's");
    let attempt = &session.attempts[0];
    assert_eq!((attempt.provider.as_str(), attempt.error), ("idenfy", Some(ErrorKind::Transport)));
    assert!(!attempt.may_have_created_session, "a refused connection sent nothing");
    assert_eq!(hits(&veriff_server).await, 1);
}

#[tokio::test]
async fn refused_connections_are_retried_before_failing_over() {
    let (_veriff_server, veriff) = healthy_veriff().await;
    let failover = Failover::new(vec![idenfy_refusing_connections().await, veriff])
        .with_policy(policy().with_max_retries(2));
    let session = failover.create_session(&request()).await.unwrap();
    assert_eq!(session.provider, "veriff");
    assert_eq!(session.attempts.len(), 4, "one try and two retries of iDenfy, then Veriff");
    assert!(
        session.attempts[..3].iter().all(|a| a.provider == "idenfy" && !a.may_have_created_session)
    );
}

#[tokio::test]
async fn a_503_fails_over() {
    let (idenfy_server, idenfy) = idenfy_answering(
        ResponseTemplate::new(503)
            .set_body_raw(r#"{"message": "maintenance"}"#, "application/json"),
    )
    .await;
    let (veriff_server, veriff) = healthy_veriff().await;
    let session = Failover::new(vec![idenfy, veriff])
        .with_policy(policy())
        .create_session(&request())
        .await
        .unwrap();
    assert_eq!(session.provider, "veriff");
    assert_eq!(session.attempts[0].error, Some(ErrorKind::Unavailable));
    assert!(!session.attempts[0].may_have_created_session, "a 503 processed nothing");
    assert_eq!((hits(&idenfy_server).await, hits(&veriff_server).await), (1, 1));
}

#[tokio::test]
async fn a_hang_past_the_timeout_fails_over_and_says_a_session_may_exist() {
    let (idenfy_server, idenfy) =
        idenfy_answering(ResponseTemplate::new(201).set_delay(Duration::from_secs(3))).await;
    let (_veriff_server, veriff) = healthy_veriff().await;
    let session = Failover::new(vec![idenfy, veriff])
        .with_policy(policy())
        .create_session(&request())
        .await
        .unwrap();
    assert_eq!(session.provider, "veriff");
    let attempt = &session.attempts[0];
    assert_eq!(attempt.error, Some(ErrorKind::Timeout));
    assert!(attempt.may_have_created_session, "iDenfy may have created a token it never returned");
    assert_eq!(hits(&idenfy_server).await, 1);
}

#[tokio::test]
async fn a_400_does_not_fail_over() {
    let (idenfy_server, idenfy) = idenfy_answering(ResponseTemplate::new(400).set_body_raw(
        r#"{"identifier": "BAD_VALUE", "message": "Field 'country' is invalid."}"#,
        "application/json",
    ))
    .await;
    let (veriff_server, veriff) = healthy_veriff().await;
    let error = Failover::new(vec![idenfy, veriff])
        .with_policy(policy())
        .create_session(&request())
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Rejected, Some("BAD_VALUE")));
    assert_eq!(error.attempts().len(), 1);
    assert_eq!((hits(&idenfy_server).await, hits(&veriff_server).await), (1, 0));
}

#[tokio::test]
async fn an_open_breaker_keeps_traffic_off_the_dead_primary_until_the_cool_down() {
    let (idenfy_server, idenfy) = idenfy_answering(ResponseTemplate::new(503)).await;
    let (veriff_server, veriff) = healthy_veriff().await;
    let failover = Failover::new(vec![idenfy, veriff])
        .with_policy(policy())
        .with_breaker(BreakerConfig::new(1, Duration::from_millis(500)));
    failover.create_session(&request()).await.unwrap();
    assert_eq!(hits(&idenfy_server).await, 1);
    for _ in 0..5 {
        let session = failover.create_session(&request()).await.unwrap();
        assert_eq!(session.attempts.len(), 1, "the open breaker skips iDenfy");
    }
    assert_eq!(hits(&idenfy_server).await, 1, "no traffic while open");
    assert_eq!(hits(&veriff_server).await, 6);
    tokio::time::sleep(Duration::from_millis(600)).await;
    failover.create_session(&request()).await.unwrap();
    assert_eq!(hits(&idenfy_server).await, 2, "one probe after the cool-down");
}

#[tokio::test]
async fn every_attempt_is_traced_without_secrets_or_personal_data() {
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::DEBUG);

    let (_veriff_server, veriff) = healthy_veriff().await;
    let idenfy = idenfy_refusing_connections().await;
    let failover = Failover::new(vec![idenfy, veriff]).with_policy(policy());
    let request = request().with_person(
        kyc::Person::default()
            .with_first_name("Jonas")
            .with_date_of_birth("1987-06-05".parse().unwrap()),
    );
    failover.create_session(&request).await.unwrap();

    let log = captured.text();
    let attempts: Vec<&str> = log.lines().filter(|line| line.contains("attempt")).collect();
    assert_eq!(attempts.len(), 2, "{log}");
    assert!(
        attempts[0].contains("provider=\"idenfy\"") && attempts[0].contains("error=transport"),
        "{log}"
    );
    assert!(attempts[0].contains("elapsed_ms="), "{log}");
    assert!(
        attempts[1].contains("provider=\"veriff\"") && attempts[1].contains("outcome=\"created\""),
        "{log}"
    );
    assert!(log.contains("kyc.failover"), "the span: {log}");
    for secret in ["Jonas", "1987-06-05", "secret", "token", VERIFF_KEY, "user-1"] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
}

#[tokio::test]
async fn a_value_only_the_primary_refuses_moves_on_without_sending() {
    let (idenfy_server, idenfy) = idenfy_answering(ResponseTemplate::new(201)).await;
    let (veriff_server, veriff) = healthy_veriff().await;
    // iDenfy takes no digits in names; Veriff has no such rule.
    let request = request().with_person(kyc::Person::default().with_first_name("Jonas 2"));
    let session = Failover::new(vec![idenfy, veriff])
        .with_policy(policy())
        .create_session(&request)
        .await
        .unwrap();
    assert_eq!(session.provider, "veriff");
    assert_eq!(session.attempts[0].error, Some(ErrorKind::Unsupported));
    assert!(!session.attempts[0].may_have_created_session);
    assert_eq!((hits(&idenfy_server).await, hits(&veriff_server).await), (0, 1));
}

/// An option of the wrong type in a request file is the caller's bug: `validate()` cannot type
/// another vendor's options, so each adapter's `preflight` (and `create_session`) refuses it,
/// naming the field, and the chain stops there instead of creating the session elsewhere.
#[tokio::test]
async fn a_wrongly_typed_option_stops_the_chain_before_anything_is_sent() {
    let emulator = support::emulator().await;
    let idenfy: Arc<dyn VerificationSession> =
        Arc::new(support::idenfy(&emulator).build().unwrap());
    let veriff: Arc<dyn VerificationSession> =
        Arc::new(support::veriff(&emulator).build().unwrap());
    // iDenfy first, and last: Veriff, which ignores iDenfy's options, must not serve it either.
    let first = Failover::new(vec![Arc::clone(&idenfy), Arc::clone(&veriff)]);
    let last = Failover::new(vec![veriff, Arc::clone(&idenfy)]);
    let file = r#"{"clientId": "user-1", "providerOptions": {"idenfy": {"checkAml": "yes"}}}"#;
    let request = SessionRequest::from_json(file).unwrap();
    assert!(request.validate().is_ok(), "untyped JSON options pass the neutral rules");
    let chains: [Arc<dyn VerificationSession>; 2] = [Arc::new(first), Arc::new(last)];
    for provider in [&idenfy, &chains[0], &chains[1]] {
        let refused = provider.preflight(&request).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidRequest, "{refused}");
        assert_eq!(refused.invalid_fields()[0].field(), "providerOptions.idenfy.checkAml");
        let error = provider.create_session(&request).await.unwrap_err();
        assert_eq!(
            (error.kind(), error.invalid_fields()),
            (refused.kind(), refused.invalid_fields())
        );
    }
    for vendor in [kyc_emulator::Vendor::Idenfy, kyc_emulator::Vendor::Veriff] {
        assert_eq!(emulator.requests_received(vendor), 0, "{vendor:?} was sent a request");
    }
}

/// An option this crate does not know is still sent (a field the vendor added tomorrow), and
/// logged at `warn` by name, never by value.
#[tokio::test]
async fn an_unknown_option_is_sent_and_named_in_the_logs() {
    let emulator = support::emulator().await;
    let idenfy = support::idenfy(&emulator).build().unwrap();
    let file = r#"{"clientId": "user-1", "providerOptions": {"idenfy": {"brandNewSwitch": "Jonas Jonaitis"}}}"#;
    let request = SessionRequest::from_json(file).unwrap();
    let logs = Captured::default();
    let session = {
        let _guard = logs.install(tracing::Level::WARN);
        idenfy.create_session(&request).await.unwrap()
    };
    assert_eq!(session.provider, "idenfy");
    let text = logs.text();
    assert!(text.contains("brandNewSwitch") && text.contains("WARN"), "{text}");
    assert!(!text.contains("Jonas"), "the value is never logged: {text}");
}
