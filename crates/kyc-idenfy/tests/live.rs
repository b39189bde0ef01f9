//! Against the real iDenfy API, when `IDENFY_API_KEY` and `IDENFY_API_SECRET` are set (and
//! `IDENFY_BASE_URL`, if not the default). Each run creates one real token, which costs a
//! verification credit unless the keys are for iDenfy's DEV environment. Without credentials the
//! test says why it skips and passes.

use kyc_core::{ClientId, ErrorKind, SessionRequest, VerificationSession};
use kyc_idenfy::{Idenfy, IdenfyBuilder};

fn live_client() -> Option<Idenfy> {
    let has = |name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    if !(has("IDENFY_API_KEY") && has("IDENFY_API_SECRET")) {
        eprintln!("skipping live iDenfy test: set IDENFY_API_KEY and IDENFY_API_SECRET to run it");
        return None;
    }
    Some(IdenfyBuilder::from_env().and_then(IdenfyBuilder::build).expect("valid configuration"))
}

#[tokio::test]
async fn creates_a_real_session() {
    let Some(idenfy) = live_client() else { return };
    let client_id = ClientId::new(format!("kyc-live-test-{}", std::process::id())).unwrap();
    let session = idenfy
        .create_session(&SessionRequest::new(client_id.clone()))
        .await
        .unwrap_or_else(|error| panic!("live iDenfy call failed: {error} ({error:?})"));
    assert_eq!(session.client_id, client_id);
    assert!(!session.id.is_empty());
    assert_eq!(session.url.scheme(), "https");
}

#[tokio::test]
async fn wrong_credentials_are_unauthenticated() {
    let Some(live) = live_client() else { return };
    let wrong = Idenfy::builder("kyc-wrong-key", "kyc-wrong-secret")
        .with_base_url(live.base_url().as_str())
        .build()
        .unwrap();
    let error = wrong
        .create_session(&SessionRequest::new(ClientId::new("kyc-live-test").unwrap()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthenticated, "{error} ({error:?})");
}
