//! The custom-provider example's adapter (`examples/custom_provider/acme`), held to the contract
//! the shipped adapters are held to: the conformance suite against the loopback stand-in for
//! Acme's API, the error mapping (refusals, rate limits, hostile answers), webhooks, polling, and
//! no secret in `Debug`. A third party's adapter tests itself the same way.
#![cfg(feature = "test-util")]

// The adapter and the stand-in, compiled here as the example compiles them: the test uses only
// part of the adapter's public API and of the stand-in.
#[allow(dead_code, unused_imports)]
#[path = "../examples/custom_provider/acme/mod.rs"]
mod acme;
#[allow(dead_code)]
#[path = "../examples/custom_provider/server.rs"]
mod server;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kyc::conformance::{self, RequestCounter};
use kyc::{
    ClientId, Error, ErrorKind, Failover, Feature, Outcome, Person, SessionRef, SessionRequest,
    Status, StubProvider, VerificationResults, VerificationSession, WebhookVerifier,
};

use acme::{Acme, AcmeBuilder, AcmeOptions, AcmeWebhooks, Workflow};
use server::{AcmeServer, Fault, Verdict};

#[async_trait]
impl RequestCounter for AcmeServer {
    async fn requests_received(&self) -> usize {
        self.create_requests()
    }
}

async fn started() -> (AcmeServer, Acme) {
    let server = AcmeServer::start().await.expect("loopback server");
    let acme = adapter(&server, server::API_KEY);
    (server, acme)
}

fn adapter(server: &AcmeServer, api_key: &str) -> Acme {
    Acme::builder(api_key.to_owned())
        .with_base_url(server.base_url())
        .with_webhook_key(server::WEBHOOK_KEY)
        .with_timeout(Duration::from_secs(5))
        .build()
        .expect("valid configuration")
}

fn request(client: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client).expect("valid client id"))
}

/// Creating a session must fail, with exactly one create request sent.
async fn refused_once(server: &AcmeServer, acme: &Acme, request: &SessionRequest) -> Error {
    let before = server.create_requests();
    let error = acme.create_session(request).await.expect_err("refused");
    assert_eq!(server.create_requests() - before, 1, "one request, never retried: {error}");
    assert_eq!(error.provider(), Some("acme"), "{error}");
    error
}

#[tokio::test]
async fn the_adapter_passes_the_conformance_suite() {
    let (server, acme) = started().await;
    conformance::run(&acme, &server).await;
    // Every declared locale and both ends of the link validity range reached the server.
    let declared = acme::LANGUAGES.len() + 2;
    assert!(server.create_requests() >= 2 + declared, "{}", server.create_requests());
}

#[tokio::test]
async fn the_published_table_is_the_clients() {
    let (_server, acme) = started().await;
    assert_eq!(acme.capabilities(), &acme::capabilities());
    assert!(acme::capabilities().business.is_none(), "Acme has no KYB");
}

#[tokio::test]
async fn an_exhausted_quota_moves_failover_on() {
    let (server, acme) = started().await;
    server.set_quota(Some(0));
    let error = refused_once(&server, &acme, &request("user-1")).await;
    assert_eq!(error.kind(), ErrorKind::OutOfFunds);
    assert_eq!(error.http_status(), Some(402));
    assert_eq!(error.vendor_code(), Some("quota_exceeded"));
    assert_eq!(error.outcome(), Outcome::Rejected, "no check was created");

    let stub = Arc::new(StubProvider::new("stub"));
    let failover = Failover::new(vec![Arc::new(acme) as _, Arc::clone(&stub) as _]);
    let session = failover.create_session(&request("user-1")).await.expect("the stub serves");
    assert_eq!(session.provider, "stub");
    assert_eq!(session.attempts[0].provider, "acme");
    assert_eq!(session.attempts[0].error, Some(ErrorKind::OutOfFunds));
    assert!(!session.attempts[0].may_have_created_session);
    assert_eq!(server.create_requests(), 2, "failover did not send Acme the request twice");
}

