//! Create verification sessions through every vendor and through failover, and print them.
//!
//! ```sh
//! cargo run --example quickstart                 # client id "quickstart-user"
//! cargo run --example quickstart -- user-42      # your own client id
//! ```
//!
//! With no vendor credentials in the environment it starts the local emulator in-process (and
//! says so): nothing leaves this machine, and the adapters are configured from the emulator's
//! variables exactly as from real ones. With `IDENFY_API_KEY`/`IDENFY_API_SECRET`,
//! `VERIFF_API_KEY` (and `VERIFF_BASE_URL`), `SUMSUB_APP_TOKEN`/`SUMSUB_SECRET_KEY` or
//! `ONFIDO_API_TOKEN`/`ONFIDO_WORKFLOW_ID` set, it talks to those real vendors instead, which
//! creates real sessions.

#[path = "support/emulator.rs"]
mod support;

use std::process::ExitCode;
use std::sync::Arc;

use kyc::{
    ClientId, ErrorKind, Failover, FailoverPolicy, Field, Locale, Person, Session, SessionRequest,
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
    let configured = |var: &str| std::env::var_os(var).is_some();
    let real = ["IDENFY_API_KEY", "VERIFF_API_KEY", "SUMSUB_APP_TOKEN", "ONFIDO_API_TOKEN"]
        .into_iter()
        .any(configured);
    // Held until the end: dropping it stops the emulator.
    let mut emulator = None;
    // Each vendor with its name, in failover order.
    let mut vendors: Vec<(&str, Arc<dyn VerificationSession>)> = Vec::new();
    if real {
        eprintln!("note: vendor credentials found; talking to the real vendors");
        if configured("IDENFY_API_KEY") {
            vendors.push(("iDenfy", Arc::new(kyc::Idenfy::from_env()?)));
        }
        if configured("VERIFF_API_KEY") {
            vendors.push(("Veriff", Arc::new(kyc::Veriff::from_env()?)));
        }
        if configured("SUMSUB_APP_TOKEN") {
            vendors.push(("Sumsub", Arc::new(kyc::Sumsub::from_env()?)));
        }
        if configured("ONFIDO_API_TOKEN") {
            vendors.push(("Onfido", Arc::new(kyc::Onfido::from_env()?)));
        }
    } else {
        let running = Emulator::builder().start().await?;
        eprintln!(
            "note: no vendor credentials set; using the built-in emulator at {}",
            running.address()
        );
        let (idenfy, veriff) = support::adapters(&running)?;
        vendors.push(("iDenfy", Arc::new(idenfy)));
        vendors.push(("Veriff", Arc::new(veriff)));
        vendors.push(("Sumsub", Arc::new(support::sumsub(&running)?)));
        vendors.push(("Onfido", Arc::new(support::onfido(&running)?)));
        emulator = Some(running);
    }

    // What every vendor can honour (Veriff fixes link validity and flow per integration).
    let request = SessionRequest::new(client_id).with_locale(Locale::En);

    for (name, vendor) in &vendors {
        print_session(name, &vendor.create_session(&with_required(&request, &**vendor)).await?);
    }
    if vendors.len() > 1 {
        if let Some(emulator) = &emulator {
            // The emulated iDenfy goes down: the next request is answered 503.
            emulator.set_fault(Vendor::Idenfy, Fault::status(503).times(1));
        }
        let names: Vec<&str> = vendors.iter().map(|(name, _)| *name).collect();
        let chain = vendors.into_iter().map(|(_, vendor)| vendor).collect();
        let failover =
            Failover::new(chain).with_policy(FailoverPolicy::default().with_max_retries(0));
        let session = failover.create_session(&request).await?;
        print_session(&format!("Failover ({})", names.join(", then ")), &session);
    }
    Ok(())
}

/// `request` with the person's names when `vendor` requires them (Onfido does; Sumsub takes
/// none, so they cannot be in the request every vendor gets). Made-up names, for a demo only:
/// a real integration sends the person's.
fn with_required(request: &SessionRequest, vendor: &dyn VerificationSession) -> SessionRequest {
    let required = vendor.capabilities().identity.as_ref().map(|caps| caps.required.clone());
    let names = required.is_some_and(|required| required.contains(&Field::FirstName));
    match names {
        true => request
            .clone()
            .with_person(Person::default().with_first_name("Quinn").with_last_name("Starter")),
        false => request.clone(),
    }
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
