//! Create verification sessions through both vendors and through failover, and print them.
//!
//! ```sh
//! cargo run --example quickstart                 # client id "quickstart-user"
//! cargo run --example quickstart -- user-42      # your own client id
//! ```
//!
//! With no vendor credentials in the environment it starts the local emulator in-process (and
//! says so): nothing leaves this machine, and the adapters are configured from the emulator's
//! variables exactly as from real ones. With `IDENFY_API_KEY`/`IDENFY_API_SECRET` or
//! `VERIFF_API_KEY` (and `VERIFF_BASE_URL`) set, it talks to those real vendors instead, which
//! creates real sessions.

#[path = "support/emulator.rs"]
mod support;

use std::process::ExitCode;
use std::sync::Arc;

use kyc::{
    ClientId, ErrorKind, Failover, FailoverPolicy, Locale, Session, SessionRequest,
    VerificationSession,
};
use kyc_emulator::{Emulator, Fault, Vendor};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let client_id = std::env::args().nth(1).unwrap_or_else(|| "quickstart-user".to_owned());
    let client_id = match ClientId::new(client_id) {
        Ok(id) => id,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match run(client_id).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            // Configuration (or an emulator that cannot listen): 3; the vendors' answers: 4.
            let setup =
                error.downcast_ref::<kyc::Error>().is_none_or(|e| e.kind() == ErrorKind::Config);
            ExitCode::from(if setup { 3 } else { 4 })
        }
    }
}

async fn run(client_id: ClientId) -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var_os("IDENFY_API_KEY").is_some()
        || std::env::var_os("VERIFF_API_KEY").is_some();
    // Held until the end: dropping it stops the emulator.
    let mut emulator = None;
    let (idenfy, veriff) = if real {
        eprintln!("note: vendor credentials found; talking to the real vendors");
        let idenfy =
            std::env::var_os("IDENFY_API_KEY").map(|_| kyc::Idenfy::from_env()).transpose()?;
        let veriff =
            std::env::var_os("VERIFF_API_KEY").map(|_| kyc::Veriff::from_env()).transpose()?;
        (idenfy, veriff)
    } else {
        let running = Emulator::builder().start().await?;
        eprintln!(
            "note: no vendor credentials set; using the built-in emulator at {}",
            running.address()
        );
        let (idenfy, veriff) = support::adapters(&running)?;
        emulator = Some(running);
        (Some(idenfy), Some(veriff))
    };

    // What both vendors can honour (Veriff fixes link validity and flow per integration).
    let request = SessionRequest::new(client_id).with_locale(Locale::En);

    if let Some(idenfy) = &idenfy {
        print_session("iDenfy", &idenfy.create_session(&request).await?);
    }
    if let Some(veriff) = &veriff {
        print_session("Veriff", &veriff.create_session(&request).await?);
    }
    if let (Some(idenfy), Some(veriff)) = (idenfy, veriff) {
        if let Some(emulator) = &emulator {
            // The emulated iDenfy goes down: the next request is answered 503.
            emulator.set_fault(Vendor::Idenfy, Fault::status(503).times(1));
        }
        let failover = Failover::new(vec![Arc::new(idenfy), Arc::new(veriff)])
            .with_policy(FailoverPolicy::default().with_max_retries(0));
        let session = failover.create_session(&request).await?;
        print_session("Failover (iDenfy, then Veriff)", &session);
    }
    Ok(())
}

fn print_session(title: &str, session: &Session) {
    println!("{title}");
    println!("  link:       {}", session.url);
    println!("  provider:   {}", session.provider);
    println!("  session id: {}", session.id);
    println!("  client id:  {}", session.client_id);
    match session.expires_at {
        Some(at) => println!("  expires at: {}", at.to_rfc3339()),
        None => println!("  expires at: unknown"),
    }
    for attempt in &session.attempts {
        match attempt.error {
            Some(error) => println!(
                "  attempt:    {} failed ({error}) in {} ms; may have created a session: {}",
                attempt.provider,
                attempt.elapsed.as_millis(),
                attempt.may_have_created_session
            ),
            None => println!(
                "  attempt:    {} created it in {} ms",
                attempt.provider,
                attempt.elapsed.as_millis()
            ),
        }
    }
    println!();
}