#[tokio::test]
async fn a_rate_limit_is_classified_with_its_wait_and_not_retried() {
    let (server, acme) = started().await;
    server.push_fault(Fault::RateLimited { retry_after_secs: 7 });
    let error = refused_once(&server, &acme, &request("user-1")).await;
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(error.vendor_code(), Some("rate_limited"));
    assert!(error.is_safe_to_resend(), "a 429 created nothing: {error}");
}

#[tokio::test]
async fn hostile_answers_are_classified_never_a_panic() {
    let (server, acme) = started().await;
    // The CDN's HTML page: the status decides; the page is reduced to a redacted excerpt.
    server.push_fault(Fault::GatewayPage { status: 502 });
    let error = refused_once(&server, &acme, &request("user-1")).await;
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::Unknown));
    let message = error.vendor_message().unwrap_or_default();
    assert!(message.contains("502") && !message.contains('<'), "{message}");
    assert!(message.chars().count() <= 160, "{message}");

    server.push_fault(Fault::GatewayPage { status: 400 });
    let error = refused_once(&server, &acme, &request("user-1")).await;
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Rejected, Some(400)));
    assert_eq!(error.vendor_code(), None, "an HTML page has no vendor code");

    // A success status with an unreadable body: a check may exist, so the outcome is unknown
    // and failover stops rather than pay twice.
    server.push_fault(Fault::GarbledSuccess);
    let error = refused_once(&server, &acme, &request("user-1")).await;
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Decode, Outcome::Unknown));

    server.push_fault(Fault::InsecureLink);
    let error = refused_once(&server, &acme, &request("user-1")).await;
    assert_eq!(error.kind(), ErrorKind::Decode, "a plain-http link is never handed out");
}

#[tokio::test]
async fn vendor_codes_refine_the_status() {
    let (server, acme) = started().await;
    let expired = adapter(&server, server::EXPIRED_API_KEY);
    let error = refused_once(&server, &expired, &request("user-1")).await;
    assert_eq!(error.kind(), ErrorKind::Unauthenticated, "a 400 that is about the key");
    assert_eq!((error.http_status(), error.vendor_code()), (Some(400), Some("api_key_expired")));

    let wrong = adapter(&server, "ak_test_not_this_one");
    let error = refused_once(&server, &wrong, &request("user-1")).await;
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Unauthenticated, Some(401)));

    // A workflow the account lacks: Acme's answer, but about the account, not the caller.
    let enhanced = request("user-1")
        .with_person(Person::default().with_first_name("Ada").with_last_name("Lovelace"))
        .with_options(AcmeOptions::default().with_workflow(Workflow::Enhanced));
    let error = refused_once(&server, &acme, &enhanced).await;
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unsupported, Outcome::Rejected));
    let Some(Feature::Rules(rules)) = error.unsupported_feature() else {
        panic!("not the workflow rule: {error}")
    };
    assert_eq!(rules[0].field(), "providerOptions.acme.workflow");
    let stub = Arc::new(StubProvider::new("stub"));
    let failover = Failover::new(vec![Arc::new(acme.clone()) as _, Arc::clone(&stub) as _]);
    assert_eq!(failover.create_session(&enhanced).await.expect("moved on").provider, "stub");

    server.enable_enhanced_workflow();
    assert_eq!(acme.create_session(&enhanced).await.expect("enabled").provider, "acme");
}

#[tokio::test]
async fn refused_requests_are_never_sent() {
    let (server, acme) = started().await;
    let stub = Arc::new(StubProvider::new("stub"));
    let failover = Failover::new(vec![Arc::new(acme.clone()) as _, Arc::clone(&stub) as _]);

    // A value only Acme refuses: unsupported, so failover serves the person elsewhere.
    let digits = request("user-1").with_person(Person::default().with_first_name("R2D2"));
    let error = acme.create_session(&digits).await.expect_err("Acme takes no digits in names");
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unsupported, Outcome::NotSent));
    let Some(Feature::Rules(rules)) = error.unsupported_feature() else {
        panic!("not a rule: {error}")
    };
    assert_eq!(rules[0].field(), "person.firstName");
    assert_eq!(failover.create_session(&digits).await.expect("moved on").provider, "stub");

    // Options breaking their own rules: the caller's mistake, so failover stops.
    let options = request("user-1").with_options(AcmeOptions::default().with_max_attempts(9));
    let error = failover.create_session(&options).await.expect_err("invalid options");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(error.invalid_fields()[0].field(), "providerOptions.acme.maxAttempts");
    // Options contradicting the request: the same.
    let nameless =
        request("user-1").with_options(AcmeOptions::default().with_workflow(Workflow::Enhanced));
    let error = failover.create_session(&nameless).await.expect_err("enhanced needs names");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(error.invalid_fields()[0].field(), "providerOptions.acme.workflow");
    // Options of the wrong type, as a request file could carry them: the same.
    let raw = request("user-1")
        .with_provider_options("acme", serde_json::json!({"maxAttempts": "three"}));
    assert_eq!(acme.create_session(&raw).await.unwrap_err().kind(), ErrorKind::InvalidRequest);

    assert_eq!(server.create_requests(), 0, "nothing refused before sending reached Acme");
    assert_eq!(stub.requests().len(), 1, "only the request Acme cannot take went on");
}

