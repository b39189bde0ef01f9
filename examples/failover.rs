//! iDenfy first, Veriff second: the first one fails, the second serves, and the session says
//! what happened on the way.
//!
//! ```sh
//! cargo run --example failover
//! ```
//!
//! With `IDENFY_API_KEY`/`IDENFY_API_SECRET` and `VERIFF_API_KEY` (and `VERIFF_BASE_URL`) set it
//! uses the real vendors. Without them it runs offline on the built-in emulator, whose iDenfy is
//! down (every request answered `503 Service Unavailable`, so nothing was created there), and
//! the adapters are configured from the emulator's variables exactly as from real ones.

#[path = "support/emulator.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use kyc::{BreakerConfig, ClientId, Failover, FailoverPolicy, SessionRequest, VerificationSession};
use kyc_emulator::{Emulator, Fault, Vendor};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Held until the end: dropping it stops the emulator.
    let mut emulator = None;
    let (idenfy, veriff) = if std::env::var_os("IDENFY_API_KEY").is_some()
        && std::env::var_os("VERIFF_API_KEY").is_some()
    {
        (kyc::Idenfy::from_env()?, kyc::Veriff::from_env()?)
    } else {
        let running =
            Emulator::builder().with_fault(Vendor::Idenfy, Fault::status(503)).start().await?;
        eprintln!(
            "note: no vendor credentials; using the built-in emulator at {}, whose iDenfy is down",
            running.address()
        );
        let adapters = support::adapters(&running)?;
        emulator = Some(running);
        adapters
    };

    let failover = Failover::new(vec![Arc::new(idenfy), Arc::new(veriff)])
        .with_policy(
            FailoverPolicy::default().with_max_retries(1).with_deadline(Duration::from_secs(30)),
        )
        .with_breaker(BreakerConfig::new(3, Duration::from_secs(60)));

    let request = SessionRequest::new(ClientId::new("failover-example-user")?);
    let session = failover.create_session(&request).await?;
    println!("{}", session.url);
    println!("served by {} (session {})", session.provider, session.id);
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
    drop(emulator);
    Ok(())
}
