//! Create a verification session and print the link to send the person to.
//!
//! ```sh
//! cargo run --example quickstart                 # client id "quickstart-user"
//! cargo run --example quickstart -- user-42      # your own client id
//! ```
//!
//! The vendor adapters (iDenfy, Veriff) and the local emulator are not in the workspace yet, so
//! this runs on the in-process `StubProvider`, which calls no vendor and says so. The code below
//! is the code an application writes: only the line that picks the provider will change.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kyc::{ClientId, Flow, Locale, SessionRequest, StubProvider, VerificationSession};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let client_id = std::env::args().nth(1).unwrap_or_else(|| "quickstart-user".to_owned());

    eprintln!("note: running on the in-process stub provider (no vendor is called)");
    let provider: Arc<dyn VerificationSession> = Arc::new(StubProvider::new("stub"));

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
