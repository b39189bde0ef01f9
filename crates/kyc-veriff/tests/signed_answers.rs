//! Veriff's answers checked by their `X-HMAC-SIGNATURE` (hex HMAC-SHA256 of the raw body,
//! <https://devdocs.veriff.com/docs/general-faq>,
//! <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>) before they are
//! read, on a real local server: good, missing, wrong and rotated signatures, for creating a
//! session and for polling a decision.

use std::sync::Arc;

use kyc_core::{
    ClientId, ErrorKind, Failover, Outcome, SessionRequest, StubProvider, VerificationResults,
    VerificationSession,
};
use kyc_veriff::{Veriff, signature};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const SECRET: &str = "current-shared-secret";
const OLD_SECRET: &str = "previous-shared-secret";
const CREATED: &str = include_str!("../fixtures/response-current.json");
const DECISION: &str = include_str!("../fixtures/decision-webhook.json");
const SESSION: &str = "12df6045-3846-3e45-946a-14fa6136d78b";

/// A server answering every request with `status`, `body` and `headers`.
async fn answering(status: u16, body: &str, headers: &[(&str, String)]) -> MockServer {
    let server = MockServer::start().await;
    let mut answer =
        ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json");
    for (name, value) in headers {
        answer = answer.insert_header(*name, value.as_str());
    }
    Mock::given(method("POST")).respond_with(answer.clone()).mount(&server).await;
    Mock::given(method("GET")).respond_with(answer).mount(&server).await;
    server
}

fn veriff(server: &MockServer) -> Veriff {
    Veriff::builder(API_KEY)
        .with_shared_secret(SECRET)
        .with_shared_secret(OLD_SECRET)
        .with_base_url(server.uri())
        .build()
        .unwrap()
}

fn request() -> SessionRequest {
    SessionRequest::new(ClientId::new("user-1").unwrap())
}

fn signed(secret: &str, body: &str) -> String {
    signature(secret.as_bytes(), body.as_bytes())
}

#[tokio::test]
async fn good_rotated_and_missing_signatures_are_accepted() {
    let cases = [
        vec![("x-hmac-signature", signed(SECRET, CREATED))],
        vec![("x-hmac-signature", signed(SECRET, CREATED).to_uppercase())],
        // Signed with the previous secret, still configured while keys rotate.
        vec![("x-hmac-signature", signed(OLD_SECRET, CREATED))],
        vec![("vrf-hmac-signature", signed(SECRET, CREATED))],
        // Veriff documents the header for answers to signed requests, not for every answer.
        vec![],
    ];
    for headers in cases {
        let server = answering(201, CREATED, &headers).await;
        let session = veriff(&server).create_session(&request()).await;
        assert_eq!(session.expect("accepted").id, "f04bdb47-d3be-4b28-b028-a652feb060b5");
    }
    let server = answering(200, DECISION, &[("x-hmac-signature", signed(SECRET, DECISION))]).await;
    let decision = veriff(&server).poll_decision(&SESSION.into()).await.unwrap();
    assert_eq!(decision.expect("decided").session_id, SESSION);
}

#[tokio::test]
async fn a_wrong_signature_on_a_created_session_leaves_the_outcome_unknown() {
    let wrong = [
        signed("someone-else", CREATED),
        signed(SECRET, &CREATED.replace("alchemy", "evil")),
        "not hex".to_owned(),
        String::new(),
    ];
    for value in wrong {
        for header in ["x-hmac-signature", "vrf-hmac-signature"] {
            let server = answering(201, CREATED, &[(header, value.clone())]).await;
            let error = veriff(&server).create_session(&request()).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidSignature, "{header}: {value:?}");
            assert_eq!(error.outcome(), Outcome::Unknown, "a session may exist");
            assert_eq!(error.http_status(), Some(201));
            assert_eq!(error.provider(), Some("veriff"));
        }
    }
}

#[tokio::test]
async fn a_wrong_signature_on_a_polled_decision_is_refused() {
    let server =
        answering(200, DECISION, &[("x-hmac-signature", signed("someone-else", DECISION))]).await;
    let error = veriff(&server).poll_decision(&SESSION.into()).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::InvalidSignature, Outcome::Unknown));
    assert_eq!(error.http_status(), Some(200));
}

#[tokio::test]
async fn a_refusal_reads_as_what_it_says_whoever_signed_it() {
    // Veriff's answer to a request signed with a secret it does not have: the configuration
    // problem it is, not a forgery.
    let body = r#"{"status": "fail", "code": "1818"}"#;
    let server = answering(401, body, &[("x-hmac-signature", signed("someone-else", body))]).await;
    let error = veriff(&server).create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Unauthenticated, Some("1818")));
    let body = r#"{"status": "fail", "code": "1102"}"#;
    let server = answering(400, body, &[("x-hmac-signature", signed(SECRET, body))]).await;
    let error = veriff(&server).create_session(&request()).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Rejected, Some("1102")));
}

#[tokio::test]
async fn without_a_secret_nothing_is_checked() {
    let server = answering(201, CREATED, &[("x-hmac-signature", "00".into())]).await;
    let veriff = Veriff::builder(API_KEY).with_base_url(server.uri()).build().unwrap();
    assert!(veriff.create_session(&request()).await.is_ok());
}

#[tokio::test]
async fn failover_stops_at_a_forged_answer() {
    let server = answering(201, CREATED, &[("x-hmac-signature", signed("forger", CREATED))]).await;
    let backup = Arc::new(StubProvider::new("backup"));
    let failover =
        Failover::new(vec![Arc::new(veriff(&server)), Arc::<StubProvider>::clone(&backup)]);
    let error = failover.create_session(&request()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidSignature);
    assert!(backup.requests().is_empty(), "a session may exist at Veriff: no second one");
}