#[tokio::test]
async fn webhooks_are_verified_before_they_are_read() {
    let (server, acme) = started().await;
    let session = acme.create_session(&request("user-7")).await.expect("created");
    let delivery = server.decide(&session.id, Verdict::Failed).expect("known check");
    let webhooks = AcmeWebhooks::new(server::WEBHOOK_KEY);

    let event = webhooks.verify_webhook(&delivery.headers(), &delivery.body).expect("signed");
    let decision = event.clone().into_decision().expect("a decision");
    assert_eq!((decision.status, decision.is_final), (Status::Declined, true));
    assert_eq!(decision.session_id, session.id);
    assert_eq!(decision.client_id.as_deref(), Some("user-7"));
    assert_eq!(decision.event.as_deref(), Some("check.completed"));
    let reason = decision.reason.as_ref().and_then(|r| r.code.as_deref());
    assert_eq!(reason, Some("document_unreadable"));
    assert!(decision.decided_at.is_some());
    // The client's own verifier is the same.
    assert_eq!(acme.verify_webhook(&delivery.headers(), &delivery.body).unwrap(), event);

    // Signed with another key, tampered with, unsigned: refused, whatever the body says.
    let mut forged = delivery.clone();
    forged.signature = kyc_adapter::webhook::hex_hmac(b"an attacker's key", &delivery.body);
    let mut tampered = delivery.clone();
    tampered.body =
        String::from_utf8(delivery.body.clone()).unwrap().replace("failed", "passed").into();
    let mut unsigned = delivery.headers();
    unsigned.remove("acme-signature");
    for (headers, body) in [
        (forged.headers(), &forged.body),
        (tampered.headers(), &tampered.body),
        (unsigned, &delivery.body),
    ] {
        let error = webhooks.verify_webhook(&headers, body).expect_err("not Acme's signature");
        assert_eq!(error.kind(), ErrorKind::InvalidSignature);
    }

    // Rotation: the old key and the new one both verify while both are configured.
    let rotating = AcmeWebhooks::new("whsec_old_key").with_key(server::WEBHOOK_KEY);
    assert!(rotating.verify_webhook(&delivery.headers(), &delivery.body).is_ok());
    let from_vars = AcmeWebhooks::from_vars([(
        "ACME_WEBHOOK_KEYS",
        "whsec_old_key, whsec_acme_example_3d1f0b",
    )])
    .expect("keys set");
    assert!(from_vars.verify_webhook(&delivery.headers(), &delivery.body).is_ok());

    // Signed but not Acme's payload: a decode error, not a panic.
    let garbage = b"[1, 2, 3]".to_vec();
    let signature = kyc_adapter::webhook::hex_hmac(server::WEBHOOK_KEY.as_bytes(), &garbage);
    let signed_garbage = server::Delivery { signature, body: garbage };
    let error =
        webhooks.verify_webhook(&signed_garbage.headers(), &signed_garbage.body).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);

    let second = acme.create_session(&request("user-8")).await.expect("created");
    let expired = server.decide(&second.id, Verdict::Expired).expect("known check");
    let event = webhooks.verify_webhook(&expired.headers(), &expired.body).expect("signed");
    let expired = event.decision().map(|d| (d.status, d.is_final));
    assert_eq!(expired, Some((Status::Expired, true)));
}

