//! Against the real Onfido API, when `ONFIDO_API_TOKEN` is set to a sandbox token
//! (`api_sandbox…`, <https://developers.onfido.com/guide/get-started-integrating/>) with
//! `ONFIDO_WORKFLOW_ID` (an active Studio workflow of that account) and `ONFIDO_REGION` when
//! it is not `eu`. Each run creates one applicant and one workflow run, polls the run, and
//! erases the applicant; sandbox runs are not charged. A live token is never used: the test
//! says why it skips and passes.

use kyc_core::{
    ClientId, Person, SessionErasure, SessionRequest, VerificationResults, VerificationSession,
};
use kyc_onfido::{Onfido, OnfidoBuilder};

fn live_client() -> Option<Onfido> {
    let token = std::env::var("ONFIDO_API_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        eprintln!(
            "skipping live Onfido test: set ONFIDO_API_TOKEN (a sandbox token, api_sandbox...) \
             and ONFIDO_WORKFLOW_ID to run it"
        );
        return None;
    }
    if !token.trim().starts_with("api_sandbox") {
        eprintln!("skipping live Onfido test: ONFIDO_API_TOKEN is not a sandbox token");
        return None;
    }
    Some(OnfidoBuilder::from_env().and_then(OnfidoBuilder::build).expect("valid configuration"))
}

#[tokio::test]
async fn creates_a_real_run_polls_and_erases_it() {
    let Some(onfido) = live_client() else { return };
    assert!(onfido.is_sandbox());
    let client_id = ClientId::new(format!("kyc-live-test-{}", std::process::id())).unwrap();
    let request = SessionRequest::new(client_id)
        .with_person(Person::default().with_first_name("Kyc").with_last_name("Livetest"));
    let session = onfido
        .create_session(&request)
        .await
        .unwrap_or_else(|error| panic!("live Onfido call failed: {error} ({error:?})"));
    assert_eq!(session.url.scheme(), "https");
    let decision = onfido
        .poll_decision(&session.reference())
        .await
        .unwrap_or_else(|error| panic!("live Onfido poll failed: {error} ({error:?})"));
    eprintln!("live Onfido poll: {:?}", decision.map(|d| (d.status, d.vendor_status)));
    onfido
        .erase_session(&session.reference())
        .await
        .unwrap_or_else(|error| panic!("live Onfido erasure failed: {error} ({error:?})"));
}
