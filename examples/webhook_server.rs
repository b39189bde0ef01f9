//! A webhook receiver for both vendors: verifies each webhook's signature over the raw body,
//! answers at once (2xx, or 401 on a bad signature), and prints the normalized result.
//!
//! ```sh
//! cargo run --example webhook_server                 # listens on 127.0.0.1:3000
//! cargo run --example webhook_server -- 0.0.0.0:3000
//! ```
//!
//! Point iDenfy's notifications at `/webhooks/idenfy` (signing key in `IDENFY_WEBHOOK_KEY`) and
//! Veriff's decision and event webhooks at `/webhooks/veriff` (`VERIFF_SHARED_SECRET`); a
//! receiver needs the signing keys only, no API credentials. Without them it runs against the
//! emulator: it starts one that sends its webhooks here, creates a session at each vendor,
//! approves it as a person would (`RunningEmulator::decide`), and prints what arrives.
//! Verifiers and adapters are configured from the emulator's variables exactly as from real
//! ones. One `kyc::Results` holds every vendor's verifier, so one route serves them all.

#[path = "support/emulator.rs"]
mod support;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kyc::{
    ClientId, ErrorKind, IdenfyWebhooks, Results, SessionRequest, VeriffWebhooks,
    VerificationSession, WebhookEvent, WebhookVerifier,
};
use kyc_emulator::{Choice, Vendor};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let here = format!("http://{}", listener.local_addr()?);
    let configured = std::env::var_os("IDENFY_WEBHOOK_KEY").is_some()
        || std::env::var_os("VERIFF_SHARED_SECRET").is_some();

    let mut emulator = None;
    // A vendor whose key is not configured is left out: its webhooks are then refused.
    let mut results = Results::new();
    if configured {
        if std::env::var_os("IDENFY_WEBHOOK_KEY").is_some() {
            results = results.with_webhooks("idenfy", verifier(IdenfyWebhooks::from_env()?));
        }
        if std::env::var_os("VERIFF_SHARED_SECRET").is_some() {
            results = results.with_webhooks("veriff", verifier(VeriffWebhooks::from_env()?));
        }
    } else {
        let running = kyc_emulator::Emulator::builder()
            .with_idenfy_webhook_url(format!("{here}/webhooks/idenfy"))
            .with_veriff_webhook_url(format!("{here}/webhooks/veriff"))
            .start()
            .await?;
        eprintln!(
            "note: no webhook keys set; using the built-in emulator at {}",
            running.address()
        );
        results = results
            .with_webhooks("idenfy", verifier(IdenfyWebhooks::from_vars(running.vars())?))
            .with_webhooks("veriff", verifier(VeriffWebhooks::from_vars(running.vars())?));
        emulator = Some(running);
    }

    let app =
        Router::new().route("/webhooks/{provider}", post(webhook)).with_state(Arc::new(results));
    println!("listening on {here}/webhooks/idenfy and {here}/webhooks/veriff");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    if let Some(emulator) = &emulator {
        // `decide` returns once the emulator's webhooks were delivered here.
        approve_one_session_each(emulator).await?;
        return Ok(());
    }
    server.await??;
    Ok(())
}

fn verifier(webhooks: impl WebhookVerifier + 'static) -> Arc<dyn WebhookVerifier> {
    Arc::new(webhooks)
}

/// Verify, answer at once, hand the result on (here: print it).
async fn webhook(
    State(results): State<Arc<Results>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match results.verify_webhook(&provider, &headers, &body) {
        Ok(WebhookEvent::Decision(decision)) => {
            println!(
                "{}: {} {} is {} (final: {}, event: {})",
                decision.provider,
                decision.kind,
                decision.session_id,
                decision.status,
                decision.is_final,
                decision.event.as_deref().unwrap_or("-")
            );
            StatusCode::OK
        }
        // Signed, but not about where a session stands (a document about to expire, a
        // watchlist hit): accepted, so the vendor does not retry it, and handed on.
        Ok(event) => {
            println!(
                "{}: {} for session {}",
                event.provider(),
                event.event().unwrap_or("an event"),
                event.session_id().unwrap_or("-")
            );
            StatusCode::OK
        }
        // A bad signature, or no key configured for this vendor: not a delivery to accept.
        Err(error) if matches!(error.kind(), ErrorKind::InvalidSignature | ErrorKind::Config) => {
            eprintln!("refused a webhook: {error}");
            StatusCode::UNAUTHORIZED
        }
        Err(error) => {
            eprintln!("refused a webhook: {error}");
            StatusCode::BAD_REQUEST
        }
    }
}

/// Creates a session at each emulated vendor, through adapters configured from the emulator's
/// variables, and approves both as a person would: the emulator then sends the webhooks.
async fn approve_one_session_each(
    emulator: &kyc_emulator::RunningEmulator,
) -> Result<(), Box<dyn std::error::Error>> {
    let (idenfy, veriff) = support::adapters(emulator)?;
    let request = SessionRequest::new(ClientId::new("webhook-example")?);
    for (vendor, session) in [
        (Vendor::Idenfy, idenfy.create_session(&request).await?),
        (Vendor::Veriff, veriff.create_session(&request).await?),
    ] {
        emulator.decide(vendor, &session.id, Choice::Approve).await?;
    }
    Ok(())
}
