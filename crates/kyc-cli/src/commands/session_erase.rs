//! `kyc session erase`: deletes a session's personal data at the vendor, the GDPR's right to
//! erasure without the dashboard (iDenfy:
//! <https://documentation.idenfy.com/kyc/deletion>; Veriff:
//! <https://devdocs.veriff.com/apidocs/v1sessionsid-3>).

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
    // As `status`: the session lives at the vendor the credentials reach, never in a new
    // emulator.
    let erasure = vendor.erasure_from_env().map_err(|error| match vendor.configured() {
        true => Failure::NotErased(error),
        false => Failure::Unconfigured(error),
    })?;
    // The adapter refuses what its vendor cannot erase (Veriff has no business sessions)
    // before sending anything.
    erasure.erase_session(session).await.map_err(Failure::NotErased)?;
    // The link is a bearer secret to data that no longer exists: the ledger forgets it too.
    if let Some(store) = ledger::recorder().await {
        ledger::forget_link(&*store, vendor.name, &session.id).await;
    }
    output::erased(vendor.name, session, output);
    Ok(())
}
