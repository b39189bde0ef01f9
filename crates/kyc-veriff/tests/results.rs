//! Veriff's webhooks verified and normalized, and decisions polled from a real local server.

use http::{HeaderMap, HeaderValue};
use kyc_core::{ErrorKind, Status, VerificationResults, WebhookVerifier};
use kyc_veriff::{Veriff, signature};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const SECRET: &str = "current-shared-secret";
const OLD_SECRET: &str = "previous-shared-secret";
const DECISION: &str = include_str!("../fixtures/decision-webhook.json");

fn veriff() -> Veriff {
    Veriff::builder(API_KEY)
        .with_shared_secret(SECRET)
        .with_shared_secret(OLD_SECRET)
        .build()
        .unwrap()
}

fn signed(secret: &str, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = signature(secret.as_bytes(), body);
    headers.insert("x-hmac-signature", HeaderValue::from_str(&value).unwrap());
    headers
}

#[test]
fn the_documented_decision_webhook_verifies_and_normalizes() {
    let decision =
        veriff().verify_webhook(&signed(SECRET, DECISION.as_bytes()), DECISION.as_bytes()).unwrap();
    assert_eq!(decision.provider, "veriff");
    assert_eq!(decision.session_id, "12df6045-3846-3e45-946a-14fa6136d78b");
    assert_eq!(
        (decision.status, decision.vendor_status.as_str(), decision.is_final),
        (Status::Approved, "approved", true)
    );
    assert_eq!(decision.client_id.as_deref(), Some("12345678"));
    assert_eq!(decision.attempt_id.as_deref(), Some("00bca969-b53a-4fad-b065-874d41a7b2b8"));
    assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2019-11-06T07:18:36.916+00:00");
    assert_eq!(decision.details, ["document_integration_level_crosslinked_with_fraud"]);
    assert_eq!(decision.extracted["person.firstName"], "SARAH");
    assert_eq!(decision.extracted["document.number"], "MORGA753116SM9IJ");
    let printed = format!("{decision:?}");
    assert!(!printed.contains("SARAH") && !printed.contains("1967-03-30"), "{printed}");
}

#[test]
fn signatures_are_checked_before_anything_is_read() {
    let body = DECISION.as_bytes();
    let veriff = veriff();
    // Rotation: the previous secret still verifies; the hex may be upper case.
    assert!(veriff.verify_webhook(&signed(OLD_SECRET, body), body).is_ok());
    let mut upper = HeaderMap::new();
    upper.insert(
        "x-hmac-signature",
        HeaderValue::from_str(&signature(SECRET.as_bytes(), body).to_uppercase()).unwrap(),
    );
    assert!(veriff.verify_webhook(&upper, body).is_ok());

    let tampered = DECISION.replace("approved", "declined");
    let cases = [
        (signed(SECRET, body), tampered.as_bytes().to_vec()),
        (signed("wrong-secret", body), body.to_vec()),
        (HeaderMap::new(), body.to_vec()),
    ];
    for (headers, body) in cases {
        let error = veriff.verify_webhook(&headers, &body).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidSignature);
    }
    let huge = vec![b' '; kyc_adapter::webhook::WEBHOOK_BODY_CAP + 1];
    assert_eq!(
        veriff.verify_webhook(&signed(SECRET, &huge), &huge).unwrap_err().kind(),
        ErrorKind::Decode
    );
    let garbage = b"not json";
    assert_eq!(
        veriff.verify_webhook(&signed(SECRET, garbage), garbage).unwrap_err().kind(),
        ErrorKind::Decode
    );

    // Without a secret nothing is accepted, unless explicitly (and dangerously) asked.
    let no_secret = Veriff::new(API_KEY).unwrap();
    assert_eq!(
        no_secret.verify_webhook(&HeaderMap::new(), body).unwrap_err().kind(),
        ErrorKind::Config
    );
    let careless = Veriff::builder(API_KEY).dangerously_accept_unsigned_webhooks().build().unwrap();
    assert_eq!(careless.verify_webhook(&HeaderMap::new(), body).unwrap().status, Status::Approved);
}

