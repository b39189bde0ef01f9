//! iDenfy's webhooks verified and normalized (identity and business, decisions and notices,
//! the vendor's documented payloads first), and results polled from a real local server.
//!
//! Sources: <https://documentation.idenfy.com/kyc/webhooks>,
//! <https://documentation.idenfy.com/kyb/webhooks>, the KYB OpenAPI
//! (<https://documentation.idenfy.com/openapi/kyb.yaml>) and
//! <https://documentation.idenfy.com/kyc/status-handling>.

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use kyc_core::{
    Decision, ErrorKind, Notice, Outcome, SessionRef, Status, VerificationKind,
    VerificationResults, WebhookEvent, WebhookVerifier,
};
use kyc_idenfy::Idenfy;
use serde_json::{Value, json};
use wiremock::matchers::{basic_auth, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "webhook-signing-key";
const OLD_KEY: &str = "previous-signing-key";
/// The 2022 identification example, `final: false`.
const WEBHOOK: &str = include_str!("../fixtures/webhook.json");
const DOCUMENT_EXPIRATION: &str = include_str!("../fixtures/webhook-document-expiration.json");
const COMPANY_SUBMIT: &str = include_str!("../fixtures/kyb-webhook-company-submit.json");
const COMPANY_REVIEW: &str = include_str!("../fixtures/kyb-webhook-company-review.json");
const COMPANY_EXPIRATION: &str = include_str!("../fixtures/kyb-webhook-company-expiration.json");

fn idenfy() -> Idenfy {
    Idenfy::builder("api-key", "api-secret")
        .with_webhook_key(KEY)
        .with_webhook_key(OLD_KEY)
        .build()
        .unwrap()
}

/// Hex HMAC-SHA256, computed here independently of the library.
fn hmac_hex(key: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The headers of a delivery signed with `key`, of `event` when given.
fn signed_as(key: &str, event: Option<&str>, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("idenfy-signature", HeaderValue::from_str(&hmac_hex(key, body)).unwrap());
    if let Some(event) = event {
        headers.insert("idenfy-event-type", HeaderValue::from_str(event).unwrap());
    }
    headers
}

fn signed(key: &str, body: &[u8]) -> HeaderMap {
    signed_as(key, Some("IDENTIFICATION_AUTO_FINISHED"), body)
}

/// A correctly signed delivery of `body`, as `event` (or without the header), verified.
fn deliver(event: Option<&str>, body: &str) -> Result<WebhookEvent, kyc_core::Error> {
    idenfy().verify_webhook(&signed_as(KEY, event, body.as_bytes()), body.as_bytes())
}

fn decision(event: Option<&str>, body: &str) -> Decision {
    match deliver(event, body) {
        Ok(WebhookEvent::Decision(decision)) => decision,
        other => panic!("{event:?} {body}: expected a decision, got {other:?}"),
    }
}

fn notice(event: Option<&str>, body: &str) -> Notice {
    match deliver(event, body) {
        Ok(WebhookEvent::Notice(notice)) => notice,
        other => panic!("{event:?} {body}: expected a notice, got {other:?}"),
    }
}

/// `fixture` with `changes` set at its top level.
fn with(fixture: &str, changes: Value) -> String {
    let mut body: Value = serde_json::from_str(fixture).unwrap();
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    body.to_string()
}

#[test]
fn the_documented_webhook_verifies_and_normalizes() {
    let decision = decision(Some("IDENTIFICATION_AUTO_FINISHED"), WEBHOOK);
    assert_eq!((decision.provider.as_str(), decision.session_id.as_str()), ("idenfy", "scan-ref"));
    assert_eq!(decision.kind, VerificationKind::Identity);
    assert_eq!((decision.status, decision.vendor_status.as_str()), (Status::Approved, "APPROVED"));
    assert!(!decision.is_final, "`final: false`: a manual review follows");
    assert_eq!(decision.client_id.as_deref(), Some("123"));
    assert_eq!(decision.event.as_deref(), Some("IDENTIFICATION_AUTO_FINISHED"));
    assert!(decision.details.contains(&"autoDocument:DOC_VALIDATED".to_owned()));
    assert_eq!(decision.decided_at.unwrap().timestamp(), 1_554_727_002);
    assert_eq!(decision.extracted["docFirstName"], "FIRST-NAME-EXAMPLE");
    assert!(!format!("{decision:?}").contains("FIRST-NAME-EXAMPLE"));
}

#[test]
fn the_manual_review_that_follows_is_final() {
    let auto = decision(Some("IDENTIFICATION_AUTO_FINISHED"), WEBHOOK);
    let manual_body = with(WEBHOOK, json!({"final": true}));
    let manual = decision(Some("IDENTIFICATION_MANUAL_FINISHED"), &manual_body);
    assert_eq!((manual.status, manual.is_final), (Status::Approved, true));
    assert_eq!(manual.event.as_deref(), Some("IDENTIFICATION_MANUAL_FINISHED"));
    assert_ne!(auto.dedup_key(), manual.dedup_key(), "two results, two keys");
    // Whatever the word, `final: false` is never final: a manual review is still coming.
    for overall in ["APPROVED", "DENIED", "EXPIRED", "SUSPECTED"] {
        let body = with(WEBHOOK, json!({"status": {"overall": overall}, "final": false}));
        assert!(!decision(Some("IDENTIFICATION_AUTO_FINISHED"), &body).is_final, "{overall}");
    }
}

#[test]
fn every_identification_event_is_a_decision() {
    for event in [
        "IDENTIFICATION",
        "IDENTIFICATION_AUTO_FINISHED",
        "IDENTIFICATION_MANUAL_FINISHED",
        "IDENTIFICATION_EXPIRED",
        "IDENTIFICATION_CANCELLED",
        "IDENTIFICATION_RESUBMITTED",
    ] {
        let decision = decision(Some(event), WEBHOOK);
        assert_eq!(decision.session_id, "scan-ref", "{event}");
        assert_eq!(decision.event.as_deref(), Some(event));
    }
    // Without the header the body's shape says so; the event stays unset.
    let decision = decision(None, WEBHOOK);
    assert_eq!((decision.session_id.as_str(), decision.event), ("scan-ref", None));
}

#[test]
fn a_kyc_inside_a_kyb_stays_an_identity_decision() {
    let body = with(WEBHOOK, json!({"companyId": "7bPN6YMQ9F7", "beneficiaryId": "b-1"}));
    for event in [Some("IDENTIFICATION_MANUAL_FINISHED"), None] {
        let decision = decision(event, &body);
        assert_eq!(decision.kind, VerificationKind::Identity, "{event:?}");
        assert_eq!(decision.session_id, "scan-ref");
        assert_eq!(decision.session(), SessionRef::identity("scan-ref"));
    }
}

#[test]
fn the_documented_document_expiration_is_a_notice() {
    for event in [Some("DOCUMENT_EXPIRATION"), None] {
        let notice = notice(event, DOCUMENT_EXPIRATION);
        assert_eq!(
            (notice.provider.as_str(), notice.event.as_str()),
            ("idenfy", "DOCUMENT_EXPIRATION")
        );
        assert_eq!(notice.kind, VerificationKind::Identity);
        assert_eq!(notice.session_id.as_deref(), Some("<string>"));
        assert_eq!(notice.client_id.as_deref(), Some("<string>"));
        assert_eq!(notice.payload["expirationThreshold"], "DOCUMENT_EXPIRES_WITHIN_30_DAYS");
    }
}

#[test]
fn other_and_unknown_events_are_notices() {
    let video = notice(Some("VIDEO_CALL_FINISHED"), r#"{"scanRef": "s-9", "clientId": "c-9"}"#);
    assert_eq!(
        (video.event.as_str(), video.session_id.as_deref(), video.client_id.as_deref()),
        ("VIDEO_CALL_FINISHED", Some("s-9"), Some("c-9"))
    );
    // An event type iDenfy adds later: kept, with the body, never an error.
    let new = notice(Some("SOMETHING_NEW"), r#"{"whatever": [1, 2]}"#);
    assert_eq!((new.event.as_str(), new.session_id, new.client_id), ("SOMETHING_NEW", None, None));
    assert_eq!(new.payload, json!({"whatever": [1, 2]}));
    // Without the header, and no shape it fits.
    let unknown = notice(None, r#"{"clientId": "c-1", "note": "hello"}"#);
    assert_eq!((unknown.event.as_str(), unknown.client_id.as_deref()), ("unknown", Some("c-1")));
    // A decision event's header over a body that is not one is still that event: an error.
    let error =
        deliver(Some("IDENTIFICATION_MANUAL_FINISHED"), r#"{"clientId": "c"}"#).unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Decode, Outcome::NotSent));
}

#[test]
fn only_bodies_that_are_not_json_objects_are_refused() {
    for body in ["[1, 2]", "\"text\"", "42", "null", "not json", ""] {
        for event in [None, Some("DOCUMENT_EXPIRATION"), Some("COMPANY_REVIEW")] {
            let error = deliver(event, body).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Decode, "{event:?} {body}");
            assert!(error.to_string().contains("body"), "{error}");
        }
    }
    // A decision's essentials missing: which one is said.
    let error = deliver(Some("IDENTIFICATION"), r#"{"scanRef": "s"}"#).unwrap_err();
    assert!(error.to_string().contains("missing field `status`"), "{error}");
    let error = deliver(Some("COMPANY_INFO_REQUEST"), r#"{"companyId": "c"}"#).unwrap_err();
    assert!(error.to_string().contains("missing field `status`"), "{error}");
    let error = deliver(Some("COMPANY_DELETE"), r#"{"date": "2025-01-01T12:00:00Z"}"#).unwrap_err();
    assert!(error.to_string().contains("missing field `companyId`"), "{error}");
}

#[test]
fn signatures_are_checked_before_anything_is_read() {
    let body = WEBHOOK.as_bytes();
    let idenfy = idenfy();
    assert!(idenfy.verify_webhook(&signed(OLD_KEY, body), body).is_ok(), "a rotated key");
    let mut upper = HeaderMap::new();
    upper.insert(
        "idenfy-signature",
        HeaderValue::from_str(&hmac_hex(KEY, body).to_uppercase()).unwrap(),
    );
    assert!(idenfy.verify_webhook(&upper, body).is_ok(), "upper-case hex");
    let tampered = WEBHOOK.replace("APPROVED", "DENIED");
    for (headers, body) in [
        (signed(KEY, body), tampered.as_bytes().to_vec()),
        (signed("wrong-key", body), body.to_vec()),
        (HeaderMap::new(), body.to_vec()),
    ] {
        assert_eq!(
            idenfy.verify_webhook(&headers, &body).unwrap_err().kind(),
            ErrorKind::InvalidSignature
        );
    }
    // KYB deliveries carry the same signature.
    let kyb = COMPANY_SUBMIT.as_bytes();
    let forged = signed_as("wrong-key", Some("COMPANY_SUBMIT"), kyb);
    assert_eq!(
        idenfy.verify_webhook(&forged, kyb).unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    // Not JSON, but forged: the signature is what is reported.
    assert_eq!(
        idenfy.verify_webhook(&signed("wrong-key", b"[]"), b"[]").unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    let huge = vec![b' '; kyc_adapter::webhook::WEBHOOK_BODY_CAP + 1];
    assert_eq!(
        idenfy.verify_webhook(&signed(KEY, &huge), &huge).unwrap_err().kind(),
        ErrorKind::Decode
    );
    let no_key = Idenfy::new("k", "s").unwrap();
    assert_eq!(
        no_key.verify_webhook(&HeaderMap::new(), body).unwrap_err().kind(),
        ErrorKind::Config
    );
}

#[test]
fn unknown_words_and_legacy_payloads() {
    let unknown = WEBHOOK.replace("\"APPROVED\"", "\"NOT_REVIEWED\"");
    let decision = decision(Some("IDENTIFICATION"), &unknown);
    assert_eq!(
        (decision.status, decision.vendor_status.as_str()),
        (Status::Unknown, "NOT_REVIEWED")
    );
    // Before 2022 there was no `final`: only an outcome that cannot change is final.
    for (overall, status, is_final) in [
        ("EXPIRED-DELETED", Status::Expired, true),
        ("APPROVED", Status::Approved, true),
        ("DENIED", Status::Declined, true),
        ("DELETED", Status::Deleted, true),
        ("SUSPECTED", Status::Suspected, false),
        ("REVIEWING", Status::Review, false),
        ("ACTIVE", Status::Created, false),
    ] {
        let legacy =
            json!({"scanRef": "s", "clientId": "c", "status": {"overall": overall}}).to_string();
        let decision = self::decision(None, &legacy);
        assert_eq!((decision.status, decision.is_final), (status, is_final), "{overall}");
    }
}

#[test]
fn the_documented_company_submit_is_submitted() {
    for event in [Some("COMPANY_SUBMIT"), None] {
        let decision = decision(event, COMPANY_SUBMIT);
        assert_eq!(decision.kind, VerificationKind::Business, "{event:?}");
        assert_eq!(decision.session(), SessionRef::business("string"));
        assert_eq!((decision.status, decision.is_final), (Status::Submitted, false));
        assert_eq!(decision.vendor_status, "COMPANY_SUBMIT");
        assert_eq!(decision.client_id.as_deref(), Some("string"));
        assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2019-08-24T14:15:22+00:00");
        assert_eq!(decision.event.as_deref(), event);
    }
}

#[test]
fn the_documented_company_review_and_every_approval_row() {
    let rows = [
        (json!("APPROVED"), Status::Approved, "APPROVED", true),
        (json!("DENIED"), Status::Declined, "DENIED", true),
        (json!(null), Status::Unknown, "COMPANY_REVIEW", false),
        (json!("FLAGGED"), Status::Unknown, "FLAGGED", false),
    ];
    for (approval, status, word, is_final) in rows {
        let body =
            with(COMPANY_REVIEW, json!({"approvalStatus": approval, "denyReason": "ID_COUNTRY"}));
        for event in [Some("COMPANY_REVIEW"), None] {
            let decision = decision(event, &body);
            let context = format!("{approval} {event:?}");
            assert_eq!(decision.kind, VerificationKind::Business, "{context}");
            assert_eq!(decision.session_id, "7bPN6YMQ9F7", "{context}");
            assert_eq!(
                (decision.status, decision.vendor_status.as_str(), decision.is_final),
                (status, word, is_final),
                "{context}"
            );
            assert_eq!(decision.client_id.as_deref(), Some("<string>"));
        }
    }
    let denied = decision(
        Some("COMPANY_REVIEW"),
        &with(COMPANY_REVIEW, json!({"approvalStatus": "DENIED", "denyReason": "ID_COUNTRY"})),
    );
    let reason = denied.reason.unwrap();
    assert_eq!((reason.code.as_deref(), reason.text), (Some("ID_COUNTRY"), None));
    // The fixture as documented: approved, no reason.
    let approved = decision(Some("COMPANY_REVIEW"), COMPANY_REVIEW);
    assert_eq!((approved.status, approved.reason.as_ref()), (Status::Approved, None));
    // Managers' emails in the body are not printed.
    assert!(!format!("{approved:?}").contains("jsmith@example.com"));
}

#[test]
fn every_company_info_request_row() {
    let rows = [
        ("REQUESTED", Status::ResubmissionRequested),
        // The form token expired: the company stays, and another request may follow.
        ("EXPIRED", Status::Expired),
        ("CANCELED", Status::Review),
        ("SOMETHING_NEW", Status::Unknown),
    ];
    for (word, status) in rows {
        // Every key `CompanyInfoRequestWebhook` requires.
        let body = json!({
            "companyId": "7bPN6YMQ9F7", "token": "form-token", "date": "2025-01-01T12:00:00Z",
            "email": "jane@example.com", "manager": null, "status": word
        })
        .to_string();
        for event in [Some("COMPANY_INFO_REQUEST"), None] {
            let decision = decision(event, &body);
            assert_eq!(decision.session(), SessionRef::business("7bPN6YMQ9F7"), "{word}");
            assert_eq!((decision.status, decision.vendor_status.as_str()), (status, word));
            assert!(!decision.is_final, "{word}: never final");
            assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2025-01-01T12:00:00+00:00");
            assert!(!format!("{decision:?}").contains("form-token"));
        }
    }
}

#[test]
fn a_company_delete_is_final() {
    // `CompanyDeleteWebhook`'s required keys (the KYB OpenAPI has no sample).
    let body = json!({
        "date": "2025-01-01T12:00:00Z",
        "manager": {"id": 1, "name": "Jane", "surname": "Doe", "email": "jane@example.com"},
        "companyId": "7bPN6YMQ9F7"
    })
    .to_string();
    for event in [Some("COMPANY_DELETE"), None] {
        let decision = decision(event, &body);
        assert_eq!(decision.session(), SessionRef::business("7bPN6YMQ9F7"));
        assert_eq!(
            (decision.status, decision.vendor_status.as_str(), decision.is_final),
            (Status::Deleted, "COMPANY_DELETE", true)
        );
    }
}

#[test]
fn the_other_kyb_events_are_business_notices() {
    // The documented COMPANY_EXPIRATION example has no `id` (its renderer drops it).
    for event in [Some("COMPANY_EXPIRATION"), None] {
        let notice = notice(event, COMPANY_EXPIRATION);
        assert_eq!(
            (notice.event.as_str(), notice.kind),
            ("COMPANY_EXPIRATION", VerificationKind::Business)
        );
        assert_eq!((notice.session_id, notice.client_id), (None, None));
        assert_eq!(notice.payload["expirationStatus"], "PENDING");
    }
    let expiring = with(COMPANY_EXPIRATION, json!({"id": "7bPN6YMQ9F7"}));
    assert_eq!(
        notice(Some("COMPANY_EXPIRATION"), &expiring).session_id.as_deref(),
        Some("7bPN6YMQ9F7")
    );
    let rows = [
        (
            "COMPANY_AML_REVIEW",
            json!({"id": "review-1", "companyId": "7bPN6YMQ9F7", "amlReviewSubjectType": "BENEFICIARY", "clientId": "c-1", "overallStatus": "FALSE_POSITIVE"}),
            Some("7bPN6YMQ9F7"),
            Some("c-1"),
        ),
        // A token that expired before the form was submitted: no company yet.
        (
            "COMPANY_TOKEN_EXPIRED",
            json!({"clientId": "c-1", "externalRef": null}),
            None,
            Some("c-1"),
        ),
        (
            "GOV_ORDERED_DOCUMENT",
            json!({"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "productKey": "k", "expectedDeliveryTime": "2025-01-01T12:00:00Z", "price": 0, "status": "FINISHED"}),
            None,
            None,
        ),
        (
            "SOS_REPORT",
            json!({"id": "r-1", "companyName": "ACME", "entityType": "LLC", "status": "FINISHED"}),
            None,
            None,
        ),
    ];
    for (event, body, session, client) in rows {
        let body = body.to_string();
        let notice = notice(Some(event), &body);
        assert_eq!((notice.event.as_str(), notice.kind), (event, VerificationKind::Business));
        assert_eq!(
            (notice.session_id.as_deref(), notice.client_id.as_deref()),
            (session, client),
            "{event}"
        );
        // The shapes the KYB OpenAPI documents are recognised without the header too (but
        // for a token that expired, which has nothing to tell it apart).
        let shaped = self::notice(None, &body);
        let expected = if event == "COMPANY_TOKEN_EXPIRED" { "unknown" } else { event };
        assert_eq!(shaped.event, expected);
    }
}

#[tokio::test]
async fn polling_posts_the_scan_ref_with_basic_auth_and_is_spaced() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/status"))
        .and(basic_auth("api-key", "api-secret"))
        .and(body_json(json!({"scanRef": "328c6766-934e-11ed-bb9b-025ad99a18e7"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "fraudTags": [], "mismatchTags": ["NAME"], "autoDocument": "DOC_VALIDATED", "autoFace": "FACE_MATCH",
            "manualDocument": "", "manualFace": "", "scanRef": "328c6766-934e-11ed-bb9b-025ad99a18e7",
            "clientId": "W2GL2K333Y", "status": "SUSPECTED"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let idenfy = Idenfy::builder("api-key", "api-secret")
        .with_base_url(server.uri())
        .with_min_poll_interval(Duration::from_secs(60))
        .build()
        .unwrap();
    let session = SessionRef::identity("328c6766-934e-11ed-bb9b-025ad99a18e7");
    let decision = idenfy.poll_decision(&session).await.unwrap().unwrap();
    // No `final` in the answer (as in iDenfy's sample): a suspected result waits for a decision.
    assert_eq!((decision.status, decision.is_final), (Status::Suspected, false));
    assert_eq!(decision.kind, VerificationKind::Identity);
    assert_eq!(decision.client_id.as_deref(), Some("W2GL2K333Y"));
    assert!(decision.details.contains(&"mismatchTags:NAME".to_owned()));
    let again = idenfy.poll_decision(&session).await.unwrap_err();
    // Held back here, not refused by iDenfy: the error says nothing was sent.
    assert_eq!((again.kind(), again.outcome()), (ErrorKind::RateLimited, Outcome::NotSent));
    assert!(again.to_string().contains("nothing was sent"), "{again}");
    assert!(again.retry_after().unwrap() > Duration::from_secs(59));
}

/// A client that polls as often as asked.
fn polling_client(server: &MockServer) -> Idenfy {
    Idenfy::builder("api-key", "api-secret")
        .with_base_url(server.uri())
        .with_min_poll_interval(Duration::ZERO)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_polled_final_flag_is_followed() {
    // "From the API, check the top-level `final` boolean": when there, it decides.
    for (answer, is_final) in [
        (json!({"scanRef": "s", "status": "APPROVED", "final": false}), false),
        (json!({"scanRef": "s", "status": "REVIEWING", "final": true}), true),
        (json!({"scanRef": "s", "status": "APPROVED"}), true),
        (json!({"scanRef": "s", "status": "REVIEWING"}), false),
        (json!({"scanRef": "s", "status": "ACTIVE"}), false),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/v2/status"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .mount(&server)
            .await;
        let decision = polling_client(&server).poll_decision(&"s".into()).await.unwrap().unwrap();
        assert_eq!(decision.is_final, is_final, "{answer}");
    }
}

#[tokio::test]
async fn business_polls_read_the_company_and_every_row_maps() {
    let rows = [
        ("PENDING", json!(null), Status::Created, "PENDING", false),
        ("PROCESSING", json!(null), Status::Submitted, "PROCESSING", false),
        ("NEED_TO_PROCESS", json!(null), Status::Review, "NEED_TO_PROCESS", false),
        ("NEED_TO_REVIEW", json!(null), Status::Review, "NEED_TO_REVIEW", false),
        ("COMPLETED", json!("APPROVED"), Status::Approved, "APPROVED", true),
        ("COMPLETED", json!("DENIED"), Status::Declined, "DENIED", true),
        ("COMPLETED", json!(null), Status::Review, "COMPLETED", false),
        ("COMPLETED", json!("FLAGGED"), Status::Unknown, "FLAGGED", false),
        ("ARCHIVED", json!(null), Status::Unknown, "ARCHIVED", false),
    ];
    for (status, approval, neutral, word, is_final) in rows {
        let server = MockServer::start().await;
        let deny_reason = if approval == "DENIED" { json!("ID_COUNTRY") } else { json!(null) };
        // The KYB OpenAPI's `CompanyDetail`, its required keys with sample values.
        let answer = json!({
            "id": "7bPN6YMQ9F7", "company": {"companyName": "ACME", "country": "LT"},
            "meta": {
                "created": "2025-01-01T12:00:00Z", "status": status, "approvalStatus": approval,
                "denyReason": deny_reason, "statusChangedAt": null, "statusChangedBy": null,
                "assignedTo": null, "blacklistStatuses": [], "newsStatusSetBy": null,
                "sanctionsStatusSetBy": null, "informationRequested": false
            },
            "documents": [], "beneficiaries": [], "questionnaires": [], "comments": [],
            "auditLogs": [], "amlCheck": null, "riskAssessment": null
        });
        Mock::given(method("GET"))
            .and(path("/kyb/companies/7bPN6YMQ9F7/"))
            .and(basic_auth("api-key", "api-secret"))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .expect(1)
            .mount(&server)
            .await;
        let company = SessionRef::business("7bPN6YMQ9F7");
        let decision = polling_client(&server).poll_decision(&company).await.unwrap().unwrap();
        let context = format!("{status} {approval}");
        assert_eq!(decision.session(), company, "{context}");
        assert_eq!(
            (decision.status, decision.vendor_status.as_str(), decision.is_final),
            (neutral, word, is_final),
            "{context}"
        );
        let reason = decision.reason.and_then(|r| r.code);
        assert_eq!(reason.is_some(), approval == "DENIED", "{context}");
        // Never the identity endpoint.
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 1);
        assert!(received[0].body.is_empty(), "a GET sends no body");
    }
}

#[tokio::test]
async fn a_session_id_that_is_not_one_is_refused_before_polling() {
    let server = MockServer::start().await;
    let idenfy = polling_client(&server);
    for id in ["", "a/b", "..", "a?b", "a b"] {
        for session in [SessionRef::identity(id), SessionRef::business(id)] {
            let error = idenfy.poll_decision(&session).await.unwrap_err();
            assert_eq!(
                (error.kind(), error.outcome()),
                (ErrorKind::InvalidRequest, Outcome::NotSent)
            );
            assert_eq!(error.invalid_fields()[0].field(), "sessionId", "{id:?}");
        }
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn a_verifier_built_from_the_signing_key_alone_agrees_with_the_client() {
    let body = WEBHOOK.as_bytes();
    let client = idenfy().verify_webhook(&signed(KEY, body), body).unwrap();
    let alone = kyc_idenfy::IdenfyWebhooks::new(OLD_KEY).with_key(KEY);
    assert_eq!(alone.verify_webhook(&signed(KEY, body), body).unwrap(), client);
    let from_env = kyc_idenfy::IdenfyWebhooks::from_vars([(
        "IDENFY_WEBHOOK_KEY",
        format!("{OLD_KEY}, {KEY}"),
    )])
    .unwrap();
    assert_eq!(from_env.verify_webhook(&signed(KEY, body), body).unwrap(), client);
    assert_eq!(
        kyc_idenfy::IdenfyWebhooks::from_vars([("HOME", "/root")]).unwrap_err().to_string(),
        "invalid idenfy configuration: IDENFY_WEBHOOK_KEY is not set"
    );
    let renamed = alone.with_name("idenfy-eu");
    assert_eq!(renamed.verify_webhook(&signed(KEY, body), body).unwrap().provider(), "idenfy-eu");
    let forged = renamed.verify_webhook(&signed("wrong", body), body).unwrap_err();
    assert_eq!(
        (forged.kind(), forged.provider()),
        (ErrorKind::InvalidSignature, Some("idenfy-eu"))
    );
    assert_eq!(forged.http_status(), None, "no HTTP status was involved");
    assert!(!format!("{renamed:?}").contains(KEY));
}