#[tokio::test]
async fn polls_follow_the_check() {
    let (server, acme) = started().await;
    let session = acme.create_session(&request("user-9")).await.expect("created");
    let status = |decision: Option<kyc::Decision>| decision.map(|d| (d.status, d.is_final));
    assert_eq!(
        status(acme.poll_decision(&session.reference()).await.unwrap()),
        Some((Status::Created, false))
    );
    let client = reqwest::Client::new();
    client.get(session.url.clone()).send().await.unwrap().error_for_status().unwrap();
    assert_eq!(
        status(acme.poll_decision(&session.reference()).await.unwrap()),
        Some((Status::Started, false))
    );
    server.decide(&session.id, Verdict::Passed).expect("known check");
    assert_eq!(
        status(acme.poll_decision(&session.reference()).await.unwrap()),
        Some((Status::Approved, true))
    );

    let error = acme.poll_decision(&"chk_unknown".into()).await.expect_err("no such check");
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Rejected, Some(404)));
    assert_eq!(error.vendor_code(), Some("check_not_found"));
    // An id is one path segment: it cannot reach another endpoint.
    let error = acme.poll_decision(&"../checks?x=1".into()).await.expect_err("no such check");
    assert_eq!(error.http_status(), Some(404));
    let company = acme.poll_decision(&SessionRef::business("chk_1")).await.unwrap_err();
    assert_eq!(company.kind(), ErrorKind::Unsupported, "Acme verifies people only");
}

#[tokio::test]
async fn sessions_are_normalized() {
    let (_server, acme) = started().await;
    let validity = Duration::from_secs(3600);
    let session = acme
        .create_session(&request("user-3").with_link_validity(validity))
        .await
        .expect("created");
    assert!(session.id.starts_with("chk_"));
    assert_eq!(session.client_id.as_str(), "user-3");
    let expires_in = session.expires_at.expect("Acme says") - session.created_at;
    assert!((3590..=3600).contains(&expires_in.num_seconds()), "{expires_in}");
    assert!(!format!("{session:?}").contains(session.url.path()), "the link is a secret");
}

#[test]
fn configuration_is_checked_before_anything_is_sent() {
    let error = AcmeBuilder::from_vars([("ACME_BASE_URL", "https://sandbox.acme-id.example")])
        .expect_err("no API key");
    assert_eq!(error.to_string(), "invalid acme configuration: ACME_API_KEY is not set");
    let builder = AcmeBuilder::from_vars([
        ("ACME_API_KEY", server::API_KEY),
        ("ACME_BASE_URL", "https://sandbox.acme-id.example"),
    ])
    .expect("set");
    assert_eq!(builder.build().unwrap().base_url().as_str(), "https://sandbox.acme-id.example/");
    for key in ["sk_live_123", "ak_test_", "", "ak_live_new\nline"] {
        let error = Acme::builder(key.to_owned()).build().expect_err(key);
        assert_eq!(error.kind(), ErrorKind::Config, "{key:?}");
    }
    let plain = Acme::builder(server::API_KEY.to_owned()).with_base_url("http://acme-id.example");
    assert_eq!(plain.build().unwrap_err().kind(), ErrorKind::Config, "http off loopback");
    let renamed = Acme::builder(server::API_KEY.to_owned()).with_name("acme-eu").build().unwrap();
    assert_eq!(renamed.provider(), "acme-eu");
}

#[tokio::test]
async fn debug_never_shows_a_key() {
    let (server, acme) = started().await;
    let builder = Acme::builder(server::API_KEY.to_owned()).with_webhook_key(server::WEBHOOK_KEY);
    let wrong = adapter(&server, "ak_test_secret_never_printed");
    let error = wrong.create_session(&request("user-1")).await.unwrap_err();
    let printed = format!(
        "{builder:?} {acme:?} {acme:#?} {:?} {error:?} {error}",
        AcmeWebhooks::new(server::WEBHOOK_KEY)
    );
    for secret in [server::API_KEY, server::WEBHOOK_KEY, "ak_test_secret_never_printed"] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("acme"), "{printed}");
}
