//! iDenfy first, Veriff second: the first one fails, the second serves, and the session says
//! what happened on the way.
//!
//! ```sh
//! cargo run --example failover
//! ```
//!
//! With `IDENFY_API_KEY`/`IDENFY_API_SECRET` and `VERIFF_API_KEY` (and `VERIFF_BASE_URL`) set it
//! uses the real vendors. Without them it runs offline: iDenfy is pointed at a loopback port
//! where nothing listens (a dead vendor), and Veriff at a stand-in on loopback that answers like
//! Veriff's documented `201`, until the project's emulator replaces it.

use std::sync::Arc;
use std::time::Duration;

#[path = "support/veriff_stand_in.rs"]
mod veriff_stand_in;

use kyc::{BreakerConfig, ClientId, Failover, FailoverPolicy, SessionRequest, VerificationSession};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), kyc::Error> {
    let (idenfy, veriff) = if std::env::var_os("IDENFY_API_KEY").is_some()
        && std::env::var_os("VERIFF_API_KEY").is_some()
    {
        (kyc::Idenfy::from_env()?, kyc::Veriff::from_env()?)
    } else {
        eprintln!(
            "note: no vendor credentials; iDenfy is a dead loopback port, Veriff a local stand-in"
        );
        let dead = veriff_stand_in::dead_port().await;
        let idenfy = kyc::Idenfy::builder("key", "secret")
            .with_base_url(format!("http://127.0.0.1:{dead}"))
            .build()?;
        let veriff = kyc::Veriff::builder("3fa85f64-5717-4562-b3fc-2c963f66afa6")
            .with_base_url(veriff_stand_in::start().await)
            .build()?;
        (idenfy, veriff)
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
    Ok(())
}
