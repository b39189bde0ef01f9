//! Veriff's webhooks verified and normalized (every type of the webhooks guide,
//! <https://devdocs.veriff.com/docs/webhooks-guide>, one row of the recognition table each), and
//! decisions polled from a real local server.

use http::{HeaderMap, HeaderValue};
use kyc_core::{
    Decision, ErrorKind, Notice, SessionRef, Status, VerificationKind, VerificationResults,
    WebhookEvent, WebhookVerifier,
};
use kyc_veriff::{FULL_AUTO, UNKNOWN_EVENT, Veriff, WATCHLIST_SCREENING, signature};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const SECRET: &str = "current-shared-secret";
const OLD_SECRET: &str = "previous-shared-secret";
const DECISION: &str = include_str!("../fixtures/decision-webhook.json");
const EVENT: &str = include_str!("../fixtures/event-webhook.json");
const WATCHLIST: &str = include_str!("../fixtures/watchlist-screening-webhook.json");
const USER_STATUS: &str = include_str!("../fixtures/user-defined-status-webhook.json");
const FULL_AUTO_BODY: &str = include_str!("../fixtures/full-auto-webhook.json");

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

/// `body` signed with the current secret, verified by the client.
fn verified(body: &str) -> Result<WebhookEvent, kyc_core::Error> {
    veriff().verify_webhook(&signed(SECRET, body.as_bytes()), body.as_bytes())
}

fn decision(body: &str) -> Decision {
    verified(body).unwrap().into_decision().expect("a decision")
}

fn notice(body: &str) -> Notice {
    match verified(body).unwrap() {
        WebhookEvent::Notice(notice) => notice,
        other => panic!("expected a notice, got {other:?}"),
    }
}

#[test]
fn the_documented_decision_webhook_verifies_and_normalizes() {
    let decision = decision(DECISION);
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
    // A notice is verified like a decision.
    let tampered_notice = WATCHLIST.replace("no_match", "possible_match");
    let forged = veriff
        .verify_webhook(&signed(SECRET, WATCHLIST.as_bytes()), tampered_notice.as_bytes())
        .unwrap_err();
    assert_eq!(forged.kind(), ErrorKind::InvalidSignature);
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
    // Only a body that is not a JSON object, or a decision or event that breaks its schema,
    // is undecodable.
    for garbage in [
        "not json",
        "[1, 2]",
        "\"approved\"",
        "null",
        r#"{"verification": null}"#,
        r#"{"verification": {"id": 7, "status": "approved"}}"#,
        r#"{"action": "started"}"#,
    ] {
        let error = verified(garbage).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{garbage}");
        assert_eq!(error.outcome(), kyc_core::Outcome::NotSent, "{garbage}");
    }

    // Without a secret nothing is accepted, unless explicitly (and dangerously) asked.
    let no_secret = Veriff::new(API_KEY).unwrap();
    assert_eq!(
        no_secret.verify_webhook(&HeaderMap::new(), body).unwrap_err().kind(),
        ErrorKind::Config
    );
    let careless = Veriff::builder(API_KEY).dangerously_accept_unsigned_webhooks().build().unwrap();
    let unsigned = careless.verify_webhook(&HeaderMap::new(), body).unwrap();
    assert_eq!(unsigned.decision().map(|d| d.status), Some(Status::Approved));
}

#[test]
fn the_documented_event_webhook_is_a_decision() {
    let submitted = decision(EVENT);
    assert_eq!(submitted.session_id, "f04bdb47-d3be-4b28-b028-a652feb060b5");
    assert_eq!(
        (submitted.status, submitted.event.as_deref(), submitted.is_final),
        (Status::Submitted, Some("submitted"), false)
    );
    assert_eq!(submitted.attempt_id.as_deref(), Some("e30122d1-740b-4764-853f-470374a7abf4"));
    assert_eq!(submitted.client_id.as_deref(), Some("12345678"));
    assert_eq!(submitted.reason.and_then(|r| r.code).as_deref(), Some("7002"));
    let started = decision(&EVENT.replace("submitted", "started").replace("7002", "7001"));
    assert_eq!((started.status, started.event.as_deref()), (Status::Started, Some("started")));
}

#[test]
fn unknown_words_and_shared_codes() {
    let unknown = decision(&DECISION.replace("\"approved\"", "\"inflight\""));
    assert_eq!((unknown.status, unknown.vendor_status.as_str()), (Status::Unknown, "inflight"));
    // Expired and abandoned share code 9104: the status word decides.
    let abandoned =
        decision(&DECISION.replace("\"approved\"", "\"abandoned\"").replace("9001", "9104"));
    assert_eq!(abandoned.status, Status::Abandoned);
    assert_ne!(abandoned.dedup_key(), decision(DECISION).dedup_key());
}

