//! A webhook receiver for both vendors: verifies each webhook's signature over the raw body,
//! answers at once (2xx, or 401 on a bad signature), and prints the normalized result.
//!
//! ```sh
//! cargo run --example webhook_server                 # listens on 127.0.0.1:3000
//! cargo run --example webhook_server -- 0.0.0.0:3000
//! ```
//!
//! Point iDenfy's notifications at `/webhooks/idenfy` (signing key in `IDENFY_WEBHOOK_KEY`) and
//! Veriff's decision and event webhooks at `/webhooks/veriff` (`VERIFF_SHARED_SECRET`). Without
//! them it runs against the emulator: it starts one that sends its webhooks here, creates a
//! session at each vendor, approves it on the emulator's page, and prints what arrives.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kyc::{ClientId, ErrorKind, SessionRequest, VerificationResults, VerificationSession};

struct Receivers {
    idenfy: kyc::Idenfy,
    veriff: kyc::Veriff,
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
            idenfy: kyc::IdenfyBuilder::from_vars(webhook_vars("IDENFY_WEBHOOK_KEY"))?.build()?,
            veriff: kyc::VeriffBuilder::from_vars(webhook_vars("VERIFF_SHARED_SECRET"))?.build()?,
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
        let (key, secret) = running.idenfy_credentials();
        let idenfy = kyc::Idenfy::builder(key.to_owned(), secret.to_owned())
            .with_base_url(running.idenfy_base_url())
            .with_webhook_key(running.idenfy_webhook_key().to_owned())
            .build()?;
        let (key, secret) = running.veriff_credentials();
        let veriff = kyc::Veriff::builder(key.to_owned())
            .with_shared_secret(secret.to_owned())
            .with_base_url(running.veriff_base_url())
            .build()?;
        emulator = Some(running);
        Receivers { idenfy, veriff }
    };
    let receivers = Arc::new(receivers);

    let app = Router::new()
        .route("/webhooks/idenfy", post(idenfy_webhook))
        .route("/webhooks/veriff", post(veriff_webhook))
        .with_state(Arc::clone(&receivers));
    println!("listening on {here}/webhooks/idenfy and {here}/webhooks/veriff");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    if let Some(emulator) = &emulator {
        approve_one_session_each(emulator, &receivers).await?;
        // Give the emulator's webhooks a moment to arrive, then stop.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        return Ok(());
    }
    server.await??;
    Ok(())
}

/// The variables a webhook receiver needs: the keys, and placeholder API credentials (a
/// receiver never creates sessions).
fn webhook_vars(key: &'static str) -> Vec<(String, String)> {
    let mut vars = vec![
        ("IDENFY_API_KEY".to_owned(), "receiver-only".to_owned()),
        ("IDENFY_API_SECRET".to_owned(), "receiver-only".to_owned()),
        ("VERIFF_API_KEY".to_owned(), "00000000-0000-4000-8000-000000000000".to_owned()),
    ];
    if let Ok(value) = std::env::var(key) {
        vars.push((key.to_owned(), value));
    }
    vars
}

async fn idenfy_webhook(
    State(receivers): State<Arc<Receivers>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(&receivers.idenfy, &headers, &body)
}

async fn veriff_webhook(
    State(receivers): State<Arc<Receivers>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(&receivers.veriff, &headers, &body)
}

/// Verify, answer at once, hand the result on (here: print it).
fn receive(receiver: &dyn VerificationResults, headers: &HeaderMap, body: &[u8]) -> StatusCode {
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
        Err(error) if error.kind() == ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Err(error) => {
            eprintln!("refused a webhook: {error}");
            StatusCode::BAD_REQUEST
        }
    }
}

async fn approve_one_session_each(
    emulator: &kyc_emulator::RunningEmulator,
    receivers: &Receivers,
) -> Result<(), Box<dyn std::error::Error>> {
    let request = SessionRequest::new(ClientId::new("webhook-example")?);
    for (vendor, session) in [
        ("idenfy", receivers.idenfy.create_session(&request).await?),
        ("veriff", receivers.veriff.create_session(&request).await?),
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
