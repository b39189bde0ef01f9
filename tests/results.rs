//! One entry point for results across vendors: webhooks verified and sessions polled by the
//! provider name a `Session` carries, a renamed provider included, on the emulator.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kyc::{
    ClientId, ErrorKind, Failover, Results, SessionRequest, Status, VeriffWebhooks,
    VerificationSession, WebhookVerifier,
};

/// The variable `name` among the emulator's.
fn var(emulator: &kyc_emulator::RunningEmulator, name: &str) -> String {
    emulator.vars().into_iter().find(|(key, _)| *key == name).map(|(_, value)| value).unwrap()
}

fn signed(header: &str, key: &str, body: &[u8]) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    let signature = kyc::veriff::signature(key.as_bytes(), body);
    headers.insert(
        http::HeaderName::from_bytes(header.as_bytes()).unwrap(),
        signature.parse().unwrap(),
    );
    headers
}

#[tokio::test]
async fn webhooks_and_polls_reach_the_provider_that_created_the_session() {
    let emulator = support::emulator().await;
    // iDenfy under another name, as a second iDenfy account would be.
    let idenfy = Arc::new(
        support::idenfy(&emulator)
            .with_name("idenfy-eu")
            .with_min_poll_interval(Duration::ZERO)
            .build()
            .unwrap(),
    );
    let veriff = Arc::new(support::veriff(&emulator).build().unwrap());
    let results = Results::new().with(Arc::clone(&idenfy)).with(Arc::clone(&veriff));
    assert_eq!(results.providers().collect::<Vec<_>>(), ["idenfy-eu", "veriff"]);

    // Sessions from a failover chain: each says which provider created it.
    let chain = Failover::new(vec![Arc::clone(&idenfy) as _, Arc::clone(&veriff) as _]);
    let request = SessionRequest::new(ClientId::new("user-1").unwrap());
    let first = chain.create_session(&request).await.unwrap();
    assert_eq!(first.provider, "idenfy-eu");
    let polled = results.poll_session(&first).await.unwrap().expect("iDenfy reports a status");
    assert_eq!((polled.provider.as_str(), polled.status), ("idenfy-eu", Status::Created));
    let second = veriff.create_session(&request).await.unwrap();
    assert_eq!(results.poll_session(&second).await.unwrap(), None, "no Veriff decision yet");

    // Webhooks, named by the provider they came from.
    let idenfy_hook = include_bytes!("../crates/kyc-idenfy/fixtures/webhook.json");
    let key = var(&emulator, "IDENFY_WEBHOOK_KEY");
    let decision = results
        .verify_webhook("idenfy-eu", &signed("idenfy-signature", &key, idenfy_hook), idenfy_hook)
        .unwrap()
        .into_decision()
        .expect("a decision");
    assert_eq!((decision.provider.as_str(), decision.status), ("idenfy-eu", Status::Approved));
    let veriff_hook = include_bytes!("../crates/kyc-veriff/fixtures/decision-webhook.json");
    let secret = var(&emulator, "VERIFF_SHARED_SECRET");
    let headers = signed("x-hmac-signature", &secret, veriff_hook);
    assert_eq!(
        results
            .verify_webhook("veriff", &headers, veriff_hook)
            .unwrap()
            .decision()
            .map(|d| d.status),
        Some(Status::Approved)
    );
    // Signed for one provider, presented as another's: refused.
    let forged = results.verify_webhook("idenfy-eu", &headers, veriff_hook).unwrap_err();
    assert_eq!(forged.kind(), ErrorKind::InvalidSignature);
    let unknown = results.verify_webhook("idenfy", &headers, veriff_hook).unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::Config, "the renamed provider is not under its old name");
}

#[tokio::test]
async fn an_endpoint_with_only_webhook_secrets_verifies_but_cannot_poll() {
    let emulator = support::emulator().await;
    let webhooks: Arc<dyn WebhookVerifier> =
        Arc::new(VeriffWebhooks::from_vars(emulator.vars()).unwrap());
    let results = Results::new().with_webhooks("veriff", webhooks);
    let body = include_bytes!("../crates/kyc-veriff/fixtures/decision-webhook.json");
    let secret = var(&emulator, "VERIFF_SHARED_SECRET");
    let event =
        results.verify_webhook("veriff", &signed("x-hmac-signature", &secret, body), body).unwrap();
    let decision = event.into_decision().expect("a decision");
    assert_eq!(decision.status, Status::Approved);
    let error = results.poll_decision("veriff", &decision.session()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(error.to_string().contains("only its webhooks"), "{error}");
}
