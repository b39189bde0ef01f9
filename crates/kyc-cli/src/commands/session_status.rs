//! `kyc session status`: asks a vendor where a session stands.

use crate::args::Output;
use crate::exit::Failure;
use crate::output;
use crate::vendors::Vendor;

/// Runs the command.
pub(crate) async fn run(vendor: &Vendor, session_id: &str, output: Output) -> Result<(), Failure> {
    let results = (vendor.results_from_env)()?;
    let decision = results.poll_decision(session_id).await?;
    output::decision(decision.as_ref(), vendor.name, session_id, output);
    Ok(())
}