#[test]
fn events_and_unknown_words() {
    let event = json!({"id": "f04bdb47-d3be-4b28-b028-a652feb060b5", "attemptId": "e30122d1-740b-4764-853f-470374a7abf4", "feature": "selfid", "code": 7002, "action": "submitted", "vendorData": "12345678", "endUserId": null}).to_string();
    let decision =
        veriff().verify_webhook(&signed(SECRET, event.as_bytes()), event.as_bytes()).unwrap();
    assert_eq!(
        (decision.status, decision.event.as_deref(), decision.is_final),
        (Status::Submitted, Some("submitted"), false)
    );
    let unknown = DECISION.replace("\"approved\"", "\"inflight\"");
    let decision =
        veriff().verify_webhook(&signed(SECRET, unknown.as_bytes()), unknown.as_bytes()).unwrap();
    assert_eq!((decision.status, decision.vendor_status.as_str()), (Status::Unknown, "inflight"));
    // Expired and abandoned share code 9104: the status word decides.
    let abandoned = DECISION.replace("\"approved\"", "\"abandoned\"").replace("9001", "9104");
    let decision = veriff()
        .verify_webhook(&signed(SECRET, abandoned.as_bytes()), abandoned.as_bytes())
        .unwrap();
    assert_eq!(decision.status, Status::Abandoned);
    assert_ne!(
        decision.dedup_key(),
        veriff()
            .verify_webhook(&signed(SECRET, DECISION.as_bytes()), DECISION.as_bytes())
            .unwrap()
            .dedup_key()
    );
}

#[tokio::test]
async fn polling_signs_the_session_id() {
    let server = MockServer::start().await;
    let id = "12df6045-3846-3e45-946a-14fa6136d78b";
    Mock::given(method("GET"))
        .and(path(format!("/v1/sessions/{id}/decision")))
        .and(header("x-auth-client", API_KEY))
        .and(header("x-hmac-signature", signature(SECRET.as_bytes(), id.as_bytes()).as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(DECISION, "application/json"))
        .mount(&server)
        .await;
    let undecided = "f04bdb47-d3be-4b28-b028-a652feb060b5";
    Mock::given(method("GET"))
        .and(path(format!("/v1/sessions/{undecided}/decision")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "success", "verification": null})),
        )
        .mount(&server)
        .await;
    let veriff = Veriff::builder(API_KEY)
        .with_shared_secret(SECRET)
        .with_base_url(server.uri())
        .build()
        .unwrap();
    let decision = veriff.poll_decision(id).await.unwrap().expect("decided");
    assert_eq!(decision.status, Status::Approved);
    assert!(veriff.poll_decision(undecided).await.unwrap().is_none(), "no decision yet");
    let unsigned = Veriff::builder(API_KEY).with_base_url(server.uri()).build().unwrap();
    assert_eq!(unsigned.poll_decision(id).await.unwrap_err().kind(), ErrorKind::Config);
}

#[test]
fn a_verifier_built_from_the_shared_secret_alone_agrees_with_the_client() {
    let body = DECISION.as_bytes();
    let client = veriff().verify_webhook(&signed(OLD_SECRET, body), body).unwrap();
    let alone = kyc_veriff::VeriffWebhooks::new(SECRET).with_key(OLD_SECRET);
    assert_eq!(alone.verify_webhook(&signed(OLD_SECRET, body), body).unwrap(), client);
    let from_env =
        kyc_veriff::VeriffWebhooks::from_vars([("VERIFF_SHARED_SECRET", SECRET)]).unwrap();
    assert_eq!(from_env.verify_webhook(&signed(SECRET, body), body).unwrap(), client);
    let forged = from_env.verify_webhook(&signed(OLD_SECRET, body), body).unwrap_err();
    assert_eq!(forged.kind(), ErrorKind::InvalidSignature);
    assert_eq!(forged.http_status(), None, "no HTTP status was involved");
    assert!(!format!("{alone:?}").contains(SECRET));
}
