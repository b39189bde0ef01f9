//! iDenfy's webhooks verified and normalized, and statuses polled from a real local server.

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use kyc_core::{ErrorKind, Status, VerificationResults, WebhookVerifier};
use kyc_idenfy::Idenfy;
use serde_json::json;
use wiremock::matchers::{basic_auth, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "webhook-signing-key";
const OLD_KEY: &str = "previous-signing-key";
const WEBHOOK: &str = include_str!("../fixtures/webhook.json");

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

fn signed(key: &str, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("idenfy-signature", HeaderValue::from_str(&hmac_hex(key, body)).unwrap());
    headers.insert("idenfy-event-type", HeaderValue::from_static("IDENTIFICATION_AUTO_FINISHED"));
    headers
}

#[test]
fn the_documented_webhook_verifies_and_normalizes() {
    let decision =
        idenfy().verify_webhook(&signed(KEY, WEBHOOK.as_bytes()), WEBHOOK.as_bytes()).unwrap();
    assert_eq!((decision.provider.as_str(), decision.session_id.as_str()), ("idenfy", "scan-ref"));
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
    let decision =
        idenfy().verify_webhook(&signed(KEY, unknown.as_bytes()), unknown.as_bytes()).unwrap();
    assert_eq!(
        (decision.status, decision.vendor_status.as_str()),
        (Status::Unknown, "NOT_REVIEWED")
    );
    let legacy = json!({"scanRef": "s", "clientId": "c", "status": {"overall": "EXPIRED-DELETED"}})
        .to_string();
    let decision =
        idenfy().verify_webhook(&signed(KEY, legacy.as_bytes()), legacy.as_bytes()).unwrap();
    assert_eq!(
        (decision.status, decision.is_final),
        (Status::Expired, true),
        "no `final`: derived"
    );
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
    let decision =
        idenfy.poll_decision("328c6766-934e-11ed-bb9b-025ad99a18e7").await.unwrap().unwrap();
    assert_eq!((decision.status, decision.is_final), (Status::Suspected, true));
    assert_eq!(decision.client_id.as_deref(), Some("W2GL2K333Y"));
    assert!(decision.details.contains(&"mismatchTags:NAME".to_owned()));
    let again = idenfy.poll_decision("328c6766-934e-11ed-bb9b-025ad99a18e7").await.unwrap_err();
    // Held back here, not refused by iDenfy: the error says nothing was sent.
    assert_eq!(
        (again.kind(), again.outcome()),
        (ErrorKind::RateLimited, kyc_core::Outcome::NotSent)
    );
    assert!(again.to_string().contains("nothing was sent"), "{again}");
    assert!(again.retry_after().unwrap() > Duration::from_secs(59));
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
    assert_eq!(renamed.verify_webhook(&signed(KEY, body), body).unwrap().provider, "idenfy-eu");
    let forged = renamed.verify_webhook(&signed("wrong", body), body).unwrap_err();
    assert_eq!(
        (forged.kind(), forged.provider()),
        (ErrorKind::InvalidSignature, Some("idenfy-eu"))
    );
    assert_eq!(forged.http_status(), None, "no HTTP status was involved");
    assert!(!format!("{renamed:?}").contains(KEY));
}