#[test]
fn the_watchlist_screening_webhook_is_a_notice() {
    let notice = notice(WATCHLIST);
    assert_eq!((notice.provider.as_str(), notice.event.as_str()), ("veriff", WATCHLIST_SCREENING));
    assert_eq!(notice.event, "watchlist-screening");
    assert_eq!(notice.session_id.as_deref(), Some("f04bdb47-d3be-4b28-b028-a652feb060b5"));
    assert_eq!(notice.client_id.as_deref(), Some("12345678"));
    assert_eq!(notice.kind, VerificationKind::Identity);
    assert_eq!(notice.payload, serde_json::from_str::<Value>(WATCHLIST).unwrap());
    // The search term names the person: Debug prints the keys only.
    let printed = format!("{notice:?}");
    assert!(printed.contains("matchStatus") && !printed.contains("GADDAFI"), "{printed}");
    // An updated result is another delivery, not a duplicate.
    let updated = WATCHLIST.replace("initial_result", "updated_result");
    assert_ne!(verified(&updated).unwrap().dedup_key(), verified(WATCHLIST).unwrap().dedup_key());
}

#[test]
fn a_user_defined_status_keeps_its_event_type() {
    let notice = notice(USER_STATUS);
    assert_eq!(notice.event, "user-status.created");
    assert_eq!(notice.session_id.as_deref(), Some("a1c68aea-7f4d-478d-80ab-ca9356074f69"));
    assert_eq!(notice.client_id.as_deref(), Some("12345678"));
    assert_eq!(
        notice.payload["data"]["verification"]["userDefinedData"]["statusCode"],
        "custom_status_for_suspicious_attempt"
    );
    // Without the top-level sessionId, the verification's id names the session; any event type
    // is kept as sent.
    let mut body: Value = serde_json::from_str(USER_STATUS).unwrap();
    body.as_object_mut().unwrap().remove("sessionId");
    body["eventType"] = json!("user-status.updated");
    let updated = self::notice(&body.to_string());
    assert_eq!(updated.event, "user-status.updated");
    assert_eq!(updated.session_id.as_deref(), Some("a1c68aea-7f4d-478d-80ab-ca9356074f69"));
}

#[test]
fn a_full_auto_webhook_is_a_notice() {
    let notice = notice(FULL_AUTO_BODY);
    assert_eq!(notice.event, FULL_AUTO);
    assert_eq!(notice.event, "full-auto");
    assert_eq!(notice.session_id.as_deref(), Some("f04bdb47-d3be-4b28-b028-a652feb060b5"));
    assert_eq!(notice.client_id.as_deref(), Some("12345678"));
    assert_eq!(notice.payload["data"]["verification"]["decisionScore"], 0.93);
}

#[test]
fn any_other_signed_object_is_an_unknown_notice() {
    let cases = [
        // An INE registry result, say: a type this crate does not know, naming its session.
        (
            json!({"sessionId": "s-1", "vendorData": "user-1", "registry": {"valid": true}}),
            Some("s-1"),
            Some("user-1"),
        ),
        (json!({"id": "s-2", "kind": "curp"}), Some("s-2"), None),
        (json!({}), None, None),
        // Ids of the wrong type name nothing.
        (json!({"sessionId": 7, "id": ["s-3"], "vendorData": false}), None, None),
        // A non-string eventType is no user-defined status.
        (json!({"eventType": 12, "id": "s-4"}), Some("s-4"), None),
    ];
    for (body, session, client) in cases {
        let notice = notice(&body.to_string());
        assert_eq!(notice.event, UNKNOWN_EVENT, "{body}");
        assert_eq!(notice.event, "unknown");
        assert_eq!(notice.session_id.as_deref(), session, "{body}");
        assert_eq!(notice.client_id.as_deref(), client, "{body}");
        assert_eq!(notice.payload, body);
    }
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
    let decision = veriff.poll_decision(&id.into()).await.unwrap().expect("decided");
    assert_eq!(decision.status, Status::Approved);
    assert_eq!(decision.session(), SessionRef::from(id));
    assert!(veriff.poll_decision(&undecided.into()).await.unwrap().is_none(), "no decision yet");
    // Refused before sending: no secret to sign with, a business session, an id that is none.
    let unsigned = Veriff::builder(API_KEY).with_base_url(server.uri()).build().unwrap();
    assert_eq!(unsigned.poll_decision(&id.into()).await.unwrap_err().kind(), ErrorKind::Config);
    let business = veriff.poll_decision(&SessionRef::business(id)).await.unwrap_err();
    assert_eq!(business.kind(), ErrorKind::Unsupported);
    for bad in ["", " ", "a/b"] {
        let error = veriff.poll_decision(&bad.into()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{bad:?}");
        assert_eq!(error.invalid_fields()[0].field(), "sessionId");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
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
