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
//! approves it on the emulator's page, and prints what arrives. Verifiers and adapters are
//! configured from the emulator's variables exactly as from real ones.

#[path = "support/emulator.rs"]
mod support;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kyc::{
    ClientId, ErrorKind, IdenfyWebhooks, SessionRequest, VeriffWebhooks, VerificationSession,
    WebhookVerifier,
};

/// One verifier per vendor, each built from that vendor's signing keys alone; `None` for a
/// vendor whose key is not configured (its webhooks are then refused).
struct Receivers {
    idenfy: Option<IdenfyWebhooks>,
    veriff: Option<VeriffWebhooks>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let here = format!("http://{}", listener.local_addr()?);
    let configured = std::env::var_os("IDENFY_WEBHOOK_KEY").is_some()
        || std::env::var_os("VERIFF_SHARED_SECRET").is_some();

    let mut emulator = None;
    let receivers = if configured {
        Receivers {
            idenfy: std::env::var_os("IDENFY_WEBHOOK_KEY")
                .map(|_| IdenfyWebhooks::from_env())
                .transpose()?,
            veriff: std::env::var_os("VERIFF_SHARED_SECRET")
                .map(|_| VeriffWebhooks::from_env())
                .transpose()?,
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
        let receivers = Receivers {
            idenfy: Some(IdenfyWebhooks::from_vars(running.vars())?),
            veriff: Some(VeriffWebhooks::from_vars(running.vars())?),
        };
        emulator = Some(running);
        receivers
    };
    let receivers = Arc::new(receivers);

    let app = Router::new()
        .route("/webhooks/idenfy", post(idenfy_webhook))
        .route("/webhooks/veriff", post(veriff_webhook))
        .with_state(Arc::clone(&receivers));
    println!("listening on {here}/webhooks/idenfy and {here}/webhooks/veriff");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    if let Some(emulator) = &emulator {
        approve_one_session_each(emulator).await?;
        // Give the emulator's webhooks a moment to arrive, then stop.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        return Ok(());
    }
    server.await??;
    Ok(())
}

async fn idenfy_webhook(
    State(receivers): State<Arc<Receivers>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(receivers.idenfy.as_ref().map(|v| v as &dyn WebhookVerifier), &headers, &body)
}

async fn veriff_webhook(
    State(receivers): State<Arc<Receivers>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(receivers.veriff.as_ref().map(|v| v as &dyn WebhookVerifier), &headers, &body)
}

/// Verify, answer at once, hand the result on (here: print it).
fn receive(receiver: Option<&dyn WebhookVerifier>, headers: &HeaderMap, body: &[u8]) -> StatusCode {
    let Some(receiver) = receiver else {
        eprintln!("refused a webhook: no signing key configured for it");
        return StatusCode::UNAUTHORIZED;
    };
    match receiver.verify_webhook(headers, body) {
        Ok(decision) => {
            println!(
                "{}: session {} is {} (final: {}, event: {})",
                decision.provider,
                decision.session_id,
                decision.status,
                decision.is_final,
                decision.event.as_deref().unwrap_or("-")
            );
            StatusCode::OK
        }
        Err(error) if error.kind() == ErrorKind::InvalidSignature => {
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
/// variables, and approves both on the emulator's pages: the emulator then sends the webhooks.
async fn approve_one_session_each(
    emulator: &kyc_emulator::RunningEmulator,
) -> Result<(), Box<dyn std::error::Error>> {
    let (idenfy, veriff) = support::adapters(emulator)?;
    let request = SessionRequest::new(ClientId::new("webhook-example")?);
    for (vendor, session) in [
        ("idenfy", idenfy.create_session(&request).await?),
        ("veriff", veriff.create_session(&request).await?),
    ] {
        use secrecy::ExposeSecret;
        let token =
            session.token.as_ref().map(|t| t.expose_secret().to_owned()).unwrap_or_default();
        if vendor == "veriff" {
            reqwest::get(session.url.as_str()).await?; // opening the page: Veriff's `started`
        }
        reqwest::Client::new()
            .post(format!("http://{}/{vendor}/decide", emulator.address()))
            .form(&[("token", token.as_str()), ("choice", "approve")])
            .send()
            .await?;
    }
    Ok(())
}
