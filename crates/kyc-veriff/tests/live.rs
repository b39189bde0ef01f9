//! Against the real Veriff API, when `VERIFF_API_KEY` is set (with `VERIFF_BASE_URL`, the
//! integration's API URL, and `VERIFF_SHARED_SECRET` to sign). Each run creates one session;
//! sessions of test integrations are not billed. Without credentials the test says why it
//! skips and passes.

use kyc_core::{ClientId, Person, SessionRequest, VerificationSession};
use kyc_veriff::{Veriff, VeriffBuilder};

fn live_client() -> Option<Veriff> {
    if !std::env::var("VERIFF_API_KEY").is_ok_and(|v| !v.trim().is_empty()) {
        eprintln!("skipping live Veriff test: set VERIFF_API_KEY (and VERIFF_BASE_URL) to run it");
        return None;
    }
    Some(VeriffBuilder::from_env().and_then(VeriffBuilder::build).expect("valid configuration"))
}

#[tokio::test]
async fn creates_a_real_session() {
    let Some(veriff) = live_client() else { return };
    let client_id = ClientId::new(format!("kyc-live-test-{}", std::process::id())).unwrap();
    // "Approve" as the first name makes a test integration approve the session by itself.
    let request = SessionRequest::new(client_id.clone())
        .with_person(Person::default().with_first_name("Approve").with_last_name("Tester"));
    let session = veriff
        .create_session(&request)
        .await
        .unwrap_or_else(|error| panic!("live Veriff call failed: {error} ({error:?})"));
    assert_eq!(session.client_id, client_id);
    assert_eq!(session.url.scheme(), "https");
    assert!(kyc_adapter::is_uuid(&session.id), "Veriff session ids are UUIDs");
}
