//! `kyc session status`: asks a vendor where a session stands, and records the answer in the
//! ledger.

use crate::args::Output;
use crate::exit::Failure;
use crate::vendors::Vendor;
use crate::{ledger, output};

/// Runs the command.
pub(crate) async fn run(
    vendor: &Vendor,
    session: &kyc::SessionRef,
    output: Output,
) -> Result<(), Failure> {
    // No fallback to a built-in emulator here: a new one would know no session. Without
    // credentials, the operator is told how to reach an emulator that keeps running.
    let results = vendor.results_from_env().map_err(|error| match vendor.configured() {
        true => Failure::Kyc(error),
        false => Failure::Unconfigured(error),
    })?;
    let decision = results.poll_decision(session).await?;
    if let (Some(decision), Some(store)) = (&decision, ledger::recorder().await) {
        ledger::record_poll(&*store, decision).await;
    }
    output::decision(decision.as_ref(), vendor.name, session, output);
    Ok(())
}
