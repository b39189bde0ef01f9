//! Sumsub's webhooks verified under every digest algorithm and normalized (every documented
//! type, one row of the event table each; <https://docs.sumsub.com/docs/user-verification-webhooks>),
//! and decisions polled from a real local server, signed over an empty body.

use http::{HeaderMap, HeaderValue};
use kyc_adapter::webhook::{HmacAlgorithm, hex_hmac_with};
use kyc_core::{
    ErrorKind, Outcome, SessionRef, Status, VerificationKind, VerificationResults, WebhookEvent,
    WebhookVerifier,
};
use kyc_sumsub::{Sumsub, SumsubWebhooks, signature};
use proptest::prelude::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "sbx:uY0CgwELmgUAEyl4hNWxLngb.0WSeQeiYny4WEqmAALEAiK2qTC96fBad";
const SECRET: &str = "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq";
/// The webhook secret the fixture's digests were computed with (Python's `hmac`).
const WEBHOOK_SECRET: &str = "whsec-example-0123456789";
const OLD_SECRET: &str = "whsec-previous";
const REVIEWED: &str = include_str!("../fixtures/applicant-reviewed-red-retry.json");
const APPLICANT: &str = include_str!("../fixtures/applicant.json");

const W2_SHA256: &str = "47b08c699de0d61cf017282638361b3d7d3223d5bfe75ac586a9a61c95d5d0d6";
const W2_SHA512: &str = "29a810f91bab6a23fd5f431252db61582bc2c0eb8979eb39e10c6cd48110eaaf0d30e00e03077520ed72851037ba790647dbf550f9a9abfb6e4da7e11869f305";
const W2_SHA1: &str = "2d0c50a32fd8e64bdeced94607b57560d5240aca";

fn webhooks() -> SumsubWebhooks {
    SumsubWebhooks::new(OLD_SECRET).with_key(WEBHOOK_SECRET)
}

fn headers(digest: Option<&str>, alg: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(digest) = digest {
        headers.insert("x-payload-digest", HeaderValue::from_str(digest).unwrap());
    }
    if let Some(alg) = alg {
        headers.insert("x-payload-digest-alg", HeaderValue::from_str(alg).unwrap());
    }
    headers
}

/// `body` signed under SHA-256 with the current secret.
fn signed(body: &str) -> HeaderMap {
    let digest = hex_hmac_with(HmacAlgorithm::Sha256, WEBHOOK_SECRET.as_bytes(), body.as_bytes());
    headers(Some(&digest), Some("HMAC_SHA256_HEX"))
}

fn verified(body: &str) -> WebhookEvent {
    webhooks().verify_webhook(&signed(body), body.as_bytes()).unwrap()
}

#[test]
fn the_documented_digests_verify_under_each_algorithm() {
    assert_eq!(REVIEWED.len(), 767, "the fixture's exact bytes");
    let body = REVIEWED.as_bytes();
    let verifier = webhooks();
    for (digest, alg) in [(W2_SHA256, "HMAC_SHA256_HEX"), (W2_SHA512, "HMAC_SHA512_HEX")] {
        let event = verifier.verify_webhook(&headers(Some(digest), Some(alg)), body).unwrap();
        assert_eq!(event.decision().unwrap().status, Status::ResubmissionRequested, "{alg}");
        // Upper-case hex, and the algorithm's name in any case.
        let upper = digest.to_uppercase();
        let lower_alg = alg.to_lowercase();
        assert!(verifier.verify_webhook(&headers(Some(&upper), Some(&lower_alg)), body).is_ok());
    }
    // No algorithm header: SHA-256, Sumsub's default.
    assert!(verifier.verify_webhook(&headers(Some(W2_SHA256), None), body).is_ok());
    let sha512 = verifier.clone().with_default_algorithm(HmacAlgorithm::Sha512);
    assert!(sha512.verify_webhook(&headers(Some(W2_SHA512), None), body).is_ok());
    assert!(sha512.verify_webhook(&headers(Some(W2_SHA256), None), body).is_err());
}

