//! Create an iDenfy verification session with iDenfy-only options, and print its link.
//!
//! ```sh
//! export IDENFY_API_KEY=... IDENFY_API_SECRET=...   # IDENFY_BASE_URL for a proxy or emulator
//! cargo run --example idenfy -- user-42             # identity (KYC)
//! cargo run --example idenfy -- company-7 business  # business (KYB), if the contract has it
//! ```
//!
//! Every run creates a real token, which costs a credit unless the keys are for iDenfy's DEV
//! environment.

use std::process::ExitCode;
use std::time::Duration;

use kyc::{
    ClientId, Flow, IdenfyOptions, Locale, SessionRequest, VerificationKind, VerificationSession,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let client_id = args.next().unwrap_or_else(|| "example-user".to_owned());
    let business = args.next().is_some_and(|kind| kind == "business");

    let idenfy = match kyc::Idenfy::from_env() {
        Ok(idenfy) => idenfy,
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!(
                "set IDENFY_API_KEY and IDENFY_API_SECRET (or run the quickstart, which needs none)"
            );
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
    let mut request = SessionRequest::new(client_id)
        .with_locale(Locale::En)
        .with_link_validity(Duration::from_secs(3600));
    if business {
        request = request.with_kind(VerificationKind::Business);
    } else {
        request = request
            .with_flow(Flow::DocumentAndSelfie)
            .with_session_duration(Duration::from_secs(900))
            .with_options(
                IdenfyOptions::default().with_show_instructions(true).with_max_attempt_count(2),
            );
    }

    match idenfy.create_session(&request).await {
        Ok(session) => {
            println!("{}", session.url);
            println!("scanRef:    {}", session.id);
            if let Some(expires_at) = session.expires_at {
                println!("expires at: {}", expires_at.to_rfc3339());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(code) = error.vendor_code() {
                eprintln!("iDenfy code: {code}");
            }
            ExitCode::from(if error.outcome() == kyc::Outcome::NotSent { 2 } else { 4 })
        }
    }
}
