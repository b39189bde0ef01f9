//! Erasing sessions at iDenfy against a real HTTP server on 127.0.0.1 (wiremock): the exact
//! requests (<https://documentation.idenfy.com/kyc/deletion>; KYB companies,
//! <https://documentation.idenfy.com/openapi/kyb.yaml>), success as documented, and every
//! refusal classified.

use kyc_core::{Denial, ErrorKind, Outcome, SessionErasure, SessionRef};
use kyc_idenfy::Idenfy;
use serde_json::json;
use wiremock::matchers::{basic_auth, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-api-key";
const SECRET: &str = "test-api-secret";
const SCAN_REF: &str = "350e2420-8850-11e9-baa5-309c231b1bac";

fn client(server: &MockServer) -> Idenfy {
    Idenfy::builder(KEY, SECRET).with_base_url(server.uri()).build().unwrap()
}

/// A server answering every request with `status` and `body`.
async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_identity_session_is_erased_by_its_scan_ref() {
    let server = MockServer::start().await;
    // "no message body — just a response with a 200 status code"
    Mock::given(method("POST"))
        .and(path("/api/v2/delete"))
        .and(basic_auth(KEY, SECRET))
        .and(body_json(json!({"scanRef": SCAN_REF})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).erase_session(&SessionRef::identity(SCAN_REF)).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].headers["content-type"], "application/json");
}

#[tokio::test]
async fn a_success_body_is_never_read() {
    // Not JSON, or JSON of any shape: a 2xx is an erasure.
    for body in ["", "OK", "{}", "<html></html>"] {
        let server = answering(200, body).await;
        client(&server).erase_session(&SCAN_REF.into()).await.expect(body);
    }
}

#[tokio::test]
async fn a_business_session_is_erased_by_deleting_its_company() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/kyb/companies/7bPN6YMQ9F7/"))
        .and(basic_auth(KEY, SECRET))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).erase_session(&SessionRef::business("7bPN6YMQ9F7")).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert!(received[0].body.is_empty(), "a DELETE sends no body");
    assert!(!received[0].headers.contains_key("content-type"));
}

#[tokio::test]
async fn a_live_token_refuses_erasure_as_a_conflict() {
    // The documented refusal, with both `documentation` values the pages show; its status is
    // not documented, so any status is read alike.
    for (status, documentation) in
        [(400, ""), (400, "https://documentation.idenfy.com"), (409, ""), (403, "")]
    {
        let body = json!({
            "message": "Token has not expired yet.", "identifier": "PARTNER_ERROR",
            "documentation": documentation, "severity": "NOT_SEVERE"
        })
        .to_string();
        let server = answering(status, &body).await;
        let error = client(&server).erase_session(&SCAN_REF.into()).await.unwrap_err();
        let context = format!("{status}: {error} / {error:?}");
        assert_eq!(
            (error.kind(), error.outcome()),
            (ErrorKind::Conflict, Outcome::Rejected),
            "{context}"
        );
        assert_eq!(error.http_status(), Some(status));
        assert_eq!(error.vendor_code(), Some("PARTNER_ERROR"));
        assert_eq!(error.vendor_message(), Some("Token has not expired yet."));
        assert!(!error.is_retryable(), "not now: only once the link has expired");
        assert!(
            error
                .to_string()
                .contains("iDenfy erases a session's data only once its link has expired"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn another_partner_error_is_not_read_as_a_wait() {
    // Only the documented refusal of an identity erasure passes with time; the company
    // endpoint documents none, and another message is not known to pass.
    let other = r#"{"identifier": "PARTNER_ERROR", "message": "Verification is locked."}"#;
    let server = answering(400, other).await;
    let error = client(&server).erase_session(&SCAN_REF.into()).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Rejected, Some("PARTNER_ERROR")));
    let not_expired = r#"{"identifier": "PARTNER_ERROR", "message": "Token has not expired yet."}"#;
    let server = answering(400, not_expired).await;
    let company = kyc_core::SessionRef::business("7bPN6YMQ9F7");
    let error = client(&server).erase_session(&company).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Rejected);
}

#[tokio::test]
async fn other_refusals_are_classified_and_never_retried() {
    let rows = [
        (
            401,
            r#"{"message": "Invalid authorization credentials"}"#,
            ErrorKind::Unauthenticated,
            None,
        ),
        (
            402,
            r#"{"detail": "Action not allowed due to lack of funds or exceeded limit."}"#,
            ErrorKind::OutOfFunds,
            None,
        ),
        (
            403,
            r#"{"message": "Partner inactive"}"#,
            ErrorKind::Forbidden,
            Some(Denial::AccountInactive),
        ),
        (
            403,
            r#"{"detail": "You do not have permission to perform this action."}"#,
            ErrorKind::Forbidden,
            Some(Denial::FeatureNotEnabled),
        ),
        (
            403,
            r#"{"message": {"detail": "This endpoint is not available for TESTING partners."}}"#,
            ErrorKind::Forbidden,
            Some(Denial::WrongEnvironment),
        ),
        (
            400,
            r#"{"identifier": "BAD_VALUE", "message": "Unknown scanRef."}"#,
            ErrorKind::Rejected,
            None,
        ),
        (404, r#"{"detail": "Not found."}"#, ErrorKind::Rejected, None),
        (500, "", ErrorKind::Unavailable, None),
    ];
    for (status, body, kind, denial) in rows {
        for session in [SessionRef::identity(SCAN_REF), SessionRef::business("7bPN6YMQ9F7")] {
            // `answering` expects exactly one request: a retry would fail the test.
            let server = answering(status, body).await;
            let error = client(&server).erase_session(&session).await.unwrap_err();
            let context = format!("{session} {status} {body}: {error}");
            assert_eq!((error.kind(), error.denial()), (kind, denial), "{context}");
            server.verify().await;
        }
    }
    // On a KYB erasure, a contract without KYB is what it is everywhere.
    let server =
        answering(403, r#"{"identifier": "PARTNER_CONTRACT_ERROR", "message": "x"}"#).await;
    let error = client(&server).erase_session(&SessionRef::business("c")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn an_id_that_is_not_one_is_refused_before_sending() {
    let server = MockServer::start().await;
    let idenfy = client(&server);
    for id in ["", "a/b", "/", "..", "%2e%2e", "a?b", "a#b", " a"] {
        for session in [SessionRef::identity(id), SessionRef::business(id)] {
            let error = idenfy.erase_session(&session).await.unwrap_err();
            assert_eq!(
                (error.kind(), error.outcome()),
                (ErrorKind::InvalidRequest, Outcome::NotSent),
                "{id:?}"
            );
            assert_eq!(error.invalid_fields()[0].field(), "sessionId");
        }
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