#[test]
fn legacy_sha1_is_refused_unless_allowed() {
    let body = REVIEWED.as_bytes();
    let sha1 = headers(Some(W2_SHA1), Some("HMAC_SHA1_HEX"));
    let refused = webhooks().verify_webhook(&sha1, body).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidSignature);
    assert_eq!(refused.vendor_code(), Some("HMAC_SHA1_HEX"));
    assert!(webhooks().allow_legacy_sha1().verify_webhook(&sha1, body).is_ok());
    let client = Sumsub::builder(TOKEN, SECRET)
        .with_webhook_secret(WEBHOOK_SECRET)
        .allow_legacy_sha1_webhooks()
        .build()
        .unwrap();
    assert!(client.verify_webhook(&sha1, body).is_ok());
    // Allowed, SHA-1 is still checked.
    let wrong = headers(Some(&W2_SHA1.replace('2', "3")), Some("HMAC_SHA1_HEX"));
    assert!(webhooks().allow_legacy_sha1().verify_webhook(&wrong, body).is_err());
    // SHA-1 as the default for deliveries that name no algorithm passes the same gate.
    let unnamed = headers(Some(W2_SHA1), None);
    let by_default = webhooks().with_default_algorithm(HmacAlgorithm::Sha1);
    assert_eq!(
        by_default.clone().verify_webhook(&unnamed, body).unwrap_err().kind(),
        ErrorKind::InvalidSignature
    );
    assert!(by_default.allow_legacy_sha1().verify_webhook(&unnamed, body).is_ok());
}

#[test]
fn forged_and_broken_deliveries_are_refused_before_parsing() {
    let body = REVIEWED.as_bytes();
    let verifier = webhooks();
    let invalid = |headers: HeaderMap, body: &[u8]| {
        let error = verifier.verify_webhook(&headers, body).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidSignature, "{error}");
        assert_eq!(error.outcome(), Outcome::NotSent);
    };
    // The compacted JSON and a trailing newline: the digest covers the raw bytes.
    let compacted =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(body).unwrap()).unwrap();
    invalid(headers(Some(W2_SHA256), Some("HMAC_SHA256_HEX")), &compacted);
    invalid(headers(Some(W2_SHA256), Some("HMAC_SHA256_HEX")), format!("{REVIEWED}\n").as_bytes());
    // The negative vectors' own digests are of other bytes.
    invalid(
        headers(
            Some("ae2dee20467c244a9383e61941abb5d5b657f39a9088c280ae29c8d0e3274b28"),
            Some("HMAC_SHA256_HEX"),
        ),
        body,
    );
    invalid(headers(None, Some("HMAC_SHA256_HEX")), body);
    invalid(headers(Some(""), Some("HMAC_SHA256_HEX")), body);
    invalid(headers(Some("zz"), Some("HMAC_SHA256_HEX")), body);
    // A digest of one algorithm named as another.
    invalid(headers(Some(W2_SHA256), Some("HMAC_SHA512_HEX")), body);
    invalid(headers(Some(W2_SHA512), Some("HMAC_SHA256_HEX")), body);
    invalid(headers(Some(W2_SHA256), Some("HMAC_MD5_HEX")), body);
    invalid(headers(Some(W2_SHA256), Some("")), body);
    // A secret not configured.
    let other = SumsubWebhooks::new("another-secret");
    let error = other.verify_webhook(&headers(Some(W2_SHA256), None), body).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidSignature);
    // Rotation: the previous secret still verifies.
    let old = hex_hmac_with(HmacAlgorithm::Sha256, OLD_SECRET.as_bytes(), body);
    assert!(verifier.verify_webhook(&headers(Some(&old), None), body).is_ok());
    // Too large, before anything else.
    let huge = vec![b' '; 1024 * 1024 + 1];
    let digest = hex_hmac_with(HmacAlgorithm::Sha256, WEBHOOK_SECRET.as_bytes(), &huge);
    let error = verifier.verify_webhook(&headers(Some(&digest), None), &huge).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    // No secret at all: a configuration error, unless unsigned deliveries are accepted.
    let none = SumsubWebhooks::from_keys(kyc_adapter::webhook::WebhookKeys::new("sumsub"));
    assert_eq!(
        none.verify_webhook(&headers(Some(W2_SHA256), None), body).unwrap_err().kind(),
        ErrorKind::Config
    );
    assert!(none.dangerously_accept_unsigned().verify_webhook(&HeaderMap::new(), body).is_ok());
}

