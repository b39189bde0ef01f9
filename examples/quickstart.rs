//! Create verification sessions through both vendors and through failover, and print them.
//!
//! ```sh
//! cargo run --example quickstart                 # client id "quickstart-user"
//! cargo run --example quickstart -- user-42      # your own client id
//! ```
//!
//! With no vendor credentials in the environment it starts the local emulator in-process (and
//! says so): nothing leaves this machine. With `IDENFY_API_KEY`/`IDENFY_API_SECRET` or
//! `VERIFF_API_KEY` (and `VERIFF_BASE_URL`) set, it talks to those real vendors instead, which
//! creates real sessions.

use std::process::ExitCode;
use std::sync::Arc;

use kyc::{
    ClientId, Failover, FailoverPolicy, Locale, Session, SessionRequest, VerificationSession,
};
use kyc_emulator::{Emulator, Fault, RunningEmulator, Vendor};

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
            ExitCode::from(if error.kind() == kyc::ErrorKind::Config { 3 } else { 4 })
        }
    }
}

async fn run(client_id: ClientId) -> Result<(), kyc::Error> {
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
        let running = Emulator::builder().start().await.map_err(|e| {
            kyc::Error::config("emulator", "cannot listen on 127.0.0.1").with_source(e)
        })?;
        eprintln!(
            "note: no vendor credentials set; using the built-in emulator at {}",
            running.address()
        );
        let (idenfy, veriff) = adapters_for(&running)?;
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

/// Adapters configured for the emulator, with the credentials it accepts.
fn adapters_for(emulator: &RunningEmulator) -> Result<(kyc::Idenfy, kyc::Veriff), kyc::Error> {
    let (key, secret) = emulator.idenfy_credentials();
    let idenfy = kyc::Idenfy::builder(key.to_owned(), secret.to_owned())
        .with_base_url(emulator.idenfy_base_url())
        .with_kyb_ui_url(emulator.idenfy_kyb_ui_url())
        .build()?;
    let (key, shared_secret) = emulator.veriff_credentials();
    let veriff = kyc::Veriff::builder(key.to_owned())
        .with_shared_secret(shared_secret.to_owned())
        .with_base_url(emulator.veriff_base_url())
        .build()?;
    Ok((idenfy, veriff))
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
