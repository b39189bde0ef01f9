//! Against the real Sumsub API, when `SUMSUB_APP_TOKEN` is set to a sandbox token (`sbx:...`,
//! <https://docs.sumsub.com/docs/app-tokens>) with `SUMSUB_SECRET_KEY` (and `SUMSUB_LEVEL_NAME`
//! for a level other than `basic-kyc-level`). Each run makes one link and polls it; sandbox
//! applicants count against the sandbox's daily quota only. A production token is never used:
//! the test says why it skips and passes.

use kyc_core::{ClientId, Person, SessionRequest, VerificationResults, VerificationSession};
use kyc_sumsub::{Sumsub, SumsubBuilder};

fn live_client() -> Option<Sumsub> {
    let token = std::env::var("SUMSUB_APP_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        eprintln!(
            "skipping live Sumsub test: set SUMSUB_APP_TOKEN (a sandbox token, sbx:...) and \
             SUMSUB_SECRET_KEY to run it"
        );
        return None;
    }
    if !token.trim().starts_with("sbx:") {
        eprintln!("skipping live Sumsub test: SUMSUB_APP_TOKEN is not a sandbox token (sbx:...)");
        return None;
    }
    Some(SumsubBuilder::from_env().and_then(SumsubBuilder::build).expect("valid configuration"))
}

#[tokio::test]
async fn creates_a_real_link_and_polls_it() {
    let Some(sumsub) = live_client() else { return };
    assert!(sumsub.is_sandbox());
    let client_id = ClientId::new(format!("kyc-live-test-{}", std::process::id())).unwrap();
    let request = SessionRequest::new(client_id.clone())
        .with_person(Person::default().with_email("kyc-live-test@example.com"));
    let session = sumsub.create_session(&request).await.unwrap_or_else(|error| {
        let support = kyc_sumsub::correlation_id(&error).unwrap_or("-");
        panic!("live Sumsub call failed: {error} ({error:?}), correlationId {support}")
    });
    assert_eq!(session.id, client_id.as_str());
    assert_eq!(session.url.scheme(), "https");
    // Whether the link alone creates the applicant is not documented: either answer is fine,
    // an error is not.
    let polled = sumsub.poll_decision(&session.reference()).await;
    if let Err(error) = &polled {
        panic!("live Sumsub poll failed: {error} ({error:?})");
    }
    eprintln!("live Sumsub poll: {:?}", polled.unwrap().map(|d| d.status));
}