#[test]
fn the_documented_review_webhook_normalizes() {
    let decision = verified(REVIEWED).into_decision().unwrap();
    assert_eq!(decision.provider, "sumsub");
    assert_eq!(decision.session_id, "user-42");
    assert_eq!(decision.client_id.as_deref(), Some("user-42"));
    assert_eq!(decision.kind, VerificationKind::Identity);
    assert_eq!(
        (decision.status, decision.vendor_status.as_str(), decision.is_final),
        (Status::ResubmissionRequested, "RED/RETRY", false)
    );
    assert_eq!(decision.event.as_deref(), Some("applicantReviewed"));
    assert_eq!(decision.details, ["UNSATISFACTORY_PHOTOS", "SCREENSHOTS"]);
    let reason = decision.reason.as_ref().unwrap();
    assert_eq!(reason.code.as_deref(), Some("RETRY"));
    assert!(reason.text.as_deref().unwrap().starts_with("We do not accept screenshots"));
    assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2024-05-14T16:00:25+00:00");
    // The internal comment is never read.
    assert!(
        !format!("{decision:?} {}", serde_json::to_string(&decision).unwrap())
            .contains("Screenshots are not accepted")
    );
    assert_eq!(decision.session(), SessionRef::identity("user-42"));
}

/// One `type` with its review fields, as Sumsub sends them.
fn hook(event_type: &str, extra: serde_json::Value) -> String {
    let mut body = json!({
        "applicantId": "5cb744200a975a67ed1798a4",
        "inspectionId": "5cb744200a975a67ed1798a5",
        "applicantType": "individual",
        "correlationId": "req-fa94263f-0b23-42d7-9393-ab10b28ef42d",
        "levelName": "basic-kyc-level",
        "sandboxMode": true,
        "externalUserId": "user-42",
        "type": event_type,
        "createdAtMs": "2024-05-14 16:00:25.032",
        "clientId": "coolClientId"
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    serde_json::to_string_pretty(&body).unwrap()
}

/// The event table of the results module, row by row, through the verifier.
#[test]
fn every_documented_event_type_maps_as_documented() {
    let green = json!({"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "GREEN"}});
    let retry = json!({"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "RED", "reviewRejectType": "RETRY", "rejectLabels": ["SCREENSHOTS"]}});
    let fin = json!({"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "RED", "reviewRejectType": "FINAL", "rejectLabels": ["FORGERY"]}});
    // A verdict riding on an interim event must not decide it.
    let on_hold = json!({"reviewStatus": "onHold", "reviewResult": {"reviewAnswer": "GREEN"}});
    let rows: Vec<(&str, serde_json::Value, Status, bool, &str)> = vec![
        ("applicantReviewed", green.clone(), Status::Approved, true, "GREEN"),
        ("applicantReviewed", retry.clone(), Status::ResubmissionRequested, false, "RED/RETRY"),
        ("applicantReviewed", fin.clone(), Status::Declined, true, "RED/FINAL"),
        (
            "applicantReviewed",
            json!({"reviewStatus": "completed"}),
            Status::Review,
            false,
            "completed",
        ),
        ("applicantWorkflowCompleted", green.clone(), Status::Approved, true, "GREEN"),
        ("applicantWorkflowCompleted", fin, Status::Declined, true, "RED/FINAL"),
        ("applicantCreated", json!({"reviewStatus": "init"}), Status::Created, false, "init"),
        (
            "applicantVerificationLinkOpened",
            json!({}),
            Status::Started,
            false,
            "applicantVerificationLinkOpened",
        ),
        (
            "applicantPending",
            json!({"reviewStatus": "pending"}),
            Status::Submitted,
            false,
            "pending",
        ),
        (
            "applicantPrechecked",
            json!({"reviewStatus": "prechecked"}),
            Status::Submitted,
            false,
            "prechecked",
        ),
        ("applicantOnHold", on_hold.clone(), Status::Review, false, "onHold"),
        (
            "applicantAwaitingService",
            json!({"reviewStatus": "awaitingService", "reviewResult": {"reviewAnswer": "GREEN"}}),
            Status::Review,
            false,
            "awaitingService",
        ),
        ("applicantWorkflowFailed", json!({}), Status::Review, false, "applicantWorkflowFailed"),
        (
            "applicantAwaitingUser",
            json!({"reviewStatus": "awaitingUser"}),
            Status::ResubmissionRequested,
            false,
            "awaitingUser",
        ),
        (
            "applicantReset",
            json!({"reviewStatus": "init", "reviewResult": {"reviewAnswer": "RED"}}),
            Status::Created,
            false,
            "init",
        ),
        ("applicantStepsReset", json!({}), Status::Created, false, "applicantStepsReset"),
        (
            "applicantLevelChanged",
            json!({"reviewStatus": "init", "previousLevelName": "a"}),
            Status::Created,
            false,
            "init",
        ),
        ("applicantActivated", green, Status::Approved, true, "GREEN"),
        (
            "applicantActivated",
            json!({"reviewStatus": "pending"}),
            Status::Submitted,
            false,
            "pending",
        ),
        ("applicantDeactivated", retry, Status::Expired, false, "completed"),
        ("applicantDeleted", json!({}), Status::Deleted, true, "applicantDeleted"),
        (
            "applicantPersonalDataDeleted",
            json!({}),
            Status::Deleted,
            true,
            "applicantPersonalDataDeleted",
        ),
    ];
    for (event_type, extra, status, is_final, vendor) in rows {
        let body = hook(event_type, extra.clone());
        let decision = verified(&body)
            .into_decision()
            .unwrap_or_else(|| panic!("{event_type}: not a decision"));
        assert_eq!(
            (decision.status, decision.is_final, decision.vendor_status.as_str()),
            (status, is_final, vendor),
            "{event_type} {extra}"
        );
        assert_eq!(decision.session_id, "user-42", "{event_type}");
        assert_eq!(decision.event.as_deref(), Some(event_type));
        assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2024-05-14T16:00:25.032+00:00");
        if status != Status::Approved
            && status != Status::Declined
            && event_type != "applicantReviewed"
        {
            assert!(decision.details.is_empty(), "{event_type}: labels only with a verdict");
        }
    }
}

#[test]
fn other_signed_events_are_notices() {
    for event_type in [
        "applicantPersonalInfoChanged",
        "applicantTagsChanged",
        "applicantActionPending",
        "applicantActionReviewed",
        "applicantActionOnHold",
        "applicantActionLevelChanged",
        "videoIdentStatusChanged",
        "videoIdentCompositionCompleted",
        "kybCompanyActivity",
        "aBrandNewType",
    ] {
        let event = verified(&hook(event_type, json!({})));
        let WebhookEvent::Notice(notice) = event else { panic!("{event_type}: not a notice") };
        assert_eq!(notice.event, event_type);
        assert_eq!(notice.session_id.as_deref(), Some("user-42"));
        assert_eq!(notice.payload["applicantId"], "5cb744200a975a67ed1798a4");
    }
    // An applicant this library did not create (no externalUserId), and a KYB beneficiary:
    // notices, whatever their type.
    let mut anonymous: serde_json::Value = serde_json::from_str(REVIEWED).unwrap();
    anonymous.as_object_mut().unwrap().remove("externalUserId");
    let body = anonymous.to_string();
    let event = verified(&body);
    assert_eq!((event.event(), event.session_id()), (Some("applicantReviewed"), None));
    assert!(event.decision().is_none());
    let beneficiary = hook(
        "applicantReviewed",
        json!({"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "GREEN"}, "applicantMemberOf": [{"applicantId": "c1"}]}),
    );
    assert!(verified(&beneficiary).decision().is_none());
    // A company's own review is a business decision.
    let company = hook(
        "applicantReviewed",
        json!({"applicantType": "company", "reviewStatus": "completed", "reviewResult": {"reviewAnswer": "GREEN"}}),
    );
    let decision = verified(&company).into_decision().unwrap();
    assert_eq!(decision.kind, VerificationKind::Business);
    assert_eq!(decision.session(), SessionRef::business("user-42"));
}

#[test]
fn signed_bodies_that_are_not_sumsubs_are_decode_errors() {
    for body in [
        "",
        "<html></html>",
        "[1]",
        "\"applicantReviewed\"",
        r#"{"type": 7}"#,
        r#"{"externalUserId": "u"}"#,
        r#"{"type":"applicantReviewed""#,
    ] {
        let error = webhooks().verify_webhook(&signed(body), body.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(error.outcome(), Outcome::NotSent);
        assert!(error.http_status().is_none());
    }
    // Wrong types in optional fields are ignored, never fatal.
    let odd = r#"{"type":"applicantReviewed","externalUserId":"u1","reviewStatus":7,"reviewResult":"GREEN","createdAt":false,"applicantMemberOf":"x"}"#;
    let decision = verified(odd).into_decision().unwrap();
    assert_eq!((decision.status, decision.is_final), (Status::Review, false));
}

#[test]
fn verifiers_come_from_the_webhook_secret_alone() {
    let verifier = SumsubWebhooks::from_vars([(
        "SUMSUB_WEBHOOK_SECRET",
        "whsec-new, whsec-example-0123456789",
    )])
    .unwrap();
    assert_eq!(verifier.keys().keys().len(), 2);
    assert!(verifier.verify_webhook(&headers(Some(W2_SHA256), None), REVIEWED.as_bytes()).is_ok());
    let missing = SumsubWebhooks::from_vars(Vec::<(String, String)>::new()).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "invalid sumsub configuration: SUMSUB_WEBHOOK_SECRET is not set"
    );
    let named = SumsubWebhooks::new(WEBHOOK_SECRET).with_name("sumsub-eu");
    let event = named.verify_webhook(&signed(REVIEWED), REVIEWED.as_bytes()).unwrap();
    assert_eq!(event.provider(), "sumsub-eu");
    assert!(!format!("{named:?}").contains(WEBHOOK_SECRET));
}

proptest! {
    /// Whatever is delivered and signed, verification never panics.
    #[test]
    fn arbitrary_signed_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let digest = hex_hmac_with(HmacAlgorithm::Sha256, WEBHOOK_SECRET.as_bytes(), &body);
        let _ = webhooks().verify_webhook(&headers(Some(&digest), None), &body);
    }

    /// Arbitrary JSON-ish bodies with a type: a decision, a notice or a decode error.
    #[test]
    fn arbitrary_event_fields_never_panic(
        event_type in "[a-zA-Z]{0,30}",
        status in prop_oneof![Just(json!("completed")), Just(json!(null)), ".{0,10}".prop_map(serde_json::Value::from), any::<i32>().prop_map(serde_json::Value::from)],
        answer in prop_oneof![Just(json!("GREEN")), Just(json!("RED")), ".{0,6}".prop_map(serde_json::Value::from), Just(json!([]))],
        reject in prop_oneof![Just(json!("RETRY")), Just(json!("FINAL")), Just(json!(1))],
        created in ".{0,30}",
    ) {
        let body = json!({
            "type": event_type, "externalUserId": "u1", "reviewStatus": status,
            "reviewResult": {"reviewAnswer": answer, "reviewRejectType": reject}, "createdAt": created
        }).to_string();
        let _ = webhooks().verify_webhook(&signed(&body), body.as_bytes());
    }

    /// Arbitrary headers never panic.
    #[test]
    fn arbitrary_digest_headers_never_panic(digest in "[ -~]{0,140}", alg in "[ -~]{0,30}") {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&digest) { headers.insert("x-payload-digest", value); }
        if let Ok(value) = HeaderValue::from_str(&alg) { headers.insert("x-payload-digest-alg", value); }
        let _ = webhooks().allow_legacy_sha1().verify_webhook(&headers, REVIEWED.as_bytes());
    }
}

const ONE: &str = "/resources/applicants/-;externalUserId=user-42/one";

async fn applicant_server(target_path: &str, status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(target_path))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Sumsub {
    Sumsub::builder(TOKEN, SECRET).with_base_url(server.uri()).build().unwrap()
}

/// The one request `server` received, its signature checked over the received target and an
/// empty body.
async fn signed_get(server: &MockServer) -> String {
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method.as_str(), "GET");
    assert!(request.body.is_empty(), "a GET has no body");
    assert!(request.headers.get("content-type").is_none());
    let ts: i64 = request.headers["x-app-access-ts"].to_str().unwrap().parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() <= 5);
    let target = match request.url.query() {
        Some(query) => format!("{}?{query}", request.url.path()),
        None => request.url.path().to_owned(),
    };
    assert_eq!(
        request.headers["x-app-access-sig"].to_str().unwrap(),
        signature(SECRET.as_bytes(), ts, "GET", &target, b""),
    );
    assert_eq!(request.headers["x-app-token"], TOKEN);
    target
}

#[tokio::test]
async fn polling_reads_the_applicant_by_its_external_user_id() {
    let server = applicant_server(ONE, 200, APPLICANT).await;
    let decision = client(&server).poll_decision(&"user-42".into()).await.unwrap().unwrap();
    assert_eq!(signed_get(&server).await, ONE);
    assert_eq!(decision.session_id, "user-42");
    assert_eq!(decision.client_id.as_deref(), Some("user-42"));
    assert_eq!(
        (decision.status, decision.is_final, decision.vendor_status.as_str()),
        (Status::ResubmissionRequested, false, "RED/RETRY")
    );
    assert_eq!(decision.attempt_id.as_deref(), Some("fVrYv"));
    assert_eq!(decision.decided_at.unwrap().to_rfc3339(), "2023-10-16T13:41:02+00:00");
    assert_eq!(decision.details, ["UNSATISFACTORY_PHOTOS", "SCREENSHOTS"]);
    assert!(decision.event.is_none());
}

#[tokio::test]
async fn another_person_s_applicant_is_never_their_decision() {
    // Asked for user-43, the server answers with user-42's applicant: refused, not reported.
    let other = ONE.replace("user-42", "user-43");
    let server = applicant_server(&other, 200, APPLICANT).await;
    let error = client(&server).poll_decision(&"user-43".into()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
}

#[tokio::test]
async fn polling_encodes_the_id_and_signs_it_encoded() {
    let encoded = "/resources/applicants/-;externalUserId=user%40example.com/one";
    let server = applicant_server(encoded, 200, APPLICANT).await;
    // The fixture is another person's applicant (refused as such): what was sent is the point.
    let _ = client(&server).poll_decision(&"user@example.com".into()).await;
    assert_eq!(signed_get(&server).await, encoded);
    // Vector V6: the encoded form is what is signed.
    assert_eq!(
        signature(SECRET.as_bytes(), 1700000000, "GET", encoded, b""),
        "2bbb2428d460bd5a11b044d62b51c9823ba5a1818ccea826d0fe924fb5eae152"
    );
    // A slash or `..` cannot leave the path segment.
    let server =
        applicant_server("/resources/applicants/-;externalUserId=..%2Fx/one", 200, APPLICANT).await;
    let _ = client(&server).poll_decision(&"../x".into()).await;
    signed_get(&server).await;
}

#[tokio::test]
async fn polling_states_map_as_documented() {
    let cases = [
        (json!({"id": "a", "review": {"reviewStatus": "init"}}), Status::Created, false),
        (json!({"id": "a", "review": {"reviewStatus": "pending"}}), Status::Submitted, false),
        (
            json!({"id": "a", "review": {"reviewStatus": "onHold", "reviewResult": {"reviewAnswer": "GREEN"}}}),
            Status::Review,
            false,
        ),
        (
            json!({"id": "a", "review": {"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "GREEN"}}}),
            Status::Approved,
            true,
        ),
        (
            json!({"id": "a", "review": {"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "RED", "reviewRejectType": "FINAL"}}}),
            Status::Declined,
            true,
        ),
        (
            json!({"id": "a", "deleted": true, "review": {"reviewStatus": "completed", "reviewResult": {"reviewAnswer": "GREEN"}}}),
            Status::Expired,
            false,
        ),
        (json!({"id": "a"}), Status::Created, false),
        (json!({"id": "a", "review": "odd"}), Status::Created, false),
    ];
    for (body, status, is_final) in cases {
        let server = applicant_server(ONE, 200, &body.to_string()).await;
        let decision = client(&server).poll_decision(&"user-42".into()).await.unwrap().unwrap();
        assert_eq!((decision.status, decision.is_final), (status, is_final), "{body}");
    }
}

#[tokio::test]
async fn an_unknown_applicant_is_nothing_to_report_but_an_html_404_is_an_error() {
    let not_found = r#"{"description":"Applicant not found","code":404,"correlationId":"req-1"}"#;
    let server = applicant_server(ONE, 404, not_found).await;
    assert_eq!(client(&server).poll_decision(&"user-42".into()).await.unwrap(), None);
    signed_get(&server).await;
    let server = applicant_server(ONE, 404, "<html>Not Found</html>").await;
    let error = client(&server).poll_decision(&"user-42".into()).await.unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Rejected, Some(404)));
}

#[tokio::test]
async fn polling_errors_and_hostile_answers_are_classified() {
    let rows = [
        (401, r#"{"description":"x","code":401,"errorCode":4004}"#, ErrorKind::Config),
        (401, r#"{"description":"x","code":401,"errorCode":4003}"#, ErrorKind::Unauthenticated),
        (403, r#"{"description":"no View applicants","code":403}"#, ErrorKind::Forbidden),
        (429, "", ErrorKind::RateLimited),
        (500, "<html>oops</html>", ErrorKind::Unavailable),
        (200, "<html>hi</html>", ErrorKind::Decode),
        (200, r#"{"review": {}}"#, ErrorKind::Decode),
        (200, r#"{"id": 5}"#, ErrorKind::Decode),
        (200, r#"{"id":"a","review":{"reviewStatus":"compl"#, ErrorKind::Decode),
    ];
    for (status, body, kind) in rows {
        let server = applicant_server(ONE, status, body).await;
        let error = client(&server).poll_decision(&"user-42".into()).await.unwrap_err();
        assert_eq!(error.kind(), kind, "{status} {body}: {error}");
    }
}

#[tokio::test]
async fn polling_refuses_before_sending_what_cannot_be_asked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let sumsub = client(&server);
    let error = sumsub.poll_decision(&SessionRef::business("acme-1")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unsupported, Outcome::NotSent));
    for id in ["", "  "] {
        let error = sumsub.poll_decision(&id.into()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert_eq!(error.invalid_fields()[0].field(), "sessionId");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    // With a KYB level, business sessions are polled the same way.
    let server = applicant_server(
        "/resources/applicants/-;externalUserId=acme-1/one",
        200,
        r#"{"id":"c","type":"company","review":{"reviewStatus":"init"}}"#,
    )
    .await;
    let sumsub = Sumsub::builder(TOKEN, SECRET)
        .with_base_url(server.uri())
        .with_kyb_level("kyb")
        .build()
        .unwrap();
    let decision = sumsub.poll_decision(&SessionRef::business("acme-1")).await.unwrap().unwrap();
    assert_eq!(decision.kind, VerificationKind::Business);
}
