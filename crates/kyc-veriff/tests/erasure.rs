//! Deleting sessions at Veriff (`DELETE /v1/sessions/{id}`,
//! <https://devdocs.veriff.com/apidocs/v1sessionsid-3>) against a real local server: the exact
//! request, success, and every documented refusal classified.

use std::time::Duration;

use kyc_core::{
    Denial, ErrorKind, Feature, Outcome, SessionErasure, SessionRef, VerificationKind,
    VerificationSession,
};
use kyc_veriff::{Veriff, signature};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const SECRET: &str = "current-shared-secret";
const SESSION: &str = "123e4567-e89b-12d3-a456-426614174000";

async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_raw(body.to_owned(), "application/json")
                .insert_header("retry-after", "3600"),
        )
        .mount(&server)
        .await;
    server
}

fn veriff(server: &MockServer) -> Veriff {
    Veriff::builder(API_KEY).with_shared_secret(SECRET).with_base_url(server.uri()).build().unwrap()
}

#[tokio::test]
async fn deleting_signs_the_session_id() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v1/sessions/{SESSION}")))
        .and(header("x-auth-client", API_KEY))
        .and(header("x-hmac-signature", signature(SECRET.as_bytes(), SESSION.as_bytes()).as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"status": "success", "verification": {{"id": "{SESSION}"}}}}"#),
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    veriff(&server).erase_session(&SESSION.into()).await.expect("erased");
    let received = server.received_requests().await.unwrap();
    assert!(received[0].body.is_empty(), "a DELETE carries no body");
}

#[tokio::test]
async fn any_success_is_the_deletion() {
    for body in ["", "{}", "not json"] {
        let server = answering(200, body).await;
        veriff(&server).erase_session(&SESSION.into()).await.expect(body);
    }
}

#[test]
fn erasure_is_declared() {
    let veriff = Veriff::new(API_KEY).unwrap();
    let identity = veriff.capabilities().for_kind(VerificationKind::Identity).unwrap();
    assert!(identity.erasure);
}

#[tokio::test]
async fn every_refusal_is_classified() {
    let rows = [
        (
            400,
            r#"{"status": 400, "code": "1305", "message": "Session is not in a completed status."}"#,
            ErrorKind::Conflict,
            Some("1305"),
        ),
        (
            400,
            r#"{"status": 400, "code": 1306, "message": "Session in progress."}"#,
            ErrorKind::Conflict,
            Some("1306"),
        ),
        (429, "", ErrorKind::RateLimited, None),
        (403, r#"{"status": "fail", "message": "Forbidden"}"#, ErrorKind::Forbidden, None),
        (401, r#"{"status": "fail", "code": "1818"}"#, ErrorKind::Unauthenticated, Some("1818")),
        (401, "", ErrorKind::Unauthenticated, None),
        (404, r#"{"status": "fail", "message": "Session not found"}"#, ErrorKind::Rejected, None),
    ];
    for (status, body, kind, code) in rows {
        let server = answering(status, body).await;
        let error = veriff(&server).erase_session(&SESSION.into()).await.unwrap_err();
        let context = format!("{status} {body}: {error}");
        assert_eq!(error.kind(), kind, "{context}");
        assert_eq!(error.outcome(), Outcome::Rejected, "{context}");
        assert_eq!(error.http_status(), Some(status), "{context}");
        assert_eq!(error.vendor_code(), code, "{context}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "never retried");
        match kind {
            ErrorKind::RateLimited => {
                assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
            }
            ErrorKind::Forbidden => assert_eq!(error.denial(), Some(Denial::FeatureNotEnabled)),
            _ => {}
        }
    }
    let server = answering(400, r#"{"status": 400, "code": "1305"}"#).await;
    let error = veriff(&server).erase_session(&SESSION.into()).await.unwrap_err();
    assert!(
        error.to_string().contains("Veriff deletes a session only once it is completed"),
        "{error}"
    );
    let server = answering(400, r#"{"status": 400, "code": "1306"}"#).await;
    let error = veriff(&server).erase_session(&SESSION.into()).await.unwrap_err();
    assert!(error.to_string().contains("the session is in progress"), "{error}");
}

#[tokio::test]
async fn refused_before_sending() {
    let server = answering(200, "").await;
    let veriff = veriff(&server);
    let business = veriff.erase_session(&SessionRef::business(SESSION)).await.unwrap_err();
    assert_eq!(business.kind(), ErrorKind::Unsupported);
    assert_eq!(business.unsupported_feature(), Some(&Feature::Kind(VerificationKind::Business)));
    for bad in ["", "  ", "../other", "a/b"] {
        let error = veriff.erase_session(&bad.into()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{bad:?}");
        assert_eq!(error.invalid_fields()[0].field(), "sessionId");
    }
    let unsigned = Veriff::builder(API_KEY).with_base_url(server.uri()).build().unwrap();
    let error = unsigned.erase_session(&SESSION.into()).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Config, Outcome::NotSent));
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}
