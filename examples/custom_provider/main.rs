//! A third party's adapter for its own vendor: Acme ID, a made-up identity-verification API,
//! plugged into `kyc` through the public adapter kit. Runs offline against a loopback stand-in
//! for Acme's API.
//!
//! ```sh
//! cargo run --example custom_provider
//! ```
//!
//! - [`acme`]: the adapter, laid out as its own crate would be (read it with
//!   `docs/writing-a-provider.md`);
//! - [`server`]: the stand-in for Acme's API;
//! - this file: an application using the adapter like any other provider: a session, its link,
//!   a signed webhook, a poll, and the adapter inside a failover chain next to a stub.

mod acme;
// Shared with the test (tests/custom_provider.rs), which also drives the faults and verdicts
// this walk-through does not show.
#[allow(dead_code)]
mod server;

use std::sync::Arc;
use std::time::Duration;

use kyc::{
    ClientId, ErrorKind, Failover, Locale, Person, Redirects, SessionRequest, StubProvider,
    VerificationResults, VerificationSession, WebhookVerifier,
};

use kyc_adapter::webhook::WebhookFormat;

use acme::{AcmeBuilder, AcmeOptions, AcmeWebhookFormat, AcmeWebhooks, Workflow};
use server::{AcmeServer, Verdict};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = AcmeServer::start().await?;

    // In production `from_vars(std::env::vars())`; here the same reader gets the stand-in's
    // values, so the configuration path is the real one.
    let acme = AcmeBuilder::from_vars([
        ("ACME_API_KEY", server::API_KEY),
        ("ACME_BASE_URL", server.base_url()),
    ])?
    .with_webhook_key(server::WEBHOOK_KEY)
    .with_timeout(Duration::from_secs(5))
    .build()?;
    println!("adapter: {acme:?}");
    println!("(Acme's production API: {})", acme::DEFAULT_BASE_URL);

    let caps = acme::capabilities();
    let languages: Vec<&str> =
        caps.identity.iter().flat_map(|caps| caps.locales.iter().map(|l| l.as_ref())).collect();
    println!("acme offers identity checks in {}", languages.join(", "));

    let request = SessionRequest::new(ClientId::new("user-42")?)
        .with_person(Person::default().with_first_name("Jane").with_last_name("O'Hara"))
        .with_locale(Locale::En)
        .with_redirects(Redirects::default().with_success("https://app.example/kyc/done".parse()?))
        .with_link_validity(Duration::from_secs(3600))
        .with_options(
            AcmeOptions::default().with_workflow(Workflow::Standard).with_max_attempts(3),
        );
    // Typed in the builder chain, carried as JSON under the adapter's key.
    println!("options sent: {}", request.provider_options[acme::OPTIONS_KEY]);
    let session = acme.create_session(&request).await?;
    println!("send the person to {}", session.url);
    let expires_at = session.expires_at.map_or_else(|| "unknown".to_owned(), |at| at.to_rfc3339());
    println!("check {} expires at {expires_at}", session.id);

    let decision = acme.poll_decision(&session.reference()).await?;
    println!("before the link is opened: {:?}", decision.map(|d| d.status));
    // The person opens the link: Acme's hosted page starts the check.
    reqwest::get(session.url.clone()).await?.error_for_status()?;
    let decision = acme.poll_decision(&session.reference()).await?;
    println!("after the link is opened: {:?}", decision.map(|d| d.status));

    // A results endpoint needs only the signing key, never the API key; a second key is how a
    // rotation looks while both are live.
    let webhooks = AcmeWebhooks::new(server::WEBHOOK_KEY).with_key("whsec_next_key");
    let delivery = server.decide(&session.id, Verdict::Passed).ok_or("unknown check")?;
    println!("webhook signed in {}", AcmeWebhookFormat::SIGNATURE_HEADER);
    let event = webhooks.verify_webhook(&delivery.headers(), &delivery.body)?;
    let decision = event.into_decision().ok_or("Acme sends decisions only")?;
    println!(
        "webhook: {} for {:?}: {} (final: {})",
        decision.session_id, decision.client_id, decision.status, decision.is_final
    );
    let mut forged = delivery.body.clone();
    forged.extend_from_slice(b" ");
    let refused = acme.webhooks().verify_webhook(&delivery.headers(), &forged).err();
    println!("a tampered webhook: {:?}", refused.map(|e| e.kind()));
    let polled = acme.poll_decision(&session.reference()).await?;
    println!("polled: {:?}", polled.map(|d| (d.status, d.is_final)));

    // Acme is one provider among others: with its plan used up (402), failover serves the
    // person elsewhere, and the attempts say what happened.
    server.set_quota(Some(0));
    let failover = Failover::new(vec![
        Arc::new(acme.clone()) as Arc<dyn VerificationSession>,
        Arc::new(StubProvider::new("stub")),
    ]);
    let session = failover.create_session(&request).await?;
    println!("failover served by {}", session.provider);
    for attempt in &session.attempts {
        println!("  {}: {:?}", attempt.provider, attempt.error);
    }
    // A name only Acme refuses is not the caller's mistake: failover moves on without sending.
    let sent = server.create_requests();
    let digits = request.clone().with_person(Person::default().with_first_name("R2D2"));
    let error = acme.create_session(&digits).await.err();
    println!("acme alone on a name with digits: {:?}", error.as_ref().map(|e| e.kind()));
    assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Unsupported));
    let session = failover.create_session(&digits).await?;
    println!("failover on the same request: {}", session.provider);
    assert_eq!(server.create_requests(), sent, "refused requests are never sent");
    Ok(())
}
