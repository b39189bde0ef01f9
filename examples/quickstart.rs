//! Create a verification session and print the link to send the person to.
//!
//! ```sh
//! cargo run --example quickstart                 # client id "quickstart-user"
//! cargo run --example quickstart -- user-42      # your own client id
//! ```
//!
//! With `IDENFY_API_KEY` and `IDENFY_API_SECRET` set it creates a real iDenfy session (a
//! credit, unless the keys are for iDenfy's DEV environment); with `VERIFF_API_KEY` (and
//! `VERIFF_BASE_URL`) a Veriff one. Without credentials it runs on the in-process
//! `StubProvider`, which calls no vendor and says so, until the local emulator lands.
//! The code below is the code an application writes: only the part that picks the provider
//! depends on the configuration.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kyc::{ClientId, Flow, Locale, SessionRequest, StubProvider, VerificationSession};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let client_id = std::env::args().nth(1).unwrap_or_else(|| "quickstart-user".to_owned());

    let provider = match configured_provider() {
        Ok(provider) => provider,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(3);
        }
    };

    let client_id = match ClientId::new(client_id) {
        Ok(id) => id,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let request = SessionRequest::new(client_id)
        .with_flow(Flow::DocumentAndSelfie)
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(24 * 3600));

    match provider.create_session(&request).await {
        Ok(session) => {
            println!("{}", session.url);
            println!("provider:   {}", session.provider);
            println!("session id: {}", session.id);
            println!("client id:  {}", session.client_id);
            if let Some(expires_at) = session.expires_at {
                println!("expires at: {}", expires_at.to_rfc3339());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(4)
        }
    }
}

/// The first vendor whose credentials are in the environment (iDenfy, then Veriff), or the
/// stub when there are none.
fn configured_provider() -> Result<Arc<dyn VerificationSession>, kyc::Error> {
    if std::env::var_os("IDENFY_API_KEY").is_some() {
        return Ok(Arc::new(kyc::Idenfy::from_env()?));
    }
    if std::env::var_os("VERIFF_API_KEY").is_some() {
        return Ok(Arc::new(kyc::Veriff::from_env()?));
    }
    eprintln!("note: no vendor credentials set; running on the in-process stub provider");
    Ok(Arc::new(StubProvider::new("stub")))
}
